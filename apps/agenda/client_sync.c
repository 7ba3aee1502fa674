/*
 * client_sync.c - one sync run of a replica against agendad (SYNC.md
 * section 7): HELLO, the pending queue in PUSH chunks (each acknowledged
 * only once durable on the server), then PULL with the pages applied one
 * transaction at a time (a full resync when the server says so). Blocking
 * socket with timeouts; every byte is counted; a refusal from the server
 * fails with its words; a test hook can cut the connection after N bytes.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct link {
	struct ag_replica *r;
	int fd;
	struct ag_buf in;
	long budget; /* bytes left before the test cut; <0: unlimited */
	int timeout_ms;
	struct ag_sync_stats *st;
	bool welcomed;
	void (*hook)(void *arg, int stage);
	void *hook_arg;
};

static int link_connect(struct link *l, const char *server)
{
	struct xp_error err;
	l->fd = xp_net_connect(server, XP_NET_CLOEXEC, &err);
	if (l->fd < 0)
		return ag_fail(l->r, "cannot connect: %s", err.text);
	return 0;
}

static int wait_fd(struct link *l, short events)
{
	struct pollfd pfd = {.fd = l->fd, .events = events};
	int rc;
	do
		rc = poll(&pfd, 1, l->timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return ag_fail(l->r, "server timed out");
	return 0;
}

/* Spends N bytes of the test budget; returns how many may pass. */
static size_t budget_take(struct link *l, size_t n)
{
	if (l->budget < 0)
		return n;
	if ((long)n > l->budget)
		n = (size_t)l->budget;
	l->budget -= (long)n;
	return n;
}

static int link_send(struct link *l, struct ag_buf *b)
{
	size_t off = 0;
	while (off < b->len) {
		size_t n = budget_take(l, b->len - off);
		if (n == 0)
			return ag_fail(l->r, "connection cut (test)");
		if (wait_fd(l, POLLOUT))
			return -1;
		ssize_t w = send(l->fd, b->data + off, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			return ag_fail(l->r, "send: %s", strerror(errno));
		if (w > 0) {
			off += (size_t)w;
			l->st->bytes_sent += (uint64_t)w;
		}
		if (w >= 0 && (size_t)w < n && l->budget >= 0)
			l->budget += (long)(n - (size_t)w);
	}
	b->len = 0;
	return 0;
}

static int link_fill(struct link *l)
{
	uint8_t tmp[65536];
	size_t n = budget_take(l, sizeof(tmp));
	if (n == 0)
		return ag_fail(l->r, "connection cut (test)");
	if (wait_fd(l, POLLIN))
		return -1;
	ssize_t got = recv(l->fd, tmp, n, 0);
	if (got <= 0)
		return ag_fail(l->r, "server closed the connection");
	if (l->budget >= 0)
		l->budget += (long)(n - (size_t)got);
	l->st->bytes_recv += (uint64_t)got;
	ag_buf_bytes(&l->in, tmp, (size_t)got);
	return l->in.oom ? ag_fail(l->r, "out of memory") : 0;
}

/* Receives the next message; an ERROR from the server fails with its text. */
static int link_recv(struct link *l, struct ag_msg *m, uint8_t want)
{
	size_t hdr, body;
	int rc;
	while ((rc = ag_frame_peek(l->in.data, l->in.len, AG_MAX_FRAME, &hdr, &body)) == 0)
		if (link_fill(l))
			return -1;
	if (rc < 0)
		return ag_fail(l->r, "bad frame from server");
	const char *why = NULL;
	rc = ag_msg_decode(l->in.data, hdr + body, m, &why);
	ag_buf_consume(&l->in, hdr + body);
	if (rc)
		return ag_fail(l->r, "%s from server: %s", ag_msg_name(m->type), why);
	if (m->type == AG_MSG_ERROR)
		return ag_fail(l->r, "agendad refused: %s", m->u.error.text);
	if (m->type != want)
		return ag_fail(l->r, "expected %s, got %s", ag_msg_name(want),
		               ag_msg_name(m->type));
	return 0;
}

/* The first answer of a session is WELCOME (it follows HELLO, which is
 * pipelined with the first request). */
static int expect_welcome(struct link *l)
{
	struct ag_msg m = {0};
	if (l->welcomed)
		return 0;
	int rc = link_recv(l, &m, AG_MSG_WELCOME);
	if (!rc)
		rc = ag_meta_set_int(l->r, "rights", m.u.welcome.rights);
	if (!rc && (m.u.welcome.flags & AG_WELCOME_FORKED)) {
		/* a restored or copied file: a new identity, nothing discarded */
		l->st->forked = true;
		rc = ag_meta_set_int(l->r, "replica", (int64_t)ag_random_id());
	}
	if (!rc)
		rc = ag_meta_set_int(l->r, "generation", (int64_t)m.u.welcome.generation);
	ag_msg_finish(&m);
	l->welcomed = rc == 0;
	return rc;
}

static int encode_hello(struct link *l, struct ag_buf *out)
{
	char user[AG_MAX_NAME + 1] = "", agenda[AG_MAX_NAME + 1] = "";
	char token[2 * AG_MAX_TOKEN + 1] = "";
	struct ag_msg m = {.type = AG_MSG_HELLO};
	struct ag_msg_hello *h = &m.u.hello;
	ag_replica_setting(l->r, "user", user, sizeof(user));
	ag_replica_setting(l->r, "agenda", agenda, sizeof(agenda));
	ag_replica_setting(l->r, "token", token, sizeof(token));
	int n = ag_hex_decode(token, h->token, sizeof(h->token));
	if (n <= 0 || !user[0] || !agenda[0])
		return ag_fail(l->r, "not configured: run agenda init");
	h->version = AG_PROTO_VERSION;
	h->user = user;
	h->agenda = agenda;
	h->token_len = (size_t)n;
	h->replica = (uint64_t)ag_meta_int(l->r, "replica", 0);
	h->generation = (uint64_t)ag_meta_int(l->r, "generation", 0);
	return ag_msg_encode(out, &m) ? ag_fail(l->r, "out of memory") : 0;
}

/* Pushes one chunk; *DONE set when the queue was empty. */
static int push_chunk(struct link *l, struct ag_buf *out, bool *done)
{
	struct ag_change *ch = calloc(AG_PUSH_CHUNK, sizeof(*ch));
	struct ag_msg m = {.type = AG_MSG_PUSH}, ack = {0};
	size_t n = 0;
	int rc = -1;
	if (!ch || ag_pending_take(l->r, ch, AG_PUSH_CHUNK, &n))
		goto out;
	*done = n == 0;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	m.u.push.ch = ch;
	m.u.push.n = n;
	if (ag_msg_encode(out, &m)) {
		ag_fail(l->r, "a change is too large to send");
		goto out;
	}
	if (link_send(l, out) || expect_welcome(l) || link_recv(l, &ack, AG_MSG_ACK))
		goto out;
	rc = ag_pending_acked(l->r, &ack.u.ack, ch, n, l->st);
out:
	ag_msg_finish(&ack);
	for (size_t i = 0; ch && i < n; i++)
		ag_change_finish(&ch[i]);
	free(ch);
	return rc;
}

/* Applies one PAGE; a reset starts a full resync, the last page of one
 * ends it. */
static int take_page(struct link *l, struct ag_msg_page *p)
{
	if ((p->flags & AG_PAGE_RESET) && ag_full_begin(l->r))
		return -1;
	l->st->reset |= (p->flags & AG_PAGE_RESET) != 0;
	if (ag_page_apply(l->r, p, l->st))
		return -1;
	l->st->pages++;
	if (!(p->flags & AG_PAGE_MORE) && ag_meta_int(l->r, "full", 0) && ag_full_end(l->r))
		return -1;
	if (l->hook)
		l->hook(l->hook_arg, 1);
	return 0;
}

static int pull_all(struct link *l, struct ag_buf *out, unsigned page)
{
	struct ag_msg m = {.type = AG_MSG_PULL};
	char **uids = NULL;
	size_t nuids = 0;
	int rc = ag_refetch_load(l->r, &uids, &nuids);
	m.u.pull.anchor = (uint64_t)ag_meta_int(l->r, "anchor", 0);
	m.u.pull.page = page;
	m.u.pull.flags = ag_meta_int(l->r, "full", 0) ? 1 : 0;
	m.u.pull.uids = uids;
	m.u.pull.n = nuids;
	if (rc || ag_msg_encode(out, &m) || link_send(l, out) || expect_welcome(l)) {
		rc = -1;
		goto out;
	}
	for (unsigned i = 0; i < 10000000; i++) {
		struct ag_msg p = {0};
		rc = link_recv(l, &p, AG_MSG_PAGE);
		if (!rc)
			rc = take_page(l, &p.u.page);
		bool more = p.u.page.flags & AG_PAGE_MORE;
		ag_msg_finish(&p);
		if (rc || !more)
			break;
	}
out:
	for (size_t i = 0; i < nuids; i++)
		free(uids[i]);
	free(uids);
	return rc ? -1 : 0;
}

int ag_sync(struct ag_replica *r, const struct ag_sync_opts *opts, struct ag_sync_stats *stats)
{
	struct ag_sync_stats dummy = {0};
	struct ag_sync_opts o = opts ? *opts : (struct ag_sync_opts){0};
	struct link l = {.r = r, .fd = -1, .st = stats ? stats : &dummy};
	struct ag_buf out = {0};
	char server[256];
	bool done = false;
	memset(l.st, 0, sizeof(*l.st));
	l.budget = o.cut_after > 0 ? o.cut_after : -1;
	l.timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 10000;
	l.hook = o.hook;
	l.hook_arg = o.hook_arg;
	if (ag_replica_setting(r, "server", server, sizeof(server)))
		return ag_fail(r, "not configured: run agenda init");
	int rc = link_connect(&l, server) || encode_hello(&l, &out);
	for (unsigned i = 0; !rc && !done && i < 1000000; i++)
		rc = push_chunk(&l, &out, &done);
	if (!rc && l.hook)
		l.hook(l.hook_arg, 0);
	if (!rc)
		rc = pull_all(&l, &out, o.page ? o.page : 1000);
	if (l.fd >= 0)
		close(l.fd);
	ag_buf_finish(&out);
	ag_buf_finish(&l.in);
	return rc ? -1 : 0;
}
