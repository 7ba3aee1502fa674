/*
 * xp-launcher - the start screen of a session: asks the server which apps
 * it can launch (APP_LIST, answered with APP_ENTRY messages) and starts the
 * chosen one with the keyboard (Up/Down, PgUp/PgDn, Home/End and Enter, or
 * the digit of one of the first nine). A long list scrolls. It then hides;
 * the server shows it again on Ctrl+Shift+L or when no window is left. An
 * app that ends before it shows a window is reported in the footer, with
 * the last line it wrote to stderr (APP_EXITED), instead of the help line.
 * Below, the session's windows (windows.c): Tab moves the keyboard there,
 * Enter brings the chosen one back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher.h"
#include "xpapp.h"
#include "xrender.h"

#define VISIBLE      12 /* rows of the list shown at once */
#define COLS         58
#define NAME_CELLS   12
#define ABOUT_CELLS  (COLS - NAME_CELLS - 7)
#define FG           0xe8e8e8u
#define BG           0x2a3340u
#define SEL_BG       0x4a78b0u
#define DIM          0x9aa4b0u
#define LIST_WAIT_MS 5000
#define WARN         0xffb060u /* the footer when an app could not start */

struct launcher {
	struct xa_display *d;
	uint32_t win;
	int cw, ch, sel, top;
	struct xa_app_info *apps;
	size_t n;
	struct wl wl;     /* the session's windows, under the apps (windows.c) */
	char status[400]; /* why the last app launched did not start, or "" */
};

/* Rows of the list on screen: the whole list, at most VISIBLE. */
static int shown(const struct launcher *l)
{
	return l->n < VISIBLE ? (int)l->n : VISIBLE;
}

/*
 * Append @s to @out (at @*len of @cap bytes) as exactly @cells cells: cut
 * after @cells characters, padded with spaces. One character is one cell.
 */
static void put_cells(char *out, size_t cap, size_t *len, const char *s, int cells)
{
	size_t n = strlen(s), i = 0;
	for (int c = 0; c < cells; c++) {
		uint32_t cp;
		size_t k = i < n ? xp_utf8_next(s + i, n - i, &cp) : 0;
		if (*len + (k ? k : 1) >= cap)
			break;
		if (k) {
			memcpy(out + *len, s + i, k);
			i += k;
		} else {
			out[*len] = ' ';
			k = 1;
		}
		*len += k;
	}
	out[*len] = '\0';
}

/* Byte offset in @s after its first @cells characters (one cell each). */
static size_t cells_end(const char *s, int cells)
{
	size_t n = strlen(s), i = 0;
	for (int c = 0; c < cells && i < n; c++) {
		uint32_t cp;
		i += xp_utf8_next(s + i, n - i, &cp);
	}
	return i;
}

/* As put_cells(), but a text longer than @cells ends in "…" where it is cut. */
static void put_cells_cut(char *out, size_t cap, size_t *len, const char *s, int cells)
{
	char cut[COLS * 4 + 4];
	size_t keep = cells_end(s, cells - 1);
	if (cells < 1 || s[cells_end(s, cells)] == '\0' || keep + 4 > sizeof(cut)) {
		put_cells(out, cap, len, s, cells);
		return;
	}
	memcpy(cut, s, keep);
	memcpy(cut + keep, "\xe2\x80\xa6", 4); /* U+2026 and the terminator */
	put_cells(out, cap, len, cut, cells);
}

/* Draw entry @i on its screen row: digit, name, description; selected or not. */
static void draw_row(struct launcher *l, int i)
{
	char line[COLS * 4 + 1], num[4] = "   ";
	size_t len = 0;
	bool sel = i == l->sel;
	if (i < 9)
		num[1] = (char)('1' + i);
	put_cells(line, sizeof(line), &len, num, 4);
	put_cells(line, sizeof(line), &len, l->apps[i].name, NAME_CELLS);
	put_cells(line, sizeof(line), &len, " ", 1);
	put_cells_cut(line, sizeof(line), &len, l->apps[i].about, ABOUT_CELLS);
	xa_text(l->d, l->win, l->cw, (i - l->top + 3) * l->ch, line, len, sel ? 1 : 0,
	        sel ? 0xffffffu : FG, sel ? SEL_BG : BG);
}

/* The two footer rows: why the last app did not start, or the help line. */
static void draw_footer(struct launcher *l)
{
	static const char help[] =
	    "\xe2\x86\x91\xe2\x86\x93 choose  Enter start  Ctrl+Shift+L shows this again";
	int row = shown(l) + 4;
	xa_fill(l->d, l->win, 0, row * l->ch, (COLS + 2) * (uint32_t)l->cw, 2 * (uint32_t)l->ch,
	        BG);
	if (!l->status[0]) {
		xa_text(l->d, l->win, l->cw, row * l->ch, help, strlen(help), 0, DIM, BG);
		return;
	}
	size_t first = cells_end(l->status, COLS), rest = strlen(l->status) - first;
	xa_text(l->d, l->win, l->cw, row * l->ch, l->status, first, 0, WARN, BG);
	if (rest)
		xa_text(l->d, l->win, l->cw, (row + 1) * l->ch, l->status + first,
		        cells_end(l->status + first, COLS), 0, WARN, BG);
}

/* APP_EXITED: an app that ended before it showed a window says why here,
 * and the launcher comes back to say it (and to try another). */
static void on_app_exited(struct launcher *l, const struct xa_event *ev)
{
	char how[48];
	if (!(ev->state & XP_EXIT_NO_WINDOW))
		return;
	snprintf(how, sizeof(how), "%s %u", (ev->state & XP_EXIT_SIGNAL) ? "signal" : "status",
	         ev->keysym);
	snprintf(l->status, sizeof(l->status), "%s did not start (%s)%s%s", ev->text, how,
	         ev->reason[0] ? ": " : "", ev->reason);
	draw_footer(l);
	xa_window_map(l->d, l->win);
}

/* Draw the whole window: title, the rows on screen, the footer. */
static void draw_all(struct launcher *l)
{
	char title[96];
	snprintf(title, sizeof(title), "xproto \xe2\x80\x94 start an app (%zu)", l->n);
	xa_fill(l->d, l->win, 0, 0, (COLS + 2) * (uint32_t)l->cw,
	        (uint32_t)(shown(l) + 6) * (uint32_t)l->ch, BG);
	xa_text(l->d, l->win, l->cw, l->ch, title, strlen(title), 1, FG, BG);
	for (int i = l->top; i < l->top + shown(l); i++)
		draw_row(l, i);
	if (l->n == 0)
		xa_text(l->d, l->win, l->cw, 3 * l->ch, "no apps to start", 16, 0, DIM, BG);
	draw_footer(l);
}

/* Select entry @sel (clamped), scrolling so that it is on screen. */
static void select_item(struct launcher *l, int sel)
{
	if (l->n == 0)
		return;
	sel = sel < 0 ? 0 : sel >= (int)l->n ? (int)l->n - 1 : sel;
	if (sel == l->sel)
		return;
	int old = l->sel, top = l->top;
	l->sel = sel;
	if (sel < top)
		l->top = sel;
	else if (sel >= top + VISIBLE)
		l->top = sel - VISIBLE + 1;
	if (l->top != top) {
		draw_all(l);
		return;
	}
	draw_row(l, old);
	draw_row(l, sel);
}

/* Launch the selected app and step aside. */
static void start(struct launcher *l)
{
	if (l->n == 0)
		return;
	if (l->status[0]) { /* a new try: the old failure is not news */
		l->status[0] = '\0';
		draw_footer(l);
	}
	xa_launch(l->d, l->apps[l->sel].name);
	xa_window_unmap(l->d, l->win);
}

/* The window list's rows start below the app list, its two-row footer and
 * an empty row. */
static int wl_row(const struct launcher *l)
{
	return shown(l) + 7;
}

/* A key the window list takes: Tab, or one while the keyboard is in it. */
static bool window_list_key(struct launcher *l, const struct xa_event *ev)
{
	int r = wl_key(&l->wl, l->d, ev);
	if (r == WL_REDRAW || r == WL_SHOWN_ONE)
		wl_draw(&l->wl, l->d, l->win, l->cw, l->ch, wl_row(l));
	if (r == WL_SHOWN_ONE)
		xa_window_unmap(l->d, l->win);
	return r != WL_NOT_MINE;
}

/* Shown again: the session's windows may have changed. */
static void on_focus(struct launcher *l, const struct xa_event *ev)
{
	if (ev->win != l->win || !ev->on)
		return;
	wl_load(&l->wl, l->d);
	wl_draw(&l->wl, l->d, l->win, l->cw, l->ch, wl_row(l));
}

/* Move the selection, start, or hide, by key. */
static void on_key(struct launcher *l, const struct xa_event *ev)
{
	if (window_list_key(l, ev))
		return;
	if (!(ev->state & XP_KEY_PRESSED))
		return;
	switch (ev->keysym) {
	case 0xff52: /* Up */
		select_item(l, l->sel - 1);
		break;
	case 0xff54: /* Down */
		select_item(l, l->sel + 1);
		break;
	case 0xff55: /* Page_Up */
		select_item(l, l->sel - VISIBLE);
		break;
	case 0xff56: /* Page_Down */
		select_item(l, l->sel + VISIBLE);
		break;
	case 0xff50: /* Home */
		select_item(l, 0);
		break;
	case 0xff57: /* End */
		select_item(l, (int)l->n - 1);
		break;
	case 0xff0d: /* Return */
	case 0xff8d:
		start(l);
		break;
	case 0xff1b: /* Escape */
		xa_window_unmap(l->d, l->win);
		break;
	default:
		if (ev->keysym >= '1' && ev->keysym <= '9' && ev->keysym - '1' < l->n) {
			select_item(l, (int)(ev->keysym - '1'));
			start(l);
		}
	}
}

/* Create the window, sized to the list, and show it. */
static void open_window(struct launcher *l)
{
	uint32_t sw, sh, w = (COLS + 2) * (uint32_t)l->cw;
	uint32_t h = (uint32_t)(wl_row(l) + WL_ROWS) * (uint32_t)l->ch;
	xa_screen_size(l->d, &sw, &sh);
	l->win =
	    xa_window_create(l->d, sw > w ? (int32_t)(sw - w) / 2 : 0,
	                     sh > h ? (int32_t)(sh - h) / 3 : 0, w, h, XP_WIN_NO_KEY_RELEASE, BG);
	xa_window_title(l->d, l->win, "launcher");
	draw_all(l);
	wl_draw(&l->wl, l->d, l->win, l->cw, l->ch, wl_row(l));
	xa_window_map(l->d, l->win);
}

int main(int argc, char **argv)
{
	struct launcher l = {0};
	struct xp_error err;
	struct xa_event ev;
	if (argc > 1) {
		bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
		if (!help)
			fprintf(stderr, "xp-launcher: unknown argument '%s'\n", argv[1]);
		fputs("usage: xp-launcher (started by xproto-server; it asks the server for\n"
		      "the apps it can launch)\n",
		      help ? stdout : stderr);
		return help ? 0 : 2;
	}
	xr_font_cell(XR_FONT_FIXED, &l.cw, &l.ch, NULL);
	if (!(l.d = xa_open("xp-launcher", &err))) {
		fprintf(stderr, "xp-launcher: %s\n", err.text);
		return 1;
	}
	if (xa_app_list(l.d, &l.apps, &l.n, LIST_WAIT_MS) < 0) {
		fprintf(stderr, "xp-launcher: no app list: %s\n", xa_error(l.d)->text);
		xa_close(l.d);
		return 1;
	}
	open_window(&l);
	while (xa_next_event(l.d, &ev, -1) == 1) {
		if (ev.type == XA_KEY)
			on_key(&l, &ev);
		if (ev.type == XA_CLOSE)
			xa_window_unmap(l.d, l.win);
		if (ev.type == XA_FOCUS)
			on_focus(&l, &ev);
		if (ev.type == XA_APP_EXITED)
			on_app_exited(&l, &ev);
	}
	free(l.apps);
	wl_finish(&l.wl);
	xa_close(l.d);
	return 0;
}
