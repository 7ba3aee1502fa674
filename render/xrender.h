/*
 * xrender.h - the shared software renderer (public API, prefix xr_).
 *
 * The server keeps each window's pixels in an xr_fb and the thin client draws
 * into one with the same functions, so both sides hold identical pixels. All
 * operations use integer arithmetic only and give the same result on every
 * machine. Pixels are 32-bit XRGB8888 (0x00RRGGBB); the X byte of every pixel
 * the renderer writes is always 0.
 *
 * Every drawing operation takes an optional clip rectangle (NULL means the
 * whole framebuffer), clips to both the framebuffer and the clip, and reports
 * the rectangle it changed ("damage"; w = h = 0 when nothing was drawn).
 * Coordinates and sizes may be any int, including hostile values from the
 * network: clipping is done in 64-bit arithmetic and never overflows.
 */
#ifndef XRENDER_H
#define XRENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Largest framebuffer width or height. */
#define XR_FB_MAX_DIM 16384
/** Largest image (xr_image, xr_png_read_file) in pixels: bounds memory use. */
#define XR_IMG_MAX_PIXELS (4096 * 4096)

/** Make a 0x00RRGGBB color from 8-bit components. */
#define XR_RGB(r, g, b)                                                                            \
	((uint32_t)(((uint32_t)(r)&0xff) << 16 | ((uint32_t)(g)&0xff) << 8 | ((uint32_t)(b)&0xff)))

/** A rectangle; empty when w <= 0 or h <= 0. */
struct xr_rect {
	int x, y, w, h;
};

/** A framebuffer: px[y * stride + x] is the pixel at (x, y), 0x00RRGGBB. */
struct xr_fb {
	uint32_t *px;
	int w, h, stride; /* stride in pixels, >= w */
};

/* ---- framebuffer (fb.c) ---------------------------------------------- */

/**
 * xr_fb_init - allocate the pixels of a w x h framebuffer, filled with black.
 * @fb: caller's struct, overwritten.
 * @w, @h: size, 1..XR_FB_MAX_DIM each.
 * Return: 0, or -1 (fb zeroed) on a bad size or allocation failure.
 * Ownership: the pixels belong to fb; release them with xr_fb_finish().
 */
int xr_fb_init(struct xr_fb *fb, int w, int h);

/**
 * xr_fb_finish - free the pixels of @fb and zero it. Accepts a zeroed fb
 * and NULL.
 */
void xr_fb_finish(struct xr_fb *fb);

/**
 * xr_fb_resize - change the size of @fb, keeping the top-left overlap of the
 * old contents and filling the new area with @color.
 * @w, @h: new size, 1..XR_FB_MAX_DIM each.
 * Return: 0, or -1 on a bad size or allocation failure (fb left unchanged).
 */
int xr_fb_resize(struct xr_fb *fb, int w, int h, uint32_t color);

/**
 * xr_fb_equal - true when @a and @b have the same size and the same pixels
 * (strides may differ).
 */
bool xr_fb_equal(const struct xr_fb *a, const struct xr_fb *b);

/* ---- rectangles (rect.c) --------------------------------------------- */

/** xr_rect_empty - true when @r covers no pixel (w <= 0 or h <= 0). */
bool xr_rect_empty(struct xr_rect r);

/**
 * xr_rect_intersect - the common part of @a and @b.
 * Return: the intersection, or {0, 0, 0, 0} when it is empty.
 */
struct xr_rect xr_rect_intersect(struct xr_rect a, struct xr_rect b);

/**
 * xr_rect_union - the smallest rectangle holding both @a and @b; an empty
 * input is ignored. Sizes saturate at INT_MAX.
 * Return: the bounding box, or {0, 0, 0, 0} when both are empty.
 */
struct xr_rect xr_rect_union(struct xr_rect a, struct xr_rect b);

/* ---- drawing (fill.c, copy.c, bitmap.c, blit.c) ------------------------ */

/**
 * xr_fill - fill the rectangle (@x, @y, @w, @h) with @color.
 * @clip: optional clip rectangle, NULL for the whole framebuffer.
 * Return: the damaged rectangle (empty when nothing was drawn).
 */
struct xr_rect xr_fill(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h,
                       uint32_t color);

/**
 * xr_copy - copy the @w x @h area at (@sx, @sy) to (@dx, @dy) within @fb.
 * Overlapping source and destination are handled (scrolling in any
 * direction). Destination pixels outside @fb or @clip are not written, and
 * destination pixels whose source lies outside @fb are left unchanged.
 * Return: the damaged rectangle (empty when nothing was drawn).
 */
struct xr_rect xr_copy(struct xr_fb *fb, const struct xr_rect *clip, int sx, int sy, int w, int h,
                       int dx, int dy);

/**
 * xr_bitmap - draw a 1-bit bitmap: set bits in @fg, clear bits in @bg (or
 * left unchanged when @transparent_bg).
 * @bits: @h rows of (@w + 7) / 8 bytes each, most significant bit first;
 *        borrowed, @bits_len bytes long (extra bytes are ignored).
 * @damage: receives the damaged rectangle (empty on error or no drawing).
 * Return: 0, or -1 (nothing drawn) when @bits_len is shorter than needed.
 *         w <= 0 or h <= 0 draws nothing and returns 0.
 */
int xr_bitmap(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h,
              const uint8_t *bits, size_t bits_len, uint32_t fg, uint32_t bg, bool transparent_bg,
              struct xr_rect *damage);

/**
 * xr_blit - copy all of @src into @dst with its top-left corner at (@x, @y),
 * clipped to @dst and @clip (NULL: none).
 * Return: the damaged rectangle of @dst.
 */
struct xr_rect xr_blit(struct xr_fb *dst, const struct xr_rect *clip, int x, int y,
                       const struct xr_fb *src);

/* ---- text (text.c, font.c; UTF-8 decoded by libxproto) ----------- */

/*
 * Built-in fonts: the misc-fixed character-cell family in XR_FONT_SIZES
 * sizes (6x13, 7x13, 7x14, 8x13, 9x15, 9x18, 10x20, 12x24), each with GNU
 * Unifont behind it for what misc-fixed lacks. A font id is
 * XR_FONT_ID(size, style): size 0..XR_FONT_SIZES-1 (xr_font_size_name()),
 * style any of
 *   XR_FONT_BOLD    the bold face, or the regular one overstruck,
 *   XR_FONT_ITALIC  the oblique face, or the regular one sheared,
 *   XR_FONT_WIDE    cells two columns wide with Unifont's 16x16 glyphs (CJK,
 *                   emoji): one code point per double cell,
 * and at most one line size (DEC double-width and double-height lines), in
 * cells two columns wide, the size's own glyph stretched (a line size
 * replaces XR_FONT_WIDE):
 *   XR_FONT_DWL         twice as wide,
 *   XR_FONT_DHL_TOP     twice as wide and high, the top half shown,
 *   XR_FONT_DHL_BOTTOM  the same, the bottom half shown.
 * Ids 0 and 1 are 6x13 regular and bold. Ids of the four smallest sizes
 * fit one varint byte, the others two.
 */
#define XR_FONT_SIZES      8
#define XR_FONT_SIZE_SHIFT 5
#define XR_FONT_BOLD       1u
#define XR_FONT_ITALIC     2u
#define XR_FONT_WIDE       4u
#define XR_FONT_DWL        8u
#define XR_FONT_DHL_TOP    16u
#define XR_FONT_DHL_BOTTOM 24u
#define XR_FONT_LINE_MASK  24u
#define XR_FONT_STYLE_MASK 31u

#define XR_FONT_ID(size, style) ((int)((unsigned)(size) << XR_FONT_SIZE_SHIFT | (unsigned)(style)))
enum xr_font_id {
	XR_FONT_FIXED = 0,
	XR_FONT_FIXED_BOLD = 1,
	XR_FONT_COUNT = XR_FONT_SIZES << XR_FONT_SIZE_SHIFT
};

/**
 * xr_text - draw UTF-8 text, one character cell per code point.
 * @x, @y: top-left corner of the first cell (y is the top of the cell).
 * @utf8: @len bytes, not NUL-terminated, borrowed. Each invalid or truncated
 *        sequence (maximal subpart) draws one U+FFFD glyph; a code point
 *        neither the size's faces nor Unifont have draws the regular face's
 *        default glyph (a dotted box). A bold face borrows glyphs it lacks
 *        from the regular face, unchanged.
 * @font_id: 0..XR_FONT_COUNT-1; any other value draws nothing.
 * @fg, @bg: glyph and cell background colors; the background is left
 *        unchanged when @transparent_bg.
 * Return: the damaged rectangle (the visible part of the cells).
 */
struct xr_rect xr_text(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, const char *utf8,
                       size_t len, int font_id, uint32_t fg, uint32_t bg, bool transparent_bg);

/**
 * xr_text_width - width in pixels xr_text() gives @utf8 (@len bytes).
 * Return: the width, or -1 for an unknown font or a width above INT_MAX.
 */
int xr_text_width(const char *utf8, size_t len, int font_id);

/**
 * xr_font_cell - cell size of a font.
 * @w, @h, @ascent: receive the cell width, height and the baseline offset
 *        from the top of the cell; each may be NULL.
 * Return: 0, or -1 for an unknown font.
 */
int xr_font_cell(int font_id, int *w, int *h, int *ascent);

/**
 * xr_font_has_glyph - true when the face the style of @font_id draws from
 * first (the bold face for bold, the oblique face for italic, the regular
 * face otherwise; Unifont's 16x16 face for wide fonts) has a glyph for @cp.
 */
bool xr_font_has_glyph(int font_id, uint32_t cp);

/** xr_font_name - the XLFD (or Unifont) name of that face (static string), or NULL. */
const char *xr_font_name(int font_id);

/** xr_font_size_name - the name of size @size ("6x13"), or NULL. */
const char *xr_font_size_name(int size);

/** xr_font_size_find - the size called @name ("9x15"), or -1. */
int xr_font_size_find(const char *name);

/**
 * xr_glyph_bitmap - the glyph xr_text() draws for @cp in @font_id, as rows
 * of (cell width + 7) / 8 bytes, most significant bit first, cell height
 * rows (a BITMAP message of the cell's size).
 * @bits: receives the rows; @cap its size in bytes.
 * Return: the number of bytes written, or -1 for an unknown font or a
 *         buffer too small.
 */
int xr_glyph_bitmap(int font_id, uint32_t cp, uint8_t *bits, size_t cap);

/* ---- images (image.c, png.c, encode.c, pngfile.c, stream.c) ----------- */

/** Image formats of xr_image (wire values, stable). */
enum xr_img_format {
	XR_IMG_RAW = 0,  /* w*h*3 bytes R, G, B, row-major, no padding */
	XR_IMG_ZLIB = 1, /* a zlib stream of exactly one RAW image */
	XR_IMG_PNG = 2,  /* a PNG file of exactly w x h pixels */
};

/**
 * xr_image - decode an image and draw it with its top-left corner at (@x, @y).
 * @w, @h: image size, 1..XR_FB_MAX_DIM each and at most XR_IMG_MAX_PIXELS.
 * @format: an enum xr_img_format.
 * @data: @len bytes, borrowed; treated as hostile. The whole image is
 *        decoded and checked before any pixel is drawn, whatever the clip.
 * @damage: receives the damaged rectangle (empty on error).
 * Return: 0, or -1 (nothing drawn) on an unknown format, a bad size, short,
 *         long or malformed data, or allocation failure. PNG alpha is
 *         dropped and 16-bit samples are truncated to 8 bits.
 */
int xr_image(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h, int format,
             const void *data, size_t len, struct xr_rect *damage);

/**
 * struct xr_image_stream - an image decoded a slice at a time, for a caller
 * that must not spend long on one image (a server sharing its thread). The
 * whole image is decoded and checked before xr_image_stream_draw() draws
 * anything, as with xr_image().
 */
struct xr_image_stream;

/**
 * xr_image_stream_create - start decoding an image; arguments as xr_image().
 * @data: borrowed until xr_image_stream_destroy().
 * Return: the stream, or NULL on a bad size or format, a PNG whose header
 *         does not match @w x @h, or allocation failure.
 */
struct xr_image_stream *xr_image_stream_create(int w, int h, int format, const void *data,
                                               size_t len);

/**
 * xr_image_stream_step - decode about @budget more bytes of pixels (3 per
 * pixel; a PNG at least one row).
 * Return: 1 when the image is complete and checked, 0 while more remains,
 *         -1 on malformed data (short, long or corrupt). Repeats its result
 *         once complete or bad.
 */
int xr_image_stream_step(struct xr_image_stream *s, size_t budget);

/** xr_image_stream_decoded - bytes of pixels decoded so far (for accounting). */
size_t xr_image_stream_decoded(const struct xr_image_stream *s);

/**
 * xr_image_stream_draw - draw a complete image with its top-left corner at
 * (@x, @y), clipped to @fb and @clip (NULL: none).
 * Return: the damaged rectangle; empty when the image is not complete.
 */
struct xr_rect xr_image_stream_draw(const struct xr_image_stream *s, struct xr_fb *fb,
                                    const struct xr_rect *clip, int x, int y);

/**
 * xr_image_stream_take - take the decoded pixels away from @s, to free
 * them as the caller likes (a server gives large blocks back a piece at a
 * time). Return: the malloc'd block (then @s draws nothing more), with its
 * size in *@size; NULL when @s owns none (RAW borrows the caller's bytes).
 */
void *xr_image_stream_take(struct xr_image_stream *s, size_t *size);

/** xr_image_stream_destroy - free @s; accepts NULL. */
void xr_image_stream_destroy(struct xr_image_stream *s);

/**
 * xr_encode_zlib - encode the pixels of @r as an XR_IMG_ZLIB image.
 * @r: non-empty rectangle inside @fb.
 * @level: zlib level 0..9, or -1 for the default.
 * @out, @out_len: receive a malloc'd buffer the caller frees with free().
 * Return: 0, or -1 (*out = NULL) on a bad rectangle or allocation failure.
 */
int xr_encode_zlib(const struct xr_fb *fb, struct xr_rect r, int level, uint8_t **out,
                   size_t *out_len);

/**
 * xr_encode_png - encode the pixels of @r as an XR_IMG_PNG image (8-bit RGB).
 * Parameters, return and ownership as xr_encode_zlib().
 */
int xr_encode_png(const struct xr_fb *fb, struct xr_rect r, int level, uint8_t **out,
                  size_t *out_len);

/**
 * xr_png_write_file - write the whole of @fb to the PNG file @path.
 * Return: 0, or -1 on an encoding or I/O error with errno saying why (a
 * partial file may remain).
 */
int xr_png_write_file(const struct xr_fb *fb, const char *path);

/**
 * xr_png_read_file - read the PNG file @path into a new framebuffer.
 * @out: caller's struct, initialised on success (release with
 *       xr_fb_finish()), zeroed on failure.
 * Return: 0, or -1 on an I/O error, a malformed PNG or one larger than
 *         XR_IMG_MAX_PIXELS.
 */
int xr_png_read_file(const char *path, struct xr_fb *out);

/* ---- pixels to drawing commands (tiles.c, glyphs.c, scroll.c) -------- */

/*
 * One encoder turns pixels into the cheapest drawing commands that
 * reproduce them exactly, for the server's refresh of an attaching client
 * and for programs that only have pixels (the X bridge). Pixels are cut into
 * tiles of one character cell of the built-in font (6x13), aligned to a grid
 * whose origin ("phase") is found from the content, so that text drawn with
 * the same font by anyone lines up with tiles. A tile is then a glyph (sent
 * as TEXT, one character), uniform (FILL), two colours (BITMAP) or more
 * (IMAGE); adjacent tiles of one kind share one command.
 */

/** Size of a glyph cell of the built-in fonts, and of the encoder's tiles. */
#define XR_GLYPH_W 6
#define XR_GLYPH_H 13
/** Fonts the encoder recognises glyphs of: ids 0 and 1, 6x13 and 6x13 bold. */
#define XR_GLYPH_FONTS 2

/**
 * xr_glyph_match - the code point whose glyph in font @font_id is exactly
 * the 6x13 cell at (@x, @y) of @fb, drawn in @fg on any other single colour.
 * Return: the code point (never a control character), or 0 when the cell
 *         is not such a glyph, does not lie inside @fb, or @font_id is not
 *         one of the first XR_GLYPH_FONTS.

 */
uint32_t xr_glyph_match(const struct xr_fb *fb, int x, int y, uint32_t fg, int font_id);

/**
 * xr_glyph_solid - the code point of font @font_id whose glyph is all
 * background (@set false, a space) or all foreground (@set true, a full
 * block), or 0 when the font has none.
 */
uint32_t xr_glyph_solid(int font_id, bool set);

/**
 * Where the encoder's commands go. Every callback returns 0, or -1 to stop
 * the encoder (which then returns -1). Buffers passed are borrowed for the
 * call. @copy may be NULL: no scroll detection is done then.
 */
struct xr_emit {
	void *ctx;
	/** Fill @r with @color. */
	int (*fill)(void *ctx, struct xr_rect r, uint32_t color);
	/** 1-bit bitmap over @r: rows of (w + 7) / 8 bytes, MSB first, @len bytes. */
	int (*bitmap)(void *ctx, struct xr_rect r, const uint8_t *bits, size_t len, uint32_t fg,
	              uint32_t bg);
	/** Opaque text, one cell per code point, top-left of the first cell at (@x, @y). */
	int (*text)(void *ctx, int x, int y, const char *utf8, size_t len, int font_id, uint32_t fg,
	            uint32_t bg);
	/** The pixels of @r of @fb as an image. */
	int (*image)(void *ctx, const struct xr_fb *fb, struct xr_rect r);
	/** Copy the area @src to the top-left corner (@dx, @dy) (scrolling). */
	int (*copy)(void *ctx, struct xr_rect src, int dx, int dy);
};

/**
 * Encoder state kept between calls by a caller that encodes one window
 * again and again (zero it to start; no resources to free): the tile grid's
 * phase, and the colours and font last sent, which the next commands
 * prefer so that the receiver's sticky graphics context rarely changes.
 */
struct xr_enc {
	int phase_x, phase_y; /* grid origin, 0..XR_GLYPH_W-1 and 0..XR_GLYPH_H-1 */
	bool phased;          /* the phase was found from text */
	uint32_t fg, bg;      /* colours of the last TEXT or BITMAP */
	int font;             /* font of the last TEXT */
	/* the last call's tiles sent as characters and as two-colour bitmaps:
	 * many bitmaps and little text make the next update look for the
	 * phase again (the text moved, or there was none before) */
	int text_tiles, bitmap_tiles;
};

/**
 * xr_enc_refresh - send the pixels of @r of @fb to a receiver that knows
 * nothing of them: one FILL with the dominant colour, then, band by band,
 * only the tiles that differ from it.
 * @st: caller's state (may be freshly zeroed); the phase is looked for in @r.
 * Return: 0, or -1 when an emitter callback failed or memory ran out.
 */
int xr_enc_refresh(struct xr_enc *st, const struct xr_fb *fb, struct xr_rect r,
                   const struct xr_emit *e);

/**
 * xr_enc_update - send the changes in @r from @shadow (what the receiver
 * holds) to @now (the same size): a COPY when rows scrolled (@e->copy set),
 * then only the tiles that differ, and bring @shadow up to date.
 * Pixels outside @r of @now are not read.
 * Return: 0, or -1 on a size mismatch, an emitter failure or no memory
 *         (then @shadow may hold part of the update: resend all of it).
 */
int xr_enc_update(struct xr_enc *st, struct xr_fb *shadow, const struct xr_fb *now,
                  struct xr_rect r, const struct xr_emit *e);

/**
 * xr_enc_align - @r grown to whole tiles of @st's grid, within a @w x @h
 * window: the area worth reading for an update of @r.
 */
struct xr_rect xr_enc_align(const struct xr_enc *st, struct xr_rect r, int w, int h);

#endif /* XRENDER_H */
