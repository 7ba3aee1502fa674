/*
 * ical.c - .ics import and export. The import streams the file: a first
 * pass keeps only the VTIMEZONEs (small), a second cuts out one component
 * at a time, so memory follows the largest event, not the file. It takes
 * several VCALENDARs in one file and bare VEVENTs, keeps every property,
 * alarm and RECURRENCE-ID override (props.c), and counts what it skipped
 * (tasks, journal entries) and refused instead of dropping it silently.
 * Imported events become local changes in transactions of many events. The
 * export writes one VCALENDAR with the VTIMEZONEs every event needs.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A local transaction of the import lasts about this long: each COMMIT
 * costs an fsync and, past 1,000 WAL pages, a checkpoint (two more), so a
 * few large transactions instead of one per 1,000 events; short enough
 * that a sync or xp-calendar waiting for the replica (5 s busy timeout)
 * gets its turn. */
#define IMPORT_TXN_MS 1000

/* SQLite's page cache while importing, in KiB: the registers are keyed by
 * UID, so events land all over the file; with the default 2 MiB most
 * inserts missed the cache (a read and, once dirty pages spilled, a write
 * of the WAL each). A fixed size: memory still does not follow the file. */
#define IMPORT_CACHE_KIB 8192

struct zone_def {
	char *tzid, *text;
};

struct import {
	struct ag_replica *r;
	const char *path;
	struct ag_import_stats *st;
	struct zone_def *zones;
	size_t nz, zcap;
	bool in_txn;
	int64_t txn_start; /* monotonic ms */
	char first_err[300];
};

/* ---- pass 1: time zones ------------------------------------------------------------ */

static int keep_zone(struct import *im, const struct ag_comp *c)
{
	char *tzid = NULL;
	for (size_t i = 0; i < c->n && !tzid; i++) {
		struct ag_line l;
		if (!ag_line_parse(c->lines[i], &l) && !strcmp(l.name, "TZID"))
			tzid = strdup(l.value);
	}
	struct ag_buf b = {0};
	ag_buf_puts(&b, "BEGIN:VTIMEZONE\n");
	for (size_t i = 0; i < c->n; i++) {
		ag_buf_puts(&b, c->lines[i]);
		ag_buf_u8(&b, '\n');
	}
	ag_buf_puts(&b, "END:VTIMEZONE");
	char *text = ag_buf_steal(&b);
	if (!tzid || !text || ag_grow(&im->zones, &im->zcap, im->nz + 1, sizeof(*im->zones))) {
		free(tzid);
		free(text);
		return tzid ? -1 : 0; /* a VTIMEZONE without TZID names nothing */
	}
	im->zones[im->nz++] = (struct zone_def){tzid, text};
	return 0;
}

static const char *zone_text(const struct import *im, const char *tzid)
{
	for (size_t i = 0; i < im->nz; i++)
		if (!strcmp(im->zones[i].tzid, tzid))
			return im->zones[i].text;
	return NULL;
}

/* Calls FN for every top-level component of the file: the VTIMEZONEs when
 * ZONES, else every other one. The others are read past without keeping
 * their lines (the first pass only wants the time zones). */
static int each_component(struct import *im, FILE *f, bool zones,
                          int (*fn)(struct import *im, const struct ag_comp *c))
{
	struct ag_ics_reader rd = {.f = f};
	const char *line;
	int rc, bad = 0;
	while ((rc = ag_ics_next(&rd, &line)) == 1) {
		struct ag_comp c = {0};
		if (strncasecmp(line, "BEGIN:", 6) || !strcasecmp(line + 6, "VCALENDAR"))
			continue; /* calendar properties, or a container */
		char name[32];
		snprintf(name, sizeof(name), "%s", line + 6);
		if (!strcasecmp(name, "VTIMEZONE") != zones) {
			if (ag_comp_skip(&rd))
				break;
			continue;
		}
		int got = ag_comp_read(&rd, name, AG_MAX_EVENT + 65536, &c);
		if (got == -1) {
			ag_comp_finish(&c);
			break;
		}
		if (got == -2)
			bad++;
		else if (fn(im, &c))
			rc = -2;
		ag_comp_finish(&c);
		if (rc == -2)
			break;
	}
	if (bad && im->st) {
		im->st->bad += (unsigned)bad;
		if (!im->first_err[0])
			snprintf(im->first_err, sizeof(im->first_err),
			         "a component over %u bytes was skipped", AG_MAX_EVENT);
	}
	ag_ics_reader_finish(&rd);
	return rc == 0    ? 0
	       : rc == -2 ? -1
	                  : ag_fail(im->r, "%s: line %lu is too long", im->path, rd.lineno);
}

static int pass_zones(struct import *im, const struct ag_comp *c)
{
	return keep_zone(im, c);
}

/* The TZID of a ";TZID=" at P (quotes removed) into BUF. */
static bool tzid_at(const char *p, char *buf, size_t len)
{
	p += 6;
	bool quoted = *p == '"';
	size_t n = quoted ? strcspn(++p, "\"") : strcspn(p, ":;\n");
	if (n >= len)
		return false;
	memcpy(buf, p, n);
	buf[n] = 0;
	return true;
}

/* ---- pass 2: events ------------------------------------------------------------------- */

/* TZ# registers for the TZIDs the event's lines use that only the file's
 * VTIMEZONE defines (names are resolved on every replica by themselves). */
static int add_zones(struct import *im, struct ag_kvs *kvs, bool *unknown)
{
	size_t n = kvs->n;
	for (size_t i = 0; i < n; i++) {
		for (const char *p = kvs->v[i].value; (p = strstr(p, ";TZID=")); p += 6) {
			char tzid[128];
			if (!tzid_at(p, tzid, sizeof(tzid)))
				continue;
			const char *text = zone_text(im, tzid);
			char key[160];
			snprintf(key, sizeof(key), "TZ#%s", tzid);
			if (ag_tz_lookup(tzid, NULL, NULL, 0))
				continue; /* a name every replica resolves (IANA, Windows) */
			if (!ag_tz_lookup(tzid, text, NULL, 0))
				*unknown = true;
			else if (!ag_kvs_find(kvs, key) && ag_props_add_tz(kvs, tzid, text))
				return -1;
		}
	}
	return 0;
}

/* What the file says about the event, as registers to set: master keys
 * the file no longer has are removed. CUR gets the event's registers now
 * (the caller frees it, also on error). */
static int with_removals(struct import *im, const char *uid, bool master, struct ag_kvs *kvs,
                         struct ag_kvs *cur, bool *is_new)
{
	int found = ag_entries_load(im->r, uid, cur);
	if (found < 0)
		return -1;
	*is_new = found == 0;
	for (size_t i = 0; master && i < cur->n; i++) {
		const char *k = cur->v[i].key;
		if (k[0] != '@' && strncmp(k, "TZ#", 3) && strcmp(k, AG_DELETED) &&
		    *cur->v[i].value && !ag_kvs_find(kvs, k) && ag_kvs_put(kvs, k, "", 0))
			return -1;
	}
	/* importing an event brings it back if it was deleted here */
	if (!*is_new && ag_kvs_value(cur, AG_DELETED) && ag_kvs_put(kvs, AG_DELETED, "", 0))
		return -1;
	return 0;
}

static void refuse(struct import *im, const char *uid, const char *why)
{
	im->st->bad++;
	if (!im->first_err[0])
		snprintf(im->first_err, sizeof(im->first_err), "event '%.80s' refused: %s",
		         uid ? uid : "(no UID)", why);
}

static int batch(struct import *im)
{
	if (im->in_txn && ag_mono_ms() - im->txn_start >= IMPORT_TXN_MS) {
		im->in_txn = false;
		if (ag_txn_end(im->r, 0))
			return -1;
	}
	if (!im->in_txn) {
		if (ag_txn_begin(im->r))
			return -1;
		im->in_txn = true;
		im->txn_start = ag_mono_ms();
	}
	return 0;
}

static int import_event(struct import *im, const struct ag_comp *c)
{
	struct ag_kvs kvs = {0}, cur = {0};
	char *uid = NULL, hash[17];
	bool unknown = false, is_new, master;
	int rc = ag_props_from_vevent(c, &kvs, &uid);
	if (!rc && !uid) { /* no UID: the same file imports as the same event */
		char *text = ag_comp_text(c, 0, c->n);
		ag_hash_hex(text ? text : "", text ? strlen(text) : 0, hash);
		free(text);
		uid = malloc(32);
		if (uid)
			snprintf(uid, 32, "import-%s", hash);
	}
	master = kvs.n && kvs.v[0].key[0] != '@';
	if (rc || !uid || add_zones(im, &kvs, &unknown))
		rc = ag_fail(im->r, "out of memory");
	else if (!*uid || strlen(uid) > AG_MAX_UID)
		refuse(im, uid, "UID empty or over 1024 bytes");
	else if (master && !ag_kvs_value(&kvs, "DTSTART"))
		refuse(im, uid, "no DTSTART");
	else if (ag_kvs_size(&kvs) > AG_MAX_EVENT || kvs.n > AG_MAX_ENTRIES)
		refuse(im, uid, "too large");
	else if (!(rc = batch(im)) && !(rc = with_removals(im, uid, master, &kvs, &cur, &is_new))) {
		int changed = ag_local_change_cur(im->r, uid, &cur, &kvs);
		rc = changed < 0 ? -1 : 0;
		bool counted = master || is_new; /* an override alone makes an event */
		im->st->added += !rc && is_new;
		im->st->updated += !rc && counted && !is_new && changed;
		im->st->unchanged += !rc && counted && !is_new && !changed;
		im->st->overrides += !rc && !master;
		im->st->unknown_tz += !rc && unknown;
	}
	ag_kvs_finish(&cur);
	ag_kvs_finish(&kvs);
	free(uid);
	return rc;
}

static int pass_events(struct import *im, const struct ag_comp *c)
{
	if (!strcasecmp(c->name, "VEVENT"))
		return import_event(im, c);
	if (!strcasecmp(c->name, "VTODO"))
		im->st->tasks++;
	else if (!strcasecmp(c->name, "VJOURNAL"))
		im->st->journals++;
	else
		im->st->other++;
	return 0;
}

/* Sets R's page cache size (PRAGMA cache_size: negative in KiB, else in
 * pages) to N; returns the size it had. */
static int64_t cache_size(struct ag_replica *r, int64_t n)
{
	sqlite3_stmt *st;
	int64_t old = -2000; /* SQLite's default */
	char sql[64];
	if (!ag_db_prep(r->db, "PRAGMA cache_size", &st)) {
		if (sqlite3_step(st) == SQLITE_ROW)
			old = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size=%lld", (long long)n);
	ag_db_exec(r->db, sql);
	return old;
}

int ag_import_ics(struct ag_replica *r, const char *path, struct ag_import_stats *st)
{
	struct ag_import_stats dummy = {0};
	struct import im = {.r = r, .path = path, .st = st ? st : &dummy};
	memset(im.st, 0, sizeof(*im.st));
	if (ag_meta_int(r, "rights", AG_RIGHT_RW) == AG_RIGHT_READ)
		return ag_fail(r, "read-only membership: nothing can be imported into this agenda");
	FILE *f = fopen(path, "rb");
	if (!f)
		return ag_fail(r, "cannot open %s", path);
	int64_t cache = cache_size(r, -IMPORT_CACHE_KIB);
	int rc = each_component(&im, f, true, pass_zones);
	rewind(f);
	if (!rc)
		rc = each_component(&im, f, false, pass_events);
	if (im.in_txn && ag_txn_end(r, rc))
		rc = -1;
	cache_size(r, cache);
	fclose(f);
	for (size_t i = 0; i < im.nz; i++) {
		free(im.zones[i].tzid);
		free(im.zones[i].text);
	}
	free(im.zones);
	if (!rc && im.st->bad)
		return ag_fail(r, "%s: %u events refused; the first: %s", path, im.st->bad,
		               im.first_err);
	if (!rc && !im.st->added && !im.st->updated && !im.st->unchanged && !im.st->overrides &&
	    !im.st->tasks && !im.st->journals)
		return ag_fail(r, "%s: no iCalendar component found", path);
	return rc;
}

/* ---- export ------------------------------------------------------------------------ */

struct zones_out {
	char **ids;
	size_t n, cap;
	int64_t from; /* the earliest event: older rules are left out */
};

static bool zone_seen(struct zones_out *z, const char *tzid)
{
	for (size_t i = 0; i < z->n; i++)
		if (!strcmp(z->ids[i], tzid))
			return true;
	char *copy = strdup(tzid);
	if (copy && !ag_grow(&z->ids, &z->cap, z->n + 1, sizeof(*z->ids)))
		z->ids[z->n++] = copy;
	else
		free(copy);
	return false;
}

static void put_vtimezone(const char *tzid, const char *text, int64_t from, struct ag_buf *out)
{
	if (text) {
		char *t = strdup(text);
		for (char *line = t ? strtok(t, "\n") : NULL; line; line = strtok(NULL, "\n"))
			ag_ics_fold(out, line);
		free(t);
		return;
	}
	icaltimezone *zone = ag_tz_lookup(tzid, NULL, NULL, 0);
	icalcomponent *c = zone ? icaltimezone_get_component(zone) : NULL;
	if (!c)
		return;
	/* libical's definition from the earliest event on (older rules only
	 * confuse readers), under the name the events use, written as other
	 * programs write it (a TZID with commas is not escaped) */
	c = icalcomponent_new_clone(c);
	icaltimezone_truncate_vtimezone(c, ag_tz_from_unix(from, icaltimezone_get_utc_timezone()),
	                                icaltime_null_time(), 1);
	char *s = icalcomponent_as_ical_string_r(c);
	icalcomponent_free(c);
	for (char *line = s ? strtok(s, "\r\n") : NULL; line; line = strtok(NULL, "\r\n")) {
		if (!strncmp(line, "TZID:", 5)) {
			ag_buf_puts(out, "TZID:");
			ag_buf_puts(out, tzid);
			ag_buf_puts(out, "\r\n");
		} else {
			ag_ics_fold(out, line);
		}
	}
	free(s);
}

/* The VTIMEZONE of every TZID event KVS uses, once per file: the one the
 * event came with, else libical's definition of the zone it names. */
static void put_zones(const struct ag_kvs *kvs, struct zones_out *z, struct ag_buf *out)
{
	for (size_t i = 0; i < kvs->n; i++)
		for (const char *p = kvs->v[i].value; (p = strstr(p, ";TZID=")); p += 6) {
			char tzid[128], key[160];
			if (!tzid_at(p, tzid, sizeof(tzid)) || zone_seen(z, tzid))
				continue;
			snprintf(key, sizeof(key), "TZ#%s", tzid);
			put_vtimezone(tzid, ag_kvs_value(kvs, key), z->from, out);
		}
}

int ag_export_ics(struct ag_replica *r, FILE *out)
{
	sqlite3_stmt *st;
	struct ag_buf b = {0};
	struct zones_out z = {0};
	if (ag_db_prep(r->db, "SELECT min(start) FROM events WHERE deleted=0", &st))
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	if (sqlite3_step(st) == SQLITE_ROW)
		z.from = sqlite3_column_int64(st, 0) - 86400;
	sqlite3_finalize(st);
	if (ag_db_prep(r->db, "SELECT uid, mtime FROM events WHERE deleted=0 ORDER BY uid", &st))
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//xproto//agenda//EN\r\n", out);
	int rc = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		struct ag_kvs kvs;
		if (ag_entries_load(r, ag_db_text(st, 0), &kvs) < 0) {
			rc = -1;
			break;
		}
		b.len = 0;
		put_zones(&kvs, &z, &b);
		ag_props_to_ics(&kvs, ag_db_text(st, 0), sqlite3_column_int64(st, 1), &b);
		ag_kvs_finish(&kvs);
		if (b.oom || fwrite(b.data, 1, b.len, out) != b.len)
			rc = -1;
	}
	sqlite3_finalize(st);
	if (fputs("END:VCALENDAR\r\n", out) < 0 || fflush(out))
		rc = -1;
	for (size_t i = 0; i < z.n; i++)
		free(z.ids[i]);
	free(z.ids);
	ag_buf_finish(&b);
	return rc ? ag_fail(r, "cannot write the calendar") : 0;
}
