/*
 * render_text_test.c - text drawing, UTF-8 decoding and font coverage.
 *
 * Glyph pixels are checked against the BDF files the build generated from
 * the misc-fixed PCF fonts ($(GEN)/render/NAME.bdf, folder from XR_TEST_GEN), so
 * the test compares the renderer with the font data, not with itself.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xproto.h"
#include "xrender.h"

#define FG             0x00ffffffu
#define BGC            0x00000080u
#define OLD            0x00123456u
#define CW             6
#define CH             13
#define MAX_BDF_GLYPHS 8192

struct bdf_glyph {
	uint32_t cp;
	uint8_t rows[CH];
};

struct bdf_font {
	struct bdf_glyph g[MAX_BDF_GLYPHS];
	size_t n;
	long default_char;
};

static struct bdf_font regular, bold;

/* Minimal BDF reader for the 6x13 fonts (every BBX is the whole cell). */
static void bdf_load(struct bdf_font *f, const char *name)
{
	char path[512], line[256];
	FILE *in;
	struct bdf_glyph *g = NULL;
	int row = -1;

	snprintf(path, sizeof(path), "%s/render/%s.bdf", XR_TEST_GEN, name);
	in = fopen(path, "r");
	if (!in)
		fail_msg("cannot open %s", path);
	f->n = 0;
	f->default_char = -1;
	while (fgets(line, sizeof(line), in)) {
		unsigned v;

		if (sscanf(line, "DEFAULT_CHAR %u", &v) == 1)
			f->default_char = v;
		else if (sscanf(line, "ENCODING %u", &v) == 1) {
			assert_true(f->n < MAX_BDF_GLYPHS);
			g = &f->g[f->n++];
			g->cp = v;
		} else if (strncmp(line, "BBX", 3) == 0)
			assert_string_equal(line, "BBX 6 13 0 -2\n");
		else if (strncmp(line, "BITMAP", 6) == 0)
			row = 0;
		else if (strncmp(line, "ENDCHAR", 7) == 0)
			row = -1;
		else if (row >= 0 && row < CH && g && sscanf(line, "%x", &v))
			g->rows[row++] = (uint8_t)v;
	}
	fclose(in);
	assert_true(f->n > 1000);
}

static int group_setup(void **state)
{
	(void)state;
	bdf_load(&regular, "6x13");
	bdf_load(&bold, "6x13B");
	return 0;
}

static const struct bdf_glyph *bdf_find(const struct bdf_font *f, uint32_t cp)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->g[i].cp == cp)
			return &f->g[i];
	return NULL;
}

static uint32_t px(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x];
}

/* The cell at (x, y) shows @g's rows in FG on BGC. */
static void check_cell(const struct xr_fb *fb, int x, int y, const struct bdf_glyph *g,
                       uint32_t off)
{
	for (int r = 0; r < CH; r++)
		for (int c = 0; c < CW; c++) {
			bool on = g->rows[r] & (0x80 >> c);

			if (px(fb, x + c, y + r) != (on ? FG : off))
				fail_msg("U+%04X row %d col %d", (unsigned)g->cp, r, c);
		}
}

static void fb_new(struct xr_fb *fb, int w, int h)
{
	assert_int_equal(xr_fb_init(fb, w, h), 0);
	xr_fill(fb, NULL, 0, 0, w, h, OLD);
}

static void test_font_cell(void **state)
{
	int w = 0, h = 0, a = 0;

	(void)state;
	assert_int_equal(xr_font_cell(XR_FONT_FIXED, &w, &h, &a), 0);
	assert_int_equal(w, 6);
	assert_int_equal(h, 13);
	assert_int_equal(a, 11);
	assert_int_equal(xr_font_cell(XR_FONT_FIXED_BOLD, &w, NULL, NULL), 0);
	assert_int_equal(xr_font_cell(XR_FONT_COUNT, &w, &h, &a), -1);
	assert_int_equal(xr_font_cell(-1, NULL, NULL, NULL), -1);
	assert_non_null(strstr(xr_font_name(XR_FONT_FIXED), "Fixed-Medium"));
	assert_non_null(strstr(xr_font_name(XR_FONT_FIXED_BOLD), "Fixed-Bold"));
	assert_null(xr_font_name(XR_FONT_COUNT));
}

static void test_glyph_A(void **state)
{
	/* 'A' in 6x13 as in the BDF: rows 2..10 */
	static const uint8_t A[CH] = {0x00, 0x00, 0x20, 0x50, 0x88, 0x88, 0x88,
	                              0xf8, 0x88, 0x88, 0x88, 0x00, 0x00};
	struct bdf_glyph g = {'A', {0}};
	struct xr_fb fb;
	struct xr_rect d;

	(void)state;
	memcpy(g.rows, A, CH);
	assert_memory_equal(bdf_find(&regular, 'A')->rows, A, CH);
	fb_new(&fb, 20, 20);
	d = xr_text(&fb, NULL, 3, 4, "A", 1, XR_FONT_FIXED, FG, BGC, false);
	assert_int_equal(d.x, 3);
	assert_int_equal(d.y, 4);
	assert_int_equal(d.w, 6);
	assert_int_equal(d.h, 13);
	check_cell(&fb, 3, 4, &g, BGC);
	assert_int_equal(px(&fb, 2, 4), OLD);
	assert_int_equal(px(&fb, 9, 4), OLD);
	assert_int_equal(px(&fb, 3, 17), OLD);
	xr_fb_finish(&fb);
}

/* Render every glyph of @f with font @id and compare with the BDF rows. */
static void all_glyphs(const struct bdf_font *f, int id)
{
	struct xr_fb fb;

	fb_new(&fb, CW, CH);
	for (size_t i = 0; i < f->n; i++) {
		char s[4];
		uint32_t cp = f->g[i].cp;
		size_t n;

		if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
			continue;
		n = xp_utf8_put(cp, s);
		assert_true(xr_font_has_glyph(id, cp));
		xr_text(&fb, NULL, 0, 0, s, n, id, FG, BGC, false);
		check_cell(&fb, 0, 0, &f->g[i], BGC);
	}
	xr_fb_finish(&fb);
}

static void test_all_glyphs_match_bdf(void **state)
{
	(void)state;
	all_glyphs(&regular, XR_FONT_FIXED);
	all_glyphs(&bold, XR_FONT_FIXED_BOLD);
}

static void test_coverage(void **state)
{
	static const uint32_t must[][2] = {
	    {0x20, 0x7e},     {0xa0, 0xff},     {0x100, 0x17f},   {0x2190, 0x21ff},
	    {0x2500, 0x257f}, {0x2580, 0x259f}, {0x25a0, 0x25ff},
	};
	/* present in the table exactly when the font has them */
	static const uint32_t ranges[][2] = {
	    {0x0, 0x24f},     {0x370, 0x4ff},   {0x2000, 0x206f},
	    {0x2190, 0x22ff}, {0x2500, 0x26ff}, {0xfff0, 0xffff},
	};

	(void)state;
	for (size_t r = 0; r < sizeof(must) / sizeof(must[0]); r++)
		for (uint32_t cp = must[r][0]; cp <= must[r][1]; cp++)
			if (!xr_font_has_glyph(XR_FONT_FIXED, cp))
				fail_msg("U+%04X missing", (unsigned)cp);
	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++)
		for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
			assert_int_equal(xr_font_has_glyph(XR_FONT_FIXED, cp),
			                 bdf_find(&regular, cp) != NULL);
			assert_int_equal(xr_font_has_glyph(XR_FONT_FIXED_BOLD, cp),
			                 bdf_find(&bold, cp) != NULL);
		}
	for (uint32_t cp = 0x20; cp <= 0x7e; cp++)
		assert_true(xr_font_has_glyph(XR_FONT_FIXED_BOLD, cp));
	assert_false(xr_font_has_glyph(XR_FONT_FIXED, 0x110000));
	assert_false(xr_font_has_glyph(XR_FONT_COUNT, 'A'));
}

static void test_missing_glyph_box(void **state)
{
	const struct bdf_glyph *box = bdf_find(&regular, 0);
	struct xr_fb fb;

	(void)state;
	assert_int_equal(regular.default_char, 0);
	assert_non_null(box);
	assert_false(xr_font_has_glyph(XR_FONT_FIXED, 0x4e00));
	fb_new(&fb, 3 * CW, CH);
	/* U+4E00 (CJK), U+0001 (control), U+1F600 (not in the BMP) */
	xr_text(&fb, NULL, 0, 0, "\xe4\xb8\x80\x01\xf0\x9f\x98\x80", 8, XR_FONT_FIXED, FG, BGC,
	        false);
	for (int i = 0; i < 3; i++)
		check_cell(&fb, i * CW, 0, box, BGC);
	xr_fb_finish(&fb);
}

static void test_invalid_utf8(void **state)
{
	/* lone continuation, truncated 3-byte, overlong '/', surrogate, end */
	static const char s[] = "\x80"
	                        "\xe2\x82"
	                        "A"
	                        "\xc0\xaf"
	                        "\xed\xa0\x80"
	                        "\xf4\x90\x80\x80"
	                        "\xe2";
	const struct bdf_glyph *rep = bdf_find(&regular, 0xfffd);
	const struct bdf_glyph *A = bdf_find(&regular, 'A');
	/* per maximal subpart: 80 | E2 82 | A | C0 | AF | ED | A0 | 80 |
	 * F4 | 90 | 80 | 80 | E2 */
	static const int is_a[13] = {0, 0, 1};
	struct xr_fb fb;

	(void)state;
	assert_non_null(rep);
	assert_int_equal(xr_text_width(s, sizeof(s) - 1, XR_FONT_FIXED), 13 * CW);
	fb_new(&fb, 13 * CW, CH);
	xr_text(&fb, NULL, 0, 0, s, sizeof(s) - 1, XR_FONT_FIXED, FG, BGC, false);
	for (int i = 0; i < 13; i++)
		check_cell(&fb, i * CW, 0, is_a[i] ? A : rep, BGC);
	xr_fb_finish(&fb);
}

static void test_bold_fallback(void **state)
{
	const struct bdf_glyph *g = bdf_find(&regular, 0x2550);
	struct xr_fb fb;

	(void)state;
	assert_false(xr_font_has_glyph(XR_FONT_FIXED_BOLD, 0x2550));
	assert_non_null(g);
	fb_new(&fb, CW, CH);
	xr_text(&fb, NULL, 0, 0, "\xe2\x95\x90", 3, XR_FONT_FIXED_BOLD, FG, BGC, false);
	check_cell(&fb, 0, 0, g, BGC);
	xr_fb_finish(&fb);
}

static void test_transparent_and_clip(void **state)
{
	const struct bdf_glyph *H = bdf_find(&regular, 'H');
	struct xr_fb fb;
	struct xr_rect d, clip = {8, 3, 100, 5};

	(void)state;
	fb_new(&fb, 30, 20);
	d = xr_text(&fb, NULL, 0, 0, "HH", 2, XR_FONT_FIXED, FG, 0, true);
	assert_int_equal(d.w, 12);
	check_cell(&fb, 0, 0, H, OLD);
	check_cell(&fb, CW, 0, H, OLD);
	xr_fill(&fb, NULL, 0, 0, 30, 20, OLD);
	/* clip: only columns >= 8 and rows 3..7 of the cells */
	d = xr_text(&fb, &clip, 0, 0, "HHH", 3, XR_FONT_FIXED, FG, BGC, false);
	assert_int_equal(d.x, 8);
	assert_int_equal(d.y, 3);
	assert_int_equal(d.w, 10);
	assert_int_equal(d.h, 5);
	for (int y = 0; y < 20; y++)
		for (int x = 0; x < 30; x++) {
			bool in = x >= 8 && x < 18 && y >= 3 && y < 8;
			bool on = in && (H->rows[y] & (0x80 >> (x % CW)));

			assert_int_equal(px(&fb, x, y), !in ? OLD : on ? FG : BGC);
		}
	xr_fb_finish(&fb);
}

static void test_text_edges(void **state)
{
	struct xr_fb fb;
	struct xr_rect d;

	(void)state;
	fb_new(&fb, 20, 20);
	d = xr_text(&fb, NULL, -3, -5, "AB", 2, XR_FONT_FIXED, FG, BGC, false);
	assert_int_equal(d.x, 0);
	assert_int_equal(d.y, 0);
	assert_int_equal(d.w, 9);
	assert_int_equal(d.h, 8);
	d = xr_text(&fb, NULL, INT_MAX - 3, 0, "AB", 2, 0, FG, BGC, false);
	assert_int_equal(d.w, 0);
	d = xr_text(&fb, NULL, INT_MIN, INT_MIN, "AB", 2, 0, FG, BGC, false);
	assert_int_equal(d.w, 0);
	d = xr_text(&fb, NULL, 0, 0, "AB", 2, XR_FONT_COUNT, FG, BGC, false);
	assert_int_equal(d.w, 0);
	d = xr_text(&fb, NULL, 0, 0, "", 0, 0, FG, BGC, false);
	assert_int_equal(d.w, 0);
	/* text running off the right edge stops at the edge */
	d = xr_text(&fb, NULL, 15, 0, "ABCDEFGH", 8, 0, FG, BGC, false);
	assert_int_equal(d.x, 15);
	assert_int_equal(d.w, 5);
	assert_int_equal(xr_text_width("ab\xc3\xa9", 4, 0), 3 * CW);
	assert_int_equal(xr_text_width("ab", 2, XR_FONT_COUNT), -1);
	xr_fb_finish(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_font_cell),
	    cmocka_unit_test(test_glyph_A),
	    cmocka_unit_test(test_all_glyphs_match_bdf),
	    cmocka_unit_test(test_coverage),
	    cmocka_unit_test(test_missing_glyph_box),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_bold_fallback),
	    cmocka_unit_test(test_transparent_and_clip),
	    cmocka_unit_test(test_text_edges),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
