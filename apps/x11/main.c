/*
 * main.c - xp-x11: unmodified X11 programs in an xproto session.
 *
 *   xp-x11 [OPTIONS] -- COMMAND [ARGS]   run one X program, exit when it does
 *   xp-x11 [OPTIONS] --display-only      keep a display for the session
 *
 * The options, the start-up (the session connection, Xvfb, the X side) and
 * the one event loop: X events, the session's events, signals and timers.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "x11.h"

struct opts {
	bool display_only, help, maximize;
	const char *addr, *cookie, *session;
	int w, h;
	char **cmd;
	char endpoint[300]; /* the server's app endpoint from the environment */
};

static const char usage[] =
    "usage: xp-x11 [OPTIONS] -- COMMAND [ARGS]   run an X program in the session\n"
    "       xp-x11 [OPTIONS] --display-only      keep an X display for the session\n"
    "\n"
    "Runs X programs on a private X display (Xvfb) and shows each of their\n"
    "top-level windows as a window of the xproto session; keys and the pointer\n"
    "go back to them. With COMMAND, a display the session already has (from\n"
    "xp-x11 --display-only) is joined instead of starting one; xp-x11 exits\n"
    "with COMMAND's status when it exits. --display-only prints DISPLAY=:N and\n"
    "runs until it is stopped (SIGTERM, SIGINT) or its X server dies.\n"
    "\n"
    "  --display-only     start the session's display and print its name\n"
    "  --maximize         show each program's main windows at the session's size\n"
    "                     (they follow when the session is resized)\n"
    "  --size WxH         the X screen (default: the session's screen size)\n"
    "  --socket ADDR      the server's app socket (default: that of $XPROTO_DISPLAY,\n"
    "                     else $XPROTO_APP_SOCKET, as xproto-server sets them)\n"
    "  --cookie FILE      cookie file (default $XPROTO_COOKIE, ~/.xproto-cookie)\n"
    "  --session NAME     session to join (default $XPROTO_SESSION, main)\n"
    "  -h, --help         this text\n";

/* The server's app endpoint: --socket, else what libxpapp finds in the
 * environment (XPROTO_DISPLAY, then XPROTO_APP_SOCKET). 0 or -1. */
static int find_server(struct opts *o)
{
	struct xp_error err = {0};
	if (o->addr && *o->addr)
		return 0;
	o->addr = xa_app_endpoint(o->endpoint, sizeof(o->endpoint), &err);
	if (!o->addr)
		return fprintf(stderr, "xp-x11: no server: %s; or give --socket\n", err.text), -1;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	const char *s = getenv("XPROTO_SESSION");
	*o = (struct opts){.cookie = getenv("XPROTO_COOKIE"), .session = s && *s ? s : "main"};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--")) {
			o->cmd = argv[i + 1] ? argv + i + 1 : NULL;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "--display-only")) {
			o->display_only = true;
		} else if (!strcmp(a, "--maximize")) {
			o->maximize = true;
		} else if (v && !strcmp(a, "--size")) {
			if (sscanf(v, "%dx%d", &o->w, &o->h) != 2 || o->w < 64 || o->h < 64 ||
			    o->w > 8192 || o->h > 8192)
				return fprintf(stderr, "xp-x11: bad --size %s (64x64..8192x8192)\n",
				               v),
				       -1;
			i++;
		} else if (v && !strcmp(a, "--socket")) {
			o->addr = argv[++i];
		} else if (v && !strcmp(a, "--cookie")) {
			o->cookie = argv[++i];
		} else if (v && !strcmp(a, "--session")) {
			o->session = argv[++i];
		} else {
			return fprintf(stderr, "xp-x11: unknown or incomplete option %s\n%s", a,
			               usage),
			       -1;
		}
	}
	if (o->help)
		return 0;
	if (!o->display_only == !o->cmd)
		return fprintf(stderr, "xp-x11: give either -- COMMAND or --display-only\n%s",
		               usage),
		       -1;
	return find_server(o);
}

/* The session's shared display, if a bridge keeps one and it answers. */
static bool shared_display(const char *sock, const char *session, char *name, size_t cap)
{
	char path[512];
	FILE *f = xb_display_file(sock, session, path, sizeof(path)) ? fopen(path, "r") : NULL;
	if (!f)
		return false;
	bool ok = fgets(name, (int)cap, f) != NULL;
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	if (!ok || name[0] != ':')
		return false;
	xcb_connection_t *c = xcb_connect(name, NULL);
	ok = !xcb_connection_has_error(c);
	xcb_disconnect(c);
	return ok;
}

static int write_display_file(const char *sock, const char *session, const char *name)
{
	char path[512], tmp[540];
	if (!xb_display_file(sock, session, path, sizeof(path)))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", name) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		xb_log("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static pid_t spawn(char **cmd, const char *display, int sfd)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close(sfd);
		setenv("DISPLAY", display, 1);
		execvp(cmd[0], cmd);
		fprintf(stderr, "xp-x11: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int block_signals(void)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};
	return xp_signal_fd(sigs, sizeof(sigs) / sizeof(sigs[0]));
}

struct run {
	struct xb *b;
	struct xa_display *ctl; /* the bridge's own connection: the session is there */
	struct xb_xserver xs;
	pid_t child;
	int status, sfd;
};

static void on_signals(struct run *r)
{
	int sig;
	while ((sig = xp_signal_next(r->sfd)) > 0) {
		if (sig != SIGCHLD) {
			r->b->quit = true;
			continue;
		}
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid == r->child) {
				r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				r->child = 0;
				r->b->quit = true;
			} else if (pid == r->xs.pid) {
				xb_log("the X server (Xvfb) exited: closing the bridged windows");
				r->xs.pid = 0;
				r->status = 1;
				r->b->quit = true;
			}
		}
	}
}

static void on_x(struct run *r)
{
	struct xb *b = r->b;
	xcb_generic_event_t *ev;
	while ((ev = xcb_poll_for_event(b->xc))) {
		if (!xb_clip_xevent(b, ev) && !xb_pixels_damage(b, ev) && !xb_cursor_event(b, ev))
			xb_wm_event(b, ev);
		free(ev);
	}
	if (xcb_connection_has_error(b->xc)) {
		xb_log("lost the X server: closing the bridged windows");
		r->status = 1;
		b->quit = true;
	}
}

static void on_session(struct run *r)
{
	struct xa_event ev;
	int n;
	while ((n = xa_next_event(r->ctl, &ev, 0)) > 0)
		if (ev.type == XA_CLIP_OWNER || ev.type == XA_CLIP_REQUEST ||
		    ev.type == XA_CLIP_DATA)
			xb_clip_session(r->b, &ev);
	if (n < 0) {
		xb_log("the session is gone: %s", xa_error(r->ctl)->text);
		r->b->quit = true;
	}
}

static int timeout(struct xb *b)
{
	int a = xb_pixels_due(b), t = xb_wm_timers(b), c = xb_clip_timers(b);
	t = a < 0 ? t : t < 0 ? a : a < t ? a : t;
	return c < 0 ? t : t < 0 ? c : c < t ? c : t;
}

static void loop(struct run *r)
{
	struct xb *b = r->b;
	while (!b->quit) {
		/* what arrived meanwhile belongs to this frame; and events xcb
		 * queued while we waited for a reply (a frame's pixels, a title)
		 * are not on the socket any more: poll() would sleep on them */
		on_x(r);
		if (b->quit)
			break;
		int t = timeout(b);
		if (t == 0) {
			xb_pixels_frame(b);
			continue;
		}
		/* everything queued goes out before we sleep, on both sides: what
		 * on_x() above queued too (a window unmapped or destroyed just
		 * now must not wait for the next wake-up, which may never come) */
		xcb_flush(b->xc);
		xb_mirror_flush(b); /* window changes go out even without pixels */
		struct pollfd p[4 + 256] = {{xcb_get_file_descriptor(b->xc), POLLIN, 0},
		                            {xa_fd(r->ctl), POLLIN, 0},
		                            {r->sfd, POLLIN, 0}};
		int n = 3 + xb_mirror_fds(b, p + 3, 256);
		/* events a program sent may be read and waiting already */
		if (poll(p, (nfds_t)n, xb_mirror_busy(b) ? 0 : t) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			on_signals(r);
		if (p[0].revents)
			on_x(r);
		if (p[1].revents)
			on_session(r);
		xb_mirror_events(b);
	}
}

static int start(struct run *r, const struct opts *o)
{
	struct xb *b = r->b;
	struct xp_error err = {0};
	uint32_t sw = 0, sh = 0;
	r->ctl = xa_open_at(o->addr, o->cookie, o->session, "xp-x11", &err);
	if (!r->ctl) {
		xb_log("cannot reach the session at %s: %s", o->addr, err.text);
		return -1;
	}
	xa_window_max_size(r->ctl, &sw, &sh); /* no X window larger than xproto allows */
	b->screen_w = o->w ? (uint32_t)o->w : sw >= 64 ? sw : 1024;
	b->screen_h = o->h ? (uint32_t)o->h : sh >= 64 ? sh : 768;
	if (xb_xserver_start(&r->xs, (int)b->screen_w, (int)b->screen_h, 10000) < 0 ||
	    xb_x_open(b, r->xs.name) < 0)
		return -1;
	if (!(b->in = xb_input_create(b)))
		return -1;
	xb_clip_init(b, r->ctl); /* without it the bridge still shows the programs */
	xb_wm_adopt(b);
	return 0;
}

static void finish(struct run *r, bool own_file)
{
	struct xb *b = r->b;
	char path[512];
	if (own_file && xb_display_file(b->addr, b->session, path, sizeof(path)))
		unlink(path);
	xb_mirror_finish(b); /* the server drops the windows with the connections */
	xb_clip_finish(b);
	if (b->xc)
		xb_input_destroy(b, b->in);
	xb_x_close(b);
	if (r->child > 0)
		kill(r->child, SIGTERM);
	xb_xserver_stop(&r->xs);
	xa_close(r->ctl);
}

int main(int argc, char **argv)
{
	struct opts o;
	char shared[64];
	if (parse(argc, argv, &o) < 0)
		return 2;
	if (o.help)
		return fputs(usage, stdout), 0;
	if (o.cmd && shared_display(o.addr, o.session, shared, sizeof(shared))) {
		setenv("DISPLAY", shared, 1); /* the session's display runs: join it */
		execvp(o.cmd[0], o.cmd);
		return fprintf(stderr, "xp-x11: cannot run %s: %s\n", o.cmd[0], strerror(errno)),
		       127;
	}
	struct xb b = {
	    .addr = o.addr, .cookie = o.cookie, .session = o.session, .maximize = o.maximize};
	struct run r = {.b = &b, .sfd = block_signals(), .status = 0};
	bool own_file = false;
	if (r.sfd < 0 || start(&r, &o) < 0) {
		finish(&r, false);
		return 1;
	}
	if (o.display_only) {
		own_file = write_display_file(o.addr, o.session, r.xs.name) == 0;
		printf("DISPLAY=%s\n", r.xs.name);
		fflush(stdout);
	} else if ((r.child = spawn(o.cmd, r.xs.name, r.sfd)) < 0) {
		xb_log("cannot start %s: %s", o.cmd[0], strerror(errno));
		finish(&r, false);
		return 1;
	}
	loop(&r);
	finish(&r, own_file);
	return r.status;
}
