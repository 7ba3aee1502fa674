/*
 * server.c - agendad's event loop: one thread, non-blocking sockets, poll(),
 * and an explicit state per connection (AWAIT_HELLO -> READY <-> PULLING,
 * CLOSING after an error). Requests are dispatched through a table indexed
 * by message type. Pushes that arrive in one loop turn share one
 * transaction (group commit: one fsync for all of them); their answers are
 * held in the output buffers and released only after the COMMIT with
 * synchronous=FULL returned. Pull pages are produced only while the client
 * drains its output, so one slow reader costs one bounded buffer. A protocol
 * violation sends ERROR to that peer and closes only that connection.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OUT_HIGH         (1u << 20)   /* stop reading requests above this */
#define OUT_LOW          (256u << 10) /* produce the next pull page below this */
#define HELLO_TIMEOUT_MS 10000
#define MAX_PAGE         5000

enum conn_state { C_HELLO, C_READY, C_PULLING, C_CLOSING };

struct conn {
	int fd;
	enum conn_state state;
	struct ag_buf in, out;
	char user[65], agenda[65];
	int rights;
	uint64_t replica;
	uint64_t anchor; /* PULLING: next page starts after this */
	unsigned page;
	int64_t last_ms;
	bool in_batch;     /* produced output during the open group commit */
	size_t batch_mark; /* out bytes before it: the only ones sendable */
};

struct server {
	int lfd;
	struct ag_store *store;
	struct conn **conns;
	size_t n;
	const struct ag_server_opts *opts;
	bool batch; /* a group transaction is open */
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void conn_send(struct conn *c, const struct ag_msg *m)
{
	if (ag_msg_encode(&c->out, m))
		c->state = C_CLOSING;
}

static void conn_error(struct conn *c, enum ag_err_code code, const char *what)
{
	struct ag_msg m = {.type = AG_MSG_ERROR};
	char text[160];
	snprintf(text, sizeof(text), "%s", what);
	m.u.error.code = code;
	m.u.error.text = text;
	fprintf(stderr, "agendad: fd %d (%s): %s\n", c->fd, c->user[0] ? c->user : "?", what);
	conn_send(c, &m);
	c->state = C_CLOSING;
}

/* Output C produces while a group commit is open is held back. */
static void batch_touch(struct server *s, struct conn *c)
{
	if (!s->batch || c->in_batch)
		return;
	c->in_batch = true;
	c->batch_mark = c->out.len;
}

/* ---- request handlers ------------------------------------------------------ */

static void on_hello(struct server *s, struct conn *c, struct ag_msg *m)
{
	struct ag_msg_hello *h = &m->u.hello;
	if (c->state != C_HELLO)
		return conn_error(c, AG_E_PROTOCOL, "HELLO: sent twice");
	if (h->version != AG_PROTO_VERSION)
		return conn_error(c, AG_E_PROTOCOL, "HELLO: unsupported version");
	c->rights = ag_store_auth(s->store, h->user, h->token, h->token_len, h->agenda);
	if (c->rights == AG_RIGHT_NONE)
		return conn_error(c, AG_E_AUTH, "HELLO: bad user, token or agenda");
	snprintf(c->user, sizeof(c->user), "%s", h->user);
	snprintf(c->agenda, sizeof(c->agenda), "%s", h->agenda);
	c->replica = h->replica;
	c->state = C_READY;
	struct ag_msg w = {.type = AG_MSG_WELCOME};
	w.u.welcome.rights = (uint8_t)c->rights;
	conn_send(c, &w);
}

static void on_push(struct server *s, struct conn *c, struct ag_msg *m)
{
	struct ag_msg a = {.type = AG_MSG_ACK};
	size_t n = m->u.push.n;
	if (c->state != C_READY)
		return conn_error(c, AG_E_PROTOCOL, "PUSH: before HELLO");
	if (!s->batch) {
		if (ag_store_begin(s->store))
			return conn_error(c, AG_E_SERVER, "PUSH: store busy");
		s->batch = true;
		batch_touch(s, c);
	}
	a.u.ack.a = calloc(n ? n : 1, sizeof(struct ag_ack));
	if (!a.u.ack.a)
		return conn_error(c, AG_E_SERVER, "PUSH: out of memory");
	a.u.ack.n = n;
	if (ag_store_push(s->store, c->agenda, c->rights, c->replica, &m->u.push, a.u.ack.a))
		conn_error(c, AG_E_SERVER, "PUSH: store failed, nothing applied");
	else
		conn_send(c, &a); /* held until the group COMMIT returned */
	free(a.u.ack.a);
}

static void send_page(struct server *s, struct conn *c, char **uids, size_t n)
{
	struct ag_msg p = {.type = AG_MSG_PAGE};
	if (ag_store_page(s->store, c->agenda, c->replica, c->anchor, c->page, uids, n,
	                  &p.u.page)) {
		ag_msg_finish(&p);
		return conn_error(c, AG_E_SERVER, "PULL: store failed");
	}
	c->anchor = p.u.page.anchor;
	c->state = p.u.page.more ? C_PULLING : C_READY;
	conn_send(c, &p);
	ag_msg_finish(&p);
}

static void on_pull(struct server *s, struct conn *c, struct ag_msg *m)
{
	struct ag_msg_pull *p = &m->u.pull;
	if (c->state != C_READY)
		return conn_error(c, AG_E_PROTOCOL, "PULL: before HELLO");
	c->anchor = p->anchor;
	c->page = p->page == 0 ? 1000 : p->page > MAX_PAGE ? MAX_PAGE : (unsigned)p->page;
	send_page(s, c, p->uids, p->n);
}

typedef void (*handler_fn)(struct server *s, struct conn *c, struct ag_msg *m);

static const struct {
	uint8_t type;
	handler_fn fn;
} handlers[] = {
    {AG_MSG_HELLO, on_hello},
    {AG_MSG_PUSH, on_push},
    {AG_MSG_PULL, on_pull},
};

static void dispatch(struct server *s, struct conn *c, struct ag_msg *m)
{
	batch_touch(s, c);
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].type == m->type)
			return handlers[i].fn(s, c, m);
	char why[64];
	snprintf(why, sizeof(why), "%s: not a request", ag_msg_name(m->type));
	conn_error(c, AG_E_PROTOCOL, why);
}

/* Handles the complete frames buffered on C, in order. */
static void conn_process(struct server *s, struct conn *c)
{
	size_t hdr, body, used = 0;
	while (c->state == C_HELLO || c->state == C_READY) {
		if (c->out.len >= OUT_HIGH)
			break;
		int rc = ag_frame_peek(c->in.data + used, c->in.len - used, &hdr, &body);
		if (rc < 0) {
			conn_error(c, AG_E_TOO_BIG, "frame too large or malformed");
			break;
		}
		if (rc == 0)
			break;
		struct ag_msg m;
		const char *why = NULL;
		if (ag_msg_decode(c->in.data + used, hdr + body, &m, &why)) {
			char text[128];
			snprintf(text, sizeof(text), "%s: %s", ag_msg_name(c->in.data[used]), why);
			conn_error(c, AG_E_PROTOCOL, text);
		} else {
			dispatch(s, c, &m);
		}
		ag_msg_finish(&m);
		used += hdr + body;
	}
	ag_buf_consume(&c->in, used);
}

/* ---- sockets -------------------------------------------------------------- */

static int conn_read(struct conn *c)
{
	size_t room = AG_MAX_FRAME + 16 - c->in.len;
	uint8_t tmp[65536];
	if (room == 0)
		return 0;
	ssize_t n = recv(c->fd, tmp, room < sizeof(tmp) ? room : sizeof(tmp), 0);
	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	ag_buf_bytes(&c->in, tmp, (size_t)n);
	return c->in.oom ? -1 : 0;
}

static int conn_write(struct conn *c)
{
	size_t len = c->in_batch ? c->batch_mark : c->out.len;
	if (len == 0)
		return 0;
	ssize_t n = send(c->fd, c->out.data, len, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	ag_buf_consume(&c->out, (size_t)n);
	if (c->in_batch)
		c->batch_mark -= (size_t)n;
	return 0;
}

static void conn_destroy(struct conn *c)
{
	if (!c)
		return;
	close(c->fd);
	ag_buf_finish(&c->in);
	ag_buf_finish(&c->out);
	free(c);
}

static void accept_one(struct server *s)
{
	int fd = xp_net_accept(s->lfd, XP_NET_NONBLOCK | XP_NET_CLOEXEC);
	if (fd < 0)
		return;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->last_ms = ag_now_ms();
	s->conns[s->n++] = c;
}

static int listen_on(const char *addr, const char *port_file)
{
	struct xp_error err;
	int port, fd = xp_net_listen_tcp(addr, XP_NET_NONBLOCK | XP_NET_CLOEXEC, &port, &err);
	if (fd < 0) {
		fprintf(stderr, "agendad: cannot listen: %s\n", err.text);
		return -1;
	}
	fprintf(stderr, "agendad: listening on %s (port %d)\n", addr, port);
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (!f)
			goto err_fd;
		fprintf(f, "%d\n", port);
		fclose(f);
	}
	return fd;
err_fd:
	fprintf(stderr, "agendad: %s: %s\n", port_file, strerror(errno));
	close(fd);
	return -1;
}

/* ---- loop ----------------------------------------------------------------- */

static short conn_events(const struct conn *c)
{
	short ev = 0;
	if (c->state != C_CLOSING && c->out.len < OUT_HIGH)
		ev |= POLLIN;
	if (c->out.len)
		ev |= POLLOUT;
	return ev;
}

/* Returns false when C must be closed. */
static bool conn_service(struct server *s, struct conn *c, short rev)
{
	int64_t now = ag_now_ms();
	if (rev & (POLLIN | POLLOUT))
		c->last_ms = now;
	if ((rev & POLLOUT) && conn_write(c))
		return false;
	if ((rev & POLLIN) && conn_read(c))
		return false;
	if ((rev & (POLLERR | POLLNVAL)))
		return false;
	conn_process(s, c);
	if (c->state == C_PULLING && c->out.len < OUT_LOW) {
		batch_touch(s, c);
		send_page(s, c, NULL, 0);
	}
	if (c->out.len && conn_write(c))
		return false;
	if (c->state == C_CLOSING && c->out.len == 0)
		return false;
	int limit = c->state == C_HELLO ? HELLO_TIMEOUT_MS : s->opts->idle_timeout_ms;
	return now - c->last_ms < limit;
}

/* Ends the loop turn's group commit and releases (or, if the COMMIT failed,
 * withdraws) the answers it held. */
static void batch_end(struct server *s)
{
	if (!s->batch)
		return;
	int rc = ag_store_commit(s->store);
	s->batch = false;
	for (size_t i = 0; i < s->n; i++) {
		struct conn *c = s->conns[i];
		if (!c->in_batch)
			continue;
		c->in_batch = false;
		if (rc) {
			c->out.len = c->batch_mark;
			conn_error(c, AG_E_SERVER, "commit failed, nothing applied");
		}
		conn_write(c);
	}
}

static int loop_once(struct server *s, struct pollfd *pfd, unsigned max)
{
	pfd[0] = (struct pollfd){.fd = s->lfd, .events = s->n < max ? POLLIN : 0};
	for (size_t i = 0; i < s->n; i++)
		pfd[i + 1] =
		    (struct pollfd){.fd = s->conns[i]->fd, .events = conn_events(s->conns[i])};
	size_t n = s->n;
	int timeout = 1000;
	for (size_t i = 0; i < n; i++)
		if (s->conns[i]->state == C_PULLING && s->conns[i]->out.len < OUT_LOW)
			timeout = 0; /* a pull stream waits for its next page */
	if (poll(pfd, n + 1, timeout) < 0)
		return errno == EINTR ? 0 : -1;
	for (size_t i = n; i-- > 0;) {
		if (conn_service(s, s->conns[i], pfd[i + 1].revents))
			continue;
		conn_destroy(s->conns[i]);
		s->conns[i] = s->conns[--s->n];
	}
	batch_end(s);
	if (pfd[0].revents & POLLIN)
		accept_one(s);
	return 0;
}

static int serve(struct server *s)
{
	unsigned max = s->opts->max_clients;
	struct pollfd *pfd = calloc(max + 1, sizeof(*pfd));
	s->conns = calloc(max, sizeof(*s->conns));
	int rc = pfd && s->conns ? 0 : -1;
	while (!rc && !stop_flag)
		rc = loop_once(s, pfd, max);
	for (size_t i = 0; i < s->n; i++)
		conn_destroy(s->conns[i]);
	free(s->conns);
	free(pfd);
	return rc;
}

int ag_server_run(const struct ag_server_opts *opts)
{
	struct ag_server_opts o = *opts;
	struct server s = {.opts = &o, .lfd = -1};
	char err[512];
	if (!o.max_clients)
		o.max_clients = 512;
	if (!o.idle_timeout_ms)
		o.idle_timeout_ms = 120000;
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (ag_store_open(o.db, &s.store, err, sizeof(err))) {
		fprintf(stderr, "agendad: %s\n", err);
		return 1;
	}
	s.lfd = listen_on(o.listen, o.port_file);
	if (s.lfd < 0) {
		ag_store_close(s.store);
		return 1;
	}
	int rc = serve(&s);
	close(s.lfd);
	ag_store_close(s.store);
	fprintf(stderr, "agendad: stopped\n");
	return rc ? 1 : 0;
}
