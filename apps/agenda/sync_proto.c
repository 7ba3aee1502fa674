/*
 * sync_proto.c - the sync messages of SYNC.md section 6: one encoder and
 * one decoder per message body, reached through a table built from
 * AG_MESSAGES. The decoder trusts nothing: every count is checked against
 * the bytes left before anything is allocated, strings are bounded and
 * NUL-free, keys are checked, and a body must be consumed exactly.
 */
#include "agenda_int.h"
#include "xputil.h"

#include <stdlib.h>
#include <string.h>

struct msg_codec {
	uint8_t type;
	const char *name;
	void (*encode)(struct ag_buf *b, const struct ag_msg *m);
	void (*decode)(struct ag_rd *r, struct ag_msg *m);
	void (*finish)(struct ag_msg *m);
};

/* The smallest encoding of one item bounds every count: count <= left/min. */
static bool count_ok(struct ag_rd *r, uint64_t n, size_t min_item, uint64_t max)
{
	if (r->err)
		return false;
	if (n > max) {
		ag_rd_fail(r, "count over the limit");
		return false;
	}
	if (n > ag_rd_left(r) / min_item) {
		ag_rd_fail(r, "count exceeds message size");
		return false;
	}
	return true;
}

static void *alloc_items(struct ag_rd *r, uint64_t n, size_t size)
{
	void *p = calloc(n ? (size_t)n : 1, size);
	if (!p)
		ag_rd_fail(r, "out of memory");
	return p;
}

static char *read_key(struct ag_rd *r)
{
	char *k = ag_rd_str(r, 1, AG_MAX_KEY);
	if (k && !ag_key_valid(k)) {
		ag_rd_fail(r, "bad key");
		free(k);
		return NULL;
	}
	return k;
}

void ag_change_finish(struct ag_change *c)
{
	free(c->uid);
	ag_kvs_finish(&c->stale);
	ag_kvs_finish(&c->entries);
	memset(c, 0, sizeof(*c));
}

void ag_record_finish(struct ag_record *rec)
{
	free(rec->uid);
	free(rec->key);
	free(rec->value);
	free(rec->loser);
	ag_kvs_finish(&rec->entries);
	memset(rec, 0, sizeof(*rec));
}

size_t ag_change_size(const struct ag_change *c)
{
	size_t n = 64 + (c->uid ? strlen(c->uid) : 0) + 8 * c->nparents;
	n += ag_kvs_size(&c->stale) + 12 * c->stale.n;
	return n + ag_kvs_size(&c->entries) + 12 * c->entries.n;
}

size_t ag_record_size(const struct ag_record *rec)
{
	size_t n = 64 + (rec->uid ? strlen(rec->uid) : 0);
	if (rec->kind == AG_REC_CONFLICT)
		return n + strlen(rec->key) + strlen(rec->value) + strlen(rec->loser);
	return n + ag_kvs_size(&rec->entries) + 16 * rec->entries.n;
}

/* ---- HELLO ---------------------------------------------------------------- */
static void hello_encode(struct ag_buf *b, const struct ag_msg *m)
{
	const struct ag_msg_hello *h = &m->u.hello;
	ag_buf_varint(b, h->version);
	ag_buf_str(b, h->user);
	ag_buf_varint(b, h->token_len);
	ag_buf_bytes(b, h->token, h->token_len);
	ag_buf_u64le(b, h->replica);
	ag_buf_u64le(b, h->generation);
	ag_buf_str(b, h->agenda);
}

static void hello_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_hello *h = &m->u.hello;
	h->version = ag_rd_varint(r);
	h->user = ag_rd_str(r, 1, AG_MAX_NAME);
	h->token_len = ag_rd_bytes(r, h->token, AG_MAX_TOKEN);
	h->replica = ag_rd_u64le(r);
	h->generation = ag_rd_u64le(r);
	h->agenda = ag_rd_str(r, 1, AG_MAX_NAME);
}

static void hello_finish(struct ag_msg *m)
{
	free(m->u.hello.user);
	free(m->u.hello.agenda);
}

/* ---- PUSH ----------------------------------------------------------------- */
static void change_encode(struct ag_buf *b, const struct ag_change *c)
{
	ag_buf_u8(b, c->kind);
	ag_buf_u64le(b, c->id);
	if (c->kind == AG_CH_RESOLVE) {
		ag_buf_varint(b, (uint64_t)c->conflict);
		return;
	}
	ag_buf_str(b, c->uid);
	ag_buf_svarint(b, c->mtime);
	ag_buf_varint(b, c->base);
	ag_buf_varint(b, c->nparents);
	for (size_t i = 0; i < c->nparents; i++)
		ag_buf_u64le(b, c->parents[i]);
	ag_buf_varint(b, c->stale.n);
	for (size_t i = 0; i < c->stale.n; i++) {
		ag_buf_str(b, c->stale.v[i].key);
		ag_buf_varint(b, (uint64_t)c->stale.v[i].seq);
	}
	ag_buf_varint(b, c->entries.n);
	for (size_t i = 0; i < c->entries.n; i++) {
		const struct ag_kv *kv = &c->entries.v[i];
		ag_buf_str(b, kv->key);
		ag_buf_str(b, kv->value);
		ag_buf_svarint(b, kv->mtime ? kv->mtime - c->mtime : 0);
	}
}

static void push_encode(struct ag_buf *b, const struct ag_msg *m)
{
	ag_buf_varint(b, m->u.push.n);
	for (size_t i = 0; i < m->u.push.n; i++)
		change_encode(b, &m->u.push.ch[i]);
}

/* One item: key, [value], then a seq (varint) or an mtime delta (svarint). */
static void kv_read(struct ag_rd *r, struct ag_kvs *s, bool with_value, bool with_seq)
{
	char *k = read_key(r);
	char *v = with_value ? ag_rd_str(r, 0, AG_MAX_VALUE) : strdup("");
	int64_t seq = with_seq ? (int64_t)(ag_rd_varint(r) & INT64_MAX) : ag_rd_svarint(r);
	if (r->err || !k || !v || XU_ARRAY_RESERVE(s->v, s->cap, s->n + 1)) {
		free(k);
		free(v);
		ag_rd_fail(r, "truncated");
		return;
	}
	s->v[s->n++] = with_seq ? (struct ag_kv){k, v, seq, 0} : (struct ag_kv){k, v, 0, seq};
}

/* Reads N key/value[/seq] items, then sorts them (lookups become binary
 * searches) and refuses a key given twice. */
static void kvs_read(struct ag_rd *r, struct ag_kvs *s, uint64_t max, bool value, bool seq)
{
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, seq ? 3 : 2, max))
		return;
	for (uint64_t i = 0; i < n && !r->err; i++)
		kv_read(r, s, value, seq);
	ag_kvs_sort(s);
	for (size_t i = 1; i < s->n && !r->err; i++)
		if (!strcmp(s->v[i - 1].key, s->v[i].key))
			ag_rd_fail(r, "duplicate key");
}

static void change_decode(struct ag_rd *r, struct ag_change *c)
{
	c->kind = ag_rd_u8(r);
	c->id = ag_rd_u64le(r);
	if (!r->err && c->id == 0)
		ag_rd_fail(r, "change id 0");
	if (c->kind == AG_CH_RESOLVE) {
		c->conflict = (int64_t)(ag_rd_varint(r) & INT64_MAX);
		return;
	}
	if (c->kind != AG_CH_EVENT)
		return ag_rd_fail(r, "unknown change kind");
	c->uid = ag_rd_str(r, 1, AG_MAX_UID);
	c->mtime = ag_rd_svarint(r);
	c->base = ag_rd_varint(r) & INT64_MAX;
	uint64_t np = ag_rd_varint(r);
	if (!count_ok(r, np, 8, AG_MAX_PARENTS))
		return;
	for (c->nparents = 0; c->nparents < np; c->nparents++)
		c->parents[c->nparents] = ag_rd_u64le(r);
	kvs_read(r, &c->stale, AG_MAX_ENTRIES, false, true);
	kvs_read(r, &c->entries, AG_MAX_ENTRIES, true, false);
	if (!r->err && c->entries.n == 0)
		ag_rd_fail(r, "change without entries");
	for (size_t i = 0; i < c->entries.n && !r->err; i++) { /* the deltas, made absolute */
		int64_t delta = c->entries.v[i].mtime;
		c->entries.v[i].mtime = (int64_t)((uint64_t)c->mtime + (uint64_t)delta);
		/* 0 is "the change's own time" to the encoder, which sends it as
		 * delta 0: a delta landing on 0 has no encoding of its own */
		if (c->entries.v[i].mtime == 0 && delta != 0)
			ag_rd_fail(r, "entry time 0");
	}
}

/* The count of a PUSH and the array for its changes; *N the count. */
static void push_start(struct ag_rd *r, struct ag_msg_push *p, uint64_t *n)
{
	*n = ag_rd_varint(r);
	if (count_ok(r, *n, 10, AG_MAX_CHANGES))
		p->ch = alloc_items(r, *n, sizeof(*p->ch));
}

/* Decodes changes of P until N are read or the reader is past UNTIL. */
static void push_changes(struct ag_rd *r, struct ag_msg_push *p, uint64_t n, size_t until)
{
	while (p->ch && p->n < n && !r->err && r->pos <= until)
		change_decode(r, &p->ch[p->n++]); /* counted before: freed on error too */
}

static void push_decode(struct ag_rd *r, struct ag_msg *m)
{
	uint64_t n;
	push_start(r, &m->u.push, &n);
	push_changes(r, &m->u.push, n, SIZE_MAX);
}

static void push_finish(struct ag_msg *m)
{
	for (size_t i = 0; i < m->u.push.n; i++)
		ag_change_finish(&m->u.push.ch[i]);
	free(m->u.push.ch);
}

/* ---- PULL ----------------------------------------------------------------- */
static void pull_encode(struct ag_buf *b, const struct ag_msg *m)
{
	const struct ag_msg_pull *p = &m->u.pull;
	ag_buf_varint(b, p->anchor);
	ag_buf_varint(b, p->page);
	ag_buf_u8(b, p->flags);
	ag_buf_varint(b, p->n);
	for (size_t i = 0; i < p->n; i++)
		ag_buf_str(b, p->uids[i]);
}

static void pull_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_pull *p = &m->u.pull;
	p->anchor = ag_rd_varint(r) & INT64_MAX;
	p->page = ag_rd_varint(r);
	p->flags = ag_rd_u8(r);
	if (!r->err && p->flags > 1)
		ag_rd_fail(r, "bad flags");
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, 2, AG_MAX_REFETCH) || !(p->uids = alloc_items(r, n, sizeof(char *))))
		return;
	for (p->n = 0; p->n < n && !r->err; p->n++)
		p->uids[p->n] = ag_rd_str(r, 1, AG_MAX_UID);
}

static void pull_finish(struct ag_msg *m)
{
	for (size_t i = 0; i < m->u.pull.n; i++)
		free(m->u.pull.uids[i]);
	free(m->u.pull.uids);
}

/* ---- WELCOME ---------------------------------------------------------------- */
static void welcome_encode(struct ag_buf *b, const struct ag_msg *m)
{
	ag_buf_u8(b, m->u.welcome.rights);
	ag_buf_u8(b, m->u.welcome.flags);
	ag_buf_u64le(b, m->u.welcome.generation);
}

static void welcome_decode(struct ag_rd *r, struct ag_msg *m)
{
	m->u.welcome.rights = ag_rd_u8(r);
	m->u.welcome.flags = ag_rd_u8(r);
	m->u.welcome.generation = ag_rd_u64le(r);
	if (!r->err && (m->u.welcome.rights < AG_RIGHT_READ || m->u.welcome.rights > AG_RIGHT_RW ||
	                m->u.welcome.flags > AG_WELCOME_FORKED))
		ag_rd_fail(r, "bad rights or flags");
}

static void nothing_finish(struct ag_msg *m)
{
	(void)m;
}

/* ---- ACK ------------------------------------------------------------------ */
static void ack_encode(struct ag_buf *b, const struct ag_msg *m)
{
	ag_buf_varint(b, m->u.ack.n);
	for (size_t i = 0; i < m->u.ack.n; i++) {
		ag_buf_u8(b, m->u.ack.a[i].status);
		ag_buf_varint(b, m->u.ack.a[i].seq);
	}
}

static void ack_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_ack *a = &m->u.ack;
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, 2, AG_MAX_CHANGES) || !(a->a = alloc_items(r, n, sizeof(*a->a))))
		return;
	for (a->n = 0; a->n < n && !r->err; a->n++) {
		a->a[a->n].status = ag_rd_u8(r);
		a->a[a->n].seq = ag_rd_varint(r) & INT64_MAX;
		if (a->a[a->n].status > AG_ST_INVALID)
			ag_rd_fail(r, "bad status");
	}
}

static void ack_finish(struct ag_msg *m)
{
	free(m->u.ack.a);
}

/* ---- PAGE ----------------------------------------------------------------- */
static void record_encode(struct ag_buf *b, const struct ag_record *rec)
{
	ag_buf_u8(b, rec->kind);
	if (rec->kind == AG_REC_CONFLICT) {
		ag_buf_varint(b, (uint64_t)rec->id);
		ag_buf_str(b, rec->uid);
		ag_buf_str(b, rec->key);
		ag_buf_str(b, rec->value);
		ag_buf_str(b, rec->loser);
		ag_buf_svarint(b, rec->loser_mtime);
		ag_buf_u8(b, rec->resolved);
		return;
	}
	ag_buf_str(b, rec->uid);
	ag_buf_u8(b, rec->flags);
	ag_buf_svarint(b, rec->mtime);
	ag_buf_varint(b, rec->entries.n);
	for (size_t i = 0; i < rec->entries.n; i++) {
		ag_buf_str(b, rec->entries.v[i].key);
		ag_buf_str(b, rec->entries.v[i].value);
		ag_buf_varint(b, (uint64_t)rec->entries.v[i].seq);
	}
}

static void page_encode(struct ag_buf *b, const struct ag_msg *m)
{
	const struct ag_msg_page *p = &m->u.page;
	ag_buf_varint(b, p->n);
	for (size_t i = 0; i < p->n; i++)
		record_encode(b, &p->rec[i]);
	ag_buf_varint(b, p->anchor);
	ag_buf_u8(b, p->flags);
}

static void conflict_decode(struct ag_rd *r, struct ag_record *rec)
{
	rec->id = (int64_t)(ag_rd_varint(r) & INT64_MAX);
	rec->uid = ag_rd_str(r, 1, AG_MAX_UID);
	rec->key = read_key(r);
	rec->value = ag_rd_str(r, 0, AG_MAX_VALUE);
	rec->loser = ag_rd_str(r, 0, AG_MAX_NAME);
	rec->loser_mtime = ag_rd_svarint(r);
	rec->resolved = ag_rd_u8(r);
	if (!r->err && rec->resolved > 1)
		ag_rd_fail(r, "bad resolved flag");
}

static void record_decode(struct ag_rd *r, struct ag_record *rec)
{
	rec->kind = ag_rd_u8(r);
	if (rec->kind == AG_REC_CONFLICT)
		return conflict_decode(r, rec);
	if (rec->kind != AG_REC_EVENT)
		return ag_rd_fail(r, "unknown record kind");
	rec->uid = ag_rd_str(r, 1, AG_MAX_UID);
	rec->flags = ag_rd_u8(r);
	if (!r->err && rec->flags > (AG_REC_WHOLE | AG_REC_UNKNOWN))
		return ag_rd_fail(r, "bad record flags");
	rec->mtime = ag_rd_svarint(r);
	kvs_read(r, &rec->entries, AG_EVENT_KEYS, true, true);
}

static void page_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_page *p = &m->u.page;
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, 5, UINT32_MAX) || !(p->rec = alloc_items(r, n, sizeof(*p->rec))))
		return;
	p->cap = (size_t)n;
	for (p->n = 0; p->n < n && !r->err; p->n++)
		record_decode(r, &p->rec[p->n]);
	p->anchor = ag_rd_varint(r) & INT64_MAX;
	p->flags = ag_rd_u8(r);
	if (!r->err && p->flags > (AG_PAGE_MORE | AG_PAGE_RESET))
		ag_rd_fail(r, "bad page flags");
}

static void page_finish(struct ag_msg *m)
{
	for (size_t i = 0; i < m->u.page.n; i++)
		ag_record_finish(&m->u.page.rec[i]);
	free(m->u.page.rec);
}

/* ---- ERROR ------------------------------------------------------------------ */
static void error_encode(struct ag_buf *b, const struct ag_msg *m)
{
	ag_buf_varint(b, m->u.error.code);
	ag_buf_str(b, m->u.error.text);
}

static void error_decode(struct ag_rd *r, struct ag_msg *m)
{
	m->u.error.code = ag_rd_varint(r);
	m->u.error.text = ag_rd_str(r, 0, 1024);
}

static void error_finish(struct ag_msg *m)
{
	free(m->u.error.text);
}

/* ---- table and entry points ------------------------------------------------ */
static const struct msg_codec codecs[] = {
    {AG_MSG_HELLO, "HELLO", hello_encode, hello_decode, hello_finish},
    {AG_MSG_PUSH, "PUSH", push_encode, push_decode, push_finish},
    {AG_MSG_PULL, "PULL", pull_encode, pull_decode, pull_finish},
    {AG_MSG_WELCOME, "WELCOME", welcome_encode, welcome_decode, nothing_finish},
    {AG_MSG_ACK, "ACK", ack_encode, ack_decode, ack_finish},
    {AG_MSG_PAGE, "PAGE", page_encode, page_decode, page_finish},
    {AG_MSG_ERROR, "ERROR", error_encode, error_decode, error_finish},
};

/* Every row of AG_MESSAGES must have its codec. */
#define X(e, v, n, m) +1
_Static_assert(sizeof(codecs) / sizeof(codecs[0]) == 0 AG_MESSAGES(X),
               "codec table out of step with AG_MESSAGES");
#undef X

static const struct msg_codec *codec_for(uint8_t type)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (codecs[i].type == type)
			return &codecs[i];
	return NULL;
}

const char *ag_msg_name(uint8_t type)
{
	const struct msg_codec *c = codec_for(type);
	return c ? c->name : "unknown";
}

int ag_msg_encode(struct ag_buf *out, const struct ag_msg *msg)
{
	const struct msg_codec *c = codec_for(msg->type);
	struct ag_buf body = {0};

	if (!c)
		return -1;
	c->encode(&body, msg);
	if (body.oom || body.len > AG_MAX_FRAME)
		goto err_body;
	ag_buf_u8(out, msg->type);
	ag_buf_varint(out, body.len);
	ag_buf_bytes(out, body.data, body.len);
	ag_buf_finish(&body);
	return out->oom ? -1 : 0;
err_body:
	ag_buf_finish(&body);
	return -1;
}

int ag_msg_decode(const uint8_t *frame, size_t len, struct ag_msg *msg, const char **why)
{
	size_t hdr, body;
	memset(msg, 0, sizeof(*msg));
	if (ag_frame_peek(frame, len, AG_MAX_FRAME, &hdr, &body) != 1 || hdr + body != len) {
		*why = "bad frame";
		return -1;
	}
	msg->type = frame[0];
	const struct msg_codec *c = codec_for(msg->type);
	if (!c) {
		*why = "unknown message type";
		return -1;
	}
	struct ag_rd r = {.p = frame + hdr, .len = body};
	c->decode(&r, msg);
	if (!r.err && r.pos != r.len)
		ag_rd_fail(&r, "trailing bytes");
	*why = r.err;
	return r.err ? -1 : 0;
}

/* ---- a PUSH decoded in pieces (agendad) ---------------------------------------- */
int ag_push_dec_begin(struct ag_push_dec *d, const uint8_t *body, size_t len, const char **why)
{
	memset(d, 0, sizeof(*d));
	d->m.type = AG_MSG_PUSH;
	d->r = (struct ag_rd){.p = body, .len = len};
	push_start(&d->r, &d->m.u.push, &d->n);
	*why = d->r.err;
	return d->r.err ? -1 : 0;
}

int ag_push_dec_step(struct ag_push_dec *d, const uint8_t *body, size_t budget, const char **why)
{
	struct ag_rd *r = &d->r;
	r->p = body; /* the caller's buffer may have moved */
	push_changes(r, &d->m.u.push, d->n, r->pos + (budget ? budget - 1 : 0));
	if (!r->err && d->m.u.push.n == d->n && r->pos != r->len)
		ag_rd_fail(r, "trailing bytes");
	*why = r->err;
	if (r->err)
		return -1;
	return d->m.u.push.n == d->n ? 1 : 0;
}

void ag_msg_finish(struct ag_msg *msg)
{
	const struct msg_codec *c = codec_for(msg->type);
	if (c)
		c->finish(msg);
	memset(msg, 0, sizeof(*msg));
}
