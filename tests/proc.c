/*
 * proc.c - see proc.h. A child is waited for through a pidfd (poll() wakes
 * up the moment it exits); where the kernel has none, through the same
 * bounded polling as any other condition.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child(const char *const *argv, const char *out)
{
	int in = open("/dev/null", O_RDONLY);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
	if (in >= 0)
		dup2(in, 0);
	if (out) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

pid_t proc_spawn(const char *const *argv, const char *out)
{
	pid_t pid = fork();
	if (pid == 0)
		child(argv, out);
	if (pid < 0)
		fprintf(stderr, "proc: cannot start %s: %s\n", argv[0], strerror(errno));
	return pid;
}

bool proc_until(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	long pause_us = 1000;
	for (;;) {
		if (cond(arg))
			return true;
		if (now_ms() >= end)
			return false;
		nanosleep(&(struct timespec){0, pause_us * 1000}, NULL);
		pause_us = pause_us < 50000 ? pause_us * 2 : 50000;
	}
}

struct reap {
	pid_t pid;
	int status;
	bool gone; /* reaped, or not our child */
};

static bool reaped(void *arg)
{
	struct reap *r = arg;
	pid_t got = waitpid(r->pid, &r->status, WNOHANG);
	if (got == r->pid || (got < 0 && errno != EINTR)) {
		if (got < 0)
			r->status = -1;
		r->gone = true;
	}
	return r->gone;
}

/*
 * Block in poll() on a pidfd until the child exits or the deadline; false
 * when the kernel gives no pidfd (then the caller polls instead).
 */
static bool wait_pidfd(pid_t pid, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	int64_t end = now_ms() + timeout_ms;
	if (fd < 0)
		return false;
	for (int64_t left = timeout_ms; left > 0; left = end - now_ms()) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) != -1 || errno != EINTR)
			break;
	}
	close(fd);
	return true;
}

int proc_wait(pid_t pid, int timeout_ms)
{
	struct reap r = {.pid = pid};
	if (pid <= 0)
		return -1;
	bool done = wait_pidfd(pid, timeout_ms) ? reaped(&r) : proc_until(reaped, &r, timeout_ms);
	if (!done) {
		fprintf(stderr, "proc: pid %d still running after %d ms: killed\n", (int)pid,
		        timeout_ms);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (r.status == -1)
		return -1;
	return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128 + WTERMSIG(r.status);
}

int proc_stop(pid_t pid, int sig, int timeout_ms)
{
	if (pid > 0)
		kill(pid, sig);
	return proc_wait(pid, timeout_ms);
}

int proc_run(const char *const *argv, const char *out, int timeout_ms)
{
	pid_t pid = proc_spawn(argv, out);
	return pid < 0 ? -1 : proc_wait(pid, timeout_ms);
}

struct port_file {
	const char *path;
	int port;
};

static bool port_written(void *arg)
{
	struct port_file *pf = arg;
	char buf[16];
	FILE *f = fopen(pf->path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	char *end;
	long v = strtol(buf, &end, 10);
	if (end == buf || *end != '\n' || v < 1 || v > 65535)
		return false;
	pf->port = (int)v;
	return true;
}

int proc_port_file(const char *path, int timeout_ms)
{
	struct port_file pf = {path, -1};
	return proc_until(port_written, &pf, timeout_ms) ? pf.port : -1;
}

static bool exists(void *arg)
{
	struct stat st;
	return stat(arg, &st) == 0;
}

bool proc_wait_file(const char *path, int timeout_ms)
{
	return proc_until(exists, (void *)path, timeout_ms);
}

struct file_line {
	const char *path, *text;
	char *line;
	size_t cap;
};

/* One read of the file: true when a line holds the text (copied out). */
static bool has_line(void *arg)
{
	struct file_line *fl = arg;
	char *buf = NULL;
	size_t size = 0;
	bool found = false;
	FILE *f = fopen(fl->path, "r");
	/* getline: a line of any length is searched whole */
	while (f && !found && getline(&buf, &size, f) > 0)
		found = strstr(buf, fl->text) != NULL;
	if (found && fl->line)
		snprintf(fl->line, fl->cap, "%.*s", (int)strcspn(buf, "\n"), buf);
	free(buf);
	if (f)
		fclose(f);
	return found;
}

bool proc_wait_line(const char *path, const char *text, char *line, size_t cap, int timeout_ms)
{
	struct file_line fl = {path, text, line, cap};
	if (line && cap > 0)
		line[0] = '\0';
	return proc_until(has_line, &fl, timeout_ms);
}
