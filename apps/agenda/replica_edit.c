/*
 * replica_edit.c - changes made on this device: add, edit, delete and
 * undelete write the new register values at once (the agenda works
 * offline) and queue them as a change (SYNC.md section 1) in the same
 * transaction. A change not sent yet absorbs later edits of its event; a
 * change already sent is never touched again (SYNC.md I4): the next edit
 * starts a new change whose parents name it. An event created and deleted
 * before this file sent it is still sent whole, deleted: agendad keeps what
 * a delete removes (SYNC.md I2), so an undelete anywhere restores it.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

/* A cached statement for the literal SQL (see ag_rstmt()). */
static int prep(struct ag_replica *r, const char *sql, sqlite3_stmt **st)
{
	return (*st = ag_rstmt(r, sql)) ? 0 : -1;
}

static int step_done(struct ag_replica *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ag_fail(r, "%s", sqlite3_errmsg(r->db));
	sqlite3_reset(st);
	return rc;
}

static int check_writable(struct ag_replica *r)
{
	if (ag_meta_int(r, "rights", AG_RIGHT_RW) == AG_RIGHT_READ)
		return ag_fail(r, "read-only membership: this agenda cannot be changed from here");
	return 0;
}

/* Writes register KV of UID; EXISTS: it has a row (an UPDATE), else it is
 * new (a plain INSERT: one search of the table instead of an upsert's two). */
static int write_entry(struct ag_replica *r, const char *uid, const struct ag_kv *kv, bool exists)
{
	sqlite3_stmt *st;
	if (prep(r,
	         exists ? "UPDATE entries SET value=?3 WHERE uid=?1 AND key=?2"
	                : "INSERT INTO entries(uid, key, value) VALUES(?1, ?2, ?3)",
	         &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kv->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kv->value, -1, SQLITE_STATIC);
	return step_done(r, st);
}

/* The newest unsent change of UID (0: none), and its parents: the ids of
 * the sent ones before it and, when it exists, its own id so far. */
static int64_t open_change(struct ag_replica *r, const char *uid, struct ag_buf *parents)
{
	sqlite3_stmt *st;
	int64_t pid = 0;
	if (prep(r, "SELECT id, chg, sent, parents FROM pending WHERE uid=? AND kind=0 ORDER BY id",
	         &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!sqlite3_column_int(st, 2)) {
			pid = sqlite3_column_int64(st, 0);
			/* it may have been sent from a copy of this file, or before
			 * a backup came back: it gets a new id and names the old one */
			ag_buf_bytes(parents, sqlite3_column_blob(st, 3),
			             (size_t)sqlite3_column_bytes(st, 3));
			ag_buf_u64le(parents, (uint64_t)sqlite3_column_int64(st, 1));
			break;
		}
		ag_buf_u64le(parents, (uint64_t)sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	if (parents->len > 8 * AG_MAX_PARENTS) /* the newest ones */
		ag_buf_consume(parents, parents->len - 8 * AG_MAX_PARENTS);
	return pid;
}

/* Stale keys of UID (a newer server value skipped): all of them for a
 * delete, else those the change writes. Encoded key, seq pairs. */
static int stale_blob(struct ag_replica *r, const char *uid, int64_t pid, bool all,
                      struct ag_buf *out)
{
	sqlite3_stmt *st;
	const char *sql = all ? "SELECT key, seq FROM entries WHERE uid=?1 AND stale=1"
	                      : "SELECT e.key, e.seq FROM entries e JOIN pending_entries p ON"
	                        " p.key=e.key WHERE e.uid=?1 AND p.pid=?2 AND e.stale=1";
	if (prep(r, sql, &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ag_buf_str(out, ag_db_text(st, 0));
		ag_buf_varint(out, (uint64_t)sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	return out->oom ? ag_fail(r, "out of memory") : 0;
}

/* The stale keys of a change not queued yet that writes KV: those of KV
 * (all for a delete). FRESH: UID had no registers before it, so none is
 * stale (what was just written is not). */
static int stale_new(struct ag_replica *r, const char *uid, const struct ag_kvs *kv, bool all,
                     bool fresh, struct ag_buf *out)
{
	sqlite3_stmt *st;
	if (fresh)
		return 0;
	if (prep(r, "SELECT key, seq FROM entries WHERE uid=?1 AND stale=1", &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!all && !ag_kvs_find(kv, ag_db_text(st, 0)))
			continue;
		ag_buf_str(out, ag_db_text(st, 0));
		ag_buf_varint(out, (uint64_t)sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	return out->oom ? ag_fail(r, "out of memory") : 0;
}

/* The entries of a new change, up to 8 per statement (a statement per
 * entry was a fifth of an import's instructions): ?1 the change, ?2 the
 * time, then a key and a value per entry. */
#define PE_ROW(k, v) ",(?1,?" #k ",?" #v ",?2)"
#define PE_1         "INSERT INTO pending_entries(pid, key, value, mtime) VALUES(?1,?3,?4,?2)"
#define PE_2         PE_1 PE_ROW(5, 6)
#define PE_3         PE_2 PE_ROW(7, 8)
#define PE_4         PE_3 PE_ROW(9, 10)
#define PE_5         PE_4 PE_ROW(11, 12)
#define PE_6         PE_5 PE_ROW(13, 14)
#define PE_7         PE_6 PE_ROW(15, 16)
#define PE_8         PE_7 PE_ROW(17, 18)
static const char *const insert_entries[] = {PE_1, PE_2, PE_3, PE_4, PE_5, PE_6, PE_7, PE_8};
#define PE_MAX (sizeof(insert_entries) / sizeof(insert_entries[0]))

/* Entries I .. I+N-1 of KV into the new change PID, in one statement. */
static int insert_some(struct ag_replica *r, int64_t pid, const struct ag_kvs *kv, size_t i,
                       size_t n, int64_t now)
{
	sqlite3_stmt *st;
	if (prep(r, insert_entries[n - 1], &st))
		return -1;
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, now);
	for (size_t k = 0; k < n; k++) {
		sqlite3_bind_text(st, 3 + 2 * (int)k, kv->v[i + k].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4 + 2 * (int)k, kv->v[i + k].value, -1, SQLITE_STATIC);
	}
	return step_done(r, st);
}

/* Each key with the time it was edited: a merged change keeps the older
 * keys' times, so they do not win against edits made after them. FRESH:
 * change PID has no entries yet. */
static int queue_entries(struct ag_replica *r, int64_t pid, const struct ag_kvs *kv, int64_t now,
                         bool fresh)
{
	for (size_t i = 0; fresh && i < kv->n; i += PE_MAX)
		if (insert_some(r, pid, kv, i, kv->n - i < PE_MAX ? kv->n - i : PE_MAX, now))
			return -1;
	for (size_t i = 0; !fresh && i < kv->n; i++) {
		sqlite3_stmt *st;
		if (prep(r, "INSERT OR REPLACE INTO pending_entries VALUES(?1, ?2, ?3, ?4)", &st))
			return -1;
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, kv->v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, kv->v[i].value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		if (step_done(r, st))
			return -1;
	}
	return 0;
}

/* A new change of UID writing KV, after the sent ones PARENTS: one row,
 * written whole (its id drawn once), then its entries. *PID gets its row
 * id. */
static int new_change(struct ag_replica *r, const char *uid, const struct ag_kvs *kv, bool deleting,
                      bool fresh, const struct ag_buf *parents, int64_t *pid)
{
	struct ag_buf stale = {0};
	sqlite3_stmt *st;
	int64_t now = ag_now_ms();
	int rc = stale_new(r, uid, kv, deleting, fresh, &stale);
	if (!rc)
		rc = prep(
		    r,
		    "INSERT INTO pending(chg, kind, uid, mtime, base, parents, stale) VALUES(?1,"
		    " 0, ?2, ?3, coalesce((SELECT CAST(v AS INTEGER) FROM meta WHERE"
		    " k='anchor'), 0), ?4, ?5)",
		    &st);
	if (!rc) {
		sqlite3_bind_int64(st, 1, (int64_t)ag_random_id());
		sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_blob(st, 4, parents->data, (int)parents->len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, stale.data, (int)stale.len, SQLITE_STATIC);
		rc = step_done(r, st);
	}
	if (!rc) {
		*pid = sqlite3_last_insert_rowid(r->db);
		rc = queue_entries(r, *pid, kv, now, true);
	}
	ag_buf_finish(&stale);
	return rc;
}

/* Merges KV into the unsent change PID of UID: a new id, and its parents
 * PARENTS (the sent changes before it and its own old id). */
static int merge_change(struct ag_replica *r, int64_t pid, const char *uid, const struct ag_kvs *kv,
                        bool deleting, const struct ag_buf *parents)
{
	struct ag_buf stale = {0};
	sqlite3_stmt *st;
	int64_t now = ag_now_ms();
	int rc = queue_entries(r, pid, kv, now, false) || stale_blob(r, uid, pid, deleting, &stale);
	if (!rc && !prep(r, "UPDATE pending SET mtime=?1, stale=?2, chg=?3, parents=?4 WHERE id=?5",
	                 &st)) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_blob(st, 2, stale.data, (int)stale.len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)ag_random_id());
		sqlite3_bind_blob(st, 4, parents->data, (int)parents->len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, pid);
		rc = step_done(r, st);
	}
	ag_buf_finish(&stale);
	return rc;
}

/* Queues KV as a change of UID (a new one, or merged into the unsent
 * one). *CREATED: a new change was made; its entries are then exactly KV.
 * Returns the change's row id, or -1. */
static int64_t queue_change(struct ag_replica *r, const char *uid, const struct ag_kvs *kv,
                            bool deleting, bool fresh, bool *created)
{
	struct ag_buf parents = {0};
	int64_t pid = open_change(r, uid, &parents);
	*created = pid == 0;
	int rc = pid < 0    ? -1
	         : pid == 0 ? new_change(r, uid, kv, deleting, fresh, &parents, &pid)
	                    : merge_change(r, pid, uid, kv, deleting, &parents);
	if (rc)
		pid = -1;
	ag_buf_finish(&parents);
	return pid;
}

/* The registers of a new event UID: copies of the entries of its new
 * change PID, in one statement (a statement per register was a sixth of an
 * import's instructions). */
static int entries_from_change(struct ag_replica *r, const char *uid, int64_t pid)
{
	sqlite3_stmt *st;
	if (prep(r,
	         "INSERT INTO entries(uid, key, value) SELECT ?1, key, value FROM pending_entries"
	         " WHERE pid=?2",
	         &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	return step_done(r, st);
}

/* The registers of an event after a change: CUR (sorted, as loaded) with
 * DIFF written over it, into OUT as a shallow copy (the strings stay CUR's
 * and DIFF's: free only OUT->v). 0/-1. */
static int overlay(const struct ag_kvs *cur, const struct ag_kvs *diff, struct ag_kvs *out)
{
	memset(out, 0, sizeof(*out));
	if (ag_grow(&out->v, &out->cap, cur->n + diff->n, sizeof(*out->v)))
		return -1;
	if (cur->n)
		memcpy(out->v, cur->v, cur->n * sizeof(*cur->v));
	out->n = cur->n;
	for (size_t i = 0; i < diff->n; i++) {
		const struct ag_kv *old = ag_kvs_find(cur, diff->v[i].key);
		if (old)
			out->v[old - cur->v].value = diff->v[i].value;
		else
			out->v[out->n++] = diff->v[i];
	}
	ag_kvs_sort(out);
	return 0;
}

/* Writes DIFF (what changes) to UID's registers CUR, queues it and updates
 * the listing from the registers now held. 0/-1. */
static int apply_diff(struct ag_replica *r, const char *uid, const struct ag_kvs *cur,
                      const struct ag_kvs *diff)
{
	struct ag_kvs after;
	bool created, fresh = cur->n == 0;
	int64_t pid =
	    queue_change(r, uid, diff, ag_kvs_value(diff, AG_DELETED) != NULL, fresh, &created);
	if (pid < 0)
		return -1;
	if (fresh && created) {
		if (entries_from_change(r, uid, pid))
			return -1;
	} else {
		for (size_t i = 0; i < diff->n; i++)
			if (write_entry(r, uid, &diff->v[i],
			                ag_kvs_find(cur, diff->v[i].key) != NULL))
				return -1;
	}
	if (overlay(cur, diff, &after))
		return ag_fail(r, "out of memory");
	int rc = ag_index_put(r, uid, &after, ag_now_ms());
	free(after.v);
	return rc;
}

int ag_local_change_cur(struct ag_replica *r, const char *uid, const struct ag_kvs *cur,
                        const struct ag_kvs *kv)
{
	struct ag_kvs diff = {0};
	int rc = 0;
	for (size_t i = 0; !rc && i < kv->n; i++) {
		const struct ag_kv *old = ag_kvs_find(cur, kv->v[i].key);
		if (strcmp(old ? old->value : "", kv->v[i].value))
			rc = ag_kvs_put(&diff, kv->v[i].key, kv->v[i].value, 0)
			         ? ag_fail(r, "out of memory")
			         : 0;
	}
	if (!rc && diff.n)
		rc = apply_diff(r, uid, cur, &diff);
	bool changed = diff.n > 0;
	ag_kvs_finish(&diff);
	return rc ? -1 : changed;
}

/* ag_entries_fn: ag_local_change_cur() with the changes @kv. */
static int change_loaded(struct ag_replica *r, const char *uid, const struct ag_kvs *cur,
                         const void *kv)
{
	return ag_local_change_cur(r, uid, cur, kv);
}

int ag_local_change(struct ag_replica *r, const char *uid, const struct ag_kvs *kv)
{
	return ag_entries_with(r, uid, change_loaded, kv);
}

/* ---- the public operations ---------------------------------------------------------- */

static int change_event(struct ag_replica *r, const char *uid, bool any, const struct ag_edit *e,
                        const char *del)
{
	char *full;
	struct ag_kvs cur, kv = {0};
	if (check_writable(r) || ag_txn_begin(r))
		return -1;
	if (ag_event_find(r, uid, any, &full))
		return ag_txn_end(r, -1);
	int rc = ag_entries_load(r, full, &cur) < 0 ? -1 : 0;
	if (!rc && del)
		rc = ag_kvs_put(&kv, AG_DELETED, del, 0);
	else if (!rc)
		rc = ag_edit_kvs(r, &cur, e, &kv);
	if (!rc && ag_kvs_size(&cur) + ag_kvs_size(&kv) > AG_MAX_EVENT)
		rc = ag_fail(r, "event too large (over %u bytes)", AG_MAX_EVENT);
	if (!rc)
		rc = ag_local_change_cur(r, full, &cur, &kv) < 0 ? -1 : 0;
	ag_kvs_finish(&cur);
	ag_kvs_finish(&kv);
	free(full);
	return ag_txn_end(r, rc);
}

int ag_event_add(struct ag_replica *r, const struct ag_edit *e, char **uid_out)
{
	char uid[48];
	struct ag_kvs kv = {0};
	if (uid_out)
		*uid_out = NULL;
	if (check_writable(r))
		return -1;
	if (!e->start)
		return ag_fail(r, "a new event needs a start");
	if (ag_random_hex(uid, 12))
		return ag_fail(r, "no randomness");
	if (ag_edit_kvs(r, NULL, e, &kv) || ag_txn_begin(r)) {
		ag_kvs_finish(&kv);
		return -1;
	}
	int rc = ag_local_change(r, uid, &kv) < 0 ? -1 : 0;
	ag_kvs_finish(&kv);
	if (ag_txn_end(r, rc))
		return -1;
	if (uid_out && !(*uid_out = strdup(uid)))
		return ag_fail(r, "out of memory");
	return 0;
}

int ag_event_edit(struct ag_replica *r, const char *uid, const struct ag_edit *e)
{
	return change_event(r, uid, false, e, NULL);
}

int ag_event_delete(struct ag_replica *r, const char *uid)
{
	return change_event(r, uid, false, NULL, "1");
}

int ag_event_undelete(struct ag_replica *r, const char *uid)
{
	struct ag_event ev;
	if (ag_event_get(r, uid, true, &ev))
		return -1;
	bool deleted = ev.deleted;
	ag_event_finish(&ev);
	if (!deleted)
		return ag_fail(r, "'%s' is not deleted", uid);
	return change_event(r, uid, true, NULL, "");
}
