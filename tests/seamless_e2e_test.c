/*
 * seamless_e2e_test.c - thin-client --seamless under a real window manager
 * (Debian's openbox on a private Xvfb), against a real xproto-server, with
 * in-process apps that see what the user's window manager did to their
 * windows: each remote window a top-level X window with its title and size
 * and the server's pixels; the WM's move, resize, focus, minimise, restore
 * and close reach the session and the app; popups are override-redirect
 * windows at their place, dialogs transient for their parent. And --scale
 * chosen from the X screen's DPI, pixel-exact. Pointer shapes: each X
 * window has its own window's (WIN_CURSOR), and at --scale N, in desktop
 * mode too, the shape is N times as large, pixel for pixel, as XFIXES
 * reports it with the pointer moved there by XTEST.
 *
 * The window manager is driven as a pager or a task bar drives it: EWMH
 * client messages to the root window (_NET_MOVERESIZE_WINDOW,
 * _NET_ACTIVE_WINDOW, _NET_CLOSE_WINDOW) and ICCCM's WM_CHANGE_STATE.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>

#include <cmocka.h>

#include "e2e.h"
#include "xshape.h"
#include "xvfb.h"

#define WAIT_MS 20000
#define ROOT_W  1024
#define ROOT_H  768

struct rig {
	struct xvfb x;
	pid_t wm, client;
	struct e2e_server s;
	struct xa_display *d;
	xcb_connection_t *xc;
	xcb_window_t root;
};

/* The test's rig: stopped by the teardown even when an assertion failed. */
static struct rig rig;

static xcb_atom_t atom(xcb_connection_t *xc, const char *name)
{
	xcb_intern_atom_reply_t *r =
	    xcb_intern_atom_reply(xc, xcb_intern_atom(xc, 0, (uint16_t)strlen(name), name), NULL);
	xcb_atom_t a = r ? r->atom : XCB_ATOM_NONE;
	free(r);
	return a;
}

/* The value of 32-bit property @prop of @win (at most @cap items); count or 0. */
static int prop32(struct rig *r, xcb_window_t win, const char *prop, uint32_t *out, int cap)
{
	xcb_get_property_reply_t *p = xcb_get_property_reply(
	    r->xc,
	    xcb_get_property(r->xc, 0, win, atom(r->xc, prop), XCB_ATOM_ANY, 0, (uint32_t)cap),
	    NULL);
	int n = 0;
	if (p && p->format == 32) {
		n = xcb_get_property_value_length(p) / 4;
		n = n > cap ? cap : n;
		memcpy(out, xcb_get_property_value(p), (size_t)n * 4);
	}
	free(p);
	return n;
}

/* A text property (_NET_WM_NAME or WM_NAME) of @win into @out. */
static void title_of(struct rig *r, xcb_window_t win, char *out, size_t cap)
{
	out[0] = '\0';
	xcb_get_property_reply_t *p = xcb_get_property_reply(
	    r->xc,
	    xcb_get_property(r->xc, 0, win, atom(r->xc, "_NET_WM_NAME"), XCB_ATOM_ANY, 0, 64),
	    NULL);
	if (p && p->format == 8) {
		int n = xcb_get_property_value_length(p);
		n = n >= (int)cap ? (int)cap - 1 : n;
		memcpy(out, xcb_get_property_value(p), (size_t)n);
		out[n] = '\0';
	}
	free(p);
}

/* The openbox process runs and manages the root (it set its check window). */
static bool wm_running(struct rig *r)
{
	uint32_t check = 0;
	return prop32(r, r->root, "_NET_SUPPORTING_WM_CHECK", &check, 1) == 1 && check != 0;
}

/* True once a window mapped on the root is in the WM's client list. */
static bool manages(struct rig *r, xcb_window_t probe)
{
	uint32_t list[64];
	int n = prop32(r, r->root, "_NET_CLIENT_LIST", list, 64);
	for (int i = 0; i < n; i++)
		if (list[i] == probe)
			return true;
	return false;
}

struct managed {
	struct rig *r;
	xcb_window_t win;
};

/* proc_until: the window manager manages @arg's window. */
static bool managed(void *arg)
{
	const struct managed *m = arg;
	return manages(m->r, m->win);
}

/* proc_until: openbox announced itself on @arg's root. */
static bool wm_up(void *arg)
{
	struct rig *r = arg;
	xcb_flush(r->xc);
	return wm_running(r);
}

/* A probe window mapped now: managed within @ms? (destroyed either way) */
static bool probe_managed(struct rig *r, int ms)
{
	xcb_window_t probe = xcb_generate_id(r->xc);
	xcb_create_window(r->xc, XCB_COPY_FROM_PARENT, probe, r->root, 0, 0, 10, 10, 0,
	                  XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT, 0, NULL);
	xcb_map_window(r->xc, probe);
	xcb_flush(r->xc);
	struct managed m = {r, probe};
	bool ok = proc_until(managed, &m, ms);
	xcb_destroy_window(r->xc, probe);
	xcb_flush(r->xc);
	return ok;
}

/*
 * openbox, ready: it has announced itself, and a window mapped now is
 * managed. (A window mapped while it still starts up, though after its
 * announcement, is never managed: probe until one is.)
 */
static void start_wm(struct rig *r)
{
	static const char *const argv[] = {"openbox", "--sm-disable", NULL};
	r->wm = proc_spawn(argv, NULL);
	if (!proc_until(wm_up, r, WAIT_MS))
		fail_msg("openbox did not start (is it installed? tools/deps.sh)");
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	bool ready = false;
	while (!ready && xp_now_us() < end)
		ready = probe_managed(r, 1000);
	if (!ready)
		fail_msg("openbox does not manage windows");
}

static pid_t spawn_client(struct rig *r, const char *const *extra)
{
	char bin[256], script[256], log[256];
	snprintf(script, sizeof(script), "%s/seamless-script.txt", r->s.dir);
	snprintf(log, sizeof(log), "%s/seamless-client.log", r->s.dir);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fputs("wait 600000\n", f);
	fclose(f);
	const char *argv[16] = {e2e_bin("thin-client", bin, sizeof(bin)),
	                        "--log",
	                        "--cookie",
	                        r->s.cookie,
	                        "--script",
	                        script};
	int n = 6;
	for (int i = 0; extra && extra[i] && n < 14; i++)
		argv[n++] = extra[i];
	argv[n++] = r->s.addr;
	argv[n] = NULL;
	return proc_spawn(argv, log);
}

static void rig_start(struct rig *r, int dpi, bool wm)
{
	memset(r, 0, sizeof(*r));
	assert_true(xvfb_available());
	assert_int_equal(xvfb_start_dpi(&r->x, ROOT_W, ROOT_H, dpi, WAIT_MS), 0);
	r->xc = xcb_connect(NULL, NULL);
	assert_false(xcb_connection_has_error(r->xc));
	r->root = xcb_setup_roots_iterator(xcb_get_setup(r->xc)).data->root;
	if (wm)
		start_wm(r);
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&r->s, args), 0);
	r->d = e2e_app(&r->s, "main");
	assert_non_null(r->d);
}

static void rig_stop(struct rig *r)
{
	if (!r->xc)
		return; /* never started, or stopped */
	if (r->client > 0)
		proc_stop(r->client, SIGTERM, 10000);
	xa_close(r->d);
	e2e_server_stop(&r->s);
	if (r->wm > 0)
		proc_stop(r->wm, SIGTERM, 10000);
	xcb_disconnect(r->xc);
	r->xc = NULL;
	xvfb_stop(&r->x);
}

static int teardown(void **state)
{
	(void)state;
	rig_stop(&rig);
	return 0;
}

/* The end of the client's log (--log: what it sent and got), to see why. */
static void print_client_log(struct rig *r)
{
	char path[300];
	static char text[1 << 16];
	snprintf(path, sizeof(path), "%s/seamless-client.log", r->s.dir);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	print_message("the client's log ends:\n%s\n", n > 3000 ? text + n - 3000 : text);
}

struct titled {
	struct rig *r;
	const char *title;
	xcb_window_t found;
};

/* proc_until: a managed window (_NET_CLIENT_LIST) has @arg's title. */
static bool titled(void *arg)
{
	struct titled *w = arg;
	uint32_t list[64];
	char t[300];
	int n = prop32(w->r, w->r->root, "_NET_CLIENT_LIST", list, 64);
	for (int i = 0; i < n && !w->found; i++) {
		title_of(w->r, list[i], t, sizeof(t));
		if (!strcmp(t, w->title))
			w->found = list[i];
	}
	return w->found != 0;
}

/* The managed client window titled @title, waited for; or 0. */
static xcb_window_t find_managed(struct rig *r, const char *title)
{
	uint32_t list[64];
	char t[300];
	struct titled w = {r, title, 0};
	if (proc_until(titled, &w, WAIT_MS))
		return w.found;
	int n = prop32(r, r->root, "_NET_CLIENT_LIST", list, 64);
	print_message("no managed window '%s'; %d managed:\n", title, n);
	for (int i = 0; i < n; i++) {
		title_of(r, list[i], t, sizeof(t));
		print_message("  0x%x '%s'\n", list[i], t);
	}
	print_client_log(r);
	return 0;
}

/* @win's size, and its position on the root. */
static void geometry(struct rig *r, xcb_window_t win, int *x, int *y, int *w, int *h)
{
	xcb_get_geometry_reply_t *g =
	    xcb_get_geometry_reply(r->xc, xcb_get_geometry(r->xc, win), NULL);
	xcb_translate_coordinates_reply_t *t = xcb_translate_coordinates_reply(
	    r->xc, xcb_translate_coordinates(r->xc, win, r->root, 0, 0), NULL);
	assert_non_null(g);
	assert_non_null(t);
	*w = g->width, *h = g->height, *x = t->dst_x, *y = t->dst_y;
	free(g);
	free(t);
}

/* What X shows of @win (w x h from its top left) as a framebuffer. */
static void grab(struct rig *r, xcb_window_t win, int w, int h, struct xr_fb *out)
{
	assert_int_equal(xr_fb_init(out, w, h), 0);
	for (int y = 0; y < h; y += 32) {
		int n = h - y < 32 ? h - y : 32;
		xcb_get_image_reply_t *img =
		    xcb_get_image_reply(r->xc,
		                        xcb_get_image(r->xc, XCB_IMAGE_FORMAT_Z_PIXMAP, win, 0,
		                                      (int16_t)y, (uint16_t)w, (uint16_t)n, ~0u),
		                        NULL);
		assert_non_null(img);
		memcpy(out->px + (size_t)y * out->stride, xcb_get_image_data(img),
		       (size_t)w * n * 4);
		free(img);
	}
}

/* An EWMH/ICCCM request to the window manager about @win. */
static void to_wm(struct rig *r, xcb_window_t win, const char *type, uint32_t d0, uint32_t d1,
                  uint32_t d2, uint32_t d3, uint32_t d4)
{
	xcb_client_message_event_t e = {.response_type = XCB_CLIENT_MESSAGE,
	                                .format = 32,
	                                .window = win,
	                                .type = atom(r->xc, type)};
	e.data.data32[0] = d0, e.data.data32[1] = d1, e.data.data32[2] = d2;
	e.data.data32[3] = d3, e.data.data32[4] = d4;
	xcb_send_event(r->xc, 0, r->root,
	               XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT | XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY,
	               (const char *)&e);
	xcb_flush(r->xc);
}

static uint32_t app_window(struct rig *r, int32_t x, int32_t y, uint32_t w, uint32_t h,
                           uint32_t flags, uint32_t bg, const char *title)
{
	uint32_t win = xa_window_create(r->d, x, y, w, h, flags, bg);
	xa_window_title(r->d, win, title);
	xa_fill(r->d, win, 8, 8, 24, 16, 0xffcc00);
	xa_text(r->d, win, 8, 30, title, strlen(title), 0, 0xe0e0e0, bg);
	xa_window_map(r->d, win);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	return win;
}

/* Wait (bounded) for @win's XA_CONFIGURE to say (@x, @y) @w x @h. */
static bool wait_config(struct rig *r, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h)
{
	struct xa_event ev;
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end)
		if (xa_next_event(r->d, &ev, 200) == 1 && ev.type == XA_CONFIGURE &&
		    ev.win == win && ev.w == w && ev.h == h && ev.x == x && ev.y == y)
			return true;
	return false;
}

static bool wait_event(struct rig *r, enum xa_event_type type, uint32_t win, bool on)
{
	struct xa_event ev;
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end)
		if (xa_next_event(r->d, &ev, 200) == 1 && ev.type == type && ev.win == win &&
		    (type != XA_FOCUS || ev.on == on))
			return true;
	return false;
}

/* The session's state bits of @win (xa_window_list), or -1 if not listed. */
static long session_state(struct rig *r, uint32_t session_id)
{
	struct xa_window_info *list;
	size_t n;
	long st = -1;
	assert_int_equal(xa_window_list(r->d, &list, &n, 5000), 0);
	for (size_t i = 0; i < n; i++)
		if (list[i].id == session_id)
			st = list[i].state;
	free(list);
	return st;
}

struct state_want {
	struct rig *r;
	uint32_t id, mask, want;
};

/* proc_until: the session's window has the state bits @arg wants. */
static bool has_state(void *arg)
{
	const struct state_want *w = arg;
	long st = session_state(w->r, w->id);
	return st >= 0 && ((uint32_t)st & w->mask) == w->want;
}

/* Wait (bounded) until session window @session_id's @mask bits are @want. */
static bool wait_state(struct rig *r, uint32_t session_id, uint32_t mask, uint32_t want)
{
	struct state_want w = {r, session_id, mask, want};
	if (proc_until(has_state, &w, WAIT_MS))
		return true;
	print_client_log(r);
	return false;
}

/* Which top-level window a wait looks for: @ok says, given its attributes. */
struct toplevel {
	struct rig *r;
	bool (*ok)(struct rig *r, xcb_window_t win, const xcb_get_window_attributes_reply_t *a,
	           const void *arg);
	const void *arg;
	xcb_window_t found;
};

/* proc_until: a viewable child of the root that @arg's ok accepts (any, if NULL). */
static bool toplevel_shown(void *arg)
{
	struct toplevel *t = arg;
	struct rig *r = t->r;
	xcb_query_tree_reply_t *q =
	    xcb_query_tree_reply(r->xc, xcb_query_tree(r->xc, r->root), NULL);
	xcb_window_t *kids = q ? xcb_query_tree_children(q) : NULL;
	for (int i = 0; q && i < xcb_query_tree_children_length(q) && !t->found; i++) {
		xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(
		    r->xc, xcb_get_window_attributes(r->xc, kids[i]), NULL);
		if (a && a->map_state == XCB_MAP_STATE_VIEWABLE &&
		    (!t->ok || t->ok(r, kids[i], a, t->arg)))
			t->found = kids[i];
		free(a);
	}
	free(q);
	return t->found != 0;
}

/* The first viewable top-level window @ok accepts, waited for; or 0. */
static xcb_window_t wait_toplevel(struct rig *r,
                                  bool (*ok)(struct rig *r, xcb_window_t win,
                                             const xcb_get_window_attributes_reply_t *a,
                                             const void *arg),
                                  const void *arg)
{
	struct toplevel t = {r, ok, arg, 0};
	proc_until(toplevel_shown, &t, WAIT_MS);
	return t.found;
}

/* The first viewable top-level window (a client's, with no WM), or 0 after a while. */
static xcb_window_t viewable_toplevel(struct rig *r)
{
	return wait_toplevel(r, NULL, NULL);
}

struct shows {
	struct rig *r;
	xcb_window_t win;
	const struct xr_fb *want;
	int scale, w, h;
	long diff;
};

/* proc_until: X shows @arg's window (its top-left w x h) as want, each of
 * want's pixels a scale x scale square. */
static bool shows_want(void *arg)
{
	struct shows *s = arg;
	struct xr_fb got;
	grab(s->r, s->win, s->w, s->h, &got);
	s->diff = 0;
	for (int y = 0; y < s->h; y++)
		for (int x = 0; x < s->w; x++)
			s->diff +=
			    (got.px[(size_t)y * got.stride + x] & 0xffffff) !=
			    (s->want->px[(size_t)(y / s->scale) * s->want->stride + x / s->scale] &
			     0xffffff);
	xr_fb_finish(&got);
	return s->diff == 0;
}

/* Wait (bounded) until X window @win shows @want at @scale; the pixels
 * that still differ (0: all equal). */
static long wait_shows(struct rig *r, xcb_window_t win, const struct xr_fb *want, int scale, int w,
                       int h)
{
	struct shows s = {r, win, want, scale, w, h, -1};
	proc_until(shows_want, &s, WAIT_MS);
	return s.diff;
}

/* ---- tests ---------------------------------------------------------------- */

/* Two windows: two X top-levels, managed, titled, sized, with the pixels. */
static void test_two_windows(void **state)
{
	(void)state;
	struct rig *r = &rig;
	int x, y, w, h;
	rig_start(r, 0, true);
	uint32_t a = app_window(r, 0, 0, 320, 200, 0, 0x203a50u, "alpha");
	app_window(r, 0, 0, 240, 160, 0, 0x502a20u, "beta");
	static const char *const seamless[] = {"--seamless", NULL};
	r->client = spawn_client(r, seamless);
	xcb_window_t xa = find_managed(r, "alpha"), xb = find_managed(r, "beta");
	assert_true(xa && xb && xa != xb);
	geometry(r, xa, &x, &y, &w, &h);
	assert_int_equal(w, 320);
	assert_int_equal(h, 200);
	geometry(r, xb, &x, &y, &w, &h);
	assert_int_equal(w, 240);
	assert_int_equal(h, 160);
	/* what X shows is the server's copy, pixel for pixel */
	struct xr_fb srv;
	assert_int_equal(e2e_server_dump(&r->s), 0);
	assert_int_equal(e2e_server_window(&r->s, "main", a, &srv), 0);
	assert_int_equal(wait_shows(r, xa, &srv, 1, 320, 200), 0); /* once the frame arrived */
	xr_fb_finish(&srv);
}

/* The WM moves and resizes; the app gets the new size and place. */
static void test_wm_move_resize(void **state)
{
	(void)state;
	struct rig *r = &rig;
	int x, y, w, h;
	rig_start(r, 0, true);
	uint32_t a = app_window(r, 0, 0, 320, 200, 0, 0x203a50u, "alpha");
	static const char *const seamless[] = {"--seamless", NULL};
	r->client = spawn_client(r, seamless);
	xcb_window_t xa = find_managed(r, "alpha");
	assert_true(xa);
	/* static gravity: the client window itself goes to 400,300, 420x260;
	 * the session (and so the app) has it where the user's desktop has it */
	to_wm(r, xa, "_NET_MOVERESIZE_WINDOW", 10u | 0xfu << 8 | 2u << 12, 400, 300, 420, 260);
	assert_true(wait_config(r, a, 400, 300, 420, 260));
	geometry(r, xa, &x, &y, &w, &h);
	assert_int_equal(x, 400);
	assert_int_equal(y, 300);
	assert_int_equal(w, 420);
	assert_int_equal(h, 260);
}

/* A seamless client over a session with the app's windows "alpha"
 * (300x180) and "beta" (BW x BH, both at 0,0), managed by the WM: their
 * session ids into *A and *B, their managed X windows into *XA and *XB. */
static void two_windows(struct rig *r, uint32_t bw, uint32_t bh, uint32_t *a, uint32_t *b,
                        xcb_window_t *xa, xcb_window_t *xb)
{
	static const char *const seamless[] = {"--seamless", NULL};
	rig_start(r, 0, true);
	*a = app_window(r, 0, 0, 300, 180, 0, 0x203a50u, "alpha");
	*b = app_window(r, 0, 0, bw, bh, 0, 0x502a20u, "beta");
	r->client = spawn_client(r, seamless);
	*xa = find_managed(r, "alpha");
	*xb = find_managed(r, "beta");
	assert_true(*xa && *xb);
}
/* Focus, minimise, restore and close, as the WM does them. */
static void test_focus_minimise_close(void **state)
{
	(void)state;
	struct rig *r = &rig;
	struct xa_window_info *list;
	size_t n;
	uint32_t a, b;
	xcb_window_t xa, xb;
	two_windows(r, 300, 180, &a, &b, &xa, &xb);
	/* session ids, by title */
	uint32_t sa = 0, sb = 0;
	assert_int_equal(xa_window_list(r->d, &list, &n, 5000), 0);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i].title, "alpha"))
			sa = list[i].id;
		if (!strcmp(list[i].title, "beta"))
			sb = list[i].id;
	}
	free(list);
	assert_true(sa && sb);
	/* the WM activates alpha: the session's keyboard focus follows */
	to_wm(r, xa, "_NET_ACTIVE_WINDOW", 2, 0, 0, 0, 0);
	assert_true(wait_event(r, XA_FOCUS, a, true));
	assert_true(wait_state(r, sa, XP_STATE_FOCUSED, XP_STATE_FOCUSED));
	/* minimised by the WM: minimised in the session; restored likewise */
	to_wm(r, xb, "WM_CHANGE_STATE", 3, 0, 0, 0, 0);
	assert_true(wait_state(r, sb, XP_STATE_MINIMIZED, XP_STATE_MINIMIZED));
	to_wm(r, xb, "_NET_ACTIVE_WINDOW", 2, 0, 0, 0, 0);
	assert_true(wait_state(r, sb, XP_STATE_MINIMIZED, 0));
	/* the WM's close reaches the app, which decides */
	to_wm(r, xa, "_NET_CLOSE_WINDOW", 0, 2, 0, 0, 0);
	assert_true(wait_event(r, XA_CLOSE, a, true));
	(void)b;
}

/* wait_toplevel: an override-redirect window of the size *@arg (w, h). */
static bool popup_sized(struct rig *r, xcb_window_t win, const xcb_get_window_attributes_reply_t *a,
                        const void *arg)
{
	const int *size = arg;
	xcb_get_geometry_reply_t *g =
	    xcb_get_geometry_reply(r->xc, xcb_get_geometry(r->xc, win), NULL);
	bool ok = a->override_redirect && g && g->width == size[0] && g->height == size[1];
	free(g);
	return ok;
}

/* The override-redirect X window of the session's popup @pw x @ph, or 0. */
static xcb_window_t find_popup(struct rig *r, int pw, int ph)
{
	const int size[2] = {pw, ph};
	return wait_toplevel(r, popup_sized, size);
}

/* A popup is an override-redirect window where the app put it; a dialog is
 * transient for its parent. */
static void test_popup_and_dialog(void **state)
{
	(void)state;
	struct rig *r = &rig;
	int x, y, w, h;
	int32_t ax = 0, ay = 0;
	rig_start(r, 0, true);
	uint32_t a = app_window(r, 0, 0, 320, 200, 0, 0x203a50u, "alpha");
	assert_int_equal(e2e_window_pos(r->d, a, &ax, &ay), 0);
	static const char *const seamless[] = {"--seamless", NULL};
	r->client = spawn_client(r, seamless);
	xcb_window_t xa = find_managed(r, "alpha");
	assert_true(xa);
	/* a menu at 40,60 in alpha, as an app computes it: on the screen */
	app_window(r, ax + 40, ay + 60, 130, 90, XP_WIN_POPUP, 0xd0d0d0u, "menu");
	xcb_window_t menu = find_popup(r, 130, 90);
	assert_true(menu);
	geometry(r, menu, &x, &y, &w, &h);
	assert_int_equal(x, ax + 40);
	assert_int_equal(y, ay + 60);
	/* a dialog of alpha */
	uint32_t dlg = xa_window_create(r->d, 0, 0, 200, 100, 0, 0x305030u);
	xa_window_title(r->d, dlg, "dialog");
	xa_window_parent(r->d, dlg, a);
	xa_window_map(r->d, dlg);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	xcb_window_t xd = find_managed(r, "dialog");
	assert_true(xd);
	uint32_t owner = 0;
	assert_int_equal(prop32(r, xd, "WM_TRANSIENT_FOR", &owner, 1), 1);
	assert_int_equal(owner, xa);
}

/* A 192 dpi screen: scale 2 by default, every pixel doubled exactly. */
static void test_scale_from_dpi(void **state)
{
	(void)state;
	struct rig *r = &rig;
	int x, y, w, h;
	char script[700], ref[600];
	rig_start(r, 192, false);
	app_window(r, 0, 0, 200, 120, 0, 0x203a50u, "scaled");
	/* the picture at scale 1, from a headless client of the same session */
	snprintf(ref, sizeof(ref), "%s/ref.png", r->s.dir);
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nquit\n", ref);
	static const char *const size[] = {"--size", "400x300", NULL};
	assert_int_equal(e2e_client_run(&r->s, script, size), 0);
	/* an X window client of that size, no --scale */
	r->client = spawn_client(r, size);
	xcb_window_t win = viewable_toplevel(r);
	assert_true(win);
	geometry(r, win, &x, &y, &w, &h);
	assert_int_equal(w, 800);
	assert_int_equal(h, 600);
	struct xr_fb want;
	assert_int_equal(xr_png_read_file(ref, &want), 0);
	assert_int_equal(wait_shows(r, win, &want, 2, 800, 600), 0);
	xr_fb_finish(&want);
}

/* wait_toplevel: more than 1000 of the window's pixels (800x600) are *@arg. */
static bool shows_colour(struct rig *r, xcb_window_t win,
                         const xcb_get_window_attributes_reply_t *a, const void *arg)
{
	struct xr_fb shown;
	long n = 0;
	grab(r, win, 800, 600, &shown);
	for (int i = 0; i < shown.w * shown.h; i++)
		n += (shown.px[i] & 0xffffff) == *(const uint32_t *)arg;
	xr_fb_finish(&shown);
	return n > 1000;
}

/*
 * The client's one top-level window, once it shows the red box saying why
 * it gave up (bounded wait); 0 if it never does.
 */
static xcb_window_t wait_given_up(struct rig *r)
{
	static const uint32_t red = 0x7a2424; /* status.c: given up */
	return wait_toplevel(r, shows_colour, &red);
}

/* A window nobody scripts: the thin client as a user starts it. */
static pid_t spawn_plain_client(struct rig *r, const char *cookie)
{
	char bin[256];
	const char *argv[] = {e2e_bin("thin-client", bin, sizeof(bin)), "--cookie", cookie,
	                      r->s.addr, NULL};
	return proc_spawn(argv, NULL);
}

/* A refused window says why until its user closes it; then status 1. */
static void test_refused_window_stays(void **state)
{
	(void)state;
	struct rig *r = &rig;
	char bad[600];
	rig_start(r, 0, false);
	snprintf(bad, sizeof(bad), "%s/bad-cookie", r->s.dir);
	FILE *f = fopen(bad, "w");
	fputs("00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	chmod(bad, 0600);
	r->client = spawn_plain_client(r, bad);
	/* its window shows the red box, and it stays */
	xcb_window_t win = wait_given_up(r);
	assert_true(win != 0);
	assert_int_equal(waitpid(r->client, NULL, WNOHANG), 0); /* still there */
	/* the user closes the window: the program ends, status 1 */
	xcb_client_message_event_t e = {.response_type = XCB_CLIENT_MESSAGE,
	                                .format = 32,
	                                .window = win,
	                                .type = atom(r->xc, "WM_PROTOCOLS")};
	e.data.data32[0] = atom(r->xc, "WM_DELETE_WINDOW");
	xcb_send_event(r->xc, 0, win, 0, (const char *)&e);
	xcb_flush(r->xc);
	assert_int_equal(proc_wait(r->client, WAIT_MS), 1);
	r->client = 0;
}

/*
 * The server goes while a window (no --reconnect) shows the session: the
 * last picture stays under the red box until the user presses a key; then
 * status 1. Before the key, the window is not closed under the user.
 */
static void test_lost_window_stays(void **state)
{
	(void)state;
	struct rig *r = &rig;
	rig_start(r, 0, false);
	uint32_t w = xa_window_create(r->d, 0, 0, 200, 100, 0, 0x2a5a2au);
	xa_window_title(r->d, w, "before");
	xa_window_map(r->d, w);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	r->client = spawn_plain_client(r, r->s.cookie);
	/* the window shows the session's window before the server goes */
	static const uint32_t green = 0x2a5a2a;
	xcb_window_t win = wait_toplevel(r, shows_colour, &green);
	assert_true(win != 0);
	/* the server goes, not the app (which would take its window along) */
	e2e_server_stop(&r->s);
	r->s.pid = 0; /* stopped: the teardown has no server to stop */
	xa_close(r->d);
	r->d = NULL;
	assert_true(wait_given_up(r) == win);
	assert_true(shows_colour(r, win, NULL, &green)); /* the last picture, under the box */
	assert_int_equal(waitpid(r->client, NULL, WNOHANG), 0); /* still there */
	/* a key press ends it, status 1 */
	xcb_key_press_event_t k = {.response_type = XCB_KEY_PRESS,
	                           .detail = 38, /* a letter on every keymap Xvfb has */
	                           .root = r->root,
	                           .event = win,
	                           .same_screen = 1};
	xcb_send_event(r->xc, 0, win, XCB_EVENT_MASK_KEY_PRESS, (const char *)&k);
	xcb_flush(r->xc);
	assert_int_equal(proc_wait(r->client, WAIT_MS), 1);
	r->client = 0;
}

/* proc_until: the rig's client is still running. */
static bool client_alive(struct rig *r)
{
	return waitpid(r->client, NULL, WNOHANG) == 0;
}

/* True once the client's log has a line containing @text (bounded). */
static bool client_said(struct rig *r, const char *text)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/seamless-client.log", r->s.dir);
	return proc_wait_line(path, text, NULL, 0, WAIT_MS);
}

/* How many lines of the client's log contain @text, now. */
static int client_said_times(struct rig *r, const char *text)
{
	char path[300], line[1024];
	int n = 0;
	snprintf(path, sizeof(path), "%s/seamless-client.log", r->s.dir);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* The app fills its window @win (@w x @h) with @rgb; true once X window
 * @xwin shows it (bounded). */
static bool filled(struct rig *r, uint32_t win, xcb_window_t xwin, int w, int h, uint32_t rgb)
{
	struct xr_fb want;
	xa_fill(r->d, win, 0, 0, (uint32_t)w, (uint32_t)h, rgb);
	if (xa_sync(r->d, 5000) < 0 || xr_fb_init(&want, w, h) < 0)
		return false;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			want.px[(size_t)y * want.stride + x] = rgb;
	long diff = wait_shows(r, xwin, &want, 1, w, h);
	xr_fb_finish(&want);
	return diff == 0;
}

/*
 * One seamless X window destroyed by another X client (XDestroyWindow, as
 * `xdotool`-like tools or a crashing pager do; not the WM's close): the
 * thin client drops that window, says so, asks the app to close it (the
 * app decides, as with the WM's close), and keeps the rest. An app that
 * keeps its window has it shown again, in a new X window; one that closes
 * it has it gone, and nothing is re-created or touched in X after.
 */
static void test_window_destroyed_by_another_client(void **state)
{
	(void)state;
	struct rig *r = &rig;
	uint32_t a, b;
	xcb_window_t xa, xb;
	two_windows(r, 240, 160, &a, &b, &xa, &xb);
	xcb_destroy_window(r->xc, xa);
	xcb_flush(r->xc);
	/* the app is asked (it keeps the window, here); beta stays, drawn */
	assert_true(wait_event(r, XA_CLOSE, a, true));
	assert_true(client_said(r, "destroyed by another X client"));
	assert_true(filled(r, b, xb, 240, 160, 0x30c060u));
	/* kept by the app: shown again, in a new X window */
	xcb_window_t again = find_managed(r, "alpha");
	assert_true(again != 0 && again != xa);
	assert_true(client_alive(r));
	/* destroyed again, and this time the app closes it: gone for good */
	xcb_destroy_window(r->xc, again);
	xcb_flush(r->xc);
	assert_true(wait_event(r, XA_CLOSE, a, true));
	assert_int_equal(xa_window_destroy(r->d, a), 0);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	assert_true(filled(r, b, xb, 240, 160, 0x2040d0u)); /* beta, still served */
	assert_int_equal(client_said_times(r, "destroyed by another X client"), 2);
	assert_true(client_alive(r));
}

/* ---- pointer shapes ---------------------------------------------------- */

/* A w x h test shape (opaque or transparent pixels only: no premultiplying
 * question), @seed making each different; defined as @id in the session. */
static void define_shape(struct rig *r, uint32_t id, uint32_t w, uint32_t h, uint32_t hot_x,
                         uint32_t hot_y, uint32_t seed, struct xshape *out)
{
	*out = (struct xshape){.w = w, .h = h, .hot_x = hot_x, .hot_y = hot_y};
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			out->px[y * w + x] = (x + y * seed) % 3 == 0 ? 0
			                     : (x ^ y) & 1           ? 0xff000000u | seed * 0x10305u
			                                             : 0xffffffffu;
	assert_int_equal(xa_cursor_argb(r->d, id, w, h, hot_x, hot_y, out->px), 0);
}

/* @s at scale @k: each pixel a k x k block, the hot spot scaled. */
static void scale_shape(const struct xshape *s, uint32_t k, struct xshape *out)
{
	*out = (struct xshape){
	    .w = s->w * k, .h = s->h * k, .hot_x = s->hot_x * k, .hot_y = s->hot_y * k};
	for (uint32_t y = 0; y < out->h; y++)
		for (uint32_t x = 0; x < out->w; x++)
			out->px[y * out->w + x] = s->px[(y / k) * s->w + x / k];
}

struct pointing {
	struct rig *r;
	int16_t x, y;
	const struct xshape *want;
	struct xshape got;
	int turns;
};

/* proc_until: with the pointer moved (again) to @arg's x, y, X shows want. */
static bool points_with(void *arg)
{
	struct pointing *p = arg;
	xcb_connection_t *c = p->r->xc;
	int16_t x = (int16_t)(p->x + p->turns++ % 2); /* a motion each turn: desktop
	                                                 mode learns the pointer */
	xcb_test_fake_input(c, XCB_MOTION_NOTIFY, 0, XCB_CURRENT_TIME, p->r->root, x, p->y, 0);
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
	return xshape_now(c, &p->got) && xshape_same(&p->got, p->want);
}

/* Wait (bounded) until, the pointer at root @x,@y, X shows @want. */
static bool shows_shape(struct rig *r, int x, int y, const struct xshape *want)
{
	static struct pointing p;
	p = (struct pointing){r, (int16_t)x, (int16_t)y, want, {0}, 0};
	if (proc_until(points_with, &p, WAIT_MS))
		return true;
	print_message("at %d,%d: %ux%u hot %u,%u shown, %ux%u hot %u,%u wanted\n", x, y, p.got.w,
	              p.got.h, p.got.hot_x, p.got.hot_y, want->w, want->h, want->hot_x,
	              want->hot_y);
	print_client_log(r);
	return false;
}

/*
 * Two windows with two shapes, a thin client at scale @k (--seamless or
 * not), no WM: the session's point (x, y) is the root's (k x, k y) in both
 * modes. Over each window X shows its shape, k times as large; a window's
 * new shape, and the default again, follow.
 */
static void check_shapes(int k, bool seamless)
{
	struct rig *r = &rig;
	struct xshape one, two, want, deflt;
	int32_t ax = 10, ay = 10, bx = 160, by = 10; /* asked for; the session's, below */
	char scale[8];
	rig_start(r, 0, false);
	xshape_begin(r->xc);
	assert_true(xshape_now(r->xc, &deflt)); /* the root's, before any client */
	uint32_t a = app_window(r, ax, ay, 120, 90, 0, 0x203a50u, "alpha");
	assert_int_equal(e2e_window_pos(r->d, a, &ax, &ay), 0);
	uint32_t b = app_window(r, bx, by, 120, 90, 0, 0x502a20u, "beta");
	assert_int_equal(e2e_window_pos(r->d, b, &bx, &by), 0);
	define_shape(r, 1, 16, 20, 3, 5, 7, &one);
	define_shape(r, 2, 24, 12, 20, 6, 11, &two);
	assert_int_equal(xa_window_cursor(r->d, a, 1), 0);
	assert_int_equal(xa_window_cursor(r->d, b, 2), 0);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	snprintf(scale, sizeof(scale), "%d", k);
	const char *args[] = {"--scale", scale, "--size", "320x240", seamless ? "--seamless" : NULL,
	                      NULL};
	r->client = spawn_client(r, args);
	scale_shape(&one, (uint32_t)k, &want);
	assert_true(shows_shape(r, (ax + 60) * k, (ay + 45) * k, &want));
	print_message("scale %d%s: %ux%u shape, hot spot %u,%u\n", k, seamless ? ", seamless" : "",
	              want.w, want.h, want.hot_x, want.hot_y);
	scale_shape(&two, (uint32_t)k, &want);
	assert_true(shows_shape(r, (bx + 60) * k, (by + 45) * k, &want));
	/* alpha takes beta's shape, then the default: followed */
	assert_int_equal(xa_window_cursor(r->d, a, 2), 0);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	assert_true(shows_shape(r, (ax + 60) * k, (ay + 45) * k, &want));
	assert_int_equal(xa_window_cursor(r->d, a, 0), 0);
	assert_int_equal(xa_sync(r->d, 5000), 0);
	assert_true(shows_shape(r, (ax + 60) * k, (ay + 45) * k, &deflt));
}

/* Seamless: each X window shows its own window's shape. */
static void test_seamless_shapes(void **state)
{
	(void)state;
	check_shapes(1, true);
}

/* Seamless at --scale 2: the shapes twice as large, hot spots doubled. */
static void test_seamless_shapes_scaled(void **state)
{
	(void)state;
	check_shapes(2, true);
}

/* The desktop window at --scale 3: the shape under the pointer, 3x. */
static void test_desktop_shapes_scaled(void **state)
{
	(void)state;
	check_shapes(3, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_two_windows, teardown),
	    cmocka_unit_test_teardown(test_wm_move_resize, teardown),
	    cmocka_unit_test_teardown(test_focus_minimise_close, teardown),
	    cmocka_unit_test_teardown(test_popup_and_dialog, teardown),
	    cmocka_unit_test_teardown(test_scale_from_dpi, teardown),
	    cmocka_unit_test_teardown(test_refused_window_stays, teardown),
	    cmocka_unit_test_teardown(test_lost_window_stays, teardown),
	    cmocka_unit_test_teardown(test_window_destroyed_by_another_client, teardown),
	    cmocka_unit_test_teardown(test_seamless_shapes, teardown),
	    cmocka_unit_test_teardown(test_seamless_shapes_scaled, teardown),
	    cmocka_unit_test_teardown(test_desktop_shapes_scaled, teardown),
	};
	if (getenv("CMOCKA_FILTER")) /* one test, when looking closer */
		cmocka_set_test_filter(getenv("CMOCKA_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
