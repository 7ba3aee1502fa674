/*
 * grid.c - a character-cell surface for text-mode apps (xp-term,
 * xp-calendar): the app fills a grid of cells each frame and xa_grid_paint()
 * sends only the difference from what the window shows — one COPY when the
 * text scrolled, then per row the spans of changed cells as text runs of
 * equal colours.
 */
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"
#include "xrender.h"

#define SPAN_GAP 6 /* equal cells inside a span cost less than a new message */
#define MAX_ROWS 1024

int xa_grid_init(struct xa_grid *g, struct xa_display *d, uint32_t win, int rows, int cols,
                 uint32_t fg, uint32_t bg)
{
	memset(g, 0, sizeof(*g));
	g->d = d;
	g->win = win;
	g->fg = fg;
	g->bg = bg;
	g->detect_scroll = true;
	xr_font_cell(XR_FONT_FIXED, &g->cell_w, &g->cell_h, NULL);
	return xa_grid_resize(g, rows, cols);
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

static bool cell_eq(const struct xa_cell *a, const struct xa_cell *b)
{
	return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg && a->bold == b->bold &&
	       a->underline == b->underline;
}

static bool same_look(const struct xa_cell *a, const struct xa_cell *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->bold == b->bold &&
	       a->underline == b->underline;
}

static uint64_t row_hash(const struct xa_cell *row, int cols, uint32_t bg, bool *blank)
{
	uint64_t h = 1469598103934665603ull;
	*blank = true;
	for (int c = 0; c < cols; c++) {
		const uint32_t v[3] = {row[c].ch, row[c].fg ^ (uint32_t)row[c].bold << 24,
		                       row[c].bg ^ (uint32_t)row[c].underline << 24};
		for (int i = 0; i < 3; i++)
			h = (h ^ v[i]) * 1099511628211ull;
		*blank &= row[c].ch == 0 && row[c].bg == bg;
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

/* Draw cells [c0, c1) of row r of @cur, all of one look. */
static void draw_run(struct xa_grid *g, const struct xa_cell *row, int r, int c0, int c1)
{
	char buf[4 * 4096 + 4];
	size_t n = 0;
	for (int c = c0; c < c1; c++)
		n += put_utf8(buf + n, row[c].ch);
	int x = c0 * g->cell_w, y = r * g->cell_h;
	xa_text(g->d, g->win, x, y, buf, n, row[c0].bold ? XR_FONT_FIXED_BOLD : XR_FONT_FIXED,
	        row[c0].fg, row[c0].bg);
	if (row[c0].underline)
		xa_fill(g->d, g->win, x, y + g->cell_h - 2, (uint32_t)((c1 - c0) * g->cell_w), 1,
		        row[c0].fg);
}

static void draw_span(struct xa_grid *g, const struct xa_cell *row, int r, int c0, int c1)
{
	int start = c0;
	for (int c = c0 + 1; c <= c1; c++) {
		if (c == c1 || !same_look(&row[c], &row[start])) {
			draw_run(g, row, r, start, c);
			start = c;
		}
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
		draw_span(g, cur, r, start, end);
		c = end;
	}
}

void xa_grid_paint(struct xa_grid *g, const struct xa_cell *cur)
{
	size_t n = (size_t)g->rows * (size_t)g->cols;
	if (!g->valid) {
		xa_fill(g->d, g->win, 0, 0, (uint32_t)(g->cols * g->cell_w),
		        (uint32_t)(g->rows * g->cell_h), g->bg);
		for (size_t i = 0; i < n; i++)
			g->shadow[i] = (struct xa_cell){0, g->fg, g->bg, 0, 0};
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
