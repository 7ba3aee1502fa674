/*
 * sync_proto.c - the sync messages of SYNC.md: one encoder and one decoder
 * per message body, reached through a table built from AG_MESSAGES. The
 * decoder trusts nothing: every count is checked against the bytes left
 * before anything is allocated, strings are bounded and NUL-free, and a body
 * must be consumed exactly.
 */
#include "agenda_int.h"

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
static bool count_ok(struct ag_rd *r, uint64_t n, size_t min_item)
{
	if (r->err)
		return false;
	if (n > (r->len - r->pos) / min_item) {
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

static void read_uid(struct ag_rd *r, char *uid)
{
	char *s = ag_rd_str(r, AG_MAX_UID);
	if (s && !*s)
		ag_rd_fail(r, "empty uid");
	if (s)
		memcpy(uid, s, strlen(s) + 1);
	free(s);
}

static unsigned read_mask(struct ag_rd *r)
{
	uint64_t mask = ag_rd_varint(r);
	if (mask & ~(uint64_t)AG_MASK_ALL)
		ag_rd_fail(r, "unknown field bit");
	return (unsigned)mask & AG_MASK_ALL;
}

void ag_change_finish(struct ag_change *c)
{
	ag_event_finish(&c->ev);
}

void ag_record_finish(struct ag_record *rec)
{
	ag_event_finish(&rec->ev);
	ag_event_finish(&rec->conf.val);
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
	ag_buf_str(b, h->agenda);
}

static void hello_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_hello *h = &m->u.hello;
	h->version = ag_rd_varint(r);
	h->user = ag_rd_str(r, 64);
	h->token_len = ag_rd_bytes(r, h->token, AG_MAX_TOKEN);
	h->replica = ag_rd_u64le(r);
	h->agenda = ag_rd_str(r, 64);
}

static void hello_finish(struct ag_msg *m)
{
	free(m->u.hello.user);
	free(m->u.hello.agenda);
}

/* ---- PUSH ----------------------------------------------------------------- */
static void push_encode(struct ag_buf *b, const struct ag_msg *m)
{
	const struct ag_msg_push *p = &m->u.push;
	ag_buf_varint(b, p->n);
	for (size_t i = 0; i < p->n; i++) {
		const struct ag_change *c = &p->ch[i];
		ag_buf_u8(b, c->kind);
		ag_buf_varint(b, c->counter);
		if (c->kind == AG_CH_RESOLVE) {
			ag_buf_varint(b, (uint64_t)c->conflict_id);
			continue;
		}
		ag_buf_str(b, c->ev.uid);
		ag_buf_varint(b, c->base);
		ag_buf_svarint(b, c->mtime);
		ag_fields_encode(b, c->mask, &c->ev);
	}
}

static void change_decode(struct ag_rd *r, struct ag_change *c)
{
	c->kind = ag_rd_u8(r);
	c->counter = ag_rd_varint(r);
	if (c->kind == AG_CH_RESOLVE) {
		c->conflict_id = (int64_t)(ag_rd_varint(r) & INT64_MAX);
		return;
	}
	if (c->kind != AG_CH_EVENT) {
		ag_rd_fail(r, "unknown change kind");
		return;
	}
	read_uid(r, c->ev.uid);
	c->base = ag_rd_varint(r) & INT64_MAX;
	c->mtime = ag_rd_svarint(r);
	c->mask = read_mask(r);
	ag_fields_decode(r, c->mask, &c->ev);
}

static void push_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_push *p = &m->u.push;
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, 3) || !(p->ch = alloc_items(r, n, sizeof(*p->ch))))
		return;
	for (p->n = 0; p->n < n && !r->err; p->n++)
		change_decode(r, &p->ch[p->n]);
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
	ag_buf_varint(b, p->n);
	for (size_t i = 0; i < p->n; i++)
		ag_buf_str(b, p->uids[i]);
}

static void pull_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_pull *p = &m->u.pull;
	p->anchor = ag_rd_varint(r) & INT64_MAX;
	p->page = ag_rd_varint(r);
	uint64_t n = ag_rd_varint(r);
	if (!r->err && n > AG_MAX_REFETCH)
		ag_rd_fail(r, "too many refetch uids");
	if (!count_ok(r, n, 2) || !(p->uids = alloc_items(r, n, sizeof(char *))))
		return;
	for (p->n = 0; p->n < n && !r->err; p->n++) {
		p->uids[p->n] = ag_rd_str(r, AG_MAX_UID);
		if (p->uids[p->n] && !p->uids[p->n][0])
			ag_rd_fail(r, "empty uid");
	}
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
}

static void welcome_decode(struct ag_rd *r, struct ag_msg *m)
{
	m->u.welcome.rights = ag_rd_u8(r);
	if (m->u.welcome.rights > AG_RIGHT_RW)
		ag_rd_fail(r, "bad rights");
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
		ag_buf_varint(b, m->u.ack.a[i].counter);
		ag_buf_u8(b, m->u.ack.a[i].status);
	}
}

static void ack_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_ack *a = &m->u.ack;
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, 2) || !(a->a = alloc_items(r, n, sizeof(*a->a))))
		return;
	for (a->n = 0; a->n < n && !r->err; a->n++) {
		a->a[a->n].counter = ag_rd_varint(r);
		a->a[a->n].status = ag_rd_u8(r);
		if (a->a[a->n].status > AG_ST_INVALID)
			ag_rd_fail(r, "bad status");
	}
}

static void ack_finish(struct ag_msg *m)
{
	free(m->u.ack.a);
}

/* ---- PAGE ----------------------------------------------------------------- */
static void conflict_encode(struct ag_buf *b, const struct ag_conflict_rec *c)
{
	ag_buf_varint(b, (uint64_t)c->id);
	ag_buf_str(b, c->uid);
	ag_fields_encode(b, AG_MASK(c->field), &c->val);
	ag_buf_u64le(b, c->loser);
	ag_buf_svarint(b, c->loser_mtime);
	ag_buf_u8(b, c->resolved);
}

static void conflict_decode(struct ag_rd *r, struct ag_conflict_rec *c)
{
	c->id = (int64_t)(ag_rd_varint(r) & INT64_MAX);
	read_uid(r, c->uid);
	unsigned mask = read_mask(r);
	if (!r->err && (mask == 0 || (mask & (mask - 1))))
		ag_rd_fail(r, "conflict needs exactly one field");
	for (c->field = 0; c->field < AG_NFIELDS; c->field++)
		if (mask & AG_MASK(c->field))
			break;
	ag_fields_decode(r, mask, &c->val);
	c->loser = ag_rd_u64le(r);
	c->loser_mtime = ag_rd_svarint(r);
	c->resolved = ag_rd_u8(r);
}

static void page_encode(struct ag_buf *b, const struct ag_msg *m)
{
	const struct ag_msg_page *p = &m->u.page;
	ag_buf_varint(b, p->n);
	for (size_t i = 0; i < p->n; i++) {
		const struct ag_record *rec = &p->rec[i];
		ag_buf_u8(b, rec->kind);
		if (rec->kind == AG_REC_CONFLICT) {
			conflict_encode(b, &rec->conf);
			continue;
		}
		ag_buf_str(b, rec->ev.uid);
		ag_buf_varint(b, (uint64_t)rec->ev.version);
		ag_buf_svarint(b, rec->ev.mtime);
		ag_fields_encode(b, rec->mask, &rec->ev);
	}
	ag_buf_varint(b, p->anchor);
	ag_buf_u8(b, p->more);
}

static void record_decode(struct ag_rd *r, struct ag_record *rec)
{
	rec->kind = ag_rd_u8(r);
	if (rec->kind == AG_REC_CONFLICT) {
		conflict_decode(r, &rec->conf);
		return;
	}
	if (rec->kind != AG_REC_EVENT) {
		ag_rd_fail(r, "unknown record kind");
		return;
	}
	read_uid(r, rec->ev.uid);
	rec->ev.version = (int64_t)(ag_rd_varint(r) & INT64_MAX);
	rec->ev.mtime = ag_rd_svarint(r);
	rec->mask = read_mask(r);
	ag_fields_decode(r, rec->mask, &rec->ev);
}

static void page_decode(struct ag_rd *r, struct ag_msg *m)
{
	struct ag_msg_page *p = &m->u.page;
	uint64_t n = ag_rd_varint(r);
	if (!count_ok(r, n, 5) || !(p->rec = alloc_items(r, n, sizeof(*p->rec))))
		return;
	for (p->n = 0; p->n < n && !r->err; p->n++)
		record_decode(r, &p->rec[p->n]);
	p->anchor = ag_rd_varint(r) & INT64_MAX;
	p->more = ag_rd_u8(r);
	if (p->more > 1)
		ag_rd_fail(r, "bad more flag");
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
	m->u.error.text = ag_rd_str(r, 1024);
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
	if (ag_frame_peek(frame, len, &hdr, &body) != 1 || hdr + body != len) {
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

void ag_msg_finish(struct ag_msg *msg)
{
	const struct msg_codec *c = codec_for(msg->type);
	if (c)
		c->finish(msg);
	memset(msg, 0, sizeof(*msg));
}
