/*
 * thin_client_test.c - the thin client in-process against a test peer over
 * loopback: a scene of windows, fills, text, copies, bitmaps and images
 * gives the pixels the reference model (tests/thinscene.h) gives; MARK/ACK
 * and PING/PONG; script input arrives with the right fields and script
 * waits hold it back; a read-only viewer sends no input; hostile streams
 * end the client with a clear message; --reconnect rebuilds. The program
 * as a process is tests/thin_process_test.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testpeer.h"
#include "thin.h"
#include "thinrun.h"
#include "thinscene.h"
#include "xdraw.h"
#include "xproto.h"
#include "xrender.h"

#define T_MS 10000 /* a deadline: only a failing wait reaches it */

static struct tc_options headless_opts(const struct tp_peer *p)
{
	return (struct tc_options){.addr = p->addr,
	                           .cookie_path = p->cookie_path,
	                           .headless = true,
	                           .width = TS_SCREEN_W,
	                           .height = TS_SCREEN_H};
}

/* ---- the test scene --------------------------------------------------- */

static void gradient(uint8_t *rgb, int w, int h, int seed)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t *p = rgb + ((size_t)y * w + x) * 3;
			p[0] = (uint8_t)(x * 255 / (w - 1));
			p[1] = (uint8_t)(y * 255 / (h - 1));
			p[2] = (uint8_t)(seed * 60 + (x ^ y) * 4);
		}
}

/* Encode raw RGB as @format (ZLIB or PNG) through the renderer. */
static uint8_t *encode(const uint8_t *rgb, int w, int h, int format, size_t *n)
{
	struct xr_fb fb;
	struct xr_rect d;
	uint8_t *out = NULL;
	assert_int_equal(xr_fb_init(&fb, w, h), 0);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, w, h, XR_IMG_RAW, rgb, (size_t)w * h * 3, &d),
	                 0);
	if (format == XR_IMG_ZLIB)
		assert_int_equal(xr_encode_zlib(&fb, (struct xr_rect){0, 0, w, h}, 6, &out, n), 0);
	else
		assert_int_equal(xr_encode_png(&fb, (struct xr_rect){0, 0, w, h}, 6, &out, n), 0);
	xr_fb_finish(&fb);
	return out;
}

static void scene_text_and_fills(struct ts_scene *s)
{
	static const struct xp_rect rects[] = {
	    {96, 34, 10, 10}, {110, 38, 10, 10}, {124, 42, 10, 10}};
	ts_gc(s, 0xeceff4, 0x3b4252, 0, 0);
	ts_text(s, 4, 4, "Hello, xproto \xe2\x94\x80 thin-client");
	ts_gc(s, 0xebcb8b, 0x3b4252, 1, 0);
	ts_text(s, 4, 18, "Latin-1: \xc3\xa0\xc3\xa9\xc3\xae\xc3\xb5\xc3\xbc \xc3\x9f");
	ts_gc(s, 0x88c0d0, 0x000000, 0, 0);
	ts_fill(s, 4, 34, 80, 20);
	ts_fill_rects(s, rects, 3);
}

static void scene_scroll_and_bitmap(struct ts_scene *s)
{
	static const uint8_t checker[32] = {0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
	                                    0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f,
	                                    0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
	                                    0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f};
	ts_gc(s, 0xa3be8c, 0x2e3440, 0, 0);
	ts_text(s, 4, 60, "line 1: scrolled away");
	ts_text(s, 4, 73, "line 2: now first");
	ts_text(s, 4, 86, "line 3: now second");
	ts_copy(s, 0, 73, 200, 26, 0, 60); /* scroll up one text line */
	ts_gc(s, 0x3b4252, 0x3b4252, 0, 0);
	ts_fill(s, 0, 86, 200, 13);
	ts_gc(s, 0xbf616a, 0x000000, 0, XP_GC_TRANSPARENT);
	ts_bitmap(s, 176, 4, 16, 16, checker, sizeof(checker));
	ts_gc(s, 0x5e81ac, 0xffffff, 0, 0);
	ts_bitmap(s, 176, 22, 16, 16, checker, sizeof(checker));
	ts_gc(s, 0x8fbcbb, 0, 0, 0);
	ts_clip(s, 4, 104, 60, 20);
	ts_fill(s, 0, 100, 200, 40); /* only the clip rectangle */
	ts_clip(s, 0, 0, 0, 0);
}

static void scene_images(struct ts_scene *s)
{
	uint8_t raw[16 * 16 * 3], raw2[16 * 16 * 3], raw3[16 * 16 * 3];
	size_t nz, np;
	gradient(raw, 16, 16, 0);
	gradient(raw2, 16, 16, 1);
	gradient(raw3, 16, 16, 2);
	uint8_t *z = encode(raw2, 16, 16, XR_IMG_ZLIB, &nz);
	uint8_t *png = encode(raw3, 16, 16, XR_IMG_PNG, &np);
	ts_image(s, 70, 104, 16, 16, XR_IMG_RAW, 0, raw, sizeof(raw));
	ts_image(s, 90, 104, 16, 16, XR_IMG_ZLIB, 0, z, nz);
	ts_image(s, 110, 104, 16, 16, XR_IMG_PNG, 7, png, np);
	ts_image_cached(s, 130, 104, 7);
	ts_image_cached(s, 192, 130, 7); /* cut by the window edge */
	free(z);
	free(png);
}

static void send_scene(struct ts_scene *s)
{
	ts_create(s, 1, 8, 8, 200, 140, 0x3b4252);
	ts_win(s, XP_OP_WIN_MAP, 1);
	ts_create(s, 2, 150, 90, 140, 100, 0xbf616a);
	ts_win(s, XP_OP_WIN_MAP, 2);
	ts_create(s, 3, 100, 100, 50, 50, 0xffff00); /* never mapped */
	ts_create(s, 4, 0, 0, 320, 240, 0xff00ff);
	ts_win(s, XP_OP_WIN_MAP, 4);
	ts_win(s, XP_OP_WIN_DESTROY, 4);
	ts_target(s, 1);
	scene_text_and_fills(s);
	scene_scroll_and_bitmap(s);
	scene_images(s);
	ts_target(s, 2);
	ts_gc(s, 0xffffff, 0xbf616a, 0, 0);
	ts_text(s, 4, 4, "window 2");
	ts_configure(s, 2, XP_CONF_MOVE | XP_CONF_RESIZE, 140, 100, 170, 130);
	ts_text(s, 4, 110, "resized");
	ts_configure(s, 1, XP_CONF_RAISE, 0, 0, 0, 0);
}

/*
 * @shot is @expect but for the box saying the connection was lost (the
 * connection ended): what differs is one rectangle of text on the box's red.
 */
static void expect_same_but_lost_box(const struct xr_fb *shot, const struct xr_fb *expect)
{
	int x0 = shot->w, y0 = shot->h, x1 = -1, y1 = -1;
	long red = 0;
	for (int y = 0; y < shot->h; y++)
		for (int x = 0; x < shot->w; x++) {
			uint32_t a = shot->px[y * shot->stride + x] & 0xffffff;
			if (a == (expect->px[y * expect->stride + x] & 0xffffff))
				continue;
			x0 = x < x0 ? x : x0, y0 = y < y0 ? y : y0;
			x1 = x > x1 ? x : x1, y1 = y > y1 ? y : y1;
			red += a == 0x7a2424; /* thin-client/status.c: given up */
		}
	assert_true(x1 >= 0); /* the box is there */
	assert_true(y1 - y0 < 60 && x1 - x0 < shot->w);
	assert_true(red > (long)(x1 - x0) * (y1 - y0) / 2);
}

static void test_scene(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct ts_scene s = {.p = &p};
	struct xr_fb expect;
	xd_state_init(&s.st); /* a new connection */
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	assert_int_equal(p.role, XP_ROLE_CLIENT);
	assert_true(p.flags & XP_FLAG_ZLIB);
	assert_int_equal(p.hello_w, TS_SCREEN_W);
	assert_int_equal(p.hello_h, TS_SCREEN_H);
	send_scene(&s);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	tp_drop(&p);
	assert_int_equal(tr_join(&r, T_MS), 1);
	assert_non_null(strstr(tc_last_error(r.c), "connection lost"));
	ts_screen(&s, &expect, TS_SCREEN_W, TS_SCREEN_H);
	assert_true(xr_fb_equal(tc_window_fb(r.c, 1), &s.w[1].fb));
	assert_true(xr_fb_equal(tc_window_fb(r.c, 2), &s.w[2].fb));
	assert_true(xr_fb_equal(tc_window_fb(r.c, 3), &s.w[3].fb));
	assert_null(tc_window_fb(r.c, 4));
	assert_int_equal(xr_png_write_file(tc_screen(r.c), "build/thin-scene.png"), 0);
	expect_same_but_lost_box(tc_screen(r.c), &expect);
	xr_fb_finish(&expect);
	ts_scene_finish(&s);
	tr_destroy(&r);
	tp_finish(&p);
}

/* ---- MARK/ACK, PING/PONG ------------------------------------------------ */

static void test_mark_ping(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct xp_msg m = {.op = XP_OP_PING};
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, false, T_MS), 0);
	m.u.ping.seq = 42;
	m.u.ping.time_us = 123456789;
	assert_int_equal(tp_send(&p, &m), 0);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	assert_int_equal(tp_expect(&p, XP_OP_PONG, &m, true, T_MS), 1);
	assert_int_equal(m.u.pong.seq, 42);
	assert_int_equal(m.u.pong.time_us, 123456789);
	for (uint32_t i = 1; i <= 3; i++)
		assert_int_equal(tp_sync(&p, i * 10, T_MS), 0);
	/* idle (only PING and MARK arrived): no PING of its own for 2.5 s */
	assert_int_equal(tp_next(&p, &m, false, 2500), 0);
	/* in use (a server message that is not PING/PONG/MARK): it pings on its
	 * own (2 s after its last PING), answered by tp_next, counted by stats */
	m = (struct xp_msg){.op = XP_OP_SYNC};
	assert_int_equal(tp_send(&p, &m), 0);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	assert_int_equal(tp_next(&p, &m, false, T_MS), 1);
	assert_int_equal(m.op, XP_OP_PING);
	tp_drop(&p);
	assert_int_equal(tr_join(&r, T_MS), 1);
	tr_destroy(&r);
	tp_finish(&p);
}

/* ---- input from a script ------------------------------------------------- */

static const char input_script[] = "# every kind of input\n"
                                   "key Return\n"
                                   "key c ctrl\n"
                                   "type h\xc3\xa9 A\n"
                                   "click 10 20 3\n"
                                   "move 5 6\n"
                                   "resize 400 300\n"
                                   "launch clock\n"
                                   "apps\n"
                                   "quit\n";

static void expect_key(struct tp_peer *p, uint32_t state, uint32_t keysym, const char *text)
{
	assert_int_equal(tp_expect_key(p, state, keysym, text, false, T_MS), 0);
}

static void expect_press_release(struct tp_peer *p, uint32_t mods, uint32_t keysym,
                                 const char *text)
{
	expect_key(p, mods | XP_KEY_PRESSED, keysym, text);
	expect_key(p, mods, keysym, "");
}

static void expect_pointer(struct tp_peer *p)
{
	struct xp_msg m;
	assert_int_equal(tp_expect(p, XP_OP_MOTION, &m, false, T_MS), 1);
	assert_int_equal(m.u.motion.x, 10);
	assert_int_equal(m.u.motion.y, 20);
	assert_int_equal(tp_expect(p, XP_OP_BUTTON, &m, false, T_MS), 1);
	assert_int_equal(m.u.button.state, XP_BUTTON_STATE(3, 1));
	assert_int_equal(m.u.button.x, 10);
	assert_int_equal(m.u.button.y, 20);
	assert_int_equal(tp_expect(p, XP_OP_BUTTON, &m, false, T_MS), 1);
	assert_int_equal(m.u.button.state, XP_BUTTON_STATE(3, 0));
	assert_int_equal(tp_expect(p, XP_OP_MOTION, &m, false, T_MS), 1);
	assert_int_equal(m.u.motion.x, 5);
	assert_int_equal(m.u.motion.y, 6);
}

static void test_script_input(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct xp_msg m;
	char err[256], app[32];
	struct tc_script *sc = tc_script_parse(input_script, "input", err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.script = sc;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	expect_press_release(&p, 0, 0xff0d, "");
	expect_press_release(&p, XP_MOD_CONTROL, 'c', "");
	expect_press_release(&p, 0, 'h', "h");
	expect_press_release(&p, 0, 0xe9, "\xc3\xa9");
	expect_press_release(&p, 0, ' ', " ");
	expect_press_release(&p, 0, 'A', "A");
	expect_pointer(&p);
	assert_int_equal(tp_expect(&p, XP_OP_RESIZE, &m, false, T_MS), 1);
	assert_int_equal(m.u.resize.w, 400);
	assert_int_equal(m.u.resize.h, 300);
	assert_int_equal(tp_expect(&p, XP_OP_APP_LAUNCH, &m, false, T_MS), 1);
	xp_str_copy(app, sizeof(app), m.u.app_launch.app);
	assert_string_equal(app, "clock");
	assert_int_equal(tp_expect(&p, XP_OP_APP_LIST, &m, false, T_MS), 1);
	assert_int_equal(tp_wait_eof(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 0);
	assert_int_equal(tc_screen(r.c)->w, 400);
	assert_int_equal(tc_screen(r.c)->h, 300);
	tr_destroy(&r);
	tc_script_destroy(sc);
	tp_finish(&p);
}

/* Server side: window @win mapped and focused, created with @flags. */
static void focused_window(struct tp_peer *p, uint32_t win, uint32_t flags)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	m.u.win_create = (struct xp_msg_win_create){win, 0, 0, 100, 50, flags, 0};
	assert_int_equal(tp_send(p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_WIN_MAP, .u.win_map.win = win};
	assert_int_equal(tp_send(p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_WIN_FOCUS, .u.win_focus = {win, 1}};
	assert_int_equal(tp_send(p, &m), 0);
	assert_int_equal(tp_flush(p, T_MS), 0);
}

/* The next message is KEY @state @keysym. */
static void next_key(struct tp_peer *p, uint32_t state, uint32_t keysym)
{
	struct xp_msg m;
	assert_int_equal(tp_expect(p, XP_OP_KEY, &m, false, T_MS), 1);
	assert_int_equal(m.u.key.state, state);
	assert_int_equal(m.u.key.keysym, keysym);
}

/* A window created with XP_WIN_NO_KEY_RELEASE costs no release per key. */
static void test_key_releases(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	char err[256];
	struct tc_script *sc = tc_script_parse("wait-windows 1\nkey a\nwait-windows 2\nkey b\n"
	                                       "quit\n",
	                                       "keys", err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.script = sc;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	focused_window(&p, 1, XP_WIN_NO_KEY_RELEASE);
	next_key(&p, XP_KEY_PRESSED, 'a');
	focused_window(&p, 2, 0);
	next_key(&p, XP_KEY_PRESSED, 'b'); /* no release of a before it */
	next_key(&p, 0, 'b');
	assert_int_equal(tp_wait_eof(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 0);
	tr_destroy(&r);
	tc_script_destroy(sc);
	tp_finish(&p);
}

static void test_read_only(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct xp_msg m;
	char err[256];
	struct tc_script *sc = tc_script_parse(input_script, "input", err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.script = sc;
	o.read_only = true;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	assert_int_equal(p.role, XP_ROLE_VIEWER);
	int n = 0, r2;
	while ((r2 = tp_next(&p, &m, true, T_MS)) == 1 && n++ < 100)
		assert_int_equal(m.op, XP_OP_APP_LIST); /* a question, not input */
	assert_int_equal(r2, -1);                       /* EOF: the script ended */
	/* at its launch, which a viewer cannot make: status 1, not a success */
	assert_int_equal(tr_join(&r, T_MS), 1);
	tr_destroy(&r);
	tc_script_destroy(sc);
	tp_finish(&p);
}

/* ---- script waits on a condition: sync, wait-pixel ------------------------ */

/*
 * For @ms, the client may send PINGs only (answered when @answer, else
 * kept in @pings, up to 8): it is waiting. A window that cannot fail the
 * test when the client is slow, only when it goes on too early.
 */
static int only_pings(struct tp_peer *p, int ms, bool answer, struct xp_msg *pings)
{
	struct xp_msg m;
	int n = 0, r;
	while ((r = tp_next(p, &m, answer, ms)) == 1) {
		assert_int_equal(m.op, XP_OP_PING);
		assert_true(n < 8);
		pings[n++] = m;
	}
	assert_int_equal(r, 0);
	return n;
}

static void test_script_sync(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct xp_msg m, pings[8];
	char err[256];
	struct tc_script *sc = tc_script_parse("sync\nkey a\nquit\n", "sync", err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.script = sc;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	/* no key while its PING is unanswered; the PONG lets it go on */
	int n = only_pings(&p, 500, false, pings);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		m = (struct xp_msg){.op = XP_OP_PONG};
		m.u.pong = (struct xp_msg_pong){pings[i].u.ping.seq, pings[i].u.ping.time_us};
		assert_int_equal(tp_send(&p, &m), 0);
	}
	assert_int_equal(tp_flush(&p, T_MS), 0);
	expect_press_release(&p, 0, 'a', "a");
	assert_int_equal(tp_wait_eof(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 0);
	tr_destroy(&r);
	tc_script_destroy(sc);
	tp_finish(&p);
}

static void test_script_wait_pixel(void **state)
{
	static const char script[] = "wait-pixel 40 30 00ff80\nkey b\n"
	                             "wait-pixel 40 30 !00ff80\nkey c\nquit\n";
	struct tp_peer p;
	struct tr_run r;
	struct ts_scene s = {.p = &p};
	struct xp_msg pings[8];
	char err[256];
	struct tc_script *sc = tc_script_parse(script, "pixel", err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.script = sc;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	only_pings(&p, 300, true, pings); /* the pixel is the desktop's */
	ts_create(&s, 1, 30, 20, 64, 48, 0x00ff80);
	ts_win(&s, XP_OP_WIN_MAP, 1);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	expect_press_release(&p, 0, 'b', "b");
	only_pings(&p, 300, true, pings); /* still that colour */
	ts_win(&s, XP_OP_WIN_UNMAP, 1);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	expect_press_release(&p, 0, 'c', "c");
	assert_int_equal(tp_wait_eof(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 0);
	tr_destroy(&r);
	ts_scene_finish(&s);
	tc_script_destroy(sc);
	tp_finish(&p);
}

/* ---- hostile streams ------------------------------------------------------ */

struct bad_case {
	const char *name;
	bool zlib;
	void (*send)(struct tp_peer *p);
	const char *expect; /* in tc_last_error() */
	bool error_reply;   /* the client answers with ERROR */
};

static void win1(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	m.u.win_create = (struct xp_msg_win_create){.win = 1, .w = 50, .h = 40, .bg = 0x102030};
	assert_int_equal(tp_send(p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_TARGET};
	m.u.target.win = 1;
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_garbage(struct tp_peer *p)
{
	assert_int_equal(tp_send_garbage(p), 0);
}

static void bad_unknown_window(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_TARGET};
	m.u.target.win = 99;
	assert_int_equal(tp_send(p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){0, 0, 10, 10};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_huge_window(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	m.u.win_create = (struct xp_msg_win_create){.win = 1, .w = 9000, .h = 10};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_image(struct tp_peer *p)
{
	static const uint8_t five[5] = {1, 2, 3, 4, 5};
	struct xp_msg m = {.op = XP_OP_IMAGE};
	win1(p);
	m.u.image = (struct xp_msg_image){0, 0, 10, 10, XP_IMG_RAW, 0, {five, 5}};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_cache_id(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_IMAGE_CACHED};
	win1(p);
	m.u.image_cached = (struct xp_msg_image_cached){0, 0, 5};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_bitmap(struct tp_peer *p)
{
	static const uint8_t two[2] = {0xff, 0xff};
	struct xp_msg m = {.op = XP_OP_BITMAP};
	win1(p);
	m.u.bitmap = (struct xp_msg_bitmap){0, 0, 16, 16, {two, 2}};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_duplicate(struct tp_peer *p)
{
	win1(p);
	win1(p);
}

static void bad_input_op(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_KEY};
	m.u.key = (struct xp_msg_key){1, 'a', xp_str_from("a")};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_server_error(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_ERROR};
	m.u.error = (struct xp_msg_error){XP_ERR_AUTH, 0, xp_str_from("go away")};
	assert_int_equal(tp_send(p, &m), 0);
}

/* A non-fatal error (SPEC.md section 8) first: the client must go on. */
static void bad_server_error_after_benign(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_ERROR};
	m.u.error = (struct xp_msg_error){XP_ERR_NO_APP, XP_OP_APP_LAUNCH, xp_str_from("no app x")};
	assert_int_equal(tp_send(p, &m), 0);
	assert_int_equal(tp_sync(p, 1, T_MS), 0); /* still there */
	bad_server_error(p);
}

static void bad_cursor(struct tp_peer *p)
{
	static const uint8_t px[4] = {0x10, 0x20, 0, 0}; /* red above alpha */
	struct xp_msg m = {.op = XP_OP_CURSOR};
	m.u.cursor = (struct xp_msg_cursor){1, 1, 1, 0, 0, XP_CURSOR_ARGB, 0, 0, {px, 4}};
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_win_cursor(struct tp_peer *p)
{
	struct xp_msg m = {.op = XP_OP_WIN_CURSOR, .u.win_cursor = {1, 3}};
	win1(p);
	assert_int_equal(tp_send(p, &m), 0);
}

static void bad_truncated(struct tp_peer *p)
{
	static const uint8_t half[] = {XP_OP_FILL, 10, 0x02};
	assert_int_equal(tp_send_raw(p, half, sizeof(half)), 0);
}

static const struct bad_case bad_cases[] = {
    {"garbage", false, bad_garbage, "protocol error: unknown opcode", true},
    {"garbage in zlib", true, bad_garbage, "protocol error: compressed stream corrupt", true},
    {"unknown window", true, bad_unknown_window, "target window 99 does not exist", true},
    {"oversized window", true, bad_huge_window, "window size 9000x10", true},
    {"bad image", true, bad_image, "bad 10x10 image data", true},
    {"unknown cache id", true, bad_cache_id, "unknown cache id 5", true},
    {"short bitmap", true, bad_bitmap, "BITMAP: 2 bytes too short", true},
    {"duplicate window", true, bad_duplicate, "window 1 exists", true},
    {"bad cursor", true, bad_cursor, "CURSOR: a colour above its alpha", true},
    {"undefined cursor", true, bad_win_cursor, "cursor 3 was never defined", true},
    {"input op", true, bad_input_op, "KEY is not allowed", true},
    {"server error", true, bad_server_error, "server error: go away", false},
    {"benign error", true, bad_server_error_after_benign, "server error: go away", false},
    /* the peer hangs up with FIN (tp_hangup): a PING of the client's in
     * flight cannot turn the end into a reset */
    {"truncated", false, bad_truncated, "connection lost: connection closed", false},
};

static void run_bad_case(const struct bad_case *bc)
{
	struct tp_peer p;
	struct tr_run r;
	struct xp_msg m;
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, bc->zlib, T_MS), 0);
	bc->send(&p);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	if (bc->error_reply)
		assert_int_equal(tp_expect(&p, XP_OP_ERROR, &m, true, T_MS), 1);
	else if (!strcmp(bc->name, "truncated"))
		assert_int_equal(tp_hangup(&p, T_MS), 0); /* the client sees the end */
	assert_int_equal(tr_join(&r, T_MS), 1);
	if (!strstr(tc_last_error(r.c), bc->expect))
		fail_msg("%s: got '%s', want '%s'", bc->name, tc_last_error(r.c), bc->expect);
	tr_destroy(&r);
	tp_finish(&p);
}

static void test_hostile(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		run_bad_case(&bad_cases[i]);
}

/* Windows and drawing at the ends of the coordinate range: no error, no
 * overflow (UBSan watches), nothing drawn outside. The largest windows are
 * 8192 wide or high, not both: a 256 MiB window took seconds to fault in
 * on the test machine (twice, the reference model has one too), long
 * enough under load to miss a deadline. */
static void test_extreme_coordinates(void **state)
{
	static const uint8_t rgb[4 * 4 * 3] = {0};
	struct tp_peer p;
	struct tr_run r;
	struct ts_scene s = {.p = &p};
	struct xp_msg m;
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	ts_create(&s, 1, INT32_MAX - 5, INT32_MIN, 100, 100, 0x112233);
	ts_win(&s, XP_OP_WIN_MAP, 1);
	ts_create(&s, 2, INT32_MIN, INT32_MAX, 8192, 16, 0x445566);
	ts_win(&s, XP_OP_WIN_MAP, 2);
	ts_create(&s, 3, INT32_MAX - 5, INT32_MAX - 5, 16, 8192, 0x778899);
	ts_win(&s, XP_OP_WIN_MAP, 3);
	ts_target(&s, 1);
	ts_fill(&s, INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX);
	ts_copy(&s, INT32_MAX, INT32_MIN, UINT32_MAX, 5, INT32_MIN, INT32_MAX);
	ts_image(&s, 0, 0, 4, 4, XR_IMG_RAW, 9, rgb, sizeof(rgb));
	m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {INT32_MIN, INT32_MAX, 9}};
	assert_int_equal(tp_send(&p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {INT32_MAX, INT32_MIN, 9}};
	assert_int_equal(tp_send(&p, &m), 0);
	ts_clip(&s, INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX);
	ts_text(&s, INT32_MAX - 3, 0, "overflow?");
	ts_configure(&s, 1, XP_CONF_MOVE, INT32_MIN, INT32_MIN, 0, 0);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	assert_int_equal(tp_hangup(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 1);
	assert_non_null(strstr(tc_last_error(r.c), "connection closed"));
	struct xr_fb desktop;
	assert_int_equal(xr_fb_init(&desktop, TS_SCREEN_W, TS_SCREEN_H), 0);
	xr_fill(&desktop, NULL, 0, 0, TS_SCREEN_W, TS_SCREEN_H, TS_DESKTOP);
	expect_same_but_lost_box(tc_screen(r.c), &desktop); /* nothing on screen but the box */
	xr_fb_finish(&desktop);
	ts_scene_finish(&s);
	tr_destroy(&r);
	tp_finish(&p);
}

/* ---- reconnect ------------------------------------------------------------ */

static void test_reconnect(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct ts_scene s1 = {.p = &p}, s2 = {.p = &p};
	struct xr_fb expect;
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.reconnect = true;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	ts_create(&s1, 1, 10, 10, 100, 80, 0x336699);
	ts_win(&s1, XP_OP_WIN_MAP, 1);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	tp_drop(&p); /* the server goes away: the client must come back */
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	ts_create(&s2, 2, 50, 40, 120, 90, 0x996633);
	ts_win(&s2, XP_OP_WIN_MAP, 2);
	ts_target(&s2, 2);
	ts_gc(&s2, 0xffffff, 0x996633, 0, 0);
	ts_text(&s2, 2, 2, "rebuilt");
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	/* the client is idle in poll() now: its screen is stable */
	assert_int_equal(tc_connects(r.c), 2);
	assert_null(tc_window_fb(r.c, 1));
	ts_screen(&s2, &expect, TS_SCREEN_W, TS_SCREEN_H);
	assert_true(xr_fb_equal(tc_screen(r.c), &expect));
	tc_client_stop(r.c);
	assert_int_equal(tr_join(&r, T_MS), 0);
	xr_fb_finish(&expect);
	ts_scene_finish(&s1);
	ts_scene_finish(&s2);
	tr_destroy(&r);
	tp_finish(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scene),
	    cmocka_unit_test(test_mark_ping),
	    cmocka_unit_test(test_key_releases),
	    cmocka_unit_test(test_script_input),
	    cmocka_unit_test(test_read_only),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_extreme_coordinates),
	    cmocka_unit_test(test_reconnect),
	    cmocka_unit_test(test_script_sync),
	    cmocka_unit_test(test_script_wait_pixel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
