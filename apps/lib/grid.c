/*
 * grid.c - a character-cell surface for text-mode apps (xp-term,
 * xp-calendar): the app fills a grid of cells each frame and xa_grid_paint()
 * sends only the difference from what the window shows — one COPY when the
 * text scrolled, then per row the spans of changed cells as text runs of
 * equal looks. A wide character (a cell followed by XA_WIDE_TAIL) is one
 * code point of the size's wide font; lines (underline, strike-through)
 * are fills; combining marks are transparent bitmaps over their cell.
 */
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"
#include "xrender.h"

#define SPAN_GAP      6 /* equal cells inside a span cost less than a new message */
#define MAX_ROWS      1024
#define XA_MAX_CELL_H 32

int xa_grid_init(struct xa_grid *g, struct xa_display *d, uint32_t win, int rows, int cols,
                 uint32_t fg, uint32_t bg)
{
	memset(g, 0, sizeof(*g));
	g->d = d;
	g->win = win;
	g->fg = fg;
	g->bg = bg;
	g->detect_scroll = true;
	xr_font_cell(XR_FONT_FIXED, &g->cell_w, &g->cell_h, &g->ascent);
	return xa_grid_resize(g, rows, cols);
}

int xa_grid_set_font(struct xa_grid *g, int size)
{
	if (xr_font_cell(XR_FONT_ID(size, 0), &g->cell_w, &g->cell_h, &g->ascent) < 0 ||
	    size >= XR_FONT_SIZES)
		return -1;
	g->font_size = size;
	g->valid = false;
	return 0;
}

void xa_grid_set_window(struct xa_grid *g, uint32_t w, uint32_t h)
{
	g->win_w = w;
	g->win_h = h;
	g->valid = false;
}

void xa_grid_finish(struct xa_grid *g)
{
	free(g->shadow);
	g->shadow = NULL;
}

int xa_grid_resize(struct xa_grid *g, int rows, int cols)
{
	if (rows < 1 || cols < 1 || rows > MAX_ROWS || cols > 4096)
		return -1;
	struct xa_cell *s = calloc((size_t)rows * (size_t)cols, sizeof(*s));
	if (!s)
		return -1;
	free(g->shadow);
	g->shadow = s;
	g->rows = rows;
	g->cols = cols;
	g->valid = false;
	return 0;
}

void xa_grid_invalidate(struct xa_grid *g)
{
	g->valid = false;
}

static bool same_look(const struct xa_cell *a, const struct xa_cell *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->bold == b->bold &&
	       a->underline == b->underline && a->italic == b->italic && a->strike == b->strike &&
	       a->line == b->line;
}

static bool cell_eq(const struct xa_cell *a, const struct xa_cell *b)
{
	return a->ch == b->ch && same_look(a, b) && a->comb[0] == b->comb[0] &&
	       (a->comb[0] == 0 || !memcmp(a->comb, b->comb, sizeof(a->comb)));
}

/* The cell is the left half of a wide character. */
static bool is_wide(const struct xa_cell *row, int c, int cols)
{
	return c + 1 < cols && row[c + 1].ch == XA_WIDE_TAIL && row[c].ch != XA_WIDE_TAIL;
}

static uint64_t row_hash(const struct xa_cell *row, int cols, uint32_t bg, bool *blank)
{
	uint64_t h = 1469598103934665603ull;
	*blank = true;
	for (int c = 0; c < cols; c++) {
		const struct xa_cell *k = &row[c];
		const uint32_t v[4] = {k->ch,
		                       k->fg ^ (uint32_t)k->bold << 24 ^ (uint32_t)k->italic << 25,
		                       k->bg ^ (uint32_t)k->underline << 24 ^
		                           (uint32_t)k->strike << 26 ^ (uint32_t)k->line << 27,
		                       k->comb[0]};
		for (int i = 0; i < 4; i++)
			h = (h ^ v[i]) * 1099511628211ull;
		*blank &= k->ch == 0 && k->bg == bg && k->comb[0] == 0;
	}
	return h;
}

/* Rows that would match after shifting the shown text up by k (< 0: down). */
static int matches(const uint64_t *hc, const uint64_t *hs, const bool *blank, int rows, int k)
{
	int n = 0;
	for (int r = 0; r < rows; r++) {
		int src = r + k;
		if (src >= 0 && src < rows && !blank[r] && hc[r] == hs[src])
			n++;
	}
	return n;
}

static int detect_scroll(const struct xa_grid *g, const struct xa_cell *cur)
{
	uint64_t hc[MAX_ROWS], hs[MAX_ROWS];
	bool blank[MAX_ROWS], b2;
	for (int r = 0; r < g->rows; r++) {
		hc[r] = row_hash(cur + (size_t)r * (size_t)g->cols, g->cols, g->bg, &blank[r]);
		hs[r] = row_hash(g->shadow + (size_t)r * (size_t)g->cols, g->cols, g->bg, &b2);
	}
	int best_k = 0, best = matches(hc, hs, blank, g->rows, 0);
	for (int k = 1; k < g->rows; k++) {
		int up = matches(hc, hs, blank, g->rows, k),
		    down = matches(hc, hs, blank, g->rows, -k);
		if (up > best + 1)
			best = up, best_k = k;
		if (down > best + 1)
			best = down, best_k = -k;
	}
	return best_k;
}

static void apply_scroll(struct xa_grid *g, int k)
{
	size_t cols = (size_t)g->cols, keep = (size_t)(g->rows - (k > 0 ? k : -k));
	uint32_t w = (uint32_t)(g->cols * g->cell_w), h = (uint32_t)keep * (uint32_t)g->cell_h;
	if (k > 0) {
		xa_copy(g->d, g->win, 0, k * g->cell_h, w, h, 0, 0);
		memmove(g->shadow, g->shadow + (size_t)k * cols, keep * cols * sizeof(*g->shadow));
	} else {
		xa_copy(g->d, g->win, 0, 0, w, h, 0, -k * g->cell_h);
		memmove(g->shadow + (size_t)(-k) * cols, g->shadow,
		        keep * cols * sizeof(*g->shadow));
	}
}

/* A cell's character as UTF-8: blanks, wide tails and what cannot be
 * encoded (surrogates, above U+10FFFF) are a space. */
static size_t put_utf8(char *o, uint32_t cp)
{
	size_t n = cp == 0 || cp == XA_WIDE_TAIL ? 0 : xp_utf8_put(cp, o);
	if (n == 0)
		o[n++] = ' ';
	return n;
}

static int font_of(const struct xa_grid *g, const struct xa_cell *k, bool wide)
{
	unsigned style = (k->bold ? XR_FONT_BOLD : 0) | (k->italic ? XR_FONT_ITALIC : 0) |
	                 (k->line & XR_FONT_LINE_MASK) | (wide && !k->line ? XR_FONT_WIDE : 0);
	return XR_FONT_ID(g->font_size, style);
}

/* Underline and strike-through of cells [c0, c1): one-pixel fills. */
static void draw_lines(struct xa_grid *g, const struct xa_cell *k, int r, int c0, int c1)
{
	int x = c0 * g->cell_w, y = r * g->cell_h;
	uint32_t w = (uint32_t)((c1 - c0) * g->cell_w);
	if (k->underline)
		xa_fill(g->d, g->win, x, y + g->ascent, w, 1, k->fg);
	if (k->underline == 2 && g->ascent + 2 < g->cell_h)
		xa_fill(g->d, g->win, x, y + g->ascent + 2, w, 1, k->fg);
	if (k->strike)
		xa_fill(g->d, g->win, x, y + g->ascent - g->ascent * 3 / 8, w, 1, k->fg);
}

/* Combining marks over cells [c0, c1): each a transparent glyph bitmap. */
static void draw_marks(struct xa_grid *g, const struct xa_cell *row, int r, int c0, int c1)
{
	uint8_t bits[4 * XA_MAX_CELL_H];
	for (int c = c0; c < c1; c++) {
		/* a mark on a wide character goes to its middle; a line size stretches it */
		bool centre = is_wide(row, c, g->cols) && !row[c].line;
		int font = font_of(g, &row[c], false),
		    x = c * g->cell_w + (centre ? g->cell_w / 2 : 0);
		int w = g->cell_w;
		xr_font_cell(font, &w, NULL, NULL);
		for (int i = 0; i < XA_CELL_COMB && row[c].comb[i]; i++) {
			int n = xr_glyph_bitmap(font, row[c].comb[i], bits, sizeof(bits));
			if (n > 0)
				xa_bitmap(g->d, g->win, x, r * g->cell_h, (uint32_t)w,
				          (uint32_t)g->cell_h, bits, (size_t)n, row[c].fg,
				          row[c].bg, true);
		}
	}
}

/* Draw cells [c0, c1) of row r of @cur, all of one look and one width. */
static void draw_run(struct xa_grid *g, const struct xa_cell *row, int r, int c0, int c1, bool wide)
{
	char buf[4 * 4096 + 4];
	size_t n = 0;
	bool marks = false;
	for (int c = c0; c < c1; c += wide ? 2 : 1) {
		n += put_utf8(buf + n, row[c].ch);
		marks |= row[c].comb[0] != 0;
	}
	xa_text(g->d, g->win, c0 * g->cell_w, r * g->cell_h, buf, n,
	        (uint32_t)font_of(g, &row[c0], wide), row[c0].fg, row[c0].bg);
	draw_lines(g, &row[c0], r, c0, c1);
	if (marks)
		draw_marks(g, row, r, c0, c1);
}

/* Split cells [c0, c1) into runs of one look and one width. */
static void draw_span(struct xa_grid *g, const struct xa_cell *row, int r, int c0, int c1)
{
	int start = c0;
	bool wide = is_wide(row, c0, c1);
	for (int c = c0; c <= c1;) {
		bool w = c < c1 && is_wide(row, c, c1);
		if (c == c1 || w != wide || !same_look(&row[c], &row[start])) {
			if (c > start)
				draw_run(g, row, r, start, c, wide);
			start = c;
			wide = w;
		}
		if (c == c1)
			break;
		c += w ? 2 : 1;
	}
}

static void paint_row(struct xa_grid *g, const struct xa_cell *cur, int r)
{
	const struct xa_cell *old = g->shadow + (size_t)r * (size_t)g->cols;
	int c = 0;
	while (c < g->cols) {
		if (cell_eq(&cur[c], &old[c])) {
			c++;
			continue;
		}
		int start = c, end = c + 1, gap = 0;
		for (c = end; c < g->cols && gap <= SPAN_GAP; c++) {
			if (cell_eq(&cur[c], &old[c])) {
				gap++;
			} else {
				gap = 0;
				end = c + 1;
			}
		}
		/* a wide character is drawn whole: widen the span to both halves */
		if (cur[start].ch == XA_WIDE_TAIL && start > 0)
			start--;
		if (end < g->cols && cur[end].ch == XA_WIDE_TAIL)
			end++;
		draw_span(g, cur, r, start, end);
		c = end;
	}
}

void xa_grid_paint(struct xa_grid *g, const struct xa_cell *cur)
{
	size_t n = (size_t)g->rows * (size_t)g->cols;
	if (!g->valid) {
		uint32_t w = (uint32_t)(g->cols * g->cell_w), h = (uint32_t)(g->rows * g->cell_h);
		xa_fill(g->d, g->win, 0, 0, g->win_w > w ? g->win_w : w,
		        g->win_h > h ? g->win_h : h, g->bg);
		for (size_t i = 0; i < n; i++)
			g->shadow[i] = (struct xa_cell){.fg = g->fg, .bg = g->bg};
		g->valid = true;
	} else if (g->detect_scroll) {
		int k = detect_scroll(g, cur);
		if (k)
			apply_scroll(g, k);
	}
	for (int r = 0; r < g->rows; r++)
		paint_row(g, cur + (size_t)r * (size_t)g->cols, r);
	memcpy(g->shadow, cur, n * sizeof(*cur));
}
