/*
 * clipboard.c - the session's clipboard: who owns each selection (CLIPBOARD,
 * PRIMARY) and the transfers in flight (SPEC.md section 14).
 *
 * Like X, the data stays with its owner (an app such as xp-term, or a thin
 * client bridging its user's X selections) until someone pastes: CLIP_OWN
 * records the owner and tells every other peer of the session; CLIP_REQUEST
 * is passed to the owner under an id of the server's; the owner's CLIP_DATA
 * chunks are passed back to the requester under the requester's id. The
 * server keeps no clipboard bytes: it counts them (XP_CLIP_MAX per
 * transfer), bounds the transfers in flight and their time, and answers
 * FAILED itself when there is no owner, the owner leaves or is too slow.
 * A read-only viewer may paste (request) but never own.
 */
#include "server_int.h"

#define XFER_TIMEOUT_MS 15000

static bool speaks_clip(const struct xs_peer *p)
{
	return p->state == XS_RUNNING && xp_conn_peer_minor(&p->conn) >= XP_MINOR_CLIPBOARD;
}

static void send_own(struct xs_peer *to, uint32_t sel, uint32_t flags, uint64_t size)
{
	struct xp_msg m = {.op = XP_OP_CLIP_OWN};
	m.u.clip_own = (struct xp_msg_clip_own){sel, flags, size};
	if (speaks_clip(to))
		xs_peer_send(to, &m);
}

static void send_failed(struct xs_peer *to, uint32_t req)
{
	struct xp_msg m = {.op = XP_OP_CLIP_DATA};
	m.u.clip_data = (struct xp_msg_clip_data){req, XP_CLIP_LAST | XP_CLIP_FAILED, {NULL, 0}};
	if (to && speaks_clip(to))
		xs_peer_send(to, &m);
}

/* Tell every peer of the session but @except. */
static void broadcast_own(struct xs_session *se, struct xs_peer *except, uint32_t sel,
                          uint32_t flags, uint64_t size)
{
	for (struct xs_peer *p = se->apps; p; p = p->next)
		if (p != except)
			send_own(p, sel, flags, size);
	for (struct xs_peer *p = se->clients; p; p = p->next)
		if (p != except)
			send_own(p, sel, flags, size);
}

static void xfer_end(struct xs_clip_xfer *x)
{
	if (x->timer)
		xs_loop_cancel(x->owner->srv->loop, x->timer);
	*x = (struct xs_clip_xfer){0};
}

static int xfer_expired(struct xs_loop *l, uint64_t id, void *data)
{
	struct xs_clip_xfer *x = data;
	(void)l;
	(void)id;
	x->timer = 0;
	xs_log(x->owner->srv, XS_INFO, "%s: clipboard transfer %u timed out", x->owner->name,
	       x->id);
	send_failed(x->req, x->req_id);
	xfer_end(x);
	return -1;
}

int xs_clip_on_own(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_clip_own *o = &m->u.clip_own;
	struct xs_clipboard *cb = &p->session->clip;
	if (o->sel >= XP_CLIP_COUNT)
		return xp_error_set(err, XP_ERR_MALFORMED, m->op, "CLIP_OWN: no selection %u",
		                    o->sel);
	if (p->role == XP_ROLE_VIEWER) {
		if (p->dropped_input++ == 0)
			xp_conn_send_error(&p->conn, XP_ERR_READ_ONLY, m->op,
			                   "read-only viewer: cannot set the clipboard");
		return 0;
	}
	if (o->flags & XP_CLIP_DISOWN) {
		if (cb->owner[o->sel] != p)
			return 0; /* someone took it meanwhile: nothing to undo */
		cb->owner[o->sel] = NULL;
		broadcast_own(p->session, p, o->sel, XP_CLIP_DISOWN, 0);
		return 0;
	}
	cb->owner[o->sel] = p;
	cb->size[o->sel] = o->size;
	broadcast_own(p->session, p, o->sel, 0, o->size);
	return 0;
}

static struct xs_clip_xfer *xfer_slot(struct xs_clipboard *cb, const struct xs_peer *req)
{
	struct xs_clip_xfer *free_slot = NULL;
	int mine = 0;
	for (int i = 0; i < XS_CLIP_XFERS; i++) {
		if (!cb->xfer[i].id && !free_slot)
			free_slot = &cb->xfer[i];
		mine += cb->xfer[i].id && cb->xfer[i].req == req;
	}
	return mine < XS_CLIP_XFERS_PER_PEER ? free_slot : NULL;
}

int xs_clip_on_request(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_clip_request *r = &m->u.clip_request;
	struct xs_clipboard *cb = &p->session->clip;
	if (r->sel >= XP_CLIP_COUNT)
		return xp_error_set(err, XP_ERR_MALFORMED, m->op, "CLIP_REQUEST: no selection %u",
		                    r->sel);
	struct xs_peer *owner = cb->owner[r->sel];
	struct xs_clip_xfer *x = owner && owner != p ? xfer_slot(cb, p) : NULL;
	if (!x) { /* no owner, the asker itself, or too many transfers */
		send_failed(p, r->req);
		return 0;
	}
	if (++cb->next_id == 0)
		cb->next_id = 1;
	*x = (struct xs_clip_xfer){cb->next_id, r->req, owner, p, 0, 0};
	x->timer = xs_loop_timer(p->srv->loop, XFER_TIMEOUT_MS, xfer_expired, x);
	struct xp_msg out = {.op = XP_OP_CLIP_REQUEST};
	out.u.clip_request = (struct xp_msg_clip_request){x->id, r->sel};
	xs_peer_send(owner, &out);
	return 0;
}

int xs_clip_on_data(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	const struct xp_msg_clip_data *d = &m->u.clip_data;
	struct xs_clip_xfer *x = NULL;
	for (int i = 0; i < XS_CLIP_XFERS && !x; i++)
		if (p->session->clip.xfer[i].id == d->req && p->session->clip.xfer[i].owner == p)
			x = &p->session->clip.xfer[i];
	if (!x)
		return 0; /* timed out or the requester left: the rest is dropped */
	if (d->data.n > XP_CLIP_CHUNK || x->bytes + d->data.n > XP_CLIP_MAX) {
		/* not fatal: the transfer ends, and the owner is told why */
		send_failed(x->req, x->req_id);
		xfer_end(x);
		xp_conn_send_error(&p->conn, XP_ERR_LIMIT, m->op,
		                   "CLIP_DATA: chunks of at most %u bytes, %u in all",
		                   XP_CLIP_CHUNK, XP_CLIP_MAX);
		return 0;
	}
	x->bytes += d->data.n;
	struct xp_msg out = *m;
	out.u.clip_data.req = x->req_id;
	out.u.clip_data.flags &= XP_CLIP_LAST | XP_CLIP_FAILED | XP_CLIP_TRUNCATED;
	xs_peer_send(x->req, &out);
	if (d->flags & (XP_CLIP_LAST | XP_CLIP_FAILED))
		xfer_end(x);
	return 0;
}

void xs_clip_attach(struct xs_peer *p)
{
	struct xs_clipboard *cb = &p->session->clip;
	for (uint32_t s = 0; s < XP_CLIP_COUNT; s++)
		if (cb->owner[s] && cb->owner[s] != p)
			send_own(p, s, XP_CLIP_CURRENT, cb->size[s]);
}

void xs_clip_peer_gone(struct xs_peer *p)
{
	struct xs_clipboard *cb = &p->session->clip;
	for (int i = 0; i < XS_CLIP_XFERS; i++) {
		struct xs_clip_xfer *x = &cb->xfer[i];
		if (x->id && x->owner == p)
			send_failed(x->req, x->req_id);
		if (x->id && (x->owner == p || x->req == p))
			xfer_end(x);
	}
	for (uint32_t s = 0; s < XP_CLIP_COUNT; s++) {
		if (cb->owner[s] != p)
			continue;
		cb->owner[s] = NULL;
		broadcast_own(p->session, p, s, XP_CLIP_DISOWN, 0);
	}
}

void xs_clip_finish(struct xs_session *se)
{
	for (int i = 0; i < XS_CLIP_XFERS; i++)
		if (se->clip.xfer[i].id)
			xfer_end(&se->clip.xfer[i]);
}
