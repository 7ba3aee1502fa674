/*
 * load.h - what a process uses and how loaded the machine is, for tests,
 * stress runs and benchmarks that print figures: a process's CPU time, peak
 * memory and sleeps (from /proc), the machine's load in one phrase, and CPU
 * hogs to load the machine on purpose, so that "a loaded machine" is the
 * same in every run. Linux only (/proc, prctl).
 */
#ifndef LOAD_H
#define LOAD_H

#include <stddef.h>
#include <sys/types.h>

/** CPU seconds (user + system) @pid has used so far, or -1. */
double load_cpu_seconds(pid_t pid);
/** Peak resident memory of @pid so far (VmHWM) in KiB, or -1. */
long load_peak_rss_kb(pid_t pid);
/** Voluntary context switches of @pid (each time it slept), or -1. */
long load_sleeps(pid_t pid);

/**
 * Write "load average L on N cores" into @buf (@cap bytes), with ", H CPU
 * hogs of ours" when load_hogs_start() started some. Returns @buf.
 */
const char *load_describe(char *buf, size_t cap);
/** The 1-minute load average, or -1 when it cannot be read. */
double load_average(void);

/**
 * Start @n CPU hogs (1..64): child processes that only spin, at the
 * caller's priority, as `yes > /dev/null` beside the run would. They are
 * killed however the caller ends: at exit(), on SIGINT, SIGTERM or SIGHUP
 * (which then ends the caller as it would have), and by the kernel when
 * the caller dies otherwise (PR_SET_PDEATHSIG). Call it before starting
 * other children. Returns the number started (0 for @n <= 0), or -1.
 */
int load_hogs_start(int n);
/** Kill and reap the hogs now (also done at exit). */
void load_hogs_stop(void);
/**
 * The number of hogs asked for: the value of a "--hogs N" pair in
 * @argv, removed from it (@argc is updated), else $HP_HOGS, else 0. -1
 * when the value is not a number from 0 to 64 (say why on stderr).
 */
int load_hogs_wanted(int *argc, char **argv);

#endif
