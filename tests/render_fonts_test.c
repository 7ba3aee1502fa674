/*
 * render_fonts_test.c - the font sizes, styles and the Unifont fallback.
 *
 * Every glyph of every misc-fixed face the renderer carries is drawn and
 * compared with the BDF file the build converted ($(GEN)/render/NAME.bdf),
 * placed by its own BBX, so the test checks the renderer against the font
 * data. Unifont glyphs are checked against rows copied from Debian's
 * unifont.hex (and FreeType's rendering of unifont_upper.otf) where the cell
 * holds them unscaled, and against the documented resampling rule where it
 * must shrink them. Synthesised bold and italic follow their documented rule.
 */
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

#define FG         0x00ffffffu
#define BGC        0x00000080u
#define MAX_GLYPHS 8192
#define MAX_H      32

struct glyph {
	uint32_t cp;
	uint32_t rows[MAX_H]; /* placed in the cell, MSB = column 0 */
};

struct bdf {
	int w, h, ascent;
	struct glyph *g;
	size_t n;
};

/* Parse one "BBX w h x y" glyph's hex rows into the cell. */
static void place(const struct bdf *f, struct glyph *g, const int *bbx, int j, unsigned long v)
{
	int digits_bits = (bbx[0] + 7) / 8 * 8;
	int row = f->ascent - bbx[3] - bbx[1] + j;

	assert_true(row >= 0 && row < f->h);
	for (int i = 0; i < bbx[0]; i++)
		if (v & (1ul << (digits_bits - 1 - i)))
			g->rows[row] |= 0x80000000u >> (bbx[2] + i);
}

static void bdf_load(struct bdf *f, const char *name)
{
	char path[512], line[256];
	FILE *in;
	struct glyph *g = NULL;
	int row = -1, bbx[4] = {0}, descent = 0;

	snprintf(path, sizeof(path), "%s/render/%s.bdf", XR_TEST_GEN, name);
	in = fopen(path, "r");
	if (!in)
		fail_msg("cannot open %s", path);
	memset(f, 0, sizeof(*f));
	f->g = calloc(MAX_GLYPHS, sizeof(*f->g));
	assert_non_null(f->g);
	while (fgets(line, sizeof(line), in)) {
		unsigned long v;
		int a, b, c, d;

		if (sscanf(line, "FONTBOUNDINGBOX %d %d %d %d", &a, &b, &c, &d) == 4)
			f->w = a;
		else if (sscanf(line, "FONT_ASCENT %d", &a) == 1)
			f->ascent = a;
		else if (sscanf(line, "FONT_DESCENT %d", &a) == 1)
			descent = a;
		else if (sscanf(line, "ENCODING %d", &a) == 1 && a >= 0) {
			assert_true(f->n < MAX_GLYPHS);
			g = &f->g[f->n++];
			g->cp = (uint32_t)a;
			f->h = f->ascent + descent;
		} else if (sscanf(line, "BBX %d %d %d %d", &bbx[0], &bbx[1], &bbx[2], &bbx[3]) == 4)
			;
		else if (strncmp(line, "BITMAP", 6) == 0)
			row = 0;
		else if (strncmp(line, "ENDCHAR", 7) == 0)
			row = -1, g = NULL;
		else if (row >= 0 && g && sscanf(line, "%lx", &v) == 1)
			place(f, g, bbx, row++, v);
	}
	fclose(in);
	assert_true(f->n > 200);
}

/* Draw @cp in @font at (0, 0) of a fresh framebuffer; its rows as bits. */
static void draw(int font, uint32_t cp, uint32_t *rows, int *w, int *h)
{
	struct xr_fb fb;
	char s[4];

	assert_int_equal(xr_font_cell(font, w, h, NULL), 0);
	assert_int_equal(xr_fb_init(&fb, *w, *h), 0);
	xr_text(&fb, NULL, 0, 0, s, xp_utf8_put(cp, s), font, FG, BGC, false);
	for (int r = 0; r < *h; r++) {
		rows[r] = 0;
		for (int c = 0; c < *w; c++) {
			uint32_t p = fb.px[(size_t)r * (size_t)fb.stride + (size_t)c];

			assert_true(p == FG || p == BGC);
			if (p == FG)
				rows[r] |= 0x80000000u >> c;
		}
	}
	xr_fb_finish(&fb);
}

static void same_rows(const uint32_t *got, const uint32_t *want, int h, uint32_t cp,
                      const char *what)
{
	for (int r = 0; r < h; r++)
		if (got[r] != want[r])
			fail_msg("%s U+%04X row %d: got %08x, want %08x", what, (unsigned)cp, r,
			         got[r], want[r]);
}

/* ---- misc-fixed sizes ------------------------------------------------- */

static void check_face(int size, const char *file, unsigned style)
{
	struct bdf f;
	int font = XR_FONT_ID(size, style), w, h, a;
	uint32_t rows[MAX_H];

	bdf_load(&f, file);
	assert_int_equal(xr_font_cell(font, &w, &h, &a), 0);
	assert_int_equal(w, f.w);
	assert_int_equal(h, f.h);
	assert_int_equal(a, f.ascent);
	for (size_t i = 0; i < f.n; i++) {
		uint32_t cp = f.g[i].cp;

		if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
			continue;
		assert_true(xr_font_has_glyph(font, cp));
		draw(font, cp, rows, &w, &h);
		same_rows(rows, f.g[i].rows, h, cp, file);
	}
	free(f.g);
}

static void test_every_face_matches_bdf(void **state)
{
	static const char *const faces[][3] = {
	    {"6x13", "6x13B", "6x13O"}, {"7x13", "7x13B", "7x13O"}, {"7x14", "7x14B", NULL},
	    {"8x13", "8x13B", "8x13O"}, {"9x15", "9x15B", NULL},    {"9x18", "9x18B", NULL},
	    {"10x20", NULL, NULL},      {"12x24", NULL, NULL},
	};

	(void)state;
	for (int s = 0; s < XR_FONT_SIZES; s++) {
		assert_string_equal(xr_font_size_name(s), faces[s][0]);
		assert_int_equal(xr_font_size_find(faces[s][0]), s);
		check_face(s, faces[s][0], 0);
		if (faces[s][1])
			check_face(s, faces[s][1], XR_FONT_BOLD);
		if (faces[s][2])
			check_face(s, faces[s][2], XR_FONT_ITALIC);
	}
	assert_null(xr_font_size_name(XR_FONT_SIZES));
	assert_null(xr_font_size_name(-1));
	assert_int_equal(xr_font_size_find("5x5"), -1);
	assert_int_equal(xr_font_size_find(NULL), -1);
}

/* ---- synthesised styles ----------------------------------------------- */

static void test_synthetic_bold(void **state)
{
	int size = xr_font_size_find("10x20"), w, h;
	uint32_t reg[MAX_H], bold[MAX_H], mask;

	(void)state;
	for (uint32_t cp = 'A'; cp <= 'z'; cp++) {
		draw(XR_FONT_ID(size, 0), cp, reg, &w, &h);
		draw(XR_FONT_ID(size, XR_FONT_BOLD), cp, bold, &w, &h);
		mask = ~0u << (32 - w);
		for (int r = 0; r < h; r++)
			reg[r] = (reg[r] | reg[r] >> 1) & mask;
		same_rows(bold, reg, h, cp, "overstruck bold");
	}
}

static void test_synthetic_italic(void **state)
{
	int size = xr_font_size_find("9x15"), w, h, a;
	uint32_t reg[MAX_H], it[MAX_H], mask;

	(void)state;
	assert_int_equal(xr_font_cell(XR_FONT_ID(size, 0), NULL, NULL, &a), 0);
	for (uint32_t cp = 'A'; cp <= 'z'; cp++) {
		draw(XR_FONT_ID(size, 0), cp, reg, &w, &h);
		draw(XR_FONT_ID(size, XR_FONT_ITALIC), cp, it, &w, &h);
		mask = ~0u << (32 - w);
		for (int r = 0; r < h; r++) {
			int s = (a * 2 / 3 - r) / 3; /* the rule in render/glyph.c */

			reg[r] = (s >= 0 ? reg[r] >> s : reg[r] << -s) & mask;
		}
		same_rows(it, reg, h, cp, "sheared italic");
	}
	/* and it differs from the regular face: the top leans right */
	draw(XR_FONT_ID(size, 0), 'l', reg, &w, &h);
	draw(XR_FONT_ID(size, XR_FONT_ITALIC), 'l', it, &w, &h);
	assert_memory_not_equal(reg, it, (size_t)h * sizeof(reg[0]));
}

/* ---- Unifont ---------------------------------------------------------- */

/* U+65E5 from Debian's unifont.hex (15.0.01), 16 rows of 16 bits. */
static const uint16_t hex_65e5[16] = {0x0000, 0x1ff0, 0x1010, 0x1010, 0x1010, 0x1010,
                                      0x1010, 0x1ff0, 0x1010, 0x1010, 0x1010, 0x1010,
                                      0x1010, 0x1010, 0x1ff0, 0x1010};

/* U+1F600 as FreeType renders unifont_upper.otf at 16 pixels. */
static const char *const emoji_1f600[16] = {
    "................", "......#####.....", "....##.....##...", "...#.........#..",
    "..#...........#.", "..#..##...##..#.", ".#...##...##...#", ".#.............#",
    ".#.............#", ".#..#########..#", "..#.#.#.#.#.#.#.", "..#..##.#.##..#.",
    "...#..#####..#..", "....##.....##...", "......#####.....", "................",
};

static void test_wide_unscaled(void **state)
{
	int size = xr_font_size_find("9x18"), w, h;
	uint32_t got[MAX_H], want[MAX_H];

	(void)state;
	/* 18x18 cell: the 16x16 glyph keeps its size, centred (1 column in) */
	draw(XR_FONT_ID(size, XR_FONT_WIDE), 0x65e5, got, &w, &h);
	assert_int_equal(w, 18);
	assert_int_equal(h, 18);
	memset(want, 0, sizeof(want));
	for (int r = 0; r < 16; r++)
		want[r] = (uint32_t)hex_65e5[r] << 15;
	same_rows(got, want, h, 0x65e5, "9x18 wide");
	assert_true(xr_font_has_glyph(XR_FONT_ID(size, XR_FONT_WIDE), 0x1f600));
	draw(XR_FONT_ID(size, XR_FONT_WIDE), 0x1f600, got, &w, &h);
	memset(want, 0, sizeof(want));
	for (int r = 0; r < 16; r++)
		for (int c = 0; c < 16 && emoji_1f600[r][c]; c++)
			if (emoji_1f600[r][c] == '#')
				want[r] |= 0x80000000u >> (c + 1);
	same_rows(got, want, h, 0x1f600, "9x18 wide emoji");
}

static void test_wide_shrunk(void **state)
{
	uint32_t got[MAX_H], want[MAX_H] = {0};
	int w, h;

	(void)state;
	/* 6x13: 12x13 cells; rows and columns are OR-ed in groups
	 * [j*16/n, (j+1)*16/n), so no stroke of the 16x16 glyph is lost */
	draw(XR_FONT_ID(0, XR_FONT_WIDE), 0x65e5, got, &w, &h);
	assert_int_equal(w, 12);
	assert_int_equal(h, 13);
	for (int r = 0; r < h; r++)
		for (int i = r * 16 / h; i < (r + 1) * 16 / h; i++)
			for (int c = 0; c < w; c++)
				for (int k = c * 16 / w; k < (c + 1) * 16 / w; k++)
					if (hex_65e5[i] & (0x8000 >> k))
						want[r] |= 0x80000000u >> c;
	same_rows(got, want, h, 0x65e5, "6x13 wide");
	assert_int_equal(xr_text_width("\xe6\x97\xa5\xe6\x97\xa5", 6, XR_FONT_ID(0, XR_FONT_WIDE)),
	                 24);
}

static void test_wide_fallback_centred(void **state)
{
	uint32_t narrow[MAX_H], wide[MAX_H];
	int w, h;

	(void)state;
	/* Unifont's wide face has no 'A': the narrow glyph, centred */
	assert_false(xr_font_has_glyph(XR_FONT_ID(0, XR_FONT_WIDE), 'A'));
	draw(XR_FONT_ID(0, 0), 'A', narrow, &w, &h);
	draw(XR_FONT_ID(0, XR_FONT_WIDE), 'A', wide, &w, &h);
	for (int r = 0; r < h; r++)
		narrow[r] >>= 3;
	same_rows(wide, narrow, h, 'A', "centred in a wide cell");
}

static void test_narrow_fallback(void **state)
{
	uint32_t box[MAX_H], g[MAX_H];
	int w, h, ink = 0;

	(void)state;
	/* Coptic U+2C80: not in misc-fixed, 8 pixels wide in Unifont */
	for (int size = 0; size < XR_FONT_SIZES; size++) {
		assert_false(xr_font_has_glyph(XR_FONT_ID(size, 0), 0x2c80));
		draw(XR_FONT_ID(size, 0), 0x4e00, box, &w, &h); /* wide only: the box */
		draw(XR_FONT_ID(size, 0), 0x2c80, g, &w, &h);
		assert_memory_not_equal(box, g, (size_t)h * sizeof(g[0]));
		for (int r = 0; r < h; r++)
			ink += g[r] != 0;
	}
	assert_true(ink > 8 * XR_FONT_SIZES);
}

/* DEC line sizes: the narrow glyph with every pixel doubled (and halves). */
static void test_line_sizes(void **state)
{
	uint32_t reg[MAX_H], dwl[MAX_H], top[MAX_H], bot[MAX_H], want;
	int w, h, rw;

	(void)state;
	for (uint32_t cp = 'A'; cp <= 'z'; cp++) {
		draw(XR_FONT_ID(0, XR_FONT_BOLD), cp, reg, &rw, &h);
		draw(XR_FONT_ID(0, XR_FONT_BOLD | XR_FONT_DWL), cp, dwl, &w, &h);
		draw(XR_FONT_ID(0, XR_FONT_BOLD | XR_FONT_DHL_TOP), cp, top, &w, &h);
		draw(XR_FONT_ID(0, XR_FONT_BOLD | XR_FONT_DHL_BOTTOM), cp, bot, &w, &h);
		assert_int_equal(w, 2 * rw);
		for (int r = 0; r < h; r++) {
			want = 0;
			for (int c = 0; c < rw; c++)
				if (reg[r] & (0x80000000u >> c))
					want |= 0xc0000000u >> (2 * c);
			assert_int_equal(dwl[r], want);
			assert_int_equal(top[r], dwl[r / 2]);
			assert_int_equal(bot[r], dwl[(r + h) / 2]);
		}
	}
	/* a line size replaces WIDE: the same cell, the same glyph */
	draw(XR_FONT_ID(0, XR_FONT_WIDE | XR_FONT_DWL), 'A', top, &w, &h);
	draw(XR_FONT_ID(0, XR_FONT_DWL), 'A', dwl, &w, &h);
	assert_memory_equal(top, dwl, (size_t)h * sizeof(top[0]));
}

static void test_glyph_bitmap(void **state)
{
	uint8_t bits[128];
	uint32_t rows[MAX_H];
	int n, w, h;

	(void)state;
	n = xr_glyph_bitmap(XR_FONT_ID(0, XR_FONT_WIDE), 0x65e5, bits, sizeof(bits));
	assert_int_equal(n, 2 * 13);
	draw(XR_FONT_ID(0, XR_FONT_WIDE), 0x65e5, rows, &w, &h);
	for (int r = 0; r < h; r++)
		assert_int_equal((uint32_t)bits[2 * r] << 24 | (uint32_t)bits[2 * r + 1] << 16,
		                 rows[r]);
	n = xr_glyph_bitmap(0, 0x301, bits, sizeof(bits));
	assert_int_equal(n, 13);
	assert_int_equal(xr_glyph_bitmap(0, 'A', bits, 12), -1);
	assert_int_equal(xr_glyph_bitmap(XR_FONT_COUNT, 'A', bits, sizeof(bits)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_face_matches_bdf),
	    cmocka_unit_test(test_synthetic_bold),
	    cmocka_unit_test(test_synthetic_italic),
	    cmocka_unit_test(test_wide_unscaled),
	    cmocka_unit_test(test_wide_shrunk),
	    cmocka_unit_test(test_wide_fallback_centred),
	    cmocka_unit_test(test_narrow_fallback),
	    cmocka_unit_test(test_glyph_bitmap),
	    cmocka_unit_test(test_line_sizes),

	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
