/*
 * cli_fmt.c - the agenda command line's input and output helpers: parsing
 * dates the way people type them, printing events as text or JSON.
 */
#include "agenda_int.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Converts broken-down local time to Unix time in zone TZ (NULL: local). */
static int64_t from_fields(struct tm *tm, const char *tz)
{
	icaltimezone *z = tz && *tz ? icaltimezone_get_builtin_timezone(tz) : NULL;
	if (!z) {
		tm->tm_isdst = -1;
		return (int64_t)mktime(tm);
	}
	struct icaltimetype t = icaltime_null_time();
	t.year = tm->tm_year + 1900;
	t.month = tm->tm_mon + 1;
	t.day = tm->tm_mday;
	t.hour = tm->tm_hour;
	t.minute = tm->tm_min;
	t.second = tm->tm_sec;
	return icaltime_as_timet_with_zone(t, z);
}

int cli_parse_time(const char *s, const char *tz, bool allday, int64_t *out)
{
	struct tm tm = {0};
	time_t now = time(NULL);
	int y, mo, d, h = 0, mi = 0, n = 0;
	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	localtime_r(&now, &tm);
	if (!strcmp(s, "today") || !strcmp(s, "tomorrow")) {
		y = tm.tm_year + 1900;
		mo = tm.tm_mon + 1;
		d = tm.tm_mday + (s[1] == 'o' && s[2] == 'm');
	} else if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3 ||
	           (s[n] && sscanf(s + n + 1, "%d:%d", &h, &mi) != 2)) {
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	if (allday) {
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	tm.tm_hour = h;
	tm.tm_min = mi;
	*out = from_fields(&tm, tz);
	return 0;
}

int64_t cli_day_start(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int64_t cli_add_days(int64_t t, int days)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void fmt_time(char *buf, size_t len, int64_t t, bool allday, bool date)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (allday)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	strftime(buf, len, date ? "%a %Y-%m-%d" : "%H:%M", &tm);
}

void cli_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_event(FILE *out, const struct ag_event *ev, int64_t start, int64_t end)
{
	fputs("{\"uid\":", out);
	cli_json_str(out, ev->uid);
	fputs(",\"title\":", out);
	cli_json_str(out, ev->title);
	fprintf(out, ",\"start\":%lld,\"end\":%lld,\"allday\":%s", (long long)start, (long long)end,
	        ev->allday ? "true" : "false");
	const char *keys[] = {"tz", "location", "notes", "rrule", "exdate"};
	const char *vals[] = {ev->tz, ev->location, ev->notes, ev->rrule, ev->exdate};
	for (int i = 0; i < 5; i++) {
		fprintf(out, ",\"%s\":", keys[i]);
		cli_json_str(out, vals[i]);
	}
	fprintf(out, ",\"version\":%lld}", (long long)ev->version);
}

void cli_print_event(FILE *out, const struct ag_event *ev, int64_t start, int64_t end, bool json)
{
	char day[32], t0[16], t1[16];
	if (json) {
		json_event(out, ev, start, end);
		return;
	}
	fmt_time(day, sizeof(day), start, ev->allday, true);
	fmt_time(t0, sizeof(t0), start, false, false);
	fmt_time(t1, sizeof(t1), end, false, false);
	if (ev->allday)
		fprintf(out, "%s  all day      ", day);
	else
		fprintf(out, "%s  %s-%s  ", day, t0, t1);
	fprintf(out, "%s", ev->title && *ev->title ? ev->title : "(untitled)");
	if (ev->location && *ev->location)
		fprintf(out, "  @ %s", ev->location);
	if (ev->rrule && *ev->rrule)
		fputs("  (repeats)", out);
	fprintf(out, "  [%.8s]\n", ev->uid);
}

void cli_print_details(FILE *out, const struct ag_event *ev, bool json)
{
	if (json) {
		json_event(out, ev, ev->start, ev->end);
		fputc('\n', out);
		return;
	}
	cli_print_event(out, ev, ev->start, ev->end, false);
	fprintf(out, "  uid:      %s\n", ev->uid);
	const char *labels[] = {"tz", "location", "notes", "rrule", "exdate"};
	const char *vals[] = {ev->tz, ev->location, ev->notes, ev->rrule, ev->exdate};
	for (int i = 0; i < 5; i++)
		if (vals[i] && *vals[i])
			fprintf(out, "  %-9s %s\n", labels[i], vals[i]);
	fprintf(out, "  version:  %lld\n", (long long)ev->version);
}
