/*
 * x11_e2e_test.c - the X bridge (xp-x11) end to end, on real parts: a real
 * xproto-server, xp-x11 --display-only with its own Xvfb, real X programs
 * from Debian (xterm, xlogo), headless thin clients and a raw protocol
 * client on loopback. The pixels a thin client shows of a bridged window
 * are compared with the X server's own pixels of that window.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/composite.h>
#include <xcb/xcb.h>

#include <cmocka.h>

#include "e2e.h"
#include "x11run.h"

#define XTERM_GEOMETRY "80x24+0+0"

/* the test's bridge: stopped by teardown even when an assertion fails */
static struct br_bridge the;

/* ---- the X side ---- */

/* What the X server holds for top-level @w (its Composite pixmap). */
static void xpixels(xcb_connection_t *c, xcb_window_t w, struct xr_fb *fb, int *x, int *y)
{
	xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(c, xcb_get_geometry(c, w), NULL);
	assert_non_null(g);
	*x = g->x, *y = g->y;
	xcb_pixmap_t pm = xcb_generate_id(c);
	xcb_composite_name_window_pixmap(c, w, pm);
	/* the pixmap holds the border too: all of it is what X shows */
	int pw = g->width + 2 * g->border_width, ph = g->height + 2 * g->border_width;
	xcb_get_image_reply_t *im = xcb_get_image_reply(
	    c,
	    xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, pm, 0, 0, (uint16_t)pw, (uint16_t)ph, ~0u),
	    NULL);
	assert_non_null(im);
	assert_int_equal(xr_fb_init(fb, pw, ph), 0);
	const uint32_t *px = (const uint32_t *)(const void *)xcb_get_image_data(im);
	for (int i = 0; i < pw * ph; i++)
		fb->px[i] = px[i] & 0xffffff;
	xcb_free_pixmap(c, pm);
	free(im);
	free(g);
}

/* ---- the session side ---- */

/* A new headless thin client's screen once @nwin windows show and it has
 * all the server sent on attaching (sync). */
static void shot(struct br_bridge *br, int nwin, struct xr_fb *out)
{
	char script[512], path[160];
	static int seq;
	snprintf(path, sizeof(path), "%s/shot-%d.png", br->s.dir, ++seq);
	snprintf(script, sizeof(script), "wait-windows %d 20000\nsync 20000\nscreenshot %s\nquit\n",
	         nwin, path);
	pid_t pid = e2e_client_spawn(&br->s, script, NULL);
	assert_int_equal(proc_wait(pid, 60000), 0);
	assert_int_equal(xr_png_read_file(path, out), 0);
}

/* Pixels of @win (at x, y of the screen) that differ from @shot. */
static long diff_at(const struct xr_fb *screen, const struct xr_fb *win, int x, int y)
{
	long n = 0;
	if (x < 0 || y < 0 || x + win->w > screen->w || y + win->h > screen->h)
		return -1;
	for (int j = 0; j < win->h; j++)
		for (int i = 0; i < win->w; i++)
			n += (screen->px[(size_t)(y + j) * screen->stride + (size_t)(x + i)] &
			      0xffffff) != win->px[(size_t)j * win->stride + (size_t)i];
	return n;
}

/* Pixels of X window @w that a new thin client's screen shows otherwise;
 * the X pixels go to @win. */
static long shown_diff(struct br_bridge *br, xcb_connection_t *c, xcb_window_t w, int nwin,
                       struct xr_fb *win)
{
	struct xr_fb screen;
	int x, y;
	shot(br, nwin, &screen);
	xpixels(c, w, win, &x, &y);
	long d = diff_at(&screen, win, x, y);
	if (d != 0) {
		char path[1100];
		fprintf(stderr, "0x%x at %d,%d %dx%d: %ld pixels differ (see %s/diff-*.png)\n", w,
		        x, y, win->w, win->h, d, br->s.dir);
		snprintf(path, sizeof(path), "%s/diff-x.png", br->s.dir);
		xr_png_write_file(win, path);
		snprintf(path, sizeof(path), "%s/diff-screen.png", br->s.dir);
		xr_png_write_file(&screen, path);
	}
	xr_fb_finish(&screen);
	return d;
}

/*
 * The X window titled @title, shown by a thin client, pixel for pixel; its
 * X pixels go to @win. The program may still be drawing, or the bridge
 * still sending, when a client attaches (a loaded machine), so a
 * difference is looked at again, until a deadline: what must hold is that
 * the session comes to show exactly what X holds.
 */
static void assert_shown_as_in_x(struct br_bridge *br, const char *title, int nwin,
                                 struct xr_fb *win)
{
	xcb_connection_t *c = xcb_connect(br->display, NULL);
	assert_false(xcb_connection_has_error(c));
	xcb_window_t w = br_xfind(c, title, 20000);
	assert_true(w != 0);
	uint64_t end = xp_now_us() + 60000000;
	long d = shown_diff(br, c, w, nwin, win);
	for (int attempt = 1; attempt < 100 && d != 0 && xp_now_us() < end; attempt++) {
		xr_fb_finish(win);
		d = shown_diff(br, c, w, nwin, win);
	}
	assert_int_equal(d, 0);
	xcb_disconnect(c);
}

static void assert_shown_exactly(struct br_bridge *br, const char *title, int nwin)
{
	struct xr_fb win;
	assert_shown_as_in_x(br, title, nwin, &win);
	xr_fb_finish(&win);
}

struct file_text {
	const char *path;
	const char *want;
	char got[256];
};

/* True when the file holds the wanted text (what it holds goes to got). */
static bool file_holds(void *arg)
{
	struct file_text *t = arg;
	FILE *f = fopen(t->path, "r");
	size_t n = f ? fread(t->got, 1, sizeof(t->got) - 1, f) : 0;
	if (f)
		fclose(f);
	t->got[n] = '\0';
	return strstr(t->got, t->want) != NULL;
}

/*
 * Type @text into the session (and Return), then wait for @file to hold
 * @want. The keys go once @windows windows show (a window mapped later
 * would take the keyboard), paced by the script line @pace ("" for none):
 * xterm queues what is typed before bash reads it; the closing sync means
 * the server has them all.
 */
static void type_paced(struct br_bridge *br, int windows, const char *pace, const char *text,
                       const char *file, const char *want)
{
	char script[1600];
	struct file_text t = {file, want, ""};
	/* a click on the xterm (at 0,0) gives it the keyboard */
	snprintf(script, sizeof(script),
	         "wait-windows %d 20000\nsync 20000\nclick 100 100\n%stype %s\n"
	         "key Return\nsync 20000\nquit\n",
	         windows, pace, text);
	assert_int_equal(e2e_client_run(&br->s, script, NULL), 0);
	proc_until(file_holds, &t, 20000);
	assert_string_equal(t.got, want);
}

/* type_paced() 5 ms apart. */
static void type_and_check_after(struct br_bridge *br, int windows, const char *text,
                                 const char *file, const char *want)
{
	type_paced(br, windows, "type-delay 5\n", text, file, want);
}

static void type_and_check(struct br_bridge *br, const char *text, const char *file,
                           const char *want)
{
	type_and_check_after(br, 1, text, file, want);
}

/* ---- a raw protocol client: window messages in, input out ---- */

struct rwin {
	uint32_t id;
	int32_t x, y;
	uint32_t w, h;
	bool mapped, gone;
	char title[64];
	uint32_t flags; /* WIN_CREATE's */
};

struct raw {
	struct xp_conn c;
	struct rwin win[700];
	int n;
};

static struct rwin *rwin_get(struct raw *r, uint32_t id)
{
	for (int i = 0; i < r->n; i++)
		if (r->win[i].id == id)
			return &r->win[i];
	if (r->n == (int)(sizeof(r->win) / sizeof(r->win[0])))
		return NULL;
	r->win[r->n] = (struct rwin){.id = id};
	return &r->win[r->n++];
}

static void raw_take(struct raw *r, const struct xp_msg *m)
{
	struct rwin *w;
	struct xp_msg ack = {.op = XP_OP_ACK};
	switch (m->op) {
	case XP_OP_WIN_CREATE:
		if ((w = rwin_get(r, m->u.win_create.win)))
			*w = (struct rwin){m->u.win_create.win,
			                   m->u.win_create.x,
			                   m->u.win_create.y,
			                   m->u.win_create.w,
			                   m->u.win_create.h,
			                   false,
			                   false,
			                   "",
			                   m->u.win_create.flags};
		break;
	case XP_OP_WIN_CONFIGURE:
		if ((w = rwin_get(r, m->u.win_configure.win))) {
			w->x = m->u.win_configure.x, w->y = m->u.win_configure.y;
			w->w = m->u.win_configure.w, w->h = m->u.win_configure.h;
		}
		break;
	case XP_OP_WIN_MAP:
	case XP_OP_WIN_UNMAP:
	case XP_OP_WIN_DESTROY:
		if ((w = rwin_get(r, m->u.win_map.win))) {
			w->mapped = m->op == XP_OP_WIN_MAP;
			w->gone = m->op == XP_OP_WIN_DESTROY;
		}
		break;
	case XP_OP_WIN_TITLE:
		if ((w = rwin_get(r, m->u.win_title.win)))
			xp_str_copy(w->title, sizeof(w->title), m->u.win_title.title);
		break;
	case XP_OP_MARK:
		ack.u.ack.serial = m->u.mark.serial;
		xp_conn_send(&r->c, &ack);
		break;
	default:
		break;
	}
}

static void raw_open(struct br_bridge *br, struct raw *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(e2e_raw_client(&br->s, &r->c, "main", NULL, 0), 0);
}

/* Read messages until @cond holds (true) or @timeout_ms pass (false). */
static bool raw_until(struct raw *r, bool (*cond)(struct raw *, const void *), const void *arg,
                      int timeout_ms)
{
	struct xp_msg m;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (!cond(r, arg)) {
		if (xp_now_us() >= end)
			return false;
		int got = xp_conn_wait(&r->c, &m, 50);
		if (got < 0) {
			print_message("raw client: %s\n", xp_conn_error(&r->c)->text);
			return false;
		}
		if (got > 0)
			raw_take(r, &m);
		xp_conn_drain(&r->c, 1000);
	}
	return true;
}

static struct rwin *titled(struct raw *r, const char *title)
{
	for (int i = 0; i < r->n; i++)
		if (!r->win[i].gone && strstr(r->win[i].title, title))
			return &r->win[i];
	return NULL;
}

static bool has_mapped_title(struct raw *r, const void *title)
{
	const struct rwin *w = titled(r, title);
	return w && w->mapped;
}

static bool is_gone(struct raw *r, const void *id)
{
	const struct rwin *w = rwin_get(r, *(const uint32_t *)id);
	return w && w->gone;
}

static int mapped_count(struct raw *r)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += r->win[i].mapped && !r->win[i].gone;
	return n;
}

static void raw_send(struct raw *r, uint8_t op, uint32_t a, int32_t x, int32_t y)
{
	struct xp_msg m = {.op = op};
	if (op == XP_OP_KEY)
		m.u.key = (struct xp_msg_key){a, (uint32_t)x, {"", 0}};
	else if (op == XP_OP_BUTTON)
		m.u.button = (struct xp_msg_button){a, x, y};
	else if (op == XP_OP_CLOSE)
		m.u.close.win = a;
	assert_int_equal(xp_conn_send(&r->c, &m), 0);
	assert_int_equal(xp_conn_drain(&r->c, 10000), 0);
}

static struct rwin *raw_wait_window(struct raw *r, const char *title)
{
	assert_true(raw_until(r, has_mapped_title, title, 20000));
	return titled(r, title);
}

static int teardown(void **state)
{
	(void)state;
	br_stop(&the);
	return 0;
}

static void test_pixels_equal(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	const char *logo[] = {"xlogo", "-geometry", "120x100+520+40", NULL};
	br_run(br, logo);
	assert_shown_exactly(br, "xterm", 2);
	assert_shown_exactly(br, "xlogo", 2);
	br->ok = true;
}

/* A GTK program (yad, Debian's lightest) shows as exactly as xterm does. */
static void test_gtk_pixels_equal(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	if (!br_have("yad")) {
		print_message("yad missing: skipped (tools/deps.sh installs it)\n");
		skip();
	}
	br_start(br, NULL);
	setenv("NO_AT_BRIDGE", "1", 1); /* no accessibility bus here: GTK need not look */
	const char *cal[] = {"yad", "--calendar", "--title=GTK calendar", NULL};
	br_run(br, cal);
	assert_shown_exactly(br, "GTK calendar", 1);
	br->ok = true;
}

static void test_typing_reaches_xterm(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	char cmd[1200], file[1024];
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	snprintf(file, sizeof(file), "%s/typed.txt", br->s.dir);
	/* '>' needs Shift; 'é' and 'ß' are not in the X server's US keymap */
	snprintf(cmd, sizeof(cmd), "echo Typed-\xc3\xa9\xc3\x9f-OK > %s", file);
	type_and_check(br, cmd, file, "Typed-\xc3\xa9\xc3\x9f-OK\n");
	assert_shown_exactly(br, "xterm", 1);
	br->ok = true;
}

/* The override-redirect window X shows is where the session shows @menu. */
static void assert_popup_where_x_has_it(struct br_bridge *br, const struct rwin *menu)
{
	xcb_connection_t *c = xcb_connect(br->display, NULL);
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
	bool found = false;
	for (int i = 0; t && i < xcb_query_tree_children_length(t); i++) {
		xcb_window_t k = xcb_query_tree_children(t)[i];
		xcb_get_window_attributes_reply_t *a =
		    xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, k), NULL);
		xcb_get_geometry_reply_t *g =
		    xcb_get_geometry_reply(c, xcb_get_geometry(c, k), NULL);
		if (a && g && a->override_redirect && a->map_state == XCB_MAP_STATE_VIEWABLE) {
			found = true;
			assert_int_equal(g->x, menu->x);
			assert_int_equal(g->y, menu->y);
			assert_int_equal(g->width + 2 * g->border_width, (int)menu->w);
		}
		free(a);
		free(g);
	}
	free(t);
	xcb_disconnect(c);
	assert_true(found);
}

/* Control held, left button pressed at @x,@y: the popup that appears. A
 * click before xterm has set itself up is lost, so it is tried again (a
 * few times, with the button and key released in between). */
static struct rwin *ctrl_click(struct raw *r, int32_t x, int32_t y, uint32_t xt_id)
{
	for (int attempt = 0; attempt < 4; attempt++) {
		raw_send(r, XP_OP_KEY, XP_KEY_PRESSED, 0xffe3, 0); /* Control_L */
		raw_send(r, XP_OP_BUTTON, 1u << 1 | 1, x, y);
		uint64_t end = xp_now_us() + 5000000;
		while (xp_now_us() < end) {
			raw_until(r, has_mapped_title, "no such window", 50);
			for (int i = 0; i < r->n; i++)
				if (r->win[i].mapped && !r->win[i].gone && r->win[i].id != xt_id)
					return &r->win[i];
		}
		raw_send(r, XP_OP_BUTTON, 1u << 1, x, y);
		raw_send(r, XP_OP_KEY, 0, 0xffe3, 0);
	}
	return NULL;
}

/*
 * A burst of key events larger than what the bridge handles for one program
 * per pass (256), with nothing after it: the rest is handled on the next
 * passes, not left in the buffer until the session sends that program
 * something else (it may never).
 */
static void test_key_burst_is_handled_whole(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	char line[201], want[256], file[1024], text[1300];
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	snprintf(file, sizeof(file), "%s/burst.txt", br->s.dir);
	memset(line, 'b', 200); /* with the command, about 500 key events */
	line[200] = '\0';
	snprintf(want, sizeof(want), "%s\n", line);
	snprintf(text, sizeof(text), "echo %s > %s", line, file);
	/* no type-delay: the thin client sends the keys in one go */
	type_paced(br, 1, "", text, file, want);
	br->ok = true;
}

/* xterm's Ctrl+left button menu: an override-redirect popup where X puts it */
static void test_ctrl_click_menu(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	struct raw r;
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	raw_open(br, &r);
	struct rwin *xt = raw_wait_window(&r, "xterm");
	uint32_t xt_id = xt->id;
	assert_true(raw_until(&r, has_mapped_title, "xterm", 2000));
	int before = mapped_count(&r);
	struct rwin *menu = ctrl_click(&r, xt->x + 150, xt->y + 100, xt_id);
	assert_non_null(menu);
	assert_int_equal(mapped_count(&r), before + 1);
	assert_popup_where_x_has_it(br, menu);
	assert_true(menu->flags & XP_WIN_POPUP); /* unframed, above, where X has it */
	print_message("menu at %d,%d %ux%u, click at %d,%d\n", menu->x, menu->y, menu->w, menu->h,
	              xt->x + 150, xt->y + 100);
	/* xterm centres its menu on the pointer */
	assert_true(menu->x <= xt->x + 150 && xt->x + 150 < menu->x + (int)menu->w);
	assert_true(menu->y <= xt->y + 100 && xt->y + 100 < menu->y + (int)menu->h);
	uint32_t menu_id = menu->id;
	raw_send(&r, XP_OP_BUTTON, 1u << 1, xt->x + 150, xt->y + 100);
	raw_send(&r, XP_OP_KEY, 0, 0xffe3, 0);
	uint64_t end2 = xp_now_us() + 20000000;
	struct rwin *m2 = rwin_get(&r, menu_id);
	while ((m2->mapped && !m2->gone) && xp_now_us() < end2)
		raw_until(&r, has_mapped_title, "no such window", 50);
	assert_false(m2->mapped && !m2->gone);
	xp_conn_finish(&r.c);
	br->ok = true;
}

struct xsize {
	xcb_connection_t *c;
	xcb_window_t w;
	int width, height; /* with the border */
};

static bool x_size_is(void *arg)
{
	const struct xsize *z = arg;
	xcb_get_geometry_reply_t *g =
	    xcb_get_geometry_reply(z->c, xcb_get_geometry(z->c, z->w), NULL);
	bool is = g && g->width + 2 * g->border_width == z->width &&
	          g->height + 2 * g->border_width == z->height;
	free(g);
	return is;
}

/* --maximize: the session's size reaches the X window, which redraws */
static void test_resize(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	struct xr_fb win;
	br_start(br, "--maximize");
	br_xterm(br, XTERM_GEOMETRY);
	/* the first client of a session sets its size: this one stays (the
	 * clients that look later do not change it) */
	pid_t holder = e2e_client_spawn(
	    &br->s, "wait-windows 1 20000\nresize 640 400\nwait 600000\nquit\n", NULL);
	assert_true(holder > 0);
	br->progs[br->nprogs++] = holder;
	xcb_connection_t *c = xcb_connect(br->display, NULL);
	assert_false(xcb_connection_has_error(c));
	struct xsize z = {c, br_xfind(c, "xterm", 20000), 640, 400};
	assert_true(z.w != 0);
	assert_true(proc_until(x_size_is, &z, 20000));
	xcb_disconnect(c);
	assert_shown_as_in_x(br, "xterm", 1, &win);
	assert_int_equal(win.w, 640);
	assert_int_equal(win.h, 400);
	xr_fb_finish(&win);
	br->ok = true;
}

/* Closing sends WM_DELETE_WINDOW; a program that does not answer is killed. */
static void test_close_and_hang(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	struct raw r;
	br_start(br, NULL);
	pid_t xt = br_xterm(br, XTERM_GEOMETRY);
	const char *logo[] = {"xlogo", "-geometry", "120x100+520+40", NULL};
	pid_t xl = br_run(br, logo);
	raw_open(br, &r);
	uint32_t xt_id = raw_wait_window(&r, "xterm")->id;
	uint32_t xl_id = raw_wait_window(&r, "xlogo")->id;
	raw_send(&r, XP_OP_CLOSE, xt_id, 0, 0);
	assert_true(raw_until(&r, is_gone, &xt_id, 20000));
	assert_true(proc_wait(xt, 20000) >= 0); /* xterm exited by itself */
	kill(xl, SIGSTOP);
	uint64_t t0 = xp_now_us();
	raw_send(&r, XP_OP_CLOSE, xl_id, 0, 0);
	assert_true(raw_until(&r, is_gone, &xl_id, 20000));
	assert_true(xp_now_us() - t0 >= 2500000); /* after the grace period */
	kill(xl, SIGCONT);
	assert_true(proc_wait(xl, 20000) >= 0);
	xp_conn_finish(&r.c);
	br->ok = true;
}

/* A program that crashes takes only its own windows. */
static void test_crash_costs_only_itself(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	struct raw r;
	char cmd[1200], file[1024];
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	const char *logo[] = {"xlogo", "-geometry", "120x100+520+40", NULL};
	pid_t xl = br_run(br, logo);
	raw_open(br, &r);
	raw_wait_window(&r, "xterm");
	uint32_t xl_id = raw_wait_window(&r, "xlogo")->id;
	kill(xl, SIGSEGV);
	assert_true(raw_until(&r, is_gone, &xl_id, 20000));
	xp_conn_finish(&r.c);
	snprintf(file, sizeof(file), "%s/after-crash.txt", br->s.dir);
	snprintf(cmd, sizeof(cmd), "echo still-here > %s", file);
	type_and_check(br, cmd, file, "still-here\n");
	assert_shown_exactly(br, "xterm", 1);
	br->ok = true;
}

/* The thin client holds nothing: kill -9 it, attach again, same pixels. */
static void test_reattach_after_kill9(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	pid_t a = e2e_client_spawn(
	    &br->s, "wait-windows 1 20000\nsync 20000\ncheckpoint shown\nwait 600000\n", NULL);
	assert_true(a > 0);
	/* killed once it shows the xterm */
	assert_true(e2e_checkpoint(&br->s, "shown", 30000));
	kill(a, SIGKILL);
	assert_int_equal(proc_wait(a, 20000), 128 + SIGKILL);
	assert_shown_exactly(br, "xterm", 1);
	br->ok = true;
}

/* The bridge's Xvfb: its only child. */
static pid_t xvfb_of(const struct br_bridge *br)
{
	char path[64], line[256];
	pid_t xvfb = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)br->pid, (int)br->pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		xvfb = atoi(line);
	fclose(f);
	assert_true(xvfb > 0);
	return xvfb;
}

/* True when process *arg is gone, or a zombie nobody reaps. */
static bool process_ended(void *arg)
{
	char path[64], stat[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)*(const pid_t *)arg);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(stat, 1, sizeof(stat) - 1, f) : 0;
	if (f)
		fclose(f);
	stat[n] = '\0';
	const char *st = strrchr(stat, ')');
	return !f || (st && st[1] == ' ' && st[2] == 'Z');
}

/* The X server dying ends the bridge; its windows leave the session. */
static void test_xvfb_dies(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	struct raw r;
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	raw_open(br, &r);
	uint32_t id = raw_wait_window(&r, "xterm")->id;
	pid_t xvfb = xvfb_of(br);
	kill(xvfb, SIGKILL);
	assert_int_equal(proc_wait(br->pid, 20000), 1);
	br->pid = 0;
	assert_true(raw_until(&r, is_gone, &id, 20000));
	xp_conn_finish(&r.c);
	br->ok = true;
}

/* A bridge killed with -9 takes its Xvfb along (the server kills what it
 * launched that way when SIGTERM is not enough). */
static void test_xvfb_ends_with_the_bridge(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	br_start(br, NULL);
	pid_t xvfb = xvfb_of(br);
	kill(br->pid, SIGKILL);
	proc_wait(br->pid, 20000);
	br->pid = 0;
	bool ended = proc_until(process_ended, &xvfb, 20000);
	if (!ended)
		kill(xvfb, SIGKILL); /* ours: it must not stay behind either way */
	assert_true(ended);
	br->ok = true;
}

/* 500 windows and one of 10000x10000: the bridge refuses or shrinks them,
 * says so, and the other programs go on. */
static void test_limits(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	char cmd[1200], file[1024], log[4096] = "";
	br_start(br, NULL);
	br_xterm(br, XTERM_GEOMETRY);
	struct raw r;
	raw_open(br, &r);
	raw_wait_window(&r, "xterm");
	pid_t spam = fork();
	if (spam == 0) {
		xcb_connection_t *c = xcb_connect(br->display, NULL);
		const xcb_screen_t *sc = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
		for (int i = 0; i < 501; i++) {
			xcb_window_t w = xcb_generate_id(c);
			uint16_t side = i == 500 ? 10000 : 20;
			xcb_create_window(c, XCB_COPY_FROM_PARENT, w, sc->root,
			                  (int16_t)(i % 40 * 20), (int16_t)(i / 40 * 20 + 350),
			                  side, side, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
			                  sc->root_visual, 0, NULL);
			xcb_map_window(c, w);
		}
		xcb_flush(c);
		pause();
		_exit(0);
	}
	br->progs[br->nprogs++] = spam;
	uint64_t end = xp_now_us() + 30000000;
	while (xp_now_us() < end &&
	       (!strstr(log, "more than 64 windows") || !strstr(log, "shrunk"))) {
		FILE *f = fopen(br->log, "r");
		size_t n = f ? fread(log, 1, sizeof(log) - 1, f) : 0;
		if (f)
			fclose(f);
		log[n] = '\0';
		raw_until(&r, has_mapped_title, "no such window", 100);
	}
	assert_non_null(strstr(log, "more than 64 windows"));
	assert_non_null(strstr(log, "shrunk to 4096x4096"));
	xp_conn_finish(&r.c);
	snprintf(file, sizeof(file), "%s/after-spam.txt", br->s.dir);
	snprintf(cmd, sizeof(cmd), "echo unharmed > %s", file);
	/* the xterm and the spamming client's 64 shown windows: all mapped first */
	type_and_check_after(br, 65, cmd, file, "unharmed\n");
	br->ok = true;
}

/* A server on a display :N launches xp-x11 from its app list: the bridge
 * finds the server through XPROTO_DISPLAY (no XPROTO_APP_SOCKET then). */
static void test_launched_on_a_display(void **state)
{
	(void)state;
	char dir[] = "/tmp/xproto-apps-XXXXXX", apps[64];
	struct e2e_server s;
	struct raw r;
	assert_non_null(mkdtemp(dir));
	snprintf(apps, sizeof(apps), "%s/apps", dir);
	FILE *f = fopen(apps, "w");
	assert_non_null(f);
	fputs("logo | xlogo | exec \"$XPROTO_BIN/xp-x11\" -- xlogo -geometry 90x90+10+10\n", f);
	fclose(f);
	const char *args[] = {"--no-launcher", "--apps", apps, NULL};
	assert_int_equal(e2e_display_start(&s, args), 0);
	snprintf(s.addr, sizeof(s.addr), "127.0.0.1:%d", s.port); /* for the raw client */
	memset(&r, 0, sizeof(r));
	assert_int_equal(e2e_raw_client(&s, &r.c, "main", NULL, 0), 0);
	struct xp_msg m = {.op = XP_OP_APP_LAUNCH, .u.app_launch.app = xp_str_from("logo")};
	assert_int_equal(xp_conn_send(&r.c, &m), 0);
	bool shown = raw_until(&r, has_mapped_title, "xlogo", 30000);
	xp_conn_finish(&r.c);
	e2e_server_stop(&s); /* it stops what it launched */
	unlink(apps);
	rmdir(dir);
	assert_true(shown);
}

/* `xp-x11 -- COMMAND` in a session that has a display joins it. */
static void test_join_shared_display(void **state)
{
	(void)state;
	struct br_bridge *br = &the;
	char bin[256];
	br_start(br, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		dup2(null, 2);
		setenv("XPROTO_APP_SOCKET", br->s.app_socket, 1);
		setenv("XPROTO_COOKIE", br->s.cookie, 1);
		execl(e2e_bin("xp-x11", bin, sizeof(bin)), "xp-x11", "--", "xlogo", "-geometry",
		      "100x100+300+300", (char *)NULL);
		_exit(127);
	}
	br->progs[br->nprogs++] = pid;
	/* xlogo runs on the shared display and shows through the first bridge */
	assert_shown_exactly(br, "xlogo", 1);
	br->ok = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_pixels_equal, teardown),
	    cmocka_unit_test_teardown(test_gtk_pixels_equal, teardown),
	    cmocka_unit_test_teardown(test_typing_reaches_xterm, teardown),
	    cmocka_unit_test_teardown(test_ctrl_click_menu, teardown),
	    cmocka_unit_test_teardown(test_resize, teardown),
	    cmocka_unit_test_teardown(test_close_and_hang, teardown),
	    cmocka_unit_test_teardown(test_crash_costs_only_itself, teardown),
	    cmocka_unit_test_teardown(test_reattach_after_kill9, teardown),
	    cmocka_unit_test_teardown(test_xvfb_dies, teardown),
	    cmocka_unit_test_teardown(test_xvfb_ends_with_the_bridge, teardown),
	    cmocka_unit_test_teardown(test_key_burst_is_handled_whole, teardown),
	    cmocka_unit_test_teardown(test_limits, teardown),
	    cmocka_unit_test_teardown(test_join_shared_display, teardown),
	    cmocka_unit_test_teardown(test_launched_on_a_display, teardown),
	};
	if (getenv("X11_TEST")) /* one test by name, when looking closer */
		cmocka_set_test_filter(getenv("X11_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
