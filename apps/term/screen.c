/*
 * screen.c - the libvterm side: callbacks that mark the terminal dirty and
 * keep the scrollback, and the snapshot of what the window shows (the live
 * screen or a view into the scrollback, the selection, the cursor) into
 * resolved cells (colours, reverse video, dim, the cursor drawn as a cell)
 * that the grid compares with what is shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vterm.h>

#include "term.h"
#include "xrender.h"

#define DEFAULT_FG   0xd8d8d8u
#define DEFAULT_BG   0x000000u
#define CURSOR_BLOCK 0x2588u /* FULL BLOCK: a block cursor on a blank cell */
#define MAX_COLS     1000

static int on_damage(VTermRect r, void *user)
{
	struct term *t = user;
	t->dirty = true;
	term_sel_damage(t, r.start_row, r.end_row);
	return 1;
}

static int on_moverect(VTermRect dest, VTermRect src, void *user)
{
	(void)dest;
	(void)src;
	((struct term *)user)->dirty = true; /* scrolled text keeps its selection */
	return 1;
}

static int on_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
	(void)pos;
	(void)old;
	struct term *t = user;
	t->cursor_visible = visible;
	t->dirty = true;
	return 1;
}

/* A title from the program: valid UTF-8 without controls, at most 256 bytes. */
static void set_title(struct term *t, const char *s)
{
	size_t n = 0, len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = xp_utf8_next(s + i, len - i, &cp);
		bool bad = cp == 0xfffd || cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
		if (!bad && n + k > sizeof(t->title) - 1)
			break;
		if (!bad)
			memcpy(t->title + n, s + i, k), n += k;
		i += k;
	}
	t->title[n] = '\0';
	xa_window_title(t->d, t->win, t->title);
}

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
	struct term *t = user;
	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		t->cursor_visible = val->boolean;
		break;
	case VTERM_PROP_TITLE:
		if (val->string)
			set_title(t, val->string);
		break;
	case VTERM_PROP_ALTSCREEN:
		t->altscreen = val->boolean;
		t->view = 0;
		term_sel_clear(t);
		break;
	case VTERM_PROP_MOUSE:
		t->mouse_mode = val->number;
		break;
	default:
		break;
	}
	t->dirty = true;
	return 1;
}

static int on_bell(void *user)
{
	struct term *t = user;
	xa_bell(t->d, t->win);
	return 1;
}

static int on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct term *t = user;
	size_t before = term_sb_count(&t->sb);
	term_sb_push(&t->sb, cols, cells);
	/* a view into the scrollback stays on its text while output scrolls */
	if (t->view > 0 && term_sb_count(&t->sb) > before)
		t->view++;
	if (t->view > (int)term_sb_count(&t->sb))
		t->view = (int)term_sb_count(&t->sb);
	return 1;
}

static int on_popline(int cols, VTermScreenCell *cells, void *user)
{
	struct term *t = user;
	int r = term_sb_pop(&t->sb, cols, cells);
	if (t->view > (int)term_sb_count(&t->sb))
		t->view = (int)term_sb_count(&t->sb);
	return r;
}

static const VTermScreenCallbacks callbacks = {
    .damage = on_damage,
    .moverect = on_moverect,
    .movecursor = on_movecursor,
    .settermprop = on_prop,
    .bell = on_bell,
    .sb_pushline = on_pushline,
    .sb_popline = on_popline,
};

/* Keystrokes and reports the emulator encodes go to the program. */
static void on_output(const char *s, size_t len, void *user)
{
	term_pty_queue(user, s, len);
}

int term_vt_init(struct term *t)
{
	t->vt = vterm_new(t->rows, t->cols);
	if (!t->vt)
		return -1;
	vterm_set_utf8(t->vt, 1);
	t->vs = vterm_obtain_screen(t->vt);
	vterm_screen_set_callbacks(t->vs, &callbacks, t);
	vterm_screen_enable_altscreen(t->vs, 1);
	vterm_output_set_callback(t->vt, on_output, t);
	VTermState *st = vterm_obtain_state(t->vt);
	VTermColor fg, bg;
	vterm_color_rgb(&fg, DEFAULT_FG >> 16, (DEFAULT_FG >> 8) & 0xff, DEFAULT_FG & 0xff);
	vterm_color_rgb(&bg, DEFAULT_BG >> 16, (DEFAULT_BG >> 8) & 0xff, DEFAULT_BG & 0xff);
	vterm_state_set_default_colors(st, &fg, &bg);
	vterm_state_set_bold_highbright(st, 1);
	vterm_screen_reset(t->vs, 1);
	t->cursor_visible = true;
	if (xa_grid_init(&t->grid, t->d, t->win, t->rows, t->cols, DEFAULT_FG, DEFAULT_BG) < 0 ||
	    xa_grid_set_font(&t->grid, t->font_size) < 0)
		return -1;
	xa_grid_set_window(&t->grid, t->win_w, t->win_h);
	return term_resize(t, t->rows, t->cols);
}

void term_vt_finish(struct term *t)
{
	if (t->vt)
		vterm_free(t->vt);
	t->vt = NULL;
	free(t->cur);
	t->cur = NULL;
	free(t->out);
	t->out = NULL;
	xa_grid_finish(&t->grid);
	term_sb_finish(&t->sb);
	term_clip_finish(t);
}

int term_resize(struct term *t, int rows, int cols)
{
	if (rows < 1 || cols < 1 || cols > MAX_COLS || rows > 1000)
		return -1;
	size_t n = (size_t)rows * (size_t)cols;
	struct xa_cell *cur = calloc(n, sizeof(*cur));
	if (!cur || xa_grid_resize(&t->grid, rows, cols) < 0) {
		free(cur);
		return -1;
	}
	free(t->cur);
	t->cur = cur;
	t->rows = rows;
	t->cols = cols;
	t->dirty = true;
	term_sel_clear(t);
	vterm_set_size(t->vt, rows, cols);
	return 0;
}

int64_t term_screen_top(const struct term *t)
{
	return (int64_t)t->sb.dropped + (int64_t)term_sb_count(&t->sb);
}

int term_line_cells(struct term *t, int64_t line, void *out)
{
	VTermScreenCell *cells = out;
	int64_t top = term_screen_top(t), first = (int64_t)t->sb.dropped;
	if (line < first || line >= top + t->rows)
		return -1;
	if (line < top)
		return term_sb_get(&t->sb, (size_t)(line - first), t->cols, cells);
	for (int c = 0; c < t->cols; c++)
		vterm_screen_get_cell(t->vs, (VTermPos){(int)(line - top), c}, &cells[c]);
	return 0;
}

void term_scroll_view(struct term *t, int lines)
{
	int64_t v = (int64_t)t->view + lines, max = (int64_t)term_sb_count(&t->sb);
	if (t->altscreen)
		max = 0;
	v = v < 0 ? 0 : v > max ? max : v;
	if (v != t->view) {
		t->view = (int)v;
		t->dirty = true;
	}
}

/* ---- the snapshot ------------------------------------------------------- */

static uint32_t rgb(const VTermScreen *vs, VTermColor c)
{
	vterm_screen_convert_color_to_rgb(vs, &c);
	return (uint32_t)c.rgb.red << 16 | (uint32_t)c.rgb.green << 8 | c.rgb.blue;
}

/* Half way from @fg to @bg: how faint text is drawn. */
static uint32_t dim(uint32_t fg, uint32_t bg)
{
	uint32_t out = 0;
	for (int s = 0; s < 24; s += 8)
		out |= ((((fg >> s) & 0xff) + ((bg >> s) & 0xff)) / 2) << s;
	return out;
}

static struct xa_cell resolve(const struct term *t, const VTermScreenCell *c)
{
	struct xa_cell o = {.ch = c->chars[0],
	                    .bold = c->attrs.bold,
	                    .underline = c->attrs.underline == 2 ? 2 : c->attrs.underline != 0,
	                    .italic = c->attrs.italic,
	                    .strike = c->attrs.strike};
	o.fg = rgb(t->vs, c->fg);
	o.bg = rgb(t->vs, c->bg);
	if (c->attrs.font == 1) /* SGR 2, see filter.c */
		o.fg = dim(o.fg, o.bg);
	if (c->attrs.reverse) {
		uint32_t tmp = o.fg;
		o.fg = o.bg;
		o.bg = tmp;
	}
	/* libvterm fills chars[] only up to the first 0 */
	for (int i = 1; o.ch && i < VTERM_MAX_CHARS_PER_CELL && i <= XA_CELL_COMB && c->chars[i];
	     i++)
		o.comb[i - 1] = c->chars[i];
	if (o.ch == ' ' && !o.comb[0])
		o.ch = 0;
	/* libvterm's DEC Special Graphics y and z: the slanted forms, which no
	 * font of ours has; a VT100 (and xterm) shows the plain ones */
	if (o.ch == 0x2a7d || o.ch == 0x2a7e)
		o.ch = o.ch == 0x2a7d ? 0x2264 : 0x2265;
	return o;
}

static void swap_colours(struct xa_cell *c)
{
	uint32_t tmp = c->fg;
	c->fg = c->bg;
	c->bg = tmp;
}

/* A DEC double-width or -height line: its cols / 2 characters, each
 * stretched over two cells. */
static void snapshot_dwl(struct term *t, struct xa_cell *row, int64_t line, VTermScreenCell *vc)
{
	uint8_t size = vc[0].attrs.dhl == 1   ? XR_FONT_DHL_TOP
	               : vc[0].attrs.dhl == 2 ? XR_FONT_DHL_BOTTOM
	                                      : XR_FONT_DWL;
	for (int c = 0; c < t->cols; c++)
		row[c] = (struct xa_cell){.fg = DEFAULT_FG, .bg = DEFAULT_BG};
	for (int c = 0; 2 * c + 1 < t->cols; c++) {
		struct xa_cell *k = &row[2 * c];
		*k = vc[c].chars[0] == (uint32_t)-1
		         ? (struct xa_cell){.fg = rgb(t->vs, vc[c].fg), .bg = rgb(t->vs, vc[c].bg)}
		         : resolve(t, &vc[c]);
		if (t->sel.active && term_sel_has(t, line, c))
			swap_colours(k);
		k->line = size;
		k[1] = (struct xa_cell){.ch = XA_WIDE_TAIL, .fg = k->fg, .bg = k->bg};
	}
}

/* One row of the window from absolute line @line. */
static void snapshot_row(struct term *t, int r, int64_t line, VTermScreenCell *vc)
{
	struct xa_cell *row = &t->cur[(size_t)r * (size_t)t->cols];
	if (term_line_cells(t, line, vc) < 0) {
		for (int c = 0; c < t->cols; c++)
			row[c] = (struct xa_cell){.fg = DEFAULT_FG, .bg = DEFAULT_BG};
		return;
	}
	if (vc[0].attrs.dwl) {
		snapshot_dwl(t, row, line, vc);
		return;
	}
	for (int c = 0; c < t->cols; c++) {
		if (vc[c].chars[0] == (uint32_t)-1) { /* right half of a wide character */
			bool head = c > 0 && row[c - 1].ch != XA_WIDE_TAIL && vc[c - 1].width == 2;
			row[c] = head ? (struct xa_cell){.ch = XA_WIDE_TAIL,
			                                 .fg = row[c - 1].fg,
			                                 .bg = row[c - 1].bg}
			              : (struct xa_cell){.fg = rgb(t->vs, vc[c].fg),
			                                 .bg = rgb(t->vs, vc[c].bg)};
		} else {
			row[c] = resolve(t, &vc[c]);
		}
		if (t->sel.active && term_sel_has(t, line, c))
			swap_colours(&row[c]);
	}
}

/* The cursor: a full block on a blank cell, reverse video on a character. */
static void put_cursor(struct term *t)
{
	VTermPos pos;
	vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
	pos.row += t->view;
	if (pos.row >= 0 && pos.row < t->rows && t->cur[(size_t)pos.row * (size_t)t->cols].line)
		pos.col *= 2; /* a double-width line */
	if (!t->cursor_visible || pos.row < 0 || pos.row >= t->rows || pos.col < 0 ||
	    pos.col >= t->cols)
		return;

	struct xa_cell *c = &t->cur[(size_t)pos.row * (size_t)t->cols + (size_t)pos.col];
	if (c->ch == 0 && !c->underline && !c->comb[0]) {
		c->ch = CURSOR_BLOCK;
	} else {
		swap_colours(c);
		if (c->ch != XA_WIDE_TAIL && pos.col + 1 < t->cols && c[1].ch == XA_WIDE_TAIL)
			swap_colours(&c[1]);
	}
}

void term_snapshot(struct term *t)
{
	VTermScreenCell vc[MAX_COLS];
	int64_t top = term_screen_top(t) - t->view;
	for (int r = 0; r < t->rows; r++)
		snapshot_row(t, r, top + r, vc);
	put_cursor(t);
}

void term_paint(struct term *t)
{
	term_snapshot(t);
	xa_grid_paint(&t->grid, t->cur);
	t->dirty = false;
}

/* ---- --dump ------------------------------------------------------------- */

static int dump_info(struct term *t, const char *path)
{
	char info[4096];
	size_t len = 0;
	snprintf(info, sizeof(info), "%s.info", path);
	FILE *f = fopen(info, "w");
	char *sel = t->sel.active ? term_sel_text(t, &len) : NULL;
	if (!f) {
		free(sel);
		return -1;
	}
	fprintf(f, "cols %d\nrows %d\nfont %s\ncell %dx%d\nview %d\nscrollback %zu\n", t->cols,
	        t->rows, xr_font_size_name(t->font_size), t->cell_w, t->cell_h, t->view,
	        term_sb_count(&t->sb));
	fprintf(f, "scrollback_bytes %zu\nmouse %d\naltscreen %d\ntitle %s\nselection %zu\n",
	        term_sb_bytes(&t->sb), t->mouse_mode, t->altscreen, t->title, len);
	free(sel);
	return fclose(f);
}

int term_dump_text(struct term *t, const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	term_snapshot(t);
	for (int r = 0; r < t->rows; r++) {
		const struct xa_cell *row = &t->cur[(size_t)r * (size_t)t->cols];
		char line[MAX_COLS * 12] = "";
		size_t n = 0, keep = 0;
		for (int c = 0; c < t->cols; c++) {
			uint32_t cp = row[c].ch == CURSOR_BLOCK ? ' ' : row[c].ch;
			if (cp == XA_WIDE_TAIL)
				continue;
			n += term_utf8_put(line + n, cp ? cp : ' ');
			for (int i = 0; i < XA_CELL_COMB && row[c].comb[i]; i++)
				n += term_utf8_put(line + n, row[c].comb[i]);
			if (cp && cp != ' ')
				keep = n;
		}
		fprintf(f, "%.*s\n", (int)keep, line);
	}
	int info = dump_info(t, path);
	if (fclose(f) != 0 || info < 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
