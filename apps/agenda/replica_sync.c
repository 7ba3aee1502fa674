/*
 * replica_sync.c - the replica's side of sync bookkeeping: the pending
 * queue (taken and marked sent in one transaction, dropped only by the ACK
 * naming it), the refetch list, pulled pages applied in one transaction
 * with their anchor (a key with a pending change is never overwritten: it
 * is marked stale and refetched once the change is through), full resyncs,
 * and the conflict list with its resolution.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

static int prep(struct ag_replica *r, const char *sql, sqlite3_stmt **st)
{
	return ag_db_prep(r->db, sql, st) ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

static int exec_uid(struct ag_replica *r, const char *sql, const char *uid)
{
	sqlite3_stmt *st;
	if (prep(r, sql, &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_finalize(st);
	return rc;
}

/* ---- the pending queue ---------------------------------------------------------------- */

static int decode_blobs(sqlite3_stmt *st, struct ag_change *c)
{
	struct ag_rd p = {.p = sqlite3_column_blob(st, 6),
	                  .len = (size_t)sqlite3_column_bytes(st, 6)};
	while (ag_rd_left(&p) >= 8 && c->nparents < AG_MAX_PARENTS) {
		uint64_t id = ag_rd_u64le(&p);
		bool dup = false;
		for (size_t i = 0; i < c->nparents; i++)
			dup |= c->parents[i] == id;
		if (!dup)
			c->parents[c->nparents++] = id;
	}
	struct ag_rd s = {.p = sqlite3_column_blob(st, 7),
	                  .len = (size_t)sqlite3_column_bytes(st, 7)};
	while (ag_rd_left(&s)) {
		char *k = ag_rd_str(&s, 1, AG_MAX_KEY);
		int64_t seq = (int64_t)ag_rd_varint(&s);
		if (!k || ag_kvs_put_own(&c->stale, k, strdup(""), seq))
			return -1;
	}
	ag_kvs_sort(&c->stale);
	return 0;
}

static int load_change(struct ag_replica *r, sqlite3_stmt *st, struct ag_change *c)
{
	memset(c, 0, sizeof(*c));
	c->pid = sqlite3_column_int64(st, 0);
	c->id = (uint64_t)sqlite3_column_int64(st, 1);
	c->kind = (uint8_t)sqlite3_column_int(st, 2);
	c->uid = strdup(ag_db_text(st, 3));
	c->mtime = sqlite3_column_int64(st, 4);
	c->base = (uint64_t)sqlite3_column_int64(st, 5);
	c->conflict = sqlite3_column_int64(st, 8);
	if (!c->uid || decode_blobs(st, c))
		return -1;
	if (c->kind != AG_CH_EVENT)
		return 0;
	sqlite3_stmt *e;
	if (prep(r, "SELECT key, value, mtime FROM pending_entries WHERE pid=? ORDER BY key", &e))
		return -1;
	sqlite3_bind_int64(e, 1, c->pid);
	int rc = 0;
	while (!rc && sqlite3_step(e) == SQLITE_ROW) {
		rc = ag_kvs_put(&c->entries, ag_db_text(e, 0), ag_db_text(e, 1), 0);
		if (!rc)
			c->entries.v[c->entries.n - 1].mtime = sqlite3_column_int64(e, 2);
	}
	sqlite3_finalize(e);
	ag_kvs_sort(&c->entries);
	return rc;
}

int ag_pending_take(struct ag_replica *r, struct ag_change *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	size_t bytes = 0;
	*n = 0;
	if (ag_txn_begin(r))
		return -1;
	if (prep(r,
	         "SELECT id, chg, kind, uid, mtime, base, parents, stale, conflict FROM pending"
	         " ORDER BY id LIMIT ?",
	         &st))
		return ag_txn_end(r, -1);
	sqlite3_bind_int64(st, 1, (int64_t)max);
	int rc = 0;
	while (!rc && *n < max && sqlite3_step(st) == SQLITE_ROW) {
		rc = load_change(r, st, &out[*n]);
		bytes += ag_change_size(&out[*n]);
		(*n)++;
		if (bytes > AG_CHUNK_BYTES)
			break; /* the rest in the next PUSH */
	}
	sqlite3_finalize(st);
	/* frozen from now on: a later edit starts a new change (SYNC.md I4) */
	if (!rc && *n && !prep(r, "UPDATE pending SET sent=1 WHERE id<=?", &st)) {
		sqlite3_bind_int64(st, 1, out[*n - 1].pid);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	if (ag_txn_end(r, rc)) {
		for (size_t i = 0; i < *n; i++)
			ag_change_finish(&out[i]);
		*n = 0;
		return ag_fail(r, "cannot read the pending changes");
	}
	return 0;
}

static int ack_one(struct ag_replica *r, const struct ag_ack *a, const struct ag_change *c)
{
	sqlite3_stmt *st;
	char sql[128];
	snprintf(sql, sizeof(sql),
	         "DELETE FROM pending_entries WHERE pid=%lld; DELETE FROM pending WHERE id=%lld",
	         (long long)c->pid, (long long)c->pid);
	if (ag_db_exec(r->db, sql))
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	if (c->kind == AG_CH_RESOLVE) {
		if (a->status == AG_ST_OK)
			return 0;
		snprintf(sql, sizeof(sql), "UPDATE conflicts SET resolved=0 WHERE id=%lld",
		         (long long)c->conflict);
		return ag_db_exec(r->db, sql) ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
	}
	/* refused or lost: the server's copy; undeleted: all of it (this
	 * replica may never have had the content of an event deleted early) */
	const struct ag_kv *del = ag_kvs_find(&c->entries, AG_DELETED);
	if (a->status != AG_ST_OK || (del && !*del->value))
		if (exec_uid(r, "INSERT OR IGNORE INTO refetch VALUES(?)", c->uid))
			return -1;
	if (a->status != AG_ST_OK)
		return 0;
	for (size_t i = 0; i < c->entries.n; i++) {
		if (prep(r, "UPDATE entries SET seq=max(seq, ?1) WHERE uid=?2 AND key=?3", &st))
			return -1;
		sqlite3_bind_int64(st, 1, (int64_t)a->seq);
		sqlite3_bind_text(st, 2, c->uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c->entries.v[i].key, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
		if (rc)
			return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	}
	return 0;
}

int ag_pending_acked(struct ag_replica *r, const struct ag_msg_ack *ack,
                     const struct ag_change *sent, size_t n, struct ag_sync_stats *st)
{
	if (ack->n != n)
		return ag_fail(r, "server acknowledged %zu of %zu changes", ack->n, n);
	if (ag_txn_begin(r))
		return -1;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = ack_one(r, &ack->a[i], &sent[i]);
		st->pushed++;
		if (ack->a[i].status >= AG_ST_REJECTED)
			st->rejected++;
	}
	/* a key skipped while its change was pending: refetch once through */
	if (!rc)
		rc = ag_db_exec(r->db,
		                "INSERT OR IGNORE INTO refetch SELECT DISTINCT uid FROM entries"
		                " WHERE stale=1 AND uid NOT IN (SELECT uid FROM pending)");
	return ag_txn_end(r, rc) ? ag_fail(r, "cannot store the acknowledgement") : 0;
}

int ag_refetch_load(struct ag_replica *r, char ***uids, size_t *n)
{
	sqlite3_stmt *st;
	*uids = calloc(AG_MAX_REFETCH, sizeof(char *));
	*n = 0;
	if (!*uids || prep(r, "SELECT uid FROM refetch LIMIT ?", &st))
		return -1;
	sqlite3_bind_int(st, 1, AG_MAX_REFETCH);
	while (*n < AG_MAX_REFETCH && sqlite3_step(st) == SQLITE_ROW)
		if (((*uids)[*n] = strdup(ag_db_text(st, 0))))
			(*n)++;
	sqlite3_finalize(st);
	return 0;
}

/* ---- applying pulled pages ---------------------------------------------------------- */

enum {
	A_PENDING,
	A_STALE,
	A_PUT,
	A_DROP_OTHERS,
	A_FORGET,
	A_REFETCHED,
	A_CONF_OLD,
	A_CONF_PUT,
	A_N
};
static const char *const apply_sql[A_N] = {
    [A_PENDING] = "SELECT 1 FROM pending p JOIN pending_entries e ON e.pid=p.id WHERE"
                  " p.uid=?1 AND e.key=?2 LIMIT 1",
    [A_STALE] = "UPDATE entries SET stale=1, seen=1 WHERE uid=?1 AND key=?2 AND seq<?3",
    [A_PUT] = "INSERT INTO entries(uid, key, value, seq, stale, seen) VALUES(?1, ?2, ?3, ?4, 0,"
              " 1) ON CONFLICT(uid, key) DO UPDATE SET value=?3, seq=?4, stale=0, seen=1",
    [A_DROP_OTHERS] = "DELETE FROM entries WHERE uid=?1 AND seen=0 AND NOT EXISTS (SELECT 1"
                      " FROM pending p JOIN pending_entries e ON e.pid=p.id WHERE p.uid=?1 AND"
                      " e.key=entries.key)",
    [A_FORGET] = "UPDATE entries SET seen=0 WHERE uid=?1",
    [A_REFETCHED] = "DELETE FROM refetch WHERE uid=?1",
    [A_CONF_OLD] = "SELECT resolved FROM conflicts WHERE id=?1",
    [A_CONF_PUT] = "INSERT OR REPLACE INTO conflicts(id, uid, key, value, loser, loser_mtime,"
                   " resolved, seen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
};

struct apply_ctx {
	struct ag_replica *r;
	sqlite3_stmt *st[A_N];
	struct ag_sync_stats *stats;
};

static sqlite3_stmt *use(struct apply_ctx *x, int i)
{
	sqlite3_reset(x->st[i]);
	sqlite3_clear_bindings(x->st[i]);
	return x->st[i];
}

static bool pending_key(struct apply_ctx *x, const char *uid, const char *key)
{
	sqlite3_stmt *st = use(x, A_PENDING);
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW;
}

static int apply_entry(struct apply_ctx *x, const char *uid, const struct ag_kv *kv)
{
	bool pend = pending_key(x, uid, kv->key);
	sqlite3_stmt *st = use(x, pend ? A_STALE : A_PUT);
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kv->key, -1, SQLITE_STATIC);
	if (pend) {
		sqlite3_bind_int64(st, 3, kv->seq); /* keep it: refetched once through */
	} else {
		sqlite3_bind_text(st, 3, kv->value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, kv->seq);
	}
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* Runs statement I bound to UID only. */
static int run_uid(struct apply_ctx *x, int i, const char *uid)
{
	sqlite3_stmt *st = use(x, i);
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int apply_event(struct apply_ctx *x, const struct ag_record *rec)
{
	bool whole = rec->flags & AG_REC_WHOLE;
	/* a whole record replaces the event: forget what it does not name */
	if (whole && run_uid(x, A_FORGET, rec->uid))
		return -1;
	for (size_t i = 0; i < rec->entries.n; i++)
		if (apply_entry(x, rec->uid, &rec->entries.v[i]))
			return -1;
	/* whole: a refetch of it is done (refetches may span several pages) */
	if (whole && (run_uid(x, A_DROP_OTHERS, rec->uid) || run_uid(x, A_REFETCHED, rec->uid)))
		return -1;
	x->stats->pulled++;
	return ag_index_update(x->r, rec->uid, rec->mtime);
}

static int apply_conflict(struct apply_ctx *x, const struct ag_record *c)
{
	sqlite3_stmt *st = use(x, A_CONF_OLD);
	sqlite3_bind_int64(st, 1, c->id);
	bool known = sqlite3_step(st) == SQLITE_ROW;
	if (!known && !c->resolved)
		x->stats->conflicts++;
	st = use(x, A_CONF_PUT);
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_text(st, 2, c->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->loser, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->loser_mtime);
	sqlite3_bind_int(st, 7, c->resolved);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int apply_records(struct apply_ctx *x, const struct ag_msg_page *page)
{
	for (int i = 0; i < A_N; i++)
		if (prep(x->r, apply_sql[i], &x->st[i]))
			return -1;
	for (size_t i = 0; i < page->n; i++) {
		const struct ag_record *rec = &page->rec[i];
		int rc = rec->kind == AG_REC_EVENT ? apply_event(x, rec) : apply_conflict(x, rec);
		if (rc)
			return ag_fail(x->r, "%s", sqlite3_errmsg(x->r->db));
	}
	return 0;
}

int ag_page_apply(struct ag_replica *r, const struct ag_msg_page *page, struct ag_sync_stats *st)
{
	struct apply_ctx x = {.r = r, .stats = st};
	if (ag_txn_begin(r))
		return -1;
	int rc = apply_records(&x, page);
	if (!rc)
		rc = ag_meta_set_int(r, "anchor", (int64_t)page->anchor);
	for (int i = 0; i < A_N; i++)
		sqlite3_finalize(x.st[i]);
	return ag_txn_end(r, rc);
}

/* ---- full resync (SYNC.md I8) ---------------------------------------------------------- */

int ag_full_begin(struct ag_replica *r)
{
	if (ag_txn_begin(r))
		return -1;
	int rc = ag_db_exec(r->db, "UPDATE entries SET seen=0; UPDATE conflicts SET seen=0") ||
	         ag_meta_set_int(r, "full", 1) || ag_meta_set_int(r, "anchor", 0);
	return ag_txn_end(r, rc);
}

int ag_full_end(struct ag_replica *r)
{
	sqlite3_stmt *st;
	char **uids = NULL;
	size_t n = 0, cap = 0;
	if (ag_txn_begin(r))
		return -1;
	int rc = prep(r, "SELECT DISTINCT uid FROM entries WHERE seen=0", &st);
	bool prepared = rc == 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		char *u = strdup(ag_db_text(st, 0));
		if (!u || ag_grow(&uids, &cap, n + 1, sizeof(*uids))) {
			free(u);
			rc = -1;
		} else {
			uids[n++] = u;
		}
	}
	if (prepared)
		sqlite3_finalize(st);
	/* what the server no longer has goes, except what is pending here */
	if (!rc)
		rc = ag_db_exec(r->db,
		                "DELETE FROM entries WHERE seen=0 AND NOT EXISTS (SELECT 1 FROM"
		                " pending p JOIN pending_entries e ON e.pid=p.id WHERE"
		                " p.uid=entries.uid AND e.key=entries.key);"
		                "DELETE FROM conflicts WHERE seen=0");
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = ag_index_update(r, uids[i], 0);
		free(uids[i]);
	}
	free(uids);
	if (!rc)
		rc = ag_meta_set_int(r, "full", 0);
	return ag_txn_end(r, rc);
}

/* ---- conflicts ------------------------------------------------------------------------ */

static int load_conflict(sqlite3_stmt *st, struct ag_conflict *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->uid = strdup(ag_db_text(st, 1));
	c->key = strdup(ag_db_text(st, 2));
	c->what = ag_props_key_label(ag_db_text(st, 2));
	c->value = ag_props_value_label(ag_db_text(st, 2), ag_db_text(st, 3));
	c->loser = strdup(ag_db_text(st, 4));
	c->loser_mtime = sqlite3_column_int64(st, 5);
	const char *t = sqlite3_column_type(st, 6) == SQLITE_NULL ? "(gone)" : ag_db_text(st, 6);
	c->title = strdup(t);
	return c->uid && c->key && c->what && c->value && c->loser && c->title ? 0 : -1;
}

int ag_conflicts(struct ag_replica *r, struct ag_conflict **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = 0;
	*out = NULL;
	*n = 0;
	if (prep(
	        r,
	        "SELECT c.id, c.uid, c.key, c.value, c.loser, c.loser_mtime, e.title FROM conflicts"
	        " c LEFT JOIN events e ON e.uid=c.uid WHERE c.resolved=0 ORDER BY c.id",
	        &st))
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		if (ag_grow(out, &cap, *n + 1, sizeof(**out))) {
			rc = -1;
			break;
		}
		rc = load_conflict(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc) {
		ag_conflicts_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ag_fail(r, "out of memory");
	}
	return 0;
}

void ag_conflicts_free(struct ag_conflict *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].uid);
		free(c[i].key);
		free(c[i].what);
		free(c[i].value);
		free(c[i].loser);
		free(c[i].title);
	}
	free(c);
}

/* The raw losing value of conflict ID and its event and key. */
static int conflict_raw(struct ag_replica *r, int64_t id, struct ag_kvs *kv, char **uid)
{
	sqlite3_stmt *st;
	if (prep(r, "SELECT uid, key, value FROM conflicts WHERE id=? AND resolved=0", &st))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = ag_fail(r, "no open conflict %lld", (long long)id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*uid = strdup(ag_db_text(st, 0));
		rc = *uid && !ag_kvs_put(kv, ag_db_text(st, 1), ag_db_text(st, 2), 0)
		         ? 0
		         : ag_fail(r, "out of memory");
	}
	sqlite3_finalize(st);
	return rc;
}

int ag_conflict_resolve(struct ag_replica *r, int64_t id, bool take_loser)
{
	struct ag_kvs kv = {0};
	char *uid = NULL, sql[200];
	if (ag_meta_int(r, "rights", AG_RIGHT_RW) == AG_RIGHT_READ)
		return ag_fail(r, "read-only membership: conflicts are resolved by members who "
		                  "can write");
	if (ag_txn_begin(r))
		return -1;
	int rc = conflict_raw(r, id, &kv, &uid);
	if (!rc && take_loser)
		rc = ag_local_change(r, uid, &kv) < 0 ? -1 : 0;
	snprintf(sql, sizeof(sql),
	         "INSERT INTO pending(chg, kind, uid, conflict) VALUES(%lld, 1, '', %lld);"
	         "UPDATE conflicts SET resolved=1 WHERE id=%lld",
	         (long long)ag_random_id(), (long long)id, (long long)id);
	if (!rc && ag_db_exec(r->db, sql))
		rc = ag_fail(r, "%s", sqlite3_errmsg(r->db));
	free(uid);
	ag_kvs_finish(&kv);
	return ag_txn_end(r, rc);
}
