/*
 * store_page.c - one PAGE of a pull stream (SYNC.md I1, I3, I8), read from
 * the reader connection inside one read transaction: refetched events
 * whole (spread over pages like the rest), then every register and conflict record above the cursor
 * in sequence order, merged. Left out: registers the pulling session wrote itself, the content of
 * events deleted before the replica could know them (or during a full resync), removed set members
 * during a full resync. A revived event is sent whole. A page never ends between two rows of the
 * same sequence number, so its anchor is exact.
 */
#include "agenda_int.h"
#include "xputil.h"

#include <stdlib.h>
#include <string.h>

struct scan {
	struct ag_store *s;
	const struct ag_page_req *req;
	struct ag_msg_page *p;
	size_t bytes;
};

static struct ag_record *new_record(struct scan *x, uint8_t kind)
{
	struct ag_msg_page *p = x->p;
	if (XU_ARRAY_RESERVE(p->rec, p->cap, p->n + 1))
		return NULL;
	struct ag_record *r = &p->rec[p->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	x->bytes += 64;
	return r;
}

/* The record of event UID to add to: the last one when it is UID's. */
static struct ag_record *event_record(struct scan *x, const char *uid, int64_t mtime)
{
	struct ag_msg_page *p = x->p;
	if (p->n && p->rec[p->n - 1].kind == AG_REC_EVENT && !strcmp(p->rec[p->n - 1].uid, uid))
		return &p->rec[p->n - 1];
	struct ag_record *r = new_record(x, AG_REC_EVENT);
	if (!r || !(r->uid = strdup(uid)))
		return NULL;
	r->mtime = mtime;
	x->bytes += strlen(uid);
	return r;
}

static int put(struct scan *x, struct ag_record *r, const char *key, const char *value, int64_t seq)
{
	x->bytes += strlen(key) + strlen(value) + 16;
	return ag_kvs_put(&r->entries, key, value, seq);
}

/* Every non-empty register of event EID, flagged whole. */
static int add_whole(struct scan *x, int64_t eid, const char *uid, int64_t mtime)
{
	struct ag_record *r = event_record(x, uid, mtime);
	if (!r)
		return -1;
	r->flags |= AG_REC_WHOLE;
	sqlite3_stmt *st = ag_store_stmt(x->s, AG_S_R_REGS);
	sqlite3_bind_int64(st, 1, eid);
	int rc = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW)
		rc = put(x, r, ag_db_text(st, 0), ag_db_text(st, 1), sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	return rc;
}

static int add_refetch(struct scan *x, const char *uid)
{
	sqlite3_stmt *st = ag_store_stmt(x->s, AG_S_R_EVENT);
	sqlite3_bind_int64(st, 1, x->req->aid);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	int64_t eid = found ? sqlite3_column_int64(st, 0) : 0;
	int64_t mtime = found ? sqlite3_column_int64(st, 1) : 0;
	sqlite3_reset(st);
	if (found)
		return add_whole(x, eid, uid, mtime);
	struct ag_record *r = event_record(x, uid, 0);
	if (!r)
		return -1;
	r->flags |= AG_REC_UNKNOWN | AG_REC_WHOLE; /* never reached the server */
	return 0;
}

/* One row of AG_S_SCAN_REG. */
static int scan_register(struct scan *x, sqlite3_stmt *st)
{
	const struct ag_page_req *q = x->req;
	const char *key = ag_db_text(st, 0), *value = ag_db_text(st, 1), *uid = ag_db_text(st, 4);
	int64_t created = sqlite3_column_int64(st, 5), mtime = sqlite3_column_int64(st, 7);
	bool deleted = sqlite3_column_int(st, 6), is_del = !strcmp(key, AG_DELETED);
	if (!q->sweep && (uint64_t)sqlite3_column_int64(st, 3) == q->session)
		return 0; /* the puller wrote it in this session: it has it */
	if (deleted && !is_del && (q->full || (uint64_t)created > q->from))
		return 0; /* content of an event deleted before the replica knew it */
	if (q->sweep && !*value && !is_del)
		return 0; /* a removed member: the full resync's sweep drops it */
	if (is_del && !*value)
		return add_whole(x, sqlite3_column_int64(st, 8), uid, mtime); /* revived */
	struct ag_record *r = event_record(x, uid, mtime);
	return r ? put(x, r, key, value, sqlite3_column_int64(st, 2)) : -1;
}

/* One row of AG_S_SCAN_CONF. */
static int scan_conflict(struct scan *x, sqlite3_stmt *st)
{
	struct ag_record *r = new_record(x, AG_REC_CONFLICT);
	if (!r)
		return -1;
	r->id = sqlite3_column_int64(st, 0);
	r->uid = strdup(ag_db_text(st, 1));
	r->key = strdup(ag_db_text(st, 2));
	r->value = strdup(ag_db_text(st, 3));
	r->loser = strdup(ag_db_text(st, 4));
	r->loser_mtime = sqlite3_column_int64(st, 5);
	r->resolved = (uint8_t)sqlite3_column_int(st, 6);
	x->bytes += ag_record_size(r);
	return r->uid && r->key && r->value && r->loser ? 0 : -1;
}

static bool page_full(const struct scan *x)
{
	return x->p->n >= x->req->max || x->bytes > AG_PAGE_BYTES;
}

/* Merges the two ordered scans; returns the last sequence number taken
 * through *LAST and whether rows remain through *MORE. */
static int scan_all(struct scan *x, int64_t *last, bool *more)
{
	sqlite3_stmt *reg = ag_store_stmt(x->s, AG_S_SCAN_REG);
	sqlite3_stmt *conf = ag_store_stmt(x->s, AG_S_SCAN_CONF);
	int rc = 0;
	sqlite3_bind_int64(reg, 1, x->req->aid);
	sqlite3_bind_int64(reg, 2, (int64_t)x->req->cursor);
	sqlite3_bind_int64(reg, 3, (int64_t)x->req->upto);
	sqlite3_bind_int64(conf, 1, x->req->aid);
	sqlite3_bind_int64(conf, 2, (int64_t)x->req->cursor);
	sqlite3_bind_int64(conf, 3, (int64_t)x->req->upto);
	int rr = sqlite3_step(reg), cr = sqlite3_step(conf);
	*last = (int64_t)x->req->cursor;
	while (!rc && (rr == SQLITE_ROW || cr == SQLITE_ROW)) {
		bool take_reg = rr == SQLITE_ROW &&
		                (cr != SQLITE_ROW ||
		                 sqlite3_column_int64(reg, 2) <= sqlite3_column_int64(conf, 7));
		int64_t seq =
		    take_reg ? sqlite3_column_int64(reg, 2) : sqlite3_column_int64(conf, 7);
		if (page_full(x) && seq != *last)
			break;
		if (take_reg) {
			rc = scan_register(x, reg);
			rr = sqlite3_step(reg);
		} else {
			rc = scan_conflict(x, conf);
			cr = sqlite3_step(conf);
		}
		*last = seq;
	}
	*more = rr == SQLITE_ROW || cr == SQLITE_ROW;
	if ((rr != SQLITE_ROW && rr != SQLITE_DONE) || (cr != SQLITE_ROW && cr != SQLITE_DONE))
		rc = -1;
	sqlite3_reset(reg);
	sqlite3_reset(conf);
	return rc;
}

int ag_store_page(struct ag_store *s, const struct ag_page_req *req, struct ag_msg_page *page,
                  size_t *taken)
{
	struct scan x = {.s = s, .req = req, .p = page};
	memset(page, 0, sizeof(*page));
	*taken = 0;
	if (ag_db_exec(s->rd, "BEGIN"))
		return -1;
	sqlite3_stmt *top = ag_store_stmt(s, AG_S_TOP);
	int rc = sqlite3_step(top) == SQLITE_ROW ? 0 : -1;
	int64_t committed = sqlite3_column_int64(top, 0);
	sqlite3_reset(top);
	if (committed > (int64_t)req->upto) /* an anchor never passes what is durable */
		committed = (int64_t)req->upto;
	/* refetches first, a page's worth at a time (at least one event) */
	while (!rc && *taken < req->nuids && !(*taken > 0 && page_full(&x)))
		rc = add_refetch(&x, req->uids[(*taken)++]);
	int64_t last = (int64_t)req->cursor;
	bool more = *taken < req->nuids;
	if (!rc && !more)
		rc = scan_all(&x, &last, &more);
	ag_db_exec(s->rd, "COMMIT");
	page->anchor = (uint64_t)(more ? last : committed > last ? committed : last);
	page->flags = more ? AG_PAGE_MORE : 0;
	return rc;
}
