/*
 * replica.c - the local replica: its SQLite schema and settings, and the
 * offline operations (add, edit, delete, get, list). Each local operation
 * updates the event row and queues a pending change in the same
 * transaction, so what the user typed is durable before the call returns.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v);"
    "CREATE TABLE IF NOT EXISTS events(uid TEXT PRIMARY KEY, title TEXT,"
    " start INTEGER, \"end\" INTEGER, allday INTEGER, tz TEXT,"
    " location TEXT, notes TEXT, rrule TEXT, exdate TEXT, deleted INTEGER,"
    " version INTEGER, mtime INTEGER);"
    "CREATE INDEX IF NOT EXISTS events_start ON events(start);"
    "CREATE TABLE IF NOT EXISTS pending(counter INTEGER PRIMARY KEY,"
    " kind INTEGER, uid TEXT, base INTEGER, mtime INTEGER, mask INTEGER,"
    " title TEXT, start INTEGER, \"end\" INTEGER, allday INTEGER, tz TEXT,"
    " location TEXT, notes TEXT, rrule TEXT, exdate TEXT, deleted INTEGER,"
    " conflict_id INTEGER, sent INTEGER DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS pending_uid ON pending(uid);"
    "CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY, uid TEXT,"
    " fld INTEGER, sval TEXT, ival INTEGER, loser INTEGER,"
    " loser_mtime INTEGER, resolved INTEGER);"
    "CREATE TABLE IF NOT EXISTS refetch(uid TEXT PRIMARY KEY);";

#define EV_COLS                                                                                    \
	"title,start,\"end\",allday,tz,location,notes,rrule,exdate,deleted,"                       \
	"version,mtime,uid"

int ag_fail(struct ag_replica *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

const char *ag_replica_error(const struct ag_replica *r)
{
	return r->err;
}

static int ensure_replica_id(struct ag_replica *r)
{
	uint64_t id = 0;
	if (ag_meta_int(r, "replica", 0))
		return 0;
	while (id == 0)
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			return -1;
	return ag_meta_set_int(r, "replica", (int64_t)(id & INT64_MAX));
}

int ag_replica_open(const char *path, struct ag_replica **out, char *err, size_t errlen)
{
	struct ag_replica *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ag_db_open(path, &r->db, err, errlen))
		goto err_r;
	if (ag_db_exec(r->db, schema) || ensure_replica_id(r)) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
		goto err_r;
	}
	*out = r;
	return 0;
err_r:
	ag_replica_close(r);
	return -1;
}

void ag_replica_close(struct ag_replica *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	free(r);
}

/* ---- settings ------------------------------------------------------------- */

int64_t ag_meta_int(struct ag_replica *r, const char *key, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(r->db, "SELECT v FROM meta WHERE k=?", -1, &st, NULL) != SQLITE_OK)
		return dflt;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int meta_put(struct ag_replica *r, const char *key, const char *s, int64_t v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO meta VALUES(?,?)", -1, &st, NULL) !=
	    SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (s)
		sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, v);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

int ag_meta_set_int(struct ag_replica *r, const char *key, int64_t v)
{
	return meta_put(r, key, NULL, v);
}

int ag_meta_set(struct ag_replica *r, const char *key, const char *v)
{
	return meta_put(r, key, v, 0);
}

int ag_replica_setting(struct ag_replica *r, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT v FROM meta WHERE k=?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int ag_replica_configure(struct ag_replica *r, const char *server, const char *user,
                         const char *token, const char *agenda)
{
	uint8_t raw[AG_MAX_TOKEN];
	struct xp_error err;
	if (xp_net_is_unix(server) || xp_net_check(server, &err) < 0)
		return ag_fail(r, "bad server address '%s' (want HOST:PORT)", server);
	if (ag_hex_decode(token, raw, sizeof(raw)) <= 0)
		return ag_fail(r, "bad token (want the hex string from "
		                  "agendad adduser)");
	char cur[256];
	if (ag_meta_int(r, "anchor", 0) > 0 && !ag_replica_setting(r, "agenda", cur, sizeof(cur)) &&
	    strcmp(cur, agenda))
		return ag_fail(r,
		               "this replica holds agenda '%s'; use another "
		               "replica file (--db) for '%s'",
		               cur, agenda);
	if (ag_meta_set(r, "server", server) || ag_meta_set(r, "user", user) ||
	    ag_meta_set(r, "token", token) || ag_meta_set(r, "agenda", agenda))
		return -1;
	return 0;
}

/* ---- events ---------------------------------------------------------------- */

static int load_event(sqlite3_stmt *st, struct ag_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (ag_db_load_fields(st, 0, ev))
		return -1;
	ev->version = sqlite3_column_int64(st, 10);
	ev->mtime = sqlite3_column_int64(st, 11);
	snprintf(ev->uid, sizeof(ev->uid), "%s", (const char *)sqlite3_column_text(st, 12));
	return 0;
}

/* Loads UID (exact, else unique prefix) including tombstones if ANY. */
static int find_event(struct ag_replica *r, const char *uid, bool any, struct ag_event *out)
{
	sqlite3_stmt *st;
	const char *sql = "SELECT " EV_COLS " FROM events WHERE (uid=?1 OR "
	                  "substr(uid,1,length(?1))=?1) AND (?2 OR deleted=0) "
	                  "ORDER BY uid=?1 DESC LIMIT 2";
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, any);
	int rc = ag_fail(r, "no event '%s'", uid);
	if (sqlite3_step(st) == SQLITE_ROW && !load_event(st, out)) {
		bool exact = !strcmp(out->uid, uid);
		rc = 0;
		if (!exact && sqlite3_step(st) == SQLITE_ROW) {
			ag_event_finish(out);
			rc = ag_fail(r, "'%s' is ambiguous", uid);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int ag_event_get(struct ag_replica *r, const char *uid, struct ag_event *out)
{
	return find_event(r, uid, false, out);
}

static int event_store(struct ag_replica *r, const struct ag_event *ev)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db,
	                       "INSERT OR REPLACE INTO events(" EV_COLS
	                       ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	ag_db_bind_fields(st, 1, ev);
	sqlite3_bind_int64(st, 11, ev->version);
	sqlite3_bind_int64(st, 12, ev->mtime);
	sqlite3_bind_text(st, 13, ev->uid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

/* Merges MASK into the newest unsent pending change of EV->uid, or queues
 * a new one; the current values of EV are the values sent. */
static int queue_change(struct ag_replica *r, const struct ag_event *ev, unsigned mask,
                        int64_t base)
{
	sqlite3_stmt *st;
	const char *sql = "INSERT INTO pending(counter,kind,uid,base,mtime,mask,title,start,"
	                  "\"end\",allday,tz,location,notes,rrule,exdate,deleted) "
	                  "VALUES(?1,0,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15) "
	                  "ON CONFLICT(counter) DO UPDATE SET mtime=?4,mask=mask|?5,"
	                  "title=?6,start=?7,\"end\"=?8,allday=?9,tz=?10,location=?11,"
	                  "notes=?12,rrule=?13,exdate=?14,deleted=?15";
	int64_t counter = 0;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT counter FROM pending WHERE uid=? "
	                       "AND kind=0 AND sent=0 ORDER BY counter "
	                       "DESC LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_text(st, 1, ev->uid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		counter = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!counter) {
		counter = ag_meta_int(r, "counter", 0) + 1;
		if (ag_meta_set_int(r, "counter", counter))
			return -1;
	}
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_int64(st, 1, counter);
	sqlite3_bind_text(st, 2, ev->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, base);
	sqlite3_bind_int64(st, 4, ev->mtime);
	sqlite3_bind_int(st, 5, (int)mask);
	ag_db_bind_fields(st, 6, ev);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

static int check_writable(struct ag_replica *r)
{
	if (ag_meta_int(r, "rights", AG_RIGHT_RW) == AG_RIGHT_READ)
		return ag_fail(r, "read-only membership: this agenda cannot "
		                  "be changed from here");
	return 0;
}

static int commit_or_rollback(struct ag_replica *r, int rc)
{
	if (rc == 0 && ag_db_exec(r->db, "COMMIT") == 0)
		return 0;
	ag_db_exec(r->db, "ROLLBACK");
	return -1;
}

static int validate(struct ag_replica *r, const struct ag_event *ev)
{
	struct ag_event *e = (struct ag_event *)ev;
	if (ev->end < ev->start)
		return ag_fail(r, "event ends before it starts");
	for (int f = 0; f < AG_NFIELDS; f++)
		if (ag_fields[f].kind == AG_STR && *ag_ev_str(e, f) &&
		    strlen(*ag_ev_str(e, f)) > AG_MAX_STR / 2)
			return ag_fail(r, "%s too long", ag_fields[f].name);
	if (ag_fields_size(AG_MASK_ALL, ev) > AG_MAX_EVENT)
		return ag_fail(r, "event too large");
	const char *bad = ag_ical_check(ev);
	return bad ? ag_fail(r, "%s", bad) : 0;
}

int ag_event_add(struct ag_replica *r, struct ag_event *ev)
{
	unsigned mask = 0;
	if (check_writable(r) || validate(r, ev))
		return -1;
	if (!ev->uid[0] && ag_random_hex(ev->uid, 12))
		return ag_fail(r, "no randomness");
	ev->mtime = ag_now_ms();
	ev->deleted = 0;
	for (int f = 0; f < AG_NFIELDS; f++)
		if (ag_fields[f].kind == AG_INT ? *ag_ev_int(ev, f) != 0
		                                : *ag_ev_str(ev, f) && **ag_ev_str(ev, f))
			mask |= AG_MASK(f);
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		return ag_fail(r, "database busy");
	ev->version = 0;
	int rc = event_store(r, ev) || queue_change(r, ev, mask, 0);
	return commit_or_rollback(r, rc);
}

int ag_edit_locked(struct ag_replica *r, struct ag_event *cur, const struct ag_event *vals,
                   unsigned mask)
{
	for (int f = 0; f < AG_NFIELDS; f++)
		if (mask & AG_MASK(f) && ag_ev_field_copy(cur, vals, f))
			return ag_fail(r, "out of memory");
	if (validate(r, cur))
		return -1;
	cur->mtime = ag_now_ms();
	if (event_store(r, cur) || queue_change(r, cur, mask, cur->version))
		return -1;
	return 0;
}

int ag_event_edit(struct ag_replica *r, const char *uid, const struct ag_event *ev, unsigned mask)
{
	struct ag_event cur;
	if (check_writable(r))
		return -1;
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		return ag_fail(r, "database busy");
	if (find_event(r, uid, false, &cur)) {
		ag_db_exec(r->db, "ROLLBACK");
		return -1;
	}
	int rc = ag_edit_locked(r, &cur, ev, mask & ~AG_MASK(AG_F_DELETED));
	ag_event_finish(&cur);
	return commit_or_rollback(r, rc);
}

/* An event the server never saw and whose creation is still unsent simply
 * disappears. Returns 1 when that happened. */
static int drop_unsent(struct ag_replica *r, const struct ag_event *ev)
{
	sqlite3_stmt *st;
	if (ev->version)
		return 0;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT count(*),max(sent) FROM pending "
	                       "WHERE uid=?",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, ev->uid, -1, SQLITE_STATIC);
	bool unsent = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0 &&
	              sqlite3_column_int(st, 1) == 0;
	sqlite3_finalize(st);
	if (!unsent)
		return 0;
	for (int i = 0; i < 2; i++) {
		const char *sql =
		    i ? "DELETE FROM events WHERE uid=?" : "DELETE FROM pending WHERE uid=?";
		if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(st, 1, ev->uid, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 1;
}

int ag_event_delete(struct ag_replica *r, const char *uid)
{
	struct ag_event cur, del = {.deleted = 1};
	if (check_writable(r))
		return -1;
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		return ag_fail(r, "database busy");
	if (find_event(r, uid, false, &cur)) {
		ag_db_exec(r->db, "ROLLBACK");
		return -1;
	}
	int rc = drop_unsent(r, &cur);
	if (rc == 0)
		rc = ag_edit_locked(r, &cur, &del, AG_MASK(AG_F_DELETED));
	ag_event_finish(&cur);
	return commit_or_rollback(r, rc < 0 ? -1 : 0);
}

/* ---- listing ------------------------------------------------------------------ */

static int collect(struct ag_replica *r, sqlite3_stmt *st, struct ag_event **out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct ag_event *p = realloc(*out, cap * sizeof(*p));
			if (!p)
				goto err_mem;
			*out = p;
		}
		if (load_event(st, &(*out)[*n]))
			goto err_mem;
		(*n)++;
	}
	return 0;
err_mem:
	ag_events_free(*out, *n);
	*out = NULL;
	*n = 0;
	return ag_fail(r, "out of memory");
}

int ag_events_all(struct ag_replica *r, struct ag_event **out, size_t *n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT " EV_COLS " FROM events WHERE "
	                       "deleted=0 ORDER BY start,uid",
	                       -1, &st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	int rc = collect(r, st, out, n);
	sqlite3_finalize(st);
	return rc;
}

void ag_events_free(struct ag_event *evs, size_t n)
{
	for (size_t i = 0; evs && i < n; i++)
		ag_event_finish(&evs[i]);
	free(evs);
}

static int occ_cmp(const void *a, const void *b)
{
	const struct ag_occurrence *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->ev.uid, y->ev.uid);
}

int ag_occurrences(struct ag_replica *r, int64_t from, int64_t to, struct ag_occurrence **out,
                   size_t *n)
{
	sqlite3_stmt *st;
	struct ag_event *evs;
	size_t nev, cap = 0;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT " EV_COLS " FROM events WHERE "
	                       "deleted=0 AND start<?2 AND (rrule<>'' OR "
	                       "\"end\">?1 OR (\"end\"=start AND start>=?1))",
	                       -1, &st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	int rc = collect(r, st, &evs, &nev);
	sqlite3_finalize(st);
	*out = NULL;
	*n = 0;
	for (size_t i = 0; !rc && i < nev; i++)
		rc = ag_expand(&evs[i], from, to, out, n, &cap);
	ag_events_free(evs, nev);
	if (rc) {
		ag_occurrences_free(*out, *n);
		return ag_fail(r, "cannot expand recurrences");
	}
	if (*n > 1) /* an empty range has no array at all */
		qsort(*out, *n, sizeof(**out), occ_cmp);
	return 0;
}

void ag_occurrences_free(struct ag_occurrence *occ, size_t n)
{
	for (size_t i = 0; occ && i < n; i++)
		ag_event_finish(&occ[i].ev);
	free(occ);
}

int ag_pending_count(struct ag_replica *r)
{
	sqlite3_stmt *st;
	int c = -1;
	if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM pending", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		c = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return c;
}
