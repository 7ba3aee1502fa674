/*
 * pty.c - the pseudo-terminal, the shell running on it, and the bytes
 * waiting for it: keystrokes and pastes are queued and written as the pty
 * takes them, so a large paste never blocks the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"
#include "xputil.h"

void term_pty_resize(struct term *t)
{
	struct winsize ws = {.ws_row = (unsigned short)t->rows,
	                     .ws_col = (unsigned short)t->cols,
	                     .ws_xpixel = (unsigned short)(t->cols * t->cell_w),
	                     .ws_ypixel = (unsigned short)(t->rows * t->cell_h)};
	ioctl(t->pty, TIOCSWINSZ, &ws);
}

/*
 * Why the command cannot run, on the pty (the window shows it) and on the
 * terminal's own stderr @err_fd (the launcher or the caller reads it); then
 * the shell's statuses: 126 found but not runnable, 127 not found.
 */
static void cannot_run(int err_fd, const char *what, int e)
{
	dprintf(2, "xp-term: cannot run %s: %s\r\n", what, strerror(e));
	dprintf(err_fd, "xp-term: cannot run %s: %s\n", what, strerror(e));
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

static void child(const char *slave, char *const argv[])
{
	setsid();
	/* our stderr, kept apart from the pty for cannot_run() (closed by exec) */
	int err_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	int fd = open(slave, O_RDWR);
	if (fd < 0)
		cannot_run(err_fd < 0 ? 2 : err_fd, slave, errno);
	ioctl(fd, TIOCSCTTY, 0);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	setenv("TERM", "xterm-256color", 1);
	setenv("COLORTERM", "truecolor", 1);
	unsetenv("XPROTO_APP_SOCKET"); /* the shell is not an xproto app */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* our signalfd's signals are blocked: the command gets them as usual */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	const char *sh = getenv("SHELL");
	if (argv && argv[0]) {
		execvp(argv[0], argv);
		sh = argv[0];
	} else {
		if (!sh || access(sh, X_OK) != 0)
			sh = "/bin/sh";
		execl(sh, sh, (char *)NULL);
	}
	cannot_run(err_fd, sh, errno);
}

int term_pty_spawn(struct term *t, char *const argv[])
{
	t->pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->pty < 0 || grantpt(t->pty) < 0 || unlockpt(t->pty) < 0)
		return -1;
	const char *slave = ptsname(t->pty);
	if (!slave)
		return -1;
	term_pty_resize(t);
	t->child = fork();
	if (t->child < 0)
		return -1;
	if (t->child == 0)
		child(slave, argv);
	fcntl(t->pty, F_SETFL, fcntl(t->pty, F_GETFL) | O_NONBLOCK);
	return 0;
}

void term_pty_queue(struct term *t, const char *s, size_t len)
{
	if (len > TERM_OUT_MAX - t->out_len) {
		fprintf(stderr, "xp-term: %zu bytes for the program dropped (queue full)\n", len);
		return;
	}
	if (XU_ARRAY_RESERVE(t->out, t->out_cap, t->out_len + len) < 0) {
		fprintf(stderr, "xp-term: %zu bytes for the program dropped (out of memory)\n",
		        len);
		return;
	}
	memcpy(t->out + t->out_len, s, len);
	t->out_len += len;
	t->last_user_us = xp_now_us();
	term_pty_flush(t);
}

int term_pty_flush(struct term *t)
{
	size_t done = 0;
	while (done < t->out_len) {
		ssize_t n = write(t->pty, t->out + done, t->out_len - done);
		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n < 0 && errno != EAGAIN)
				done = t->out_len; /* the pty is gone: nothing will take them */
			break;
		}
	}
	memmove(t->out, t->out + done, t->out_len - done);
	t->out_len -= done;
	return 0;
}
