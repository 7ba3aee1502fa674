/*
 * glyphs.c - recognise a character cell of pixels as a glyph of the built-in
 * fonts, so that pixels some other program drew with the same misc-fixed
 * font (xterm, any core-font X program) can be sent as TEXT: one byte per
 * character instead of a bitmap.
 *
 * The index maps each glyph's 6x13 bit pattern to the code point that draws
 * it, per font; when several code points share a pattern the one with the
 * shortest UTF-8 (then the lowest) wins. Only glyphs a font has itself are
 * indexed, never the fallback or default glyph, and no control characters,
 * so TEXT with the answer redraws exactly the pattern looked up.
 */
#include <pthread.h>
#include <stdlib.h>

#include "render_int.h"
#include "xproto.h"

#define SLOTS 16384u /* power of two, well above the glyphs of both fonts */

struct slot {
	uint64_t hi, lo;             /* the pattern: rows 0-9 and 10-12, 6 bits each */
	uint32_t cp[XR_GLYPH_FONTS]; /* 0: this font has no such glyph */
	bool used;
};

static struct slot *table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t mix(uint64_t hi, uint64_t lo)
{
	uint64_t h = hi * 0x9e3779b97f4a7c15u ^ (lo + 0x632be59bd9b4e019u);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	return h ^ (h >> 32);
}

static struct slot *find(uint64_t hi, uint64_t lo, bool add)
{
	if (!table)
		return NULL;
	for (uint32_t i = (uint32_t)mix(hi, lo) & (SLOTS - 1), n = 0; n < SLOTS;
	     i = (i + 1) & (SLOTS - 1), n++) {
		struct slot *s = &table[i];
		if (s->used && s->hi == hi && s->lo == lo)
			return s;
		if (!s->used) {
			if (!add)
				return NULL;
			*s = (struct slot){.hi = hi, .lo = lo, .used = true};
			return s;
		}
	}
	return NULL;
}

static size_t utf8_len(uint32_t cp)
{
	char buf[4];
	return xp_utf8_put(cp, buf);
}

static bool better(uint32_t cp, uint32_t old)
{
	return !old || utf8_len(cp) < utf8_len(old) || (utf8_len(cp) == utf8_len(old) && cp < old);
}

static void add_font(int font_id)
{
	const struct xr_font_data *f = xr_font_face(font_id);
	if (!f || f->cell_w != XR_GLYPH_W || f->cell_h != XR_GLYPH_H || f->bytes_per_row != 1)
		return;
	for (uint32_t i = 0; i < f->nglyphs; i++) {
		uint32_t cp = f->cps[i];
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp < 0xe000))
			continue;
		const uint8_t *rows = f->rows + (size_t)i * (size_t)f->cell_h;
		uint64_t hi = 0, lo = 0;
		for (int r = 0; r < XR_GLYPH_H; r++) {
			uint64_t bits = (uint64_t)(rows[r] >> 2);
			if (r < 10)
				hi = hi << 6 | bits;
			else
				lo = lo << 6 | bits;
		}
		struct slot *s = find(hi, lo, true);
		if (s && better(cp, s->cp[font_id]))
			s->cp[font_id] = cp;
	}
}

static void build(void)
{
	table = calloc(SLOTS, sizeof(*table));
	for (int f = 0; f < XR_GLYPH_FONTS; f++)
		add_font(f);
}

/* The pattern of a cell: bit set where the pixel is @fg. */
static void pattern(const struct xr_fb *fb, int x, int y, uint32_t fg, uint64_t *hi, uint64_t *lo)
{
	*hi = *lo = 0;
	for (int r = 0; r < XR_GLYPH_H; r++) {
		const uint32_t *p = fb->px + (size_t)(y + r) * (size_t)fb->stride + x;
		uint64_t bits = 0;
		for (int c = 0; c < XR_GLYPH_W; c++)
			bits = bits << 1 | ((p[c] & XR_COLOR_MASK) == fg);
		if (r < 10)
			*hi = *hi << 6 | bits;
		else
			*lo = *lo << 6 | bits;
	}
}

uint32_t xr_glyph_match(const struct xr_fb *fb, int x, int y, uint32_t fg, int font_id)
{
	pthread_once(&once, build);
	if (font_id < 0 || font_id >= XR_GLYPH_FONTS || x < 0 || y < 0 || x > fb->w - XR_GLYPH_W ||
	    y > fb->h - XR_GLYPH_H)
		return 0;
	uint64_t hi, lo;
	pattern(fb, x, y, fg & XR_COLOR_MASK, &hi, &lo);
	const struct slot *s = find(hi, lo, false);
	return s ? s->cp[font_id] : 0;
}

uint32_t xr_glyph_solid(int font_id, bool set)
{
	pthread_once(&once, build);
	if (font_id < 0 || font_id >= XR_GLYPH_FONTS)
		return 0;
	uint64_t hi = set ? (1ull << 60) - 1 : 0, lo = set ? (1ull << 18) - 1 : 0;
	const struct slot *s = find(hi, lo, false);
	return s ? s->cp[font_id] : 0;
}
