/*
 * font.c - font ids and cell metrics.
 *
 * A font id is SIZE << 3 | style bits (bold, italic, wide), so ids 0 and 1
 * are the 6x13 regular and bold faces they always were. The metrics of each
 * size are written out here rather than read from the glyph tables, so a
 * program that only lays out cells (an app) does not link the glyphs; the
 * tests check them against the fonts.
 */
#include <string.h>

#include "render_int.h"

static const struct xr_size_info sizes[XR_FONT_SIZES] = {
    {"6x13", 6, 13, 11}, {"7x13", 7, 13, 11}, {"7x14", 7, 14, 12},   {"8x13", 8, 13, 11},
    {"9x15", 9, 15, 12}, {"9x18", 9, 18, 14}, {"10x20", 10, 20, 16}, {"12x24", 12, 24, 22},
};

int xr_font_resolve(int font_id, struct xr_font *f)
{
	const struct xr_size_info *s;

	if (font_id < 0 || font_id >= XR_FONT_COUNT)
		return -1;
	s = &sizes[font_id >> XR_FONT_SIZE_SHIFT];
	f->size = font_id >> XR_FONT_SIZE_SHIFT;
	f->style = (unsigned)font_id & XR_FONT_STYLE_MASK;
	if (f->style & XR_FONT_LINE_MASK) /* DEC line sizes stretch the size's own glyphs */
		f->style &= ~XR_FONT_WIDE;
	f->cell_w = f->style & (XR_FONT_WIDE | XR_FONT_LINE_MASK) ? 2 * s->w : s->w;

	f->cell_h = s->h;
	f->ascent = s->ascent;
	f->base_w = s->w;
	f->bpr = (f->cell_w + 7) / 8;
	return 0;
}

int xr_font_cell(int font_id, int *w, int *h, int *ascent)
{
	struct xr_font f;

	if (xr_font_resolve(font_id, &f) < 0)
		return -1;
	if (w)
		*w = f.cell_w;
	if (h)
		*h = f.cell_h;
	if (ascent)
		*ascent = f.ascent;
	return 0;
}

const char *xr_font_size_name(int size)
{
	return size >= 0 && size < XR_FONT_SIZES ? sizes[size].name : NULL;
}

int xr_font_size_find(const char *name)
{
	for (int i = 0; name && i < XR_FONT_SIZES; i++)
		if (!strcmp(sizes[i].name, name))
			return i;
	return -1;
}
