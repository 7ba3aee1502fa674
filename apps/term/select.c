/*
 * select.c - the mouse selection, as xterm makes it: by character (drag),
 * word (double click: letters, digits and -_.~/:@+%# run together, so paths
 * and URLs go whole; so do blanks, and repeats of one punctuation mark) or
 * line (triple click). Its ends are absolute lines
 * (see term.h), so it stays on its text while output scrolls; output that
 * changes a selected row drops it.
 *
 * Its text: each line's cells from the first to the last selected column,
 * trailing blanks dropped, lines joined by '\n' -- except after a line whose
 * last column holds a character, taken as wrapped onto the next (libvterm
 * 0.1 does not say which lines wrapped).
 */
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "term.h"
#include "xputil.h"

#define MAX_COLS 1000

struct span {
	int64_t l0, l1; /* first and last line */
	int c0, c1;     /* first column on l0, last column on l1 */
};

/* Cells a double click takes together have one class (as xterm's
 * charClass): blanks, word characters, or one punctuation character. */
static uint32_t char_class(uint32_t cp)
{
	if (cp == 0 || cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x3000)
		return 0;
	if (cp >= 0x80 || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
	    (cp >= 'A' && cp <= 'Z') || strchr("-_.~/:@+%#", (int)cp))
		return 1; /* the right half of a wide character (-1) goes with it */
	return cp;
}

/* Widen [*c0, *c1] on @line to whole words. */
static void widen_words(struct term *t, int64_t line, int *c0, int *c1)
{
	VTermScreenCell vc[MAX_COLS];
	if (term_line_cells(t, line, vc) < 0)
		return;
	uint32_t k0 = char_class(vc[*c0].chars[0]), k1 = char_class(vc[*c1].chars[0]);
	while (*c0 > 0 && char_class(vc[*c0 - 1].chars[0]) == k0)
		(*c0)--;
	while (*c1 + 1 < t->cols && char_class(vc[*c1 + 1].chars[0]) == k1)
		(*c1)++;
}

/* The selection in reading order, widened by its mode. */
static struct span span_of(const struct term *t)
{
	const struct term_sel *s = &t->sel;
	bool fwd = s->a_line < s->b_line || (s->a_line == s->b_line && s->a_col <= s->b_col);
	struct span sp = fwd ? (struct span){s->a_line, s->b_line, s->a_col, s->b_col}
	                     : (struct span){s->b_line, s->a_line, s->b_col, s->a_col};
	if (s->mode == TERM_SEL_LINE) {
		sp.c0 = 0;
		sp.c1 = t->cols - 1;
	}
	return sp;
}

static struct span widened(struct term *t)
{
	struct span sp = span_of(t);
	if (t->sel.mode == TERM_SEL_WORD) {
		int a = sp.c0, b = sp.c0;
		widen_words(t, sp.l0, &a, &b);
		sp.c0 = a;
		a = b = sp.c1;
		widen_words(t, sp.l1, &a, &b);
		sp.c1 = b;
	}
	return sp;
}

void term_sel_start(struct term *t, enum term_sel_mode mode, int64_t line, int col)
{
	t->sel = (struct term_sel){.active = mode != TERM_SEL_CHAR,
	                           .dragging = true,
	                           .mode = mode,
	                           .a_line = line,
	                           .b_line = line,
	                           .a_col = col,
	                           .b_col = col,
	                           .last_click_us = t->sel.last_click_us,
	                           .clicks = t->sel.clicks,
	                           .click_col = t->sel.click_col,
	                           .click_line = t->sel.click_line};
	if (t->sel.active) { /* words and lines are fixed now; drags extend them */
		struct span sp = widened(t);
		t->sel.a_line = sp.l0, t->sel.a_col = sp.c0;
		t->sel.b_line = sp.l1, t->sel.b_col = sp.c1;
	}
	t->sel.word0 = t->sel.a_col;
	t->sel.word1 = t->sel.b_col;
	t->dirty = true;
}

void term_sel_extend(struct term *t, int64_t line, int col)
{
	struct term_sel *s = &t->sel;
	if (s->b_line == line && s->b_col == col && s->active)
		return;
	s->b_line = line;
	s->b_col = col;
	s->active = true;
	if (s->mode == TERM_SEL_WORD) {
		/* keep the anchor word whole whichever way the drag goes */
		bool fwd = line > s->a_line || (line == s->a_line && col >= s->word0);
		int a = col, b = col;
		widen_words(t, line, &a, &b);
		s->a_col = fwd ? s->word0 : s->word1;
		s->b_col = fwd ? b : a;
	}
	t->dirty = true;
}

void term_sel_clear(struct term *t)
{
	if (t->sel.active)
		t->dirty = true;
	t->sel.active = false;
	t->sel.dragging = false;
}

bool term_sel_has(const struct term *t, int64_t line, int col)
{
	if (!t->sel.active)
		return false;
	struct span sp = span_of(t);
	if (line < sp.l0 || line > sp.l1)
		return false;
	return (line > sp.l0 || col >= sp.c0) && (line < sp.l1 || col <= sp.c1);
}

void term_sel_damage(struct term *t, int r0, int r1)
{
	if (!t->sel.active || t->sel.dragging)
		return;
	struct span sp = span_of(t);
	int64_t top = term_screen_top(t);
	if (sp.l1 >= top + r0 && sp.l0 < top + r1)
		term_sel_clear(t);
}

/* Append line @line's columns [c0, c1] to @buf; true if it filled the row. */
static bool line_text(struct term *t, int64_t line, int c0, int c1, char *buf, size_t *n)
{
	VTermScreenCell vc[MAX_COLS];
	size_t keep = *n;
	if (term_line_cells(t, line, vc) < 0)
		return false;
	for (int c = c0; c <= c1 && c < t->cols; c++) {
		if (vc[c].chars[0] == (uint32_t)-1)
			continue;
		if (!vc[c].chars[0]) {
			buf[(*n)++] = ' ';
			continue;
		}
		for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && vc[c].chars[i]; i++)
			*n += term_utf8_put(buf + *n, vc[c].chars[i]);
		keep = *n;
	}
	*n = keep; /* no trailing blanks */
	return c1 >= t->cols - 1 && vc[t->cols - 1].chars[0] != 0;
}

char *term_sel_text(struct term *t, size_t *len)
{
	struct span sp = widened(t);
	size_t cap = 0, n = 0;
	char *buf = NULL;
	*len = 0;
	if (!t->sel.active || XU_ARRAY_RESERVE(buf, cap, 4096) < 0)
		return NULL;
	for (int64_t l = sp.l0; l <= sp.l1; l++) {
		/* a row at most: cols cells of up to 6 characters of 4 bytes, '\n' */
		size_t need = (size_t)t->cols * 24 + 2;
		if (n + need > XP_CLIP_MAX)
			break;
		if (XU_ARRAY_RESERVE(buf, cap, n + need) < 0)
			break;
		bool wrapped = line_text(t, l, l == sp.l0 ? sp.c0 : 0,
		                         l == sp.l1 ? sp.c1 : t->cols - 1, buf, &n);
		if (l < sp.l1 && !wrapped)
			buf[n++] = '\n';
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
