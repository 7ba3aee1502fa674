/*
 * model.c - dates, the visible range and the replica behind the calendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

int64_t cal_midnight(int64_t t)
{
	return cal_add_days(t, 0);
}

/* Midnight @n days after @day's date (local time, DST-safe). */
int64_t cal_add_days(int64_t day, int n)
{
	time_t tt = (time_t)day;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_mday += n;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int64_t cal_add_months(int64_t day, int n)
{
	time_t tt = (time_t)day;
	struct tm tm;
	localtime_r(&tt, &tm);
	int mday = tm.tm_mday;
	tm.tm_mday = 1;
	tm.tm_mon += n;
	tm.tm_isdst = -1;
	time_t first = mktime(&tm);
	localtime_r(&first, &tm);
	/* clamp the 31st to the last day of a shorter month */
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = tm.tm_year + 1900, max = len[tm.tm_mon];
	if (tm.tm_mon == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	tm.tm_mday = mday < max ? mday : max;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int weekday_mon0(int64_t day)
{
	time_t tt = (time_t)day;
	struct tm tm;
	localtime_r(&tt, &tm);
	return (tm.tm_wday + 6) % 7;
}

int64_t cal_view_start(const struct cal *c)
{
	if (c->view == CAL_WEEK)
		return cal_add_days(c->day, -weekday_mon0(c->day));
	time_t tt = (time_t)c->day;
	struct tm tm;
	localtime_r(&tt, &tm);
	int64_t first = cal_add_days(c->day, 1 - tm.tm_mday);
	return cal_add_days(first, -weekday_mon0(first));
}

int cal_reload(struct cal *c)
{
	int64_t from = cal_view_start(c), to = cal_add_days(from, c->view == CAL_WEEK ? 7 : 42);
	struct ag_occurrence *occ = NULL;
	size_t n = 0;
	if (ag_occurrences(c->rep, from, to, &occ, &n) < 0) {
		snprintf(c->status, sizeof(c->status), "cannot read the agenda: %s",
		         ag_replica_error(c->rep));
		return -1;
	}
	ag_occurrences_free(c->occ, c->nocc);
	c->occ = occ;
	c->nocc = n;
	cal_conflicts_reload(c); /* the count shows in the status line */
	c->range_from = from;
	c->range_to = to;
	return 0;
}

int cal_day_events(const struct cal *c, int64_t day, int *idx, int max)
{
	int64_t next = cal_add_days(day, 1);
	int n = 0;
	for (size_t i = 0; i < c->nocc && n < max; i++) {
		const struct ag_occurrence *o = &c->occ[i];
		if (o->start < next && (o->end > day || (o->end == o->start && o->start >= day)))
			idx[n++] = (int)i;
	}
	return n;
}
