/*
 * unifont2c.c - build-time converter from GNU Unifont (OpenType, Debian
 * fonts-unifont) to the renderer's fallback glyph tables.
 *
 * Usage: unifont2c SYMBOL OUT.c FONT.otf [FONT.otf ...]
 *
 * Unifont draws every glyph on a 16-pixel grid, 8 or 16 pixels wide, and its
 * OpenType files outline exactly those pixels, so FreeType renders them back
 * without loss at 16 pixels per em. Two faces are written:
 *   SYMBOL_narrow  8x16 cells: glyphs 8 pixels wide that wcwidth() counts as
 *                  one column,
 *   SYMBOL_wide    16x16 cells: glyphs 16 pixels wide that wcwidth() counts
 *                  as two columns (CJK, Hangul, emoji, fullwidth forms).
 * Glyphs whose Unifont width disagrees with a terminal's notion of width
 * (Unifont draws some narrow scripts 16 pixels wide), combining marks
 * (advance 0) and control characters are left out, so a terminal never gets
 * a glyph of the wrong width. wcwidth() comes from glibc's C.UTF-8 locale,
 * the same table the build machine's terminals use. When several files have
 * a code point, the first wins. Rows are written as string literals, which
 * compilers read much faster than a million numbers.
 */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xputil.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include "symbol.h"

#define EM         16 /* Unifont's pixel grid */
#define ASCENT     14
#define MAX_GLYPHS 65534 /* glyph indexes are 16-bit, 0xffff means none */

struct glyph {
	uint32_t cp;
	uint8_t rows[EM * 2]; /* EM rows of 1 (narrow) or 2 (wide) bytes */
};

struct face {
	const char *suffix; /* "narrow" or "wide" */
	int w, bpr;         /* cell width, bytes per row */
	struct glyph *g;
	size_t n, cap;
};

struct conv {
	struct face faces[2];
	long dropped_width, dropped_box; /* wcwidth disagrees; pixels outside */
};

/* Place the rendered monochrome bitmap of @slot into @g; -1 if it does not
 * fit the cell. */
static int place(const FT_GlyphSlot slot, const struct face *f, struct glyph *g)
{
	const FT_Bitmap *bm = &slot->bitmap;
	int top = ASCENT - slot->bitmap_top, left = slot->bitmap_left;

	if (bm->rows == 0 || bm->width == 0)
		return 0;
	if (bm->pixel_mode != FT_PIXEL_MODE_MONO || top < 0 || left < 0 ||
	    top + (int)bm->rows > EM || left + (int)bm->width > f->w)
		return -1;
	for (unsigned r = 0; r < bm->rows; r++) {
		const uint8_t *src = bm->buffer + (long)r * bm->pitch;

		for (unsigned c = 0; c < bm->width; c++) {
			int col = left + (int)c;

			if (src[c / 8] & (0x80 >> (c % 8)))
				g->rows[(top + (int)r) * f->bpr + col / 8] |=
				    (uint8_t)(0x80 >> (col % 8));
		}
	}
	return 0;
}

static struct glyph *add(struct face *f, uint32_t cp)
{
	if (XU_ARRAY_RESERVE(f->g, f->cap, f->n + 1) < 0)
		return NULL;
	memset(&f->g[f->n], 0, sizeof(f->g[f->n]));
	f->g[f->n].cp = cp;
	return &f->g[f->n++];
}

static int has(const struct face *f, uint32_t cp)
{
	size_t lo = 0, hi = f->n;

	/* glyphs are added in ascending order per file: search what is there */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->g[mid].cp == cp)
			return 1;
		if (f->g[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cmp_glyph(const void *pa, const void *pb)
{
	const struct glyph *a = pa, *b = pb;

	return a->cp < b->cp ? -1 : a->cp > b->cp;
}

static int skip_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp < 0xe000) ||
	       cp > 0x10ffff;
}

/* Convert one glyph; 0 also when it is deliberately left out. */
static int one_glyph(struct conv *cv, FT_Face face, uint32_t cp, FT_UInt gi)
{
	int adv, cols;
	struct face *f;
	struct glyph *g;

	if (skip_cp(cp) || FT_Load_Glyph(face, gi,
	                                 FT_LOAD_RENDER | FT_LOAD_TARGET_MONO | FT_LOAD_MONOCHROME |
	                                     FT_LOAD_NO_HINTING))
		return 0;
	adv = (int)(face->glyph->advance.x >> 6);
	if (adv == 0)
		return 0; /* combining mark: the cell fonts draw those */
	cols = wcwidth((wchar_t)cp);
	if ((adv != 8 || cols != 1) && (adv != 16 || cols != 2)) {
		cv->dropped_width++;
		return 0;
	}
	f = &cv->faces[adv == 16];
	if (has(f, cp))
		return 0;
	if (f->n >= MAX_GLYPHS) {
		fprintf(stderr, "unifont2c: more than %d %s glyphs\n", MAX_GLYPHS, f->suffix);
		return -1;
	}
	g = add(f, cp);
	if (!g) {
		fprintf(stderr, "unifont2c: out of memory\n");
		return -1;
	}
	if (place(face->glyph, f, g) < 0) {
		f->n--;
		cv->dropped_box++;
	}
	return 0;
}

static int read_font(struct conv *cv, FT_Library lib, const char *path)
{
	FT_Face face;
	FT_ULong cp;
	FT_UInt gi;
	int ret = 0;

	if (FT_New_Face(lib, path, 0, &face)) {
		fprintf(stderr, "unifont2c: cannot open %s\n", path);
		return -1;
	}
	if (FT_Set_Pixel_Sizes(face, 0, EM) || face->size->metrics.ascender >> 6 != ASCENT ||
	    -(face->size->metrics.descender >> 6) != EM - ASCENT) {
		fprintf(stderr, "unifont2c: %s is not a 16-pixel Unifont\n", path);
		FT_Done_Face(face);
		return -1;
	}
	for (cp = FT_Get_First_Char(face, &gi); gi && ret == 0;
	     cp = FT_Get_Next_Char(face, cp, &gi))
		ret = one_glyph(cv, face, (uint32_t)cp, gi);
	/* the next file may fill gaps: keep each face sorted for has() */
	for (int i = 0; i < 2; i++)
		qsort(cv->faces[i].g, cv->faces[i].n, sizeof(struct glyph), cmp_glyph);
	FT_Done_Face(face);
	return ret;
}

static void emit_face(const struct face *f, const char *sym, FILE *out)
{
	size_t nb = (size_t)EM * (size_t)f->bpr;

	fprintf(out, "static const uint32_t %s_cps[%zu] = {", f->suffix, f->n);
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, "%s0x%04x,", i % 8 ? " " : "\n\t", (unsigned)f->g[i].cp);
	fprintf(out, "\n};\n\nstatic const uint8_t %s_rows[%zu] =", f->suffix, f->n * nb + 1);
	for (size_t i = 0; i < f->n; i++) {
		fprintf(out, "\n\t\"");
		for (size_t j = 0; j < nb; j++)
			fprintf(out, "\\x%02x", f->g[i].rows[j]);
		fputc('"', out);
	}
	fprintf(out, ";\n\nstatic const uint16_t %s_low[256] = {", f->suffix);
	for (unsigned c = 0, i = 0; c < 256; c++) {
		while (i < f->n && f->g[i].cp < c)
			i++;
		fprintf(out, "%s%u,", c % 8 ? " " : "\n\t",
		        i < f->n && f->g[i].cp == c ? i : 0xffffu);
	}
	fprintf(out, "\n};\n\nconst struct xr_font_data %s_%s = {\n", sym, f->suffix);
	fprintf(out, "\t.name = \"GNU Unifont (%s), %dx%d\",\n", f->suffix, f->w, EM);
	fprintf(out, "\t.cell_w = %d,\n\t.cell_h = %d,\n\t.ascent = %d,\n", f->w, EM, ASCENT);
	fprintf(out, "\t.bytes_per_row = %d,\n\t.nglyphs = %zu,\n", f->bpr, f->n);
	fprintf(out, "\t.default_glyph = XR_GLYPH_NONE,\n\t.cps = %s_cps,\n", f->suffix);
	fprintf(out, "\t.rows = %s_rows,\n\t.low = %s_low,\n};\n\n", f->suffix, f->suffix);
}

static int write_out(const struct conv *cv, const char *sym, const char *path)
{
	FILE *out = fopen(path, "w");

	if (!out) {
		fprintf(stderr, "unifont2c: cannot write %s\n", path);
		return -1;
	}
	fprintf(out,
	        "/* %s - generated by render/tools/unifont2c from GNU Unifont; do not edit. */\n",
	        sym);
	fprintf(out, "#include \"render_int.h\"\n\n");
	for (int i = 0; i < 2; i++)
		emit_face(&cv->faces[i], sym, out);
	if (ferror(out) | fclose(out)) {
		remove(path);
		fprintf(stderr, "unifont2c: write error on %s\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct conv cv = {.faces = {{"narrow", 8, 1, NULL, 0, 0}, {"wide", 16, 2, NULL, 0, 0}}};
	FT_Library lib;
	int ret = 0;

	if (argc < 4 || !xr_tool_symbol_ok(argv[1])) {
		fprintf(stderr, "usage: unifont2c SYMBOL OUT.c FONT.otf [FONT.otf ...]\n");
		return 2;
	}
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "unifont2c: no C.UTF-8 locale for wcwidth()\n");
		return 1;
	}
	if (FT_Init_FreeType(&lib)) {
		fprintf(stderr, "unifont2c: cannot start FreeType\n");
		return 1;
	}
	for (int i = 3; i < argc && ret == 0; i++)
		ret = read_font(&cv, lib, argv[i]);
	if (ret == 0 && (cv.faces[0].n == 0 || cv.faces[1].n == 0)) {
		fprintf(stderr, "unifont2c: no glyphs found\n");
		ret = -1;
	}
	if (ret == 0)
		ret = write_out(&cv, argv[1], argv[2]);
	if (ret == 0)
		fprintf(stderr,
		        "unifont2c: %zu narrow and %zu wide glyphs; left out %ld of another width, "
		        "%ld outside the cell\n",
		        cv.faces[0].n, cv.faces[1].n, cv.dropped_width, cv.dropped_box);
	FT_Done_FreeType(lib);
	free(cv.faces[0].g);
	free(cv.faces[1].g);
	return ret == 0 ? 0 : 1;
}
