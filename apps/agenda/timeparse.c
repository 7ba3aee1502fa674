/*
 * timeparse.c - the one parser for dates, times and durations a person
 * types (the command line, the calendar's dialogs, --exdate lists). Every
 * field is checked: 2026-02-30, 25:61 or "abc" minutes are refused with a
 * message that says which part is wrong, never silently normalised.
 */
#include "agenda_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

static int days_in_month(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : len[m - 1];
}

/* Reads exactly N digits at *P. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	*out = v;
	return true;
}

static int check_fields(const char *s, const struct ag_when *w, char *err, size_t len)
{
	if (w->y < 1 || w->y > 9999)
		return snprintf(err, len, "'%s': year %d is out of range", s, w->y), -1;
	if (w->mo < 1 || w->mo > 12)
		return snprintf(err, len, "'%s': month %d does not exist (01-12)", s, w->mo), -1;
	if (w->d < 1 || w->d > days_in_month(w->y, w->mo))
		return snprintf(err, len, "'%s': %s %d has %d days", s, month_names[w->mo - 1],
		                w->y, days_in_month(w->y, w->mo)),
		       -1;
	if (!w->has_time)
		return 0;
	if (w->h > 23)
		return snprintf(err, len, "'%s': hour %d is out of range (00-23)", s, w->h), -1;
	if (w->mi > 59)
		return snprintf(err, len, "'%s': minute %d is out of range (00-59)", s, w->mi), -1;
	if (w->s > 59)
		return snprintf(err, len, "'%s': second %d is out of range (00-59)", s, w->s), -1;
	return 0;
}

/* HH:MM[:SS] (extended) or HHMMSS (basic) at P. */
static bool read_time(const char *p, bool basic, struct ag_when *w, const char **end)
{
	if (!digits(&p, 2, &w->h))
		return false;
	if (basic) {
		if (!digits(&p, 2, &w->mi) || !digits(&p, 2, &w->s))
			return false;
	} else {
		if (*p++ != ':' || !digits(&p, 2, &w->mi))
			return false;
		if (*p == ':' && (p++, !digits(&p, 2, &w->s)))
			return false;
	}
	if (*p == 'Z' || *p == 'z') {
		w->utc = true;
		p++;
	}
	w->has_time = true;
	*end = p;
	return true;
}

static bool read_date(const char *p, struct ag_when *w, bool *basic, const char **end)
{
	*basic = strlen(p) >= 8 && isdigit((unsigned char)p[4]);
	if (!digits(&p, 4, &w->y))
		return false;
	if (!*basic && *p++ != '-')
		return false;
	if (!digits(&p, 2, &w->mo))
		return false;
	if (!*basic && *p++ != '-')
		return false;
	if (!digits(&p, 2, &w->d))
		return false;
	*end = p;
	return true;
}

static int relative_day(const char *s, struct ag_when *w)
{
	static const char *const words[] = {"yesterday", "today", "tomorrow"};
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, words[i]))
			continue;
		time_t t = time(NULL) + (i - 1) * 86400;
		struct tm tm;
		localtime_r(&t, &tm);
		*w = (struct ag_when){.y = tm.tm_year + 1900, .mo = tm.tm_mon + 1, .d = tm.tm_mday};
		return 1;
	}
	if (!strcmp(s, "now")) {
		*w = (struct ag_when){.now = true, .has_time = true};
		return 1;
	}
	return 0;
}

int ag_parse_when(const char *s, struct ag_when *out, char *err, size_t errlen)
{
	struct ag_when w = {0};
	const char *p;
	bool basic;
	if (relative_day(s, out))
		return 0;
	if (!read_date(s, &w, &basic, &p))
		goto err_form;
	if (*p == 'T' || (*p == ' ' && !basic)) {
		while (p[1] == ' ')
			p++;
		if (!read_time(p + 1, basic, &w, &p))
			goto err_form;
	}
	if (*p)
		goto err_form;
	if (check_fields(s, &w, err, errlen))
		return -1;
	*out = w;
	return 0;
err_form:
	snprintf(err, errlen,
	         "'%s' is not a date or time (want YYYY-MM-DD, YYYY-MM-DD HH:MM, today, "
	         "tomorrow or now)",
	         s);
	return -1;
}

int ag_parse_minutes(const char *s, int64_t *out, char *err, size_t errlen)
{
	int64_t v = 0;
	const int64_t max = 10LL * 366 * 24 * 60;
	if (!*s)
		goto err_num;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			goto err_num;
		v = v * 10 + (*p - '0');
		if (v > max) {
			snprintf(err, errlen, "'%s' minutes is more than ten years", s);
			return -1;
		}
	}
	*out = v;
	return 0;
err_num:
	snprintf(err, errlen, "'%s' is not a number of minutes (want a whole number, 0 or more)",
	         s);
	return -1;
}

int ag_when_to_unix(const struct ag_when *w, const char *tz, int64_t *out)
{
	if (w->now) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	struct icaltimetype t = icaltime_null_time();
	t.year = w->y;
	t.month = w->mo;
	t.day = w->d;
	t.hour = w->h;
	t.minute = w->mi;
	t.second = w->s;
	t.is_date = !w->has_time;
	if (w->utc || (tz && !strcmp(tz, "UTC"))) {
		struct tm tm = {.tm_year = w->y - 1900, .tm_mon = w->mo - 1, .tm_mday = w->d};
		tm.tm_hour = w->h;
		tm.tm_min = w->mi;
		tm.tm_sec = w->s;
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	if (!tz || !*tz || !strcmp(tz, "floating")) {
		*out = ag_tz_to_unix(t, NULL);
		return 0;
	}
	icaltimezone *z = ag_tz_lookup(tz, NULL, NULL, 0);
	if (!z)
		return -1;
	*out = ag_tz_to_unix(t, z);
	return 0;
}
