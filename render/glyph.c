/*
 * glyph.c - the glyph of a code point in a font, from the generated tables.
 *
 * Each size has a regular face and, where misc-fixed has them, a bold and an
 * oblique face (see render/fonts/README). A code point is looked up in the
 * face its style asks for, then in the regular face, then in GNU Unifont
 * (8x16 or 16x16, resampled to the cell), then the regular face's default
 * glyph is drawn. What a face lacks is synthesised, always the same way on
 * every machine: bold by overstriking one pixel to the right (as xterm does),
 * italic by shearing the rows. Wide fonts (XR_FONT_WIDE) have cells of two
 * columns and take Unifont's 16x16 glyphs; a code point it lacks is drawn
 * narrow, centred. DEC double-width and double-height lines stretch the
 * glyph a narrow font would draw, every pixel doubled.

 *
 * U+0000..U+00FF are looked up in a dense table, the rest by binary search.
 * A glyph that exists as it is in a table is returned as a pointer into the
 * table; anything synthesised goes to the caller's scratch buffer.
 */
#include <string.h>

#include "render_int.h"

#define UNI_EM     16 /* Unifont's pixel grid */
#define UNI_ASCENT 14

struct faces {
	const struct xr_font_data *regular, *bold, *italic; /* bold, italic may be NULL */
};

static const struct faces faces[XR_FONT_SIZES] = {
    {&xr_font_6x13, &xr_font_6x13B, &xr_font_6x13O},
    {&xr_font_7x13, &xr_font_7x13B, &xr_font_7x13O},
    {&xr_font_7x14, &xr_font_7x14B, NULL},
    {&xr_font_8x13, &xr_font_8x13B, &xr_font_8x13O},
    {&xr_font_9x15, &xr_font_9x15B, NULL},
    {&xr_font_9x18, &xr_font_9x18B, NULL},
    {&xr_font_10x20, NULL, NULL},
    {&xr_font_12x24, NULL, NULL},
};

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

static const uint8_t *rows_of(const struct xr_font_data *f, uint32_t i)
{
	return f->rows + (size_t)i * (size_t)f->cell_h * (size_t)f->bytes_per_row;
}

/* The rows of @cp in face @f, or NULL (also for a NULL face). */
static const uint8_t *face_glyph(const struct xr_font_data *f, uint32_t cp)
{
	uint32_t i = f ? glyph_index(f, cp) : XR_GLYPH_NONE;

	return i == XR_GLYPH_NONE ? NULL : rows_of(f, i);
}

/* ---- glyphs as rows of bits, MSB = left pixel ------------------------- */

static void load(uint32_t *bits, const uint8_t *rows, int bpr, int h)
{
	for (int r = 0; r < h; r++)
		bits[r] = xr_row_bits(rows, bpr, r);
}

static const uint8_t *pack(const uint32_t *bits, const struct xr_font *f, uint8_t *out)
{
	uint32_t mask = ~0u << (32 - f->cell_w);

	for (int r = 0; r < f->cell_h; r++)
		for (int i = 0; i < f->bpr; i++)
			out[r * f->bpr + i] = (uint8_t)((bits[r] & mask) >> (24 - 8 * i));
	return out;
}

/* Bits [a, b) of @v (MSB = bit 0) OR-ed together. */
static bool any_bit(uint32_t v, int a, int b)
{
	for (int i = a; i < b; i++)
		if (v & (0x80000000u >> i))
			return true;
	return false;
}

/*
 * Source index range [*a, *b) that lands on destination pixel @j when @sn
 * pixels become @dn: shrinking ORs whole groups (no stroke disappears),
 * growing by half or more repeats pixels, anything between keeps the size
 * and centres (@off is where the source starts).
 */
static void span(int j, int sn, int dn, int off, int *a, int *b)
{
	if (dn < sn) {
		*a = j * sn / dn;
		*b = (j + 1) * sn / dn;
	} else if (2 * dn >= 3 * sn) {
		*a = j * sn / dn;
		*b = *a + 1;
	} else {
		*a = j - off;
		*b = *a + 1;
	}
}

/* Resample Unifont rows (@sw x 16) into @dw columns x the cell's rows. */
static void resample(uint32_t *out, const uint8_t *rows, int sw, int dw, const struct xr_font *f)
{
	uint32_t src[UNI_EM];
	int oy = f->ascent - UNI_ASCENT, ox = (dw - sw) / 2;

	if (oy > f->cell_h - UNI_EM)
		oy = f->cell_h - UNI_EM;
	oy = oy < 0 ? 0 : oy;
	load(src, rows, (sw + 7) / 8, UNI_EM);
	for (int r = 0; r < f->cell_h; r++) {
		int a, b;
		uint32_t line = 0;

		span(r, UNI_EM, f->cell_h, oy, &a, &b);
		for (int i = a < 0 ? 0 : a; i < b && i < UNI_EM; i++)
			line |= src[i];
		out[r] = 0;
		for (int c = 0; c < dw && line; c++) {
			int ca, cb;

			span(c, sw, dw, ox, &ca, &cb);
			if (any_bit(line, ca < 0 ? 0 : ca, cb > sw ? sw : cb))
				out[r] |= 0x80000000u >> c;
		}
	}
}

static void embolden(uint32_t *bits, int h)
{
	for (int r = 0; r < h; r++)
		bits[r] |= bits[r] >> 1;
}

/* Lean the rows right above two thirds of the ascent, left below it. */
static void shear(uint32_t *bits, const struct xr_font *f)
{
	int mid = f->ascent * 2 / 3;

	for (int r = 0; r < f->cell_h; r++) {
		int s = (mid - r) / 3;

		bits[r] = s >= 0 ? bits[r] >> s : bits[r] << -s;
	}
}

/* ---- lookup ----------------------------------------------------------- */

struct pick {
	const uint8_t *rows; /* in a narrow cell of the size, or NULL */
	bool bold, italic;   /* still to be synthesised */
};

/* The best narrow glyph the size's own faces have for @cp. */
static struct pick pick_narrow(const struct xr_font *f, uint32_t cp)
{
	const struct faces *fc = &faces[f->size];
	bool bold = f->style & XR_FONT_BOLD, italic = f->style & XR_FONT_ITALIC;
	struct pick p = {NULL, false, italic};

	if (italic && !bold && (p.rows = face_glyph(fc->italic, cp)))
		p.italic = false;
	else if (bold && (p.rows = face_glyph(fc->bold, cp)))
		;
	else if ((p.rows = face_glyph(fc->regular, cp)))
		p.bold = bold && !fc->bold; /* a bold face without it: plain */
	return p;
}

/* A glyph from Unifont (@wide: its 16x16 face) resampled to @dw columns. */
static bool unifont(uint32_t *bits, const struct xr_font *f, uint32_t cp, bool wide, int dw)
{
	const struct xr_font_data *u = wide ? &xr_font_unifont_wide : &xr_font_unifont_narrow;
	const uint8_t *rows = face_glyph(u, cp);

	if (!rows)
		return false;
	resample(bits, rows, u->cell_w, dw, f);
	return true;
}

/* A narrow glyph into @bits, shifted right by @dx (centring in wide cells). */
static void narrow_bits(uint32_t *bits, const struct xr_font *f, uint32_t cp, int dx)
{
	struct pick p = pick_narrow(f, cp);

	if (p.rows) {
		load(bits, p.rows, (f->base_w + 7) / 8, f->cell_h);
	} else if (!unifont(bits, f, cp, false, f->base_w)) {
		const struct xr_font_data *reg = faces[f->size].regular;

		load(bits, rows_of(reg, reg->default_glyph), reg->bytes_per_row, f->cell_h);
		p.bold = false;
	} else {
		p.bold = f->style & XR_FONT_BOLD;
	}
	for (int r = 0; r < f->cell_h; r++)
		bits[r] >>= dx;
	if (p.bold)
		embolden(bits, f->cell_h);
	if (p.italic)
		shear(bits, f);
}

/* The glyph of a font without a line size. */
static const uint8_t *glyph_plain(const struct xr_font *f, uint32_t cp, uint8_t *scratch)
{
	uint32_t bits[XR_GLYPH_MAX_H];

	if (!(f->style & XR_FONT_WIDE)) {
		struct pick p = pick_narrow(f, cp);

		if (p.rows && !p.bold && !p.italic)
			return p.rows; /* the common case: straight from the table */
		narrow_bits(bits, f, cp, 0);
		return pack(bits, f, scratch);
	}
	if (unifont(bits, f, cp, true, f->cell_w)) {
		if (f->style & XR_FONT_BOLD)
			embolden(bits, f->cell_h);
		if (f->style & XR_FONT_ITALIC)
			shear(bits, f);
	} else {
		narrow_bits(bits, f, cp, f->base_w / 2);
	}
	return pack(bits, f, scratch);
}

/* Row bits (MSB first, at most 16 pixels) with every pixel doubled. */
static uint32_t doubled(uint32_t v)
{
	uint32_t out = 0;
	for (int c = 0; c < 16; c++)
		if (v & (0x80000000u >> c))
			out |= 0xc0000000u >> (2 * c);
	return out;
}

const uint8_t *xr_glyph(const struct xr_font *f, uint32_t cp, uint8_t *scratch)
{
	unsigned line = f->style & XR_FONT_LINE_MASK;
	uint32_t in[XR_GLYPH_MAX_H], out[XR_GLYPH_MAX_H];
	uint8_t tmp[XR_GLYPH_SCRATCH];

	if (!line)
		return glyph_plain(f, cp, scratch);
	struct xr_font plain = *f;
	plain.style &= ~XR_FONT_LINE_MASK;
	plain.cell_w = f->base_w;
	plain.bpr = (f->base_w + 7) / 8;
	load(in, glyph_plain(&plain, cp, tmp), plain.bpr, f->cell_h);
	for (int r = 0; r < f->cell_h; r++) {
		int src = line == XR_FONT_DWL       ? r
		          : line == XR_FONT_DHL_TOP ? r / 2
		                                    : (r + f->cell_h) / 2;
		out[r] = doubled(in[src]);
	}
	return pack(out, f, scratch);
}

int xr_glyph_bitmap(int font_id, uint32_t cp, uint8_t *bits, size_t cap)
{
	struct xr_font f;
	uint8_t scratch[XR_GLYPH_SCRATCH];
	size_t n;

	if (xr_font_resolve(font_id, &f) < 0)
		return -1;
	n = (size_t)f.bpr * (size_t)f.cell_h;
	if (cap < n)
		return -1;
	memcpy(bits, xr_glyph(&f, cp, scratch), n);
	return (int)n;
}

const struct xr_font_data *xr_font_face(int font_id)

{
	struct xr_font f;
	const struct faces *fc;

	if (xr_font_resolve(font_id, &f) < 0)
		return NULL;
	if (f.style & XR_FONT_WIDE)
		return &xr_font_unifont_wide;
	fc = &faces[f.size];
	if ((f.style & XR_FONT_ITALIC) && !(f.style & XR_FONT_BOLD) && fc->italic)
		return fc->italic;
	if ((f.style & XR_FONT_BOLD) && fc->bold)
		return fc->bold;
	return fc->regular;
}

bool xr_font_has_glyph(int font_id, uint32_t cp)
{
	return face_glyph(xr_font_face(font_id), cp) != NULL;
}

const char *xr_font_name(int font_id)
{
	const struct xr_font_data *f = xr_font_face(font_id);

	return f ? f->name : NULL;
}
