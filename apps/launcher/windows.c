/*
 * windows.c - the launcher's window list: the session's windows (WIN_LIST),
 * topmost first and the minimised last, under the app list. Tab moves the
 * keyboard between the two lists; in this one Up/Down choose and Enter
 * brings the window back (restored, raised, focused: WIN_ARRANGE) and
 * hides the launcher. The list is read again each time the launcher gets
 * the focus, so it is what the session has now.
 */
#include <stdlib.h>
#include <string.h>

#include "launcher.h"

#define FG     0xe8e8e8u
#define BG     0x2a3340u
#define SEL_BG 0x4a78b0u
#define DIM    0x9aa4b0u

void wl_load(struct wl *l, struct xa_display *d)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
	if (xa_window_list(d, &l->v, &l->n, 2000) < 0)
		l->n = 0; /* an old server, or no answer: no list */
	if (l->sel >= (int)l->n)
		l->sel = l->n ? (int)l->n - 1 : 0;
	if (l->n == 0)
		l->active = false;
}

void wl_finish(struct wl *l)
{
	free(l->v);
	*l = (struct wl){0};
}

/* One row: a mark for the focused window, the title, "minimised". */
static void draw_entry(const struct wl *l, struct xa_display *d, uint32_t win, int cw, int ch,
                       int row, size_t i)
{
	char line[WL_COLS * 4 + 8];
	const struct xa_window_info *w = &l->v[i];
	bool sel = l->active && (int)i == l->sel;
	const char *min = (w->state & XP_STATE_MINIMIZED) ? "  (minimised)" : "";
	int cells = WL_COLS - 6 - (int)strlen(min);
	size_t cut = 0, len = strlen(w->title);
	for (int c = 0; c < cells && cut < len; c++) {
		uint32_t cp;
		cut += xp_utf8_next(w->title + cut, len - cut, &cp);
	}
	snprintf(line, sizeof(line), " %s %.*s%s",
	         (w->state & XP_STATE_FOCUSED) ? "\xe2\x80\xa2" : " ", (int)cut, w->title, min);
	/* the selection bar as wide as the app list's (WL_COLS - 2 cells) */
	xa_fill(d, win, cw, row * ch, (WL_COLS - 2) * (uint32_t)cw, (uint32_t)ch,
	        sel ? SEL_BG : BG);
	xa_text(d, win, cw, row * ch, line, strlen(line), sel ? 1 : 0, sel ? 0xffffffu : FG,
	        sel ? SEL_BG : BG);
}

void wl_draw(const struct wl *l, struct xa_display *d, uint32_t win, int cw, int ch, int row)
{
	char head[96];
	snprintf(head, sizeof(head), "windows (%zu)%s", l->n,
	         l->n ? "  Tab: here and back, Enter: show it" : "");
	xa_fill(d, win, 0, row * ch, (WL_COLS + 2) * (uint32_t)cw, (WL_SHOWN + 1) * (uint32_t)ch,
	        BG);
	xa_text(d, win, cw, row * ch, head, strlen(head), l->active ? 1 : 0, l->active ? FG : DIM,
	        BG);
	int top = l->sel >= WL_SHOWN ? l->sel - WL_SHOWN + 1 : 0;
	for (int i = 0; i < WL_SHOWN && (size_t)(top + i) < l->n; i++)
		draw_entry(l, d, win, cw, ch, row + 1 + i, (size_t)(top + i));
}

int wl_key(struct wl *l, struct xa_display *d, const struct xa_event *ev)
{
	if (!(ev->state & XP_KEY_PRESSED))
		return l->active ? WL_TAKEN : WL_NOT_MINE;
	if (ev->keysym == 0xff09) { /* Tab: the other list */
		l->active = !l->active && l->n > 0;
		return WL_REDRAW;
	}
	if (!l->active)
		return WL_NOT_MINE;
	switch (ev->keysym) {
	case 0xff52: /* Up */
		l->sel = l->sel > 0 ? l->sel - 1 : 0;
		return WL_REDRAW;
	case 0xff54: /* Down */
		l->sel = l->sel + 1 < (int)l->n ? l->sel + 1 : l->sel;
		return WL_REDRAW;
	case 0xff0d: /* Return */
	case 0xff8d:
		if (l->n == 0)
			return WL_TAKEN;
		xa_window_arrange(d, l->v[l->sel].id, XP_ARR_RESTORE | XP_ARR_RAISE | XP_ARR_FOCUS,
		                  0, 0, 0, 0);
		l->active = false;
		return WL_SHOWN_ONE;
	default:
		return WL_NOT_MINE;
	}
}
