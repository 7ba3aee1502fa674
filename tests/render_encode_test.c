/*
 * render_encode_test.c - the pixels-to-commands encoder (render/tiles.c,
 * glyphs.c, scroll.c): whatever it sends, replayed by the renderer on the
 * receiver's side, gives exactly the pixels it was given; text drawn with
 * the built-in fonts comes out as TEXT whatever the grid's offset; a scroll
 * comes out as one COPY.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xrender.h"

/* The receiver: applies every command to its framebuffer and counts them. */
struct rx {
	struct xr_fb fb;
	int fills, bitmaps, texts, images, copies;
	size_t text_bytes;
	char text[4096]; /* every TEXT, concatenated */
};

static int rx_fill(void *ctx, struct xr_rect r, uint32_t col)
{
	struct rx *x = ctx;
	x->fills++;
	xr_fill(&x->fb, NULL, r.x, r.y, r.w, r.h, col);
	return 0;
}

static int rx_bitmap(void *ctx, struct xr_rect r, const uint8_t *bits, size_t len, uint32_t fg,
                     uint32_t bg)
{
	struct rx *x = ctx;
	struct xr_rect dmg;
	x->bitmaps++;
	return xr_bitmap(&x->fb, NULL, r.x, r.y, r.w, r.h, bits, len, fg, bg, false, &dmg);
}

static int rx_text(void *ctx, int px, int py, const char *s, size_t len, int font, uint32_t fg,
                   uint32_t bg)
{
	struct rx *x = ctx;
	x->texts++;
	x->text_bytes += len;
	size_t have = strlen(x->text);
	if (have + len + 2 < sizeof(x->text)) {
		memcpy(x->text + have, s, len);
		x->text[have + len] = '|';
		x->text[have + len + 1] = '\0';
	}
	xr_text(&x->fb, NULL, px, py, s, len, font, fg, bg, false);
	return 0;
}

static int rx_image(void *ctx, const struct xr_fb *fb, struct xr_rect r)
{
	struct rx *x = ctx;
	uint8_t *data;
	size_t len;
	struct xr_rect dmg;
	x->images++;
	assert_int_equal(xr_encode_zlib(fb, r, 1, &data, &len), 0);
	int rc = xr_image(&x->fb, NULL, r.x, r.y, r.w, r.h, XR_IMG_ZLIB, data, len, &dmg);
	free(data);
	return rc;
}

static int rx_copy(void *ctx, struct xr_rect src, int dx, int dy)
{
	struct rx *x = ctx;
	x->copies++;
	xr_copy(&x->fb, NULL, src.x, src.y, src.w, src.h, dx, dy);
	return 0;
}

static struct xr_emit emitter(struct rx *x, bool with_copy)
{
	return (struct xr_emit){x,       rx_fill,  rx_bitmap,
	                        rx_text, rx_image, with_copy ? rx_copy : NULL};
}

/* A terminal-like scene: text at a grid offset, bold, colours, a picture. */
static void scene(struct xr_fb *fb, int ox, int oy, int first_line)
{
	xr_fill(fb, NULL, 0, 0, fb->w, fb->h, 0xffffff);
	for (int i = 0; i < 12; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "%04d the quick brown fox, line %d",
		                 first_line + i, first_line + i);
		xr_text(fb, NULL, ox, oy + i * 13, line, (size_t)n, i % 3 == 2, 0x000000, 0xffffff,
		        false);
	}
	xr_text(fb, NULL, ox + 6 * 5, oy + 12 * 13, "\xc3\xa9t\xc3\xa9 ~", 7, 0, 0xcd0000, 0x00cdcd,
	        false);
	for (int y = 0; y < 20; y++)
		for (int x = 0; x < 30; x++)
			fb->px[(size_t)(fb->h - 22 + y) * (size_t)fb->stride +
			       (size_t)(fb->w - 32 + x)] = XR_RGB(x * 8, y * 12, 100);
}

static void refresh_is_exact(void **state)
{
	(void)state;
	for (int oy = 0; oy < 13; oy += 4) {
		for (int ox = 0; ox < 6; ox++) {
			struct xr_fb fb;
			struct rx x = {0};
			struct xr_enc st = {0};
			assert_int_equal(xr_fb_init(&fb, 300, 200), 0);
			assert_int_equal(xr_fb_init(&x.fb, 300, 200), 0);
			scene(&fb, ox, oy, 1);
			struct xr_emit e = emitter(&x, false);
			assert_int_equal(
			    xr_enc_refresh(&st, &fb, (struct xr_rect){0, 0, 300, 200}, &e), 0);
			assert_true(xr_fb_equal(&fb, &x.fb));
			/* the text arrives as characters, not pixels */
			assert_int_equal(st.phase_x, ox);
			assert_int_equal(st.phase_y, oy);
			assert_non_null(strstr(x.text, "0001 the quick brown fox, line 1|"));
			assert_non_null(strstr(x.text, "\xc3\xa9t\xc3\xa9 ~"));
			assert_int_equal(x.bitmaps, 0);
			xr_fb_finish(&fb);
			xr_fb_finish(&x.fb);
		}
	}
}

/* The receiver holds @old; an update to @now must leave it holding @now. */
static void update(struct xr_fb *old, struct xr_fb *now, struct xr_rect r, struct rx *x,
                   struct xr_enc *st)
{
	struct xr_fb shadow;
	assert_int_equal(xr_fb_init(&shadow, old->w, old->h), 0);
	assert_int_equal(xr_fb_init(&x->fb, old->w, old->h), 0);
	xr_blit(&shadow, NULL, 0, 0, old);
	xr_blit(&x->fb, NULL, 0, 0, old);
	struct xr_emit e = emitter(x, true);
	assert_int_equal(xr_enc_update(st, &shadow, now, r, &e), 0);
	assert_true(xr_fb_equal(&shadow, now));
	assert_true(xr_fb_equal(&x->fb, now));
	xr_fb_finish(&shadow);
}

static void scroll_is_one_copy(void **state)
{
	(void)state;
	struct xr_fb a, b;
	struct rx x = {0};
	struct xr_enc st = {0};
	assert_int_equal(xr_fb_init(&a, 300, 200), 0);
	assert_int_equal(xr_fb_init(&b, 300, 200), 0);
	scene(&a, 2, 2, 1);
	scene(&b, 2, 2, 4); /* three lines further down */
	update(&a, &b, (struct xr_rect){0, 0, 300, 200}, &x, &st);
	assert_int_equal(x.copies, 1);
	/* the new lines differ from the ones they replace only in their
	 * numbers: "3|3|4|4|5|5|", nothing else is sent */
	assert_string_equal(x.text, "3|3|4|4|5|5|");
	assert_int_equal(x.fills + x.bitmaps + x.images, 0);
	xr_fb_finish(&x.fb);
	xr_fb_finish(&a);
	xr_fb_finish(&b);
}

static void small_change_is_small(void **state)
{
	(void)state;
	struct xr_fb a, b;
	struct rx x = {0};
	struct xr_enc st = {0};
	assert_int_equal(xr_fb_init(&a, 300, 200), 0);
	assert_int_equal(xr_fb_init(&b, 300, 200), 0);
	scene(&a, 2, 2, 1);
	scene(&b, 2, 2, 1);
	/* a typed character and a block cursor after it */
	xr_text(&b, NULL, 2 + 6 * 40, 2 + 13 * 3, "x", 1, 0, 0, 0xffffff, false);
	xr_fill(&b, NULL, 2 + 6 * 41, 2 + 13 * 3, 6, 13, 0);
	update(&a, &b, (struct xr_rect){0, 0, 300, 200}, &x, &st);
	assert_int_equal(x.copies, 0);
	assert_int_equal(x.texts, 1);
	assert_int_equal(x.fills + x.bitmaps + x.images, 0);
	assert_true(x.text_bytes <= 4); /* "x" and a full block */
	xr_fb_finish(&x.fb);
	xr_fb_finish(&a);
	xr_fb_finish(&b);
}

/* A typed space and the cursor after it: one TEXT " █", no FILL, no GC. */
static void space_then_cursor_is_text(void **state)
{
	(void)state;
	struct xr_fb a, b;
	struct rx x = {0};
	struct xr_enc st = {0};
	assert_int_equal(xr_fb_init(&a, 300, 200), 0);
	assert_int_equal(xr_fb_init(&b, 300, 200), 0);
	scene(&a, 2, 2, 1);
	xr_fill(&a, NULL, 2 + 6 * 40, 2 + 13 * 3, 6, 13, 0); /* the cursor */
	scene(&b, 2, 2, 1);
	xr_fill(&b, NULL, 2 + 6 * 41, 2 + 13 * 3, 6, 13, 0); /* one cell on */
	update(&a, &b, (struct xr_rect){0, 0, 300, 200}, &x, &st);
	assert_int_equal(x.texts, 1);
	assert_int_equal(x.fills + x.bitmaps + x.images, 0);
	assert_string_equal(x.text, " \xe2\x96\x88|");
	xr_fb_finish(&x.fb);
	xr_fb_finish(&a);
	xr_fb_finish(&b);
}

/* Random scribbles of every kind, at odd places: always exact. */
static void random_updates_are_exact(void **state)
{
	(void)state;
	struct xr_fb a, b;
	uint32_t seed = 12345;
	assert_int_equal(xr_fb_init(&a, 157, 91), 0);
	assert_int_equal(xr_fb_init(&b, 157, 91), 0);
	scene(&a, 3, 5, 1);
	for (int round = 0; round < 200; round++) {
		struct rx x = {0};
		struct xr_enc st = {0};
		xr_blit(&b, NULL, 0, 0, &a);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1664525u + 1013904223u;
			int px = (int)(seed >> 8) % 157, py = (int)(seed >> 16) % 91;
			uint32_t col = seed & 0xffffff;
			switch ((seed >> 28) & 3) {
			case 0:
				xr_fill(&b, NULL, px, py, 1 + (int)(seed % 40),
				        1 + (int)(seed % 17), col);
				break;
			case 1:
				xr_text(&b, NULL, px, py, "Ab", 2, (int)(seed & 1), col,
				        ~col & 0xffffff, false);
				break;
			case 2:
				xr_copy(&b, NULL, 0, 13, 157, 60, 0, 0);
				break;
			default:
				b.px[(size_t)py * (size_t)b.stride + (size_t)px] = col;
				break;
			}
		}
		seed = seed * 1664525u + 1013904223u;
		struct xr_rect r = {(int)(seed >> 8) % 20, (int)(seed >> 16) % 10, 157, 91};
		r = xr_rect_intersect(r, (struct xr_rect){0, 0, 157, 91});
		/* only the area handed over may change: the rest is the old pixels */
		struct xr_fb want;
		assert_int_equal(xr_fb_init(&want, 157, 91), 0);
		xr_blit(&want, NULL, 0, 0, &a);
		xr_blit(&want, &r, 0, 0, &b);
		update(&a, &want, r, &x, &st);
		xr_blit(&a, NULL, 0, 0, &want);
		xr_fb_finish(&want);
		xr_fb_finish(&x.fb);
	}
	xr_fb_finish(&a);
	xr_fb_finish(&b);
}

static void glyphs_are_found(void **state)
{
	(void)state;
	struct xr_fb fb;
	assert_int_equal(xr_fb_init(&fb, 12, 13), 0);
	for (uint32_t c = 0x21; c < 0x7f; c++) {
		char s[2] = {(char)c, 0};
		for (int f = 0; f < XR_GLYPH_FONTS; f++) {
			xr_text(&fb, NULL, 0, 0, s, 1, f, 0x123456, 0xfedcba, false);
			assert_int_equal(xr_glyph_match(&fb, 0, 0, 0x123456, f), c);
			assert_int_equal(xr_glyph_match(&fb, 0, 0, 0xfedcba, f) == c, 0);
		}
	}
	assert_int_equal(xr_glyph_solid(0, false), ' ');
	assert_int_equal(xr_glyph_match(&fb, 7, 0, 0, 0), 0); /* outside the framebuffer */
	xr_fb_finish(&fb);
}

static void align_grows_to_tiles(void **state)
{
	(void)state;
	struct xr_enc st = {.phase_x = 2, .phase_y = 2};
	struct xr_rect r = xr_enc_align(&st, (struct xr_rect){10, 20, 1, 1}, 100, 100);
	assert_int_equal(r.x, 8);
	assert_int_equal(r.y, 15);
	assert_int_equal(r.w, 6);
	assert_int_equal(r.h, 13);
	r = xr_enc_align(&st, (struct xr_rect){0, 0, 100, 100}, 100, 100);
	assert_int_equal(r.w, 100);
	assert_int_equal(r.h, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(glyphs_are_found),          cmocka_unit_test(refresh_is_exact),
	    cmocka_unit_test(scroll_is_one_copy),        cmocka_unit_test(small_change_is_small),
	    cmocka_unit_test(space_then_cursor_is_text), cmocka_unit_test(random_updates_are_exact),
	    cmocka_unit_test(align_grows_to_tiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
