/*
 * store_push.c - the merge rules of SYNC.md section 2, applied by agendad
 * to one change at a time: duplicates recognised by the change's id (per
 * user), concurrency judged per register from the change's causal context,
 * same-key conflicts decided once (later author clock, then larger change
 * id) with the loser kept as a conflict record, deletes refused against
 * concurrent edits, edits reviving deleted events whole.
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

struct reg {
	bool exists;
	char *value;
	int64_t seq, mtime;
	uint64_t chg;
	char *author;
	uint64_t parents[AG_MAX_PARENTS]; /* of the change that wrote it */
	size_t nparents;
};

struct apply {
	struct ag_store *s;
	const struct ag_push_ctx *x;
	const struct ag_change *c;
	int64_t eid, created, version, mtime, size, nkeys;
	bool deleted, was_deleted;
	int64_t seq; /* this change's sequence number */
	int status;
	bool changed;
};

static void reg_finish(struct reg *r)
{
	free(r->value);
	free(r->author);
	memset(r, 0, sizeof(*r));
}

/* ---- duplicates ------------------------------------------------------------------ */

static int seen_lookup(struct ag_store *s, const struct ag_push_ctx *x, uint64_t chg,
                       struct ag_ack *ack)
{
	sqlite3_stmt *st = ag_store_stmt(s, AG_S_SEEN_GET);
	sqlite3_bind_int64(st, 1, x->user_id);
	sqlite3_bind_int64(st, 2, (int64_t)chg);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ack->seq = (uint64_t)sqlite3_column_int64(st, 0);
		ack->status = (uint8_t)sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int seen_store(struct ag_store *s, const struct ag_push_ctx *x, uint64_t chg,
                      const struct ag_ack *ack, bool keep_first)
{
	sqlite3_stmt *st = ag_store_stmt(s, keep_first ? AG_S_SEEN_ADD : AG_S_SEEN_PUT);
	sqlite3_bind_int64(st, 1, x->user_id);
	sqlite3_bind_int64(st, 2, (int64_t)chg);
	sqlite3_bind_int64(st, 3, (int64_t)ack->seq);
	sqlite3_bind_int(st, 4, ack->status);
	sqlite3_bind_int64(st, 5, x->now_ms);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

/* ---- events and registers ----------------------------------------------------------- */

/* 1 found, 0 absent, -1 error */
static int event_load(struct apply *a)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_EVENT_GET);
	sqlite3_bind_int64(st, 1, a->x->aid);
	sqlite3_bind_text(st, 2, a->c->uid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		a->eid = sqlite3_column_int64(st, 0);
		a->created = sqlite3_column_int64(st, 1);
		a->deleted = a->was_deleted = sqlite3_column_int(st, 2);
		a->version = sqlite3_column_int64(st, 3);
		a->mtime = sqlite3_column_int64(st, 4);
		a->size = sqlite3_column_int64(st, 5);
		a->nkeys = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int event_create(struct apply *a)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_EVENT_NEW);
	sqlite3_bind_int64(st, 1, a->x->aid);
	sqlite3_bind_text(st, 2, a->c->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->seq);
	sqlite3_bind_int64(st, 4, a->c->mtime);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	a->eid = sqlite3_last_insert_rowid(a->s->db);
	a->created = a->version = a->seq;
	a->mtime = a->c->mtime;
	return rc;
}

static int event_save(struct apply *a)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_EVENT_SET);
	sqlite3_bind_int64(st, 1, a->eid);
	sqlite3_bind_int(st, 2, a->deleted);
	sqlite3_bind_int64(st, 3, a->deleted ? a->x->now_ms : 0);
	sqlite3_bind_int64(st, 4, a->version);
	sqlite3_bind_int64(st, 5, a->mtime);
	sqlite3_bind_int64(st, 6, a->size);
	sqlite3_bind_int64(st, 7, a->nkeys);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

static int reg_load(struct apply *a, const char *key, struct reg *r)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_REG_GET);
	memset(r, 0, sizeof(*r));
	sqlite3_bind_int64(st, 1, a->eid);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->exists = true;
		r->value = strdup(ag_db_text(st, 0));
		r->seq = sqlite3_column_int64(st, 1);
		r->mtime = sqlite3_column_int64(st, 2);
		r->chg = (uint64_t)sqlite3_column_int64(st, 3);
		r->author = strdup(ag_db_text(st, 4));
		struct ag_rd p = {.p = sqlite3_column_blob(st, 5),
		                  .len = (size_t)sqlite3_column_bytes(st, 5)};
		while (ag_rd_left(&p) >= 8 && r->nparents < AG_MAX_PARENTS)
			r->parents[r->nparents++] = ag_rd_u64le(&p);
	} else {
		r->value = strdup("");
		r->author = strdup("");
	}
	sqlite3_reset(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) && r->value && r->author ? 0 : -1;
}

/* Writes KEY = VALUE, edited at MTIME (author clock). */
static int reg_write(struct apply *a, const char *key, const char *value, int64_t mtime,
                     const struct reg *old)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_REG_PUT);
	size_t kl = strlen(key);
	sqlite3_bind_int64(st, 1, a->eid);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->x->aid);
	sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, a->seq);
	sqlite3_bind_int64(st, 6, mtime);
	sqlite3_bind_int64(st, 7, (int64_t)a->c->id);
	sqlite3_bind_text(st, 8, a->x->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t)a->x->session);
	uint8_t parents[8 * AG_MAX_PARENTS];
	for (size_t i = 0; i < a->c->nparents; i++)
		for (int b = 0; b < 8; b++)
			parents[8 * i + b] = (uint8_t)(a->c->parents[i] >> (8 * b));
	sqlite3_bind_blob(st, 10, parents, (int)(8 * a->c->nparents), SQLITE_TRANSIENT);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	a->size += (*value ? (int64_t)(kl + strlen(value)) : 0) -
	           (*old->value ? (int64_t)(kl + strlen(old->value)) : 0);
	a->nkeys += !old->exists;
	a->changed = true;
	if (mtime > a->mtime)
		a->mtime = mtime;
	return rc;
}

static int conflict_add(struct apply *a, const char *key, const char *value, const char *loser,
                        int64_t loser_mtime)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_CONF_ADD);
	sqlite3_bind_int64(st, 1, a->x->aid);
	sqlite3_bind_text(st, 2, a->c->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, loser, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, loser_mtime);
	sqlite3_bind_int64(st, 7, ++a->s->seq); /* records get their own numbers */
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

/* ---- the rules --------------------------------------------------------------------- */

/* Someone wrote R and the author of the change had not seen it. */
static bool concurrent(const struct apply *a, const char *key, const struct reg *r)
{
	const struct ag_change *c = a->c;
	const struct ag_kv *st = ag_kvs_find(&c->stale, key);
	int64_t base = st ? st->seq : (int64_t)c->base;
	if (!r->exists || r->seq <= base || r->chg == c->id)
		return false;
	for (size_t i = 0; i < c->nparents; i++)
		if (r->chg == c->parents[i])
			return false;
	return true;
}

/* The change that wrote R came after the incoming one, and knew it: the
 * incoming change arrives late (from a copy of its author's file) and its
 * values are already overwritten. */
static bool descends_from(const struct reg *r, uint64_t chg)
{
	for (size_t i = 0; i < r->nparents; i++)
		if (r->parents[i] == chg)
			return true;
	return false;
}

static bool incoming_wins(const struct apply *a, const struct ag_kv *kv, const struct reg *r)
{
	if (kv->mtime != r->mtime)
		return kv->mtime > r->mtime;
	return a->c->id > r->chg;
}

static int apply_entry(struct apply *a, const struct ag_kv *kv)
{
	struct reg r;
	int rc = reg_load(a, kv->key, &r);
	if (rc || descends_from(&r, a->c->id))
		goto out;                  /* stale: a later change of its author wrote this key */
	if (!strcmp(r.value, kv->value)) { /* rule 1: the same value writes nothing */
		if (!r.exists) {           /* ... but a removal leaves its mark (SYNC.md rule 1) */
			bool changed = a->changed;
			rc = reg_write(a, kv->key, "", kv->mtime, &r);
			a->changed = changed; /* it revives nothing */
		}
		goto out;
	}
	if (concurrent(a, kv->key, &r)) {
		if (!incoming_wins(a, kv, &r)) {
			a->status = AG_ST_CONFLICT;
			rc = conflict_add(a, kv->key, kv->value, a->x->user, kv->mtime);
			goto out;
		}
		rc = conflict_add(a, kv->key, r.value, r.author, r.mtime);
	}
	if (!rc)
		rc = reg_write(a, kv->key, kv->value, kv->mtime, &r);
out:
	reg_finish(&r);
	return rc;
}

/* Rule 5: refused when any register is concurrent with the delete. */
static int apply_delete(struct apply *a)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_REG_ALL);
	bool refuse = false;
	sqlite3_bind_int64(st, 1, a->eid);
	int rc;
	while (!refuse && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct reg r = {.exists = true,
		                .seq = sqlite3_column_int64(st, 2),
		                .chg = (uint64_t)sqlite3_column_int64(st, 4)};
		const char *key = ag_db_text(st, 0);
		refuse = strcmp(key, AG_DELETED) && concurrent(a, key, &r);
	}
	sqlite3_reset(st);
	if (refuse) {
		a->status = AG_ST_CONFLICT;
		return conflict_add(a, AG_DELETED, "1", a->x->user, a->c->mtime);
	}
	struct reg old;
	if (reg_load(a, AG_DELETED, &old))
		return -1;
	rc = strcmp(old.value, "1") ? reg_write(a, AG_DELETED, "1", a->c->mtime, &old) : 0;
	reg_finish(&old);
	a->deleted = true;
	return rc;
}

/* Rule 6: a change that altered a deleted event brings it back whole. */
static int revive(struct apply *a)
{
	struct reg old;
	if (reg_load(a, AG_DELETED, &old))
		return -1;
	if (descends_from(&old, a->c->id)) { /* deleted by someone who saw this */
		reg_finish(&old);
		return 0;
	}
	int rc = 0;
	if (concurrent(a, AG_DELETED, &old))
		rc = conflict_add(a, AG_DELETED, "1", old.author, old.mtime);
	if (!rc)
		rc = reg_write(a, AG_DELETED, "", a->c->mtime, &old);
	reg_finish(&old);
	a->deleted = false;
	a->status = AG_ST_CONFLICT; /* the author refetches: it may have hidden it */
	return rc;
}

static int apply_event(struct apply *a)
{
	const struct ag_kv *del = ag_kvs_find(&a->c->entries, AG_DELETED);
	bool deleting = del && !strcmp(del->value, "1");
	int rc = event_load(a);
	if (rc < 0)
		return -1;
	/* an event never seen here: even a bare delete is kept (a tombstone),
	 * for its creation may still come from a copy of the deleter's file */
	if (rc == 0 && event_create(a))
		return -1;
	for (size_t i = 0; i < a->c->entries.n; i++) {
		const struct ag_kv *kv = &a->c->entries.v[i];
		if (strcmp(kv->key, AG_DELETED) && apply_entry(a, kv))
			return -1;
	}
	if (del && !deleting) {
		if (apply_entry(a, del))
			return -1;
		a->deleted = false;
	}
	if (deleting && apply_delete(a))
		return -1;
	if (a->changed && a->was_deleted && a->deleted && !del && revive(a))
		return -1;
	if (a->size > AG_MAX_EVENT || a->nkeys > AG_EVENT_KEYS)
		return 1;
	if (a->changed || a->deleted != a->was_deleted)
		a->version = a->seq;
	return event_save(a);
}

static int apply_resolve(struct apply *a)
{
	sqlite3_stmt *st = ag_store_stmt(a->s, AG_S_CONF_RESOLVE);
	sqlite3_bind_int64(st, 1, a->seq);
	sqlite3_bind_int64(st, 2, a->x->now_ms);
	sqlite3_bind_int64(st, 3, a->c->conflict);
	sqlite3_bind_int64(st, 4, a->x->aid);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	if (!rc && sqlite3_changes(a->s->db) == 0)
		a->status = AG_ST_INVALID;
	return rc;
}

static int seq_save(struct ag_store *s)
{
	sqlite3_stmt *st = ag_store_stmt(s, AG_S_SEQ_SET);
	sqlite3_bind_int64(st, 1, s->seq);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

int ag_store_apply(struct ag_store *s, const struct ag_push_ctx *x, const struct ag_change *c,
                   struct ag_ack *ack)
{
	struct apply a = {.s = s, .x = x, .c = c, .status = AG_ST_OK};
	int64_t seq0 = s->seq;
	memset(ack, 0, sizeof(*ack));
	int dup = seen_lookup(s, x, c->id, ack);
	if (dup)
		return dup < 0 ? -1 : 0; /* the first outcome again */
	if (x->rights != AG_RIGHT_RW) {
		ack->status = AG_ST_REJECTED;
		return 0;
	}
	if (ag_db_exec(s->db, "SAVEPOINT change"))
		return -1;
	a.seq = ++s->seq;
	int rc = c->kind == AG_CH_RESOLVE ? apply_resolve(&a) : apply_event(&a);
	if (rc > 0) { /* too large: nothing of it stays */
		ag_db_exec(s->db, "ROLLBACK TO change");
		s->seq = seq0 + 1;
		a.status = AG_ST_INVALID;
		rc = 0;
	}
	ack->status = (uint8_t)a.status;
	ack->seq = (uint64_t)a.seq;
	if (rc || seen_store(s, x, c->id, ack, false) || seq_save(s))
		goto err_change;
	/* its parents are older versions of it or changes it followed: one that
	 * arrives now (from a backup or a copy) is superseded, refetch it */
	struct ag_ack older = {.seq = ack->seq, .status = AG_ST_CONFLICT};
	for (size_t i = 0;
	     c->kind != AG_CH_RESOLVE && ack->status <= AG_ST_CONFLICT && i < c->nparents; i++)
		if (seen_store(s, x, c->parents[i], &older, true))
			goto err_change;
	return ag_db_exec(s->db, "RELEASE change");
err_change:
	ag_db_exec(s->db, "ROLLBACK TO change; RELEASE change");
	s->seq = seq0;
	return -1;
}
