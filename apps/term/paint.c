/*
 * paint.c - turn the difference between what the window shows (shadow) and
 * what the terminal holds (cur) into few, small drawing commands: one COPY
 * when the text scrolled, then per row the spans of changed cells as text
 * runs of equal colours. The cursor is part of the cells, so moving it is
 * just two changed cells.
 */
#include <string.h>

#include "term.h"

#define DEFAULT_BG 0x000000u
#define SPAN_GAP 6 /* equal cells inside a span cost less than a new message */

static bool cell_eq(const struct term_cell *a, const struct term_cell *b)
{
	return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg && a->bold == b->bold &&
	       a->underline == b->underline;
}

static bool same_look(const struct term_cell *a, const struct term_cell *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->bold == b->bold && a->underline == b->underline;
}

static uint64_t row_hash(const struct term_cell *row, int cols, bool *blank)
{
	uint64_t h = 1469598103934665603ull;
	*blank = true;
	for (int c = 0; c < cols; c++) {
		const uint32_t v[3] = {row[c].ch, row[c].fg ^ (uint32_t)row[c].bold << 24, row[c].bg ^ (uint32_t)row[c].underline << 24};
		for (int i = 0; i < 3; i++)
			h = (h ^ v[i]) * 1099511628211ull;
		*blank &= row[c].ch == 0 && row[c].bg == DEFAULT_BG;
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

static int detect_scroll(struct term *t)
{
	uint64_t hc[1024], hs[1024];
	bool blank[1024], b2;
	if (t->rows > 1024)
		return 0;
	for (int r = 0; r < t->rows; r++) {
		hc[r] = row_hash(t->cur + (size_t)r * (size_t)t->cols, t->cols, &blank[r]);
		hs[r] = row_hash(t->shadow + (size_t)r * (size_t)t->cols, t->cols, &b2);
	}
	int best_k = 0, best = matches(hc, hs, blank, t->rows, 0);
	for (int k = 1; k < t->rows; k++) {
		int up = matches(hc, hs, blank, t->rows, k), down = matches(hc, hs, blank, t->rows, -k);
		if (up > best + 1)
			best = up, best_k = k;
		if (down > best + 1)
			best = down, best_k = -k;
	}
	return best_k;
}

static void apply_scroll(struct term *t, int k)
{
	size_t cols = (size_t)t->cols, keep = (size_t)(t->rows - (k > 0 ? k : -k));
	uint32_t w = (uint32_t)(t->cols * t->cell_w), h = (uint32_t)keep * (uint32_t)t->cell_h;
	if (k > 0) {
		xa_copy(t->d, t->win, 0, k * t->cell_h, w, h, 0, 0);
		memmove(t->shadow, t->shadow + (size_t)k * cols, keep * cols * sizeof(*t->shadow));
	} else {
		xa_copy(t->d, t->win, 0, 0, w, h, 0, -k * t->cell_h);
		memmove(t->shadow + (size_t)(-k) * cols, t->shadow, keep * cols * sizeof(*t->shadow));
	}
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp == 0 || cp == TERM_WIDE_TAIL)
		cp = ' ';
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800)
		return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Draw cells [c0, c1) of row r, all of one look. */
static void draw_run(struct term *t, int r, int c0, int c1)
{
	char buf[4 * 1024];
	size_t n = 0;
	const struct term_cell *row = t->cur + (size_t)r * (size_t)t->cols;
	for (int c = c0; c < c1 && n + 4 < sizeof(buf); c++)
		n += put_utf8(buf + n, row[c].ch);
	int x = c0 * t->cell_w, y = r * t->cell_h;
	xa_text(t->d, t->win, x, y, buf, n, row[c0].bold ? 1 : 0, row[c0].fg, row[c0].bg);
	if (row[c0].underline)
		xa_fill(t->d, t->win, x, y + t->cell_h - 2, (uint32_t)((c1 - c0) * t->cell_w), 1,
			row[c0].fg);
}

/* Draw the span [c0, c1) of row r as runs of equal look. */
static void draw_span(struct term *t, int r, int c0, int c1)
{
	const struct term_cell *row = t->cur + (size_t)r * (size_t)t->cols;
	int start = c0;
	for (int c = c0 + 1; c <= c1; c++) {
		if (c == c1 || !same_look(&row[c], &row[start])) {
			draw_run(t, r, start, c);
			start = c;
		}
	}
}

static void paint_row(struct term *t, int r)
{
	const struct term_cell *cur = t->cur + (size_t)r * (size_t)t->cols;
	const struct term_cell *old = t->shadow + (size_t)r * (size_t)t->cols;
	int c = 0;
	while (c < t->cols) {
		if (cell_eq(&cur[c], &old[c])) {
			c++;
			continue;
		}
		int start = c, end = c + 1, gap = 0;
		for (c = end; c < t->cols && gap <= SPAN_GAP; c++) {
			if (cell_eq(&cur[c], &old[c])) {
				gap++;
			} else {
				gap = 0;
				end = c + 1;
			}
		}
		draw_span(t, r, start, end);
		c = end;
	}
}

int term_paint(struct term *t)
{
	term_snapshot(t);
	if (!t->shadow_valid) {
		xa_fill(t->d, t->win, 0, 0, (uint32_t)(t->cols * t->cell_w),
			(uint32_t)(t->rows * t->cell_h), DEFAULT_BG);
		for (size_t i = 0; i < (size_t)t->rows * (size_t)t->cols; i++)
			t->shadow[i] = (struct term_cell){0, 0xd8d8d8u, DEFAULT_BG, 0, 0};
		t->shadow_valid = true;
	} else {
		int k = detect_scroll(t);
		if (k)
			apply_scroll(t, k);
	}
	for (int r = 0; r < t->rows; r++)
		paint_row(t, r);
	memcpy(t->shadow, t->cur, (size_t)t->rows * (size_t)t->cols * sizeof(*t->cur));
	t->dirty = false;
	return 0;
}
