/*
 * recur.c - the occurrences of an event in a range (RFC 5545 section
 * 3.8.5): the RRULE expanded by libical in the event's own zone (a weekly
 * 09:00 stays 09:00 across DST, UNTIL in UTC compared as an instant), plus
 * the RDATEs, minus the EXDATEs, with RECURRENCE-ID overrides replacing
 * the instances they name. Floating times and dates are placed in the
 * viewer's zone.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_INSTANCES 100000 /* per event and listing */

struct instance {
	struct icaltimetype t; /* wall time in the master's zone */
	int64_t start, end;
};

/* A parsed override: the instance it replaces and what it says. */
struct override {
	struct ag_dt rid;
	struct ag_kvs kvs;
};

struct expansion {
	const struct ag_kvs *kvs;
	const struct ag_view *v;
	const struct ag_event *ev;
	int64_t from, to;
	struct ag_dt *ex; /* EXDATEs */
	size_t nex, exs_cap;
	struct override *ov;
	size_t nov, ov_cap;
	struct ag_occ_list *out;
};

static int64_t inst_unix(const struct ag_dt *m, struct icaltimetype t)
{
	if (m->kind == AG_T_UTC || m->kind == AG_T_ZONE)
		return ag_tz_to_unix(t, m->zone);
	return ag_tz_to_unix(t, NULL);
}

static int64_t inst_end(const struct ag_dt *m, struct icaltimetype t, int64_t start, int64_t dur)
{
	if (m->kind != AG_T_DATE)
		return start + dur;
	icaltime_adjust(&t, (int)(dur / 86400), 0, 0, 0);
	return ag_tz_to_unix(t, NULL);
}

/* The instance at wall time T of the master is the one D names. */
static bool same_instance(const struct ag_dt *m, struct icaltimetype t, int64_t start,
                          const struct ag_dt *d)
{
	if (d->kind == AG_T_DATE || m->kind == AG_T_DATE)
		return t.year == d->t.year && t.month == d->t.month && t.day == d->t.day;
	if (m->kind == AG_T_FLOATING || d->kind == AG_T_FLOATING)
		return t.year == d->t.year && t.month == d->t.month && t.day == d->t.day &&
		       t.hour == d->t.hour && t.minute == d->t.minute && t.second == d->t.second;
	return start == ag_dt_unix(d);
}

static bool overlaps(int64_t s, int64_t e, int64_t from, int64_t to)
{
	return s < to && (e > from || (e == s && s >= from));
}

static int push(struct expansion *x, const struct ag_event *ev, int64_t start, int64_t end)
{
	struct ag_occ_list *o = x->out;
	if (ag_grow(&o->v, &o->cap, o->n + 1, sizeof(*o->v)) || ag_event_copy(&o->v[o->n].ev, ev))
		return -1;
	o->v[o->n].start = start;
	o->v[o->n].end = end;
	o->n++;
	return 0;
}

static int instance(struct expansion *x, struct icaltimetype t, int64_t dur)
{
	const struct ag_dt *m = &x->v->start;
	int64_t s = inst_unix(m, t), e = inst_end(m, t, s, dur);
	if (!overlaps(s, e, x->from, x->to))
		return 0;
	for (size_t i = 0; i < x->nex; i++)
		if (same_instance(m, t, s, &x->ex[i]))
			return 0;
	for (size_t i = 0; i < x->nov; i++)
		if (same_instance(m, t, s, &x->ov[i].rid))
			return 0;
	return push(x, x->ev, s, e);
}

/* ---- the pieces of the event ----------------------------------------------------- */

static int collect_exdates(struct expansion *x)
{
	for (size_t i = 0; i < x->kvs->n; i++) {
		const struct ag_kv *kv = &x->kvs->v[i];
		struct ag_line l;
		if (strncmp(kv->key, "EXDATE#", 7) || !*kv->value || ag_line_parse(kv->value, &l))
			continue;
		if (ag_grow(&x->ex, &x->exs_cap, x->nex + 1, sizeof(*x->ex)))
			return -1;
		if (!ag_dt_parse(&l, x->kvs, &x->ex[x->nex]))
			x->nex++;
	}
	return 0;
}

/* Parses the properties of override text (lines joined by \n; its alarms
 * skipped) into registers keyed by property name. */
static int parse_override(const char *text, struct ag_kvs *out)
{
	int depth = 0, rc = 0;
	for (const char *p = text; *p && !rc;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, n);
		struct ag_line l;
		if (!line)
			return -1;
		if (!strncasecmp(line, "BEGIN:", 6))
			depth++;
		else if (!strncasecmp(line, "END:", 4))
			depth--;
		else if (depth == 0 && !ag_line_parse(line, &l) && !ag_kvs_find(out, l.name))
			rc = ag_kvs_put(out, l.name, line, 0);
		free(line);
		p += n + (e ? 1 : 0);
	}
	return rc;
}

static int collect_overrides(struct expansion *x)
{
	for (size_t i = 0; i < x->kvs->n; i++) {
		const struct ag_kv *kv = &x->kvs->v[i];
		if (kv->key[0] != '@' || !*kv->value)
			continue;
		if (ag_grow(&x->ov, &x->ov_cap, x->nov + 1, sizeof(*x->ov)))
			return -1;
		struct override *o = &x->ov[x->nov];
		memset(o, 0, sizeof(*o));
		struct ag_line l;
		const char *rid;
		/* the TZ# registers of the master resolve the override's TZIDs */
		for (size_t k = 0; k < x->kvs->n; k++)
			if (!strncmp(x->kvs->v[k].key, "TZ#", 3))
				ag_kvs_put(&o->kvs, x->kvs->v[k].key, x->kvs->v[k].value, 0);
		if (parse_override(kv->value, &o->kvs) ||
		    !(rid = ag_kvs_value(&o->kvs, "RECURRENCE-ID")) || ag_line_parse(rid, &l) ||
		    ag_dt_parse(&l, x->kvs, &o->rid)) {
			ag_kvs_finish(&o->kvs);
			continue;
		}
		x->nov++;
	}
	return 0;
}

static int emit_override(struct expansion *x, struct override *o)
{
	struct ag_view v;
	struct ag_event ev;
	const char *status = ag_kvs_value(&o->kvs, "STATUS");
	if (status && strstr(status, ":CANCELLED"))
		return 0; /* a cancelled occurrence is not listed */
	if (ag_view_build(&o->kvs, &v) || !v.has_start) {
		v.start = o->rid;
		v.has_start = true;
	}
	if (!ag_kvs_value(&o->kvs, "DTEND") && !ag_kvs_value(&o->kvs, "DURATION"))
		v.dur = x->v->dur;
	int64_t s = ag_dt_unix(&v.start), e = inst_end(&v.start, v.start.t, s, v.dur);
	if (!overlaps(s, e, x->from, x->to))
		return 0;
	if (ag_event_copy(&ev, x->ev))
		return -1;
	ev.override = true;
	/* RFC 5545 3.8.4.4: the override is the whole occurrence; what it does
	 * not say (a LOCATION it dropped) is not the master's (as libical and
	 * python-icalendar read it) */
	const char *keys[] = {"SUMMARY", "LOCATION", "DESCRIPTION"};
	char **fields[] = {&ev.title, &ev.location, &ev.notes};
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		struct ag_line l;
		const char *val = ag_kvs_value(&o->kvs, keys[i]);
		char *t = val && !ag_line_parse(val, &l) ? ag_text_unescape(l.value) : strdup("");
		free(*fields[i]);
		*fields[i] = t;
		rc = t ? rc : -1;
	}
	if (!rc)
		rc = push(x, &ev, s, e);
	ag_event_finish(&ev);
	return rc;
}

/* ---- the rule -------------------------------------------------------------------- */

/* Starts IT (rule RULE) near the range rather than at DTSTART, so that the
 * instance cap counts instances of the range, not of the years before it
 * (a MINUTELY rule reaches 100,000 instances in 70 days). libical cannot
 * do it for a rule with COUNT, whose instances must be counted from the
 * start. A day's margin covers DST shifts; earlier instances that do not
 * overlap the range are skipped as before. */
static void skip_to_range(const struct expansion *x, struct icalrecurrencetype *rule,
                          icalrecur_iterator *it)
{
	const struct ag_dt *m = &x->v->start;
	int64_t at = x->from - x->v->dur - 86400;
	if (rule->count || at <= inst_unix(m, m->t))
		return;
	icaltimezone *z = m->kind == AG_T_UTC || m->kind == AG_T_ZONE ? m->zone : NULL;
	struct icaltimetype t = ag_tz_from_unix(at, z);
	t.zone = m->t.zone;
	t.is_date = m->t.is_date;
	if (t.is_date)
		t.hour = t.minute = t.second = 0;
	icalrecur_iterator_set_start(it, t); /* on failure, from DTSTART as before */
	icalerror_clear_errno();
}

static int expand_rule(struct expansion *x)
{
	const struct ag_view *v = x->v;
	struct icalrecurrencetype rule = icalrecurrencetype_from_string(v->rrule);
	icalerror_clear_errno();
	if (rule.freq == ICAL_NO_RECURRENCE)
		return instance(x, v->start.t, v->dur); /* a rule libical refuses */
	struct icaltimetype dt = v->start.t;
	icalrecur_iterator *it = icalrecur_iterator_new(rule, dt);
	icalerror_clear_errno();
	if (!it)
		return instance(x, v->start.t, v->dur);
	skip_to_range(x, &rule, it);
	int rc = 0;
	for (int i = 0; i < MAX_INSTANCES && !rc; i++) {
		struct icaltimetype next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		next.zone = v->start.t.zone;
		if (inst_unix(&v->start, next) >= x->to)
			break;
		rc = instance(x, next, v->dur);
	}
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	return rc;
}

static int expand_rdates(struct expansion *x)
{
	for (size_t i = 0; i < x->kvs->n; i++) {
		const struct ag_kv *kv = &x->kvs->v[i];
		struct ag_line l;
		struct ag_dt d;
		if (strncmp(kv->key, "RDATE#", 6) || !*kv->value || ag_line_parse(kv->value, &l) ||
		    ag_dt_parse(&l, x->kvs, &d))
			continue;
		int64_t dur = x->v->dur;
		const char *slash = strchr(l.value, '/');
		if (slash) { /* a PERIOD: start/end or start/duration */
			struct icalperiodtype p = icalperiodtype_from_string(l.value);
			icalerror_clear_errno();
			if (!icaltime_is_null_time(p.end))
				dur = (int64_t)(icaltime_as_timet(p.end) -
				                icaltime_as_timet(p.start));
			else if (!icaldurationtype_is_null_duration(p.duration))
				dur = icaldurationtype_as_int(p.duration);
		}
		/* the instance in the master's zone */
		struct icaltimetype t = d.t;
		if (d.kind != x->v->start.kind && x->v->start.kind != AG_T_DATE &&
		    d.kind != AG_T_DATE && x->v->start.kind != AG_T_FLOATING)
			t = ag_tz_from_unix(ag_dt_unix(&d), x->v->start.zone);
		if (instance(x, t, dur))
			return -1;
	}
	return 0;
}

int ag_expand(const struct ag_kvs *kvs, const struct ag_view *v, const struct ag_event *ev,
              int64_t from, int64_t to, struct ag_occ_list *out)
{
	struct expansion x = {.kvs = kvs, .v = v, .ev = ev, .from = from, .to = to, .out = out};
	int rc = collect_exdates(&x) || collect_overrides(&x) ? -1 : 0;
	if (!rc && v->has_start)
		rc = v->rrule ? expand_rule(&x) : instance(&x, v->start.t, v->dur);
	if (!rc && v->has_start)
		rc = expand_rdates(&x);
	for (size_t i = 0; !rc && i < x.nov; i++)
		rc = emit_override(&x, &x.ov[i]);
	for (size_t i = 0; i < x.nov; i++)
		ag_kvs_finish(&x.ov[i].kvs);
	free(x.ov);
	free(x.ex);
	return rc;
}
