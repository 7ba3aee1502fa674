/*
 * replica.c - the local replica: its SQLite schema and settings, the
 * registers of each event (with the server sequence number each value came
 * from, and whether a newer server value was skipped because a local change
 * was pending), a listing index derived from them, and the read side:
 * finding, viewing, listing and expanding events.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_VERSION 2

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v);"
    "CREATE TABLE IF NOT EXISTS entries(uid TEXT, key TEXT, value TEXT, seq INTEGER DEFAULT 0,"
    " stale INTEGER DEFAULT 0, seen INTEGER DEFAULT 1, PRIMARY KEY(uid, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS events(uid TEXT PRIMARY KEY, deleted INTEGER, mtime INTEGER,"
    " lo INTEGER, hi INTEGER, start INTEGER, title TEXT) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS events_lo ON events(deleted, lo);"
    "CREATE TABLE IF NOT EXISTS pending(id INTEGER PRIMARY KEY AUTOINCREMENT, chg INTEGER,"
    " kind INTEGER, uid TEXT, mtime INTEGER, base INTEGER, parents BLOB, stale BLOB,"
    " conflict INTEGER, sent INTEGER DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS pending_uid ON pending(uid);"
    "CREATE TABLE IF NOT EXISTS pending_entries(pid INTEGER, key TEXT, value TEXT,"
    " mtime INTEGER, PRIMARY KEY(pid, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY, uid TEXT, key TEXT,"
    " value TEXT, loser TEXT, loser_mtime INTEGER, resolved INTEGER, seen INTEGER DEFAULT 1);"
    "CREATE INDEX IF NOT EXISTS conflicts_uid ON conflicts(uid, resolved);"
    "CREATE TABLE IF NOT EXISTS refetch(uid TEXT PRIMARY KEY);";

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

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;
	if (ag_db_prep(db, "PRAGMA user_version", &st))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool has_tables(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool any = false;
	if (ag_db_prep(db, "SELECT 1 FROM sqlite_master LIMIT 1", &st))
		return false;
	any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return any;
}

static int setup_schema(struct ag_replica *r, const char *path, char *err, size_t errlen)
{
	int v = user_version(r->db);
	if (v == 0 && has_tables(r->db)) {
		snprintf(err, errlen,
		         "%s: a replica of an older agenda (protocol 1); sync it with that "
		         "version, then start a new replica file",
		         path);
		return -1;
	}
	if (v > SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: made by a newer agenda", path);
		return -1;
	}
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", SCHEMA_VERSION);
	if (ag_db_exec(r->db, schema) || ag_db_exec(r->db, sql)) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
		return -1;
	}
	if (!ag_meta_int(r, "replica", 0) &&
	    ag_meta_set_int(r, "replica", (int64_t)ag_random_id())) {
		snprintf(err, errlen, "%s: %s", path, r->err);
		return -1;
	}
	return 0;
}

int ag_replica_open(const char *path, struct ag_replica **out, char *err, size_t errlen)
{
	struct ag_replica *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ag_db_open_nomutex(path, 5000, &r->db, err, errlen) ||
	    setup_schema(r, path, err, errlen))
		goto err_r;
	*out = r;
	return 0;
err_r:
	ag_replica_close(r);
	return -1;
}

sqlite3_stmt *ag_rstmt(struct ag_replica *r, const char *sql)
{
	for (int i = 0; i < r->ncache; i++)
		if (r->cache[i].sql == sql) {
			sqlite3_reset(r->cache[i].st);
			sqlite3_clear_bindings(r->cache[i].st);
			return r->cache[i].st;
		}
	sqlite3_stmt *st;
	if (r->ncache == AG_STMT_CACHE ||
	    sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		ag_fail(r, "%s",
		        r->ncache == AG_STMT_CACHE ? "statement cache full"
		                                   : sqlite3_errmsg(r->db));
		return NULL;
	}
	r->cache[r->ncache].sql = sql;
	r->cache[r->ncache++].st = st;
	return st;
}

void ag_replica_close(struct ag_replica *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ncache; i++)
		sqlite3_finalize(r->cache[i].st);
	sqlite3_close(r->db);
	free(r);
}

/* ---- settings and transactions ---------------------------------------------------- */

int64_t ag_meta_int(struct ag_replica *r, const char *key, int64_t dflt)
{
	sqlite3_stmt *st = ag_rstmt(r, "SELECT v FROM meta WHERE k=?");
	int64_t v = dflt;
	if (!st)
		return dflt;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

static int meta_put(struct ag_replica *r, const char *key, const char *s, int64_t v)
{
	sqlite3_stmt *st = ag_rstmt(r, "INSERT OR REPLACE INTO meta VALUES(?,?)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (s)
		sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, v);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
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
	if (ag_db_prep(r->db, "SELECT v FROM meta WHERE k=?", &st))
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(buf, len, "%s", ag_db_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int ag_replica_configure(struct ag_replica *r, const char *server, const char *user,
                         const char *token, const char *agenda)
{
	uint8_t raw[AG_MAX_TOKEN];
	char cur[256];
	struct xp_error err;
	if (xp_net_is_unix(server) || xp_net_check(server, &err) < 0)
		return ag_fail(r, "bad server address '%s' (want HOST:PORT)", server);
	if (ag_hex_decode(token, raw, sizeof(raw)) != 16) /* agendad's tokens: 16 bytes */
		return ag_fail(r, "bad token (want the hex string `agendad adduser` printed)");
	if (!*user || strlen(user) > AG_MAX_NAME || !*agenda || strlen(agenda) > AG_MAX_NAME)
		return ag_fail(r, "user and agenda names are 1 to %d bytes", AG_MAX_NAME);
	if (ag_meta_int(r, "anchor", 0) > 0 && !ag_replica_setting(r, "agenda", cur, sizeof(cur)) &&
	    strcmp(cur, agenda))
		return ag_fail(r,
		               "this replica holds agenda '%s'; use another replica file (--db) "
		               "for '%s'",
		               cur, agenda);
	if (ag_meta_set(r, "server", server) || ag_meta_set(r, "user", user) ||
	    ag_meta_set(r, "token", token) || ag_meta_set(r, "agenda", agenda))
		return -1;
	return 0;
}

int ag_txn_begin(struct ag_replica *r)
{
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		return ag_fail(r, "replica busy: %s", sqlite3_errmsg(r->db));
	return 0;
}

int ag_txn_end(struct ag_replica *r, int rc)
{
	if (rc == 0 && ag_db_exec(r->db, "COMMIT") == 0)
		return 0;
	ag_db_exec(r->db, "ROLLBACK");
	return -1;
}

/* ---- registers and the index -------------------------------------------------------- */

int ag_entries_load(struct ag_replica *r, const char *uid, struct ag_kvs *out)
{
	sqlite3_stmt *st =
	    ag_rstmt(r, "SELECT key, value, seq FROM entries WHERE uid=? ORDER BY key");
	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	int rc = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		char *k = strdup(ag_db_text(st, 0)), *v = strdup(ag_db_text(st, 1));
		if (!k || !v || ag_grow(&out->v, &out->cap, out->n + 1, sizeof(*out->v))) {
			free(k);
			free(v);
			rc = -1;
			break;
		}
		out->v[out->n++] = (struct ag_kv){k, v, sqlite3_column_int64(st, 2), 0};
	}
	sqlite3_reset(st);
	out->sorted = true;
	if (rc) {
		ag_kvs_finish(out);
		return ag_fail(r, "out of memory");
	}
	return out->n > 0;
}

int ag_index_put(struct ag_replica *r, const char *uid, const struct ag_kvs *kvs, int64_t mtime)
{
	struct ag_view v = {0};
	sqlite3_stmt *st;
	bool found = kvs->n > 0, live = found && ag_view_build(kvs, &v) == 0;
	static const char put[] = "INSERT INTO events(uid, deleted, mtime, lo, hi, start, title)"
	                          " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(uid) DO UPDATE"
	                          " SET deleted=?2, mtime=max(mtime, ?3), lo=?4, hi=?5, start=?6,"
	                          " title=?7";
	static const char drop[] = "DELETE FROM events WHERE uid=?1";
	if (!(st = ag_rstmt(r, found ? put : drop)))
		return -1;
	char *title = NULL;
	struct ag_line l;
	const char *s = ag_kvs_value(kvs, "SUMMARY");
	if (s && !ag_line_parse(s, &l))
		title = ag_text_unescape(l.value);
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ag_kvs_value(kvs, AG_DELETED) != NULL);
	sqlite3_bind_int64(st, 3, mtime);
	sqlite3_bind_int64(st, 4, live ? v.lo : INT64_MAX);
	sqlite3_bind_int64(st, 5, live ? v.hi : INT64_MIN);
	sqlite3_bind_int64(st, 6, live && v.has_start ? ag_dt_unix(&v.start) : 0);
	sqlite3_bind_text(st, 7, title ? title : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	free(title);
	return rc ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

int ag_entries_with(struct ag_replica *r, const char *uid, ag_entries_fn *fn, const void *arg)
{
	struct ag_kvs kvs;
	if (ag_entries_load(r, uid, &kvs) < 0)
		return -1;
	int rc = fn(r, uid, &kvs, arg);
	ag_kvs_finish(&kvs);
	return rc;
}

/* ag_entries_fn: ag_index_put() at the mtime @mtime points to. */
static int put_index(struct ag_replica *r, const char *uid, const struct ag_kvs *kvs,
                     const void *mtime)
{
	return ag_index_put(r, uid, kvs, *(const int64_t *)mtime);
}

int ag_index_update(struct ag_replica *r, const char *uid, int64_t mtime)
{
	return ag_entries_with(r, uid, put_index, &mtime);
}

/* ---- finding and viewing ---------------------------------------------------------------- */

int ag_event_find(struct ag_replica *r, const char *uid, bool any, char **full)
{
	sqlite3_stmt *st;
	const char *sql = "SELECT uid FROM events WHERE (uid=?1 OR substr(uid, 1, length(?1))=?1)"
	                  " AND (?2 OR deleted=0) ORDER BY uid=?1 DESC LIMIT 2";
	*full = NULL;
	if (ag_db_prep(r->db, sql, &st))
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, any);
	int rc = ag_fail(r, "no event '%s'", uid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*full = strdup(ag_db_text(st, 0));
		rc = *full ? 0 : ag_fail(r, "out of memory");
		if (!rc && strcmp(*full, uid) && sqlite3_step(st) == SQLITE_ROW) {
			free(*full);
			*full = NULL;
			rc = ag_fail(r, "'%s' is ambiguous: give more of the uid", uid);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int count_conflicts(struct ag_replica *r, const char *uid)
{
	sqlite3_stmt *st = ag_rstmt(r, "SELECT count(*) FROM conflicts WHERE uid=? AND resolved=0");
	int n = 0;
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

static int64_t event_mtime(struct ag_replica *r, const char *uid)
{
	sqlite3_stmt *st = ag_rstmt(r, "SELECT mtime FROM events WHERE uid=?");
	int64_t m = 0;
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		m = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return m;
}

/* The public view of UID from its registers KVS. */
static int fill(struct ag_replica *r, const char *uid, const struct ag_kvs *kvs,
                struct ag_event *ev)
{
	if (ag_view_event(kvs, uid, ev))
		return ag_fail(r, "out of memory");
	ev->conflicts = count_conflicts(r, uid);
	ev->mtime = event_mtime(r, uid);
	return 0;
}

int ag_event_get(struct ag_replica *r, const char *uid, bool any, struct ag_event *out)
{
	char *full;
	struct ag_kvs kvs;
	memset(out, 0, sizeof(*out));
	if (ag_event_find(r, uid, any, &full))
		return -1;
	int rc = ag_entries_load(r, full, &kvs) > 0 ? fill(r, full, &kvs, out) : -1;
	ag_kvs_finish(&kvs);
	free(full);
	return rc;
}

int ag_event_ics(struct ag_replica *r, const char *uid, char **text)
{
	char *full;
	struct ag_kvs kvs;
	struct ag_buf b = {0};
	if (ag_event_find(r, uid, true, &full))
		return -1;
	int rc = ag_entries_load(r, full, &kvs) > 0 ? 0 : -1;
	if (!rc)
		ag_props_to_ics(&kvs, full, event_mtime(r, full), &b);
	ag_kvs_finish(&kvs);
	free(full);
	*text = ag_buf_steal(&b);
	return rc || !*text ? ag_fail(r, "out of memory") : 0;
}

/* ---- listing ------------------------------------------------------------------------ */

static int uids_of(struct ag_replica *r, sqlite3_stmt *st, char ***out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *u = strdup(ag_db_text(st, 0));
		if (!u || ag_grow(out, &cap, *n + 1, sizeof(**out))) {
			free(u);
			return ag_fail(r, "out of memory");
		}
		(*out)[(*n)++] = u;
	}
	return 0;
}

static void uids_free(char **u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(u[i]);
	free(u);
}

int ag_events_all(struct ag_replica *r, bool deleted, struct ag_event **out, size_t *n)
{
	sqlite3_stmt *st;
	char **uids;
	size_t nu, cap = 0;
	*out = NULL;
	*n = 0;
	if (ag_db_prep(r->db, "SELECT uid FROM events WHERE ?1 OR deleted=0 ORDER BY uid", &st))
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_int(st, 1, deleted);
	int rc = uids_of(r, st, &uids, &nu);
	sqlite3_finalize(st);
	for (size_t i = 0; !rc && i < nu; i++) {
		struct ag_kvs kvs;
		if (ag_entries_load(r, uids[i], &kvs) <= 0 ||
		    ag_grow(out, &cap, *n + 1, sizeof(**out)))
			rc = -1;
		else if (!(rc = fill(r, uids[i], &kvs, &(*out)[*n])))
			(*n)++;
		ag_kvs_finish(&kvs);
	}
	uids_free(uids, nu);
	if (rc) {
		ag_events_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc ? -1 : 0;
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

static int expand_one(struct ag_replica *r, const char *uid, int64_t from, int64_t to,
                      struct ag_occ_list *out)
{
	struct ag_kvs kvs;
	struct ag_view v;
	struct ag_event ev;
	if (ag_entries_load(r, uid, &kvs) <= 0)
		return 0;
	int rc = 0;
	if (ag_view_build(&kvs, &v) == 0 && !(rc = fill(r, uid, &kvs, &ev))) {
		rc = ag_expand(&kvs, &v, &ev, from, to, out);
		ag_event_finish(&ev);
	}
	ag_kvs_finish(&kvs);
	return rc;
}

int ag_occurrences(struct ag_replica *r, int64_t from, int64_t to, struct ag_occurrence **out,
                   size_t *n)
{
	sqlite3_stmt *st;
	char **uids;
	size_t nu;
	struct ag_occ_list list = {0};
	if (ag_db_prep(r->db, "SELECT uid FROM events WHERE deleted=0 AND lo<?2 AND hi>?1", &st))
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	int rc = uids_of(r, st, &uids, &nu);
	sqlite3_finalize(st);
	for (size_t i = 0; !rc && i < nu; i++)
		rc = expand_one(r, uids[i], from, to, &list);
	uids_free(uids, nu);
	if (rc) {
		ag_occurrences_free(list.v, list.n);
		return ag_fail(r, "cannot expand recurrences");
	}
	if (list.n > 1)
		qsort(list.v, list.n, sizeof(*list.v), occ_cmp);
	*out = list.v;
	*n = list.n;
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
	if (ag_db_prep(r->db, "SELECT count(*) FROM pending", &st))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		c = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return c;
}
