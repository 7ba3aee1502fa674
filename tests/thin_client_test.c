/*
 * thin_client_test.c - the thin client against a test peer over loopback:
 * a scene of windows, fills, text, copies, bitmaps and images gives the
 * pixels libxpdraw gives when the same messages are applied locally;
 * MARK/ACK and PING/PONG; script input arrives with the right fields; a
 * read-only viewer sends no input; hostile streams end the client with a
 * clear message (in-process and as a process); --reconnect rebuilds.
 */
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "proc.h"
#include "testpeer.h"
#include "thinrun.h"
#include "thin.h"
#include "xdraw.h"
#include "xproto.h"
#include "xrender.h"

#define T_MS     10000 /* a deadline: only a failing wait reaches it */
#define SCREEN_W 320
#define SCREEN_H 240
#define DESKTOP  0x202428u

static struct tc_options headless_opts(const struct tp_peer *p)
{
	return (struct tc_options){.addr = p->addr,
	                           .cookie_path = p->cookie_path,
	                           .headless = true,
	                           .width = SCREEN_W,
	                           .height = SCREEN_H};
}

/* ---- the reference model: the same messages applied locally ----------- */

/*
 * The windows as the client should hold them. Drawing messages are applied
 * with libxpdraw, as the client applies them (tests/draw_test.c checks
 * libxpdraw against the renderer): what this test checks is that they reach
 * the client intact through framing, zlib, dispatch and the window table.
 */
struct ref_win {
	struct xr_fb fb;
	int x, y;
	uint32_t bg;
	bool mapped, exists;
};

struct ref_image {
	uint32_t id; /* 0: free */
	struct xr_fb fb;
};

struct scene {
	struct tp_peer *p;
	struct ref_win w[8]; /* by window id */
	int order[8], n;     /* stacking order, bottom first */
	struct xd_state st;  /* the drawing state the client should hold */
	struct ref_image img[4];
};

static struct xr_fb *ref_fb(struct scene *s)
{
	assert_true(s->st.target < 8 && s->w[s->st.target].exists);
	return &s->w[s->st.target].fb;
}

static struct ref_image *ref_slot(struct scene *s, uint32_t id)
{
	for (int i = 0; i < 4; i++)
		if (s->img[i].id == id)
			return &s->img[i];
	return NULL;
}

static const struct xr_fb *ref_keep(void *ctx, uint32_t id, struct xr_fb *img, struct xp_error *err)
{
	struct ref_image *slot = ref_slot(ctx, id);
	(void)err;
	if (!slot)
		slot = ref_slot(ctx, 0);
	assert_non_null(slot);
	xr_fb_finish(&slot->fb);
	*slot = (struct ref_image){id, *img};
	*img = (struct xr_fb){0};
	return &slot->fb;
}

static const struct xr_fb *ref_find(void *ctx, uint32_t id)
{
	struct ref_image *slot = id ? ref_slot(ctx, id) : NULL;
	return slot ? &slot->fb : NULL;
}

static void ref_drop(void *ctx, uint32_t id)
{
	struct ref_image *slot = id ? ref_slot(ctx, id) : NULL;
	if (slot) {
		xr_fb_finish(&slot->fb);
		slot->id = 0;
	}
}

static void send_msg(struct scene *s, struct xp_msg *m)
{
	assert_int_equal(tp_send(s->p, m), 0);
}

static void s_raise(struct scene *s, int id)
{
	int k = 0;
	for (int i = 0; i < s->n; i++)
		if (s->order[i] != id)
			s->order[k++] = s->order[i];
	s->order[k++] = id;
	s->n = k;
}

static void s_create(struct scene *s, int id, int x, int y, int w, int h, uint32_t bg)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	m.u.win_create = (struct xp_msg_win_create){
	    .win = (uint32_t)id, .x = x, .y = y, .w = (uint32_t)w, .h = (uint32_t)h, .bg = bg};
	send_msg(s, &m);
	assert_int_equal(xr_fb_init(&s->w[id].fb, w, h), 0);
	xr_fill(&s->w[id].fb, NULL, 0, 0, w, h, bg);
	s->w[id].x = x;
	s->w[id].y = y;
	s->w[id].bg = bg;
	s->w[id].exists = true;
	s->order[s->n++] = id;
}

static void s_win(struct scene *s, uint8_t op, int id)
{
	struct xp_msg m = {.op = op};
	m.u.win_map.win = (uint32_t)id; /* all these messages are { win } */
	send_msg(s, &m);
	if (op == XP_OP_WIN_MAP) {
		s->w[id].mapped = true;
		s_raise(s, id);
	} else if (op == XP_OP_WIN_UNMAP) {
		s->w[id].mapped = false;
	} else if (op == XP_OP_WIN_DESTROY) {
		xr_fb_finish(&s->w[id].fb);
		s->w[id] = (struct ref_win){0};
		int k = 0;
		for (int i = 0; i < s->n; i++)
			if (s->order[i] != id)
				s->order[k++] = s->order[i];
		s->n = k;
	}
}

static void s_configure(struct scene *s, int id, uint32_t mask, int x, int y, int w, int h)
{
	struct xp_msg m = {.op = XP_OP_WIN_CONFIGURE};
	m.u.win_configure =
	    (struct xp_msg_win_configure){(uint32_t)id, mask, x, y, (uint32_t)w, (uint32_t)h};
	send_msg(s, &m);
	if (mask & XP_CONF_RESIZE)
		assert_int_equal(xr_fb_resize(&s->w[id].fb, w, h, s->w[id].bg), 0);
	if (mask & XP_CONF_MOVE) {
		s->w[id].x = x;
		s->w[id].y = y;
	}
	if (mask & XP_CONF_RAISE)
		s_raise(s, id);
}

/* Send drawing message @m and apply it to the reference. */
static void s_draw(struct scene *s, const struct xp_msg *m)
{
	struct xd_cache cache = {s, ref_keep, ref_find, ref_drop};
	struct xp_error err = {0};
	struct xr_rect d;
	assert_int_equal(tp_send(s->p, m), 0);
	if (xd_kind(m->op) == XD_STATE)
		assert_int_equal(xd_state_update(&s->st, m, &err), 0);
	else
		assert_int_equal(xd_apply(xd_kind(m->op) == XD_DRAW ? ref_fb(s) : NULL, &s->st, m,
		                          &cache, &d, &err),
		                 0);
}

static void s_target(struct scene *s, int id)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_TARGET, .u.target = {(uint32_t)id}});
}

static void s_gc(struct scene *s, uint32_t fg, uint32_t bg, uint32_t font, uint32_t flags)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_GC, .u.gc = {fg, bg, font, flags}});
}

static void s_clip(struct scene *s, int x, int y, int w, int h)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_CLIP, .u.clip = {x, y, (uint32_t)w, (uint32_t)h}});
}

static void s_fill(struct scene *s, int x, int y, int w, int h)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_FILL, .u.fill = {x, y, (uint32_t)w, (uint32_t)h}});
}

static void s_fill_rects(struct scene *s, const struct xp_rect *r, uint32_t n)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_FILL_RECTS, .u.fill_rects.rects = {n, r}});
}

static void s_text(struct scene *s, int x, int y, const char *text)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_TEXT, .u.text = {x, y, xp_str_from(text)}});
}

static void s_copy(struct scene *s, int sx, int sy, int w, int h, int dx, int dy)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_COPY,
	                           .u.copy = {sx, sy, (uint32_t)w, (uint32_t)h, dx, dy}});
}

static void s_bitmap(struct scene *s, int x, int y, int w, int h, const uint8_t *bits, size_t n)
{
	s_draw(s,
	       &(struct xp_msg){.op = XP_OP_BITMAP,
	                        .u.bitmap = {x, y, (uint32_t)w, (uint32_t)h, {bits, (uint32_t)n}}});
}

static void s_image(struct scene *s, int x, int y, int w, int h, int format, uint32_t cache_id,
                    const uint8_t *data, size_t n)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_IMAGE,
	                           .u.image = {x,
	                                       y,
	                                       (uint32_t)w,
	                                       (uint32_t)h,
	                                       (uint8_t)format,
	                                       cache_id,
	                                       {data, (uint32_t)n}}});
}

static void s_image_cached(struct scene *s, int x, int y, uint32_t id)
{
	s_draw(s, &(struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {x, y, id}});
}

static void ref_screen(struct scene *s, struct xr_fb *out, int w, int h)
{
	assert_int_equal(xr_fb_init(out, w, h), 0);
	xr_fill(out, NULL, 0, 0, w, h, DESKTOP);
	for (int i = 0; i < s->n; i++) {
		struct ref_win *rw = &s->w[s->order[i]];
		if (!rw->mapped)
			continue;
		for (int y = 0; y < rw->fb.h; y++)
			for (int x = 0; x < rw->fb.w; x++) {
				int sx = rw->x + x, sy = rw->y + y;
				if (sx >= 0 && sy >= 0 && sx < w && sy < h)
					out->px[sy * out->stride + sx] =
					    rw->fb.px[y * rw->fb.stride + x];
			}
	}
}

static void scene_finish(struct scene *s)
{
	for (int i = 0; i < 8; i++)
		xr_fb_finish(&s->w[i].fb);
	for (int i = 0; i < 4; i++)
		xr_fb_finish(&s->img[i].fb);
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

static void scene_text_and_fills(struct scene *s)
{
	static const struct xp_rect rects[] = {
	    {96, 34, 10, 10}, {110, 38, 10, 10}, {124, 42, 10, 10}};
	s_gc(s, 0xeceff4, 0x3b4252, 0, 0);
	s_text(s, 4, 4, "Hello, xproto \xe2\x94\x80 thin-client");
	s_gc(s, 0xebcb8b, 0x3b4252, 1, 0);
	s_text(s, 4, 18, "Latin-1: \xc3\xa0\xc3\xa9\xc3\xae\xc3\xb5\xc3\xbc \xc3\x9f");
	s_gc(s, 0x88c0d0, 0x000000, 0, 0);
	s_fill(s, 4, 34, 80, 20);
	s_fill_rects(s, rects, 3);
}

static void scene_scroll_and_bitmap(struct scene *s)
{
	static const uint8_t checker[32] = {0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
	                                    0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f,
	                                    0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
	                                    0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f};
	s_gc(s, 0xa3be8c, 0x2e3440, 0, 0);
	s_text(s, 4, 60, "line 1: scrolled away");
	s_text(s, 4, 73, "line 2: now first");
	s_text(s, 4, 86, "line 3: now second");
	s_copy(s, 0, 73, 200, 26, 0, 60); /* scroll up one text line */
	s_gc(s, 0x3b4252, 0x3b4252, 0, 0);
	s_fill(s, 0, 86, 200, 13);
	s_gc(s, 0xbf616a, 0x000000, 0, XP_GC_TRANSPARENT);
	s_bitmap(s, 176, 4, 16, 16, checker, sizeof(checker));
	s_gc(s, 0x5e81ac, 0xffffff, 0, 0);
	s_bitmap(s, 176, 22, 16, 16, checker, sizeof(checker));
	s_gc(s, 0x8fbcbb, 0, 0, 0);
	s_clip(s, 4, 104, 60, 20);
	s_fill(s, 0, 100, 200, 40); /* only the clip rectangle */
	s_clip(s, 0, 0, 0, 0);
}

static void scene_images(struct scene *s)
{
	uint8_t raw[16 * 16 * 3], raw2[16 * 16 * 3], raw3[16 * 16 * 3];
	size_t nz, np;
	gradient(raw, 16, 16, 0);
	gradient(raw2, 16, 16, 1);
	gradient(raw3, 16, 16, 2);
	uint8_t *z = encode(raw2, 16, 16, XR_IMG_ZLIB, &nz);
	uint8_t *png = encode(raw3, 16, 16, XR_IMG_PNG, &np);
	s_image(s, 70, 104, 16, 16, XR_IMG_RAW, 0, raw, sizeof(raw));
	s_image(s, 90, 104, 16, 16, XR_IMG_ZLIB, 0, z, nz);
	s_image(s, 110, 104, 16, 16, XR_IMG_PNG, 7, png, np);
	s_image_cached(s, 130, 104, 7);
	s_image_cached(s, 192, 130, 7); /* cut by the window edge */
	free(z);
	free(png);
}

static void send_scene(struct scene *s)
{
	s_create(s, 1, 8, 8, 200, 140, 0x3b4252);
	s_win(s, XP_OP_WIN_MAP, 1);
	s_create(s, 2, 150, 90, 140, 100, 0xbf616a);
	s_win(s, XP_OP_WIN_MAP, 2);
	s_create(s, 3, 100, 100, 50, 50, 0xffff00); /* never mapped */
	s_create(s, 4, 0, 0, 320, 240, 0xff00ff);
	s_win(s, XP_OP_WIN_MAP, 4);
	s_win(s, XP_OP_WIN_DESTROY, 4);
	s_target(s, 1);
	scene_text_and_fills(s);
	scene_scroll_and_bitmap(s);
	scene_images(s);
	s_target(s, 2);
	s_gc(s, 0xffffff, 0xbf616a, 0, 0);
	s_text(s, 4, 4, "window 2");
	s_configure(s, 2, XP_CONF_MOVE | XP_CONF_RESIZE, 140, 100, 170, 130);
	s_text(s, 4, 110, "resized");
	s_configure(s, 1, XP_CONF_RAISE, 0, 0, 0, 0);
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
	struct scene s = {.p = &p};
	struct xr_fb expect;
	xd_state_init(&s.st); /* a new connection */
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	assert_int_equal(p.role, XP_ROLE_CLIENT);
	assert_true(p.flags & XP_FLAG_ZLIB);
	assert_int_equal(p.hello_w, SCREEN_W);
	assert_int_equal(p.hello_h, SCREEN_H);
	send_scene(&s);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	tp_drop(&p);
	assert_int_equal(tr_join(&r, T_MS), 1);
	assert_non_null(strstr(tc_last_error(r.c), "connection lost"));
	ref_screen(&s, &expect, SCREEN_W, SCREEN_H);
	assert_true(xr_fb_equal(tc_window_fb(r.c, 1), &s.w[1].fb));
	assert_true(xr_fb_equal(tc_window_fb(r.c, 2), &s.w[2].fb));
	assert_true(xr_fb_equal(tc_window_fb(r.c, 3), &s.w[3].fb));
	assert_null(tc_window_fb(r.c, 4));
	assert_int_equal(xr_png_write_file(tc_screen(r.c), "build/thin-scene.png"), 0);
	expect_same_but_lost_box(tc_screen(r.c), &expect);
	xr_fb_finish(&expect);
	scene_finish(&s);
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
	struct scene s = {.p = &p};
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
	s_create(&s, 1, 30, 20, 64, 48, 0x00ff80);
	s_win(&s, XP_OP_WIN_MAP, 1);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	expect_press_release(&p, 0, 'b', "b");
	only_pings(&p, 300, true, pings); /* still that colour */
	s_win(&s, XP_OP_WIN_UNMAP, 1);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	expect_press_release(&p, 0, 'c', "c");
	assert_int_equal(tp_wait_eof(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 0);
	tr_destroy(&r);
	scene_finish(&s);
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
	static const uint8_t junk[] = {0xff, 0x13, 0x37, 0x00, 0x42};
	assert_int_equal(tp_send_raw(p, junk, sizeof(junk)), 0);
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
	struct scene s = {.p = &p};
	struct xp_msg m;
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	s_create(&s, 1, INT32_MAX - 5, INT32_MIN, 100, 100, 0x112233);
	s_win(&s, XP_OP_WIN_MAP, 1);
	s_create(&s, 2, INT32_MIN, INT32_MAX, 8192, 16, 0x445566);
	s_win(&s, XP_OP_WIN_MAP, 2);
	s_create(&s, 3, INT32_MAX - 5, INT32_MAX - 5, 16, 8192, 0x778899);
	s_win(&s, XP_OP_WIN_MAP, 3);
	s_target(&s, 1);
	s_fill(&s, INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX);
	s_copy(&s, INT32_MAX, INT32_MIN, UINT32_MAX, 5, INT32_MIN, INT32_MAX);
	s_image(&s, 0, 0, 4, 4, XR_IMG_RAW, 9, rgb, sizeof(rgb));
	m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {INT32_MIN, INT32_MAX, 9}};
	assert_int_equal(tp_send(&p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {INT32_MAX, INT32_MIN, 9}};
	assert_int_equal(tp_send(&p, &m), 0);
	s_clip(&s, INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX);
	s_text(&s, INT32_MAX - 3, 0, "overflow?");
	s_configure(&s, 1, XP_CONF_MOVE, INT32_MIN, INT32_MIN, 0, 0);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	assert_int_equal(tp_hangup(&p, T_MS), 0);
	assert_int_equal(tr_join(&r, T_MS), 1);
	assert_non_null(strstr(tc_last_error(r.c), "connection closed"));
	struct xr_fb desktop;
	assert_int_equal(xr_fb_init(&desktop, SCREEN_W, SCREEN_H), 0);
	xr_fill(&desktop, NULL, 0, 0, SCREEN_W, SCREEN_H, DESKTOP);
	expect_same_but_lost_box(tc_screen(r.c), &desktop); /* nothing on screen but the box */
	xr_fb_finish(&desktop);
	scene_finish(&s);
	tr_destroy(&r);
	tp_finish(&p);
}

/* ---- the program as a process ------------------------------------------- */

static const char *bin_dir(void)
{
	const char *b = getenv("XP_BIN");
	return b ? b : "build/bin";
}

struct child {
	pid_t pid;
	char log[64]; /* its stdout and stderr */
};

/* Start thin-client with @args (NULL-terminated), its output in a file. */
static void spawn(struct child *ch, const char *const *args)
{
	char path[256];
	const char *argv[16] = {path};
	int n = 1;
	snprintf(path, sizeof(path), "%s/thin-client", bin_dir());
	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	snprintf(ch->log, sizeof(ch->log), "/tmp/thin-client-test-XXXXXX");
	int fd = mkstemp(ch->log);
	assert_true(fd >= 0);
	close(fd);
	ch->pid = proc_spawn(argv, ch->log);
	assert_true(ch->pid > 0);
}

/* Wait for the child (bounded); its output goes to @out. Returns its exit
 * status, or -1 when it had to be killed. */
static int finish(struct child *ch, char *out, size_t cap)
{
	int st = proc_wait(ch->pid, T_MS);
	FILE *f = fopen(ch->log, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	unlink(ch->log);
	return st;
}

/* Run thin-client with @args to the end; its output goes to @out. */
static int run_client(const char *const *args, char *out, size_t cap)
{
	struct child ch = {0};
	spawn(&ch, args);
	return finish(&ch, out, cap);
}

static void test_process_garbage(void **state)
{
	struct tp_peer p;
	struct child ch = {0};
	char out[8192];
	assert_int_equal(tp_init(&p), 0);
	const char *args[] = {"--headless", "--cookie", p.cookie_path, p.addr, NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	bad_garbage(&p);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "thin-client: connection lost: protocol error"));
	assert_non_null(strstr(out, "wire bytes")); /* headless: stats at exit */
	tp_finish(&p);
}

/* The whole of file @path into @out (@cap bytes, NUL-terminated), then unlink it. */
static void slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
}

/* Run program @prog of the build with @arg: its exit status, its stdout in
 * @out and its stderr in @err (@cap bytes each). */
static int run_streams(const char *prog, const char *arg, char *out, char *err, size_t cap)
{
	char bin[256], opath[] = "/tmp/thin-client-test-XXXXXX",
	               epath[] = "/tmp/thin-client-test-XXXXXX";
	int ofd = mkstemp(opath), efd = mkstemp(epath);
	assert_true(ofd >= 0 && efd >= 0);
	close(ofd);
	close(efd);
	snprintf(bin, sizeof(bin), "%s/%s", bin_dir(), prog);
	const char *argv[] = {"sh", "-c", "exec \"$0\" \"$1\" 2> \"$2\"", bin, arg, epath, NULL};
	int st = proc_run(argv, opath, T_MS);
	slurp(opath, out, cap);
	slurp(epath, err, cap);
	return st;
}

/* --help: the text on stdout, status 0; a usage error: stderr only,
 * status 2. The same for the server, the other program a user starts. */
static void test_process_help_streams(void **state)
{
	static const char *const progs[] = {"thin-client", "xproto-server"};
	char out[8192], err[8192];
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(run_streams(progs[i], "--help", out, err, sizeof(out)), 0);
		if (!strstr(out, "usage:") || err[0])
			fail_msg("%s --help: stdout '%.40s', stderr '%.80s'", progs[i], out, err);
		assert_int_equal(run_streams(progs[i], "--bogus", out, err, sizeof(out)), 2);
		if (out[0] || !err[0])
			fail_msg("%s --bogus: stdout '%.80s', stderr '%.40s'", progs[i], out, err);
	}
}

static void test_process_usage(void **state)
{
	char out[8192];
	const char *bad[] = {"--size", "0x5", NULL};
	assert_int_equal(run_client(bad, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "bad --size"));
	const char *script[] = {"--headless", "--script", "/nonexistent/x.txt", "127.0.0.1:1",
	                        NULL};
	assert_int_equal(run_client(script, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "thin-client: /nonexistent/x.txt: No such file"));
	/* two sessions named: a usage error, found before connecting */
	const char *two[] = {"--headless", "--session", "a", "ssh://h/b", NULL};
	assert_int_equal(run_client(two, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "--session a and ssh://h/b name different sessions"));
	/* a display number as the server takes them: 0-999 */
	const char *big[] = {"--headless", ":1000", NULL};
	assert_int_equal(run_client(big, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "':1000' is not a display (want :N, N 0-999)"));
	struct tp_peer p;
	assert_int_equal(tp_init(&p), 0);
	unsetenv("DISPLAY");
	const char *nodisplay[] = {"--cookie", p.cookie_path, p.addr, NULL};
	assert_int_equal(run_client(nodisplay, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "DISPLAY is not set"));
	const char *badscript[] = {"--headless",   "--script", "/dev/null", "--cookie",
	                           "/nonexistent", p.addr,     NULL};
	/* an empty script is fine */
	assert_int_equal(run_client(badscript, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cookie /nonexistent"));
	tp_finish(&p);
}

static void test_process_refused(void **state)
{
	struct tp_peer p;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	char out[8192], addr[32];
	assert_int_equal(tp_init(&p), 0);
	/* a port that is ours but where nobody listens: bound, never listen()ed,
	 * so no other process can take it meanwhile */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sa.sin_port));
	const char *args[] = {"--headless", "--cookie", p.cookie_path, addr, NULL};
	assert_int_equal(run_client(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cannot connect"));
	assert_null(strstr(out, "statistics")); /* no session, nothing to count */
	close(fd);
	tp_finish(&p);
}

/* True if @out has a control character (C0 but newline, DEL, C1) for a terminal. */
static bool has_controls(const char *out)
{
	for (const unsigned char *c = (const unsigned char *)out; *c; c++)
		if ((*c < 0x20 && *c != '\n') || *c == 0x7f ||
		    (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
			return true;
	return false;
}

/* Fail, showing @out, unless it holds @text. */
static void expect_in(const char *out, const char *text)
{
	if (!strstr(out, text))
		fail_msg("no '%s' in:\n%s", text, out);
}

/*
 * A hostile server's words (an app list, a window list, errors, a refusal)
 * reach the user's terminal without control characters: an escape sequence
 * there could retitle, clear or reprogram it.
 */
static void test_process_server_text_is_plain(void **state)
{
	struct tp_peer p;
	struct child ch = {0};
	struct xp_msg m = {.op = XP_OP_APP_ENTRY};
	char out[8192];
	assert_int_equal(tp_init(&p), 0);
	const char *args[] = {"--headless", "--cookie", p.cookie_path, p.addr, NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	m.u.app_entry = (struct xp_msg_app_entry){0, 0, xp_str_from("ev\x1b[31mil"),
	                                          xp_str_from("\xc2\x9b"
	                                                      "2J gone\x7f")};
	assert_int_equal(tp_send(&p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_WIN_ENTRY};
	m.u.win_entry = (struct xp_msg_win_entry){0, 0, 1, 0, xp_str_from("title\x07")};
	assert_int_equal(tp_send(&p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_ERROR}; /* not fatal, then fatal */
	m.u.error = (struct xp_msg_error){XP_ERR_NO_APP, 0,
	                                  xp_str_from("no \x1b]0;x\x07"
	                                              "app")};
	assert_int_equal(tp_send(&p, &m), 0);
	m.u.error = (struct xp_msg_error){XP_ERR_AUTH, 0, xp_str_from("bye\r\x1b[2J")};
	assert_int_equal(tp_send(&p, &m), 0);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "app 0: ev?[31mil - ?2J gone?");
	expect_in(out, "window 1: title?");
	expect_in(out, "server error: no ?]0;x?app");
	expect_in(out, "server error: bye??[2J");
	assert_false(has_controls(out));
	/* a refusal in the handshake, to a client and to --list */
	p.refuse = "not\x1b[8m you";
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), -1);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "server refused: not?[8m you");
	assert_false(has_controls(out));
	const char *list[] = {"--cookie", p.cookie_path, "--list", p.addr, NULL};
	spawn(&ch, list);
	assert_int_equal(tp_accept(&p, true, T_MS), -1);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "server refused: not?[8m you");
	assert_false(has_controls(out));
	tp_finish(&p);
}

/*
 * A wait-pixel that gives up stops the script with status 1 and says why:
 * the colour was what the script checked, and the keys after it were meant
 * for a screen that never came (none is sent).
 */
static void test_script_wait_pixel_gives_up(void **state)
{
	struct tp_peer p;
	struct child ch = {0};
	struct xp_msg m;
	char out[8192], path[128];
	assert_int_equal(tp_init(&p), 0);
	snprintf(path, sizeof(path), "%s/script.txt", p.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("wait-pixel 40 30 00ff80 300\nkey b\nquit\n", f);
	fclose(f);
	const char *args[] = {"--headless", "--size",      "320x240", "--script", path,
	                      "--cookie",   p.cookie_path, p.addr,    NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	int r;
	while ((r = tp_next(&p, &m, true, T_MS)) == 1) /* until it hangs up */
		assert_int_not_equal(m.op, XP_OP_KEY);
	assert_int_equal(r, -1);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "script line 1: pixel 40,30 is 202428, not 00ff80 after 300 ms: script "
	               "stopped");
	unlink(path);
	tp_finish(&p);
}

/* SIGUSR1 writes the screenshot now, SIGTERM detaches with status 0. */
static void test_process_signals(void **state)
{
	struct tp_peer p;
	struct scene s = {.p = &p};
	struct xr_fb shot, expect;
	struct child ch = {0};
	char out[8192], png[128];
	assert_int_equal(tp_init(&p), 0);
	snprintf(png, sizeof(png), "%s/shot.png", p.dir);
	const char *args[] = {"--headless",  "--size", "320x240", "--screenshot", png, "--cookie",
	                      p.cookie_path, p.addr,   NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	s_create(&s, 1, 30, 20, 64, 48, 0x00ff80);
	s_win(&s, XP_OP_WIN_MAP, 1);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	kill(ch.pid, SIGUSR1);
	/* the client writes it aside and renames it: once there, it is whole */
	assert_true(proc_wait_file(png, T_MS));
	assert_int_equal(xr_png_read_file(png, &shot), 0);
	ref_screen(&s, &expect, SCREEN_W, SCREEN_H);
	assert_true(xr_fb_equal(&shot, &expect));
	kill(ch.pid, SIGTERM);
	assert_int_equal(finish(&ch, out, sizeof(out)), 0);
	unlink(png);
	xr_fb_finish(&shot);
	xr_fb_finish(&expect);
	scene_finish(&s);
	tp_finish(&p);
}

/* ---- reconnect ------------------------------------------------------------ */

static void test_reconnect(void **state)
{
	struct tp_peer p;
	struct tr_run r;
	struct scene s1 = {.p = &p}, s2 = {.p = &p};
	struct xr_fb expect;
	assert_int_equal(tp_init(&p), 0);
	struct tc_options o = headless_opts(&p);
	o.reconnect = true;
	assert_int_equal(tr_start(&r, &o), 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	s_create(&s1, 1, 10, 10, 100, 80, 0x336699);
	s_win(&s1, XP_OP_WIN_MAP, 1);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	tp_drop(&p); /* the server goes away: the client must come back */
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	s_create(&s2, 2, 50, 40, 120, 90, 0x996633);
	s_win(&s2, XP_OP_WIN_MAP, 2);
	s_target(&s2, 2);
	s_gc(&s2, 0xffffff, 0x996633, 0, 0);
	s_text(&s2, 2, 2, "rebuilt");
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	/* the client is idle in poll() now: its screen is stable */
	assert_int_equal(tc_connects(r.c), 2);
	assert_null(tc_window_fb(r.c, 1));
	ref_screen(&s2, &expect, SCREEN_W, SCREEN_H);
	assert_true(xr_fb_equal(tc_screen(r.c), &expect));
	tc_client_stop(r.c);
	assert_int_equal(tr_join(&r, T_MS), 0);
	xr_fb_finish(&expect);
	scene_finish(&s1);
	scene_finish(&s2);
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
	    cmocka_unit_test(test_process_garbage),
	    cmocka_unit_test(test_process_help_streams),
	    cmocka_unit_test(test_process_usage),
	    cmocka_unit_test(test_process_refused),
	    cmocka_unit_test(test_process_server_text_is_plain),
	    cmocka_unit_test(test_process_signals),
	    cmocka_unit_test(test_reconnect),
	    cmocka_unit_test(test_script_sync),
	    cmocka_unit_test(test_script_wait_pixel),
	    cmocka_unit_test(test_script_wait_pixel_gives_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
