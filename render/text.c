/*
 * text.c - drawing UTF-8 text with the built-in character-cell fonts.
 *
 * Each code point takes one cell of the font (two columns for a wide font).
 * Glyph rows are pre-placed in the cell at build time (or synthesised by
 * glyph.c), so drawing a glyph is a row loop over precomputed bits; the
 * common case (a whole cell visible, opaque background) takes a branch-free
 * path the compiler unrolls.
 */
#include <limits.h>

#include "render_int.h"
#include "xproto.h"

struct text_ctx {
	struct xr_fb *fb;
	struct xr_font font;
	struct xr_rect v; /* visible area of the text line */
	int y;            /* top of the cells */
	uint32_t fg, bg;
	bool transparent;
};

/* Opaque, fully visible cell: every pixel written, no per-pixel branch. */
static void glyph_fast(const struct text_ctx *t, const uint8_t *rows, uint32_t *dst)
{
	const struct xr_font *f = &t->font;
	uint32_t diff = t->fg ^ t->bg;

	for (int r = 0; r < f->cell_h; r++, dst += t->fb->stride) {
		uint32_t bits =
		    f->bpr == 1 ? (uint32_t)rows[r] << 24 : xr_row_bits(rows, f->bpr, r);

		for (int c = 0; c < f->cell_w; c++) {
			uint32_t on = 0u - ((bits << c) >> 31);

			dst[c] = t->bg ^ (diff & on);
		}
	}
}

/* Any cell: only columns [c0, c1) and rows [r0, r1) are drawn. */
static void glyph_clipped(const struct text_ctx *t, const uint8_t *rows, int64_t gx,
                          struct xr_rect cr)
{
	const struct xr_font *f = &t->font;

	for (int r = cr.y; r < cr.y + cr.h; r++) {
		uint32_t bits = xr_row_bits(rows, f->bpr, r);
		uint32_t *dst =
		    t->fb->px + (size_t)(t->y + r) * (size_t)t->fb->stride + (size_t)(gx + cr.x);

		for (int c = cr.x; c < cr.x + cr.w; c++, dst++) {
			if ((bits << c) & 0x80000000u)
				*dst = t->fg;
			else if (!t->transparent)
				*dst = t->bg;
		}
	}
}

static void draw_cell(const struct text_ctx *t, uint32_t cp, int64_t gx)
{
	const struct xr_font *f = &t->font;
	uint8_t scratch[XR_GLYPH_SCRATCH];
	const uint8_t *rows = xr_glyph(f, cp, scratch);
	int64_t c0 = t->v.x - gx, c1 = (int64_t)t->v.x + t->v.w - gx;
	int r0 = t->v.y - t->y, r1 = t->v.y + t->v.h - t->y;
	struct xr_rect cr;

	if (c0 <= 0 && c1 >= f->cell_w && r0 == 0 && r1 == f->cell_h && !t->transparent) {
		glyph_fast(t, rows, t->fb->px + (size_t)t->y * (size_t)t->fb->stride + (size_t)gx);
		return;
	}
	cr.x = c0 > 0 ? (int)c0 : 0;
	cr.w = (c1 < f->cell_w ? (int)c1 : f->cell_w) - cr.x;
	cr.y = r0;
	cr.h = r1 - r0;
	glyph_clipped(t, rows, gx, cr);
}

struct xr_rect xr_text(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, const char *utf8,
                       size_t len, int font_id, uint32_t fg, uint32_t bg, bool transparent_bg)
{
	struct text_ctx t = {
	    fb, {0}, {0, 0, 0, 0}, y, fg & XR_COLOR_MASK, bg & XR_COLOR_MASK, transparent_bg};
	const struct xr_font *f = &t.font;
	int64_t pen = x, right;
	size_t i = 0;

	if (xr_font_resolve(font_id, &t.font) < 0)
		return t.v;
	t.v = xr_clip_area(fb, clip, x, y, INT64_C(1) << 40, f->cell_h);
	if (xr_rect_empty(t.v))
		return t.v;
	right = (int64_t)t.v.x + t.v.w;
	while (i < len && pen < right) {
		uint32_t cp;

		i += xp_utf8_next(utf8 + i, len - i, &cp);
		if (pen + f->cell_w > t.v.x)
			draw_cell(&t, cp, pen);
		pen += f->cell_w;
	}
	return xr_clip_area(fb, clip, x, y, pen - x, f->cell_h);
}

int xr_text_width(const char *utf8, size_t len, int font_id)
{
	struct xr_font f;
	int64_t width = 0;
	size_t i = 0;

	if (xr_font_resolve(font_id, &f) < 0)
		return -1;
	while (i < len) {
		uint32_t cp;

		i += xp_utf8_next(utf8 + i, len - i, &cp);
		width += f.cell_w;
		if (width > INT_MAX)
			return -1;
	}
	return (int)width;
}
