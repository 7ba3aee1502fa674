/*
 * store_server.c - agendad's SQLite store: users and memberships, events
 * with per-field metadata (sequence, author clock, author replica), conflict
 * records, per-replica push high-water marks, and the merge rules of
 * SYNC.md section 5. Every push runs in one transaction that is committed
 * with synchronous=FULL before the caller may acknowledge it.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <stdlib.h>
#include <string.h>

struct fmeta {
	int64_t seq, mtime;
	uint64_t origin;
};

struct srv_event {
	struct ag_event ev;
	int64_t created;
	struct fmeta m[AG_NFIELDS];
};

enum stmt_id {
	S_GET,
	S_PUT,
	S_HWM_GET,
	S_HWM_SET,
	S_SEQ_SET,
	S_CONF_ADD,
	S_CONF_RESOLVE,
	S_PAGE_EV,
	S_PAGE_CONF,
	S_AUTH,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_GET] = "SELECT title,start,\"end\",allday,tz,location,notes,rrule,"
              "exdate,deleted,version,created,mtime,meta,uid FROM events "
              "WHERE agenda=?1 AND uid=?2",
    [S_PUT] = "INSERT OR REPLACE INTO events(agenda,uid,title,start,\"end\","
              "allday,tz,location,notes,rrule,exdate,deleted,version,"
              "created,mtime,meta) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
              "?11,?12,?13,?14,?15,?16)",
    [S_HWM_GET] = "SELECT hwm FROM replicas WHERE id=?1",
    [S_HWM_SET] = "INSERT OR REPLACE INTO replicas(id,hwm) VALUES(?1,?2)",
    [S_SEQ_SET] = "UPDATE state SET v=?1 WHERE k='seq'",
    [S_CONF_ADD] = "INSERT INTO conflicts(agenda,uid,fld,sval,ival,loser,"
                   "loser_mtime,seq,resolved) VALUES(?1,?2,?3,?4,?5,?6,?7,"
                   "?8,0)",
    [S_CONF_RESOLVE] = "UPDATE conflicts SET resolved=1,seq=?1 WHERE id=?2 "
                       "AND agenda=?3",
    [S_PAGE_EV] = "SELECT title,start,\"end\",allday,tz,location,notes,"
                  "rrule,exdate,deleted,version,created,mtime,meta,uid FROM "
                  "events WHERE agenda=?1 AND version>?2 AND NOT (deleted=1 "
                  "AND created>?2) ORDER BY version LIMIT ?3",
    [S_PAGE_CONF] = "SELECT id,uid,fld,sval,ival,loser,loser_mtime,"
                    "resolved,seq FROM conflicts WHERE agenda=?1 AND seq>?2 "
                    "ORDER BY seq LIMIT ?3",
    [S_AUTH] = "SELECT u.token,m.rights FROM users u JOIN members m ON "
               "m.user=u.name WHERE u.name=?1 AND m.agenda=?2",
};

static const char schema[] = "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY,"
                             " token TEXT NOT NULL);"
                             "CREATE TABLE IF NOT EXISTS members(agenda TEXT, user TEXT,"
                             " rights INTEGER, PRIMARY KEY(agenda,user));"
                             "CREATE TABLE IF NOT EXISTS state(k TEXT PRIMARY KEY, v INTEGER);"
                             "INSERT OR IGNORE INTO state VALUES('seq',0);"
                             "CREATE TABLE IF NOT EXISTS events(agenda TEXT, uid TEXT, title TEXT,"
                             " start INTEGER, \"end\" INTEGER, allday INTEGER, tz TEXT,"
                             " location TEXT, notes TEXT, rrule TEXT, exdate TEXT, deleted INTEGER,"
                             " version INTEGER, created INTEGER, mtime INTEGER, meta BLOB,"
                             " PRIMARY KEY(agenda,uid));"
                             "CREATE INDEX IF NOT EXISTS events_v ON events(agenda,version);"
                             "CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY,"
                             " agenda TEXT, uid TEXT, fld INTEGER, sval TEXT, ival INTEGER,"
                             " loser INTEGER, loser_mtime INTEGER, seq INTEGER, resolved INTEGER);"
                             "CREATE INDEX IF NOT EXISTS conflicts_s ON conflicts(agenda,seq);"
                             "CREATE TABLE IF NOT EXISTS replicas(id INTEGER PRIMARY KEY,"
                             " hwm INTEGER);";

struct ag_store {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	int64_t seq; /* last sequence number handed out */
};

static sqlite3_stmt *stmt(struct ag_store *s, enum stmt_id id)
{
	sqlite3_stmt *st = s->st[id];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int load_seq(struct ag_store *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT v FROM state WHERE k='seq'", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	s->seq = rc ? 0 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int ag_store_open(const char *path, struct ag_store **out, char *err, size_t errlen)
{
	struct ag_store *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	if (ag_db_open(path, &s->db, err, errlen))
		goto err_store;
	if (ag_db_exec(s->db, schema))
		goto err_sql;
	for (int i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
		                       NULL) != SQLITE_OK)
			goto err_sql;
	if (load_seq(s))
		goto err_sql;
	*out = s;
	return 0;
err_sql:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
err_store:
	ag_store_close(s);
	return -1;
}

void ag_store_close(struct ag_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

/* ---- users ---------------------------------------------------------------- */

int ag_store_adduser(struct ag_store *s, const char *name, char *token)
{
	sqlite3_stmt *st;
	if (ag_random_hex(token, 16))
		return -1;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO users VALUES(?,?)", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int ag_store_grant(struct ag_store *s, const char *user, const char *agenda, int rights)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO members VALUES(?,?,?)", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, agenda, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, rights);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int ag_store_auth(struct ag_store *s, const char *user, const uint8_t *token, size_t token_len,
                  const char *agenda)
{
	sqlite3_stmt *st = stmt(s, S_AUTH);
	char hex[2 * AG_MAX_TOKEN + 1] = "";
	int rights = AG_RIGHT_NONE;

	xp_hex_encode(token, token_len < AG_MAX_TOKEN ? token_len : AG_MAX_TOKEN, hex, sizeof(hex));
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, agenda, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *want = (const char *)sqlite3_column_text(st, 0);
		/* compare every byte so timing does not reveal a prefix */
		size_t n = want ? strlen(want) : 0;
		unsigned diff = n != strlen(hex) || n == 0;
		for (size_t i = 0; i < n && i < sizeof(hex); i++)
			diff |= (unsigned)(want[i] ^ hex[i]);
		if (!diff)
			rights = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return rights;
}

/* ---- events ---------------------------------------------------------------- */

static void meta_encode(struct ag_buf *b, const struct fmeta *m)
{
	for (int f = 0; f < AG_NFIELDS; f++) {
		ag_buf_varint(b, (uint64_t)m[f].seq);
		ag_buf_svarint(b, m[f].mtime);
		ag_buf_u64le(b, m[f].origin);
	}
}

static int meta_decode(const void *blob, int len, struct fmeta *m)
{
	struct ag_rd r = {.p = blob, .len = len > 0 ? (size_t)len : 0};
	for (int f = 0; f < AG_NFIELDS; f++) {
		m[f].seq = (int64_t)(ag_rd_varint(&r) & INT64_MAX);
		m[f].mtime = ag_rd_svarint(&r);
		m[f].origin = ag_rd_u64le(&r);
	}
	return r.err ? -1 : 0;
}

/* Loads an event row (columns as in S_GET) into E. */
static int row_load(sqlite3_stmt *st, struct srv_event *e)
{
	if (ag_db_load_fields(st, 0, &e->ev))
		return -1;
	e->ev.version = sqlite3_column_int64(st, 10);
	e->created = sqlite3_column_int64(st, 11);
	e->ev.mtime = sqlite3_column_int64(st, 12);
	const char *uid = (const char *)sqlite3_column_text(st, 14);
	snprintf(e->ev.uid, sizeof(e->ev.uid), "%s", uid ? uid : "");
	return meta_decode(sqlite3_column_blob(st, 13), sqlite3_column_bytes(st, 13), e->m);
}

/* 1 found, 0 absent, -1 error */
static int event_get(struct ag_store *s, const char *agenda, const char *uid, struct srv_event *e)
{
	sqlite3_stmt *st = stmt(s, S_GET);
	sqlite3_bind_text(st, 1, agenda, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || row_load(st, e))
		return -1;
	return 1;
}

static int event_put(struct ag_store *s, const char *agenda, const struct srv_event *e)
{
	sqlite3_stmt *st = stmt(s, S_PUT);
	struct ag_buf meta = {0};
	meta_encode(&meta, e->m);
	if (meta.oom)
		return -1;
	sqlite3_bind_text(st, 1, agenda, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->ev.uid, -1, SQLITE_STATIC);
	ag_db_bind_fields(st, 3, &e->ev);
	sqlite3_bind_int64(st, 13, e->ev.version);
	sqlite3_bind_int64(st, 14, e->created);
	sqlite3_bind_int64(st, 15, e->ev.mtime);
	sqlite3_bind_blob(st, 16, meta.data, (int)meta.len, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	ag_buf_finish(&meta);
	return rc;
}

/* Records the value of field F in V as a conflict loser. */
static int conflict_add(struct ag_store *s, const char *agenda, const char *uid, int f,
                        const struct ag_event *v, uint64_t loser, int64_t loser_mtime)
{
	sqlite3_stmt *st = stmt(s, S_CONF_ADD);
	struct ag_event *mv = (struct ag_event *)v;
	sqlite3_bind_text(st, 1, agenda, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f);
	if (ag_fields[f].kind == AG_STR) {
		const char *sv = *ag_ev_str(mv, f);
		sqlite3_bind_text(st, 4, sv ? sv : "", -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int64(st, 5, *ag_ev_int(mv, f));
	}
	sqlite3_bind_int64(st, 6, (int64_t)loser);
	sqlite3_bind_int64(st, 7, loser_mtime);
	sqlite3_bind_int64(st, 8, ++s->seq);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* ---- merge rules (SYNC.md section 5) ----------------------------------------- */

struct merge_ctx {
	struct ag_store *s;
	const char *agenda;
	uint64_t replica;
	const struct ag_change *c;
	int64_t seq;
};

/* Field F was changed by someone else after the change's base version. */
static bool concurrent(const struct merge_ctx *x, const struct srv_event *e, int f)
{
	return e->m[f].seq > (int64_t)x->c->base && e->m[f].origin != x->replica;
}

/* Deterministic winner of two writes of one field: later clock, then the
 * larger replica id. */
static bool incoming_wins(const struct merge_ctx *x, const struct fmeta *m)
{
	if (x->c->mtime != m->mtime)
		return x->c->mtime > m->mtime;
	return x->replica > m->origin;
}

static int set_field(const struct merge_ctx *x, struct srv_event *e, int f)
{
	if (ag_ev_field_copy(&e->ev, &x->c->ev, f))
		return -1;
	e->m[f] = (struct fmeta){x->seq, x->c->mtime, x->replica};
	return 0;
}

/* Merges one field; returns 1 if the incoming value lost, 0, -1 error. */
static int merge_field(const struct merge_ctx *x, struct srv_event *e, int f)
{
	if (!concurrent(x, e, f))
		return set_field(x, e, f);
	if (incoming_wins(x, &e->m[f])) {
		if (conflict_add(x->s, x->agenda, e->ev.uid, f, &e->ev, e->m[f].origin,
		                 e->m[f].mtime))
			return -1;
		return set_field(x, e, f);
	}
	if (conflict_add(x->s, x->agenda, e->ev.uid, f, &x->c->ev, x->replica, x->c->mtime))
		return -1;
	return 1;
}

/* A delete concurrent with any edit is refused: the event stays. */
static int merge_delete(const struct merge_ctx *x, struct srv_event *e)
{
	for (int f = 0; f < AG_NFIELDS; f++)
		if (f != AG_F_DELETED && concurrent(x, e, f))
			goto refuse;
	if (set_field(x, e, AG_F_DELETED))
		return -1;
	e->ev.version = x->seq;
	return event_put(x->s, x->agenda, e) ? -1 : AG_ST_OK;
refuse:
	if (conflict_add(x->s, x->agenda, e->ev.uid, AG_F_DELETED, &x->c->ev, x->replica,
	                 x->c->mtime))
		return -1;
	return AG_ST_CONFLICT;
}

/* An edit of a deleted event brings it back. */
static int undelete(const struct merge_ctx *x, struct srv_event *e)
{
	if (concurrent(x, e, AG_F_DELETED) &&
	    conflict_add(x->s, x->agenda, e->ev.uid, AG_F_DELETED, &e->ev,
	                 e->m[AG_F_DELETED].origin, e->m[AG_F_DELETED].mtime))
		return -1;
	e->ev.deleted = 0;
	e->m[AG_F_DELETED] = (struct fmeta){x->seq, x->c->mtime, x->replica};
	return 0;
}

static int merge_edit(const struct merge_ctx *x, struct srv_event *e)
{
	int status = AG_ST_OK;
	bool changed = false;
	for (int f = 0; f < AG_NFIELDS; f++) {
		if (!(x->c->mask & AG_MASK(f)) || ag_ev_field_eq(&e->ev, &x->c->ev, f))
			continue;
		int lost = merge_field(x, e, f);
		if (lost < 0)
			return -1;
		if (lost)
			status = AG_ST_CONFLICT;
		else
			changed = true;
	}
	if (!changed)
		return status;
	if (ag_fields_size(AG_MASK_ALL, &e->ev) > AG_MAX_EVENT)
		return AG_ST_INVALID;
	if (e->ev.deleted && !(x->c->mask & AG_MASK(AG_F_DELETED)) && undelete(x, e))
		return -1;
	e->ev.version = x->seq;
	if (x->c->mtime > e->ev.mtime)
		e->ev.mtime = x->c->mtime;
	return event_put(x->s, x->agenda, e) ? -1 : status;
}

static int create_event(const struct merge_ctx *x, struct srv_event *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->ev.uid, sizeof(e->ev.uid), "%s", x->c->ev.uid);
	for (int f = 0; f < AG_NFIELDS; f++) {
		if (x->c->mask & AG_MASK(f) && ag_ev_field_copy(&e->ev, &x->c->ev, f))
			return -1;
		e->m[f] = (struct fmeta){x->seq, x->c->mtime, x->replica};
	}
	e->created = e->ev.version = x->seq;
	e->ev.mtime = x->c->mtime;
	if (ag_fields_size(AG_MASK_ALL, &e->ev) > AG_MAX_EVENT)
		return AG_ST_INVALID;
	return event_put(x->s, x->agenda, e) ? -1 : AG_ST_OK;
}

static int apply_resolve(struct merge_ctx *x)
{
	sqlite3_stmt *st = stmt(x->s, S_CONF_RESOLVE);
	sqlite3_bind_int64(st, 1, ++x->s->seq);
	sqlite3_bind_int64(st, 2, x->c->conflict_id);
	sqlite3_bind_text(st, 3, x->agenda, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	return sqlite3_changes(x->s->db) ? AG_ST_OK : AG_ST_INVALID;
}

/* Returns an enum ag_status, or -1 on a database error. */
static int apply_change(struct merge_ctx *x)
{
	struct srv_event e = {0};
	int rc;
	if (x->c->kind == AG_CH_RESOLVE)
		return apply_resolve(x);
	bool deleting = (x->c->mask & AG_MASK(AG_F_DELETED)) && x->c->ev.deleted;
	x->seq = ++x->s->seq;
	rc = event_get(x->s, x->agenda, x->c->ev.uid, &e);
	if (rc == 0)
		rc = deleting ? AG_ST_OK : create_event(x, &e);
	else if (rc == 1)
		rc = deleting ? merge_delete(x, &e) : merge_edit(x, &e);
	ag_event_finish(&e.ev);
	return rc;
}

/* ---- push ---------------------------------------------------------------- */

static int64_t hwm_get(struct ag_store *s, uint64_t replica)
{
	sqlite3_stmt *st = stmt(s, S_HWM_GET);
	sqlite3_bind_int64(st, 1, (int64_t)replica);
	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
}

static int push_finish(struct ag_store *s, uint64_t replica, int64_t hwm)
{
	sqlite3_stmt *st = stmt(s, S_HWM_SET);
	sqlite3_bind_int64(st, 1, (int64_t)replica);
	sqlite3_bind_int64(st, 2, hwm);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	st = stmt(s, S_SEQ_SET);
	sqlite3_bind_int64(st, 1, s->seq);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	return ag_db_exec(s->db, "RELEASE push");
}

int ag_store_push(struct ag_store *s, const char *agenda, int rights, uint64_t replica,
                  const struct ag_msg_push *push, struct ag_ack *acks)
{
	struct merge_ctx x = {.s = s, .agenda = agenda, .replica = replica};
	if (ag_db_exec(s->db, "SAVEPOINT push"))
		return -1;
	int64_t hwm = hwm_get(s, replica);
	for (size_t i = 0; i < push->n; i++) {
		x.c = &push->ch[i];
		acks[i].counter = x.c->counter;
		if ((int64_t)(x.c->counter & INT64_MAX) <= hwm) {
			acks[i].status = AG_ST_DUP;
			continue;
		}
		hwm = (int64_t)(x.c->counter & INT64_MAX);
		int st = rights == AG_RIGHT_RW ? apply_change(&x) : AG_ST_REJECTED;
		if (st < 0)
			goto err_txn;
		acks[i].status = (uint8_t)st;
	}
	if (push_finish(s, replica, hwm))
		goto err_txn;
	return 0;
err_txn:
	ag_db_exec(s->db, "ROLLBACK TO push; RELEASE push");
	load_seq(s);
	return -1;
}

int ag_store_begin(struct ag_store *s)
{
	return ag_db_exec(s->db, "BEGIN IMMEDIATE");
}

int ag_store_commit(struct ag_store *s)
{
	if (ag_db_exec(s->db, "COMMIT") == 0)
		return 0;
	ag_db_exec(s->db, "ROLLBACK");
	load_seq(s);
	return -1;
}

/* ---- pull pages ---------------------------------------------------------- */

/* Fields a replica lacks: changed after ANCHOR by someone else; for an event
 * created after ANCHOR only the non-empty ones. */
static unsigned wanted_fields(const struct srv_event *e, uint64_t anchor, uint64_t replica)
{
	unsigned mask = 0;
	struct ag_event *ev = (struct ag_event *)&e->ev;
	for (int f = 0; f < AG_NFIELDS; f++) {
		if (e->m[f].seq <= (int64_t)anchor || e->m[f].origin == replica)
			continue;
		if (e->created > (int64_t)anchor &&
		    (ag_fields[f].kind == AG_INT ? *ag_ev_int(ev, f) == 0 : !**ag_ev_str(ev, f)))
			continue;
		mask |= AG_MASK(f);
	}
	return mask;
}

static int page_grow(struct ag_msg_page *p, size_t *cap)
{
	if (p->n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	struct ag_record *rec = realloc(p->rec, ncap * sizeof(*rec));
	if (!rec)
		return -1;
	memset(rec + *cap, 0, (ncap - *cap) * sizeof(*rec));
	p->rec = rec;
	*cap = ncap;
	return 0;
}

static int add_refetch(struct ag_store *s, const char *agenda, const char *uid,
                       struct ag_msg_page *p, size_t *cap)
{
	struct srv_event e = {0};
	if (page_grow(p, cap))
		return -1;
	struct ag_record *rec = &p->rec[p->n];
	int rc = event_get(s, agenda, uid, &e);
	if (rc < 0)
		goto err_ev;
	if (rc == 0) { /* never reached the server: the replica drops it */
		snprintf(e.ev.uid, sizeof(e.ev.uid), "%s", uid);
		e.ev.deleted = 1;
	}
	rec->kind = AG_REC_EVENT;
	rec->mask = rc ? AG_MASK_ALL : AG_MASK(AG_F_DELETED);
	rec->ev = e.ev;
	p->n++;
	return 0;
err_ev:
	ag_event_finish(&e.ev);
	return -1;
}

struct page_scan {
	struct ag_store *s;
	const char *agenda;
	uint64_t replica, anchor;
	unsigned max;
	size_t bytes; /* encoded size so far, bounded by AG_CHUNK_BYTES */
	sqlite3_stmt *ev, *conf;
	int ev_rc, conf_rc;
	struct ag_msg_page *p;
	size_t cap;
};

static int scan_event(struct page_scan *ps, int64_t *seq)
{
	struct srv_event e = {0};
	if (row_load(ps->ev, &e))
		goto err_ev;
	*seq = e.ev.version;
	unsigned mask = wanted_fields(&e, ps->anchor, ps->replica);
	if (!mask) {
		ag_event_finish(&e.ev);
		return 0;
	}
	if (page_grow(ps->p, &ps->cap))
		goto err_ev;
	struct ag_record *rec = &ps->p->rec[ps->p->n++];
	rec->kind = AG_REC_EVENT;
	rec->mask = mask;
	rec->ev = e.ev;
	ps->bytes += 32 + strlen(e.ev.uid) + ag_fields_size(mask, &e.ev);
	return 0;
err_ev:
	ag_event_finish(&e.ev);
	return -1;
}

static int scan_conflict(struct page_scan *ps, int64_t *seq)
{
	sqlite3_stmt *st = ps->conf;
	if (page_grow(ps->p, &ps->cap))
		return -1;
	struct ag_record *rec = &ps->p->rec[ps->p->n++];
	struct ag_conflict_rec *c = &rec->conf;
	rec->kind = AG_REC_CONFLICT;
	c->id = sqlite3_column_int64(st, 0);
	const char *uid = (const char *)sqlite3_column_text(st, 1);
	snprintf(c->uid, sizeof(c->uid), "%s", uid ? uid : "");
	c->field = (uint8_t)sqlite3_column_int(st, 2);
	if (c->field >= AG_NFIELDS)
		return -1;
	if (ag_fields[c->field].kind == AG_STR) {
		const char *v = (const char *)sqlite3_column_text(st, 3);
		if (!(*ag_ev_str(&c->val, c->field) = strdup(v ? v : "")))
			return -1;
	} else {
		*ag_ev_int(&c->val, c->field) = sqlite3_column_int64(st, 4);
	}
	c->loser = (uint64_t)sqlite3_column_int64(st, 5);
	c->loser_mtime = sqlite3_column_int64(st, 6);
	c->resolved = (uint8_t)sqlite3_column_int(st, 7);
	*seq = sqlite3_column_int64(st, 8);
	return 0;
}

/* Merges the two ordered result sets by sequence number. */
static int scan_rows(struct page_scan *ps)
{
	int64_t seq = 0;
	for (unsigned taken = 0; taken < ps->max; taken++) {
		if (ps->bytes > AG_CHUNK_BYTES)
			break;
		bool ev_row = ps->ev_rc == SQLITE_ROW;
		bool conf_row = ps->conf_rc == SQLITE_ROW;
		if (!ev_row && !conf_row)
			break;
		if (ev_row && (!conf_row || sqlite3_column_int64(ps->ev, 10) <
		                                sqlite3_column_int64(ps->conf, 8))) {
			if (scan_event(ps, &seq))
				return -1;
			ps->ev_rc = sqlite3_step(ps->ev);
		} else {
			if (scan_conflict(ps, &seq))
				return -1;
			ps->conf_rc = sqlite3_step(ps->conf);
		}
	}
	ps->p->more = ps->ev_rc == SQLITE_ROW || ps->conf_rc == SQLITE_ROW;
	ps->p->anchor = (uint64_t)(ps->p->more ? seq : ps->s->seq);
	return 0;
}

static void scan_bind(sqlite3_stmt *st, const struct page_scan *ps)
{
	sqlite3_bind_text(st, 1, ps->agenda, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)ps->anchor);
	sqlite3_bind_int64(st, 3, (int64_t)ps->max + 1);
}

int ag_store_page(struct ag_store *s, const char *agenda, uint64_t replica, uint64_t anchor,
                  unsigned max, char **uids, size_t nuids, struct ag_msg_page *page)
{
	struct page_scan ps = {.s = s,
	                       .agenda = agenda,
	                       .replica = replica,
	                       .anchor = anchor,
	                       .max = max ? max : 1,
	                       .p = page};
	memset(page, 0, sizeof(*page));
	for (size_t i = 0; i < nuids; i++)
		if (add_refetch(s, agenda, uids[i], page, &ps.cap))
			return -1;
	ps.ev = stmt(s, S_PAGE_EV);
	ps.conf = stmt(s, S_PAGE_CONF);
	scan_bind(ps.ev, &ps);
	scan_bind(ps.conf, &ps);
	ps.ev_rc = sqlite3_step(ps.ev);
	ps.conf_rc = sqlite3_step(ps.conf);
	int rc = scan_rows(&ps);
	sqlite3_reset(ps.ev);
	sqlite3_reset(ps.conf);
	return rc;
}
