/*
 * render_scene_test.c - draws a small desktop-like scene with every
 * operation (fills, text in both fonts, box drawing, a region scrolled with
 * xr_copy, a decoded image, a bitmap), writes it to $(BUILD)/test-scene.png
 * for people to look at, reads the file back, and checks chosen pixels.
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

#define W      320
#define H      200
#define DESK   0x00202840u
#define TITLE  0x003050a0u
#define WHITE  0x00ffffffu
#define GREEN  0x0040e040u
#define TERM   0x00000000u
#define LINE_H 13

/* The scrolled "terminal" region. */
static const struct xr_rect term = {196, 24, 116, 5 * LINE_H};

static uint32_t px(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x];
}

static uint32_t gradient(int x, int y)
{
	return XR_RGB(x * 4, y * 5, 128);
}

static void draw_text(struct xr_fb *fb, int x, int y, const char *s, int font, uint32_t fg,
                      uint32_t bg)
{
	xr_text(fb, NULL, x, y, s, strlen(s), font, fg, bg, false);
}

/* A box of box-drawing characters, @cols x @rows cells outside. */
static void draw_box(struct xr_fb *fb, int x, int y, int cols, int rows)
{
	char line[256];
	size_t n;

	for (int r = 0; r < rows; r++) {
		const char *l = r == 0 ? "┌" : r == rows - 1 ? "└" : "│";
		const char *m = r == 0 || r == rows - 1 ? "─" : " ";
		const char *e = r == 0 ? "┐" : r == rows - 1 ? "┘" : "│";

		n = (size_t)snprintf(line, sizeof(line), "%s", l);
		for (int c = 1; c < cols - 1; c++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s", m);
		snprintf(line + n, sizeof(line) - n, "%s", e);
		draw_text(fb, x, y + r * LINE_H, line, XR_FONT_FIXED, WHITE, DESK);
	}
}

/* Five terminal lines, then scroll up by one line and print a sixth. */
static void draw_terminal(struct xr_fb *fb)
{
	char line[32];

	xr_fill(fb, NULL, term.x, term.y, term.w, term.h, TERM);
	for (int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "$ line %d", i + 1);
		draw_text(fb, term.x, term.y + i * LINE_H, line, XR_FONT_FIXED, GREEN, TERM);
	}
	xr_copy(fb, &term, term.x, term.y + LINE_H, term.w, term.h - LINE_H, term.x, term.y);
	xr_fill(fb, &term, term.x, term.y + 4 * LINE_H, term.w, LINE_H, TERM);
	draw_text(fb, term.x, term.y + 4 * LINE_H, "$ line 6", XR_FONT_FIXED, GREEN, TERM);
}

static void draw_image_and_bitmap(struct xr_fb *fb)
{
	uint8_t rgb[64 * 48 * 3], bits[16 * 2], *z;
	struct xr_fb img;
	struct xr_rect d, all = {0, 0, 64, 48};
	size_t zlen;

	assert_int_equal(xr_fb_init(&img, 64, 48), 0);
	for (int y = 0; y < 48; y++)
		for (int x = 0; x < 64; x++) {
			uint32_t c = gradient(x, y);

			img.px[y * 64 + x] = c;
			memcpy(rgb + (y * 64 + x) * 3, (uint8_t[3]){c >> 16, c >> 8, c}, 3);
		}
	assert_int_equal(xr_encode_png(&img, all, 6, &z, &zlen), 0);
	assert_int_equal(xr_image(fb, NULL, 240, 120, 64, 48, XR_IMG_PNG, z, zlen, &d), 0);
	free(z);
	assert_int_equal(xr_image(fb, NULL, 240, 170, 64, 20, XR_IMG_RAW, rgb, 64 * 20 * 3, &d), 0);
	xr_fb_finish(&img);
	for (int r = 0; r < 16; r++)
		bits[r * 2] = bits[r * 2 + 1] = (r / 4) % 2 ? 0x0f : 0xf0;
	assert_int_equal(
	    xr_bitmap(fb, NULL, 200, 120, 16, 16, bits, sizeof(bits), WHITE, TITLE, false, &d), 0);
}

static void draw_scene(struct xr_fb *fb)
{
	xr_fill(fb, NULL, 0, 0, W, H, DESK);
	xr_fill(fb, NULL, 0, 0, W, 15, TITLE);
	draw_text(fb, 4, 1, "xproto renderer test scene", XR_FONT_FIXED_BOLD, WHITE, TITLE);
	draw_box(fb, 4, 20, 30, 8);
	draw_text(fb, 10, 33, "Hello, wörld! ÀÉÎÕÜ ßçñ", XR_FONT_FIXED, WHITE, DESK);
	draw_text(fb, 10, 46, "← ↑ → ↓ █▓▒░ ▲●◆ “quotes”", XR_FONT_FIXED, 0x00ffd040, DESK);
	draw_text(fb, 10, 59, "Bold: ÀÉ ═║╔ fallback", XR_FONT_FIXED_BOLD, WHITE, DESK);
	draw_text(fb, 10, 72, "bad: \xff\xe2\x82 missing: 一", XR_FONT_FIXED, 0x00ff8080, DESK);
	draw_text(fb, 10, 85, "Latin-A: ĀăĐđŁłŒœŠšŽž", XR_FONT_FIXED, WHITE, DESK);
	draw_terminal(fb);
	draw_image_and_bitmap(fb);
}

/* The terminal line @row shows exactly "$ line @n" as drawn on its own. */
static void check_term_line(const struct xr_fb *fb, int row, int n)
{
	struct xr_fb ref;
	char line[32];
	int y0 = term.y + row * LINE_H;

	assert_int_equal(xr_fb_init(&ref, W, H), 0);
	xr_fill(&ref, NULL, 0, 0, W, H, TERM);
	snprintf(line, sizeof(line), "$ line %d", n);
	draw_text(&ref, term.x, y0, line, XR_FONT_FIXED, GREEN, TERM);
	for (int y = y0; y < y0 + LINE_H; y++)
		for (int x = term.x; x < term.x + term.w; x++)
			assert_int_equal(px(fb, x, y), px(&ref, x, y));
	xr_fb_finish(&ref);
}

static void check_scene(const struct xr_fb *fb)
{
	/* title bar right of the text, desktop, box corner and edge */
	assert_int_equal(px(fb, 310, 2), TITLE);
	assert_int_equal(px(fb, 2, 150), DESK);
	/* '┌' at (4, 20): row 6 = 0x3c (columns 2..5), rows 7.. = column 2 */
	assert_int_equal(px(fb, 4 + 1, 20 + 6), DESK);
	assert_int_equal(px(fb, 4 + 2, 20 + 6), WHITE);
	assert_int_equal(px(fb, 4 + 2, 20 + 12), WHITE);
	/* '─' (row 6 = 0xfc) in the top edge */
	for (int x = 0; x < 6; x++)
		assert_int_equal(px(fb, 4 + 6 + x, 20 + 6), WHITE);
	assert_int_equal(px(fb, 4 + 6, 20 + 5), DESK);
	/* '█' (cell 8 of the line at y = 46) fills its whole cell */
	assert_int_equal(px(fb, 10 + 6 * 8, 46), 0x00ffd040);
	assert_int_equal(px(fb, 10 + 6 * 8 + 5, 46 + 12), 0x00ffd040);
	/* terminal: after scrolling, lines 2..6 */
	for (int i = 0; i < 5; i++)
		check_term_line(fb, i, i + 2);
	/* images and bitmap */
	assert_int_equal(px(fb, 240 + 5, 120 + 7), gradient(5, 7));
	assert_int_equal(px(fb, 240 + 63, 120 + 47), gradient(63, 47));
	assert_int_equal(px(fb, 240 + 10, 170 + 19), gradient(10, 19));
	assert_int_equal(px(fb, 240 + 10, 170 + 20), DESK);
	assert_int_equal(px(fb, 200, 120), WHITE);
	assert_int_equal(px(fb, 200 + 4, 120), TITLE);
	assert_int_equal(px(fb, 200, 120 + 4), TITLE);
}

static void test_scene(void **state)
{
	char path[256];
	struct xr_fb fb, back;

	(void)state;
	snprintf(path, sizeof(path), "%s/test-scene.png", XR_TEST_BUILD);
	assert_int_equal(xr_fb_init(&fb, W, H), 0);
	draw_scene(&fb);
	check_scene(&fb);
	assert_int_equal(xr_png_write_file(&fb, path), 0);
	assert_int_equal(xr_png_read_file(path, &back), 0);
	assert_true(xr_fb_equal(&fb, &back));
	xr_fb_finish(&back);
	xr_fb_finish(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scene),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
