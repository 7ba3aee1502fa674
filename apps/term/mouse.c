/*
 * mouse.c - pointer events. When the program asked for mouse reports
 * (DECSET 9, 1000, 1002, 1003, encoded as DECSET 1005/1006/1015 say) they go to

 * it through libvterm's mouse API, unless Shift is held: as in xterm, Shift
 * takes the pointer back for selecting and pasting. Otherwise: button 1
 * selects (drag; double click words, triple click lines), button 2 pastes
 * PRIMARY, button 3 extends the selection, the wheel scrolls the view (in
 * the alternate screen, where there is no scrollback, it sends Up/Down as
 * xterm's alternateScroll does).
 */
#include <vterm.h>

#include "term.h"

#define CLICK_US    400000 /* a second click within this is a double click */
#define WHEEL_LINES 3

/* The cell under window point (@x, @y), clamped to the screen. */
static void cell_at(const struct term *t, int32_t x, int32_t y, int *row, int *col)
{
	int64_t r = y < 0 ? -1 : y / t->cell_h, c = x < 0 ? 0 : x / t->cell_w;
	*row = r < 0 ? 0 : r >= t->rows ? t->rows - 1 : (int)r;
	*col = c >= t->cols ? t->cols - 1 : (int)c;
}

static bool reporting(const struct term *t)
{
	return t->mouse_mode != VTERM_PROP_MOUSE_NONE && !(t->mods & XP_MOD_SHIFT);
}

static void report(struct term *t, const struct xa_event *ev, int row, int col)
{
	VTermModifier mod = t->mouse_x10 ? VTERM_MOD_NONE : (VTermModifier)term_vterm_mods(t->mods);
	if (t->mouse_x10 && (ev->type != XA_BUTTON || !(ev->state & 1)))
		return; /* X10 reports presses only */

	if (t->view) {
		t->view = 0;
		t->dirty = true;
	}
	vterm_mouse_move(t->vt, row, col, mod);
	if (ev->type == XA_BUTTON)
		vterm_mouse_button(t->vt, (int)(ev->state >> 1), ev->state & 1, mod);
}

static void wheel(struct term *t, int button)
{
	if (!t->altscreen) {
		term_scroll_view(t, button == 4 ? WHEEL_LINES : -WHEEL_LINES);
		return;
	}
	for (int i = 0; i < WHEEL_LINES; i++)
		vterm_keyboard_key(t->vt, button == 4 ? VTERM_KEY_UP : VTERM_KEY_DOWN,
		                   VTERM_MOD_NONE);
}

/* Button 1 down: count the clicks and start a selection of that kind. */
static void press(struct term *t, int64_t line, int col)
{
	struct term_sel *s = &t->sel;
	uint64_t now = xp_now_us();
	bool again =
	    now - s->last_click_us < CLICK_US && line == s->click_line && col == s->click_col;
	s->clicks = again ? s->clicks % 3 + 1 : 1;
	s->last_click_us = now;
	s->click_line = line;
	s->click_col = col;
	term_sel_start(t, (enum term_sel_mode)s->clicks, line, col);
}

static void release(struct term *t)
{
	bool had = t->sel.dragging;
	t->sel.dragging = false;
	if (had && t->sel.active)
		term_clip_own(t, XP_CLIP_PRIMARY);
}

/* A drag outside the window scrolls the view, a line per event. */
static void drag(struct term *t, const struct xa_event *ev, int row, int col)
{
	if (ev->y < 0)
		term_scroll_view(t, 1);
	else if (ev->y >= t->rows * t->cell_h)
		term_scroll_view(t, -1);
	term_sel_extend(t, term_screen_top(t) - t->view + row, col);
}

void term_mouse(struct term *t, const struct xa_event *ev)
{
	int row, col, button = (int)(ev->state >> 1);
	bool down = ev->type == XA_BUTTON && (ev->state & 1);
	cell_at(t, ev->x, ev->y, &row, &col);
	if (reporting(t)) {
		report(t, ev, row, col);
		return;
	}
	int64_t line = term_screen_top(t) - t->view + row;
	if (ev->type == XA_MOTION) {
		if ((ev->buttons & 1) && t->sel.dragging)
			drag(t, ev, row, col);
		return;
	}
	if (button == 1 && down)
		press(t, line, col);
	else if (button == 1)
		release(t);
	else if (button == 2 && down)
		term_clip_paste(t, XP_CLIP_PRIMARY);
	else if (button == 3 && down && t->sel.active) {
		term_sel_extend(t, line, col);
		term_clip_own(t, XP_CLIP_PRIMARY);
	} else if ((button == 4 || button == 5) && down)
		wheel(t, button);
}
