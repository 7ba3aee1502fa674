/*
 * view.c - draw the calendar as character cells: a header, the month grid
 * or the week columns, and a panel with the selected day's events (or the
 * current dialog). Only the difference reaches the wire (xa_grid).
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "xrender.h"

#define BG             0x1e2430u
#define FG             0xd8dee9u
#define DIM            0x6b7689u
#define HEAD_BG        0x2e3440u
#define ACCENT         0x88c0d0u
#define TODAY          0xebcb8bu
#define SEL_DAY        0x3b4a5eu
#define SEL_EVENT      0x5e81acu
#define EVENT          0xa3be8cu
#define DETAIL_ROWS    9
#define MAX_DAY_EVENTS 64

static void blank(struct cal *c, int r, int col, int w, uint32_t bg)
{
	for (int i = 0; i < w && r >= 0 && r < c->rows && col + i < c->cols; i++)
		if (col + i >= 0)
			c->cells[r * c->cols + col + i] = (struct xa_cell){.fg = FG, .bg = bg};
}

/* Put UTF-8 @s at (r, col), at most @w cells. Returns cells used. */
static int put(struct cal *c, int r, int col, const char *s, int w, uint32_t fg, uint32_t bg,
               bool bold)
{
	int n = 0;
	if (r < 0 || r >= c->rows)
		return 0;
	for (size_t i = 0; s[i] && n < w && col + n < c->cols;) {
		uint32_t cp;
		size_t k = xp_utf8_next(s + i, strlen(s + i), &cp);
		c->cells[r * c->cols + col + n] =
		    (struct xa_cell){.ch = cp == ' ' ? 0 : cp, .fg = fg, .bg = bg, .bold = bold};
		i += k;
		n++;
	}
	return n;
}

static void fmt_day(int64_t day, const char *f, char *out, size_t cap)
{
	time_t tt = (time_t)day;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, cap, f, &tm);
}

static void event_line(const struct ag_occurrence *o, char *out, size_t cap)
{
	char hm[8] = "all-day";
	if (!o->ev.allday)
		fmt_day(o->start, "%H:%M", hm, sizeof(hm));
	/* "!": the event has a conflict to look at (c) */
	snprintf(out, cap, "%s%s %s", o->ev.conflicts ? "!" : "", hm,
	         o->ev.title ? o->ev.title : "");
}

static void draw_header(struct cal *c)
{
	char title[64], line[256];
	blank(c, 0, 0, c->cols, HEAD_BG);
	fmt_day(c->day, c->view == CAL_MONTH ? "%B %Y" : "week %V, %B %Y", title, sizeof(title));
	snprintf(line, sizeof(line), " %s", title);
	put(c, 0, 0, line, c->cols, ACCENT, HEAD_BG, true);
	static const char help[] =
	    "\xe2\x86\x90\xe2\x86\x91\xe2\x86\x92\xe2\x86\x93 day/week  "
	    "PgUp/PgDn  m/w view  t today  a add  e edit  d delete  c conflicts  s sync  q quit ";
	int len = (int)xr_text_width(help, strlen(help), 0) / 6;
	put(c, 0, c->cols - len, help, len, DIM, HEAD_BG, false);
	blank(c, 1, 0, c->cols, BG);
	int n = put(c, 1, 1, c->status, c->cols - 2, DIM, BG, false);
	if (c->nconf) {
		snprintf(line, sizeof(line), "  %zu conflict%s: c shows them", c->nconf,
		         c->nconf > 1 ? "s" : "");
		put(c, 1, 1 + n, line, c->cols - 2 - n, TODAY, BG, true);
	}
}

/* One day box of the month grid at (r, col), @h rows by @w cells. */
static void draw_day_box(struct cal *c, int64_t day, int r, int col, int h, int w, bool in_month)
{
	bool sel = day == c->day;
	uint32_t bg = sel ? SEL_DAY : BG;
	char num[8], line[160];
	int idx[MAX_DAY_EVENTS];
	for (int i = 0; i < h; i++)
		blank(c, r + i, col, w, bg);
	fmt_day(day, "%e", num, sizeof(num));
	put(c, r, col + 1, num, 2,
	    day == c->today ? TODAY
	    : in_month      ? FG
	                    : DIM,
	    bg, day == c->today);
	int n = cal_day_events(c, day, idx, MAX_DAY_EVENTS);
	for (int i = 0; i < n && i < h - 1; i++) {
		event_line(&c->occ[idx[i]], line, sizeof(line));
		bool hi = sel && i == c->sel;
		put(c, r + 1 + i, col + 1, line, w - 2, hi ? 0xffffffu : EVENT, hi ? SEL_EVENT : bg,
		    false);
	}
	if (n > h - 1 && h > 1)
		put(c, r + h - 1, col + w - 3, "\xe2\x80\xa6", 1, DIM, bg, false);
}

static void draw_weekdays(struct cal *c, int r, int cw, int64_t start)
{
	char name[32];
	blank(c, r, 0, c->cols, BG);
	for (int d = 0; d < 7; d++) {
		int64_t day = cal_add_days(start, d);
		fmt_day(day, c->view == CAL_MONTH ? "%A" : "%a %e %b", name, sizeof(name));
		put(c, r, d * cw + 1, name, cw - 2, day == c->today ? TODAY : ACCENT, BG, true);
	}
}

static void draw_grid(struct cal *c)
{
	int top = 3, cw = c->cols / 7, avail = c->rows - top - DETAIL_ROWS;
	int64_t start = cal_view_start(c);
	time_t tt = (time_t)c->day;
	struct tm sel;
	localtime_r(&tt, &sel);
	draw_weekdays(c, 2, cw, start);
	int weeks = c->view == CAL_MONTH ? 6 : 1, wh = avail / weeks;
	for (int w = 0; w < weeks; w++) {
		for (int d = 0; d < 7; d++) {
			int64_t day = cal_add_days(start, w * 7 + d);
			struct tm tm;
			time_t t2 = (time_t)day;
			localtime_r(&t2, &tm);
			bool in_month = c->view == CAL_WEEK || tm.tm_mon == sel.tm_mon;
			draw_day_box(c, day, top + w * wh, d * cw, wh, cw, in_month);
		}
	}
	for (int r = top + weeks * wh; r < c->rows - DETAIL_ROWS; r++)
		blank(c, r, 0, c->cols, BG);
}

static void draw_prompt(struct cal *c, int r)
{
	char line[CAL_INPUT_MAX + 64];
	snprintf(line, sizeof(line), "New event (HH:MM title): %s", c->input);
	int n = put(c, r, 2, line, c->cols - 4, 0xffffffu, BG, false);
	put(c, r, 2 + n, "\xe2\x96\x88", 1, FG, BG, false); /* the text cursor */
	put(c, r + 1, 2, "Enter saves, Escape cancels", c->cols - 4, DIM, BG, false);
}

/* The edit form: one row per field, the focused one with the cursor. */
static void draw_form(struct cal *c, int r)
{
	char line[CAL_INPUT_MAX + 64];
	for (int f = 0; f < CAL_NFIELDS && r + f < c->rows - 1; f++) {
		bool on = f == c->focus;
		snprintf(line, sizeof(line), "%-8s %s", cal_field_names[f], c->field[f]);
		int n = put(c, r + f, 2, line, c->cols - 4, on ? 0xffffffu : FG,
		            on ? SEL_EVENT : BG, on);
		if (on)
			put(c, r + f, 2 + n, "\xe2\x96\x88", 1, FG, BG, false);
	}
	put(c, c->rows - 1, 2,
	    "Tab next field  Enter saves  Escape cancels  (Time: HH:MM or all day; Repeat: none, "
	    "daily, weekly, monthly, yearly or an RRULE)",
	    c->cols - 4, DIM, BG, false);
}

static void draw_conflicts(struct cal *c, int top)
{
	char line[300];
	if (!c->nconf)
		put(c, top, 2, "no conflicts (Escape)", c->cols - 4, DIM, BG, false);
	for (size_t i = 0; i < c->nconf && top + (int)i < c->rows - 1; i++) {
		const struct ag_conflict *k = &c->conf[i];
		bool hi = (int)i == c->conf_sel;
		if (!strcmp(k->key, ":deleted"))
			snprintf(line, sizeof(line), "%s: deleted by %s, kept (edited elsewhere)",
			         k->title, k->loser);
		else
			snprintf(line, sizeof(line), "%s: %s - %s's \"%s\" lost", k->title, k->what,
			         k->loser, k->value);
		put(c, top + (int)i, 2, line, c->cols - 4, hi ? 0xffffffu : FG, hi ? SEL_EVENT : BG,
		    hi);
	}
	put(c, c->rows - 1, 2, "Up/Down select  k keep the current value  t take the other  Escape",
	    c->cols - 4, DIM, BG, false);
}

static void draw_detail(struct cal *c)
{
	int top = c->rows - DETAIL_ROWS, idx[MAX_DAY_EVENTS];
	char title[64], line[200];
	for (int r = top; r < c->rows; r++)
		blank(c, r, 0, c->cols, BG);
	for (int i = 0; i < c->cols; i++)
		c->cells[top * c->cols + i] = (struct xa_cell){.ch = 0x2500, .fg = DIM, .bg = BG};
	fmt_day(c->day, "%A %e %B %Y", title, sizeof(title));
	put(c, top + 1, 1, title, c->cols - 2, ACCENT, BG, true);
	int n = cal_day_events(c, c->day, idx, MAX_DAY_EVENTS);
	if (c->mode == CAL_ADD) {
		draw_prompt(c, top + 2);
		return;
	}
	if (c->mode == CAL_EDIT) {
		draw_form(c, top + 2);
		return;
	}
	if (c->mode == CAL_CONFLICTS) {
		draw_conflicts(c, top + 2);
		return;
	}
	if (c->mode == CAL_CONFIRM_DELETE && c->sel >= 0 && c->sel < n) {
		snprintf(line, sizeof(line), "Delete \"%s\"? y/n", c->occ[idx[c->sel]].ev.title);
		put(c, top + 2, 2, line, c->cols - 4, TODAY, BG, true);
		return;
	}
	if (n == 0)
		put(c, top + 2, 2, "no events (a adds one)", c->cols - 4, DIM, BG, false);
	for (int i = 0; i < n && i < DETAIL_ROWS - 2; i++) {
		const struct ag_occurrence *o = &c->occ[idx[i]];
		event_line(o, line, sizeof(line));
		if (o->ev.location && *o->ev.location)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "  @ %s",
			         o->ev.location);
		bool hi = i == c->sel;
		put(c, top + 2 + i, 2, line, c->cols - 4, hi ? 0xffffffu : FG, hi ? SEL_EVENT : BG,
		    hi);
	}
}

void cal_draw(struct cal *c)
{
	draw_header(c);
	draw_grid(c);
	draw_detail(c);
	xa_grid_paint(&c->grid, c->cells);
}
