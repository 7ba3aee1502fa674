/*
 * tiles.c - pixels to the cheapest drawing commands that reproduce them:
 * the one encoder behind the server's refresh and the X bridge's updates.
 *
 * An area is cut into bands of one tile row (13 pixels) and each band into
 * 6x13 tiles on a grid whose phase is found from the text it holds. Tiles
 * the receiver already has (the dominant colour after a refresh's first
 * FILL, or the same pixels as the shadow in an update) are skipped; runs of
 * adjacent others become one command each: glyphs of one font and colour
 * pair a TEXT (a gap of a few known tiles that are glyphs of the same kind is
 * bridged, a byte each, rather than starting a new message), uniform tiles
 * a FILL, two-colour tiles a BITMAP, and tiles of more colours an IMAGE.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "xproto.h"

#define TW         XR_GLYPH_W
#define TH         XR_GLYPH_H
#define MAX_FILLER 4  /* known tiles a TEXT run may bridge */
#define MAX_PEND   16 /* FILLs that may grow down into the next band */

enum kind { K_NONE, K_FILL, K_TEXT, K_BITMAP, K_IMAGE };

struct tile {
	struct xr_rect r;
	int n; /* colours: 1, 2, or 3 for more */
	uint32_t col[2];
};

struct run {
	enum kind kind;
	int x0, x1; /* pixel columns of the band */
	int n;      /* FILL, BITMAP: colours in col */
	uint32_t col[2];
	uint32_t fg, bg; /* TEXT */
	int font;
	size_t len, keep_len; /* TEXT bytes, without trailing filler */
	int keep_x1;
};

struct band {
	struct xr_enc *st;
	const struct xr_fb *fb; /* the pixels to send */
	struct xr_fb *shadow;   /* update: what the receiver holds; NULL: refresh */
	uint32_t dom;           /* refresh: the colour already filled everywhere */
	const struct xr_emit *e;
	char *text; /* TEXT run bytes, 4 per tile of a band */
	/* FILLs held back while the next band may continue them downwards */
	struct pend {
		struct xr_rect r;
		uint32_t col;
		bool touched;
	} pend[MAX_PEND];
	int npend;
};

/* Up to two distinct colours of a rectangle; returns how many (3 = more). */
static int colours(const struct xr_fb *fb, struct xr_rect r, uint32_t out[2])
{
	int n = 0;
	for (int y = r.y; y < r.y + r.h; y++) {
		const uint32_t *row = fb->px + (size_t)y * (size_t)fb->stride;
		for (int x = r.x; x < r.x + r.w; x++) {
			uint32_t p = row[x] & XR_COLOR_MASK;
			if (n > 0 && p == out[0])
				continue;
			if (n > 1 && p == out[1])
				continue;
			if (n == 2)
				return 3;
			out[n++] = p;
		}
	}
	return n;
}

static bool same_pixels(const struct xr_fb *a, const struct xr_fb *b, struct xr_rect r)
{
	for (int y = r.y; y < r.y + r.h; y++)
		if (memcmp(a->px + (size_t)y * (size_t)a->stride + r.x,
		           b->px + (size_t)y * (size_t)b->stride + r.x, (size_t)r.w * 4) != 0)
			return false;
	return true;
}

static bool full_tile(struct xr_rect r)
{
	return r.w == TW && r.h == TH;
}

/* The code point drawing tile @t in @fg on @bg with @font, or 0. */
static uint32_t glyph_as(const struct xr_fb *fb, const struct tile *t, uint32_t fg, uint32_t bg,
                         int font)
{
	if (!full_tile(t->r))
		return 0;
	if (t->n == 1)
		return t->col[0] == bg   ? xr_glyph_solid(font, false)
		       : t->col[0] == fg ? xr_glyph_solid(font, true)
		                         : 0;
	if (t->n != 2 ||
	    !((t->col[0] == fg && t->col[1] == bg) || (t->col[0] == bg && t->col[1] == fg)))
		return 0;
	return xr_glyph_match(fb, t->r.x, t->r.y, fg, font);
}

/*
 * A two-colour tile as a glyph: the font and colour order the state used
 * last are tried first. Returns the code point (0: not a glyph).
 */
static uint32_t glyph_of(const struct band *b, const struct tile *t, uint32_t *fg, uint32_t *bg,
                         int *font)
{
	if (t->n != 2 || !full_tile(t->r))
		return 0;
	int fonts[2] = {b->st->font, !b->st->font};
	int first = t->col[1] == b->st->fg || t->col[0] == b->st->bg;
	for (int f = 0; f < 2; f++) {
		for (int k = 0; k < 2; k++) {
			uint32_t a = t->col[(first + k) & 1], z = t->col[(first + k + 1) & 1];
			uint32_t cp = xr_glyph_match(b->fb, t->r.x, t->r.y, a, fonts[f]);
			if (cp) {
				*fg = a, *bg = z, *font = fonts[f];
				return cp;
			}
		}
	}
	return 0;
}

static void text_add(struct band *b, struct run *run, uint32_t cp, int x1, bool filler)
{
	run->len += xp_utf8_put(cp, b->text + run->len);
	run->x1 = x1;
	if (!filler) {
		run->keep_len = run->len;
		run->keep_x1 = x1;
	}
}

/* Add a tile's colours to a BITMAP run if it stays two colours. */
static bool join_colours(struct run *r, const struct tile *t)
{
	uint32_t u[2] = {r->col[0], r->col[1]};
	int un = r->n;
	for (int i = 0; i < t->n; i++) {
		if ((un > 0 && u[0] == t->col[i]) || (un > 1 && u[1] == t->col[i]))
			continue;
		if (un == 2)
			return false;
		u[un++] = t->col[i];
	}
	r->col[0] = u[0], r->col[1] = u[1], r->n = un;
	return true;
}

/*
 * A short FILL run followed by a tile that is text on the FILL's colour (a
 * typed space, then the cursor): the FILL becomes spaces of one TEXT, a
 * byte each, instead of two messages and a GC change between them.
 */
static bool fill_to_text(struct band *b, struct run *run, const struct tile *t)
{
	int w = run->x1 - run->x0, font = b->st->font;
	if (w > 2 * MAX_FILLER * TW || w % TW || t->r.h != TH ||
	    ((run->x0 - b->st->phase_x) % TW + TW) % TW)
		return false;
	uint32_t bg = run->col[0], fg = t->col[0] == bg && t->n == 2 ? t->col[1] : t->col[0];
	if (t->n == 2 && t->col[0] != bg && t->col[1] != bg)
		return false;
	uint32_t sp = xr_glyph_solid(font, false), cp = glyph_as(b->fb, t, fg, bg, font);
	if (!sp || !cp)
		return false;
	int x0 = run->x0;
	*run = (struct run){.kind = K_TEXT, .x0 = x0, .x1 = x0, .fg = fg, .bg = bg, .font = font};
	for (int x = x0; x < x0 + w; x += TW)
		text_add(b, run, sp, x + TW, false);
	text_add(b, run, cp, t->r.x + t->r.w, false);
	return true;
}

static bool try_join(struct band *b, struct run *run, const struct tile *t)
{
	if (run->kind == K_NONE || t->r.x != run->x1)
		return false;
	switch (run->kind) {
	case K_TEXT: {
		uint32_t cp = glyph_as(b->fb, t, run->fg, run->bg, run->font);
		if (cp)
			text_add(b, run, cp, t->r.x + t->r.w, false);
		return cp != 0;
	}
	case K_FILL:
		if (t->n != 1 || t->col[0] != run->col[0])
			return fill_to_text(b, run, t);
		break;
	case K_IMAGE:
		if (t->n != 3)
			return false;
		break;
	case K_BITMAP: {
		uint32_t fg, bg;
		int font;
		if (t->n > 2 || glyph_of(b, t, &fg, &bg, &font) || !join_colours(run, t))
			return false;
		break;
	}
	default:
		return false;
	}
	run->x1 = t->r.x + t->r.w;
	return true;
}

static void start(struct band *b, struct run *run, const struct tile *t)
{
	uint32_t fg = 0, bg = 0, cp;
	int font = 0;
	*run = (struct run){.x0 = t->r.x, .x1 = t->r.x + t->r.w, .n = t->n};
	if ((cp = glyph_of(b, t, &fg, &bg, &font)) != 0) {
		run->kind = K_TEXT;
		run->fg = fg, run->bg = bg, run->font = font;
		text_add(b, run, cp, run->x1, false);
		return;
	}
	run->kind = t->n == 1 ? K_FILL : t->n == 2 ? K_BITMAP : K_IMAGE;
	run->col[0] = t->col[0];
	run->col[1] = t->n > 1 ? t->col[1] : 0;
}

static int send_bitmap(struct band *b, struct xr_rect r, uint32_t fg, uint32_t bg)
{
	size_t stride = ((size_t)r.w + 7) / 8, n = stride * (size_t)r.h;
	uint8_t *bits = calloc(1, n ? n : 1);
	if (!bits)
		return -1;
	for (int y = 0; y < r.h; y++) {
		const uint32_t *row = b->fb->px + (size_t)(r.y + y) * (size_t)b->fb->stride + r.x;
		for (int x = 0; x < r.w; x++)
			if ((row[x] & XR_COLOR_MASK) == fg)
				bits[(size_t)y * stride + (size_t)x / 8] |=
				    (uint8_t)(0x80 >> (x % 8));
	}
	int rc = b->e->bitmap(b->e->ctx, r, bits, n, fg, bg);
	free(bits);
	b->st->fg = fg, b->st->bg = bg;
	return rc;
}

/* A FILL: it continues one of the band above when it can (a border line,
 * a uniform column), else waits in case the band below continues it. */
static int fill_out(struct band *b, struct xr_rect r, uint32_t col)
{
	for (int i = 0; i < b->npend; i++) {
		struct pend *p = &b->pend[i];
		if (p->col == col && p->r.x == r.x && p->r.w == r.w && p->r.y + p->r.h == r.y) {
			p->r.h += r.h;
			p->touched = true;
			return 0;
		}
	}
	if (b->npend == MAX_PEND)
		return b->e->fill(b->e->ctx, r, col);
	b->pend[b->npend++] = (struct pend){r, col, true};
	return 0;
}

/* Send the held FILLs the last band did not continue (@all: every one). */
static int pend_flush(struct band *b, bool all)
{
	int n = 0, rc = 0;
	for (int i = 0; i < b->npend; i++) {
		struct pend *p = &b->pend[i];
		if (all || !p->touched) {
			if (rc == 0)
				rc = b->e->fill(b->e->ctx, p->r, p->col);
			continue;
		}
		p->touched = false;
		b->pend[n++] = *p;
	}
	b->npend = n;
	return rc;
}

static int emit_run(struct band *b, struct run *run, struct xr_rect band)
{
	struct xr_rect r = {run->x0, band.y, run->x1 - run->x0, band.h};
	switch (run->kind) {
	case K_FILL:
		return fill_out(b, r, run->col[0]);
	case K_IMAGE:
		return b->e->image(b->e->ctx, b->fb, r);
	case K_TEXT:
		b->st->text_tiles += (run->keep_x1 - run->x0 + TW - 1) / TW;
		b->st->fg = run->fg, b->st->bg = run->bg, b->st->font = run->font;
		return b->e->text(b->e->ctx, run->x0, band.y, b->text, run->keep_len, run->font,
		                  run->fg, run->bg);
	case K_BITMAP: {
		/* the receiver's background (or the first colour seen) stays the background */
		uint32_t keep = b->shadow ? b->st->bg : b->dom;
		bool swap = run->col[1] == keep;
		if (run->n == 1)
			return fill_out(b, r, run->col[0]);
		b->st->bitmap_tiles += (r.w + TW - 1) / TW;
		return send_bitmap(b, r, swap ? run->col[0] : run->col[1],
		                   swap ? run->col[1] : run->col[0]);
	}
	default:
		return 0;
	}
}

static void copy_to_shadow(struct band *b, struct xr_rect r)
{
	for (int y = r.y; y < r.y + r.h; y++)
		memcpy(b->shadow->px + (size_t)y * (size_t)b->shadow->stride + r.x,
		       b->fb->px + (size_t)y * (size_t)b->fb->stride + r.x, (size_t)r.w * 4);
}

static int flush(struct band *b, struct run *run, struct xr_rect band)
{
	if (run->kind == K_NONE)
		return 0;
	if (run->kind == K_TEXT)
		run->x1 = run->keep_x1; /* trailing filler is not sent */
	int rc = emit_run(b, run, band);
	if (rc == 0 && b->shadow)
		copy_to_shadow(b, (struct xr_rect){run->x0, band.y, run->x1 - run->x0, band.h});
	run->kind = K_NONE;
	return rc;
}

/* True when every column of @r is one colour (a vertical line, a border). */
static bool stripes(const struct xr_fb *fb, struct xr_rect r)
{
	const uint32_t *top = fb->px + (size_t)r.y * (size_t)fb->stride + r.x;
	for (int y = r.y + 1; y < r.y + r.h; y++)
		if (memcmp(top, fb->px + (size_t)y * (size_t)fb->stride + r.x, (size_t)r.w * 4))
			return false;
	return true;
}

/* A striped tile as FILLs of its columns, which the bands below continue. */
static int send_stripes(struct band *b, const struct tile *t)
{
	const uint32_t *top = b->fb->px + (size_t)t->r.y * (size_t)b->fb->stride;
	for (int x = t->r.x, x1; x < t->r.x + t->r.w; x = x1) {
		for (x1 = x + 1; x1 < t->r.x + t->r.w && top[x1] == top[x]; x1++)
			;
		struct xr_rect c = {x, t->r.y, x1 - x, t->r.h};
		uint32_t col = top[x] & XR_COLOR_MASK;
		if (b->shadow ? same_pixels(b->fb, b->shadow, c) : col == b->dom)
			continue;
		if (fill_out(b, c, col) < 0)
			return -1;
		if (b->shadow)
			copy_to_shadow(b, c);
	}
	return 0;
}

/* A tile the receiver has: skipped, unless a TEXT run can bridge it. */
static bool known(const struct band *b, const struct tile *t)
{
	if (b->shadow)
		return same_pixels(b->fb, b->shadow, t->r);
	return t->n == 1 && t->col[0] == b->dom;
}

static int encode_band(struct band *b, struct xr_rect band)
{
	struct run run = {.kind = K_NONE};
	int filler = 0, step = TW - ((band.x - b->st->phase_x) % TW + TW) % TW;
	for (int x = band.x; x < band.x + band.w; x += step, step = TW) {
		struct tile t = {{x, band.y, step, band.h}, 0, {0, 0}};
		if (t.r.x + t.r.w > band.x + band.w)
			t.r.w = band.x + band.w - t.r.x;
		t.n = colours(b->fb, t.r, t.col);
		if (known(b, &t)) {
			uint32_t cp = run.kind == K_TEXT && t.r.x == run.x1 && filler < MAX_FILLER
			                  ? glyph_as(b->fb, &t, run.fg, run.bg, run.font)
			                  : 0;
			if (cp) {
				text_add(b, &run, cp, t.r.x + t.r.w, true);
				filler++;
				continue;
			}
			if (flush(b, &run, band) < 0)
				return -1;
			continue;
		}
		filler = 0;
		if (try_join(b, &run, &t))
			continue;
		if (flush(b, &run, band) < 0)
			return -1;
		uint32_t fg, bg;
		int font;
		if (t.n == 2 && stripes(b->fb, t.r) && !glyph_of(b, &t, &fg, &bg, &font)) {
			if (send_stripes(b, &t) < 0)
				return -1;
			continue;
		}
		start(b, &run, &t);
	}
	return flush(b, &run, band);
}

static int encode_bands(struct band *b, struct xr_rect r)
{
	b->st->text_tiles = b->st->bitmap_tiles = 0;
	size_t cap = ((size_t)r.w / TW + 2) * 4;
	b->text = malloc(cap);
	if (!b->text)
		return -1;
	int rc = 0, step = TH - ((r.y - b->st->phase_y) % TH + TH) % TH;
	for (int y = r.y; rc == 0 && y < r.y + r.h; y += step, step = TH) {
		int h = y + step > r.y + r.h ? r.y + r.h - y : step;
		rc = encode_band(b, (struct xr_rect){r.x, y, r.w, h});
		if (rc == 0)
			rc = pend_flush(b, false);
	}
	if (rc == 0)
		rc = pend_flush(b, true);
	free(b->text);
	return rc;
}

/* ---- edges ------------------------------------------------------------ */

static bool uniform(const struct xr_fb *fb, struct xr_rect r, uint32_t *col)
{
	uint32_t c[2];
	if (colours(fb, r, c) != 1)
		return false;
	*col = c[0];
	return true;
}

/*
 * Lines of one colour along the edges of @r (a window's border, a frame)
 * cost one FILL each instead of a partial tile per band: send them and
 * leave the inside to the tiles.
 */
static int peel_edges(struct band *b, struct xr_rect *r)
{
	for (int layer = 0; layer < 4 && r->w > 2 && r->h > 2; layer++) {
		struct xr_rect e[4] = {{r->x, r->y, r->w, 1},
		                       {r->x, r->y + r->h - 1, r->w, 1},
		                       {r->x, r->y + 1, 1, r->h - 2},
		                       {r->x + r->w - 1, r->y + 1, 1, r->h - 2}};
		uint32_t col[4];
		bool known[4], any = false;
		for (int i = 0; i < 4; i++) {
			if (!uniform(b->fb, e[i], &col[i]))
				return 0;
			known[i] =
			    b->shadow ? same_pixels(b->fb, b->shadow, e[i]) : col[i] == b->dom;
			any |= !known[i];
		}
		if (!any)
			return 0; /* plain background: nothing to gain, and text may touch it */
		for (int i = 0; i < 4; i++) {
			if (known[i])
				continue;
			if (b->e->fill(b->e->ctx, e[i], col[i]) < 0)
				return -1;
			if (b->shadow)
				copy_to_shadow(b, e[i]);
		}
		*r = (struct xr_rect){r->x + 1, r->y + 1, r->w - 2, r->h - 2};
	}
	return 0;
}

/* ---- the grid's phase ------------------------------------------------- */

#define SPOTS     32
#define SPOT_SCAN 20000

/* A tile holding a letter, digit or ASCII sign: lines and boxes match
 * glyphs too (a window border is a run of U+23BA), but only text has these. */
static bool is_text_tile(const struct xr_fb *fb, struct xr_rect area, int x, int y)
{
	struct tile t = {{x, y, TW, TH}, 0, {0, 0}};
	if (x < area.x || y < area.y || x + TW > area.x + area.w || y + TH > area.y + area.h)
		return false;
	t.n = colours(fb, t.r, t.col);
	if (t.n != 2)
		return false;
	for (int f = 0; f < XR_GLYPH_FONTS; f++) {
		for (int k = 0; k < 2; k++) {
			uint32_t cp = xr_glyph_match(fb, x, y, t.col[k], f);
			if (cp > 0x20 && cp < 0x7f)
				return true;
		}
	}
	return false;
}

static int floor_to(int v, int origin, int step)
{
	int d = v - origin;
	return origin + (d >= 0 ? d / step : -((-d + step - 1) / step)) * step;
}

/* Places in @r that hold two colours: where text may be. */
static int find_spots(const struct xr_fb *fb, struct xr_rect r, int spots[][2])
{
	int n = 0, seen = 0;
	for (int y = r.y; y + TH <= r.y + r.h && n < SPOTS && seen < SPOT_SCAN; y += TH) {
		for (int x = r.x; x + TW <= r.x + r.w && n < SPOTS && seen < SPOT_SCAN; x += TW) {
			uint32_t col[2];
			seen++;
			if (colours(fb, (struct xr_rect){x, y, TW, TH}, col) == 2)
				spots[n][0] = x + TW / 2, spots[n++][1] = y + TH / 2;
		}
	}
	return n;
}

/* The phase under which most sampled places are glyphs; false if none. */
static bool find_phase(const struct xr_fb *fb, struct xr_rect r, int *px, int *py)
{
	int spots[SPOTS][2], n = find_spots(fb, r, spots), best = 0;
	for (int oy = 0; oy < TH && n > 0; oy++) {
		for (int ox = 0; ox < TW; ox++) {
			int hits = 0;
			for (int i = 0; i < n; i++)
				hits += is_text_tile(fb, r, floor_to(spots[i][0], ox, TW),
				                     floor_to(spots[i][1], oy, TH));
			if (hits > best)
				best = hits, *px = ox, *py = oy;
		}
	}
	return best > 0;
}

static void look_for_phase(struct xr_enc *st, const struct xr_fb *fb, struct xr_rect r)
{
	int px = 0, py = 0;
	if (st->phased)
		return;
	if (find_phase(fb, r, &px, &py))
		st->phase_x = px, st->phase_y = py, st->phased = true;
}

/* ---- entry points ----------------------------------------------------- */

/* The most common colour of 25 pixels spread over @r: cheap and good, and
 * not fooled by a window's border. */
static uint32_t dominant(const struct xr_fb *fb, struct xr_rect r)
{
	uint32_t s[25];
	int best = 0, best_n = 0;
	for (int i = 0; i < 25; i++) {
		int x = r.x + (int)((int64_t)r.w * (2 * (i % 5) + 1) / 10);
		int y = r.y + (int)((int64_t)r.h * (2 * (i / 5) + 1) / 10);
		s[i] = fb->px[(size_t)y * (size_t)fb->stride + (size_t)x] & XR_COLOR_MASK;
	}
	for (int i = 0; i < 25; i++) {
		int n = 0;
		for (int k = 0; k < 25; k++)
			n += s[k] == s[i];
		if (n > best_n)
			best = i, best_n = n;
	}
	return s[best];
}

int xr_enc_refresh(struct xr_enc *st, const struct xr_fb *fb, struct xr_rect r,
                   const struct xr_emit *e)
{
	r = xr_rect_intersect(r, (struct xr_rect){0, 0, fb->w, fb->h});
	if (xr_rect_empty(r))
		return 0;
	look_for_phase(st, fb, r);
	struct band b = {.st = st, .fb = fb, .dom = dominant(fb, r), .e = e};
	if (e->fill(e->ctx, r, b.dom) < 0 || peel_edges(&b, &r) < 0)
		return -1;
	return encode_bands(&b, r);
}

int xr_enc_update(struct xr_enc *st, struct xr_fb *shadow, const struct xr_fb *now,
                  struct xr_rect r, const struct xr_emit *e)
{
	if (shadow->w != now->w || shadow->h != now->h)
		return -1;
	r = xr_rect_intersect(r, (struct xr_rect){0, 0, now->w, now->h});
	if (xr_rect_empty(r))
		return 0;
	if (e->copy && xr_enc_scroll(shadow, now, r, e) < 0)
		return -1;
	look_for_phase(st, now, r);
	struct band b = {.st = st, .fb = now, .shadow = shadow, .e = e};
	int rc = peel_edges(&b, &r) < 0 ? -1 : encode_bands(&b, r);
	if (st->bitmap_tiles >= 8 && st->text_tiles * 4 < st->bitmap_tiles)
		st->phased = false;
	return rc;
}

struct xr_rect xr_enc_align(const struct xr_enc *st, struct xr_rect r, int w, int h)
{
	if (xr_rect_empty(r))
		return (struct xr_rect){0, 0, 0, 0};
	int x0 = floor_to(r.x, st->phase_x, TW), y0 = floor_to(r.y, st->phase_y, TH);
	int x1 = floor_to(r.x + r.w - 1, st->phase_x, TW) + TW;
	int y1 = floor_to(r.y + r.h - 1, st->phase_y, TH) + TH;
	return xr_rect_intersect((struct xr_rect){x0, y0, x1 - x0, y1 - y0},
	                         (struct xr_rect){0, 0, w, h});
}
