/*
 * input.c - the keyboard: navigation in browse mode, a one-line editor for
 * the add/edit dialogs, y/n for deletes. Every change goes to the replica
 * first, then (when it has a server) to a sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

#define K_LEFT         0xff51
#define K_UP           0xff52
#define K_RIGHT        0xff53
#define K_DOWN         0xff54
#define K_PGUP         0xff55
#define K_PGDN         0xff56
#define K_RETURN       0xff0d
#define K_KP_ENTER     0xff8d
#define K_ESCAPE       0xff1b
#define K_BACKSPACE    0xff08
#define K_DELETE       0xffff
#define K_TAB          0xff09
#define K_ISO_LEFT_TAB 0xfe20

static int events_today(const struct cal *c, int *idx, int max)
{
	return cal_day_events(c, c->day, idx, max);
}

static void go_to(struct cal *c, int64_t day)
{
	c->day = day;
	if (day < c->range_from || day >= c->range_to || c->view == CAL_WEEK)
		cal_reload(c);
	int idx[1];
	c->sel = events_today(c, idx, 1) > 0 ? 0 : -1;
}

static void move_sel(struct cal *c, int delta)
{
	int idx[64], n = events_today(c, idx, 64);
	if (n > 0)
		c->sel = ((c->sel < 0 ? 0 : c->sel) + delta + n) % n;
}

/* The selected occurrence, or NULL. */
static const struct ag_occurrence *selected(const struct cal *c)
{
	int idx[64], n = events_today(c, idx, 64);
	return c->sel >= 0 && c->sel < n ? &c->occ[idx[c->sel]] : NULL;
}

/* Select the occurrence of event @uid on the selected day, if shown. */
static void select_uid(struct cal *c, const char *uid)
{
	int idx[64], n = events_today(c, idx, 64);
	for (int i = 0; i < n; i++)
		if (!strcmp(c->occ[idx[i]].ev.uid, uid))
			c->sel = i;
}

static void changed(struct cal *c)
{
	cal_reload(c);
	cal_sync(c);
}

/* "HH:MM title" or "title" (09:00); one hour long. */
static void add_event(struct cal *c)
{
	struct ag_event ev = {0};
	int hh = 9, mm = 0, used = 0;
	const char *title = c->input;
	if (sscanf(c->input, "%2d:%2d %n", &hh, &mm, &used) == 2 && used > 0 && hh < 24 && mm < 60)
		title += used;
	else
		hh = 9, mm = 0;
	if (!*title)
		return;
	ev.title = (char *)title;
	ev.start = c->day + hh * 3600 + mm * 60;
	ev.end = ev.start + 3600;
	if (ag_event_add(c->rep, &ev) < 0) {
		snprintf(c->status, sizeof(c->status), "add failed: %s", ag_replica_error(c->rep));
		return;
	}
	snprintf(c->status, sizeof(c->status), "added \"%.60s\"", title);
	changed(c);
	select_uid(c, ev.uid);
}

static void commit(struct cal *c)
{
	const struct ag_occurrence *o = selected(c);
	if (c->mode == CAL_ADD) {
		add_event(c);
	} else if (c->mode == CAL_EDIT && o && c->input_len > 0) {
		struct ag_event ev = {0};
		ev.title = c->input;
		if (ag_event_edit(c->rep, o->ev.uid, &ev, AG_MASK(AG_F_TITLE)) < 0)
			snprintf(c->status, sizeof(c->status), "edit failed: %s",
			         ag_replica_error(c->rep));
		else
			changed(c);
	}
	c->mode = CAL_BROWSE;
}

static void type_char(struct cal *c, const char *text)
{
	size_t n = strlen(text);
	if ((unsigned char)text[0] < 0x20 || c->input_len + n > CAL_INPUT_MAX)
		return;
	memcpy(c->input + c->input_len, text, n + 1);
	c->input_len += n;
}

static void backspace(struct cal *c)
{
	/* drop the last character: the longest prefix one byte shorter */
	if (c->input_len > 0)
		c->input_len = xp_utf8_fit(c->input, c->input_len, c->input_len - 1);
	c->input[c->input_len] = '\0';
}

static void key_dialog(struct cal *c, const struct xa_event *ev)
{
	if (ev->keysym == K_RETURN || ev->keysym == K_KP_ENTER)
		commit(c);
	else if (ev->keysym == K_ESCAPE)
		c->mode = CAL_BROWSE;
	else if (ev->keysym == K_BACKSPACE)
		backspace(c);
	else if (ev->text[0])
		type_char(c, ev->text);
}

static void key_confirm(struct cal *c, const struct xa_event *ev)
{
	const struct ag_occurrence *o = selected(c);
	if ((ev->keysym == 'y' || ev->keysym == 'Y') && o) {
		char title[64];
		snprintf(title, sizeof(title), "%s", o->ev.title ? o->ev.title : "");
		if (ag_event_delete(c->rep, o->ev.uid) == 0) {
			snprintf(c->status, sizeof(c->status), "deleted \"%s\"", title);
			changed(c);
			c->sel = c->sel > 0 ? c->sel - 1 : 0;
			move_sel(c, 0);
		}
	}
	c->mode = CAL_BROWSE;
}

static void start_dialog(struct cal *c, enum cal_mode mode)
{
	const struct ag_occurrence *o = selected(c);
	if (mode != CAL_ADD && !o)
		return;
	c->mode = mode;
	snprintf(c->input, sizeof(c->input), "%s",
	         mode == CAL_EDIT && o->ev.title ? o->ev.title : "");
	c->input_len = strlen(c->input);
}

static void switch_view(struct cal *c, enum cal_view v)
{
	c->view = v;
	xa_grid_invalidate(&c->grid);
	cal_reload(c);
}

/* Browse mode; returns false to quit. */
static bool key_browse(struct cal *c, const struct xa_event *ev)
{
	bool shift = ev->state & XP_MOD_SHIFT;
	switch (ev->keysym) {
	case K_LEFT:
		go_to(c, cal_add_days(c->day, -1));
		break;
	case K_RIGHT:
		go_to(c, cal_add_days(c->day, 1));
		break;
	case K_UP:
		go_to(c, cal_add_days(c->day, -7));
		break;
	case K_DOWN:
		go_to(c, cal_add_days(c->day, 7));
		break;
	case K_PGUP:
		go_to(c,
		      c->view == CAL_MONTH ? cal_add_months(c->day, -1) : cal_add_days(c->day, -7));
		break;
	case K_PGDN:
		go_to(c,
		      c->view == CAL_MONTH ? cal_add_months(c->day, 1) : cal_add_days(c->day, 7));
		break;
	case K_TAB:
		move_sel(c, shift ? -1 : 1);
		break;
	case K_ISO_LEFT_TAB:
		move_sel(c, -1);
		break;
	case K_DELETE:
		start_dialog(c, CAL_CONFIRM_DELETE);
		break;
	case 'm':
		switch_view(c, CAL_MONTH);
		break;
	case 'w':
		switch_view(c, CAL_WEEK);
		break;
	case 't':
		go_to(c, c->today);
		break;
	case 'a':
		start_dialog(c, CAL_ADD);
		break;
	case 'e':
		start_dialog(c, CAL_EDIT);
		break;
	case 'd':
		start_dialog(c, CAL_CONFIRM_DELETE);
		break;
	case 's':
		cal_sync(c);
		break;
	case 'q':
		return false;
	default:
		break;
	}
	return true;
}

bool cal_key(struct cal *c, const struct xa_event *ev)
{
	if (!(ev->state & XP_KEY_PRESSED))
		return true;
	if (c->mode == CAL_ADD || c->mode == CAL_EDIT)
		key_dialog(c, ev);
	else if (c->mode == CAL_CONFIRM_DELETE)
		key_confirm(c, ev);
	else
		return key_browse(c, ev);
	return true;
}
