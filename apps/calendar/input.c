/*
 * input.c - the keyboard: navigation in browse mode, a one-line editor for
 * the add dialog and the fields of the edit form (Tab moves between them),
 * y/n for deletes, the conflicts panel. Every change goes to the replica
 * first, then (when it has a server) to a sync; dialog.c says what a
 * dialog's text means.
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

const struct ag_occurrence *cal_selected(const struct cal *c)
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

void cal_changed(struct cal *c)
{
	cal_reload(c);
	cal_sync(c);
}

/* Enter in a dialog: saves it, or keeps it open with the reason shown. */
static void commit(struct cal *c)
{
	bool ok = true;
	if (c->mode == CAL_ADD && c->input_len) {
		ok = cal_add_commit(c);
		if (ok && c->edit_uid)
			select_uid(c, c->edit_uid); /* the event just added */
	} else if (c->mode == CAL_EDIT) {
		ok = cal_edit_commit(c);
	}
	if (ok)
		c->mode = CAL_BROWSE;
}

/* The line being typed: the add dialog's, or the focused field's. */
static char *line_of(struct cal *c)
{
	return c->mode == CAL_EDIT ? c->field[c->focus] : c->input;
}

static void type_char(struct cal *c, const char *text)
{
	char *line = line_of(c);
	size_t n = strlen(text), len = strlen(line);
	if ((unsigned char)text[0] < 0x20 || len + n > CAL_INPUT_MAX)
		return;
	memcpy(line + len, text, n + 1);
	c->input_len = strlen(c->input);
}

static void backspace(struct cal *c)
{
	/* drop the last character: the longest prefix one byte shorter */
	char *line = line_of(c);
	size_t len = strlen(line);
	if (len > 0)
		len = xp_utf8_fit(line, len, len - 1);
	line[len] = '\0';
	c->input_len = strlen(c->input);
}

static void key_dialog(struct cal *c, const struct xa_event *ev)
{
	bool back = ev->keysym == K_ISO_LEFT_TAB || (ev->state & XP_MOD_SHIFT);
	if (ev->keysym == K_RETURN || ev->keysym == K_KP_ENTER)
		commit(c);
	else if (ev->keysym == K_ESCAPE)
		c->mode = CAL_BROWSE;
	else if (ev->keysym == K_BACKSPACE)
		backspace(c);
	else if (c->mode == CAL_EDIT && (ev->keysym == K_TAB || ev->keysym == K_ISO_LEFT_TAB))
		c->focus = (c->focus + (back ? CAL_NFIELDS - 1 : 1)) % CAL_NFIELDS;
	else if (ev->text[0])
		type_char(c, ev->text);
}

static void key_conflicts(struct cal *c, const struct xa_event *ev)
{
	int n = (int)c->nconf;
	if (ev->keysym == K_ESCAPE || ev->keysym == 'c' || ev->keysym == 'q')
		c->mode = CAL_BROWSE;
	else if ((ev->keysym == K_DOWN || ev->keysym == K_TAB) && n)
		c->conf_sel = (c->conf_sel + 1) % n;
	else if (ev->keysym == K_UP && n)
		c->conf_sel = (c->conf_sel + n - 1) % n;
	else if (ev->keysym == 'k' || ev->keysym == 't')
		cal_conflict_resolve(c, ev->keysym == 't');
}

static void key_confirm(struct cal *c, const struct xa_event *ev)
{
	const struct ag_occurrence *o = cal_selected(c);
	if ((ev->keysym == 'y' || ev->keysym == 'Y') && o) {
		char title[64];
		snprintf(title, sizeof(title), "%s", o->ev.title ? o->ev.title : "");
		if (ag_event_delete(c->rep, o->ev.uid) == 0) {
			snprintf(c->status, sizeof(c->status), "deleted \"%s\"", title);
			cal_changed(c);
			c->sel = c->sel > 0 ? c->sel - 1 : 0;
			move_sel(c, 0);
		}
	}
	c->mode = CAL_BROWSE;
}

static void start_dialog(struct cal *c, enum cal_mode mode)
{
	const struct ag_occurrence *o = cal_selected(c);
	if (mode != CAL_ADD && !o)
		return;
	if (mode == CAL_EDIT) {
		cal_edit_open(c, o);
		return;
	}
	c->mode = mode;
	c->input[0] = '\0';
	c->input_len = 0;
}

static void switch_view(struct cal *c, enum cal_view v)
{
	c->view = v;
	xa_grid_invalidate(&c->grid);
	cal_reload(c);
}

/* Arrows and pages: true when KEYSYM was one. */
static bool key_move(struct cal *c, uint32_t keysym)
{
	bool month = c->view == CAL_MONTH;
	switch (keysym) {
	case K_LEFT:
	case K_RIGHT:
		go_to(c, cal_add_days(c->day, keysym == K_LEFT ? -1 : 1));
		return true;
	case K_UP:
	case K_DOWN:
		go_to(c, cal_add_days(c->day, keysym == K_UP ? -7 : 7));
		return true;
	case K_PGUP:
		go_to(c, month ? cal_add_months(c->day, -1) : cal_add_days(c->day, -7));
		return true;
	case K_PGDN:
		go_to(c, month ? cal_add_months(c->day, 1) : cal_add_days(c->day, 7));
		return true;
	case 't':
		go_to(c, c->today);
		return true;
	default:
		return false;
	}
}

/* Browse mode; returns false to quit. */
static bool key_browse(struct cal *c, const struct xa_event *ev)
{
	bool shift = ev->state & XP_MOD_SHIFT;
	if (key_move(c, ev->keysym))
		return true;
	switch (ev->keysym) {
	case K_TAB:
	case K_ISO_LEFT_TAB:
		move_sel(c, shift || ev->keysym == K_ISO_LEFT_TAB ? -1 : 1);
		break;
	case K_DELETE:
	case 'd':
		start_dialog(c, CAL_CONFIRM_DELETE);
		break;
	case 'm':
	case 'w':
		switch_view(c, ev->keysym == 'm' ? CAL_MONTH : CAL_WEEK);
		break;
	case 'a':
		start_dialog(c, CAL_ADD);
		break;
	case 'e':
		start_dialog(c, CAL_EDIT);
		break;
	case 's':
		cal_sync(c);
		break;
	case 'c':
		cal_conflicts_reload(c);
		c->mode = CAL_CONFLICTS;
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
	else if (c->mode == CAL_CONFLICTS)
		key_conflicts(c, ev);
	else
		return key_browse(c, ev);
	return true;
}
