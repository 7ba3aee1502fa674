/*
 * proc.h - child processes and waits for tests, in one place: start a
 * program with its output in a file, wait for it with a deadline (never
 * forever, never a bare sleep), stop it, run one to completion, and wait
 * until a condition holds, a port file is written or a file has a line of
 * text. Every function here is bounded in time; deadlines are meant to be
 * generous (seconds), since they only end a wait that has already failed.
 */
#ifndef PROC_H
#define PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/**
 * Start @argv[0] (a path, or a name looked up in $PATH) with the
 * NULL-terminated @argv. stdin is /dev/null; stdout and stderr go to the
 * file @out (created or truncated, mode 0600) when it is not NULL, else they
 * are inherited. The child is killed if the test process dies first.
 * Returns the pid, or -1 when fork() fails (an exec failure shows as exit
 * status 127 from proc_wait()).
 */
pid_t proc_spawn(const char *const *argv, const char *out);

/**
 * Wait up to @timeout_ms for the child @pid to end, and reap it. Returns its
 * exit status (0..255), 128 + N when signal N ended it, or -1 when it was
 * still running at the deadline (it is then killed with SIGKILL and reaped)
 * or @pid is not a child of ours.
 */
int proc_wait(pid_t pid, int timeout_ms);

/** Send @sig to the child @pid, then proc_wait(@pid, @timeout_ms). */
int proc_stop(pid_t pid, int sig, int timeout_ms);

/**
 * Run a program to completion: proc_spawn(@argv, @out), then
 * proc_wait(pid, @timeout_ms). Returns as proc_wait(), or -1 when it could
 * not be started.
 */
int proc_run(const char *const *argv, const char *out, int timeout_ms);

/**
 * Call @cond(@arg) until it returns true, for at most @timeout_ms, waiting
 * a little longer between calls each time (1 ms growing to 50 ms). Returns
 * true when the condition held, false at the deadline.
 */
bool proc_until(bool (*cond)(void *arg), void *arg, int timeout_ms);

/**
 * Wait up to @timeout_ms until the file @path holds a complete line with a
 * TCP port (1..65535, then a newline), as written by a server's
 * --port-file. Returns the port, or -1 at the deadline.
 */
int proc_port_file(const char *path, int timeout_ms);

/** True when @path exists, waiting for it up to @timeout_ms. */
bool proc_wait_file(const char *path, int timeout_ms);

/**
 * Wait up to @timeout_ms until the file @path (a log, growing or not yet
 * there) has a line containing @text. When @line is not NULL, that line
 * (the first such, without its newline, cut to @cap - 1 bytes) is copied
 * there, NUL-terminated; @line belongs to the caller. Returns true when the
 * text showed, false at the deadline.
 */
bool proc_wait_line(const char *path, const char *text, char *line, size_t cap, int timeout_ms);

#endif
