/*
 * main.c - xp-term: options and the event loop (the app connection, the
 * pty, signals and the frame timer). The terminal fills its window and
 * follows every resize of it; by default the window fills the session's
 * screen (maximized) and follows the thin client's size.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vterm.h>

#include "term.h"
#include "xrender.h"

#define FRAME_MS     40 /* at most 25 frames per second while output streams */
#define QUIET_MS     5  /* a burst of output is over when the pty is quiet this long */
#define SMALL_OUTPUT 512
#define SYNC_MS      30000 /* the server's answer to the window, even on a busy machine */
#define REAP_MS      2000  /* a command whose pty closed ends within this */
#define SHOW_MS      1000  /* a command silent this long gets its window anyway */

static const char usage[] =
    "usage: xp-term [--font SIZE] [--size COLSxROWS] [--maximized] [--scrollback LINES]\n"
    "               [--dump FILE] [-e COMMAND [ARG...]]\n"
    "A terminal for xproto: runs $SHELL (or /bin/sh, or COMMAND) on a pty,\n"
    "emulated by libvterm and drawn as text in the xproto display named by\n"
    "$XPROTO_DISPLAY (or the app socket in $XPROTO_APP_SOCKET), as xproto-server\n"
    "sets them for the apps it launches.\n"
    "  --font SIZE        6x13 (default), 7x13, 7x14, 8x13, 9x15, 9x18, 10x20, 12x24\n"
    "  --size COLSxROWS   a window of that many cells (it still follows resizes)\n"
    "  --maximized        fill the session's screen and follow its size (the default\n"
    "                     without --size)\n"
    "  --scrollback LINES lines kept above the screen (default 10000, at most 1000000)\n"
    "  --dump FILE        on SIGUSR1, write the window's text to FILE and facts to\n"
    "                     FILE.info\n"
    "Keys: Shift+PgUp/PgDn scroll back, Ctrl+Shift+C/V copy/paste the clipboard,\n"
    "Shift+Insert and the middle button paste the selection, Ctrl+Shift+plus/minus\n"
    "zoom (Ctrl+Shift+0 resets). Shift+button selects even when a program takes the\n"
    "mouse.\n";

struct opts {
	int cols, rows, font;
	long scrollback;
	bool maximized;
	const char *dump;
	char **argv;
};

static int parse_arg(int argc, char **argv, int *i, struct opts *o)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	char tail;
	if (!strcmp(a, "--maximized")) {
		o->maximized = true;
		return 0;
	}
	if (!v)
		return -1;
	++*i;
	if (!strcmp(a, "--size")) {
		if (sscanf(v, "%dx%d%c", &o->cols, &o->rows, &tail) != 2 || o->cols < 2 ||
		    o->rows < 2 || o->cols > 1000 || o->rows > 500)
			return -1;
		o->maximized = false;
	} else if (!strcmp(a, "--font")) {
		if ((o->font = xr_font_size_find(v)) < 0)
			return -1;
	} else if (!strcmp(a, "--scrollback")) {
		if (sscanf(v, "%ld%c", &o->scrollback, &tail) != 1 || o->scrollback < 0 ||
		    o->scrollback > 1000000)
			return -1;
	} else if (!strcmp(a, "--dump")) {
		o->dump = v;
	} else {
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	bool sized = false;
	*o = (struct opts){80, 24, 0, 10000, false, NULL, NULL};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-e") && i + 1 < argc) {
			o->argv = argv + i + 1;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			exit(0);
		}
		sized |= !strcmp(argv[i], "--size");
		bool max = o->maximized;
		int at = i;
		if (parse_arg(argc, argv, &i, o) < 0) {
			fprintf(stderr, "xp-term: bad option or value: %s%s%s\n", argv[at],
			        i > at ? " " : "", i > at ? argv[i] : "");

			return -1;
		}
		sized &= !(o->maximized && !max); /* the last of --size, --maximized wins */
	}
	if (!sized)
		o->maximized = true;
	return 0;
}

static void on_configure(struct term *t, const struct xa_event *ev)
{
	if (ev->w == 0 || ev->h == 0 || (ev->w == t->win_w && ev->h == t->win_h))
		return;
	t->win_w = ev->w;
	t->win_h = ev->h;
	xa_grid_set_window(&t->grid, t->win_w, t->win_h);
	t->dirty = true;
	int cols = (int)(ev->w / (uint32_t)t->cell_w), rows = (int)(ev->h / (uint32_t)t->cell_h);
	cols = cols < 2 ? 2 : cols > 1000 ? 1000 : cols;
	rows = rows < 2 ? 2 : rows > 1000 ? 1000 : rows;
	if ((cols != t->cols || rows != t->rows) && term_resize(t, rows, cols) == 0)
		term_pty_resize(t);
}

/* Returns false when the window was closed. */
static bool handle_events(struct term *t)
{
	struct xa_event ev;
	int r;
	while ((r = xa_next_event(t->d, &ev, 0)) == 1) {
		if (ev.type == XA_KEY)
			term_key(t, &ev);
		else if (ev.type == XA_BUTTON || ev.type == XA_MOTION)
			term_mouse(t, &ev);
		else if (ev.type == XA_CONFIGURE && ev.win == t->win)
			on_configure(t, &ev);
		else if (ev.type == XA_FOCUS && !ev.on)
			t->mods = 0; /* keys released elsewhere are not seen */
		else if (ev.type == XA_CLIP_OWNER || ev.type == XA_CLIP_REQUEST ||
		         ev.type == XA_CLIP_DATA)
			term_clip_event(t, &ev);
		else if (ev.type == XA_CLOSE)
			return false;
	}
	return r >= 0;
}

static void read_pty(struct term *t)
{
	char buf[65536];
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(t->pty, buf, sizeof(buf));
		if (n > 0) {
			term_filter_input(t, buf, (size_t)n);
			t->pending_bytes += (uint64_t)n;
			t->last_input_us = xp_now_us();

			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return;
		t->child_exited = true; /* EIO: the last process on the pty is gone */
		return;
	}
}

/* Reap what ended; the command's own status is kept for our exit status. */
static void reap(struct term *t)
{
	int st;
	for (pid_t pid; (pid = waitpid(-1, &st, WNOHANG)) > 0;)
		if (pid == t->child) {
			t->child_reaped = true;
			t->child_status = st;
		}
}

/*
 * Our exit status: the command's (128 + N if signal N ended it), as a shell
 * gives; 0 when the terminal closed while the command still ran. The pty
 * closes just before the command is reaped, so a moment is given to it.
 */
static int child_status(struct term *t, int sfd)
{
	uint64_t deadline = xp_now_us() + REAP_MS * 1000u;
	while (t->child_exited && !t->stopped && !t->child_reaped && t->child > 0 &&
	       xp_now_us() < deadline) {
		struct pollfd p = {sfd, POLLIN, 0};
		poll(&p, 1, xp_ms_until(deadline));
		reap(t);
	}
	if (!t->child_reaped)
		return 0;
	if (WIFSIGNALED(t->child_status))
		return 128 + WTERMSIG(t->child_status);
	return WEXITSTATUS(t->child_status);
}

static void on_signal(struct term *t, int sfd)
{
	for (int sig; (sig = xp_signal_next(sfd)) > 0;) {
		if (sig == SIGUSR1 && t->dump_path) {
			if (term_dump_text(t, t->dump_path) < 0)
				fprintf(stderr, "xp-term: cannot write %s\n", t->dump_path);
		} else if (sig == SIGCHLD)
			reap(t);
		else if (sig == SIGTERM || sig == SIGHUP)
			t->child_exited = t->stopped = true;
	}
}

/*
 * ms until the next frame may be drawn, 0 now, -1 nothing to draw. A burst
 * of output is drawn once it pauses for QUIET_MS, or FRAME_MS after it
 * began if it does not, so a busy machine that hands the output over in
 * slices does not get a frame per slice.
 */
static int frame_due(const struct term *t, uint64_t first_pending_us)
{
	if (!t->dirty)
		return -1;
	uint64_t now = xp_now_us(), at = t->last_frame_us + FRAME_MS * 1000u;
	uint64_t settle = t->last_input_us + QUIET_MS * 1000u;
	if (settle > first_pending_us + FRAME_MS * 1000u)
		settle = first_pending_us + FRAME_MS * 1000u;
	if (t->pending_bytes >= SMALL_OUTPUT && settle > at)
		at = settle;

	/* a keystroke's echo or action (a page back, a zoom): drawn at once
	 * when a key was pressed or the program sent something since the last
	 * frame (or that frame is 2 ms old); a trickle of output nobody typed
	 * for waits for the frame */
	if (t->pending_bytes < SMALL_OUTPUT &&
	    (t->last_user_us > t->last_frame_us || now >= t->last_frame_us + 2000u))
		return 0;
	return now >= at ? 0 : (int)((at - now) / 1000) + 1;
}

/*
 * ms until the window must be shown though the command said nothing, 0 now,
 * -1 shown already. The window goes out with the command's first output (a
 * shell's prompt: keys typed meanwhile, held by the server until the window
 * shows, then reach a shell that is ready); a silent command's after SHOW_MS.
 */
static int show_due(const struct term *t)
{
	uint64_t now = xp_now_us();
	if (t->show_by_us == 0)
		return -1;
	return now >= t->show_by_us ? 0 : (int)((t->show_by_us - now) / 1000) + 1;
}

static int run(struct term *t, int sfd)
{
	uint64_t first_pending = 0;
	while (!t->child_exited) {
		int due = frame_due(t, first_pending), show = show_due(t);
		if (show == 0) {
			t->show_by_us = 0;
			if (xa_flush(t->d) < 0)
				return -1;
			continue;
		}
		if (show > 0 && (due < 0 || show < due))
			due = show;
		if (due == 0) {
			t->show_by_us = 0; /* the frame takes the window along */
			term_paint(t);
			if (xa_flush(t->d) < 0)
				return -1;
			t->last_frame_us = xp_now_us();
			t->pending_bytes = 0;
			continue;
		}
		short pty_ev = POLLIN | (t->out_len ? POLLOUT : 0);
		struct pollfd p[3] = {
		    {xa_fd(t->d), POLLIN, 0}, {t->pty, pty_ev, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 3, due) < 0 && errno != EINTR)
			return -1;
		if (p[2].revents)
			on_signal(t, sfd);
		if (p[1].revents & POLLOUT)
			term_pty_flush(t);
		if (p[1].revents & ~POLLOUT) {
			if (!t->dirty || t->pending_bytes == 0)
				first_pending = xp_now_us();
			read_pty(t);
		}
		if (p[0].revents && !handle_events(t))
			return 0;
	}
	term_paint(t); /* show the last output before the window goes */
	return 0;
}

static int block_signals(void)
{
	static const int sigs[] = {SIGUSR1, SIGCHLD, SIGTERM, SIGHUP};
	return xp_signal_fd(sigs, sizeof(sigs) / sizeof(sigs[0]));
}

/* The window: the session's screen (maximized) or the cells asked for. */
static int open_window(struct term *t, const struct opts *o)
{
	uint32_t sw, sh;
	xa_window_max_size(t->d, &sw, &sh);
	t->maximized = o->maximized;
	t->cols = o->maximized ? (int)sw / t->cell_w : o->cols;
	t->rows = o->maximized ? (int)sh / t->cell_h : o->rows;
	t->cols = t->cols < 2 ? 2 : t->cols > 1000 ? 1000 : t->cols;
	t->rows = t->rows < 2 ? 2 : t->rows > 1000 ? 1000 : t->rows;
	t->win_w = o->maximized ? sw : (uint32_t)(t->cols * t->cell_w);
	t->win_h = o->maximized ? sh : (uint32_t)(t->rows * t->cell_h);
	t->win = xa_window_create(t->d, 0, 0, t->win_w, t->win_h,
	                          XP_WIN_NO_KEY_RELEASE | (o->maximized ? XP_WIN_MAXIMIZED : 0),
	                          0x000000);
	/* a window the server refused (too large, a limit) is not waited for */
	if (!t->win || xa_sync(t->d, SYNC_MS) < 0) {
		fprintf(stderr, "xp-term: no window: %s\n", xa_error(t->d)->text);
		return -1;
	}
	xa_window_title(t->d, t->win, "xp-term");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct xp_error err;
	struct term t = {.pty = -1};
	if (parse(argc, argv, &o) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	t.font_size = t.font_start = o.font;
	xr_font_cell(XR_FONT_ID(o.font, 0), &t.cell_w, &t.cell_h, NULL);
	term_sb_init(&t.sb, (size_t)o.scrollback);
	t.d = xa_open("xp-term", &err);
	if (!t.d) {
		fprintf(stderr, "xp-term: %s\n", err.text);
		return 1;
	}
	t.dump_path = o.dump;
	int sfd = block_signals();
	if (open_window(&t, &o) < 0) { /* it said why */
		xa_close(t.d);
		term_sb_finish(&t.sb);
		return 1;
	}
	if (term_vt_init(&t) < 0 || sfd < 0 || term_pty_spawn(&t, o.argv) < 0) {
		fprintf(stderr, "xp-term: cannot start the terminal: %s\n", strerror(errno));
		return 1;
	}
	term_paint(&t);
	xa_window_map(t.d, t.win);
	t.show_by_us = xp_now_us() + SHOW_MS * 1000u; /* with the first output, or then */
	int r = run(&t, sfd);
	xa_window_destroy(t.d, t.win);
	xa_close(t.d);
	int status = r < 0 ? 1 : child_status(&t, sfd);
	if (t.child > 0 && !t.child_reaped)
		kill(-t.child, SIGHUP);
	term_vt_finish(&t);
	return status;
}
