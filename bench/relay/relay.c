/*
 * relay.c - librelay: the measuring TCP relay behind xp-relay and bwc-relay
 * (see relay.h for what it counts and how it emulates a link). One thread,
 * poll(); each direction of a connection is a FIFO of segments stamped with
 * the time they may be delivered, so latency and bandwidth are a matter of
 * when a segment is written, and order is kept by construction.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"

#define SEG_MAX           1448       /* one TCP segment's payload on the emulated link */
#define QUEUE_MAX         (4u << 20) /* stop reading a sender while this much waits */
#define DEFAULT_GAP_MS    10.0
#define DEFAULT_READ_MAX  16384u
#define DEFAULT_MAX_CONNS 64u

struct seg {
	struct seg *next;
	uint64_t due_us; /* when it may be written to the receiver */
	size_t len, off; /* len 0: end of stream */
	unsigned char data[];
};

/* One direction of a connection: read from src, queued, written to dst. */
struct half {
	int src, dst;
	struct seg *head, *tail;
	size_t queued;
	bool eof_read, eof_sent;
	uint64_t last_read_us;
};

struct conn {
	bool used;
	unsigned id;
	uint64_t open_us;
	int last_dir; /* -1 none */
	uint64_t bytes[2];
	void *state; /* the owner's, from the open hook */
	struct half h[2];
};

struct rl_relay {
	struct rl_options o;
	int lfd, port;
	uint64_t half_rtt_us, msg_gap_us;
	uint64_t link_free_us[2];
	bool offline;
	unsigned next_id;
	unsigned char *buf; /* read_max bytes */
	struct rl_totals tot;
	struct conn *c; /* max_conns */
	struct pollfd *p;
	int *idx;
};

/* ---- connections ----------------------------------------------------- */

/* Tell the owner that connection @id was not relayed, and @why. */
static void refuse(struct rl_relay *r, unsigned id, const char *why)
{
	if (r->o.hooks.refused)
		r->o.hooks.refused(r->o.hooks.ctx, id, xp_now_us(), why);
}

/* Drop what @c still queues, close both sockets, tell the owner, free the slot. */
static void conn_close(struct rl_relay *r, struct conn *c)
{
	for (int d = 0; d < 2; d++) {
		struct seg *s = c->h[d].head;
		while (s) {
			struct seg *n = s->next;
			free(s);
			s = n;
		}
	}
	close(c->h[RL_UP].src);
	close(c->h[RL_UP].dst);
	if (r->o.hooks.close)
		r->o.hooks.close(r->o.hooks.ctx, c->state, c->id, xp_now_us(), c->bytes);
	c->used = false;
}

/* A free slot, or NULL when max_conns are open. */
static struct conn *free_slot(struct rl_relay *r)
{
	for (unsigned i = 0; i < r->o.max_conns; i++)
		if (!r->c[i].used)
			return &r->c[i];
	return NULL;
}

/* Connect accepted @fd to the target in slot @c; -1 when it is refused. */
static int conn_open(struct rl_relay *r, struct conn *c, int fd, unsigned id)
{
	struct xp_error err;
	int up = xp_net_connect(r->o.target, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &err);
	if (up < 0) {
		refuse(r, id, err.text);
		return -1;
	}
	*c = (struct conn){.used = true, .id = id, .open_us = xp_now_us(), .last_dir = -1};
	c->h[RL_UP] = (struct half){.src = fd, .dst = up};
	c->h[RL_DOWN] = (struct half){.src = up, .dst = fd};
	if (r->o.hooks.open && r->o.hooks.open(r->o.hooks.ctx, id, c->open_us, &c->state) < 0) {
		close(up);
		c->used = false;
		return -1;
	}
	r->tot.connections++;
	r->tot.round_trips++; /* the TCP handshake */
	return 0;
}

/* Accept one connection: relay it, or refuse it (offline, full, target down). */
static void accept_one(struct rl_relay *r)
{
	int fd = xp_net_accept(r->lfd, XP_NET_CLOEXEC | XP_NET_NONBLOCK);
	if (fd < 0)
		return;
	unsigned id = r->next_id++;
	struct conn *c = r->offline ? NULL : free_slot(r);
	if (!c)
		refuse(r, id, r->offline ? "offline" : "too many connections");
	if (!c || conn_open(r, c, fd, id) < 0)
		close(fd);
}

/* ---- the emulated link ----------------------------------------------- */

/* When a segment of @n bytes read at @t in direction @d may be delivered;
 * advances the direction's pacer. */
static uint64_t due_time(struct rl_relay *r, const struct conn *c, int d, size_t n, uint64_t t)
{
	uint64_t start = t > r->link_free_us[d] ? t : r->link_free_us[d];
	uint64_t busy = r->o.mbit > 0 ? (uint64_t)((double)n * 8.0 / r->o.mbit + 0.5) : 0;
	r->link_free_us[d] = start + busy;
	uint64_t due = r->link_free_us[d] + r->half_rtt_us;
	/* the handshake first: one RTT, and the first answer half an RTT more */
	uint64_t floor = c->open_us + 2 * r->half_rtt_us + (d == RL_UP ? r->half_rtt_us : 0);
	const struct seg *tail = c->h[d].tail;
	if (due < floor)
		due = floor;
	if (tail && due < tail->due_us)
		due = tail->due_us;
	return due;
}

/* Queue @len bytes (0: end of stream) read at @t in direction @d. */
static int enqueue(struct rl_relay *r, struct conn *c, int d, const unsigned char *p, size_t len,
                   uint64_t t)
{
	struct half *h = &c->h[d];
	size_t off = 0;
	do {
		size_t n = len - off > SEG_MAX ? SEG_MAX : len - off;
		struct seg *s = malloc(sizeof(*s) + n);
		if (!s)
			return -1;
		*s = (struct seg){.due_us = due_time(r, c, d, n, t), .len = n};
		if (n)
			memcpy(s->data, p + off, n);
		if (h->tail)
			h->tail->next = s;
		else
			h->head = s;
		h->tail = s;
		h->queued += n;
		off += n;
	} while (off < len);
	return 0;
}

/* ---- moving bytes ----------------------------------------------------- */

/* Count a read of @n bytes at @t in direction @d and tell the owner. */
static void count_read(struct rl_relay *r, struct conn *c, int d, size_t n, uint64_t t)
{
	struct half *h = &c->h[d];
	struct rl_chunk ch = {.conn = c->id, .dir = (enum rl_dir)d, .p = r->buf, .n = n, .t_us = t};
	ch.new_msg = c->last_dir != d || t - h->last_read_us > r->msg_gap_us;
	ch.round_trip = d == RL_DOWN && c->last_dir == RL_UP;
	r->tot.bytes[d] += n;
	r->tot.messages += ch.new_msg;
	r->tot.round_trips += ch.round_trip;
	c->bytes[d] += n;
	c->last_dir = d;
	h->last_read_us = t;
	if (r->o.hooks.data)
		r->o.hooks.data(r->o.hooks.ctx, c->state, &ch);
}

/* Read what the sender of direction @d has; -1 closes the connection. */
static int pump_in(struct rl_relay *r, struct conn *c, int d)
{
	struct half *h = &c->h[d];
	ssize_t n = recv(h->src, r->buf, r->o.read_max, 0);
	uint64_t t = xp_now_us();
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		h->eof_read = true;
		return enqueue(r, c, d, NULL, 0, t);
	}
	count_read(r, c, d, (size_t)n, t);
	return enqueue(r, c, d, r->buf, (size_t)n, t);
}

/* Write every due segment of direction @d; -1 closes the connection. */
static int pump_out(struct conn *c, int d, uint64_t t)
{
	struct half *h = &c->h[d];
	while (h->head && h->head->due_us <= t) {
		struct seg *s = h->head;
		if (s->len == 0) {
			shutdown(h->dst, SHUT_WR);
			h->eof_sent = true;
		} else {
			ssize_t n = send(h->dst, s->data + s->off, s->len - s->off, MSG_NOSIGNAL);
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? 0 : -1;
			s->off += (size_t)n;
			h->queued -= (size_t)n;
			if (s->off < s->len)
				return 0;
		}
		h->head = s->next;
		if (!h->head)
			h->tail = NULL;
		free(s);
	}
	return 0;
}

/* Services connection @c after poll (@p: its two entries); closes it when
 * both directions ended or one broke. */
static void service(struct rl_relay *r, struct conn *c, const struct pollfd *p)
{
	for (int d = 0; d < 2; d++) {
		if (!c->h[d].eof_read && (p[d].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    pump_in(r, c, d) < 0)
			goto err_close;
	}
	uint64_t t = xp_now_us();
	for (int d = 0; d < 2; d++)
		if (pump_out(c, d, t) < 0)
			goto err_close;
	if (c->h[RL_UP].eof_sent && c->h[RL_DOWN].eof_sent)
		conn_close(r, c);
	return;
err_close:
	conn_close(r, c);
}

/* ---- the loop --------------------------------------------------------- */

/* Milliseconds until the next segment not yet due (-1: none). */
static int next_due_ms(const struct rl_relay *r, uint64_t t)
{
	uint64_t best = UINT64_MAX;
	for (unsigned i = 0; i < r->o.max_conns; i++)
		for (int d = 0; d < 2; d++) {
			const struct seg *s = r->c[i].used ? r->c[i].h[d].head : NULL;
			if (s && s->due_us > t && s->due_us < best)
				best = s->due_us;
		}
	if (best == UINT64_MAX)
		return -1;
	uint64_t ms = (best - t + 999) / 1000;
	return ms > 60000 ? 60000 : (int)ms;
}

/* Poll entries for @c at p[0..1]: read each sender while its queue has
 * room, and wait for a receiver to take a due segment. */
static void poll_conn(const struct conn *c, struct pollfd *p, uint64_t t)
{
	for (int d = 0; d < 2; d++) {
		const struct half *h = &c->h[d];
		short ev = !h->eof_read && h->queued < QUEUE_MAX ? POLLIN : 0;
		p[d] = (struct pollfd){.fd = h->src, .events = ev};
	}
	for (int d = 0; d < 2; d++)
		if (c->h[d].head && c->h[d].head->due_us <= t && !c->h[d].eof_sent)
			p[1 - d].events |= POLLOUT;
}

/* The shorter of two waits, -1 being forever. */
static int min_wait(int a, int b)
{
	if (a < 0)
		return b;
	return b < 0 || a < b ? a : b;
}

/* One round; @extra_fd (or -1) is polled too and *@extra_ready says if it
 * became readable. */
static int step(struct rl_relay *r, int max_wait_ms, int extra_fd, bool *extra_ready)
{
	uint64_t t = xp_now_us();
	int n = 2;
	r->p[0] = (struct pollfd){.fd = r->lfd, .events = POLLIN};
	r->p[1] = (struct pollfd){.fd = extra_fd, .events = POLLIN};
	for (unsigned i = 0; i < r->o.max_conns; i++) {
		r->idx[i] = r->c[i].used ? n : -1;
		if (r->c[i].used) {
			poll_conn(&r->c[i], &r->p[n], t);
			n += 2;
		}
	}
	int rc = poll(r->p, (nfds_t)n, min_wait(max_wait_ms, next_due_ms(r, t)));
	if (rc < 0 && errno != EINTR)
		return -1;
	*extra_ready = rc > 0 && (r->p[1].revents & POLLIN);
	for (unsigned i = 0; i < r->o.max_conns; i++)
		if (r->c[i].used && r->idx[i] >= 0)
			service(r, &r->c[i], &r->p[r->idx[i]]);
	if (rc > 0 && (r->p[0].revents & POLLIN))
		accept_one(r);
	return 0;
}

int rl_step(struct rl_relay *r, int max_wait_ms)
{
	bool unused;
	return step(r, max_wait_ms, -1, &unused);
}

/* ---- life ------------------------------------------------------------- */

/* Defaults for zero options; -1 with @err for impossible ones. */
static int check_options(struct rl_options *o, struct xp_error *err)
{
	if (!o->target || xp_net_check(o->target, err) < 0)
		return o->target ? -1 : xp_error_set(err, XP_ERR_IO, 0, "no target to relay to");
	if (o->rtt_ms < 0 || o->mbit < 0 || o->msg_gap_ms < 0 || o->rtt_ms > 3.6e6)
		return xp_error_set(err, XP_ERR_IO, 0, "rtt, bandwidth and gap must be >= 0");
	if (o->msg_gap_ms == 0)
		o->msg_gap_ms = DEFAULT_GAP_MS;
	if (o->read_max == 0)
		o->read_max = DEFAULT_READ_MAX;
	if (o->max_conns == 0)
		o->max_conns = DEFAULT_MAX_CONNS;
	if (o->max_conns > 4096 || o->read_max > (64u << 20))
		return xp_error_set(err, XP_ERR_IO, 0, "at most 4096 connections, 64 MiB reads");
	return 0;
}

struct rl_relay *rl_create(const struct rl_options *o, struct xp_error *err)
{
	struct rl_relay *r = calloc(1, sizeof(*r));
	if (!r) {
		xp_error_set(err, XP_ERR_INTERNAL, 0, "out of memory");
		return NULL;
	}
	r->o = *o;
	r->lfd = -1;
	r->next_id = 1;
	if (check_options(&r->o, err) < 0)
		goto err_free;
	r->half_rtt_us = (uint64_t)(r->o.rtt_ms * 500.0);
	r->msg_gap_us = (uint64_t)(r->o.msg_gap_ms * 1000.0);
	r->buf = malloc(r->o.read_max);
	r->c = calloc(r->o.max_conns, sizeof(*r->c));
	r->p = calloc(2 + 2 * (size_t)r->o.max_conns, sizeof(*r->p));
	r->idx = calloc(r->o.max_conns, sizeof(*r->idx));
	if (!r->buf || !r->c || !r->p || !r->idx) {
		xp_error_set(err, XP_ERR_INTERNAL, 0, "out of memory");
		goto err_free;
	}
	r->lfd = xp_net_listen_tcp(r->o.listen, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &r->port, err);
	if (r->lfd < 0)
		goto err_free;
	return r;
err_free:
	rl_destroy(r);
	return NULL;
}

void rl_destroy(struct rl_relay *r)
{
	if (!r)
		return;
	for (unsigned i = 0; r->c && i < r->o.max_conns; i++)
		if (r->c[i].used)
			conn_close(r, &r->c[i]);
	if (r->lfd >= 0)
		close(r->lfd);
	free(r->buf);
	free(r->c);
	free(r->p);
	free(r->idx);
	free(r);
}

int rl_port(const struct rl_relay *r)
{
	return r->port;
}

struct rl_totals rl_totals(const struct rl_relay *r)
{
	return r->tot;
}

void rl_set_offline(struct rl_relay *r, bool offline)
{
	r->offline = offline;
	if (r->o.hooks.link)
		r->o.hooks.link(r->o.hooks.ctx, offline, xp_now_us());
	for (unsigned i = 0; offline && i < r->o.max_conns; i++)
		if (r->c[i].used)
			conn_close(r, &r->c[i]);
}

/* Handles the signals waiting on @sfd; returns false to stop. */
static bool on_signals(struct rl_relay *r, int sfd)
{
	for (int sig; (sig = xp_signal_next(sfd)) > 0;) {
		if (sig == SIGUSR1)
			rl_set_offline(r, true);
		else if (sig == SIGUSR2)
			rl_set_offline(r, false);
		else
			return false;
	}
	return true;
}

int rl_run(struct rl_relay *r)
{
	static const int sigs[] = {SIGUSR1, SIGUSR2, SIGTERM, SIGINT};
	int sfd = xp_signal_fd(sigs, sizeof(sigs) / sizeof(sigs[0])), rc = sfd < 0 ? -1 : 0;
	for (bool sig = false; rc == 0;) {
		rc = step(r, -1, sfd, &sig);
		if (rc == 0 && sig && !on_signals(r, sfd))
			break;
	}
	if (sfd >= 0)
		close(sfd);
	return rc;
}
