/*
 * server_conn.c - agendad's protocol engine, without sockets: one explicit
 * state per connection (HELLO -> READY <-> PUSHING / PULLING, CLOSING after
 * an error), requests dispatched through a table, and one turn that serves
 * every connection fairly. Before HELLO succeeded a peer may send one
 * 512-byte HELLO and nothing else, within an absolute deadline, and only
 * so many handshakes are open at once (SYNC.md section 8). A PUSH is
 * applied in slices of a bounded amount of work per turn; every turn ends
 * with one COMMIT (group commit) and only then are the answers written in
 * it released. Pull pages are read from committed data, produced only
 * while the client drains its output. The I/O loop (server.c) and the
 * fuzzer (fuzz/agenda_server_fuzz.c) drive it the same way.
 */
#include "agenda_int.h"
#include "xputil.h"

#include <stdlib.h>
#include <string.h>

#define OUT_HIGH    (1u << 20)   /* stop reading requests above this */
#define OUT_LOW     (256u << 10) /* produce the next pull page below this */
#define MAX_PAGE    5000
#define CLOSE_GRACE 5000 /* ms a closing peer has to read its ERROR */
/* decoding costs a fraction of applying: a turn decodes this many times a
 * slice's bytes (about the same time as applying a slice) */
#define DECODE_FACTOR 4
/* push slices commit without an fsync until this many slices' bytes wait
 * for one (SYNC.md I1) */
#define LAZY_SLICES 4

enum conn_state { C_HELLO, C_READY, C_DECODING, C_PUSHING, C_PULLING, C_CLOSING };

struct ag_conn {
	int fd;
	enum conn_state state;
	struct ag_buf in, out;
	struct ag_push_ctx who;
	int64_t accepted, last, closing_since;
	uint64_t stamp;              /* when it was last active, in the server's activity order */
	struct ag_push_dec dec;      /* DECODING: a large PUSH, decoded a piece a turn */
	size_t frame_hdr, frame_len; /* DECODING: its frame, at the start of IN */
	struct ag_msg push;          /* PUSHING: the decoded PUSH */
	size_t push_next;
	struct ag_ack *acks;
	uint64_t from, cursor; /* PULLING */
	bool full, sweep, reset;
	unsigned page;
	char **uids; /* refetches not sent yet (they come first) */
	size_t nuids;
	bool held; /* output from HELD_MARK on waits for the COMMIT */
	size_t held_mark;
	bool quiet_close;
};

struct ag_srv {
	struct ag_store *store;
	struct ag_server_opts o;
	struct ag_conn **conns;
	size_t n, cap;
	bool batch;         /* a group transaction is open */
	bool batch_durable; /* ... and its COMMIT waits for the disk */
	size_t lazy_bytes;  /* of changes committed since the last durable COMMIT */
	int64_t now, next_trim, next_ckpt, next_catch_up, last_commit;
	uint64_t stamps; /* activity stamps handed out */
	bool busy;       /* work left for the next turn */
	bool gated;      /* a push slice waits for the WAL checkpoint */
	/* the turn's first pass serves everything but large pushes; the second
	 * gives those their slice, a small one if the first pass wrote */
	bool first_pass, small_slices;
};

/* ---- output --------------------------------------------------------------------- */

/* Output written while the group transaction is open waits for its COMMIT. */
static void hold(struct ag_srv *s, struct ag_conn *c)
{
	if (s->batch && !c->held) {
		c->held = true;
		c->held_mark = c->out.len;
	}
}

/* Appends M to C's output; HELD: it waits for the group COMMIT (it tells
 * of something written). */
static void conn_put(struct ag_srv *s, struct ag_conn *c, const struct ag_msg *m, bool held)
{
	if (held)
		hold(s, c);
	if (ag_msg_encode(&c->out, m)) { /* over AG_MAX_FRAME (a bug) or out of memory */
		fprintf(stderr,
		        "agendad: fd %d (%s): cannot encode a message of type %u, closing\n", c->fd,
		        c->who.user[0] ? c->who.user : "?", m->type);
		c->state = C_CLOSING;
		c->closing_since = s->now;
	}
}

static void conn_send(struct ag_srv *s, struct ag_conn *c, const struct ag_msg *m)
{
	conn_put(s, c, m, true);
}

static void conn_error(struct ag_srv *s, struct ag_conn *c, enum ag_err_code code, const char *what)
{
	struct ag_msg m = {.type = AG_MSG_ERROR};
	char text[256];
	snprintf(text, sizeof(text), "%s", what);
	m.u.error.code = code;
	m.u.error.text = text;
	if (!s->o.quiet)
		fprintf(stderr, "agendad: fd %d (%s): %s\n", c->fd,
		        c->who.user[0] ? c->who.user : "?", what);
	conn_send(s, c, &m);
	c->state = C_CLOSING;
	c->closing_since = s->now;
}

static void batch_end(struct ag_srv *s);

/* Joins the turn's group transaction, or opens it. DURABLE: an answer will
 * wait for its COMMIT, which must then reach the disk (and so makes every
 * earlier commit durable); otherwise the COMMIT only appends to the WAL
 * (SYNC.md I1). A durable write does not join a lazy transaction: that one
 * commits first (no fsync, no one waits for it). */
static int batch_begin(struct ag_srv *s, bool durable)
{
	if (s->batch && durable && !s->batch_durable)
		batch_end(s);
	if (s->batch)
		return 0;
	if (ag_store_begin_as(s->store, durable))
		return -1;
	s->batch = true;
	s->batch_durable = durable;
	return 0;
}

/* A PUSH is being decoded or applied on some connection. */
static bool push_in_flight(const struct ag_srv *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->conns[i]->state == C_DECODING || s->conns[i]->state == C_PUSHING)
			return true;
	return false;
}

/* ---- requests --------------------------------------------------------------------- */

/* How many other connections of C's user are past their HELLO. */
static unsigned user_conns(const struct ag_srv *s, const struct ag_conn *c)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct ag_conn *o = s->conns[i];
		n += o != c && o->state != C_HELLO && o->state != C_CLOSING &&
		     o->who.user_id == c->who.user_id;
	}
	return n;
}

static void on_hello(struct ag_srv *s, struct ag_conn *c, struct ag_msg *m)
{
	struct ag_msg_hello *h = &m->u.hello;
	struct ag_msg w = {.type = AG_MSG_WELCOME};
	bool forked = false;
	if (c->state != C_HELLO)
		return conn_error(s, c, AG_E_PROTOCOL, "HELLO: sent twice");
	if (h->version != AG_PROTO_VERSION)
		return conn_error(
		    s, c, AG_E_PROTOCOL,
		    "HELLO: unsupported protocol version (agenda and agendad differ)");
	if (ag_store_auth(s->store, h->user, h->token, h->token_len, h->agenda, &c->who))
		return conn_error(s, c, AG_E_BUSY, "HELLO: store busy, try again");
	if (c->who.rights == AG_RIGHT_NONE)
		return conn_error(
		    s, c, AG_E_AUTH,
		    "HELLO: unknown user, wrong token, or not a member of that agenda");
	if (user_conns(s, c) >= s->o.max_per_user) {
		char text[160];
		snprintf(text, sizeof(text),
		         "HELLO: %s has %u connections already (the most at once)", c->who.user,
		         s->o.max_per_user);
		return conn_error(s, c, AG_E_BUSY, text);
	}
	c->who.session = ag_random_id();
	/* the rotation need not be durable at once (SYNC.md I5): while a push is
	 * in flight, its final durable COMMIT takes it along */
	if (batch_begin(s, !push_in_flight(s)) ||
	    ag_store_generation(s->store, &c->who, h->replica, h->generation,
	                        &w.u.welcome.generation, &forked))
		return conn_error(s, c, AG_E_BUSY, "HELLO: store busy, try again");
	c->state = C_READY;
	w.u.welcome.rights = (uint8_t)c->who.rights;
	w.u.welcome.flags = forked ? AG_WELCOME_FORKED : 0;
	if (forked && !s->o.quiet)
		fprintf(stderr, "agendad: %s: replica %016llx was restored or copied\n",
		        c->who.user, (unsigned long long)h->replica);
	/* not held for the COMMIT: the generation is derived, so the next HELLO
	 * is recognised even if this rotation is lost (SYNC.md I5), and a
	 * no-change sync never waits for anyone's fsync */
	conn_put(s, c, &w, false);
}

static void on_push(struct ag_srv *s, struct ag_conn *c, struct ag_msg *m)
{
	if (c->state != C_READY)
		return conn_error(s, c, AG_E_PROTOCOL, "PUSH: before HELLO");
	c->acks = calloc(m->u.push.n ? m->u.push.n : 1, sizeof(*c->acks));
	if (!c->acks)
		return conn_error(s, c, AG_E_SERVER, "PUSH: out of memory");
	c->push = *m; /* taken over: applied in slices */
	memset(m, 0, sizeof(*m));
	c->push_next = 0;
	c->state = C_PUSHING;
}

static void end_push(struct ag_srv *s, struct ag_conn *c)
{
	struct ag_msg a = {.type = AG_MSG_ACK};
	a.u.ack.a = c->acks;
	a.u.ack.n = c->push.u.push.n;
	c->state = C_READY;
	conn_send(s, c, &a); /* held until the COMMIT of this turn */
	free(c->acks);
	c->acks = NULL;
	ag_msg_finish(&c->push);
}

/* The budget of one connection's bulk work this turn: a slice of changes
 * and bytes, an eighth of it when others wrote in this turn (their answers
 * wait for its COMMIT). */
static void budget(const struct ag_srv *s, unsigned *changes, size_t *bytes)
{
	*changes = s->o.slice_changes;
	*bytes = s->o.slice_bytes;
	if (s->small_slices) {
		*changes = *changes / 8 ? *changes / 8 : 1;
		*bytes /= 8;
	}
}

/* How many changes of C's PUSH the next slice takes (at least one, when
 * any are left). */
static size_t slice_len(const struct ag_srv *s, const struct ag_conn *c, size_t *bytes)
{
	const struct ag_msg_push *p = &c->push.u.push;
	unsigned max_changes;
	size_t max_bytes, k = 0;
	budget(s, &max_changes, &max_bytes);
	*bytes = 0;
	while (c->push_next + k < p->n && k < max_changes && (k == 0 || *bytes < max_bytes))
		*bytes += ag_change_size(&p->ch[c->push_next + k++]);
	return k;
}

/* A PUSH with at most a quarter of a slice left, in changes and bytes: an
 * interactive sync, served in the turn's first pass. */
static bool small_push(const struct ag_srv *s, const struct ag_conn *c)
{
	const struct ag_msg_push *p = &c->push.u.push;
	unsigned quarter = s->o.slice_changes / 4 ? s->o.slice_changes / 4 : 1;
	size_t bytes = 0;
	if (p->n - c->push_next > quarter)
		return false;
	for (size_t i = c->push_next; i < p->n; i++)
		bytes += ag_change_size(&p->ch[i]);
	return bytes <= s->o.slice_bytes / 4;
}

/* Applies a bounded slice of C's PUSH inside the turn's transaction. The
 * slice that ends it commits durably, for its ACK; so does one that brings
 * the writes not yet durable to LAZY_SLICES slices' bytes (pulls show
 * durable data only, and should not wait for a whole batch). */
static void push_slice(struct ag_srv *s, struct ag_conn *c)
{
	const struct ag_msg_push *p = &c->push.u.push;
	size_t bytes, k = slice_len(s, c, &bytes);
	if (ag_store_wal_full(s->store) && !small_push(s, c)) {
		s->gated = true; /* the checkpointer catches up first */
		return;
	}
	if (!ag_store_lazy_pending(s->store))
		s->lazy_bytes = 0;
	s->lazy_bytes += bytes;
	bool durable = c->push_next + k == p->n || s->lazy_bytes >= LAZY_SLICES * s->o.slice_bytes;
	if (batch_begin(s, durable))
		return conn_error(s, c, AG_E_BUSY, "PUSH: store busy, nothing applied");
	c->who.now_ms = ag_now_ms();
	for (; k > 0; k--, c->push_next++)
		if (ag_store_apply(s->store, &c->who, &p->ch[c->push_next], &c->acks[c->push_next]))
			return conn_error(s, c, AG_E_SERVER, "PUSH: store failed, nothing applied");
	if (c->push_next < p->n) {
		s->busy = true;
		return; /* the rest in the next turn, after the others */
	}
	end_push(s, c);
}

/* A PUSH being decoded was invalid: nothing of it was applied. */
static void decode_fail(struct ag_srv *s, struct ag_conn *c, const char *why)
{
	char text[128];
	snprintf(text, sizeof(text), "PUSH: %s", why);
	ag_msg_finish(&c->dec.m);
	ag_buf_consume(&c->in, c->frame_len);
	conn_error(s, c, AG_E_PROTOCOL, text);
}

/* Starts decoding the PUSH whose frame (HDR + BODY bytes) is complete at
 * the start of C's input: a piece a turn, from the next turn on. */
static void decode_start(struct ag_srv *s, struct ag_conn *c, size_t hdr, size_t body)
{
	const char *why;
	c->frame_hdr = hdr;
	c->frame_len = hdr + body;
	c->state = C_DECODING;
	if (ag_push_dec_begin(&c->dec, c->in.data + hdr, body, &why))
		decode_fail(s, c, why);
}

/* Decodes the next piece of C's PUSH; once complete, it is applied. */
static void decode_piece(struct ag_srv *s, struct ag_conn *c)
{
	unsigned changes;
	size_t bytes;
	const char *why;
	budget(s, &changes, &bytes);
	int rc = ag_push_dec_step(&c->dec, c->in.data + c->frame_hdr, bytes * DECODE_FACTOR, &why);
	if (rc < 0)
		return decode_fail(s, c, why);
	s->busy = true;
	if (rc == 0)
		return;
	ag_buf_consume(&c->in, c->frame_len);
	c->state = C_READY;
	on_push(s, c, &c->dec.m);
	ag_msg_finish(&c->dec.m);
}

/* Drops the first N refetch uids of C (sent). */
static void drop_uids(struct ag_conn *c, size_t n)
{
	if (!c->uids)
		return;
	for (size_t i = 0; i < n; i++)
		free(c->uids[i]);
	c->nuids -= n;
	memmove(c->uids, c->uids + n, c->nuids * sizeof(*c->uids));
	if (c->nuids == 0) {
		free(c->uids);
		c->uids = NULL;
	}
}

static void send_page(struct ag_srv *s, struct ag_conn *c)
{
	struct ag_msg p = {.type = AG_MSG_PAGE};
	struct ag_page_req q = {.aid = c->who.aid,
	                        .session = c->who.session,
	                        .from = c->from,
	                        .cursor = c->cursor,
	                        .full = c->full,
	                        .sweep = c->sweep,
	                        .upto = ag_store_durable(s->store),
	                        .max = c->page,
	                        .uids = c->uids,
	                        .nuids = c->nuids};
	size_t taken = 0;
	int rc = ag_store_page(s->store, &q, &p.u.page, &taken);
	drop_uids(c, rc ? c->nuids : taken);
	if (rc) {
		ag_msg_finish(&p);
		return conn_error(s, c, AG_E_SERVER, "PULL: store failed");
	}
	if (c->reset)
		p.u.page.flags |= AG_PAGE_RESET;
	c->reset = false;
	c->cursor = p.u.page.anchor;
	c->state = p.u.page.flags & AG_PAGE_MORE ? C_PULLING : C_READY;
	conn_put(s, c, &p, false); /* committed data (behind what is held, if anything) */
	ag_msg_finish(&p);
}

static void on_pull(struct ag_srv *s, struct ag_conn *c, struct ag_msg *m)
{
	struct ag_msg_pull *p = &m->u.pull;
	if (c->state != C_READY)
		return conn_error(s, c, AG_E_PROTOCOL, "PULL: before HELLO");
	uint64_t horizon = ag_store_horizon(s->store);
	c->from = c->cursor = p->anchor;
	c->sweep = p->flags & 1;
	c->full = c->sweep || p->anchor == 0;
	/* older than the retention period: a full resync (SYNC.md I8) */
	c->reset = p->anchor > 0 && p->anchor < horizon;
	if (c->reset) {
		c->from = c->cursor = 0;
		c->full = c->sweep = true;
	}
	c->page = p->page == 0 ? 1000 : p->page > MAX_PAGE ? MAX_PAGE : (unsigned)p->page;
	drop_uids(c, c->nuids);
	c->uids = p->uids;
	c->nuids = p->n;
	p->uids = NULL;
	p->n = 0;
	send_page(s, c);
}

typedef void (*handler_fn)(struct ag_srv *s, struct ag_conn *c, struct ag_msg *m);

static const struct {
	uint8_t type;
	handler_fn fn;
} handlers[] = {
    {AG_MSG_HELLO, on_hello},
    {AG_MSG_PUSH, on_push},
    {AG_MSG_PULL, on_pull},
};

static void dispatch(struct ag_srv *s, struct ag_conn *c, struct ag_msg *m)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].type == m->type)
			return handlers[i].fn(s, c, m);
	char why[64];
	snprintf(why, sizeof(why), "%s: not a request", ag_msg_name(m->type));
	conn_error(s, c, AG_E_PROTOCOL, why);
}

/* Handles the next complete frame buffered on C. Returns false when there
 * is none (or C cannot take more now). */
static bool next_frame(struct ag_srv *s, struct ag_conn *c)
{
	size_t hdr, body;
	bool pre = c->state == C_HELLO;
	if ((c->state != C_HELLO && c->state != C_READY) || c->out.len >= OUT_HIGH || !c->in.len)
		return false;
	if (pre && c->in.data[0] != AG_MSG_HELLO) {
		conn_error(s, c, AG_E_PROTOCOL, "expected HELLO first");
		return false; /* refused on its first byte: nothing else is read */
	}
	int rc = ag_frame_peek(c->in.data, c->in.len, pre ? AG_PREAUTH_FRAME : AG_MAX_FRAME, &hdr,
	                       &body);
	if (rc < 0) {
		conn_error(s, c, AG_E_TOO_BIG, pre ? "HELLO too large" : "frame too large");
		return false;
	}
	if (rc == 0)
		return false;
	if (!pre && c->in.data[0] == AG_MSG_PUSH && body > s->o.slice_bytes) {
		decode_start(s, c, hdr, body); /* too much to decode in one turn */
		return false;
	}
	struct ag_msg m;
	const char *why = NULL;
	if (ag_msg_decode(c->in.data, hdr + body, &m, &why)) {
		char text[128];
		snprintf(text, sizeof(text), "%s: %s", ag_msg_name(c->in.data[0]), why);
		conn_error(s, c, AG_E_PROTOCOL, text);
	} else {
		dispatch(s, c, &m);
	}
	ag_msg_finish(&m);
	ag_buf_consume(&c->in, hdr + body);
	return c->state == C_HELLO || c->state == C_READY;
}

/* ---- connections ---------------------------------------------------------------- */

static void conn_free(struct ag_conn *c)
{
	if (!c)
		return;
	ag_buf_finish(&c->in);
	ag_buf_finish(&c->out);
	free(c->acks);
	ag_msg_finish(&c->push);
	ag_msg_finish(&c->dec.m);
	drop_uids(c, c->nuids);
	free(c);
}

struct ag_srv *ag_srv_create(struct ag_store *store, const struct ag_server_opts *opts)
{
	struct ag_srv *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->store = store;
	s->o = *opts;
	if (!s->o.max_clients)
		s->o.max_clients = 512;
	if (!s->o.max_handshakes)
		s->o.max_handshakes = 64;
	if (!s->o.max_per_user)
		s->o.max_per_user = 64;
	if (!s->o.handshake_ms)
		s->o.handshake_ms = 5000;
	if (!s->o.idle_timeout_ms)
		s->o.idle_timeout_ms = 120000;
	if (!s->o.retention_s)
		s->o.retention_s = 90LL * 86400;
	if (!s->o.slice_changes)
		s->o.slice_changes = 16;
	if (!s->o.slice_bytes)
		s->o.slice_bytes = 64u << 10;
	return s;
}

void ag_srv_destroy(struct ag_srv *s)
{
	if (!s)
		return;
	if (s->batch)
		ag_store_commit(s->store);
	ag_store_sync(s->store);
	for (size_t i = 0; i < s->n; i++)
		conn_free(s->conns[i]);
	free(s->conns);
	free(s);
}

/* The oldest connection still in its handshake (N: how many there are). */
static struct ag_conn *oldest_handshake(const struct ag_srv *s, unsigned *n)
{
	struct ag_conn *oldest = NULL;
	*n = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct ag_conn *c = s->conns[i];
		if (c->state != C_HELLO)
			continue;
		(*n)++;
		if (!oldest || c->accepted < oldest->accepted)
			oldest = c;
	}
	return oldest;
}

/* Closes the oldest handshake to admit a new one (SYNC.md section 8). */
static void evict_handshake(struct ag_srv *s)
{
	unsigned n;
	struct ag_conn *oldest = oldest_handshake(s, &n);
	if (oldest && n >= s->o.max_handshakes)
		conn_error(s, oldest, AG_E_BUSY, "too many handshakes at once");
}

struct ag_conn *ag_srv_make_room(struct ag_srv *s, bool dry_run)
{
	struct ag_conn *idlest = NULL;
	if (s->n < s->o.max_clients)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		struct ag_conn *c = s->conns[i];
		if (c->state == C_READY && !c->in.len && !c->out.len && !c->held &&
		    (!idlest || c->stamp < idlest->stamp))
			idlest = c;
	}
	if (idlest && !dry_run)
		conn_error(s, idlest, AG_E_BUSY,
		           "server full: the longest idle connection makes room");
	return idlest;
}

struct ag_conn *ag_srv_shed(struct ag_srv *s)
{
	unsigned n;
	return oldest_handshake(s, &n);
}

struct ag_conn *ag_srv_conn_new(struct ag_srv *s, int fd, int64_t now_ms)
{
	if (s->n >= s->o.max_clients)
		return NULL;
	struct ag_conn *c = calloc(1, sizeof(*c));
	if (!c || XU_ARRAY_RESERVE(s->conns, s->cap, s->n + 1)) {
		free(c);
		return NULL;
	}
	s->now = now_ms;
	evict_handshake(s);
	c->fd = fd;
	c->accepted = c->last = now_ms;
	s->conns[s->n++] = c;
	return c;
}

void ag_srv_conn_close(struct ag_srv *s, struct ag_conn *c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->conns[i] == c) {
			s->conns[i] = s->conns[--s->n];
			break;
		}
	conn_free(c);
}

size_t ag_srv_conn_room(const struct ag_conn *c)
{
	size_t cap = c->state == C_HELLO ? AG_PREAUTH_FRAME : AG_MAX_FRAME + 16;
	if (c->state == C_CLOSING || c->state == C_PUSHING || c->state == C_DECODING ||
	    c->out.len >= OUT_HIGH || c->in.len >= cap)
		return 0;
	return cap - c->in.len;
}

void ag_srv_conn_input(struct ag_conn *c, const uint8_t *data, size_t len)
{
	size_t room = ag_srv_conn_room(c);
	ag_buf_bytes(&c->in, data, len < room ? len : room);
	if (c->in.oom)
		c->state = C_CLOSING;
	c->last = 0; /* marks activity; the turn stamps the time */
}

const uint8_t *ag_srv_conn_output(const struct ag_conn *c, size_t *len)
{
	*len = c->held ? c->held_mark : c->out.len;
	return c->out.data;
}

void ag_srv_conn_sent(struct ag_conn *c, size_t n)
{
	ag_buf_consume(&c->out, n);
	if (c->held)
		c->held_mark -= n < c->held_mark ? n : c->held_mark;
	c->last = 0;
}

bool ag_srv_conn_wants_read(const struct ag_conn *c)
{
	return ag_srv_conn_room(c) > 0;
}

bool ag_srv_conn_done(const struct ag_conn *c)
{
	return c->state == C_CLOSING && (c->out.len == 0 || c->quiet_close);
}

int ag_srv_conn_fd(const struct ag_conn *c)
{
	return c->fd;
}

size_t ag_srv_nconns(const struct ag_srv *s)
{
	return s->n;
}

struct ag_conn *ag_srv_conn_at(const struct ag_srv *s, size_t i)
{
	return i < s->n ? s->conns[i] : NULL;
}

/* ---- the turn -------------------------------------------------------------------- */

static void deadlines(struct ag_srv *s, struct ag_conn *c)
{
	if (c->last == 0) {
		c->last = s->now;
		c->stamp = ++s->stamps; /* the order of activity, within a millisecond too */
	}
	if (c->state == C_HELLO && s->now - c->accepted >= s->o.handshake_ms)
		conn_error(s, c, AG_E_TIMEOUT, "handshake not completed in time");
	else if ((c->state == C_READY || c->state == C_PULLING) &&
	         s->now - c->last >= s->o.idle_timeout_ms)
		conn_error(s, c, AG_E_TIMEOUT, "idle for too long");
	else if (c->state == C_CLOSING && s->now - c->closing_since >= CLOSE_GRACE)
		c->quiet_close = true; /* it does not read its ERROR: drop it */
}

/* One piece of C's large PUSH: a piece of its decoding or a slice of it.
 * False when C's turn ends here (bulk work is one piece a turn). */
static bool bulk_work(struct ag_srv *s, struct ag_conn *c)
{
	if (c->state == C_DECODING) {
		if (!s->first_pass)
			decode_piece(s, c);
		return false; /* decoded or not, the rest next turn */
	}
	if (s->first_pass && !small_push(s, c))
		return false; /* its slice comes in the second pass */
	bool bulk = !s->first_pass;
	push_slice(s, c);
	if (bulk && c->state == C_READY && c->in.len)
		s->busy = true; /* its next request in the next turn's first pass */
	return !bulk && c->state != C_PUSHING;
}

static void conn_work(struct ag_srv *s, struct ag_conn *c)
{
	if (s->first_pass)
		deadlines(s, c);
	for (int i = 0; i < 64; i++) {
		if ((c->state == C_DECODING || c->state == C_PUSHING) && !bulk_work(s, c))
			return;
		if (c->state == C_PULLING) {
			if (c->out.len < OUT_LOW)
				send_page(s, c);
			if (c->state == C_PULLING)
				return;
		}
		if (!next_frame(s, c) && c->state != C_PUSHING && c->state != C_DECODING)
			return;
	}
	s->busy = true;
}

/* Ends the turn's group commit and releases (or, if the COMMIT failed,
 * withdraws) the answers it held. */
static void batch_end(struct ag_srv *s)
{
	if (!s->batch)
		return;
	int rc = ag_store_commit(s->store);
	s->batch = false;
	s->last_commit = s->now;
	for (size_t i = 0; i < s->n; i++) {
		struct ag_conn *c = s->conns[i];
		if (!c->held)
			continue;
		c->held = false;
		if (rc) {
			c->out.len = c->held_mark;
			conn_error(s, c, AG_E_SERVER, "commit failed, nothing applied; retry");
		}
	}
}

static void housekeeping(struct ag_srv *s)
{
	if (s->now >= s->next_trim) {
		s->next_trim = s->now + 60000;
		if (!ag_store_begin(s->store)) {
			int n = ag_store_trim(s->store, ag_now_ms(), s->o.retention_s * 1000, 500);
			if (ag_store_commit(s->store) == 0 && n >= 500)
				s->next_trim = s->now; /* more to trim: next turn */
		}
	}
	/* the checkpointer's last frames, when it cannot catch up alone; not
	 * retried in the next 5 ms when it could not (a reader, the thread) */
	if (s->now >= s->next_catch_up && ag_store_wal_full(s->store) &&
	    ag_store_wal_catch_up(s->store) != 1)
		s->next_catch_up = s->now + 5;
	/* the WAL is folded back into the database while writes go on (at
	 * most every 250 ms, past 4 MiB) and once things are quiet (1 s) */
	bool big = s->store->wal_pages > 1024, quiet = s->now - s->last_commit >= 1000;
	if ((big || (quiet && s->store->wal_pages > 0)) && s->now >= s->next_ckpt) {
		s->next_ckpt = s->now + 250;
		ag_store_checkpoint(s->store);
	}
}

/* Milliseconds until the next deadline or work (at most 1000). */
static int next_deadline(const struct ag_srv *s)
{
	int64_t next = s->next_trim - s->now;
	for (size_t i = 0; i < s->n; i++) {
		const struct ag_conn *c = s->conns[i];
		int64_t d = c->state == C_HELLO     ? c->accepted + s->o.handshake_ms - s->now
		            : c->state == C_CLOSING ? c->closing_since + CLOSE_GRACE - s->now
		                                    : c->last + s->o.idle_timeout_ms - s->now;
		if (c->state == C_PULLING && c->out.len < OUT_LOW)
			d = 0;
		if (d < next)
			next = d;
	}
	if (s->gated && next > 5)
		next = 5; /* look again soon, without spinning */
	return next < 0 ? 0 : next > 1000 ? 1000 : (int)next;
}

int ag_srv_turn(struct ag_srv *s, int64_t now_ms)
{
	s->now = now_ms;
	s->busy = false;
	s->gated = false;
	/* interactive requests first; then each large push gets its slice, a
	 * smaller one when those requests wrote (their COMMIT, and so their
	 * answers, would wait for it) */
	s->first_pass = true;
	s->small_slices = false;
	for (size_t i = 0; i < s->n; i++)
		conn_work(s, s->conns[i]);
	s->first_pass = false;
	s->small_slices = s->batch && s->batch_durable;
	for (size_t i = 0; i < s->n; i++)
		if (s->conns[i]->state == C_PUSHING || s->conns[i]->state == C_DECODING)
			conn_work(s, s->conns[i]);
	return s->busy ? 0 : next_deadline(s);
}

void ag_srv_commit(struct ag_srv *s)
{
	batch_end(s);
	/* lazy commits left behind by a push that will not end (its peer left):
	 * made durable, so that pulls see them (they show durable data only) */
	if (!push_in_flight(s) && ag_store_lazy_pending(s->store))
		ag_store_sync(s->store);
	housekeeping(s);
}
