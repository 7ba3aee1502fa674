/*
 * screen.c - the libvterm side: callbacks that mark the terminal dirty, and
 * the snapshot of its screen into resolved cells (colours, reverse video,
 * the cursor drawn as a cell) that paint.c compares with what is shown.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vterm.h>

#include "term.h"

#define DEFAULT_FG   0xd8d8d8u
#define DEFAULT_BG   0x000000u
#define CURSOR_BLOCK 0x2588u /* FULL BLOCK: a block cursor on a blank cell */

static int on_damage(VTermRect r, void *user)
{
	(void)r;
	((struct term *)user)->dirty = true;
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

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
	struct term *t = user;
	if (prop == VTERM_PROP_CURSORVISIBLE) {
		t->cursor_visible = val->boolean;
		t->dirty = true;
	} else if (prop == VTERM_PROP_TITLE && val->string) {
		snprintf(t->title, sizeof(t->title), "%s", val->string);
		xa_window_title(t->d, t->win, t->title);
	}
	return 1;
}

static int on_bell(void *user)
{
	struct term *t = user;
	xa_bell(t->d, t->win);
	return 1;
}

static const VTermScreenCallbacks callbacks = {
    .damage = on_damage,
    .movecursor = on_movecursor,
    .settermprop = on_prop,
    .bell = on_bell,
};

/* Keystrokes the emulator encodes go to the shell. */
static void on_output(const char *s, size_t len, void *user)
{
	struct term *t = user;
	for (int tries = 0; len > 0 && tries < 100; tries++) {
		ssize_t n = write(t->pty, s, len);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = t->pty, .events = POLLOUT};
			poll(&p, 1, 10);
		} else {
			return;
		}
	}
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
	if (xa_grid_init(&t->grid, t->d, t->win, t->rows, t->cols, DEFAULT_FG, DEFAULT_BG) < 0)
		return -1;
	return term_resize(t, t->rows, t->cols);
}

void term_vt_finish(struct term *t)
{
	if (t->vt)
		vterm_free(t->vt);
	t->vt = NULL;
	free(t->cur);
	t->cur = NULL;
	xa_grid_finish(&t->grid);
}

int term_resize(struct term *t, int rows, int cols)
{
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
	vterm_set_size(t->vt, rows, cols);
	return 0;
}

static uint32_t rgb(const VTermScreen *vs, VTermColor c)
{
	vterm_screen_convert_color_to_rgb(vs, &c);
	return (uint32_t)c.rgb.red << 16 | (uint32_t)c.rgb.green << 8 | c.rgb.blue;
}

static struct xa_cell resolve(const struct term *t, const VTermScreenCell *c)
{
	struct xa_cell o = {
	    .ch = c->chars[0], .bold = c->attrs.bold, .underline = c->attrs.underline != 0};
	o.fg = rgb(t->vs, c->fg);
	o.bg = rgb(t->vs, c->bg);
	if (c->attrs.reverse) {
		uint32_t tmp = o.fg;
		o.fg = o.bg;
		o.bg = tmp;
	}
	if (o.ch == ' ')
		o.ch = 0;
	return o;
}

/* The cursor: a full block on a blank cell, reverse video on a character. */
static void put_cursor(struct term *t)
{
	VTermPos pos;
	vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
	if (!t->cursor_visible || pos.row < 0 || pos.row >= t->rows || pos.col < 0 ||
	    pos.col >= t->cols)
		return;
	struct xa_cell *c = &t->cur[(size_t)pos.row * (size_t)t->cols + (size_t)pos.col];
	if (c->ch == 0 && !c->underline) {
		c->ch = CURSOR_BLOCK;
	} else {
		uint32_t tmp = c->fg;
		c->fg = c->bg;
		c->bg = tmp;
	}
}

void term_paint(struct term *t)
{
	term_snapshot(t);
	xa_grid_paint(&t->grid, t->cur);
	t->dirty = false;
}

void term_snapshot(struct term *t)
{
	VTermScreenCell vc;
	for (int r = 0; r < t->rows; r++) {
		for (int col = 0; col < t->cols; col++) {
			struct xa_cell *o = &t->cur[(size_t)r * (size_t)t->cols + (size_t)col];
			vterm_screen_get_cell(t->vs, (VTermPos){r, col}, &vc);
			*o = resolve(t, &vc);
			if (vc.width == 2 && col + 1 < t->cols) {
				t->cur[(size_t)r * (size_t)t->cols + (size_t)col + 1] =
				    (struct xa_cell){XA_WIDE_TAIL, o->fg, o->bg, 0, 0};
				col++;
			}
		}
	}
	put_cursor(t);
}

int term_dump_text(struct term *t, const char *path)
{
	char line[4096], tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	for (int r = 0; r < t->rows; r++) {
		VTermRect rect = {
		    .start_row = r, .end_row = r + 1, .start_col = 0, .end_col = t->cols};
		size_t n = vterm_screen_get_text(t->vs, line, sizeof(line) - 1, rect);
		while (n > 0 && line[n - 1] == ' ')
			n--;
		fprintf(f, "%.*s\n", (int)n, line);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
