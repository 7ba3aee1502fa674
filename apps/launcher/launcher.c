/*
 * xp-launcher - the start screen of a session: lists the apps the server
 * offers (from $XPROTO_APPS, "name<TAB>description" lines) and starts the
 * chosen one with the keyboard (Up/Down/Enter, or its digit). It then hides;
 * the server shows it again on Ctrl+Shift+L or when no window is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpapp.h"
#include "xrender.h"

#define MAX_ITEMS 9
#define COLS      58
#define FG        0xe8e8e8u
#define BG        0x2a3340u
#define SEL_BG    0x4a78b0u
#define DIM       0x9aa4b0u

struct launcher {
	struct xa_display *d;
	uint32_t win;
	int cw, ch, n, sel;
	char name[MAX_ITEMS][32], about[MAX_ITEMS][96];
};

static void load_items(struct launcher *l)
{
	const char *env = getenv("XPROTO_APPS");
	char *copy = strdup(env ? env : ""), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && l->n < MAX_ITEMS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		snprintf(l->name[l->n], sizeof(l->name[0]), "%s", line);
		snprintf(l->about[l->n], sizeof(l->about[0]), "%s", tab ? tab + 1 : "");
		l->n++;
	}
	free(copy);
}

static void draw_row(struct launcher *l, int i)
{
	char line[COLS * 4 + 1];
	bool sel = i == l->sel;
	snprintf(line, sizeof(line), " %d  %-10.10s %-36.36s", i + 1, l->name[i], l->about[i]);
	xa_text(l->d, l->win, l->cw, (i + 3) * l->ch, line, strlen(line), sel ? 1 : 0,
	        sel ? 0xffffffu : FG, sel ? SEL_BG : BG);
}

static void draw_all(struct launcher *l)
{
	static const char title[] = "xproto \xe2\x80\x94 start an app";
	static const char help[] =
	    "\xe2\x86\x91\xe2\x86\x93 choose  Enter start  Ctrl+Shift+L shows this again";
	xa_text(l->d, l->win, l->cw, l->ch, title, strlen(title), 1, FG, BG);
	for (int i = 0; i < l->n; i++)
		draw_row(l, i);
	xa_text(l->d, l->win, l->cw, (l->n + 4) * l->ch, help, strlen(help), 0, DIM, BG);
}

static void select_item(struct launcher *l, int sel)
{
	if (sel < 0 || sel >= l->n || sel == l->sel)
		return;
	int old = l->sel;
	l->sel = sel;
	draw_row(l, old);
	draw_row(l, sel);
}

static void start(struct launcher *l)
{
	xa_launch(l->d, l->name[l->sel]);
	xa_window_unmap(l->d, l->win);
}

/* Returns false when the launcher should exit. */
static bool on_key(struct launcher *l, const struct xa_event *ev)
{
	if (!(ev->state & XP_KEY_PRESSED))
		return true;
	switch (ev->keysym) {
	case 0xff52: /* Up */
		select_item(l, l->sel - 1);
		break;
	case 0xff54: /* Down */
		select_item(l, l->sel + 1);
		break;
	case 0xff0d: /* Return */
	case 0xff8d:
		start(l);
		break;
	case 0xff1b: /* Escape */
		xa_window_unmap(l->d, l->win);
		break;
	default:
		if (ev->keysym >= '1' && ev->keysym < (uint32_t)('1' + l->n)) {
			select_item(l, (int)(ev->keysym - '1'));
			start(l);
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	struct launcher l = {0};
	struct xp_error err;
	struct xa_event ev;
	if (argc > 1) {
		fputs("usage: xp-launcher (started by xproto-server; apps from $XPROTO_APPS)\n",
		      stdout);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	load_items(&l);
	xr_font_cell(XR_FONT_FIXED, &l.cw, &l.ch, NULL);
	if (!(l.d = xa_open("xp-launcher", &err))) {
		fprintf(stderr, "xp-launcher: %s\n", err.text);
		return 1;
	}
	uint32_t sw, sh, w = (COLS + 2) * (uint32_t)l.cw, h = (uint32_t)(l.n + 6) * (uint32_t)l.ch;
	xa_screen_size(l.d, &sw, &sh);
	l.win = xa_window_create(l.d, sw > w ? (int32_t)(sw - w) / 2 : 0,
	                         sh > h ? (int32_t)(sh - h) / 3 : 0, w, h, 0, BG);
	xa_window_title(l.d, l.win, "launcher");
	draw_all(&l);
	xa_window_map(l.d, l.win);
	int r;
	while ((r = xa_next_event(l.d, &ev, -1)) == 1) {
		if (ev.type == XA_KEY && !on_key(&l, &ev))
			break;
		if (ev.type == XA_CLOSE)
			xa_window_unmap(l.d, l.win);
	}
	xa_close(l.d);
	return 0;
}
