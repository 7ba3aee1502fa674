/*
 * draw_test.c - libxpdraw: the opcode table covers the drawing range, the
 * initial state is the one SPEC.md states (read from the file, byte for
 * byte), TARGET / GC / CLIP change the state as specified, every drawing
 * message draws what the renderer draws for it (and the parts of the state
 * it reads are exactly those that change its pixels), clip edges, the image
 * cache interface, errors, and the sender's side (xd_state_sync).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xdraw.h"
#include "xproto.h"
#include "xrender.h"

#define FB_W 24
#define FB_H 20

static const uint8_t checker[2 * 16] = {
    0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0,
    0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa};

/* A framebuffer holding a pattern no drawing below reproduces by chance. */
static void pattern(struct xr_fb *fb)
{
	assert_int_equal(xr_fb_init(fb, FB_W, FB_H), 0);
	for (int y = 0; y < FB_H; y++)
		for (int x = 0; x < FB_W; x++)
			fb->px[y * fb->stride + x] = XR_RGB(x * 10, y * 12, 0x80 + x * y);
}

static struct xd_state state(uint32_t fg, uint32_t bg, uint32_t font, uint32_t flags)
{
	struct xd_state s;
	xd_state_init(&s);
	s.target = 1;
	s.fg = fg, s.bg = bg, s.font = font, s.flags = flags;
	return s;
}

static uint32_t px(const struct xr_fb *fb, int x, int y)
{
	return fb->px[y * fb->stride + x];
}

/* ---- a small image cache for the tests ---- */

struct tcache {
	uint32_t id, keeps, drops, dropped;
	struct xr_fb fb;
	enum { KEEP, DECLINE, REFUSE } mode;
};

static const struct xr_fb *t_keep(void *ctx, uint32_t id, struct xr_fb *img, struct xp_error *err)
{
	struct tcache *k = ctx;
	k->keeps++;
	if (k->mode == REFUSE) {
		xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "cache full");
		return NULL;
	}
	if (k->mode == DECLINE)
		return img;
	xr_fb_finish(&k->fb);
	k->id = id;
	k->fb = *img;
	*img = (struct xr_fb){0};
	return &k->fb;
}

static const struct xr_fb *t_find(void *ctx, uint32_t id)
{
	struct tcache *k = ctx;
	return k->fb.px && k->id == id ? &k->fb : NULL;
}

static void t_drop(void *ctx, uint32_t id)
{
	struct tcache *k = ctx;
	k->drops++;
	k->dropped = id;
}

static struct xd_cache as_cache(struct tcache *k)
{
	return (struct xd_cache){k, t_keep, t_find, t_drop};
}

/* 2x2 raw image: red, green / blue, white. */
static const uint8_t rgb4[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};

static struct xp_msg image_msg(int32_t x, int32_t y, uint32_t cache_id)
{
	struct xp_msg m = {.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){x, y, 2, 2, XP_IMG_RAW, cache_id, {rgb4, sizeof(rgb4)}};
	return m;
}

/* ---- the table ---- */

static void test_table_covers_drawing_range(void **st)
{
	(void)st;
	for (unsigned op = 0; op < 256; op++) {
		bool in_range = op >= 0x20 && op <= 0x2f && xp_op_name(op);
		if (in_range && xd_kind(op) == XD_NOT_DRAWING)
			fail_msg("drawing opcode %s has no row in draw/ops.c", xp_op_name(op));
		if (!in_range && xd_kind(op) != XD_NOT_DRAWING)
			fail_msg("opcode 0x%02x is not drawing but has a row", op);
		if (!in_range && xd_reads(op) != 0)
			fail_msg("opcode 0x%02x reads drawing state", op);
	}
	assert_int_equal(xd_kind(XP_OP_TARGET), XD_STATE);
	assert_int_equal(xd_kind(XP_OP_GC), XD_STATE);
	assert_int_equal(xd_kind(XP_OP_CLIP), XD_STATE);
	assert_int_equal(xd_kind(XP_OP_CACHE_DROP), XD_CACHE);
	for (unsigned op = XP_OP_FILL; op <= XP_OP_IMAGE_CACHED; op++)
		assert_int_equal(xd_kind(op), XD_DRAW);
	for (unsigned op = 0; op < XP_OP_MAX; op++)
		if (xd_kind(op) == XD_DRAW && !(xd_reads(op) & XD_TARGET))
			fail_msg("%s draws into the target but does not read it", xp_op_name(op));
	assert_int_equal(xd_reads(XP_OP_CACHE_DROP), 0);
	assert_int_equal(xd_reads(XP_OP_GC), 0);
}

/* ---- the initial state is SPEC.md's ---- */

static char *read_spec(void)
{
	FILE *f = fopen("protocol/SPEC.md", "r");
	assert_non_null(f);
	static char buf[128 * 1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(buf) - 1);
	buf[n] = 0;
	return buf;
}

/* The value cell of the row "| @part | VALUE ... |" of SPEC.md section 6's table. */
static const char *spec_cell(const char *spec, const char *part)
{
	char row[64];
	const char *sec = strstr(spec, "\n## 6. ");
	assert_non_null(sec);
	snprintf(row, sizeof(row), "\n| %s | ", part);
	const char *at = strstr(sec, row), *end = strstr(sec, "\n## 7. ");
	if (!at || (end && at > end))
		fail_msg("SPEC.md section 6 has no initial-state row for %s", part);
	return at + strlen(row);
}

static void test_initial_state_is_specs_table(void **st)
{
	(void)st;
	const char *spec = read_spec();
	struct xd_state s;
	xd_state_init(&s);
	assert_int_equal(s.target, strtoul(spec_cell(spec, "target"), NULL, 10));
	assert_int_equal(s.fg, strtoul(spec_cell(spec, "fg"), NULL, 16));
	assert_int_equal(s.bg, strtoul(spec_cell(spec, "bg"), NULL, 16));
	assert_int_equal(s.font, strtoul(spec_cell(spec, "font"), NULL, 10));
	assert_int_equal(s.flags, strtoul(spec_cell(spec, "flags"), NULL, 10));
	assert_int_equal(strncmp(spec_cell(spec, "clip"), "none ", 5), 0);
	assert_int_equal(s.clip.x, 0);
	assert_int_equal(s.clip.y, 0);
	assert_int_equal(s.clip.w, 0);
	assert_int_equal(s.clip.h, 0);
	/* the values also as SPEC.md's golden bytes of a GC */
	struct xp_buf b;
	struct xp_msg gc = {.op = XP_OP_GC, .u.gc = {s.fg, s.bg, s.font, s.flags}};
	xp_buf_init(&b, 64);
	assert_true(xp_encode(&b, &gc) > 0);
	assert_int_equal(xp_buf_pending(&b), 10);
	assert_memory_equal(xp_buf_data(&b), "\x21\x08\xff\xff\xff\x00\x00\x00\x00\x00", 10);
	xp_buf_finish(&b);
}

/* Decode the hex bytes SPEC.md quotes as `@tag ...` (e.g. `21 08 ff ...`). */
static void spec_frame(const char *spec, const char *tag, struct xp_decoder *d, struct xp_msg *m)
{
	uint8_t bytes[32];
	size_t n = 0;
	struct xp_error err;
	const char *p = strstr(spec, tag);
	if (!p)
		fail_msg("SPEC.md does not give the bytes %s...`", tag);
	for (p++; *p != '`' && n < sizeof(bytes);) {
		char *end;
		bytes[n++] = (uint8_t)strtoul(p, &end, 16);
		assert_true(end > p && end - p <= 3);
		p = end;
	}
	assert_int_equal(xp_decode(d, bytes, n, m, &err), (ssize_t)n);
}

/* A receiver holding anything, given SPEC.md's three frames, holds the initial state. */
static void test_initial_state_is_specs_frames(void **st)
{
	(void)st;
	const char *spec = read_spec();
	static const char *const tags[] = {"`20 01", "`21 08", "`22 04"};
	struct xd_state s = {7, 0x123456, 0x654321, 1, 1, {1, 2, 3, 4}}, init;
	struct xp_decoder d;
	struct xp_msg m;
	struct xp_error err;
	xp_decoder_init(&d, 4096);
	for (int i = 0; i < 3; i++) {
		spec_frame(spec, tags[i], &d, &m);
		assert_int_equal(xd_state_update(&s, &m, &err), 0);
	}
	xp_decoder_finish(&d);
	xd_state_init(&init);
	assert_true(xd_state_equal(&s, &init));
}

/* ---- TARGET, GC, CLIP ---- */

static void test_state_messages(void **st)
{
	(void)st;
	struct xd_state s, before;
	struct xp_error err;
	xd_state_init(&s);
	assert_int_equal(
	    xd_state_update(&s, &(struct xp_msg){.op = XP_OP_TARGET, .u.target = {9}}, &err), 0);
	assert_int_equal(s.target, 9);
	struct xp_msg gc = {.op = XP_OP_GC, .u.gc = {0x112233, 0x445566, 1, 0xff}};
	assert_int_equal(xd_state_update(&s, &gc, &err), 0);
	assert_int_equal(s.fg, 0x112233);
	assert_int_equal(s.bg, 0x445566);
	assert_int_equal(s.font, 1);
	assert_int_equal(s.flags, XP_GC_TRANSPARENT); /* unknown bits dropped */
	before = s;
	gc.u.gc.font = XR_FONT_COUNT;
	assert_int_equal(xd_state_update(&s, &gc, &err), -1);
	assert_int_equal(err.code, XP_ERR_MALFORMED);
	assert_non_null(strstr(err.text, "unknown font"));
	assert_true(xd_state_equal(&s, &before)); /* unchanged */
	struct xp_msg clip = {.op = XP_OP_CLIP, .u.clip = {-3, 4, 5, 6}};
	assert_int_equal(xd_state_update(&s, &clip, &err), 0);
	assert_true(s.clip.x == -3 && s.clip.y == 4 && s.clip.w == 5 && s.clip.h == 6);
	clip.u.clip = (struct xp_msg_clip){7, 8, 0, 9}; /* w = 0: no clip, canonical */
	assert_int_equal(xd_state_update(&s, &clip, &err), 0);
	assert_true(s.clip.x == 0 && s.clip.y == 0 && s.clip.w == 0 && s.clip.h == 0);
	struct xp_msg fill = {.op = XP_OP_FILL};
	assert_int_equal(xd_state_update(&s, &fill, &err), -1);
	assert_int_equal(err.code, XP_ERR_STATE);
}

/* ---- each drawing message against the renderer ---- */

static void test_fill_and_rects(void **st)
{
	(void)st;
	struct xr_fb fb, want;
	struct xr_rect d;
	struct xp_error err;
	struct xd_state s = state(0xff0000, 0, 0, 0);
	pattern(&fb);
	pattern(&want);
	struct xp_msg m = {.op = XP_OP_FILL, .u.fill = {2, 3, 5, 4}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	xr_fill(&want, NULL, 2, 3, 5, 4, 0xff0000);
	assert_true(xr_fb_equal(&fb, &want));
	assert_true(d.x == 2 && d.y == 3 && d.w == 5 && d.h == 4);
	assert_int_equal(px(&fb, 6, 6), 0xff0000);
	assert_int_not_equal(px(&fb, 7, 3), 0xff0000);
	/* sizes above INT_MAX reach the edge */
	m.u.fill = (struct xp_msg_fill){20, 18, UINT32_MAX, UINT32_MAX};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	assert_true(d.x == 20 && d.y == 18 && d.w == 4 && d.h == 2);
	static const struct xp_rect rs[3] = {{0, 0, 2, 2}, {30, 30, 5, 5}, {10, 10, 3, 1}};
	m = (struct xp_msg){.op = XP_OP_FILL_RECTS, .u.fill_rects.rects = {3, rs}};
	s.fg = 0x00ff00;
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	xr_fill(&want, NULL, 20, 18, 4, 2, 0xff0000);
	xr_fill(&want, NULL, 0, 0, 2, 2, 0x00ff00);
	xr_fill(&want, NULL, 10, 10, 3, 1, 0x00ff00);
	assert_true(xr_fb_equal(&fb, &want));
	assert_true(d.x == 0 && d.y == 0 && d.w == 13 && d.h == 11); /* the union */
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

static void test_copy(void **st)
{
	(void)st;
	struct xr_fb fb, want;
	struct xr_rect d;
	struct xp_error err;
	struct xd_state s = state(0xff0000, 0, 0, 0);
	pattern(&fb);
	pattern(&want);
	struct xp_msg m = {.op = XP_OP_COPY, .u.copy = {0, 4, 20, 13, 0, 0}}; /* scroll up */
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	xr_copy(&want, NULL, 0, 4, 20, 13, 0, 0);
	assert_true(xr_fb_equal(&fb, &want));
	assert_true(d.x == 0 && d.y == 0 && d.w == 20 && d.h == 13);
	assert_int_equal(px(&fb, 3, 0), XR_RGB(30, 48, 0x80 + 12)); /* was at (3, 4) */
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

static void test_bitmap(void **st)
{
	(void)st;
	struct xr_fb fb, want;
	struct xr_rect d, dw;
	struct xp_error err;
	struct xd_state s = state(0xff0000, 0x0000ff, 0, 0);
	pattern(&fb);
	pattern(&want);
	struct xp_msg m = {.op = XP_OP_BITMAP, .u.bitmap = {1, 1, 16, 8, {checker, 16}}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	xr_bitmap(&want, NULL, 1, 1, 16, 8, checker, 16, 0xff0000, 0x0000ff, false, &dw);
	assert_true(xr_fb_equal(&fb, &want));
	assert_int_equal(px(&fb, 1, 1), 0xff0000); /* bit set */
	assert_int_equal(px(&fb, 5, 1), 0x0000ff); /* bit clear: bg */
	s.flags = XP_GC_TRANSPARENT;
	m.u.bitmap = (struct xp_msg_bitmap){4, 10, 16, 2, {checker + 16, 16}};
	uint32_t under = px(&fb, 5, 10);
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	assert_int_equal(px(&fb, 4, 10), 0xff0000);
	assert_int_equal(px(&fb, 5, 10), under); /* bit clear: untouched */
	/* short bits: an error, nothing drawn */
	xr_bitmap(&want, NULL, 4, 10, 16, 2, checker + 16, 16, 0xff0000, 0, true, &dw);
	m.u.bitmap = (struct xp_msg_bitmap){0, 0, 16, 16, {checker, 2}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_MALFORMED);
	assert_non_null(strstr(err.text, "BITMAP: 2 bytes too short for 16x16"));
	assert_true(xr_rect_empty(d));
	assert_true(xr_fb_equal(&fb, &want));
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

static void test_text(void **st)
{
	(void)st;
	struct xr_fb fb, want;
	struct xr_rect d, dw;
	struct xp_error err;
	static const char txt[] = "Hé\xe2\x94\x80";
	pattern(&fb);
	pattern(&want);
	for (uint32_t font = 0; font < XR_FONT_COUNT; font++) {
		for (uint32_t flags = 0; flags <= XP_GC_TRANSPARENT; flags++) {
			struct xd_state s = state(0xffff00, 0x202020, font, flags);
			struct xp_msg m = {.op = XP_OP_TEXT};
			int y = (int)(font * 2 + flags) * 4 - 6;
			m.u.text = (struct xp_msg_text){1, y, xp_str_from(txt)};
			assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
			dw = xr_text(&want, NULL, 1, y, txt, strlen(txt), (int)font, 0xffff00,
			             0x202020, flags != 0);
			assert_memory_equal(&d, &dw, sizeof(d));
		}
	}
	assert_true(xr_fb_equal(&fb, &want));
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

static void test_images(void **st)
{
	(void)st;
	struct xr_fb fb, want, src;
	struct xr_rect d;
	struct xp_error err;
	struct xd_state s = state(0, 0, 0, 0);
	uint8_t *z, *png;
	size_t nz, np;
	pattern(&fb);
	pattern(&want);
	assert_int_equal(xr_fb_init(&src, 2, 2), 0);
	assert_int_equal(xr_image(&src, NULL, 0, 0, 2, 2, XR_IMG_RAW, rgb4, 12, &d), 0);
	assert_int_equal(xr_encode_zlib(&src, (struct xr_rect){0, 0, 2, 2}, 6, &z, &nz), 0);
	assert_int_equal(xr_encode_png(&src, (struct xr_rect){0, 0, 2, 2}, 6, &png, &np), 0);
	struct xp_msg m = image_msg(0, 0, 0);
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	m.u.image = (struct xp_msg_image){4, 0, 2, 2, XP_IMG_ZLIB, 0, {z, (uint32_t)nz}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	m.u.image = (struct xp_msg_image){8, 0, 2, 2, XP_IMG_PNG, 0, {png, (uint32_t)np}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), 0);
	assert_true(d.x == 8 && d.y == 0 && d.w == 2 && d.h == 2);
	for (int i = 0; i < 3; i++)
		xr_blit(&want, NULL, i * 4, 0, &src);
	assert_true(xr_fb_equal(&fb, &want));
	assert_int_equal(px(&fb, 9, 1), 0xffffff);
	/* bad data and bad sizes: errors, nothing drawn */
	m.u.image = (struct xp_msg_image){0, 0, 2, 2, XP_IMG_RAW, 0, {rgb4, 11}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_MALFORMED);
	assert_non_null(strstr(err.text, "bad 2x2 image data"));
	m.u.image = (struct xp_msg_image){0, 0, 5000, 5000, XP_IMG_RAW, 0, {rgb4, 12}};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_MALFORMED);
	assert_true(xr_fb_equal(&fb, &want));
	free(z);
	free(png);
	xr_fb_finish(&src);
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

static void test_image_cache(void **st)
{
	(void)st;
	struct xr_fb fb, want;
	struct xr_rect d;
	struct xp_error err;
	struct xd_state s = state(0, 0, 0, 0);
	struct tcache k = {0};
	struct xd_cache cache = as_cache(&k);
	pattern(&fb);
	pattern(&want);
	struct xp_msg m = image_msg(1, 1, 7);
	assert_int_equal(xd_apply(&fb, &s, &m, &cache, &d, &err), 0);
	assert_int_equal(k.keeps, 1);
	assert_int_equal(k.id, 7);
	assert_int_equal(px(&k.fb, 1, 1), 0xffffff);
	xr_image(&want, NULL, 1, 1, 2, 2, XR_IMG_RAW, rgb4, 12, &d);
	m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {22, 18, 7}};
	assert_int_equal(xd_apply(&fb, &s, &m, &cache, &d, &err), 0);
	assert_true(d.x == 22 && d.y == 18 && d.w == 2 && d.h == 2);
	xr_image(&want, NULL, 22, 18, 2, 2, XR_IMG_RAW, rgb4, 12, &d);
	assert_true(xr_fb_equal(&fb, &want));
	/* unknown ids, or no cache at all */
	m.u.image_cached.cache_id = 8;
	assert_int_equal(xd_apply(&fb, &s, &m, &cache, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_MALFORMED);
	assert_non_null(strstr(err.text, "unknown cache id 8"));
	m.u.image_cached.cache_id = 7;
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), -1);
	/* CACHE_DROP needs no framebuffer */
	m = (struct xp_msg){.op = XP_OP_CACHE_DROP, .u.cache_drop = {7}};
	assert_int_equal(xd_apply(NULL, &s, &m, &cache, &d, &err), 0);
	assert_true(k.drops == 1 && k.dropped == 7 && xr_rect_empty(d));
	assert_int_equal(xd_apply(NULL, &s, &m, NULL, &d, &err), 0);
	xr_fb_finish(&k.fb);
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

/* A cache may decline an image (drawn, not kept) or refuse it (an error, nothing drawn). */
static void test_image_cache_decline_refuse(void **st)
{
	(void)st;
	struct xr_fb fb, want;
	struct xr_rect d;
	struct xp_error err;
	struct xd_state s = state(0, 0, 0, 0);
	struct tcache k = {.mode = DECLINE};
	struct xd_cache cache = as_cache(&k);
	pattern(&fb);
	pattern(&want);
	struct xp_msg m = image_msg(3, 3, 9);
	assert_int_equal(xd_apply(&fb, &s, &m, &cache, &d, &err), 0);
	assert_null(k.fb.px);
	xr_image(&want, NULL, 3, 3, 2, 2, XR_IMG_RAW, rgb4, 12, &d);
	assert_true(xr_fb_equal(&fb, &want));
	k.mode = REFUSE;
	m = image_msg(6, 6, 9);
	assert_int_equal(xd_apply(&fb, &s, &m, &cache, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_LIMIT);
	assert_true(xr_rect_empty(d));
	assert_true(xr_fb_equal(&fb, &want));
	m.u.image.w = 0; /* checked before the cache sees it */
	assert_int_equal(xd_apply(&fb, &s, &m, &cache, &d, &err), -1);
	assert_non_null(strstr(err.text, "out of range"));
	assert_int_equal(k.keeps, 2);
	xr_fb_finish(&fb);
	xr_fb_finish(&want);
}

static void test_not_drawing(void **st)
{
	(void)st;
	struct xr_fb fb;
	struct xr_rect d;
	struct xp_error err;
	struct xd_state s = state(0, 0, 0, 0);
	pattern(&fb);
	struct xp_msg m = {.op = XP_OP_KEY};
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_STATE);
	m.op = XP_OP_GC;
	assert_int_equal(xd_apply(&fb, &s, &m, NULL, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_STATE);
	m = (struct xp_msg){.op = XP_OP_FILL, .u.fill = {0, 0, 1, 1}};
	assert_int_equal(xd_apply(NULL, &s, &m, NULL, &d, &err), -1);
	assert_int_equal(err.code, XP_ERR_NO_WINDOW);
	xr_fb_finish(&fb);
}

/* ---- what each message reads is what changes its pixels ---- */

/* For each drawing opcode, a message that draws over most of the framebuffer. */
static const struct xp_rect sample_rects[2] = {{0, 0, 12, 12}, {10, 8, 14, 12}};
static const struct xp_msg samples[XP_OP_MAX] = {
    [XP_OP_FILL] = {.op = XP_OP_FILL, .u.fill = {0, 0, FB_W, FB_H}},
    [XP_OP_FILL_RECTS] = {.op = XP_OP_FILL_RECTS, .u.fill_rects.rects = {2, sample_rects}},
    [XP_OP_COPY] = {.op = XP_OP_COPY, .u.copy = {6, 5, 18, 15, 0, 0}},
    [XP_OP_BITMAP] = {.op = XP_OP_BITMAP, .u.bitmap = {0, 0, 16, 16, {checker, 32}}},
    [XP_OP_TEXT] = {.op = XP_OP_TEXT, .u.text = {0, 0, {"Wg#M", 4}}},
    [XP_OP_IMAGE] = {.op = XP_OP_IMAGE, .u.image = {0, 0, 2, 2, XP_IMG_RAW, 0, {rgb4, 12}}},
    [XP_OP_IMAGE_CACHED] = {.op = XP_OP_IMAGE_CACHED, .u.image_cached = {0, 0, 1}},
};

/* The state with part @part changed to another value. */
static struct xd_state vary(struct xd_state s, unsigned part)
{
	if (part == XD_FG)
		s.fg = 0x0000ff;
	if (part == XD_BG)
		s.bg = 0x123456;
	if (part == XD_FONT)
		s.font = 1;
	if (part == XD_FLAGS)
		s.flags = XP_GC_TRANSPARENT;
	if (part == XD_CLIP)
		s.clip = (struct xp_rect){0, 0, 1, 1};
	return s;
}

static bool same_pixels(const struct xp_msg *m, const struct xd_state *a, const struct xd_state *b,
                        const struct xd_cache *cache)
{
	struct xr_fb fa, fb;
	struct xr_rect d;
	struct xp_error err;
	pattern(&fa);
	pattern(&fb);
	assert_int_equal(xd_apply(&fa, a, m, cache, &d, &err), 0);
	assert_int_equal(xd_apply(&fb, b, m, cache, &d, &err), 0);
	bool same = xr_fb_equal(&fa, &fb);
	xr_fb_finish(&fa);
	xr_fb_finish(&fb);
	return same;
}

static void test_reads_are_what_matters(void **st)
{
	(void)st;
	static const unsigned parts[] = {XD_FG, XD_BG, XD_FONT, XD_FLAGS, XD_CLIP};
	struct xd_state base = state(0xff0000, 0x00ff00, 0, 0);
	struct tcache k = {0};
	struct xd_cache cache = as_cache(&k);
	struct xr_fb fb;
	struct xr_rect d;
	struct xp_error err;
	struct xp_msg keep = image_msg(0, 0, 1);
	pattern(&fb);
	assert_int_equal(xd_apply(&fb, &base, &keep, &cache, &d, &err),
	                 0); /* id 1 for IMAGE_CACHED */
	xr_fb_finish(&fb);
	for (unsigned op = 0; op < XP_OP_MAX; op++) {
		if (xd_kind(op) != XD_DRAW)
			continue;
		const struct xp_msg *m = &samples[op];
		unsigned matters = XD_TARGET;
		if (m->op != op)
			fail_msg("tests/draw_test.c has no sample for %s", xp_op_name(op));
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			struct xd_state v = vary(base, parts[i]);
			matters |= same_pixels(m, &base, &v, &cache) ? 0 : parts[i];
		}
		if (xd_reads(op) != matters)
			fail_msg("%s reads 0x%x, but 0x%x changes its pixels", xp_op_name(op),
			         xd_reads(op), matters);
	}
	xr_fb_finish(&k.fb);
}

/* ---- clip edges ---- */

/* Fill the whole framebuffer under clip (x, y, w, h); return the damage. */
static struct xr_rect clipped_fill(struct xr_fb *fb, int32_t x, int32_t y, uint32_t w, uint32_t h)
{
	struct xd_state s = state(0xabcdef, 0, 0, 0);
	struct xp_error err;
	struct xr_rect d;
	struct xp_msg clip = {.op = XP_OP_CLIP, .u.clip = {x, y, w, h}};
	struct xp_msg fill = {.op = XP_OP_FILL, .u.fill = {-100, -100, 1000, 1000}};
	assert_int_equal(xd_state_update(&s, &clip, &err), 0);
	pattern(fb);
	assert_int_equal(xd_apply(fb, &s, &fill, NULL, &d, &err), 0);
	return d;
}

static long filled(const struct xr_fb *fb)
{
	long n = 0;
	for (int y = 0; y < fb->h; y++)
		for (int x = 0; x < fb->w; x++)
			n += px(fb, x, y) == 0xabcdef;
	return n;
}

static void test_clip_edges(void **st)
{
	(void)st;
	struct xr_fb fb;
	struct xr_rect d = clipped_fill(&fb, 4, 5, 8, 6); /* inside */
	assert_true(d.x == 4 && d.y == 5 && d.w == 8 && d.h == 6);
	assert_int_equal(filled(&fb), 48);
	assert_int_equal(px(&fb, 11, 10), 0xabcdef); /* last pixel in */
	assert_int_not_equal(px(&fb, 12, 10), 0xabcdef);
	assert_int_not_equal(px(&fb, 11, 11), 0xabcdef);
	assert_int_not_equal(px(&fb, 3, 5), 0xabcdef);
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, -5, -3, 10, 10); /* over the top-left corner */
	assert_true(d.x == 0 && d.y == 0 && d.w == 5 && d.h == 7);
	assert_int_equal(filled(&fb), 35);
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, FB_W - 2, FB_H - 1, 10, 10); /* over the bottom-right corner */
	assert_true(d.x == FB_W - 2 && d.y == FB_H - 1 && d.w == 2 && d.h == 1);
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, FB_W, 0, 5, 5); /* just outside */
	assert_true(xr_rect_empty(d));
	assert_int_equal(filled(&fb), 0);
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, 3, 2, 5, 0); /* zero height: a clip that holds nothing */
	assert_true(xr_rect_empty(d));
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, 3, 2, 0, 5); /* zero width: no clip */
	assert_int_equal(filled(&fb), FB_W * FB_H);
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, -10, 1, UINT32_MAX, UINT32_MAX); /* sizes above INT_MAX */
	assert_true(d.x == 0 && d.y == 1 && d.w == FB_W && d.h == FB_H - 1);
	xr_fb_finish(&fb);
	d = clipped_fill(&fb, INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX);
	assert_true(xr_rect_empty(d)); /* ends at INT32_MIN + INT_MAX = -1 */
	xr_fb_finish(&fb);
}

/* ---- the sender's side ---- */

struct sink {
	struct xp_msg m[4];
	int n, fail_at; /* emit number that fails, 0 = none */
};

static int sink_emit(void *ctx, const struct xp_msg *m)
{
	struct sink *k = ctx;
	if (k->n + 1 == k->fail_at || k->n >= 4)
		return -1;
	k->m[k->n++] = *m;
	return 0;
}

static void test_sync_sends_what_differs(void **st)
{
	(void)st;
	struct xd_state have, want;
	struct sink k = {0};
	xd_state_init(&have);
	want = have;
	assert_int_equal(xd_state_sync(&have, &want, XD_ALL, sink_emit, &k), 0);
	assert_int_equal(k.n, 0);
	want.target = 3;
	want.bg = 0x111111; /* not asked for below: stays */
	want.fg = 0x222222;
	assert_int_equal(xd_state_sync(&have, &want, XD_TARGET | XD_FG, sink_emit, &k), 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.m[0].op, XP_OP_TARGET);
	assert_int_equal(k.m[0].u.target.win, 3);
	assert_int_equal(k.m[1].op, XP_OP_GC);
	assert_int_equal(k.m[1].u.gc.fg, 0x222222);
	assert_int_equal(k.m[1].u.gc.bg, 0x000000); /* the peer's own */
	assert_int_equal(have.fg, 0x222222);
	assert_int_equal(have.bg, 0x000000);
	/* a clip of width 0 is no clip: nothing to send */
	k.n = 0;
	want = have;
	want.clip = (struct xp_rect){5, 5, 0, 7};
	want.flags = 0xfe; /* no known bit */
	assert_int_equal(xd_state_sync(&have, &want, XD_ALL, sink_emit, &k), 0);
	assert_int_equal(k.n, 0);
	want.clip.w = 9;
	assert_int_equal(xd_state_sync(&have, &want, XD_ALL, sink_emit, &k), 0);
	assert_int_equal(k.n, 1);
	assert_int_equal(k.m[0].op, XP_OP_CLIP);
	assert_true(have.clip.x == 5 && have.clip.w == 9 && have.clip.h == 7);
}

/* A failed emit leaves the parts it did not send as they were. */
static void test_sync_emit_fails(void **st)
{
	(void)st;
	struct xd_state have, want, before;
	struct sink k = {.fail_at = 2};
	xd_state_init(&have);
	want = have;
	want.target = 4, want.fg = 0x010203, want.clip = (struct xp_rect){1, 1, 2, 2};
	before = have;
	assert_int_equal(xd_state_sync(&have, &want, XD_ALL, sink_emit, &k), -1);
	assert_int_equal(k.n, 1);
	assert_int_equal(have.target, 4); /* TARGET went out */
	before.target = 4;
	assert_true(xd_state_equal(&have, &before)); /* GC and CLIP did not */
}

/* Whatever the states, a peer applying what sync emits ends up holding @want. */
static void test_sync_round_trip(void **st)
{
	(void)st;
	uint32_t seed = 12345;
	for (int i = 0; i < 500; i++) {
		struct xd_state have, want, peer;
		struct sink k = {0};
		struct xp_error err;
		uint32_t r[8];
		for (int j = 0; j < 8; j++)
			r[j] = seed = seed * 1103515245u + 12345u;
		xd_state_init(&have);
		have.target = r[0] % 3, have.fg = r[1] & 0xff, have.font = r[2] % 2;
		want = have;
		want.target = r[3] % 3, want.fg = r[4] & 0x1ff, want.bg = r[5] % 2;
		want.flags = r[6] % 4, want.clip = (struct xp_rect){1, 2, r[7] % 3, 4};
		peer = have;
		assert_int_equal(xd_state_sync(&have, &want, XD_ALL, sink_emit, &k), 0);
		for (int j = 0; j < k.n; j++)
			assert_int_equal(xd_state_update(&peer, &k.m[j], &err), 0);
		assert_true(xd_state_equal(&peer, &have));
		assert_int_equal(have.fg, want.fg & 0xffffff);
		assert_int_equal(have.flags, want.flags & XP_GC_TRANSPARENT);
		assert_int_equal(have.clip.w, want.clip.w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_covers_drawing_range),
	    cmocka_unit_test(test_initial_state_is_specs_table),
	    cmocka_unit_test(test_initial_state_is_specs_frames),
	    cmocka_unit_test(test_state_messages),
	    cmocka_unit_test(test_fill_and_rects),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_bitmap),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_images),
	    cmocka_unit_test(test_image_cache),
	    cmocka_unit_test(test_image_cache_decline_refuse),
	    cmocka_unit_test(test_not_drawing),
	    cmocka_unit_test(test_reads_are_what_matters),
	    cmocka_unit_test(test_clip_edges),
	    cmocka_unit_test(test_sync_sends_what_differs),
	    cmocka_unit_test(test_sync_emit_fails),
	    cmocka_unit_test(test_sync_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
