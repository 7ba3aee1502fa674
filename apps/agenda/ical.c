/*
 * ical.c - everything iCalendar, through libical: recurrence expansion
 * (RRULE + EXDATE, evaluated in the event's own time zone so a weekly 09:00
 * stays 09:00 across DST), and .ics import/export.
 */
#include "agenda_int.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INSTANCES 100000

static icaltimezone *zone_of(const struct ag_event *ev)
{
	icaltimezone *z = NULL;
	if (ev->tz && *ev->tz && !ev->allday)
		z = icaltimezone_get_builtin_timezone(ev->tz);
	return z ? z : icaltimezone_get_utc_timezone();
}

static int push_occ(const struct ag_event *ev, int64_t start, int64_t dur,
                    struct ag_occurrence **out, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct ag_occurrence *p = realloc(*out, ncap * sizeof(*p));
		if (!p)
			return -1;
		*out = p;
		*cap = ncap;
	}
	struct ag_occurrence *o = &(*out)[*n];
	if (ag_event_copy(&o->ev, ev))
		return -1;
	o->start = start;
	o->end = start + dur;
	(*n)++;
	return 0;
}

static bool overlaps(int64_t s, int64_t e, int64_t from, int64_t to)
{
	return s < to && (e > from || (e == s && s >= from));
}

static bool excluded(const char *exdate, int64_t t)
{
	char buf[64];
	for (const char *p = exdate; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len < sizeof(buf)) {
			memcpy(buf, p, len);
			buf[len] = 0;
			struct icaltimetype x = icaltime_from_string(buf);
			if (!icaltime_is_null_time(x) &&
			    icaltime_as_timet_with_zone(x, icaltimezone_get_utc_timezone()) == t)
				return true;
		}
		p += len + (p[len] == ',');
	}
	return false;
}

int ag_expand(const struct ag_event *ev, int64_t from, int64_t to, struct ag_occurrence **out,
              size_t *n, size_t *cap)
{
	int64_t dur = ev->end > ev->start ? ev->end - ev->start : 0;
	struct icalrecurrencetype rule;
	if (ev->rrule && *ev->rrule)
		rule = icalrecurrencetype_from_string(ev->rrule);
	if (!ev->rrule || !*ev->rrule || rule.freq == ICAL_NO_RECURRENCE) {
		icalerror_clear_errno();
		if (!overlaps(ev->start, ev->start + dur, from, to))
			return 0;
		return push_occ(ev, ev->start, dur, out, n, cap);
	}
	icaltimezone *z = zone_of(ev);
	struct icaltimetype dt =
	    icaltime_from_timet_with_zone((time_t)ev->start, (int)ev->allday, z);
	icalrecur_iterator *it = icalrecur_iterator_new(rule, dt);
	if (!it)
		return 0; /* a rule libical refuses: show nothing rather than fail */
	int rc = 0;
	for (int i = 0; i < MAX_INSTANCES && !rc; i++) {
		struct icaltimetype next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		int64_t t = icaltime_as_timet_with_zone(next, z);
		if (t >= to)
			break;
		if (overlaps(t, t + dur, from, to) && !excluded(ev->exdate, t))
			rc = push_occ(ev, t, dur, out, n, cap);
	}
	icalrecur_iterator_free(it);
	return rc;
}

const char *ag_ical_check(const struct ag_event *ev)
{
	if (ev->tz && *ev->tz && !icaltimezone_get_builtin_timezone(ev->tz))
		return "unknown time zone (want an IANA name like Europe/Paris)";
	if (ev->rrule && *ev->rrule) {
		struct icalrecurrencetype r = icalrecurrencetype_from_string(ev->rrule);
		icalerror_clear_errno();
		if (r.freq == ICAL_NO_RECURRENCE)
			return "bad recurrence rule (want e.g. FREQ=WEEKLY;COUNT=4)";
	}
	return NULL;
}

/* ---- export ----------------------------------------------------------------- */

static struct icaltimetype to_ical(const struct ag_event *ev, int64_t t, icaltimezone *z)
{
	return icaltime_from_timet_with_zone((time_t)t, (int)ev->allday, z);
}

static void add_time(icalcomponent *c, const struct ag_event *ev, bool end, icaltimezone *z)
{
	struct icaltimetype t = to_ical(ev, end ? ev->end : ev->start, z);
	icalproperty *p = end ? icalproperty_new_dtend(t) : icalproperty_new_dtstart(t);
	if (!ev->allday && z != icaltimezone_get_utc_timezone())
		icalproperty_add_parameter(p, icalparameter_new_tzid(ev->tz));
	icalcomponent_add_property(c, p);
}

static void add_exdates(icalcomponent *c, const char *exdate)
{
	char buf[64];
	for (const char *p = exdate; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len < sizeof(buf)) {
			memcpy(buf, p, len);
			buf[len] = 0;
			struct icaltimetype x = icaltime_from_string(buf);
			if (!icaltime_is_null_time(x))
				icalcomponent_add_property(c, icalproperty_new_exdate(x));
		}
		p += len + (p[len] == ',');
	}
}

static icalcomponent *event_to_vevent(const struct ag_event *ev)
{
	icalcomponent *c = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icaltimezone *z = zone_of(ev);
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	icalcomponent_add_property(c, icalproperty_new_uid(ev->uid));
	icalcomponent_add_property(c, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
	                                  (time_t)(ev->mtime / 1000), 0, utc)));
	icalcomponent_add_property(c, icalproperty_new_summary(ev->title ? ev->title : ""));
	add_time(c, ev, false, z);
	if (ev->end > ev->start)
		add_time(c, ev, true, z);
	if (ev->location && *ev->location)
		icalcomponent_add_property(c, icalproperty_new_location(ev->location));
	if (ev->notes && *ev->notes)
		icalcomponent_add_property(c, icalproperty_new_description(ev->notes));
	if (ev->rrule && *ev->rrule) {
		struct icalrecurrencetype r = icalrecurrencetype_from_string(ev->rrule);
		if (r.freq != ICAL_NO_RECURRENCE)
			icalcomponent_add_property(c, icalproperty_new_rrule(r));
		icalerror_clear_errno();
	}
	add_exdates(c, ev->exdate);
	return c;
}

static void add_zone(icalcomponent *cal, const struct ag_event *ev)
{
	icaltimezone *z = zone_of(ev);
	if (z == icaltimezone_get_utc_timezone())
		return;
	for (icalcomponent *t = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT); t;
	     t = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
		icalproperty *id = icalcomponent_get_first_property(t, ICAL_TZID_PROPERTY);
		if (id && !strcmp(icalproperty_get_tzid(id), ev->tz))
			return;
	}
	icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(z));
	icalproperty *id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (id)
		icalproperty_set_tzid(id, ev->tz);
	icalcomponent_add_component(cal, vtz);
}

int ag_export_ics(struct ag_replica *r, FILE *out)
{
	struct ag_event *evs;
	size_t n;
	if (ag_events_all(r, &evs, &n))
		return -1;
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//xproto//agenda//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	for (size_t i = 0; i < n; i++) {
		add_zone(cal, &evs[i]);
		icalcomponent_add_component(cal, event_to_vevent(&evs[i]));
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	int rc = text && fputs(text, out) >= 0 ? 0 : -1;
	free(text);
	icalcomponent_free(cal);
	ag_events_free(evs, n);
	return rc ? ag_fail(r, "cannot write the calendar") : 0;
}

/* ---- import ----------------------------------------------------------------- */

/* Reads DTSTART/DTEND-like property P as Unix time; sets *TZ and *ALLDAY. */
static int64_t prop_time(icalcomponent *cal, icalproperty *p, char **tz, int64_t *allday)
{
	struct icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
	icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	icaltimezone *z = icaltimezone_get_utc_timezone();
	if (tzp && !t.is_date) {
		const char *id = icalparameter_get_tzid(tzp);
		icaltimezone *found = icaltimezone_get_builtin_timezone(id);
		if (!found)
			found = icalcomponent_get_timezone(cal, id);
		if (found)
			z = found;
		const char *loc = found ? icaltimezone_get_location(found) : NULL;
		/* keep only zones every replica can resolve by name */
		if (tz && !*tz && loc && icaltimezone_get_builtin_timezone(loc))
			*tz = strdup(loc);
	}
	if (allday)
		*allday = t.is_date;
	t.zone = NULL;
	return icaltime_as_timet_with_zone(t, t.is_date ? icaltimezone_get_utc_timezone() : z);
}

static char *exdates_of(icalcomponent *cal, icalcomponent *c)
{
	struct ag_buf b = {0};
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		int64_t t = prop_time(cal, p, NULL, NULL);
		struct icaltimetype u =
		    icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
		if (b.len)
			ag_buf_u8(&b, ',');
		const char *s = icaltime_as_ical_string(u);
		ag_buf_bytes(&b, s, strlen(s));
	}
	ag_buf_u8(&b, 0);
	char *s = b.oom ? NULL : strdup((char *)b.data);
	ag_buf_finish(&b);
	return s;
}

static char *text_prop(icalcomponent *c, icalproperty_kind k)
{
	icalproperty *p = icalcomponent_get_first_property(c, k);
	const char *v = p ? icalproperty_get_value_as_string(p) : NULL;
	if (p && (k == ICAL_SUMMARY_PROPERTY || k == ICAL_LOCATION_PROPERTY ||
	          k == ICAL_DESCRIPTION_PROPERTY))
		v = icalvalue_get_text(icalproperty_get_value(p));
	return strdup(v ? v : "");
}

static int vevent_to_event(icalcomponent *cal, icalcomponent *c, struct ag_event *ev)
{
	icalproperty *ds = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	icalproperty *de = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty *uid = icalcomponent_get_first_property(c, ICAL_UID_PROPERTY);
	if (uid && icalproperty_get_uid(uid))
		snprintf(ev->uid, sizeof(ev->uid), "%s", icalproperty_get_uid(uid));
	if (!ds)
		return -1;
	ev->start = prop_time(cal, ds, &ev->tz, &ev->allday);
	if (de)
		ev->end = prop_time(cal, de, NULL, NULL);
	else if (icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY))
		ev->end = ev->start + icaldurationtype_as_int(icalcomponent_get_duration(c));
	else
		ev->end = ev->start + (ev->allday ? 86400 : 0);
	ev->title = text_prop(c, ICAL_SUMMARY_PROPERTY);
	ev->location = text_prop(c, ICAL_LOCATION_PROPERTY);
	ev->notes = text_prop(c, ICAL_DESCRIPTION_PROPERTY);
	ev->rrule = text_prop(c, ICAL_RRULE_PROPERTY);
	ev->exdate = exdates_of(cal, c);
	if (!ev->tz)
		ev->tz = strdup("");
	return ev->title && ev->exdate && ev->tz ? 0 : -1;
}

static int import_one(struct ag_replica *r, struct ag_event *ev)
{
	struct ag_event cur;
	if (ev->uid[0] && ag_event_get(r, ev->uid, &cur) == 0) {
		bool exact = !strcmp(cur.uid, ev->uid);
		ag_event_finish(&cur);
		if (exact)
			return ag_event_edit(r, ev->uid, ev, AG_MASK_ALL);
	}
	return ag_event_add(r, ev);
}

int ag_import_ics(struct ag_replica *r, const char *path, int *count)
{
	FILE *f = fopen(path, "rb");
	struct ag_buf b = {0};
	char tmp[65536];
	size_t got;
	*count = 0;
	if (!f)
		return ag_fail(r, "cannot open %s", path);
	while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0)
		ag_buf_bytes(&b, tmp, got);
	fclose(f);
	ag_buf_u8(&b, 0);
	icalcomponent *cal = b.oom ? NULL : icalparser_parse_string((char *)b.data);
	ag_buf_finish(&b);
	if (!cal)
		return ag_fail(r, "%s: not an iCalendar file", path);
	char first[2 * sizeof(r->err)] = "";
	/* one bad event does not stop the others; the first error is kept */
	for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
	     c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct ag_event ev = {0};
		/* overrides of one occurrence share the master's UID: not
		 * supported yet, and they must not overwrite the master */
		if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
			continue;
		if (vevent_to_event(cal, c, &ev) == 0 && import_one(r, &ev) == 0)
			(*count)++;
		else if (!first[0])
			snprintf(first, sizeof(first), "event '%s' skipped: %s", ev.uid,
			         ev.title ? r->err : "no DTSTART");
		ag_event_finish(&ev);
	}
	int rc = first[0] ? ag_fail(r, "%.64s: %s", path, first) : 0;
	icalcomponent_free(cal);
	return rc;
}
