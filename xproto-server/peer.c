/*
 * peer.c - one connection's life: HANDSHAKE (preamble, HELLO, cookie) ->
 * RUNNING (messages dispatched to app.c or client.c) -> DRAINING (an ERROR
 * is being flushed) -> CLOSED (freed before the next wait). A failure closes
 * only this connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_int.h"

#define READS_PER_EVENT    4 /* fairness: then let others run */
#define DRAIN_MS           1000
#define XS_PREAUTH_MAX_MSG 1024u /* a HELLO is at most ~250 bytes with a 64-byte name */

static void on_io(struct xs_loop *l, int fd, unsigned events, void *data);

static const char *role_name(enum xp_role r)
{
	return r == XP_ROLE_APP ? "app" : r == XP_ROLE_VIEWER ? "viewer" : "client";
}

static int handshake_expired(struct xs_loop *l, uint64_t id, void *data)
{
	struct xs_peer *p = data;
	(void)l;
	(void)id;
	p->handshake_timer = 0;
	if (p->state == XS_HANDSHAKE)
		xs_peer_fail(p, XP_ERR_TIMEOUT, 0, "no HELLO within %d ms",
		             p->srv->opt.handshake_timeout_ms);
	return -1;
}

/*
 * The app and client limits count admitted peers: a peer is counted once,
 * when its HELLO is accepted, and uncounted once, whichever of failing and
 * closing comes first.
 */
static void count_in(struct xs_peer *p)
{
	p->role == XP_ROLE_APP ? p->srv->napps++ : p->srv->nclients++;
	p->counted = true;
}

static void count_out(struct xs_peer *p)
{
	if (!p->counted)
		return;
	p->role == XP_ROLE_APP ? p->srv->napps-- : p->srv->nclients--;
	p->counted = false;
}

/*
 * Peers in their handshake, oldest first. They are cheap (a small input
 * buffer, no session) and few: when a new connection would pass
 * max_handshakes, the oldest one is dropped, so a flood of idle or slow
 * connections costs the attacker its own slots and a legitimate peer, which
 * authenticates within a round trip, still gets in.
 */
static void handshakes_add(struct xs_peer *p)
{
	struct xs_server *s = p->srv;
	p->hs_older = s->hs_newest;
	p->hs_newer = NULL;
	if (s->hs_newest)
		s->hs_newest->hs_newer = p;
	else
		s->hs_oldest = p;
	s->hs_newest = p;
	p->in_handshakes = true;
	s->nhandshakes++;
}

static void handshakes_remove(struct xs_peer *p)
{
	struct xs_server *s = p->srv;
	if (!p->in_handshakes)
		return;
	if (p->hs_older)
		p->hs_older->hs_newer = p->hs_newer;
	else
		s->hs_oldest = p->hs_newer;
	if (p->hs_newer)
		p->hs_newer->hs_older = p->hs_older;
	else
		s->hs_newest = p->hs_older;
	p->hs_older = p->hs_newer = NULL;
	p->in_handshakes = false;
	s->nhandshakes--;
}

bool xs_peer_drop_oldest_handshake(struct xs_server *s, const char *why)
{
	struct xs_peer *old = s->hs_oldest;
	if (!old)
		return false;
	xp_conn_send_error(&old->conn, XP_ERR_LIMIT, 0, "%s", why);
	xp_conn_flush(&old->conn);
	xp_conn_write(&old->conn); /* best effort: it does not get to wait */
	xs_peer_close(old, why);
	close(xp_conn_release_fd(&old->conn)); /* now: the descriptor may be what we lack */
	return true;
}

/* Make room for one more handshake: the oldest is told why and closed. */
static void handshakes_make_room(struct xs_server *s)
{
	while (s->nhandshakes >= s->opt.max_handshakes &&
	       xs_peer_drop_oldest_handshake(s, "too many connections in their handshake"))
		;
}

struct xs_peer *xs_peer_create(struct xs_server *s, int fd, bool is_tcp, bool app_endpoint)
{
	struct xs_peer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->srv = s;
	p->is_tcp = is_tcp;
	p->app_endpoint = app_endpoint;
	p->conn_id = ++s->next_conn_id;
	xd_state_init(&p->in);  /* what an app has set: nothing yet */
	xd_state_init(&p->out); /* what a client holds: nothing yet */
	snprintf(p->name, sizeof(p->name), "conn %u", p->conn_id);
	/* before authentication a peer may send a HELLO and nothing bigger */
	xp_conn_init(&p->conn, fd, XS_PREAUTH_MAX_MSG, true);
	xp_conn_set_slices(&p->conn, XS_INFLATE_SLICE, XS_DEFLATE_SLICE);
	xp_conn_set_max_rects(&p->conn, XS_MAX_RECTS); /* more: refused unparsed (cost.c) */
	if (xs_loop_watch(s->loop, fd, XS_READABLE, on_io, p) < 0) {
		xp_conn_release_fd(&p->conn); /* the caller closes it */
		xp_conn_finish(&p->conn);
		free(p);
		return NULL;
	}
	xp_conn_send_preamble(&p->conn);
	/* an absolute deadline: bytes trickling in do not extend it */
	p->handshake_timer =
	    xs_loop_timer(s->loop, s->opt.handshake_timeout_ms, handshake_expired, p);
	handshakes_make_room(s);
	handshakes_add(p);
	p->all_next = s->peers;
	s->peers = p;
	return p;
}

int xs_peer_send(struct xs_peer *p, const struct xp_msg *m)
{
	if (p->state != XS_RUNNING && m->op != XP_OP_ERROR)
		return -1;
	return xp_conn_send(&p->conn, m);
}

void xs_peer_close(struct xs_peer *p, const char *why)
{
	if (p->state == XS_CLOSED)
		return;
	xs_log(p->srv, XS_INFO, "%s (%s) closed: %s", p->name, role_name(p->role), why);
	if (p->state != XS_HANDSHAKE)
		xs_session_detach(p);
	count_out(p);
	handshakes_remove(p);
	p->state = XS_CLOSED;
	xs_loop_unwatch(p->srv->loop, xp_conn_fd(&p->conn));
}

static int drain_expired(struct xs_loop *l, uint64_t id, void *data)
{
	struct xs_peer *p = data;
	(void)l;
	(void)id;
	p->drain_timer = 0;
	xs_peer_close(p, "error not read in time");
	return -1;
}

void xs_peer_fail(struct xs_peer *p, enum xp_err_code code, unsigned about, const char *fmt, ...)
{
	char text[160];
	va_list ap;
	if (p->state == XS_CLOSED || p->state == XS_DRAINING)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	xs_log(p->srv, XS_INFO, "%s: error %u (%s): %s", p->name, code, xp_err_name(code), text);
	/* the error goes out plain if the handshake never switched zlib on */
	xp_conn_send_error(&p->conn, code, about, "%s", text);
	if (p->state != XS_HANDSHAKE)
		xs_session_detach(p);
	count_out(p);
	handshakes_remove(p);
	p->state = XS_DRAINING;
	xs_loop_watch(p->srv->loop, xp_conn_fd(&p->conn), XS_WRITABLE, on_io, p);
	p->drain_timer = xs_loop_timer(p->srv->loop, DRAIN_MS, drain_expired, p);
}

void xs_peer_destroy(struct xs_peer *p)
{
	if (!p)
		return;
	struct xs_loop *l = p->srv->loop;
	handshakes_remove(p);
	xs_job_cancel(p);
	if (p->handshake_timer)
		xs_loop_cancel(l, p->handshake_timer);
	if (p->drain_timer)
		xs_loop_cancel(l, p->drain_timer);
	xs_loop_unwatch(l, xp_conn_fd(&p->conn));
	xp_conn_finish(&p->conn);
	xs_idset_finish(&p->known);
	xs_idset_finish(&p->cached);
	xs_idset_finish(&p->stale);
	xs_map_finish(&p->app_windows);
	xs_map_finish(&p->app_images);
	free(p->damage);
	free(p->cursor_held);
	free(p);
}

/* ---- handshake ---- */

static int check_role(struct xs_peer *p, const struct xp_msg_hello *h, struct xp_error *err)
{
	const struct xs_options *o = &p->srv->opt;
	bool app = h->role == XP_ROLE_APP;
	if (app != p->app_endpoint)
		return xp_error_set(err, XP_ERR_STATE, XP_OP_HELLO,
		                    "HELLO: role %s not accepted on this endpoint",
		                    role_name(h->role));
	if (app && p->srv->napps >= o->max_apps)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_HELLO, "too many apps (limit %d)",
		                    o->max_apps);
	if (!app && p->srv->nclients >= o->max_clients)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_HELLO, "too many clients (limit %d)",
		                    o->max_clients);
	return 0;
}

static void send_welcome(struct xs_peer *p, const struct xp_msg_hello *h, bool created)
{
	const struct xs_options *o = &p->srv->opt;
	/* compression pays over TCP only; Unix sockets are local and fast */
	struct xp_caps mine = {(p->is_tcp ? XP_FLAG_ZLIB : 0) | XP_FLAG_SEAMLESS, o->max_msg,
	                       p->session ? p->session->screen_w : 0,
	                       p->session ? p->session->screen_h : 0};
	struct xp_caps offer = {h->flags, h->max_msg, h->screen_w, h->screen_h};
	/* the launcher's keyboard is synchronous (hold.c), if its library can */
	if (p->role == XP_ROLE_APP && strstr(p->name, "(xp-launcher)"))
		mine.flags |= XP_FLAG_SYNC_KEYS;
	struct xp_caps c = xp_caps_negotiate(&offer, &mine);
	p->sync_keys = c.flags & XP_FLAG_SYNC_KEYS;
	if (created)
		c.flags |= XP_FLAG_CREATED;
	struct xp_msg m = {.op = XP_OP_WELCOME};
	m.u.welcome =
	    (struct xp_msg_welcome){c.flags, c.max_msg, c.screen_w, c.screen_h, p->conn_id};
	xp_conn_send(&p->conn, &m);
	xp_conn_flush(&p->conn);
	xp_conn_set_max_msg(&p->conn, o->max_msg); /* authenticated: full-size messages */
	if (c.flags & XP_FLAG_ZLIB)
		xp_conn_enable_zlib(&p->conn, true, true);
}

static void on_hello(struct xs_peer *p, const struct xp_msg_hello *h)
{
	struct xp_error err;
	char session[65], name[32];
	bool created;
	if (xp_hello_check(h, &p->srv->cookie, &err) < 0 || check_role(p, h, &err) < 0) {
		xs_peer_fail(p, err.code, XP_OP_HELLO, "%s", err.text);
		return;
	}
	xp_str_copy(session, sizeof(session), h->session);
	xp_str_copy(name, sizeof(name), h->name);
	if ((h->flags & XP_FLAG_QUERY) && h->role == XP_ROLE_APP) {
		xs_peer_fail(p, XP_ERR_STATE, XP_OP_HELLO, "HELLO: an app must join a session");
		return;
	}
	if (xs_session_join(p, session, h->flags, &created, &err) < 0) {
		xs_peer_fail(p, err.code, XP_OP_HELLO, "%s", err.text);
		return;
	}
	p->role = (enum xp_role)h->role;
	p->wm.seamless = p->role != XP_ROLE_APP && (h->flags & XP_FLAG_SEAMLESS);
	snprintf(p->name, sizeof(p->name), "%s %u (%s)", role_name(p->role), p->conn_id, name);
	/* the first interactive client decides the screen size of a new session */
	if (p->role == XP_ROLE_CLIENT && p->session && !p->session->clients && h->screen_w &&
	    h->screen_h)
		xs_session_resize(p->session, h->screen_w, h->screen_h);
	send_welcome(p, h, created);
	p->state = XS_RUNNING;
	handshakes_remove(p);
	count_in(p);
	xs_loop_cancel(p->srv->loop, p->handshake_timer);
	p->handshake_timer = 0;
	p->last_ack_us = p->last_input_us = xp_now_us();
	if (!p->session) {
		xs_log(p->srv, XS_INFO, "%s connected to ask (no session)", p->name);
		return;
	}
	xs_session_attach(p->session, p);
	xs_log(p->srv, XS_INFO, "%s joined session '%s'", p->name, session);
}

/* ---- the receive path ---- */

/*
 * Run handler @fn (the one the caller's table has for @m's opcode). A
 * message without a handler (@fn NULL) fails this connection with a message
 * naming it; so does a handler's error, unless SPEC.md calls it non-fatal
 * (LIMIT, NO_WINDOW, NO_APP, READ_ONLY): then the peer is told and its
 * connection goes on.
 */
int xs_dispatch(struct xs_peer *p, const struct xp_msg *m, xs_handler_fn fn, const char *who)
{
	struct xp_error err = {0};
	if (!fn) {
		xs_peer_fail(p, XP_ERR_STATE, m->op, "%s is not allowed from %s", xp_op_name(m->op),
		             who);
		return -1;
	}
	if (fn(p, m, &err) == 0)
		return 0;
	if (!xs_error_fatal(err.code)) { /* refused, and the peer carries on */
		xs_log(p->srv, XS_DEBUG, "%s: refused %s: %s", p->name, xp_op_name(m->op),
		       err.text);
		xp_conn_send_error(&p->conn, err.code, m->op, "%s", err.text);
		return -1;
	}
	xs_peer_fail(p, err.code, m->op, "%s", err.text);
	return -1;
}

bool xs_error_fatal(enum xp_err_code code)
{
	return code != XP_ERR_LIMIT && code != XP_ERR_NO_WINDOW && code != XP_ERR_NO_APP &&
	       code != XP_ERR_READ_ONLY;
}

int xs_on_ping(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	struct xp_msg out = {.op = XP_OP_PONG};
	out.u.pong = (struct xp_msg_pong){m->u.ping.seq, m->u.ping.time_us};
	uint64_t before = xp_conn_plain_queued(&p->conn);
	xs_peer_send(p, &out);
	if (p->role != XP_ROLE_APP)
		xs_update_unmarked(p, before);
	return 0;
}

int xs_on_ignore(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)p;
	(void)m;
	(void)err;
	return 0;
}

static void dispatch(struct xs_peer *p, const struct xp_msg *m)
{
	if (p->srv->opt.log_level >= XS_DEBUG && m->op != XP_OP_ACK) {
		char line[160];
		xp_msg_format(m, line, sizeof(line));
		xs_log(p->srv, XS_DEBUG, "%s: %s", p->name, line);
	}
	if (p->state == XS_HANDSHAKE) {
		if (m->op != XP_OP_HELLO)
			xs_peer_fail(p, XP_ERR_STATE, m->op, "%s before HELLO", xp_op_name(m->op));
		else
			on_hello(p, &m->u.hello);
		return;
	}
	if (m->op == XP_OP_HELLO) {
		xs_peer_fail(p, XP_ERR_STATE, m->op, "HELLO twice");
		return;
	}
	if (p->role == XP_ROLE_APP)
		xs_app_handle(p, m);
	else
		xs_client_handle(p, m);
}

/*
 * A new loop turn gives the peer a new budget; one per turn, however it is
 * called. An overdraft (work done at once that cost more than was left) is
 * paid from it.
 */
static void refill(struct xs_peer *p)
{
	struct xs_server *s = p->srv;
	if (p->budget_turn == s->turn)
		return;
	uint32_t share = XS_TURN_WORK / (uint32_t)(s->workers > 0 ? s->workers : 1);
	share = share > XS_TURN_BUDGET  ? XS_TURN_BUDGET
	        : share < XS_MIN_BUDGET ? XS_MIN_BUDGET
	                                : share;
	p->budget_turn = s->turn;
	p->budget = (p->budget < 0 ? p->budget : 0) + (int64_t)share;
	s->working++;
}

int64_t xs_peer_budget(struct xs_peer *p)
{
	refill(p);
	return p->budget;
}

void xs_peer_charge(struct xs_peer *p, uint64_t units)
{
	p->budget -= units > XS_TURN_BUDGET ? (int64_t)XS_TURN_BUDGET : (int64_t)units;
}

/*
 * Charge @p for a message whose handling took @ns nanoseconds, of which
 * its handler already charged @charged (a drawing's estimate): at least
 * XS_MSG_COST, and what the estimate missed (forwarding to many clients,
 * freeing a large window, a slow machine).
 */
static void charge_measured(struct xs_peer *p, uint64_t ns, int64_t charged)
{
	uint64_t done = charged > 0 ? (uint64_t)charged : 0;
	xs_peer_charge(p, ns > done + XS_MSG_COST ? ns - done : XS_MSG_COST);
}

/* Whether @p may send @op in its role and state, whatever the body. */
static bool may_send(const struct xs_peer *p, uint8_t op)
{
	if (p->state == XS_HANDSHAKE || op == XP_OP_HELLO)
		return p->state == XS_HANDSHAKE && op == XP_OP_HELLO;
	return p->role == XP_ROLE_APP ? xs_app_may_send(op) : xs_client_may_send(p, op);
}

/*
 * Input that cannot be decoded (@e): a message the peer may not send at all
 * is a STATE error whatever its body (SPEC section 1: the role comes first),
 * as it would be had the body been whole; else the decoder's reason.
 */
static void fail_input(struct xs_peer *p, const struct xp_error *e)
{
	bool op_known = e->code == XP_ERR_MALFORMED || e->code == XP_ERR_TOO_BIG;
	if (op_known && !may_send(p, e->about)) {
		const char *who = p->state == XS_HANDSHAKE ? "before HELLO"
		                  : p->role == XP_ROLE_APP ? "from an app"
		                                           : "from a client";
		xs_peer_fail(p, XP_ERR_STATE, e->about, "%s is not allowed %s",
		             xp_op_name(e->about), who);
		return;
	}
	xs_peer_fail(p, e->code, e->about, "%s", e->text);
}

/*
 * Dispatch the messages already received while the peer's budget lasts:
 * each costs its bytes and the time it took (at least XS_MSG_COST),
 * inflating costs the bytes it makes, and drawing what it touches. What is
 * left waits for the next turn (p->pending), so other connections run
 * between the pieces.
 */
static void receive(struct xs_peer *p)
{
	struct xp_msg m;
	refill(p);
	p->pending = false;
	while (p->state <= XS_RUNNING) {
		/* an app's drawing in progress goes first: its next messages wait */
		if (p->budget <= 0 || (p->job && !xs_job_run(p))) {
			p->pending = true;
			return;
		}
		const struct xp_conn_stats *st = xp_conn_stats(&p->conn);
		uint64_t in0 = st->plain_in, z0 = st->inflated;
		int r = xp_conn_next(&p->conn, &m);
		xs_peer_charge(p, (st->plain_in - in0) + (st->inflated - z0));
		if (r == 1) {
			int64_t before = p->budget;
			uint64_t t0 = xp_now_us();
			dispatch(p, &m);
			charge_measured(p, (xp_now_us() - t0) * 1000, before - p->budget);
		} else if (r < 0) {
			fail_input(p, xp_conn_error(&p->conn));
		} else if (!xp_conn_input_pending(&p->conn)) {
			return; /* everything received is taken */
		}
	}
}

/* Take what is received; a peer that is done and whose input ended is closed. */
static void take_input(struct xs_peer *p)
{
	receive(p);
	if (p->state <= XS_RUNNING && !p->pending && xp_conn_eof(&p->conn))
		xs_peer_close(p, xp_conn_error(&p->conn)->text);
}

/* Readable: read and dispatch while the budget lasts (unread bytes wait in the socket). */
static void read_messages(struct xs_peer *p)
{
	take_input(p);
	for (int i = 0; i < READS_PER_EVENT && p->state <= XS_RUNNING && !p->pending; i++) {
		int r = xp_conn_read(&p->conn);
		if (r > 0)
			p->last_input_us = xp_now_us();
		take_input(p);
		if (r <= 0)
			return;
	}
}

static void on_io(struct xs_loop *l, int fd, unsigned events, void *data)
{
	struct xs_peer *p = data;
	(void)l;
	(void)fd;
	if ((events & XS_READABLE) && p->state <= XS_RUNNING)
		read_messages(p);
	if ((events & XS_WRITABLE) && p->state != XS_CLOSED) {
		int w = xp_conn_write(&p->conn);
		if (w < 0)
			xs_peer_close(p, "write failed");
		else if (w == 1 && p->state == XS_DRAINING)
			xs_peer_close(p, "error sent");
	}
}

/* ---- before each wait: flush everyone, reap the closed ---- */

/*
 * Compress (if zlib is on) what is queued for @p, up to its slice, and
 * learn how fast its output compresses: a slice of noise takes five times
 * as long as one of text, so slices are given in time (share_deflate).
 */
static void flush_measured(struct xs_peer *p)
{
	uint64_t before = xp_conn_stats(&p->conn)->plain_out, t0 = xp_now_us();
	xp_conn_flush(&p->conn);
	uint64_t n = xp_conn_stats(&p->conn)->plain_out - before, us = xp_now_us() - t0;
	if (!xp_conn_zlib_out(&p->conn) || n < XS_MIN_DEFLATE)
		return; /* nothing compressed, or too little to tell */
	uint64_t rate = n * 1000 / (us ? us : 1), was = p->zrate ? p->zrate : XS_DEFLATE_RATE;
	rate = rate > was * 2 ? was * 2 : rate; /* one fast slice is not a trend */
	p->zrate = rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
}

static void flush_peer(struct xs_peer *p)
{
	struct xs_server *s = p->srv;
	if (p->state == XS_RUNNING && p->role != XP_ROLE_APP)
		xs_update_before_sleep(p);
	/* an app that does not read (events, replies, errors) is not kept waiting forever */
	if (p->state == XS_RUNNING && p->role == XP_ROLE_APP &&
	    xp_conn_out_pending(&p->conn) > s->opt.client_hard_limit)
		xs_peer_fail(p, XP_ERR_LIMIT, 0, "app is not reading (%zu bytes queued)",
		             xp_conn_out_pending(&p->conn));
	if (p->state == XS_CLOSED)
		return;
	flush_measured(p);
	int w = xp_conn_write(&p->conn);
	if (w < 0) {
		xs_peer_close(p, "write failed");
		return;
	}
	unsigned mask = p->state == XS_DRAINING ? XS_WRITABLE : XS_READABLE;
	if (w == 0)
		mask |= XS_WRITABLE;
	if (w == 1 && p->state == XS_DRAINING) {
		xs_peer_close(p, "error sent");
		return;
	}
	xs_loop_watch(s->loop, xp_conn_fd(&p->conn), mask, on_io, p);
}

/*
 * Output compression this turn: XS_DEFLATE_US shared by the peers that have
 * output, each given the bytes its output compresses in its share of that
 * time (as measured by flush_measured).
 */
static void share_deflate(struct xs_server *s)
{
	uint32_t n = 0;
	for (struct xs_peer *p = s->peers; p; p = p->all_next)
		n += p->state <= XS_DRAINING && xp_conn_unflushed(&p->conn) > 0;
	uint64_t us = XS_DEFLATE_US / (n ? n : 1);
	for (struct xs_peer *p = s->peers; p; p = p->all_next) {
		uint64_t share = (p->zrate ? p->zrate : XS_DEFLATE_RATE) * us / 1000;
		share = share > XS_DEFLATE_SLICE ? XS_DEFLATE_SLICE
		        : share < XS_MIN_DEFLATE ? XS_MIN_DEFLATE
		                                 : share;
		xp_conn_set_slices(&p->conn, XS_INFLATE_SLICE, (size_t)share);
	}
}

void xs_peers_flush(struct xs_server *s)
{
	bool busy = false;
	s->workers = s->working; /* they share the next turn */
	s->working = 0;
	s->turn++;
	for (struct xs_peer *p = s->peers; p; p = p->all_next)
		if (p->pending && p->state <= XS_RUNNING)
			take_input(p); /* the next piece of what a busy peer sent */
	share_deflate(s);
	for (struct xs_peer *p = s->peers; p; p = p->all_next) {
		flush_peer(p);
		busy |= p->state <= XS_RUNNING && (p->pending || xp_conn_unflushed(&p->conn) > 0);
	}
	busy |= xs_release_some(s);
	if (busy) /* work is left: poll, do not sleep */
		xs_loop_wake(s->loop);
	for (struct xs_peer **pp = &s->peers; *pp;) {
		struct xs_peer *p = *pp;
		if (p->state == XS_CLOSED) {
			*pp = p->all_next;
			xs_peer_destroy(p);
		} else {
			pp = &p->all_next;
		}
	}
}
