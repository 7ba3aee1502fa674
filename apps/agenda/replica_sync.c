/*
 * replica_sync.c - the replica's side of sync bookkeeping: the pending
 * queue (loaded, frozen once sent, dropped when acknowledged), the refetch
 * list, applying pulled pages in one transaction with their anchor, and the
 * conflict list with its resolution.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

#define PENDING_COLS                                                                               \
	"counter,kind,uid,base,mtime,mask,title,start,\"end\",allday,tz,"                          \
	"location,notes,rrule,exdate,deleted,conflict_id"

static int prep(struct ag_replica *r, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	return 0;
}

static int load_change(sqlite3_stmt *st, struct ag_change *c)
{
	memset(c, 0, sizeof(*c));
	c->counter = (uint64_t)sqlite3_column_int64(st, 0);
	c->kind = (uint8_t)sqlite3_column_int(st, 1);
	const char *uid = (const char *)sqlite3_column_text(st, 2);
	snprintf(c->ev.uid, sizeof(c->ev.uid), "%s", uid ? uid : "");
	c->base = (uint64_t)sqlite3_column_int64(st, 3);
	c->mtime = sqlite3_column_int64(st, 4);
	c->mask = (unsigned)sqlite3_column_int(st, 5) & AG_MASK_ALL;
	c->conflict_id = sqlite3_column_int64(st, 16);
	return c->kind == AG_CH_EVENT ? ag_db_load_fields(st, 6, &c->ev) : 0;
}

int ag_pending_load(struct ag_replica *r, struct ag_change *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	*n = 0;
	if (prep(r,
	         "SELECT " PENDING_COLS " FROM pending ORDER BY counter "
	         "LIMIT ?",
	         &st))
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)max);
	int rc = 0;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW) {
		rc = load_change(st, &out[*n]);
		(*n)++;
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	return rc ? ag_fail(r, "out of memory") : 0;
}

int ag_pending_mark_sent(struct ag_replica *r, uint64_t counter)
{
	sqlite3_stmt *st;
	if (prep(r, "UPDATE pending SET sent=1 WHERE counter<=?", &st))
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)counter);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

static int exec_uid(struct ag_replica *r, const char *sql, const char *uid)
{
	sqlite3_stmt *st;
	if (prep(r, sql, &st))
		return -1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc ? ag_fail(r, "%s", sqlite3_errmsg(r->db)) : 0;
}

static int ack_one(struct ag_replica *r, const struct ag_ack *a, const struct ag_change *c,
                   struct ag_sync_stats *st)
{
	sqlite3_stmt *del;
	if (prep(r, "DELETE FROM pending WHERE counter=?", &del))
		return -1;
	sqlite3_bind_int64(del, 1, (int64_t)a->counter);
	int rc = sqlite3_step(del) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(del);
	if (rc)
		return ag_fail(r, "%s", sqlite3_errmsg(r->db));
	if (a->status == AG_ST_CONFLICT)
		st->conflicts++;
	if (a->status == AG_ST_REJECTED)
		st->rejected++;
	if (a->status >= AG_ST_CONFLICT && c->kind == AG_CH_EVENT)
		return exec_uid(r, "INSERT OR IGNORE INTO refetch VALUES(?)", c->ev.uid);
	return 0;
}

int ag_pending_acked(struct ag_replica *r, const struct ag_msg_ack *ack,
                     const struct ag_change *sent, size_t n, struct ag_sync_stats *st)
{
	if (ack->n != n)
		return ag_fail(r, "server acknowledged %zu of %zu changes", ack->n, n);
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		return ag_fail(r, "database busy");
	for (size_t i = 0; i < n; i++) {
		if (ack->a[i].counter != sent[i].counter || ack_one(r, &ack->a[i], &sent[i], st))
			goto err_txn;
		st->pushed++;
	}
	if (ag_db_exec(r->db, "COMMIT"))
		goto err_txn;
	return 0;
err_txn:
	ag_db_exec(r->db, "ROLLBACK");
	return ag_fail(r, "bad acknowledgement");
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
		if (((*uids)[*n] = strdup((const char *)sqlite3_column_text(st, 0))))
			(*n)++;
	sqlite3_finalize(st);
	return 0;
}

/* ---- applying pulled pages ------------------------------------------------- */

struct apply_ctx {
	struct ag_replica *r;
	sqlite3_stmt *get, *mask, *put, *del, *conf;
};

static unsigned pending_mask(struct apply_ctx *x, const char *uid)
{
	sqlite3_reset(x->mask);
	sqlite3_bind_text(x->mask, 1, uid, -1, SQLITE_STATIC);
	unsigned mask = 0;
	while (sqlite3_step(x->mask) == SQLITE_ROW)
		mask |= (unsigned)sqlite3_column_int(x->mask, 0);
	return mask;
}

static int load_local(struct apply_ctx *x, const char *uid, struct ag_event *ev)
{
	sqlite3_reset(x->get);
	sqlite3_bind_text(x->get, 1, uid, -1, SQLITE_STATIC);
	snprintf(ev->uid, sizeof(ev->uid), "%s", uid);
	if (sqlite3_step(x->get) != SQLITE_ROW)
		return 0;
	if (ag_db_load_fields(x->get, 0, ev))
		return -1;
	ev->version = sqlite3_column_int64(x->get, 10);
	ev->mtime = sqlite3_column_int64(x->get, 11);
	return 0;
}

/* Server values win except where a local change is still pending. */
static int apply_event(struct apply_ctx *x, const struct ag_record *rec)
{
	struct ag_event ev = {0};
	unsigned keep = pending_mask(x, rec->ev.uid);
	int rc = -1;
	if (load_local(x, rec->ev.uid, &ev))
		goto out;
	for (int f = 0; f < AG_NFIELDS; f++)
		if ((rec->mask & ~keep & AG_MASK(f)) && ag_ev_field_copy(&ev, &rec->ev, f))
			goto out;
	if (rec->ev.version > ev.version)
		ev.version = rec->ev.version;
	if (rec->ev.mtime > ev.mtime)
		ev.mtime = rec->ev.mtime;
	sqlite3_stmt *st = ev.deleted && !keep ? x->del : x->put;
	sqlite3_reset(st);
	if (st == x->put) {
		ag_db_bind_fields(st, 1, &ev);
		sqlite3_bind_int64(st, 11, ev.version);
		sqlite3_bind_int64(st, 12, ev.mtime);
	}
	sqlite3_bind_text(st, st == x->put ? 13 : 1, ev.uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
out:
	ag_event_finish(&ev);
	return rc;
}

static int apply_conflict(struct apply_ctx *x, const struct ag_conflict_rec *c)
{
	sqlite3_stmt *st = x->conf;
	struct ag_event *v = (struct ag_event *)&c->val;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_text(st, 2, c->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->field);
	if (ag_fields[c->field].kind == AG_STR)
		sqlite3_bind_text(st, 4, *ag_ev_str(v, c->field) ? *ag_ev_str(v, c->field) : "", -1,
		                  SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 5, *ag_ev_int(v, c->field));
	sqlite3_bind_int64(st, 6, (int64_t)c->loser);
	sqlite3_bind_int64(st, 7, c->loser_mtime);
	sqlite3_bind_int(st, 8, c->resolved);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static const char *const apply_sql[5] = {
    "SELECT title,start,\"end\",allday,tz,location,notes,rrule,exdate,"
    "deleted,version,mtime FROM events WHERE uid=?",
    "SELECT mask FROM pending WHERE uid=? AND kind=0",
    "INSERT OR REPLACE INTO events(title,start,\"end\",allday,tz,location,"
    "notes,rrule,exdate,deleted,version,mtime,uid) VALUES(?,?,?,?,?,?,?,?,"
    "?,?,?,?,?)",
    "DELETE FROM events WHERE uid=?",
    "INSERT OR REPLACE INTO conflicts(id,uid,fld,sval,ival,loser,"
    "loser_mtime,resolved) VALUES(?,?,?,?,?,?,?,?)",
};

static int apply_records(struct apply_ctx *x, const struct ag_msg_page *page)
{
	sqlite3_stmt **sts[5] = {&x->get, &x->mask, &x->put, &x->del, &x->conf};
	for (int i = 0; i < 5; i++)
		if (prep(x->r, apply_sql[i], sts[i]))
			return -1;
	for (size_t i = 0; i < page->n; i++) {
		const struct ag_record *rec = &page->rec[i];
		int rc =
		    rec->kind == AG_REC_EVENT ? apply_event(x, rec) : apply_conflict(x, &rec->conf);
		if (rc)
			return ag_fail(x->r, "%s", sqlite3_errmsg(x->r->db));
	}
	return 0;
}

int ag_page_apply(struct ag_replica *r, const struct ag_msg_page *page, char **refetched,
                  size_t nref)
{
	struct apply_ctx x = {.r = r};
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		return ag_fail(r, "database busy");
	int rc = apply_records(&x, page);
	for (size_t i = 0; !rc && i < nref; i++)
		rc = exec_uid(r, "DELETE FROM refetch WHERE uid=?", refetched[i]);
	if (!rc)
		rc = ag_meta_set_int(r, "anchor", (int64_t)page->anchor);
	sqlite3_finalize(x.get);
	sqlite3_finalize(x.mask);
	sqlite3_finalize(x.put);
	sqlite3_finalize(x.del);
	sqlite3_finalize(x.conf);
	if (rc || ag_db_exec(r->db, "COMMIT")) {
		ag_db_exec(r->db, "ROLLBACK");
		return -1;
	}
	return 0;
}

/* ---- conflicts ------------------------------------------------------------ */

static int load_conflict(sqlite3_stmt *st, struct ag_conflict *c)
{
	char num[32];
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	snprintf(c->uid, sizeof(c->uid), "%s", (const char *)sqlite3_column_text(st, 1));
	c->field = (enum ag_field)sqlite3_column_int(st, 2);
	if ((unsigned)c->field >= AG_NFIELDS)
		c->field = AG_F_TITLE;
	const char *v = (const char *)sqlite3_column_text(st, 3);
	if (ag_fields[c->field].kind == AG_INT) {
		snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, 4));
		v = num;
	}
	c->value = strdup(v ? v : "");
	c->loser = (uint64_t)sqlite3_column_int64(st, 5);
	c->loser_mtime = sqlite3_column_int64(st, 6);
	const char *t = (const char *)sqlite3_column_text(st, 7);
	c->title = strdup(t ? t : "(deleted)");
	return c->value && c->title ? 0 : -1;
}

int ag_conflicts(struct ag_replica *r, struct ag_conflict **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = 0;
	*out = NULL;
	*n = 0;
	if (prep(r,
	         "SELECT c.id,c.uid,c.fld,c.sval,c.ival,c.loser,"
	         "c.loser_mtime,e.title FROM conflicts c LEFT JOIN events e "
	         "ON e.uid=c.uid WHERE c.resolved=0 ORDER BY c.id",
	         &st))
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct ag_conflict *p = realloc(*out, cap * sizeof(*p));
			if (!p) {
				rc = -1;
				break;
			}
			*out = p;
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
		free(c[i].value);
		free(c[i].title);
	}
	free(c);
}

/* Applies the losing value of conflict C as a new local edit. */
static int take_loser(struct ag_replica *r, const struct ag_conflict *c)
{
	struct ag_event cur, val = {0};
	if (ag_event_get(r, c->uid, &cur))
		return -1;
	if (ag_fields[c->field].kind == AG_INT)
		*ag_ev_int(&val, c->field) = strtoll(c->value, NULL, 10);
	else
		*ag_ev_str(&val, c->field) = c->value;
	int rc = ag_edit_locked(r, &cur, &val, AG_MASK(c->field));
	ag_event_finish(&cur);
	return rc;
}

static int queue_resolve(struct ag_replica *r, int64_t id)
{
	sqlite3_stmt *st;
	int64_t counter = ag_meta_int(r, "counter", 0) + 1;
	if (ag_meta_set_int(r, "counter", counter) ||
	    prep(r,
	         "INSERT INTO pending(counter,kind,uid,base,mtime,mask,"
	         "conflict_id) VALUES(?,1,'',0,0,0,?)",
	         &st))
		return -1;
	sqlite3_bind_int64(st, 1, counter);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (rc || prep(r, "UPDATE conflicts SET resolved=1 WHERE id=?", &st))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int ag_conflict_resolve(struct ag_replica *r, int64_t id, bool take_loser_value)
{
	struct ag_conflict *cs;
	size_t n;
	int rc = -1;
	if (ag_conflicts(r, &cs, &n))
		return -1;
	const struct ag_conflict *c = NULL;
	for (size_t i = 0; i < n; i++)
		if (cs[i].id == id)
			c = &cs[i];
	if (!c) {
		ag_conflicts_free(cs, n);
		return ag_fail(r, "no open conflict %lld", (long long)id);
	}
	if (ag_db_exec(r->db, "BEGIN IMMEDIATE"))
		goto out;
	rc = (take_loser_value && take_loser(r, c)) || queue_resolve(r, id);
	if (rc || ag_db_exec(r->db, "COMMIT")) {
		ag_db_exec(r->db, "ROLLBACK");
		rc = -1;
	}
out:
	ag_conflicts_free(cs, n);
	return rc ? -1 : 0;
}
