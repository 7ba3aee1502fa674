/*
 * dialog.c - the calendar's dialogs and what they change: the add line
 * ("HH:MM title": a bad time is refused, never taken as a title), the edit
 * form (title, date, time, length, repeat: every field checked by the
 * agenda's one date/time parser), and the conflicts panel (keep or take the
 * other value). A refused input keeps the dialog open with the reason in
 * the status line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

const char *const cal_field_names[CAL_NFIELDS] = {"Title", "Date", "Time", "Minutes", "Repeat"};

static void fmt_local(int64_t t, const char *f, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, cap, f, &tm);
}

/* "HH:MM" (one or two digits for the hour) at the start of S, followed by
 * a space or the end: the length of that prefix, else 0. */
static size_t time_prefix(const char *s)
{
	size_t i = 0;
	while (i < 2 && isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || s[i] != ':' || !isdigit((unsigned char)s[i + 1]) ||
	    !isdigit((unsigned char)s[i + 2]))
		return 0;
	i += 3;
	return s[i] == ' ' || s[i] == '\0' ? i : 0;
}

/* The local time DAY (a midnight) at HH:MM as a UTC ag_when. */
static int local_when(struct cal *c, const char *date, const char *hm, struct ag_when *out)
{
	char text[64], err[200];
	struct ag_when w;
	int64_t t;
	snprintf(text, sizeof(text), "%s %s", date, hm);
	if (ag_parse_when(text, &w, err, sizeof(err))) {
		snprintf(c->status, sizeof(c->status), "refused: %.140s", err);
		return -1;
	}
	ag_when_to_unix(&w, "floating", &t); /* the viewer's zone */
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	*out = (struct ag_when){.y = tm.tm_year + 1900,
	                        .mo = tm.tm_mon + 1,
	                        .d = tm.tm_mday,
	                        .h = tm.tm_hour,
	                        .mi = tm.tm_min,
	                        .s = tm.tm_sec,
	                        .has_time = true,
	                        .utc = true};
	return 0;
}

bool cal_add_commit(struct cal *c)
{
	char date[16], hm[8] = "09:00";
	struct ag_when start;
	const char *title = c->input;
	size_t n = time_prefix(c->input);
	if (n) {
		snprintf(hm, sizeof(hm), "%.*s", (int)n, c->input);
		title += n;
	} else if (isdigit((unsigned char)c->input[0]) &&
	           memchr(c->input, ':', strcspn(c->input, " "))) {
		snprintf(c->status, sizeof(c->status), "refused: '%.*s' is not a time (want HH:MM)",
		         (int)strcspn(c->input, " "), c->input);
		return false;
	}
	while (*title == ' ')
		title++;
	if (!*title) {
		snprintf(c->status, sizeof(c->status), "refused: the event needs a title");
		return false;
	}
	fmt_local(c->day, "%Y-%m-%d", date, sizeof(date));
	if (local_when(c, date, hm, &start))
		return false;
	struct ag_edit e = {.title = title, .start = &start, .duration = 3600, .allday = -1};
	char *uid = NULL;
	if (ag_event_add(c->rep, &e, &uid) < 0) {
		snprintf(c->status, sizeof(c->status), "add refused: %.120s",
		         ag_replica_error(c->rep));
		return false;
	}
	snprintf(c->status, sizeof(c->status), "added \"%.60s\"", title);
	cal_changed(c);
	free(c->edit_uid);
	c->edit_uid = uid;
	return true;
}

/* ---- the edit form ---------------------------------------------------------------- */

static const char *repeat_word(const char *rrule)
{
	static const char *const words[][2] = {{"FREQ=DAILY", "daily"},
	                                       {"FREQ=WEEKLY", "weekly"},
	                                       {"FREQ=MONTHLY", "monthly"},
	                                       {"FREQ=YEARLY", "yearly"}};
	if (!*rrule)
		return "none";
	for (int i = 0; i < 4; i++)
		if (!strcmp(rrule, words[i][0]))
			return words[i][1];
	return rrule;
}

void cal_edit_open(struct cal *c, const struct ag_occurrence *o)
{
	struct ag_event ev;
	if (ag_event_get(c->rep, o->ev.uid, false, &ev) < 0)
		return;
	free(c->edit_uid);
	c->edit_uid = strdup(ev.uid);
	snprintf(c->field[CAL_F_TITLE], CAL_INPUT_MAX + 1, "%s", ev.title);
	fmt_local(ev.start, "%Y-%m-%d", c->field[CAL_F_DATE], CAL_INPUT_MAX + 1);
	if (ev.allday)
		snprintf(c->field[CAL_F_TIME], CAL_INPUT_MAX + 1, "all day");
	else
		fmt_local(ev.start, "%H:%M", c->field[CAL_F_TIME], CAL_INPUT_MAX + 1);
	snprintf(c->field[CAL_F_MINUTES], CAL_INPUT_MAX + 1, "%lld",
	         (long long)((ev.end - ev.start) / 60));
	snprintf(c->field[CAL_F_REPEAT], CAL_INPUT_MAX + 1, "%s", repeat_word(ev.rrule));
	memcpy(c->orig, c->field, sizeof(c->orig));
	c->focus = CAL_F_TITLE;
	c->mode = CAL_EDIT;
	ag_event_finish(&ev);
}

static bool changed(const struct cal *c, enum cal_field f)
{
	return strcmp(c->field[f], c->orig[f]) != 0;
}

static const char *repeat_rule(const char *word, char *buf, size_t len)
{
	static const char *const words[][2] = {
	    {"daily", "DAILY"}, {"weekly", "WEEKLY"}, {"monthly", "MONTHLY"}, {"yearly", "YEARLY"}};
	if (!*word || !strcmp(word, "none"))
		return "";
	for (int i = 0; i < 4; i++)
		if (!strcmp(word, words[i][0])) {
			snprintf(buf, len, "FREQ=%s", words[i][1]);
			return buf;
		}
	return word;
}

/* The times of the form as an edit; -1 (status set) when refused. */
static int form_times(struct cal *c, struct ag_edit *e, struct ag_when *start)
{
	char err[200];
	bool allday = !strcmp(c->field[CAL_F_TIME], "all day") || !c->field[CAL_F_TIME][0];
	if (changed(c, CAL_F_MINUTES) || changed(c, CAL_F_TIME)) {
		if (ag_parse_minutes(c->field[CAL_F_MINUTES], &e->duration, err, sizeof(err))) {
			snprintf(c->status, sizeof(c->status), "refused: %.140s", err);
			return -1;
		}
		e->duration *= 60;
		e->set_duration = true;
	}
	if (!changed(c, CAL_F_DATE) && !changed(c, CAL_F_TIME))
		return 0;
	if (allday) {
		if (ag_parse_when(c->field[CAL_F_DATE], start, err, sizeof(err)) ||
		    start->has_time) {
			snprintf(c->status, sizeof(c->status), "refused: %.140s",
			         start->has_time ? "the date is a date, YYYY-MM-DD" : err);
			return -1;
		}
		e->allday = 1;
	} else if (local_when(c, c->field[CAL_F_DATE], c->field[CAL_F_TIME], start)) {
		return -1;
	} else {
		e->allday = 0;
	}
	e->start = start;
	return 0;
}

bool cal_edit_commit(struct cal *c)
{
	struct ag_edit e = {.allday = -1};
	struct ag_when start;
	char rule[32];
	if (!c->edit_uid)
		return true;
	if (!c->field[CAL_F_TITLE][0]) {
		snprintf(c->status, sizeof(c->status), "refused: the event needs a title");
		return false;
	}
	if (changed(c, CAL_F_TITLE))
		e.title = c->field[CAL_F_TITLE];
	if (changed(c, CAL_F_REPEAT))
		e.rrule = repeat_rule(c->field[CAL_F_REPEAT], rule, sizeof(rule));
	if (form_times(c, &e, &start))
		return false;
	if (!e.title && !e.rrule && !e.start && !e.set_duration)
		return true; /* nothing changed */
	if (ag_event_edit(c->rep, c->edit_uid, &e) < 0) {
		snprintf(c->status, sizeof(c->status), "edit refused: %.120s",
		         ag_replica_error(c->rep));
		return false;
	}
	snprintf(c->status, sizeof(c->status), "saved \"%.60s\"", c->field[CAL_F_TITLE]);
	cal_changed(c);
	return true;
}

/* ---- conflicts ---------------------------------------------------------------------- */

void cal_conflicts_reload(struct cal *c)
{
	ag_conflicts_free(c->conf, c->nconf);
	c->conf = NULL;
	c->nconf = 0;
	if (ag_conflicts(c->rep, &c->conf, &c->nconf) < 0)
		return;
	if (c->conf_sel >= (int)c->nconf)
		c->conf_sel = c->nconf ? (int)c->nconf - 1 : 0;
}

void cal_conflict_resolve(struct cal *c, bool take)
{
	if (c->conf_sel < 0 || c->conf_sel >= (int)c->nconf)
		return;
	const struct ag_conflict *k = &c->conf[c->conf_sel];
	if (ag_conflict_resolve(c->rep, k->id, take) < 0) {
		snprintf(c->status, sizeof(c->status), "refused: %.120s", ag_replica_error(c->rep));
		return;
	}
	snprintf(c->status, sizeof(c->status), "conflict %lld resolved (%s)", (long long)k->id,
	         take ? "took the other value" : "kept");
	cal_changed(c);
	cal_conflicts_reload(c);
}
