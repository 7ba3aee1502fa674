/*
 * font.c - the built-in fonts and glyph lookup.
 *
 * Glyph tables are generated at build time from misc-fixed BDF files (see
 * render/fonts/README). U+0000..U+00FF are looked up in a dense table, the
 * rest by binary search over the sorted code points. The bold face lacks
 * many symbols, so it falls back to the regular face before the default
 * glyph.
 */
#include "render_int.h"

struct font_entry {
	const struct xr_font_data *data;
	int fallback; /* font id, or -1 */
};

static const struct font_entry fonts[XR_FONT_COUNT] = {
    [XR_FONT_FIXED] = {&xr_font_6x13, -1},
    [XR_FONT_FIXED_BOLD] = {&xr_font_6x13B, XR_FONT_FIXED},
};

const struct xr_font_data *xr_font_get(int font_id)
{
	if (font_id < 0 || font_id >= XR_FONT_COUNT)
		return NULL;
	return fonts[font_id].data;
}

/* Index of the glyph for @cp in @f, or XR_GLYPH_NONE. */
static uint32_t glyph_index(const struct xr_font_data *f, uint32_t cp)
{
	uint32_t lo = 0, hi = f->nglyphs;

	if (cp < 256)
		return f->low[cp];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (f->cps[mid] == cp)
			return mid;
		if (f->cps[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return XR_GLYPH_NONE;
}

static const uint8_t *glyph_rows(const struct xr_font_data *f, uint32_t i)
{
	return f->rows + (size_t)i * (size_t)f->cell_h * (size_t)f->bytes_per_row;
}

const uint8_t *xr_font_lookup(const struct xr_font_data *f, int font_id, uint32_t cp)
{
	uint32_t i = glyph_index(f, cp);
	int fb_id = fonts[font_id].fallback;

	if (i != XR_GLYPH_NONE)
		return glyph_rows(f, i);
	if (fb_id >= 0) {
		const struct xr_font_data *g = fonts[fb_id].data;

		i = glyph_index(g, cp);
		if (i != XR_GLYPH_NONE && g->cell_w == f->cell_w && g->cell_h == f->cell_h)
			return glyph_rows(g, i);
	}
	return glyph_rows(f, f->default_glyph);
}

int xr_font_cell(int font_id, int *w, int *h, int *ascent)
{
	const struct xr_font_data *f = xr_font_get(font_id);

	if (!f)
		return -1;
	if (w)
		*w = f->cell_w;
	if (h)
		*h = f->cell_h;
	if (ascent)
		*ascent = f->ascent;
	return 0;
}

bool xr_font_has_glyph(int font_id, uint32_t cp)
{
	const struct xr_font_data *f = xr_font_get(font_id);

	return f && glyph_index(f, cp) != XR_GLYPH_NONE;
}

const char *xr_font_name(int font_id)
{
	const struct xr_font_data *f = xr_font_get(font_id);

	return f ? f->name : NULL;
}
