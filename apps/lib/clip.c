/*
 * clip.c - the session clipboard for apps (SPEC.md section 14): offer a
 * selection, answer requests for it in chunks, ask for one and collect its
 * chunks into one buffer, delivered as an XA_CLIP_DATA event.
 */
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"
#include "xputil.h"

#define PENDING 8 /* pastes waiting for their data */

struct xa_paste {
	uint32_t req, flags;
	char *buf;
	size_t len, cap;
	bool done;
};

struct xa_clipstate {
	struct xa_paste p[PENDING];
	uint32_t next_req;
};

static struct xa_clipstate *state(struct xa_display *d)
{
	if (!d->clip)
		d->clip = calloc(1, sizeof(*d->clip));
	return d->clip;
}

void xa_clip_free(struct xa_display *d)
{
	if (!d->clip)
		return;
	for (int i = 0; i < PENDING; i++)
		free(d->clip->p[i].buf);
	free(d->clip);
	d->clip = NULL;
}

int xa_clip_own(struct xa_display *d, uint32_t sel, uint64_t size)
{
	struct xp_msg m = {.op = XP_OP_CLIP_OWN};
	m.u.clip_own = (struct xp_msg_clip_own){sel, 0, size};
	return xa_send(d, &m);
}

int xa_clip_disown(struct xa_display *d, uint32_t sel)
{
	struct xp_msg m = {.op = XP_OP_CLIP_OWN};
	m.u.clip_own = (struct xp_msg_clip_own){sel, XP_CLIP_DISOWN, 0};
	return xa_send(d, &m);
}

uint32_t xa_clip_request(struct xa_display *d, uint32_t sel)
{
	struct xa_clipstate *s = state(d);
	struct xa_paste *slot = NULL;
	for (int i = 0; s && i < PENDING && !slot; i++)
		if (!s->p[i].req)
			slot = &s->p[i];
	if (!slot)
		return 0;
	if (++s->next_req == 0)
		s->next_req = 1;
	*slot = (struct xa_paste){.req = s->next_req};
	struct xp_msg m = {.op = XP_OP_CLIP_REQUEST};
	m.u.clip_request = (struct xp_msg_clip_request){slot->req, sel};
	if (xa_send(d, &m) < 0) {
		slot->req = 0;
		return 0;
	}
	return slot->req;
}

int xa_clip_send(struct xa_display *d, uint32_t req, const void *data, size_t len)
{
	struct xp_msg m = {.op = XP_OP_CLIP_DATA};
	const uint8_t *p = data;
	uint32_t trunc = len > XP_CLIP_MAX ? XP_CLIP_TRUNCATED : 0;
	if (!data) {
		m.u.clip_data = (struct xp_msg_clip_data){req, XP_CLIP_LAST | XP_CLIP_FAILED, {0}};
		return xa_send(d, &m);
	}
	if (trunc)
		len = XP_CLIP_MAX;
	do {
		uint32_t n = len > XP_CLIP_CHUNK ? XP_CLIP_CHUNK : (uint32_t)len;
		bool last = n == len;
		m.u.clip_data =
		    (struct xp_msg_clip_data){req, last ? XP_CLIP_LAST | trunc : 0, {p, n}};
		if (xa_send(d, &m) < 0)
			return -1;
		p += n;
		len -= n;
	} while (len > 0);
	return 0;
}

static struct xa_paste *find(struct xa_display *d, uint32_t req)
{
	for (int i = 0; d->clip && req && i < PENDING; i++)
		if (d->clip->p[i].req == req)
			return &d->clip->p[i];
	return NULL;
}

char *xa_clip_take(struct xa_display *d, uint32_t req, size_t *len, uint32_t *flags)
{
	struct xa_paste *p = find(d, req);
	char *buf;
	if (!p || !p->done)
		return NULL;
	buf = p->buf;
	*len = p->len;
	if (flags)
		*flags = p->flags;
	*p = (struct xa_paste){0};
	if (!buf)
		buf = calloc(1, 1);
	return buf;
}

/* Append a chunk; on the last one the event is queued. */
static void on_data(struct xa_display *d, const struct xp_msg_clip_data *c, struct xa_event *ev)
{
	struct xa_paste *p = find(d, c->req);
	if (!p || p->done)
		return;
	if (!(c->flags & XP_CLIP_FAILED) && p->len + c->data.n <= XP_CLIP_MAX) {
		if (XU_ARRAY_RESERVE(p->buf, p->cap, p->len + c->data.n + 1) < 0)
			p->flags |= XP_CLIP_FAILED | XP_CLIP_LAST;
		if (!(p->flags & XP_CLIP_FAILED)) {
			memcpy(p->buf + p->len, c->data.p, c->data.n);
			p->len += c->data.n;
			p->buf[p->len] = '\0';
		}
	} else if (!(c->flags & XP_CLIP_FAILED)) {
		p->flags |= XP_CLIP_TRUNCATED; /* a peer past the limit: keep what fits */
	}
	p->flags |= c->flags;
	if (!(p->flags & (XP_CLIP_LAST | XP_CLIP_FAILED)))
		return;
	p->done = true;
	*ev = (struct xa_event){.type = XA_CLIP_DATA, .req = p->req, .flags = p->flags};
}

bool xa_clip_event(struct xa_display *d, const struct xp_msg *m, struct xa_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (m->op) {
	case XP_OP_CLIP_OWN:
		*ev = (struct xa_event){
		    .type = XA_CLIP_OWNER, .sel = m->u.clip_own.sel, .flags = m->u.clip_own.flags};
		return true;
	case XP_OP_CLIP_REQUEST:
		*ev = (struct xa_event){.type = XA_CLIP_REQUEST,
		                        .req = m->u.clip_request.req,
		                        .sel = m->u.clip_request.sel};
		return true;
	case XP_OP_CLIP_DATA:
		on_data(d, &m->u.clip_data, ev);
		return ev->type != 0;
	default:
		return false;
	}
}
