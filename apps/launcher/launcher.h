/*
 * launcher.h - the internals of xp-launcher shared by its files: the
 * window list (windows.c) the start screen shows under its app list.
 */
#ifndef LAUNCHER_H
#define LAUNCHER_H

#include <stdbool.h>

#include "xpapp.h"

#define WL_SHOWN 8              /* rows of windows shown at once */
#define WL_COLS  58             /* cells a row is wide */
#define WL_ROWS  (WL_SHOWN + 2) /* what the list takes in the launcher window */

/** The session's windows as the launcher shows them. */
struct wl {
	struct xa_window_info *v; /* from xa_window_list() */
	size_t n;
	int sel;     /* the chosen one */
	bool active; /* the keyboard is in this list (Tab) */
};

/** wl_key results: what the launcher does next. */
enum { WL_NOT_MINE, WL_TAKEN, WL_REDRAW, WL_SHOWN_ONE };

/** Read the session's windows again (WIN_LIST); an empty list on error. */
void wl_load(struct wl *l, struct xa_display *d);
/** Free the list. */
void wl_finish(struct wl *l);
/** Draw the list into launcher window @win from text row @row (cells @cw x @ch). */
void wl_draw(const struct wl *l, struct xa_display *d, uint32_t win, int cw, int ch, int row);
/**
 * A key for the launcher: Tab switches lists; in this list Up/Down choose
 * and Enter shows the chosen window (WL_SHOWN_ONE: hide the launcher).
 * Returns one of WL_*: WL_NOT_MINE when the app list should have it.
 */
int wl_key(struct wl *l, struct xa_display *d, const struct xa_event *ev);

#endif
