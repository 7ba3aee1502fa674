/*
 * xserver.c - the bridge's private X server: Xvfb started with -displayfd
 * (it picks a free display number itself and writes it once it accepts
 * connections), -noreset (the last client leaving does not reset it) and
 * no TCP listener; and the file that names the display a session's shared
 * bridge runs, so that `xp-x11 -- COMMAND` can join it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "x11.h"

static void child(int fd, int w, int h)
{
	char fdarg[16], screen[32];
	int null = open("/dev/null", O_RDWR);
	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	snprintf(screen, sizeof(screen), "%dx%dx24", w, h);
	/* quiet: -displayfd tries display numbers in use and says so */
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (!getenv("XP_X11_DEBUG"))
			dup2(null, 2);
	}
	execlp("Xvfb", "Xvfb", "-displayfd", fdarg, "-noreset", "-nolisten", "tcp", "-screen", "0",
	       screen, "+extension", "Composite", "+extension", "DAMAGE", "+extension", "XTEST",
	       (char *)NULL);
	fprintf(stderr, "xp-x11: cannot run Xvfb: %s (Debian package xvfb)\n", strerror(errno));
	_exit(127);
}

/* Xvfb writes the display number and a newline once it is ready. */
static int read_display(int fd, int timeout_ms)
{
	char buf[32];
	size_t n = 0;
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (n < sizeof(buf) - 1 && poll(&p, 1, xp_ms_until(deadline)) == 1) {
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

int xb_xserver_start(struct xb_xserver *x, int w, int h, int timeout_ms)
{
	int fds[2];
	memset(x, 0, sizeof(*x));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	x->pid = fork();
	if (x->pid == 0) {
		close(fds[0]);
		fcntl(fds[1], F_SETFD, 0);        /* Xvfb inherits the write end */
		setpgid(0, 0);                    /* a Ctrl-C in our terminal is ours to pass on */
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* and it never outlives us */
		child(fds[1], w, h);
	}
	close(fds[1]);
	x->display = x->pid > 0 ? read_display(fds[0], timeout_ms) : -1;
	close(fds[0]);
	if (x->display < 0) {
		xb_log("Xvfb did not start within %d ms", timeout_ms);
		xb_xserver_stop(x);
		return -1;
	}
	snprintf(x->name, sizeof(x->name), ":%d", x->display);
	return 0;
}

void xb_xserver_stop(struct xb_xserver *x)
{
	if (x->pid <= 0)
		return;
	kill(x->pid, SIGTERM);
	uint64_t deadline = xp_now_us() + 2000000;
	while (waitpid(x->pid, NULL, WNOHANG) == 0 && xp_now_us() < deadline)
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	if (kill(x->pid, 0) == 0 && waitpid(x->pid, NULL, WNOHANG) == 0) {
		kill(x->pid, SIGKILL);
		waitpid(x->pid, NULL, 0);
	}
	x->pid = 0;
}

char *xb_display_file(const char *session, char *buf, size_t cap)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	const char *sock = getenv("XPROTO_APP_SOCKET");
	int n;
	/* next to the server's app socket: one per server and session */
	if (sock && sock[0] == '/') {
		const char *slash = strrchr(sock, '/');
		n = snprintf(buf, cap, "%.*s/x11-%s.display", (int)(slash - sock), sock, session);
	} else {
		n = snprintf(buf, cap, "%s/xproto-x11-%s.display", dir && *dir ? dir : "/tmp",
		             session);
	}
	return n > 0 && (size_t)n < cap ? buf : NULL;
}
