/*
 * xvfb.c - the private Xvfb of xvfb.h. It runs with -noreset: without it,
 * Xvfb resets itself when its last client leaves, and a test connecting
 * right then races the reset ("cannot open display").
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "xvfb.h"

bool xvfb_available(void)
{
	const char *path = getenv("PATH");
	char buf[4096], *save;
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char file[4200];
		snprintf(file, sizeof(file), "%s/Xvfb", dir);
		if (access(file, X_OK) == 0)
			return true;
	}
	return false;
}

static void child(int fd, int w, int h)
{
	char fdarg[16], screen[32];
	int null = open("/dev/null", O_RDWR);
	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	snprintf(screen, sizeof(screen), "%dx%dx24", w, h);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	execlp("Xvfb", "Xvfb", "-displayfd", fdarg, "-nolisten", "tcp", "-noreset", "-screen", "0",
	       screen, (char *)NULL);
	_exit(127);
}

/* Xvfb writes the display number and a newline once it is ready. */
static int read_display(int fd, int timeout_ms)
{
	char buf[32];
	size_t n = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (n < sizeof(buf) - 1 && poll(&p, 1, timeout_ms) == 1) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strchr(buf, '\n'))
			return atoi(buf);
	}
	return -1;
}

int xvfb_start(struct xvfb *x, int w, int h, int timeout_ms)
{
	int fds[2];
	memset(x, 0, sizeof(*x));
	x->pid = -1;
	if (pipe(fds) < 0)
		return -1;
	x->pid = fork();
	if (x->pid == 0) {
		close(fds[0]);
		child(fds[1], w, h);
	}
	close(fds[1]);
	x->display = x->pid > 0 ? read_display(fds[0], timeout_ms) : -1;
	close(fds[0]);
	if (x->display < 0) {
		xvfb_stop(x);
		return -1;
	}
	snprintf(x->name, sizeof(x->name), ":%d", x->display);
	setenv("DISPLAY", x->name, 1);
	return 0;
}

void xvfb_stop(struct xvfb *x)
{
	if (x->pid <= 0)
		return;
	proc_stop(x->pid, SIGTERM, 5000); /* SIGKILL after 5 s */
	x->pid = -1;
	unsetenv("DISPLAY");
}
