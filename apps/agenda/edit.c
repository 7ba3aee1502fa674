/*
 * edit.c - what an edit means in iCalendar: struct ag_edit (what a person
 * asked for: a title, a start in some zone, a duration, exceptions to
 * add...) turned into the register values to write. Times keep their kind:
 * an event in Europe/Berlin is edited in Europe/Berlin, a floating one stays
 * floating, an all-day one stays a date, unless the edit says otherwise. A
 * TZID time is written without Z (RFC 5545 3.3.5).
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

/* Where an event's times live. */
struct zone {
	enum ag_tkind kind;
	char tzid[128]; /* as written in TZID= (ZONE) */
	icaltimezone *z;
};

static int text_prop(struct ag_kvs *out, const char *name, const char *text)
{
	if (!text)
		return 0;
	if (!*text)
		return ag_kvs_put(out, name, "", 0);
	char *esc = ag_text_escape(text);
	struct ag_buf b = {0};
	ag_buf_puts(&b, name);
	ag_buf_u8(&b, ':');
	ag_buf_puts(&b, esc ? esc : "");
	free(esc);
	char *line = ag_buf_steal(&b);
	return line && esc ? ag_kvs_put_own(out, strdup(name), line, 0) : (free(line), -1);
}

static char *dt_text(const char *prop, const struct zone *z, struct icaltimetype t)
{
	char buf[256];
	if (z->kind == AG_T_DATE)
		snprintf(buf, sizeof(buf), "%s;VALUE=DATE:%04d%02d%02d", prop, t.year, t.month,
		         t.day);
	else
		snprintf(buf, sizeof(buf), "%s%s%s:%04d%02d%02dT%02d%02d%02d%s", prop,
		         z->kind == AG_T_ZONE ? ";TZID=" : "", z->kind == AG_T_ZONE ? z->tzid : "",
		         t.year, t.month, t.day, t.hour, t.minute, t.second,
		         z->kind == AG_T_UTC ? "Z" : "");
	return strdup(buf);
}

/* The zone named by an edit ("UTC", "floating", an IANA name). */
static int zone_named(struct ag_replica *r, const char *tz, struct zone *z)
{
	memset(z, 0, sizeof(*z));
	if (!strcmp(tz, "UTC")) {
		z->kind = AG_T_UTC;
		z->z = icaltimezone_get_utc_timezone();
	} else if (!strcmp(tz, "floating")) {
		z->kind = AG_T_FLOATING;
	} else {
		char iana[64];
		z->z = ag_tz_lookup(tz, NULL, iana, sizeof(iana));
		if (!z->z)
			return ag_fail(r,
			               "unknown time zone '%s' (want an IANA name such as "
			               "Europe/Paris, UTC or floating)",
			               tz);
		z->kind = z->z == icaltimezone_get_utc_timezone() ? AG_T_UTC : AG_T_ZONE;
		snprintf(z->tzid, sizeof(z->tzid), "%s", iana[0] ? iana : tz);
	}
	return 0;
}

/* The zone of the event's DTSTART as it is written. */
static void zone_of_event(const struct ag_kvs *cur, const struct ag_view *v, struct zone *z)
{
	struct ag_line l;
	memset(z, 0, sizeof(*z));
	z->kind = v->start.kind == AG_T_DATE ? AG_T_FLOATING : v->start.kind;
	z->z = v->start.zone;
	const char *ds = ag_kvs_value(cur, "DTSTART");
	if (ds && !ag_line_parse(ds, &l))
		ag_line_param(&l, "TZID", z->tzid, sizeof(z->tzid));
	if (v->start.unknown_tz)
		z->kind = AG_T_FLOATING;
}

/* Wall time of W in zone Z (a time typed with Z, or "now", converted). */
static struct icaltimetype wall_of(const struct ag_when *w, const struct zone *z)
{
	struct icaltimetype t = icaltime_null_time();
	if (w->now || (w->utc && z->kind != AG_T_UTC)) {
		int64_t u;
		ag_when_to_unix(w, "UTC", &u);
		return ag_tz_from_unix(u, z->kind == AG_T_FLOATING ? NULL : z->z);
	}
	t.year = w->y;
	t.month = w->mo;
	t.day = w->d;
	t.hour = w->h;
	t.minute = w->mi;
	t.second = w->s;
	return t;
}

static int64_t unix_of(struct icaltimetype t, const struct zone *z, bool allday)
{
	if (allday || z->kind == AG_T_FLOATING)
		return (int64_t)icaltime_as_timet(t); /* wall times compared as UTC */
	return ag_tz_to_unix(t, z->z);
}

struct times {
	struct zone z;
	bool allday, known; /* KNOWN: the event had a start */
	struct icaltimetype start;
	int64_t dur;
};

/* The event's current times (a new event: the user's zone, one hour). */
static int current_times(struct ag_replica *r, const struct ag_kvs *cur, struct times *t)
{
	struct ag_view v;
	char user[64];
	if (cur && ag_view_build(cur, &v) == 0 && v.has_start) {
		t->known = true;
		t->allday = v.start.kind == AG_T_DATE;
		t->start = v.start.t;
		t->dur = v.dur;
		if (!t->allday) {
			zone_of_event(cur, &v, &t->z);
			return 0;
		}
	}
	if (!t->known) {
		t->start = icaltime_null_time();
		t->dur = 3600;
	}
	/* a date has no zone; if it becomes a time, the user's zone */
	return zone_named(r, ag_user_zone(user, sizeof(user)), &t->z);
}

static int apply_times(struct ag_replica *r, const struct ag_edit *e, struct times *t)
{
	bool was_allday = t->allday;
	if (e->tz && zone_named(r, e->tz, &t->z))
		return -1;
	if (e->allday >= 0)
		t->allday = e->allday;
	if (t->allday != was_allday && !e->end && !e->set_duration && !e->duration)
		t->dur = t->allday ? 86400 : 3600;
	if (!e->start && !t->known)
		return ag_fail(
		    r, "this event has no start here (if it was deleted before this replica "
		       "saw it, its details arrive with the next sync): give one");
	if (e->start) {
		struct icaltimetype old = t->start;
		t->start = wall_of(e->start, &t->z);
		if (!e->start->has_time && !t->known && e->allday < 0)
			t->allday = true; /* a new event on a date: all day */
		else if (!e->start->has_time && !t->allday) {
			t->start.hour = old.hour; /* a new date, the same time of day */
			t->start.minute = old.minute;
			t->start.second = old.second;
		}
	}
	t->start.is_date = t->allday;
	if (e->set_duration || e->duration > 0)
		t->dur = e->duration;
	if (e->end) {
		struct icaltimetype end = wall_of(e->end, &t->z);
		if (t->allday && !e->end->has_time)
			icaltime_adjust(&end, 1, 0, 0, 0); /* an all-day end date is inclusive */
		end.is_date = 0;
		struct icaltimetype s = t->start;
		s.is_date = 0;
		t->dur = unix_of(end, &t->z, t->allday) - unix_of(s, &t->z, t->allday);
	}
	if (t->dur < 0)
		return ag_fail(r, "the event would end before it starts");
	if (t->allday && t->dur % 86400)
		t->dur = (t->dur / 86400 + 1) * 86400;
	return 0;
}

static int put_times(struct ag_kvs *out, const struct times *t, bool had_duration)
{
	struct zone z = t->z;
	if (t->allday)
		z.kind = AG_T_DATE;
	struct icaltimetype end = t->start;
	end.is_date = 0;
	if (t->allday || z.kind == AG_T_FLOATING || z.kind == AG_T_UTC) {
		icaltime_adjust(&end, 0, 0, 0, (int)t->dur);
	} else {
		end.zone = z.z;
		end = ag_tz_from_unix(ag_tz_to_unix(end, z.z) + t->dur, z.z);
	}
	char *ds = dt_text("DTSTART", &z, t->start), *de = dt_text("DTEND", &z, end);
	int rc = ag_kvs_put_own(out, strdup("DTSTART"), ds, 0) ||
	         ag_kvs_put_own(out, strdup("DTEND"), de, 0);
	if (!rc && had_duration)
		rc = ag_kvs_put(out, "DURATION", "", 0);
	return rc;
}

/* ---- members: exceptions and categories ---------------------------------------------- */

static int exdate_line(struct ag_replica *r, const char *typed, const struct times *t, char **line)
{
	struct ag_when w;
	char err[200];
	if (ag_parse_when(typed, &w, err, sizeof(err)))
		return ag_fail(r, "exception %s", err);
	struct icaltimetype at = wall_of(&w, &t->z);
	if (!w.has_time && !t->allday) { /* the occurrence on that day */
		at.hour = t->start.hour;
		at.minute = t->start.minute;
		at.second = t->start.second;
	}
	struct zone z = t->z;
	if (t->allday)
		z.kind = AG_T_DATE;
	*line = dt_text("EXDATE", &z, at);
	return *line ? 0 : ag_fail(r, "out of memory");
}

static int put_member(struct ag_replica *r, struct ag_kvs *out, const char *name, char *line,
                      bool add)
{
	struct ag_line l;
	if (!line || ag_line_parse(line, &l)) {
		free(line);
		return ag_fail(r, "bad %s", name);
	}
	char *key = ag_props_member_key(name, &l, line);
	if (!add) {
		free(line);
		line = strdup("");
	}
	return ag_kvs_put_own(out, key, line, 0) ? ag_fail(r, "out of memory") : 0;
}

static int members(struct ag_replica *r, const struct ag_edit *e, const struct times *t,
                   struct ag_kvs *out)
{
	for (size_t i = 0; i < e->n_exdate_add + e->n_exdate_del; i++) {
		bool add = i < e->n_exdate_add;
		char *line;
		if (exdate_line(r, add ? e->exdate_add[i] : e->exdate_del[i - e->n_exdate_add], t,
		                &line) ||
		    put_member(r, out, "EXDATE", line, add))
			return -1;
	}
	for (size_t i = 0; i < e->n_cat_add + e->n_cat_del; i++) {
		bool add = i < e->n_cat_add;
		const char *cat = add ? e->cat_add[i] : e->cat_del[i - e->n_cat_add];
		char *esc = ag_text_escape(cat);
		struct ag_buf b = {0};
		ag_buf_puts(&b, "CATEGORIES:");
		ag_buf_puts(&b, esc ? esc : "");
		free(esc);
		if (!*cat)
			return ag_fail(r, "empty category");
		if (put_member(r, out, "CATEGORIES", ag_buf_steal(&b), add))
			return -1;
	}
	return 0;
}

static int check_rrule(struct ag_replica *r, const char *rrule, struct ag_kvs *out)
{
	if (!rrule)
		return 0;
	if (!*rrule)
		return ag_kvs_put(out, "RRULE", "", 0);
	struct icalrecurrencetype rr = icalrecurrencetype_from_string(rrule);
	icalerror_clear_errno();
	if (rr.freq == ICAL_NO_RECURRENCE || strchr(rrule, '\n') || strchr(rrule, ':'))
		return ag_fail(r, "bad recurrence rule '%s' (want e.g. FREQ=WEEKLY;BYDAY=MO)",
		               rrule);
	struct ag_buf b = {0};
	ag_buf_puts(&b, "RRULE:");
	ag_buf_puts(&b, rrule);
	char *line = ag_buf_steal(&b);
	return line ? ag_kvs_put_own(out, strdup("RRULE"), line, 0) : -1;
}

int ag_edit_kvs(struct ag_replica *r, const struct ag_kvs *cur, const struct ag_edit *e,
                struct ag_kvs *out)
{
	struct times t = {0};
	const char *const *texts[] = {&e->title, &e->location, &e->notes};
	const char *names[] = {"SUMMARY", "LOCATION", "DESCRIPTION"};
	for (int i = 0; i < 3; i++) {
		if (*texts[i] && strlen(*texts[i]) > AG_MAX_VALUE / 2)
			return ag_fail(r, "%s too long", names[i]);
		if (text_prop(out, names[i], *texts[i]))
			return ag_fail(r, "out of memory");
	}
	if (check_rrule(r, e->rrule, out) || current_times(r, cur, &t))
		return -1;
	bool timed = !cur || e->start || e->end || e->tz || e->allday >= 0 || e->set_duration ||
	             e->duration > 0;
	if (timed && (apply_times(r, e, &t) ||
	              put_times(out, &t, cur && ag_kvs_value(cur, "DURATION") != NULL)))
		return -1;
	return members(r, e, &t, out);
}
