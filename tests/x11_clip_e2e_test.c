/*
 * x11_clip_e2e_test.c - X selections through the X bridge, on real parts:
 * xproto-server, xp-x11 with its Xvfb, xclip (Debian) setting and reading
 * CLIPBOARD and PRIMARY on the bridge's display, an xproto app (libxpapp's
 * clipboard calls) in the session, and a real thin-client window on a
 * second Xvfb, the user's desktop, with xclip there too.
 *
 * Copied in the bridge -> pasted by the app, and by the desktop; copied by
 * the app or on the desktop -> pasted in the bridge. Also 1 MB both ways
 * (INCR on both X displays), 9 MiB cut to the session's 8 MiB and flagged,
 * no echo: the bridge's own ownership changes are never offered back, and
 * an INCR answer to a paste into the root leaves the bridge's own event
 * selection there (it is the window manager) as it was.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include <cmocka.h>

#include "x11run.h"
#include "xpapp.h"
#include "xvfb.h"

#define WAIT_MS 30000

static struct br_bridge the;
static struct xvfb user;       /* the user's desktop: the thin client's window */
static struct xa_display *app; /* an xproto app of the session */
static pid_t client = -1;      /* the thin client */
static pid_t owners[16];       /* xclip -i processes holding a selection */
static int nowners;
static int x_clipboard = -1; /* owners[] index of the xclip owning the bridge's CLIPBOARD */

/* ---- the fixture: started by the first test, stopped at the end ---------- */

static void up(void)
{
	if (app)
		return;
	if (!br_have("xclip")) {
		print_message("xclip missing: skipped (tools/deps.sh installs it)\n");
		skip();
	}
	br_start(&the, NULL);
	assert_int_equal(xvfb_start(&user, 800, 600, 20000), 0);
	client = br_thin_client(&the, user.name, "640x480");
	app = e2e_app(&the.s, "main");
	assert_non_null(app);
}

static int group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nowners; i++)
		if (owners[i] > 0)
			proc_stop(owners[i], SIGKILL, 5000);
	if (client > 0)
		proc_stop(client, SIGTERM, 20000);
	if (app)
		xa_close(app);
	br_stop(&the);
	xvfb_stop(&user);
	return 0;
}

/* ---- X displays: xclip ---------------------------------------------------- */

static const char *sel_name(uint32_t sel)
{
	return sel == XP_CLIP_PRIMARY ? "primary" : "clipboard";
}

/* A file of @len bytes of @text repeated, in the server's directory. */
static const char *text_file(const char *name, const char *text, size_t len)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", the.s.dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t n = 0, k = strlen(text); n < len; n += k)
		fwrite(text, 1, len - n < k ? len - n : k, f);
	fclose(f);
	return path;
}

/* xclip takes @sel on @display with the contents of @file, and stays until
 * it loses the selection. Its index in owners[]. */
static int x_copy(const char *display, uint32_t sel, const char *file)
{
	char env[32];
	snprintf(env, sizeof(env), "DISPLAY=%s", display);
	const char *argv[] = {"env",         env,  "xclip", "-quiet", "-selection",
	                      sel_name(sel), "-i", file,    NULL};
	assert_true(nowners < 16);
	owners[nowners] = proc_spawn(argv, "/dev/null"); /* -quiet talks on stdout */
	assert_true(owners[nowners] > 0);
	return nowners++;
}

/* The xclip owners[@i] lost its selection: it exits (reaped). */
static void x_lost(int i)
{
	assert_int_equal(proc_wait(owners[i], WAIT_MS), 0);
	owners[i] = 0;
}

/* What xclip -o reads from @sel on @display, into @out; its exit status. */
static int x_paste(const char *display, uint32_t sel, const char *out, int timeout_ms)
{
	char env[32];
	snprintf(env, sizeof(env), "DISPLAY=%s", display);
	const char *argv[] = {"env", env, "xclip", "-o", "-selection", sel_name(sel), NULL};
	return proc_run(argv, out, timeout_ms);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	if (f && fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		rewind(f);
		buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
		*len = buf ? fread(buf, 1, (size_t)n, f) : 0;
	}
	if (f)
		fclose(f);
	return buf;
}

/* xclip -o of @sel on @display gives what @file holds (asked until it does). */
struct paste_want {
	const char *display, *file;
	uint32_t sel;
};
static bool pastes_file(void *arg)
{
	const struct paste_want *w = arg;
	char out[256];
	size_t a = 0, b = 0;
	snprintf(out, sizeof(out), "%s/pasted", the.s.dir);
	if (x_paste(w->display, w->sel, out, 10000) != 0)
		return false;
	char *want = slurp(w->file, &a), *got = slurp(out, &b);
	bool same = want && got && a == b && !memcmp(want, got, a);
	free(want);
	free(got);
	return same;
}

/* Who owns @sel on @display: 0 nobody. */
static xcb_window_t x_owner(const char *display, uint32_t sel)
{
	xcb_connection_t *c = xcb_connect(display, NULL);
	const char *name = sel == XP_CLIP_PRIMARY ? "PRIMARY" : "CLIPBOARD";
	xcb_intern_atom_reply_t *a =
	    xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, (uint16_t)strlen(name), name), NULL);
	xcb_get_selection_owner_reply_t *r =
	    a ? xcb_get_selection_owner_reply(c, xcb_get_selection_owner(c, a->atom), NULL) : NULL;
	xcb_window_t owner = r ? r->owner : 0;
	free(a);
	free(r);
	xcb_disconnect(c);
	return owner;
}

struct owner_want {
	const char *display;
	uint32_t sel;
	bool someone;
};
static bool owner_is(void *arg)
{
	const struct owner_want *w = arg;
	return (x_owner(w->display, w->sel) != 0) == w->someone;
}

/* ---- the session: an xproto app ----------------------------------------- */

/* The next event of @type for the app (others dropped); false at the deadline. */
static bool app_wait(uint32_t type, struct xa_event *ev)
{
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end) {
		int n = xa_next_event(app, ev, 200);
		assert_true(n >= 0);
		if (n > 0 && ev->type == type)
			return true;
	}
	return false;
}

/* The app pastes @sel: its text (caller frees), length and flags. */
static char *app_paste(uint32_t sel, size_t *len, uint32_t *flags)
{
	struct xa_event ev;
	uint32_t req = xa_clip_request(app, sel);
	assert_true(req > 0);
	while (app_wait(XA_CLIP_DATA, &ev))
		if (ev.req == req)
			return xa_clip_take(app, req, len, flags);
	fail_msg("no XA_CLIP_DATA for the app's paste");
	return NULL;
}

/* The app waits until the session says @sel changed hands (not DISOWN). */
static void app_wait_owner(uint32_t sel)
{
	struct xa_event ev;
	while (app_wait(XA_CLIP_OWNER, &ev))
		if (ev.sel == sel && !(ev.flags & XP_CLIP_DISOWN))
			return;
	fail_msg("the session never said selection %u changed hands", sel);
}

/* ---- tests ----------------------------------------------------------------- */

/* xclip in the bridge copies: the app pastes it, CLIPBOARD and PRIMARY. */
static void test_copied_in_x_pasted_by_an_app(void **state)
{
	(void)state;
	static const char *const text[] = {"copied in the bridge: ünïcödé ✓\n", "primary 🐧"};
	up();
	for (uint32_t sel = 0; sel < XP_CLIP_COUNT; sel++) {
		int i = x_copy(the.display, sel,
		               text_file(sel ? "p.txt" : "c.txt", text[sel], strlen(text[sel])));
		if (sel == XP_CLIP_CLIPBOARD)
			x_clipboard = i;
		app_wait_owner(sel);
		size_t len = 0;
		uint32_t flags = 0;
		char *got = app_paste(sel, &len, &flags);
		assert_non_null(got);
		assert_int_equal(flags & (XP_CLIP_FAILED | XP_CLIP_TRUNCATED), 0);
		assert_int_equal(len, strlen(text[sel]));
		assert_memory_equal(got, text[sel], len);
		free(got);
	}
}

/*
 * The app copies: xclip -o in the bridge reads it. No echo: while the bridge
 * takes the X selection for the session and serves the paste, the app is
 * never told of a new owner, and the server still has the app as the owner
 * (its own paste is refused at once, as the owner's is).
 */
static void test_copied_by_an_app_pasted_in_x(void **state)
{
	(void)state;
	static const char text[] = "from an xproto app — über\n";
	char out[256];
	struct xa_event ev;
	size_t len = 0;
	uint32_t flags = 0;
	up();
	assert_int_equal(xa_clip_own(app, XP_CLIP_CLIPBOARD, sizeof(text) - 1), 0);
	assert_int_equal(xa_flush(app), 0);
	snprintf(out, sizeof(out), "%s/pasted", the.s.dir);
	pid_t paster = 0;
	int status = -1, asked = 0;
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end && status < 0) {
		if (!paster) { /* once the bridge took the X selection from xclip */
			assert_true(x_clipboard >= 0);
			x_lost(x_clipboard);
			char env[32];
			snprintf(env, sizeof(env), "DISPLAY=%s", the.display);
			const char *argv[] = {"env",        env,         "xclip", "-o",
			                      "-selection", "clipboard", NULL};
			paster = proc_spawn(argv, out);
		}
		int n = xa_next_event(app, &ev, 50);
		assert_true(n >= 0);
		if (n > 0)
			assert_int_not_equal(ev.type, XA_CLIP_OWNER); /* an echo */
		if (n > 0 && ev.type == XA_CLIP_REQUEST) {
			assert_int_equal(ev.sel, XP_CLIP_CLIPBOARD);
			assert_int_equal(xa_clip_send(app, ev.req, text, sizeof(text) - 1), 0);
			assert_int_equal(xa_flush(app), 0);
			asked++;
		}
		int st;
		if (waitpid(paster, &st, WNOHANG) == paster)
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
	assert_int_equal(status, 0);
	assert_int_equal(asked, 1); /* asked once, the answer cached */
	char *got = slurp(out, &len);
	assert_non_null(got);
	assert_int_equal(len, sizeof(text) - 1);
	assert_memory_equal(got, text, len);
	free(got);
	got = app_paste(XP_CLIP_CLIPBOARD, &len, &flags);
	assert_true(flags & XP_CLIP_FAILED); /* the owner pastes its own: still the app */
	free(got);
	/* the app drops it: the bridge gives the X selection up */
	assert_int_equal(xa_clip_disown(app, XP_CLIP_CLIPBOARD), 0);
	assert_int_equal(xa_flush(app), 0);
	struct owner_want none = {the.display, XP_CLIP_CLIPBOARD, false};
	assert_true(proc_until(owner_is, &none, WAIT_MS));
}

/* The desktop <-> the bridge through the thin client, small and 1 MB (INCR). */
static void test_desktop_and_bridge(void **state)
{
	(void)state;
	up();
	struct {
		const char *from, *to, *name;
		uint32_t sel;
		size_t len;
	} cases[] = {
	    {user.name, the.display, "d2b.txt", XP_CLIP_CLIPBOARD, 40},
	    {the.display, user.name, "b2d.txt", XP_CLIP_PRIMARY, 40},
	    {user.name, the.display, "d2b-big.txt", XP_CLIP_CLIPBOARD, 1u << 20},
	    {the.display, user.name, "b2d-big.txt", XP_CLIP_CLIPBOARD, 1u << 20},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *file = text_file(cases[i].name, cases[i].name, cases[i].len);
		x_copy(cases[i].from, cases[i].sel, file);
		struct paste_want w = {cases[i].to, file, cases[i].sel};
		uint64_t t0 = xp_now_us();
		assert_true(proc_until(pastes_file, &w, WAIT_MS));
		print_message("%s: %zu bytes %s -> %s, %s, pasted in %.0f ms\n", cases[i].name,
		              cases[i].len, cases[i].from, cases[i].to, sel_name(cases[i].sel),
		              (double)(xp_now_us() - t0) / 1000);
	}
}

/* @n atoms named @names on @c, into @out. */
static void atoms(xcb_connection_t *c, const char *const *names, int n, xcb_atom_t *out)
{
	for (int i = 0; i < n; i++) {
		xcb_intern_atom_reply_t *a = xcb_intern_atom_reply(
		    c, xcb_intern_atom(c, 0, (uint16_t)strlen(names[i]), names[i]), NULL);
		assert_non_null(a);
		out[i] = a->atom;
		free(a);
	}
}

struct root_prop {
	xcb_connection_t *c;
	xcb_window_t root;
	xcb_atom_t prop, type;
};

/* proc_until: the root's property @arg->prop has the type @arg->type. */
static bool root_prop_is(void *arg)
{
	const struct root_prop *rp = arg;
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    rp->c, xcb_get_property(rp->c, 0, rp->root, rp->prop, XCB_ATOM_ANY, 0, 1), NULL);
	bool is = r && r->type == rp->type;
	free(r);
	return is;
}

/*
 * A paste into the root window, large enough for INCR: the bridge selects
 * PropertyChange there to follow it, and must keep what else it selects on
 * that window (event masks are per client; on the root, SubstructureRedirect
 * makes it the window manager). It set PropertyChange alone.
 */
static void test_incr_to_the_root_keeps_the_window_manager(void **state)
{
	(void)state;
	static const char *const names[] = {"CLIPBOARD", "UTF8_STRING", "INCR", "XPTEST_PASTE"};
	xcb_atom_t a[4];
	up();
	const char *file = text_file("root.txt", "into the root ", 1u << 20);
	x_copy(user.name, XP_CLIP_CLIPBOARD, file);
	struct paste_want w = {the.display, file, XP_CLIP_CLIPBOARD};
	assert_true(proc_until(pastes_file, &w, WAIT_MS)); /* the bridge has it */
	xcb_connection_t *c = xcb_connect(the.display, NULL);
	assert_int_equal(xcb_connection_has_error(c), 0);
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	atoms(c, names, 4, a);
	xcb_convert_selection(c, root, a[0], a[1], a[3], XCB_CURRENT_TIME);
	xcb_flush(c);
	struct root_prop rp = {c, root, a[3], a[2]};
	assert_true(proc_until(root_prop_is, &rp, WAIT_MS)); /* the INCR answer started */
	/* the bridge still redirects the root's children: nobody else may */
	uint32_t mask = XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT;
	xcb_generic_error_t *e = xcb_request_check(
	    c, xcb_change_window_attributes_checked(c, root, XCB_CW_EVENT_MASK, &mask));
	assert_non_null(e);
	assert_int_equal(e->error_code, XCB_ACCESS);
	free(e);
	xcb_disconnect(c);
}

/* 9 MiB copied in the bridge: the app gets the session's 8 MiB, flagged. */
static void test_too_large_is_cut_and_flagged(void **state)
{
	(void)state;
	size_t len = 0;
	uint32_t flags = 0;
	up();
	const char *file = text_file("9m.txt", "0123456789abcdef", 9u << 20);
	x_copy(the.display, XP_CLIP_PRIMARY, file);
	app_wait_owner(XP_CLIP_PRIMARY);
	/* the owner events of earlier tests may still be queued: paste until the
	 * bridge serves the new owner's text */
	char *got = NULL;
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end && (!got || len < XP_CLIP_MAX)) {
		free(got);
		got = app_paste(XP_CLIP_PRIMARY, &len, &flags);
	}
	assert_non_null(got);
	assert_false(flags & XP_CLIP_FAILED);
	assert_true(flags & XP_CLIP_TRUNCATED);
	assert_int_equal(len, XP_CLIP_MAX);
	assert_memory_equal(got, "0123456789abcdef", 16);
	assert_memory_equal(got + XP_CLIP_MAX - 16, "0123456789abcdef", 16);
	free(got);
	the.ok = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copied_in_x_pasted_by_an_app),
	    cmocka_unit_test(test_copied_by_an_app_pasted_in_x),
	    cmocka_unit_test(test_desktop_and_bridge),
	    cmocka_unit_test(test_incr_to_the_root_keeps_the_window_manager),
	    cmocka_unit_test(test_too_large_is_cut_and_flagged),
	};
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
