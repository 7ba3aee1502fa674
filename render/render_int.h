/*
 * render_int.h - internals shared by the files of the renderer.
 *
 * Nothing here is part of the public API (xrender.h). The generated font
 * tables ($(GEN)/render/font_*.c, written by render/tools/bdf2c.c and
 * render/tools/unifont2c.c) include this header for struct xr_font_data.
 */
#ifndef RENDER_INT_H
#define RENDER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "xrender.h"

/* Pixels the renderer writes always have the X byte cleared. */
#define XR_COLOR_MASK 0x00ffffffu

/* No glyph index in xr_font_data.low. */
#define XR_GLYPH_NONE 0xffffu

/*
 * A character-cell bitmap font converted at build time. Glyph i covers code
 * point cps[i] (sorted ascending, unique) and has cell_h rows of
 * bytes_per_row bytes at rows + i * cell_h * bytes_per_row, MSB = left pixel,
 * already placed in the cell (row 0 is the top of the cell).
 */
struct xr_font_data {
	const char *name;       /* XLFD from the BDF FONT line */
	int cell_w, cell_h;     /* cell size in pixels, cell_w <= 32 */
	int ascent;             /* baseline offset from the top of the cell */
	int bytes_per_row;      /* (cell_w + 7) / 8 */
	uint32_t nglyphs;       /* number of glyphs, < XR_GLYPH_NONE */
	uint32_t default_glyph; /* index of the font's DEFAULT_CHAR glyph */
	const uint32_t *cps;    /* nglyphs sorted code points */
	const uint8_t *rows;    /* nglyphs * cell_h * bytes_per_row bytes */
	const uint16_t *low;    /* 256 entries: glyph index of U+0000..U+00FF */
};

/* Generated from the misc-fixed BDF files (see render/module.mk). */
extern const struct xr_font_data xr_font_6x13, xr_font_6x13B, xr_font_6x13O;
extern const struct xr_font_data xr_font_7x13, xr_font_7x13B, xr_font_7x13O;
extern const struct xr_font_data xr_font_7x14, xr_font_7x14B;
extern const struct xr_font_data xr_font_8x13, xr_font_8x13B, xr_font_8x13O;
extern const struct xr_font_data xr_font_9x15, xr_font_9x15B;
extern const struct xr_font_data xr_font_9x18, xr_font_9x18B;
extern const struct xr_font_data xr_font_10x20, xr_font_12x24;
/* Generated from GNU Unifont (render/tools/unifont2c.c): 8x16 and 16x16. */
extern const struct xr_font_data xr_font_unifont_narrow, xr_font_unifont_wide;

/* The name and cell of one font size (font.c). */
struct xr_size_info {
	const char *name;
	int w, h, ascent;
};

/* A font id taken apart (font.c). */
struct xr_font {
	int size;       /* 0..XR_FONT_SIZES-1 */
	unsigned style; /* XR_FONT_BOLD, _ITALIC, _WIDE and one line size */

	int cell_w; /* the cell drawn per code point: 2 * base_w when wide */
	int cell_h, ascent;
	int base_w; /* the size's own (narrow) cell width */
	int bpr;    /* bytes per glyph row, (cell_w + 7) / 8 */
};

/* Tallest cell of any size, and scratch space for one synthesised glyph. */
#define XR_GLYPH_MAX_H   32
#define XR_GLYPH_SCRATCH (XR_GLYPH_MAX_H * 4)

/* Row @r of glyph rows (@bpr bytes each, at most 4) as bits left-aligned in
 * a uint32_t, most significant bit = column 0. */
static inline uint32_t xr_row_bits(const uint8_t *rows, int bpr, int r)
{
	const uint8_t *p = rows + (size_t)r * (size_t)bpr;
	uint32_t bits = 0;

	for (int i = 0; i < bpr; i++)
		bits |= (uint32_t)p[i] << (24 - 8 * i);
	return bits;
}

/*
 * glyph.c: the face font @font_id draws from first (the bold face for bold,
 * the oblique face for italic, Unifont's wide face for wide fonts, else the
 * regular face), or NULL for an unknown id. Its glyphs are drawn as they
 * are only by ids without synthesised styles or line sizes.
 */
const struct xr_font_data *xr_font_face(int font_id);

/* font.c: take @font_id apart into @f; 0, or -1 for an unknown id. */
int xr_font_resolve(int font_id, struct xr_font *f);

/*
 * glyph.c: the rows of code point @cp in font @f (cell_h rows of f->bpr
 * bytes, placed in the cell), never NULL: a pointer into a generated table,
 * or @scratch (XR_GLYPH_SCRATCH bytes) holding a synthesised glyph.
 */
const uint8_t *xr_glyph(const struct xr_font *f, uint32_t cp, uint8_t *scratch);

/*
 * rect.c: the part of (x, y, w, h) inside @fb and @clip (NULL = no clip),
 * computed in 64-bit arithmetic; {0, 0, 0, 0} when empty.
 */
struct xr_rect xr_clip_area(const struct xr_fb *fb, const struct xr_rect *clip, int64_t x,
                            int64_t y, int64_t w, int64_t h);

/* fill.c: store @n copies of @color at @p (vectorisable loop). */
void xr_fill_span(uint32_t *p, size_t n, uint32_t color);

/*
 * png.c: decode a PNG from memory into a malloc'd RGB buffer (3 bytes per
 * pixel, no padding). @want_w/@want_h: required size, or -1 for any size
 * (still bounded by XR_IMG_MAX_PIXELS). On success *rgb, *w, *h are set and
 * the caller frees *rgb; on failure -1 and *rgb = NULL.
 */
int xr_png_decode(const uint8_t *data, size_t len, int want_w, int want_h, uint8_t **rgb, int *w,
                  int *h);

/*
 * png.c: a PNG read a few rows at a time (xr_image_stream). _open checks
 * the header against @w x @h (NULL if it differs, or on bad data); _read
 * decodes up to @max_rows row-passes (an interlaced image has 7 passes over
 * its h rows) into @rgb (w*h*3 bytes, kept between calls) and returns 1 once
 * the whole file is read and checked, 0 while rows remain, -1 on bad data;
 * _passes says how many passes the image has. @data is borrowed until
 * _close, which accepts NULL.
 */
struct xr_png_rows;
/** Open @data (@len bytes) as a @w x @h PNG; NULL if the header differs or is bad. */
struct xr_png_rows *xr_png_rows_open(const uint8_t *data, size_t len, int w, int h);
/** Decode up to @max_rows row-passes into @rgb: 1 when done and checked, 0 more, -1 bad. */
int xr_png_rows_read(struct xr_png_rows *r, uint8_t *rgb, int max_rows);
/** How many passes @r's image has (1, or 7 when interlaced). */
int xr_png_rows_passes(const struct xr_png_rows *r);
/** Free @r (NULL-safe); @data is no longer borrowed. */
void xr_png_rows_close(struct xr_png_rows *r);

/* image.c: check an image size (1..XR_FB_MAX_DIM, <= XR_IMG_MAX_PIXELS) and
 * return its RGB byte count, or 0 when the size is bad. */
size_t xr_img_rgb_size(int w, int h);

/* image.c: copy the RGB image into the visible part of @fb; the damage. */
struct xr_rect xr_blit_rgb(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h,
                           const uint8_t *rgb);

/* encode.c: check @r lies inside @fb and is non-empty. */
bool xr_rect_in_fb(const struct xr_fb *fb, struct xr_rect r);

/* encode.c: the pixels of row @row of @r as RGB, w * 3 bytes at @out. */
void xr_row_to_rgb(const struct xr_fb *fb, struct xr_rect r, int row, uint8_t *out);

/*
 * scroll.c: when rows of @r moved vertically between @shadow and @now, send
 * the largest such block as one COPY through @e->copy and apply it to
 * @shadow. Return: 0 (whether or not a scroll was found), -1 on an emitter
 * failure or no memory.
 */
int xr_enc_scroll(struct xr_fb *shadow, const struct xr_fb *now, struct xr_rect r,
                  const struct xr_emit *e);

#endif /* RENDER_INT_H */
