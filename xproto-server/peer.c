/*
 * peer.c - one connection's life: HANDSHAKE (preamble, HELLO, cookie) ->
 * RUNNING (messages dispatched to app.c or client.c) -> DRAINING (an ERROR
 * is being flushed) -> CLOSED (freed before the next wait). A failure closes
 * only this connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define READS_PER_EVENT 4 /* fairness: then let others run */
#define DRAIN_MS        1000

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
	xp_conn_init(&p->conn, fd, s->opt.max_msg, true);
	if (xs_loop_watch(s->loop, fd, XS_READABLE, on_io, p) < 0) {
		xp_conn_release_fd(&p->conn); /* the caller closes it */
		xp_conn_finish(&p->conn);
		free(p);
		return NULL;
	}
	xp_conn_send_preamble(&p->conn);
	p->handshake_timer =
	    xs_loop_timer(s->loop, s->opt.handshake_timeout_ms, handshake_expired, p);
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
	if (p->role == XP_ROLE_APP && p->state != XS_HANDSHAKE)
		p->srv->napps--;
	else if (p->state != XS_HANDSHAKE)
		p->srv->nclients--;
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
	if (p->state == XS_RUNNING)
		p->role == XP_ROLE_APP ? p->srv->napps-- : p->srv->nclients--;
	p->state = XS_DRAINING;
	xs_loop_watch(p->srv->loop, xp_conn_fd(&p->conn), XS_WRITABLE, on_io, p);
	p->drain_timer = xs_loop_timer(p->srv->loop, DRAIN_MS, drain_expired, p);
}

void xs_peer_destroy(struct xs_peer *p)
{
	if (!p)
		return;
	struct xs_loop *l = p->srv->loop;
	if (p->handshake_timer)
		xs_loop_cancel(l, p->handshake_timer);
	if (p->drain_timer)
		xs_loop_cancel(l, p->drain_timer);
	xs_loop_unwatch(l, xp_conn_fd(&p->conn));
	xp_conn_finish(&p->conn);
	xs_idset_finish(&p->known);
	xs_idset_finish(&p->cached);
	xs_idset_finish(&p->stale);
	free(p->damage);
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
	struct xp_caps mine = {p->is_tcp ? XP_FLAG_ZLIB : 0, o->max_msg,
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
	xp_conn_set_max_msg(&p->conn, o->max_msg);
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
	snprintf(p->name, sizeof(p->name), "%s %u (%s)", role_name(p->role), p->conn_id, name);
	/* the first interactive client decides the screen size of a new session */
	if (p->role == XP_ROLE_CLIENT && p->session && !p->session->clients && h->screen_w &&
	    h->screen_h)
		xs_session_resize(p->session, h->screen_w, h->screen_h);
	send_welcome(p, h, created);
	p->state = XS_RUNNING;
	p->role == XP_ROLE_APP ? p->srv->napps++ : p->srv->nclients++;
	xs_loop_cancel(p->srv->loop, p->handshake_timer);
	p->handshake_timer = 0;
	p->last_ack_us = xp_now_us();
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
 * message without a handler (@fn NULL), or a handler's error, fails this
 * connection with a message naming it.
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
	xs_peer_fail(p, err.code, m->op, "%s", err.text);
	return -1;
}

int xs_on_ping(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	struct xp_msg out = {.op = XP_OP_PONG};
	out.u.pong = (struct xp_msg_pong){m->u.ping.seq, m->u.ping.time_us};
	xs_peer_send(p, &out);
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

static void read_messages(struct xs_peer *p)
{
	struct xp_msg m;
	int r;
	for (int i = 0; i < READS_PER_EVENT && p->state <= XS_RUNNING; i++) {
		r = xp_conn_read(&p->conn);
		while (p->state <= XS_RUNNING && xp_conn_next(&p->conn, &m) == 1)
			dispatch(p, &m);
		if (p->state > XS_RUNNING)
			return;
		const struct xp_error *e = xp_conn_error(&p->conn);
		if (xp_conn_failed(&p->conn)) {
			xs_peer_fail(p, e->code, e->about, "%s", e->text);
			return;
		}
		if (r < 0) {
			xs_peer_close(p, e->text);
			return;
		}
		if (r == 0)
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

static void flush_peer(struct xs_peer *p)
{
	struct xs_server *s = p->srv;
	if (p->state == XS_RUNNING && p->role != XP_ROLE_APP)
		xs_update_before_sleep(p);
	if (p->state == XS_CLOSED)
		return;
	xp_conn_flush(&p->conn);
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

void xs_peers_flush(struct xs_server *s)
{
	for (struct xs_peer *p = s->peers; p; p = p->all_next)
		flush_peer(p);
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
