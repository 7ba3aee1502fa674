/*
 * filter.c - the bytes from the pty on their way to libvterm.
 *
 * libvterm 0.1 lacks four things xterm does, and each can be done in front
 * of it without touching its state by hand:
 *   - SM/RM and DECSET/DECRST take only their first parameter: CSI ? 1000 ;
 *     1006 h is split into one sequence per parameter. DECSET 9 (X10 mouse
 *     reports, presses only) is unknown to it: it becomes 1000, and
 *     mouse.c drops the releases and the modifiers.

 *   - SGR 2 (faint) is ignored: it is rewritten to SGR 11 (alternative font
 *     1, which nothing else uses) and SGR 22 to 22;10, and screen.c draws
 *     font 1 dim. The colour forms 38/48/58;5;n and ;2;r;g;b are skipped,
 *     so their numbers are never taken for SGR codes.
 *   - DECCOLM (CSI ? 3 h / l, 132 / 80 columns) is ignored: it is taken out
 *     and done here as xterm does (new width, margins reset, screen cleared,
 *     cursor home).
 *   - DECSC / DECRC (ESC 7 / ESC 8, CSI ? 1048 / 1049 h / l) do not save the
 *     character sets: the designations (ESC ( ) * + F) and the shift state
 *     (SI, SO, LS2, LS3) are followed here and sent again after a restore.
 * Everything else, and any sequence longer than the buffer, passes through
 * unchanged. Strings (OSC, DCS, APC, PM, SOS) pass through unparsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "term.h"

#define ESC 0x1b

enum { ST_TEXT, ST_ESC, ST_STRING, ST_STRING_ESC };

static void feed(struct term *t, const char *s, size_t n)
{
	if (n)
		vterm_input_write(t->vt, s, n);
}

static void reset_sets(struct term_filter *f)
{
	memcpy(f->g, "BBBB", 4);
	f->gl = 0;
	f->saved = false;
}

static void save_sets(struct term_filter *f)
{
	memcpy(f->saved_g, f->g, 4);
	f->saved_gl = f->gl;
	f->saved = true;
}

/* After libvterm restored the cursor: designate and shift as saved. */
static void restore_sets(struct term *t)
{
	struct term_filter *f = &t->filter;
	static const char shifts[4][3] = {"\x0f", "\x0e", "\x1bn", "\x1bo"};
	char buf[32];
	size_t n = 0;
	if (!f->saved)
		return;
	for (int i = 0; i < 4; i++) {
		buf[n++] = ESC;
		buf[n++] = "()*+"[i];
		buf[n++] = f->saved_g[i];
	}
	memcpy(buf + n, shifts[f->saved_gl], strlen(shifts[f->saved_gl]));
	n += strlen(shifts[f->saved_gl]);
	memcpy(f->g, f->saved_g, 4);
	f->gl = f->saved_gl;
	feed(t, buf, n);
}

/* ---- CSI rewriting ----------------------------------------------------- */

/* Copy SGR parameters @p (@n bytes) to @out with faint made visible. */
static size_t rewrite_sgr(const char *p, size_t n, char *out, bool *changed)
{
	size_t o = 0;
	int skip = 0;          /* numbers of a colour form still to copy */
	bool selector = false; /* the next number says how many: 5 one, 2 three */
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && p[j] != ';')
			j++;
		size_t len = j - i;
		const char *rep = NULL;
		if (selector) {
			selector = false;
			skip = len == 1 && p[i] == '5' ? 1 : len == 1 && p[i] == '2' ? 3 : 0;
		} else if (skip > 0) {
			skip--;
		} else if (len == 2 && p[i + 1] == '8' &&
		           (p[i] == '3' || p[i] == '4' || p[i] == '5')) {
			selector = true; /* 38;5;n or 38;2;r;g;b (38:... has its own colons) */
		} else if (len == 1 && p[i] == '2') {
			rep = "11";
		} else if (len == 2 && p[i] == '2' && p[i + 1] == '2') {
			rep = "22;10";
		}
		if (i > 0)
			out[o++] = ';';
		if (rep) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
			*changed = true;
		} else {
			memcpy(out + o, p + i, len);
			o += len;
		}
		i = j + 1;
	}
	return o;
}

/* 132 or 80 columns, as xterm with its 80/132 switch allowed. */
static void deccolm(struct term *t, bool wide)
{
	int cols = wide ? 132 : 80;
	if (cols != t->cols && term_resize(t, t->rows, cols) == 0) {
		term_pty_resize(t);
		if (!t->maximized)
			xa_window_configure(t->d, t->win, XP_CONF_RESIZE, 0, 0,
			                    (uint32_t)(cols * t->cell_w), t->win_h);
	}
	feed(t, "\x1b[r\x1b[2J\x1b[H", 10);
}

/*
 * Set or reset modes @p (@n bytes of parameters) one by one, as libvterm
 * takes one per sequence; @dec: DEC private modes (CSI ?), where 3 is
 * DECCOLM (done here) and 1048/1049 save and restore the character sets.
 */
static void set_modes(struct term *t, const char *p, size_t n, bool dec, char final)
{
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		char seq[24];
		while (j < n && p[j] != ';')
			j++;
		size_t len = j - i < 8 ? j - i : 8;
		bool save =
		    dec && len == 4 && (!memcmp(p + i, "1048", 4) || !memcmp(p + i, "1049", 4));
		if (save && final == 'h')
			save_sets(&t->filter);
		if (dec && len == 1 && p[i] == '3') {
			deccolm(t, final == 'h');
		} else if (dec && len == 1 && p[i] == '9') {
			/* X10 mouse: presses only (mouse.c), reported as 1000 reports them */
			t->mouse_x10 = final == 'h';
			feed(t, final == 'h' ? "\x1b[?1000h" : "\x1b[?1000l", 8);
		} else {
			int k = snprintf(seq, sizeof(seq), "\x1b[%s%.*s%c", dec ? "?" : "",
			                 (int)len, p + i, final);
			feed(t, seq, (size_t)k);
		}
		if (save && final == 'l')
			restore_sets(t);
		i = j + 1;
	}
}

/* A complete CSI sequence in f->pend: pass it on, changed if need be. */
static void csi(struct term *t)
{
	struct term_filter *f = &t->filter;
	const char *s = (const char *)f->pend;
	size_t n = f->npend;
	char final = s[n - 1], out[2 * sizeof(f->pend) + 8];
	bool changed = false, dec = n >= 3 && s[2] == '?';
	if (final == 'm' && n >= 3 && (s[2] < '<' || s[2] > '?')) {
		size_t o = rewrite_sgr(s + 2, n - 3, out + 2, &changed);
		if (changed) {
			out[0] = ESC, out[1] = '[', out[o + 2] = 'm';
			feed(t, out, o + 3);
			return;
		}
	} else if ((final == 'h' || final == 'l') && n >= 3u + dec &&
	           (dec || (s[2] >= '0' && s[2] <= '9'))) {
		/* parameters only, no intermediates: one mode at a time */
		bool plain = true;
		for (size_t i = 2 + dec; i < n - 1; i++)
			plain &= (s[i] >= '0' && s[i] <= '9') || s[i] == ';';
		if (plain) {
			set_modes(t, s + 2 + dec, n - 3 - dec, dec, final);
			return;
		}
	}
	feed(t, s, n);
}

/* ---- escape sequences ------------------------------------------------- */

/* f->pend holds ESC + @n-1 bytes: 1 complete, 0 more needed. */
static int complete(const struct term_filter *f)
{
	const uint8_t *s = f->pend;
	size_t n = f->npend;
	if (n < 2)
		return 0;
	if (s[1] == '[')
		return n >= 3 && s[n - 1] >= 0x40 && s[n - 1] <= 0x7e;
	if (s[1] >= 0x20 && s[1] <= 0x2f) /* ESC I... F: intermediates then a final */
		return s[n - 1] >= 0x30 && s[n - 1] <= 0x7e;
	return 1;
}

static void escape(struct term *t)
{
	struct term_filter *f = &t->filter;
	const uint8_t *s = f->pend;
	size_t n = f->npend;
	if (s[1] == '[') {
		csi(t);
		return;
	}
	feed(t, (const char *)s, n);
	if (n == 3 && s[1] >= '(' && s[1] <= '+')
		f->g[s[1] - '('] = (char)s[2];
	else if (n == 2 && s[1] == '7')
		save_sets(f);
	else if (n == 2 && s[1] == '8')
		restore_sets(t);
	else if (n == 2 && s[1] == 'c')
		reset_sets(f);
	else if (n == 2 && (s[1] == 'n' || s[1] == 'o'))
		f->gl = s[1] == 'n' ? 2 : 3;
}

/* Take one byte of an escape sequence; the state to go on in. */
static int esc_byte(struct term *t, uint8_t c)
{
	struct term_filter *f = &t->filter;
	f->pend[f->npend++] = c;
	if (f->npend == 2 && (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X')) {
		feed(t, (const char *)f->pend, 2); /* a string: pass it through */
		f->npend = 0;
		return ST_STRING;
	}
	if (complete(f)) {
		escape(t);
		f->npend = 0;
		return ST_TEXT;
	}
	if (f->npend == sizeof(f->pend) || c == 0x18 || c == 0x1a || c == ESC) {
		/* too long to be ours, or cancelled: libvterm gets it as it came */
		feed(t, (const char *)f->pend, f->npend - (c == ESC));
		f->npend = 0;
		if (c == ESC)
			f->pend[f->npend++] = ESC;
		return c == ESC ? ST_ESC : ST_TEXT;
	}
	return ST_ESC;
}

void term_filter_input(struct term *t, const char *s, size_t len)
{
	struct term_filter *f = &t->filter;
	int state = f->state;
	size_t start = 0;
	if (!f->g[0])
		reset_sets(f);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		if (state == ST_ESC) {
			state = esc_byte(t, c);
			start = i + 1;
		} else if (state == ST_STRING || state == ST_STRING_ESC) {
			if (c == 0x07 || (state == ST_STRING_ESC && c == '\\') || c == 0x18 ||
			    c == 0x1a)
				state = ST_TEXT;
			else
				state = c == ESC ? ST_STRING_ESC : ST_STRING;
		} else if (c == ESC) {
			feed(t, s + start, i - start);
			f->pend[0] = ESC;
			f->npend = 1;
			state = ST_ESC;
			start = i + 1;
		} else if (c == 0x0e || c == 0x0f) {
			f->gl = c == 0x0e;
		}
	}
	if (state != ST_ESC)
		feed(t, s + start, len - start);
	f->state = state;
}
