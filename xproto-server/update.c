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
#include "xputil.h"

#define MARK_RING 64u
/*
 * A MARK costs the client an ACK in return, so marks are sent only every
 * MARK_BYTES of output, or for output left unmarked for MARK_US: enough for
 * flow control, cheap for a typist.
 */
#define MARK_BYTES  (16u << 10)
#define MARK_US     200000u
#define REPAIR_ROWS 13 /* the refresh's tile height: bands of whole tiles */
#define REPAIR_NS   2  /* ns a pixel of refresh costs at least (flat colour) */

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
	if (XU_ARRAY_RESERVE(c->damage, c->damage_cap, c->ndamage + 1) < 0) {
		xs_peer_fail(c, XP_ERR_INTERNAL, 0, "out of memory");
		return;
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

/* About the bytes @m takes on the wire: what matters is the large ones. */
static size_t wire_size(const struct xp_msg *m)
{
	switch (m->op) {
	case XP_OP_FILL_RECTS:
		return 16 + (size_t)m->u.fill_rects.rects.n * 20;
	case XP_OP_BITMAP:
		return 32 + m->u.bitmap.bits.n;
	case XP_OP_TEXT:
		return 16 + m->u.text.text.n;
	case XP_OP_IMAGE:
		return 40 + m->u.image.data.n;
	default:
		return 32;
	}
}

void xs_client_behind(struct xs_peer *c, uint32_t win, struct xr_rect damage)
{
	xs_client_damage(c, win, damage);
	if (!c->behind)
		xs_log(c->srv, XS_DEBUG, "%s is behind (%llu bytes unacknowledged)", c->name,
		       (unsigned long long)inflight(c));
	c->behind = true;
}

void xs_update_draw(struct xs_session *se, struct xs_window *w, const struct xd_state *st,
                    const struct xp_msg *m, struct xr_rect damage)
{
	if (xr_rect_empty(damage)) /* nothing changed: nothing to tell */
		return;
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (!live(c) || !xs_client_knows(c, w->id) || xs_idset_has(&c->stale, w->id))
			continue; /* a stale window gets its pixels when it is mapped */
		/*
		 * A message that does not fit what the client may have in flight is
		 * not queued: a 4 MiB message copied to fifty clients was 200 MiB
		 * of queues. The client gets the pixels it changed instead.
		 */
		if (c->behind || inflight(c) + wire_size(m) > c->srv->opt.client_window_bytes ||
		    forward_draw(c, w->id, st, m) < 0)
			xs_client_behind(c, w->id, damage);
	}
}

/* Fail @c out of memory; returns -1. */
static int out_of_memory(struct xs_peer *c)
{
	xs_peer_fail(c, XP_ERR_INTERNAL, 0, "out of memory");
	return -1;
}

/*
 * Introduce window @w to client @c as new: create, title, frame, cursor,
 * then its map (its pixels follow, a slice per turn: repair_some) or, when
 * hidden, a note that its pixels wait until it is shown. 0 or -1.
 */
static int introduce(struct xs_peer *c, const struct xs_window *w)
{
	struct xp_msg m;
	xs_window_msg_create(w, &m);
	if (xs_client_learn(c, w->id) < 0)
		return out_of_memory(c);
	if (xs_peer_send(c, &m) < 0)
		return -1;
	if (w->title[0]) {
		m.op = XP_OP_WIN_TITLE;
		m.u.win_title = (struct xp_msg_win_title){w->id, xp_str_from(w->title)};
		xs_peer_send(c, &m);
	}
	xs_arrange_refresh(c, w);
	if (w->cursor)
		xs_cursor_refresh(c, w);
	if (!w->mapped)
		return xs_idset_add(&c->stale, w->id) < 0 ? out_of_memory(c) : 0;
	xs_client_behind(c, w->id, (struct xr_rect){0, 0, (int)w->w, (int)w->h});
	m.op = XP_OP_WIN_MAP; /* fails when xs_client_behind failed @c */
	m.u.win_map.win = w->id;
	return xs_peer_send(c, &m);
}

int xs_update_full(struct xs_peer *c)
{
	struct xs_session *se = c->session;
	xd_state_init(&c->out); /* a new stream to this client */
	xs_idset_clear(&c->known);
	xs_idset_clear(&c->cached);
	xs_idset_clear(&c->stale);
	c->ndamage = 0;
	for (size_t i = 0; i < se->nwin; i++)
		if (introduce(c, se->stack[i]) < 0)
			return -1;
	if (se->focus) {
		struct xp_msg m = {.op = XP_OP_WIN_FOCUS};
		m.u.win_focus = (struct xp_msg_win_focus){se->focus, 1};
		return xs_peer_send(c, &m);
	}
	return 0;
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
		xs_client_behind(c, w->id, all);
	}
	m.u.win_map.win = w->id;
	xs_update_window_msg(se, &m);
}

/*
 * What refreshing a pixel costs @c next, in ns, after a band of @px pixels
 * took @ns: the encoder's cost depends on the pixels (text takes about ten
 * times what flat colour does). A dearer band counts at once; a cheaper one
 * at most halves the cost, so one quick band does not make the next huge.
 */
static uint32_t repair_cost(uint32_t was, uint64_t ns, uint64_t px)
{
	uint64_t now = ns / (px ? px : 1);
	now = now < was / 2 ? was / 2 : now;
	return now < REPAIR_NS ? REPAIR_NS : now > UINT32_MAX ? UINT32_MAX : (uint32_t)now;
}

/*
 * Send the current pixels of damaged area @d of window @w, whole 13-row
 * bands at a time, while the client has room in flight and its turn's
 * budget lasts: a band is as many rows as the budget pays for at what a
 * pixel last cost, and the client is charged what the band took. Returns
 * true when @d is done.
 */
static bool repair_one(struct xs_peer *c, struct xs_damage *d, const struct xs_window *w)
{
	for (;;) {
		struct xr_rect r =
		    w ? xr_rect_intersect(d->r, (struct xr_rect){0, 0, (int)w->w, (int)w->h})
		      : (struct xr_rect){0, 0, 0, 0};
		if (xr_rect_empty(r))
			return true;
		int64_t budget = xs_peer_budget(c);
		if (budget <= 0 || inflight(c) >= c->srv->opt.client_window_bytes)
			return false;
		uint32_t cost = c->repair_ns ? c->repair_ns : REPAIR_NS;
		int64_t rows = budget / cost / r.w / REPAIR_ROWS * REPAIR_ROWS;
		rows = rows < REPAIR_ROWS ? REPAIR_ROWS : rows;
		struct xr_rect band = {r.x, r.y, r.w, rows < r.h ? (int)rows : r.h};
		uint64_t px = (uint64_t)band.w * (uint64_t)band.h, t0 = xp_now_us();
		xs_refresh_area(c, w, band);
		uint64_t ns = (xp_now_us() - t0) * 1000;
		c->repair_ns = repair_cost(cost, ns, px);
		xs_peer_charge(c, ns > px * REPAIR_NS ? ns : px * REPAIR_NS);
		d->r = (struct xr_rect){r.x, r.y + band.h, r.w, r.h - band.h};
	}
}

/*
 * Repair a client that fell behind (or just attached) a slice per turn, so
 * a large session's attach or a client far behind costs a slice per turn,
 * not one long stall. A window a job is still drawing into waits: its
 * pixels are half drawn. Returns true when nothing is left to repair.
 */
static bool repair_some(struct xs_peer *c)
{
	bool waiting = false;
	for (size_t i = c->ndamage; i-- > 0;) {
		struct xs_damage *d = &c->damage[i];
		const struct xs_window *w = xs_window_by_id(c->session, d->win);
		if (w && w->busy) {
			waiting = true;
			continue;
		}
		if (!repair_one(c, d, w))
			return false;
		c->damage[i] = c->damage[--c->ndamage]; /* the last one was seen already */
	}
	return !waiting;
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

uint32_t xs_update_mark_now(struct xs_peer *c)
{
	uint32_t before = c->mark_sent;
	send_mark(c);
	return c->mark_sent != before ? c->mark_sent : c->mark_sent + 1;
}

void xs_update_before_sleep(struct xs_peer *c)
{
	if (c->behind && repair_some(c))
		c->behind = false;
	uint64_t at_last = c->mark_sent ? c->plain_at_mark[c->mark_sent % MARK_RING] : 0;
	uint64_t unmarked = queued_total(c) - at_last;
	if (unmarked >= MARK_BYTES || (c->behind && unmarked > 0) || c->mark_sent == 0 ||
	    (unmarked > 0 && xp_now_us() - c->last_mark_us >= MARK_US))
		send_mark(c);
	if (xp_conn_out_pending(&c->conn) > c->srv->opt.client_hard_limit)
		xs_peer_fail(c, XP_ERR_LIMIT, 0, "client is not reading (%zu bytes queued)",
		             xp_conn_out_pending(&c->conn));
}

void xs_update_unmarked(struct xs_peer *c, uint64_t before)
{
	uint64_t *at = &c->plain_at_mark[c->mark_sent % MARK_RING];
	if (c->mark_sent && *at == before)
		*at = queued_total(c);
}

/*
 * Called periodically: drop a client that stopped acknowledging. A client
 * that has sent nothing for the keepalive interval while it had nothing to
 * acknowledge is sent a MARK: a live one answers, a vanished one (no FIN,
 * a dead link) is then dropped like any stalled client.
 */
void xs_update_check_stall(struct xs_peer *c)
{
	if (c->mark_acked == c->mark_sent) {
		uint64_t silent_ms = (xp_now_us() - c->last_input_us) / 1000;
		if (silent_ms >= (uint64_t)c->srv->opt.keepalive_ms)
			send_mark(c);
		return;
	}
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
