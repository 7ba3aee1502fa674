/*
 * cli_fmt.c - the agenda command line's output: events, their details and
 * conflicts as text (times in the viewer's zone) or as JSON.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* T in the viewer's zone: all-day dates too are local midnights. */
static void fmt_time(char *buf, size_t len, int64_t t, bool date)
{
	struct tm tm;
	time_t tt = (time_t)t;
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
	fprintf(out, ",\"start\":%lld,\"end\":%lld,\"allday\":%s,\"floating\":%s", (long long)start,
	        (long long)end, ev->allday ? "true" : "false", ev->floating ? "true" : "false");
	const char *keys[] = {"tz", "location", "notes", "rrule", "exdate", "rdate", "categories"};
	const char *vals[] = {ev->tz,     ev->location, ev->notes,     ev->rrule,
	                      ev->exdate, ev->rdate,    ev->categories};
	for (int i = 0; i < 7; i++) {
		fprintf(out, ",\"%s\":", keys[i]);
		cli_json_str(out, vals[i]);
	}
	fprintf(out,
	        ",\"overrides\":%d,\"override\":%s,\"conflicts\":%d,\"deleted\":%s,"
	        "\"version\":%lld}",
	        ev->overrides, ev->override ? "true" : "false", ev->conflicts,
	        ev->deleted ? "true" : "false", (long long)ev->version);
}

void cli_print_event(FILE *out, const struct ag_event *ev, int64_t start, int64_t end, bool json)
{
	char day[32], t0[16], t1[16];
	if (json) {
		json_event(out, ev, start, end);
		return;
	}
	fmt_time(day, sizeof(day), start, true);
	fmt_time(t0, sizeof(t0), start, false);
	fmt_time(t1, sizeof(t1), end, false);
	if (ev->allday)
		fprintf(out, "%s  all day      ", day);
	else
		fprintf(out, "%s  %s-%s  ", day, t0, t1);
	fprintf(out, "%s", ev->title && *ev->title ? ev->title : "(untitled)");
	if (ev->location && *ev->location)
		fprintf(out, "  @ %s", ev->location);
	/* an override is one occurrence, changed: not one that repeats */
	if (ev->override)
		fputs("  (changed occurrence)", out);
	else if ((ev->rrule && *ev->rrule) || (ev->rdate && *ev->rdate))
		fputs("  (repeats)", out);
	if (ev->conflicts)
		fprintf(out, "  (%d conflict%s)", ev->conflicts, ev->conflicts > 1 ? "s" : "");
	fprintf(out, "  [%.8s]\n", ev->uid);
}

void cli_print_details(FILE *out, const struct ag_event *ev, const char *ics, bool json)
{
	if (json) {
		json_event(out, ev, ev->start, ev->end);
		fputs("\n", out);
		return;
	}
	if (ev->deleted)
		fputs("(deleted; `agenda undelete` brings it back)\n", out);
	cli_print_event(out, ev, ev->start, ev->end, false);
	fprintf(out, "  uid:        %s\n", ev->uid);
	const char *labels[] = {"zone",   "location", "notes",     "rrule",
	                        "exdate", "rdate",    "categories"};
	const char *vals[] = {ev->floating ? "floating (the viewer's)" : ev->tz,
	                      ev->location,
	                      ev->notes,
	                      ev->rrule,
	                      ev->exdate,
	                      ev->rdate,
	                      ev->categories};
	for (int i = 0; i < 7; i++)
		if (vals[i] && *vals[i])
			fprintf(out, "  %-11s %s\n", labels[i], vals[i]);
	fprintf(out, "  version:    %lld\n", (long long)ev->version);
	if (ics)
		fprintf(out, "%s", ics);
}

void cli_print_conflict(FILE *out, const struct ag_conflict *c, bool json)
{
	if (json) {
		fprintf(out, "{\"id\":%lld,\"uid\":", (long long)c->id);
		cli_json_str(out, c->uid);
		const char *k[] = {"key", "what", "value", "loser", "title"};
		const char *v[] = {c->key, c->what, c->value, c->loser, c->title};
		for (int i = 0; i < 5; i++) {
			fprintf(out, ",\"%s\":", k[i]);
			cli_json_str(out, v[i]);
		}
		fprintf(out, ",\"loser_mtime\":%lld}", (long long)c->loser_mtime);
		return;
	}
	fprintf(out, "%lld  %.8s  \"%s\"  ", (long long)c->id, c->uid, c->title);
	if (!strcmp(c->key, AG_DELETED) && !strcmp(c->value, "deleted"))
		fprintf(out,
		        "deleted by %s but kept: edited elsewhere at the same time "
		        "(--take deletes it)\n",
		        c->loser);
	else if (!*c->value)
		fprintf(out, "%s: %s removed it (--take removes it)\n", c->what, c->loser);
	else
		fprintf(out, "%s: %s's value \"%s\" lost (--take uses it)\n", c->what, c->loser,
		        c->value);
}
