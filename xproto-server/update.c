/*
 * update.c - what each thin client is sent, and flow control.
 *
 * Window messages always go out (they are small and rare). Drawing goes out
 * as the app's own commands while the client keeps up; once its
 * unacknowledged output passes a window, the client is "behind": commands
 * are no longer queued for it, only the damaged areas are remembered, and
 * when it has acknowledged everything the current pixels of those areas
 * are sent instead (refresh.c). An app never waits for a client.
 *
 * Also the sticky state each client holds (TARGET, GC, CLIP are sent only
 * when they differ from it, through libxpdraw's xd_state_sync).
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define MARK_RING 64u
/*
 * A MARK costs the client an ACK in return, so marks are sent only every
 * MARK_BYTES of output, or for output left unmarked for MARK_US: enough for
 * flow control, cheap for a typist.
 */
#define MARK_BYTES (16u << 10)
#define MARK_US    200000u

bool xs_idset_has(const struct xs_idset *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

int xs_idset_add(struct xs_idset *s, uint32_t id)
{
	if (xs_idset_has(s, id))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap * 2 + 8;
		uint32_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

void xs_idset_del(struct xs_idset *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] == id) {
			s->v[i] = s->v[--s->n];
			return;
		}
	}
}

void xs_idset_finish(struct xs_idset *s)
{
	free(s->v);
	*s = (struct xs_idset){0};
}

bool xs_client_knows(const struct xs_peer *c, uint32_t win)
{
	return xs_idset_has(&c->known, win);
}

int xs_client_learn(struct xs_peer *c, uint32_t win)
{
	return xs_idset_add(&c->known, win);
}

void xs_client_forget(struct xs_peer *c, uint32_t win)
{
	xs_idset_del(&c->known, win);
	xs_idset_del(&c->stale, win);
	for (size_t i = 0; i < c->ndamage;) {
		if (c->damage[i].win == win)
			c->damage[i] = c->damage[--c->ndamage];
		else
			i++;
	}
	if (c->out.target == win)
		c->out.target = 0;
}

static uint64_t queued_total(const struct xs_peer *c)
{
	return xp_conn_plain_queued(&c->conn);
}

static uint64_t inflight(const struct xs_peer *c)
{
	uint64_t acked = c->mark_acked ? c->plain_at_mark[c->mark_acked % MARK_RING] : 0;
	return queued_total(c) - acked;
}

static bool live(const struct xs_peer *c)
{
	return c->state == XS_RUNNING;
}

void xs_update_window_msg(struct xs_session *se, const struct xp_msg *m)
{
	uint32_t win = m->u.win_map.win; /* first field of every window message */
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (!live(c))
			continue;
		if (m->op == XP_OP_WIN_CREATE) {
			if (xs_client_learn(c, win) < 0) {
				xs_peer_fail(c, XP_ERR_INTERNAL, 0, "out of memory");
				continue;
			}
		} else if (win && !xs_client_knows(c, win)) {
			continue;
		}
		xs_peer_send(c, m);
		if (m->op == XP_OP_WIN_DESTROY)
			xs_client_forget(c, win);
	}
}

void xs_client_damage(struct xs_peer *c, uint32_t win, struct xr_rect r)
{
	for (size_t i = 0; i < c->ndamage; i++) {
		if (c->damage[i].win == win) {
			c->damage[i].r = xr_rect_union(c->damage[i].r, r);
			return;
		}
	}
	if (c->ndamage == c->damage_cap) {
		size_t cap = c->damage_cap * 2 + 4;
		struct xs_damage *d = realloc(c->damage, cap * sizeof(*d));
		if (!d) {
			xs_peer_fail(c, XP_ERR_INTERNAL, 0, "out of memory");
			return;
		}
		c->damage = d;
		c->damage_cap = cap;
	}
	c->damage[c->ndamage++] = (struct xs_damage){win, r};
}

static int emit(void *peer, const struct xp_msg *m)
{
	return xs_peer_send(peer, m);
}

int xs_client_state(struct xs_peer *c, uint32_t win, const struct xd_state *st, unsigned parts)
{
	struct xd_state want = *st;
	want.target = win; /* the app's id is not the session's */
	return xd_state_sync(&c->out, &want, parts, emit, c);
}

int xs_set_state(struct xs_peer *c, uint32_t target, uint32_t fg, uint32_t bg, uint32_t font,
                 uint32_t flags, const struct xp_rect *clip)
{
	struct xd_state want = {target, fg, bg, font, flags, {0, 0, 0, 0}};
	if (clip)
		want.clip = *clip;
	return xd_state_sync(&c->out, &want, XD_ALL, emit, c);
}

/* Send @m with only the parts of the state it reads. */
static int forward_draw(struct xs_peer *c, uint32_t win, const struct xd_state *st,
                        const struct xp_msg *m)
{
	if (xs_client_state(c, win, st, xd_reads(m->op)) < 0)
		return -1;
	return xs_peer_send(c, m);
}

void xs_update_draw(struct xs_session *se, struct xs_window *w, const struct xd_state *st,
                    const struct xp_msg *m, struct xr_rect damage)
{
	if (xr_rect_empty(damage)) /* nothing changed: nothing to tell */
		return;
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (!live(c) || !xs_client_knows(c, w->id) || xs_idset_has(&c->stale, w->id))
			continue; /* a stale window gets its pixels when it is mapped */
		if (c->behind) {
			xs_client_damage(c, w->id, damage);
			continue;
		}
		if (forward_draw(c, w->id, st, m) < 0)
			xs_client_damage(c, w->id, damage);
		if (inflight(c) > c->srv->opt.client_window_bytes) {
			c->behind = true;
			xs_log(c->srv, XS_DEBUG, "%s is behind (%llu bytes unacknowledged)",
			       c->name, (unsigned long long)inflight(c));
		}
	}
}

void xs_update_full(struct xs_peer *c)
{
	struct xs_session *se = c->session;
	struct xp_msg m;
	xd_state_init(&c->out); /* a new stream to this client */
	c->known.n = c->cached.n = c->stale.n = c->ndamage = 0;
	for (size_t i = 0; i < se->nwin; i++) {
		const struct xs_window *w = se->stack[i];
		xs_window_msg_create(w, &m);
		xs_client_learn(c, w->id);
		xs_peer_send(c, &m);
		if (w->title[0]) {
			m.op = XP_OP_WIN_TITLE;
			m.u.win_title = (struct xp_msg_win_title){w->id, xp_str_from(w->title)};
			xs_peer_send(c, &m);
		}
		if (!w->mapped) { /* hidden: its pixels wait until it is shown */
			xs_idset_add(&c->stale, w->id);
			continue;
		}
		xs_refresh_area(c, w, (struct xr_rect){0, 0, (int)w->w, (int)w->h});
		m.op = XP_OP_WIN_MAP;
		m.u.win_map.win = w->id;
		xs_peer_send(c, &m);
	}
	if (se->focus) {
		m.op = XP_OP_WIN_FOCUS;
		m.u.win_focus = (struct xp_msg_win_focus){se->focus, 1};
		xs_peer_send(c, &m);
	}
}

/* Show a window: clients that never got its pixels get them first. */
void xs_update_map(struct xs_session *se, struct xs_window *w)
{
	struct xr_rect all = {0, 0, (int)w->w, (int)w->h};
	struct xp_msg m = {.op = XP_OP_WIN_MAP};
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (!live(c) || !xs_idset_has(&c->stale, w->id))
			continue;
		xs_idset_del(&c->stale, w->id);
		if (c->behind)
			xs_client_damage(c, w->id, all);
		else
			xs_refresh_area(c, w, all);
	}
	m.u.win_map.win = w->id;
	xs_update_window_msg(se, &m);
}

static void repair(struct xs_peer *c)
{
	size_t n = c->ndamage;
	c->ndamage = 0;
	for (size_t i = 0; i < n; i++) {
		const struct xs_window *w = xs_window_by_id(c->session, c->damage[i].win);
		if (w)
			xs_refresh_area(c, w, c->damage[i].r);
	}
	c->behind = false;
}

static void send_mark(struct xs_peer *c)
{
	if (c->mark_sent - c->mark_acked >= MARK_RING - 1)
		return; /* ring full: the next MARK covers this output too */
	c->last_mark_us = xp_now_us();
	struct xp_msg m = {.op = XP_OP_MARK};
	m.u.mark.serial = ++c->mark_sent;
	xs_peer_send(c, &m);
	c->plain_at_mark[c->mark_sent % MARK_RING] = queued_total(c);
	if (c->mark_sent == c->mark_acked + 1)
		c->last_ack_us = xp_now_us(); /* the stall clock starts now */
}

void xs_update_before_sleep(struct xs_peer *c)
{
	if (c->behind && c->mark_acked == c->mark_sent && xp_conn_out_pending(&c->conn) == 0)
		repair(c);
	uint64_t at_last = c->mark_sent ? c->plain_at_mark[c->mark_sent % MARK_RING] : 0;
	uint64_t unmarked = queued_total(c) - at_last;
	if (unmarked >= MARK_BYTES || c->behind || c->mark_sent == 0 ||
	    (unmarked > 0 && xp_now_us() - c->last_mark_us >= MARK_US))
		send_mark(c);
	if (xp_conn_out_pending(&c->conn) > c->srv->opt.client_hard_limit)
		xs_peer_fail(c, XP_ERR_LIMIT, 0, "client is not reading (%zu bytes queued)",
		             xp_conn_out_pending(&c->conn));
}

/* Called periodically: drop a client that stopped acknowledging. */
void xs_update_check_stall(struct xs_peer *c)
{
	if (c->mark_acked == c->mark_sent)
		return;
	uint64_t idle_ms = (xp_now_us() - c->last_ack_us) / 1000;
	if (idle_ms > (uint64_t)c->srv->opt.stall_timeout_ms)
		xs_peer_fail(c, XP_ERR_TIMEOUT, 0, "no ACK for %llu ms",
		             (unsigned long long)idle_ms);
}

int xs_update_ack(struct xs_peer *c, uint32_t serial)
{
	if (serial > c->mark_sent)
		return -1; /* acknowledges what was never sent */
	if (serial <= c->mark_acked)
		return 0; /* a repeat: harmless, ACKs are cumulative */
	c->mark_acked = serial;
	c->last_ack_us = xp_now_us();
	return 0;
}
