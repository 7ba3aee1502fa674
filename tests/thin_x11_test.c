/*
 * thin_x11_test.c - the thin client's X11 window under a private Xvfb: the
 * pixels read back with xcb_get_image equal the composited framebuffer
 * (with MIT-SHM and with plain PutImage), window resizes reach the server,
 * the title follows the focused window, synthetic key and button events
 * become KEY and BUTTON messages (also with a German layout set by
 * setxkbmap, when installed), and WM_DELETE_WINDOW detaches cleanly, as
 * does the window destroyed by another X client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include <cmocka.h>

#include "proc.h"
#include "testpeer.h"
#include "thin.h"
#include "thinrun.h"
#include "xvfb.h"

#define T_MS 10000 /* a deadline: only a failing wait reaches it */

static struct xvfb xvfb;

static void send(struct tp_peer *p, struct xp_msg m)
{
	assert_int_equal(tp_send(p, &m), 0);
}

static void scene(struct tp_peer *p)
{
	static uint8_t rgb[24 * 24 * 3];
	for (size_t i = 0; i < sizeof(rgb); i++)
		rgb[i] = (uint8_t)(i * 7);
	send(p,
	     (struct xp_msg){
	         .op = XP_OP_WIN_CREATE,
	         .u.win_create = {.win = 1, .x = 20, .y = 10, .w = 200, .h = 150, .bg = 0x2e3440}});
	send(p, (struct xp_msg){.op = XP_OP_WIN_MAP, .u.win_map = {1}});
	send(p, (struct xp_msg){
	            .op = XP_OP_WIN_CREATE,
	            .u.win_create = {
	                .win = 2, .x = 150, .y = 100, .w = 200, .h = 200, .bg = 0xa3be8c}});
	send(p, (struct xp_msg){.op = XP_OP_WIN_MAP, .u.win_map = {2}});
	send(p, (struct xp_msg){.op = XP_OP_TARGET, .u.target = {1}});
	send(p, (struct xp_msg){.op = XP_OP_GC, .u.gc = {0xeceff4, 0x2e3440, 0, 0}});
	send(p, (struct xp_msg){
	            .op = XP_OP_TEXT,
	            .u.text = {4, 4, xp_str_from("X11: \xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90 ok")}});
	send(p, (struct xp_msg){.op = XP_OP_FILL, .u.fill = {10, 30, 60, 40}});
	send(p, (struct xp_msg){.op = XP_OP_IMAGE,
	                        .u.image = {80, 30, 24, 24, 0, 0, {rgb, sizeof(rgb)}}});
	send(p, (struct xp_msg){.op = XP_OP_WIN_TITLE, .u.win_title = {1, xp_str_from("agenda")}});
	send(p, (struct xp_msg){.op = XP_OP_WIN_FOCUS, .u.win_focus = {1, 1}});
}

/*
 * A test peer and a client with its X window (MIT-SHM unless @no_shm) on
 * the test display; @first (or NULL) sends what the window shows before
 * the MARK that waits for the client. Returns our own X connection.
 */
static xcb_connection_t *begin(struct tr_run *r, struct tp_peer *p, bool no_shm,
                               void (*first)(struct tp_peer *p))
{
	assert_int_equal(tp_init(p), 0);
	struct tc_options o = {.addr = p->addr,
	                       .cookie_path = p->cookie_path,
	                       .width = 320,
	                       .height = 240,
	                       .no_shm = no_shm};
	assert_int_equal(tr_start(r, &o), 0);
	assert_int_equal(tp_accept(p, true, T_MS), 0);
	if (first)
		first(p);
	assert_int_equal(tp_sync(p, 1, T_MS), 0);
	xcb_connection_t *xc = xcb_connect(NULL, NULL);
	assert_int_equal(xcb_connection_has_error(xc), 0);
	return xc;
}

/* The client detached on its own (a clean end, status 0): tidy up. */
static void end_detached(struct tr_run *r, struct tp_peer *p, xcb_connection_t *xc)
{
	assert_int_equal(tp_wait_eof(p, T_MS), 0);
	assert_int_equal(tr_join(r, T_MS), 0);
	xcb_disconnect(xc);
	tr_destroy(r);
	tp_finish(p);
}

/* The peer drops the connection: the client ends with status 1. */
static void end_dropped(struct tr_run *r, struct tp_peer *p, xcb_connection_t *xc)
{
	xcb_disconnect(xc);
	tp_drop(p);
	assert_int_equal(tr_join(r, T_MS), 1);
	tr_destroy(r);
	tp_finish(p);
}

struct shown {
	xcb_connection_t *xc;
	struct tc_client *c;
	int bad; /* pixels that differed at the last look, or -1: no image */
};

/* Read the X window back and compare it with the client's framebuffer. */
static bool window_shows_fb(void *arg)
{
	struct shown *s = arg;
	const struct xr_fb *fb = tc_screen(s->c);
	xcb_get_image_reply_t *img =
	    xcb_get_image_reply(s->xc,
	                        xcb_get_image(s->xc, XCB_IMAGE_FORMAT_Z_PIXMAP, tc_x11_window(s->c),
	                                      0, 0, (uint16_t)fb->w, (uint16_t)fb->h, ~0u),
	                        NULL);
	s->bad = -1;
	if (img && xcb_get_image_data_length(img) == fb->w * fb->h * 4) {
		const uint32_t *px = (const uint32_t *)xcb_get_image_data(img);
		s->bad = 0;
		for (int y = 0; y < fb->h; y++)
			for (int x = 0; x < fb->w; x++)
				s->bad +=
				    (px[y * fb->w + x] & 0xffffff) != fb->px[y * fb->stride + x];
	}
	free(img);
	return s->bad == 0;
}

/*
 * The X window comes to show the client's framebuffer. The client ACKs a
 * MARK once it has sent the pixels to X, but X serves its connections in
 * its own order: with PutImage (no round trip), our GetImage can be served
 * before the client's last PutImage is, on a loaded machine. So the window
 * is looked at until it matches, up to a deadline.
 */
static void compare_window(xcb_connection_t *xc, struct tc_client *c)
{
	struct shown s = {xc, c, -1};
	if (!proc_until(window_shows_fb, &s, T_MS))
		fail_msg("the X window differs from the client's framebuffer in %d pixels", s.bad);
}

static void check_title(xcb_connection_t *xc, struct tc_client *c, const char *want)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    xc, xcb_get_property(xc, 0, tc_x11_window(c), XCB_ATOM_WM_NAME, XCB_ATOM_ANY, 0, 256),
	    NULL);
	assert_non_null(r);
	int n = xcb_get_property_value_length(r);
	char got[300];
	snprintf(got, sizeof(got), "%.*s", n, (const char *)xcb_get_property_value(r));
	free(r);
	assert_string_equal(got, want);
}

static void pixels(bool no_shm)
{
	struct tp_peer p;
	struct tr_run r;
	xcb_connection_t *xc = begin(&r, &p, no_shm, scene);
	compare_window(xc, r.c);
	check_title(xc, r.c, "agenda \xe2\x80\x94 thin-client");
	/* a resize from outside: RESIZE to the server, then a redraw */
	uint32_t size[2] = {400, 300};
	xcb_configure_window(xc, tc_x11_window(r.c),
	                     XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, size);
	xcb_flush(xc);
	struct xp_msg m;
	assert_int_equal(tp_expect(&p, XP_OP_RESIZE, &m, true, T_MS), 1);
	assert_int_equal(m.u.resize.w, 400);
	assert_int_equal(m.u.resize.h, 300);
	assert_int_equal(tp_sync(&p, 2, T_MS), 0);
	compare_window(xc, r.c);
	end_dropped(&r, &p, xc);
}

static void test_pixels_shm(void **state)
{
	pixels(false);
}

static void test_pixels_putimage(void **state)
{
	pixels(true);
}

static uint8_t keycode_of(xcb_connection_t *xc, uint32_t keysym)
{
	const xcb_setup_t *s = xcb_get_setup(xc);
	uint8_t n = (uint8_t)(s->max_keycode - s->min_keycode + 1);
	xcb_get_keyboard_mapping_reply_t *r = xcb_get_keyboard_mapping_reply(
	    xc, xcb_get_keyboard_mapping(xc, s->min_keycode, n), NULL);
	assert_non_null(r);
	const xcb_keysym_t *ks = xcb_get_keyboard_mapping_keysyms(r);
	uint8_t found = 0;
	for (int i = 0; i < n && !found; i++)
		if (ks[i * r->keysyms_per_keycode] == keysym)
			found = (uint8_t)(s->min_keycode + i);
	free(r);
	assert_true(found != 0);
	return found;
}

static void send_event(xcb_connection_t *xc, xcb_window_t win, const void *ev)
{
	xcb_send_event(xc, 0, win, 0, ev);
	xcb_flush(xc);
}

static void key_event(xcb_connection_t *xc, xcb_window_t win, uint8_t type, uint8_t code,
                      uint16_t state)
{
	xcb_key_press_event_t ev = {.response_type = type,
	                            .detail = code,
	                            .event = win,
	                            .root = xcb_setup_roots_iterator(xcb_get_setup(xc)).data->root,
	                            .state = state,
	                            .same_screen = 1};
	send_event(xc, win, &ev);
}

static void expect_key(struct tp_peer *p, uint32_t state, uint32_t keysym, const char *text)
{
	assert_int_equal(tp_expect_key(p, state, keysym, text, true, T_MS), 0);
}

static void test_input(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct xp_msg m;
	xcb_connection_t *xc = begin(&r, &p, false, NULL);
	xcb_window_t win = tc_x11_window(r.c);
	uint8_t a = keycode_of(xc, 'a'), ret = keycode_of(xc, 0xff0d);
	key_event(xc, win, XCB_KEY_PRESS, a, 0);
	expect_key(&p, XP_KEY_PRESSED, 'a', "a");
	key_event(xc, win, XCB_KEY_PRESS, a, XCB_MOD_MASK_SHIFT);
	expect_key(&p, XP_KEY_PRESSED | XP_MOD_SHIFT, 'A', "A");
	key_event(xc, win, XCB_KEY_RELEASE, a, 0);
	expect_key(&p, 0, 'a', "");
	key_event(xc, win, XCB_KEY_PRESS, a, XCB_MOD_MASK_CONTROL);
	expect_key(&p, XP_KEY_PRESSED | XP_MOD_CONTROL, 'a', "");
	key_event(xc, win, XCB_KEY_PRESS, ret, 0);
	expect_key(&p, XP_KEY_PRESSED, 0xff0d, "");
	xcb_button_press_event_t b = {.response_type = XCB_BUTTON_PRESS,
	                              .detail = 4,
	                              .event = win,
	                              .event_x = 30,
	                              .event_y = 40,
	                              .same_screen = 1};
	send_event(xc, win, &b);
	assert_int_equal(tp_expect(&p, XP_OP_BUTTON, &m, true, T_MS), 1);
	assert_int_equal(m.u.button.state, XP_BUTTON_STATE(4, 1));
	assert_int_equal(m.u.button.x, 30);
	assert_int_equal(m.u.button.y, 40);
	/* the window manager's close button: a clean detach */
	xcb_intern_atom_reply_t *proto =
	    xcb_intern_atom_reply(xc, xcb_intern_atom(xc, 0, 12, "WM_PROTOCOLS"), NULL);
	xcb_intern_atom_reply_t *del =
	    xcb_intern_atom_reply(xc, xcb_intern_atom(xc, 0, 16, "WM_DELETE_WINDOW"), NULL);
	xcb_client_message_event_t cm = {
	    .response_type = XCB_CLIENT_MESSAGE, .format = 32, .window = win, .type = proto->atom};
	cm.data.data32[0] = del->atom;
	send_event(xc, win, &cm);
	free(proto);
	free(del);
	end_detached(&r, &p, xc);
}

/*
 * Its window destroyed by another X client (XDestroyWindow, as `xdotool
 * windowclose` does, no WM_DELETE_WINDOW): nothing is left to show or type
 * into, so the client detaches and ends as if the window had been closed,
 * rather than run on invisible, still counted by the server.
 */
static void test_window_destroyed(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	xcb_connection_t *xc = begin(&r, &p, false, NULL);
	xcb_destroy_window(xc, tc_x11_window(r.c));
	xcb_flush(xc);
	end_detached(&r, &p, xc);
}

/* Run setxkbmap LAYOUT on the test display; its exit status (127: it is
 * not installed). */
static int set_layout(const char *layout)
{
	const char *argv[] = {"setxkbmap", layout, NULL};
	return proc_run(argv, "/dev/null", T_MS);
}

/* A German layout: the keymap comes from the X server, so the key labelled
 * Y on a US keyboard gives z, and the one right of P gives u-umlaut. */
static void test_layout(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	xcb_connection_t *xc = begin(&r, &p, false, NULL);
	xcb_window_t win = tc_x11_window(r.c);
	uint8_t y = keycode_of(xc, 'y'), bracket = keycode_of(xc, '[');
	assert_int_equal(set_layout("de"), 0);
	key_event(xc, win, XCB_KEY_PRESS, y, 0);
	expect_key(&p, XP_KEY_PRESSED, 'z', "z");
	key_event(xc, win, XCB_KEY_PRESS, bracket, 0);
	expect_key(&p, XP_KEY_PRESSED, 0xfc, "\xc3\xbc");
	key_event(xc, win, XCB_KEY_PRESS, bracket, XCB_MOD_MASK_SHIFT);
	expect_key(&p, XP_KEY_PRESSED | XP_MOD_SHIFT, 0xdc, "\xc3\x9c");
	assert_int_equal(set_layout("us"), 0);
	end_dropped(&r, &p, xc);
}

static int setup(void **state)
{
	if (xvfb_start(&xvfb, 1024, 768, 10000) == 0)
		return 0;
	fprintf(stderr, "cannot start Xvfb%s\n",
	        xvfb_available() ? "" : ": not installed (tools/deps.sh installs xvfb)");
	return -1;
}

static int teardown(void **state)
{
	xvfb_stop(&xvfb);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pixels_shm), cmocka_unit_test(test_pixels_putimage),
	    cmocka_unit_test(test_input),      cmocka_unit_test(test_window_destroyed),
	    cmocka_unit_test(test_layout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
