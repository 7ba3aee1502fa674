/*
 * view.c - what an event's registers mean for listing it: DTSTART with its
 * kind (UTC, a zone, floating, a date), the duration, the recurrence, the
 * UTC bounds of every occurrence it can have (so a listing only expands the
 * events that may fall in its range), and the public struct ag_event.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLOAT_MARGIN (15 * 3600) /* a floating time is within UTC±14 */

int ag_dt_parse(const struct ag_line *l, const struct ag_kvs *kvs, struct ag_dt *out)
{
	char tzid[128], value[32], key[160];
	memset(out, 0, sizeof(*out));
	size_t n = strcspn(l->value, ",/");
	if (n == 0 || n >= sizeof(value))
		return -1;
	memcpy(value, l->value, n);
	value[n] = 0;
	out->t = icaltime_from_string(value);
	icalerror_clear_errno();
	if (icaltime_is_null_time(out->t) || !icaltime_is_valid_time(out->t))
		return -1;
	out->t.zone = NULL;
	if (out->t.is_date) {
		out->kind = AG_T_DATE;
	} else if (value[n - 1] == 'Z') {
		out->kind = AG_T_UTC;
		out->zone = icaltimezone_get_utc_timezone();
	} else if (ag_line_param(l, "TZID", tzid, sizeof(tzid))) {
		snprintf(key, sizeof(key), "TZ#%s", tzid);
		char iana[64];
		out->zone =
		    ag_tz_lookup(tzid, kvs ? ag_kvs_value(kvs, key) : NULL, iana, sizeof(iana));
		out->kind = out->zone ? AG_T_ZONE : AG_T_FLOATING;
		out->unknown_tz = !out->zone;
		snprintf(out->tzid, sizeof(out->tzid), "%s", iana[0] ? iana : tzid);
	} else {
		out->kind = AG_T_FLOATING;
	}
	out->t.zone = out->zone;
	return 0;
}

int64_t ag_dt_unix(const struct ag_dt *d)
{
	if (d->kind == AG_T_UTC || d->kind == AG_T_ZONE)
		return ag_tz_to_unix(d->t, d->zone);
	return ag_tz_to_unix(d->t, NULL);
}

/* Parses register KEY of KVS as a date/time. */
static int dt_of(const struct ag_kvs *kvs, const char *value, struct ag_dt *out)
{
	struct ag_line l;
	if (!value || ag_line_parse(value, &l))
		return -1;
	return ag_dt_parse(&l, kvs, out);
}

/* Seconds between two wall times read as UTC (floating and dates). */
static int64_t wall_diff(struct icaltimetype a, struct icaltimetype b)
{
	a.zone = b.zone = NULL;
	a.is_date = b.is_date = 0;
	return (int64_t)icaltime_as_timet(b) - (int64_t)icaltime_as_timet(a);
}

static int64_t duration_of(const struct ag_kvs *kvs, const struct ag_dt *start)
{
	struct ag_dt end;
	struct ag_line l;
	const char *dur = ag_kvs_value(kvs, "DURATION");
	int64_t d = start->kind == AG_T_DATE ? 86400 : 0;
	if (!dt_of(kvs, ag_kvs_value(kvs, "DTEND"), &end)) {
		bool wall = start->kind == AG_T_DATE || start->kind == AG_T_FLOATING ||
		            end.kind == AG_T_DATE || end.kind == AG_T_FLOATING;
		d = wall ? wall_diff(start->t, end.t) : ag_dt_unix(&end) - ag_dt_unix(start);
	} else if (dur && !ag_line_parse(dur, &l)) {
		struct icaldurationtype du = icaldurationtype_from_string(l.value);
		icalerror_clear_errno();
		if (!icaldurationtype_is_bad_duration(du))
			d = icaldurationtype_as_int(du);
	}
	return d > 0 ? d : 0;
}

static void widen(struct ag_view *v, const struct ag_dt *d, int64_t dur)
{
	int64_t t = ag_dt_unix(d);
	int64_t m = d->kind == AG_T_FLOATING || d->kind == AG_T_DATE ? FLOAT_MARGIN : 0;
	if (t - m < v->lo)
		v->lo = t - m;
	if (t + dur + m + 1 > v->hi)
		v->hi = t + dur + m + 1;
}

/* The last instant an RRULE can produce, or INT64_MAX. */
static int64_t rule_end(const char *rrule, const struct ag_dt *start)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
	icalerror_clear_errno();
	if (r.freq == ICAL_NO_RECURRENCE || icaltime_is_null_time(r.until))
		return INT64_MAX;
	struct ag_dt u = *start;
	u.t = r.until;
	if (icaltime_is_utc(r.until)) {
		u.kind = AG_T_UTC;
		u.zone = icaltimezone_get_utc_timezone();
	}
	u.t.zone = u.zone;
	return ag_dt_unix(&u) + FLOAT_MARGIN;
}

static void widen_extras(const struct ag_kvs *kvs, struct ag_view *v)
{
	for (size_t i = 0; i < kvs->n; i++) {
		const struct ag_kv *kv = &kvs->v[i];
		struct ag_dt d;
		if (!*kv->value)
			continue;
		if (!strncmp(kv->key, "RDATE#", 6) && !dt_of(kvs, kv->value, &d)) {
			widen(v, &d, v->dur);
			v->recurs = true;
		} else if (kv->key[0] == '@') {
			v->recurs = true;
			/* an override may move its occurrence anywhere */
			const char *p = strstr(kv->value, "\nDTSTART");
			p = p ? p + 1 : !strncmp(kv->value, "DTSTART", 7) ? kv->value : NULL;
			char line[256];
			if (p && sscanf(p, "%255[^\n]", line) == 1 && !dt_of(kvs, line, &d))
				widen(v, &d, 7 * 86400);
		}
	}
}

int ag_view_build(const struct ag_kvs *kvs, struct ag_view *v)
{
	memset(v, 0, sizeof(*v));
	v->lo = INT64_MAX;
	v->hi = INT64_MIN;
	if (!dt_of(kvs, ag_kvs_value(kvs, "DTSTART"), &v->start)) {
		v->has_start = true;
		v->dur = duration_of(kvs, &v->start);
		widen(v, &v->start, v->dur);
		const char *rr = ag_kvs_value(kvs, "RRULE");
		struct ag_line l;
		if (rr && !ag_line_parse(rr, &l) && *l.value) {
			v->rrule = (char *)l.value;
			v->recurs = true;
			int64_t e = rule_end(v->rrule, &v->start);
			v->hi = e == INT64_MAX           ? INT64_MAX
			        : e + v->dur + 1 > v->hi ? e + v->dur + 1
			                                 : v->hi;
		}
	}
	widen_extras(kvs, v);
	return v->has_start || v->recurs ? 0 : -1;
}

/* ---- the public view ------------------------------------------------------------- */

/* Values of the members KEY#... joined with SEP (text values unescaped). */
static char *join_members(const struct ag_kvs *kvs, const char *prefix, const char *sep, bool text)
{
	struct ag_buf b = {0};
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < kvs->n; i++) {
		struct ag_line l;
		if (strncmp(kvs->v[i].key, prefix, pl) || !*kvs->v[i].value ||
		    ag_line_parse(kvs->v[i].value, &l))
			continue;
		if (b.len)
			ag_buf_puts(&b, sep);
		char *v = text ? ag_text_unescape(l.value) : strdup(l.value);
		ag_buf_puts(&b, v ? v : "");
		free(v);
	}
	return ag_buf_steal(&b);
}

static char *text_of(const struct ag_kvs *kvs, const char *key)
{
	struct ag_line l;
	const char *v = ag_kvs_value(kvs, key);
	if (!v || ag_line_parse(v, &l))
		return strdup("");
	return ag_text_unescape(l.value);
}

static void view_times(const struct ag_view *v, struct ag_event *ev)
{
	if (!v->has_start)
		return;
	ev->start = ag_dt_unix(&v->start);
	ev->end = ev->start + v->dur;
	if (v->start.kind == AG_T_DATE) {
		struct icaltimetype e = v->start.t;
		icaltime_adjust(&e, (int)(v->dur / 86400), 0, 0, 0);
		ev->end = ag_tz_to_unix(e, NULL);
	}
	ev->allday = v->start.kind == AG_T_DATE;
	ev->floating = v->start.kind == AG_T_FLOATING;
}

int ag_view_event(const struct ag_kvs *kvs, const char *uid, struct ag_event *ev)
{
	struct ag_view v;
	memset(ev, 0, sizeof(*ev));
	ag_view_build(kvs, &v);
	view_times(&v, ev);
	ev->uid = strdup(uid);
	ev->title = text_of(kvs, "SUMMARY");
	ev->location = text_of(kvs, "LOCATION");
	ev->notes = text_of(kvs, "DESCRIPTION");
	ev->tz = strdup(v.has_start && v.start.kind == AG_T_ZONE ? v.start.tzid : "");
	ev->rrule = strdup(v.rrule ? v.rrule : "");
	ev->exdate = join_members(kvs, "EXDATE#", ",", false);
	ev->rdate = join_members(kvs, "RDATE#", ",", false);
	ev->categories = join_members(kvs, "CATEGORIES#", ", ", true);
	for (size_t i = 0; i < kvs->n; i++) {
		if (kvs->v[i].key[0] == '@' && *kvs->v[i].value)
			ev->overrides++;
		if (kvs->v[i].seq > ev->version)
			ev->version = kvs->v[i].seq;
	}
	ev->deleted = ag_kvs_value(kvs, AG_DELETED) != NULL;
	if (!ev->uid || !ev->title || !ev->location || !ev->notes || !ev->tz || !ev->rrule ||
	    !ev->exdate || !ev->rdate || !ev->categories) {
		ag_event_finish(ev);
		return -1;
	}
	return 0;
}

void ag_event_finish(struct ag_event *ev)
{
	if (!ev)
		return;
	char **s[] = {&ev->uid,   &ev->title,  &ev->location, &ev->notes,     &ev->tz,
	              &ev->rrule, &ev->exdate, &ev->rdate,    &ev->categories};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
}

int ag_event_copy(struct ag_event *dst, const struct ag_event *src)
{
	*dst = *src;
	char **s[] = {&dst->uid,   &dst->title,  &dst->location, &dst->notes,     &dst->tz,
	              &dst->rrule, &dst->exdate, &dst->rdate,    &dst->categories};
	bool ok = true;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		const char *from = *s[i];
		*s[i] = from ? strdup(from) : NULL;
		ok = ok && (!from || *s[i]);
	}
	if (!ok) {
		ag_event_finish(dst);
		return -1;
	}
	return 0;
}
