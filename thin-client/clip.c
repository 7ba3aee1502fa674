/*
 * clip.c - the session clipboard in the thin client: CLIP_* messages on
 * one side, the user's X selections (xsel.c) on the other.
 *
 * The session has an owner (CLIP_OWN): we own the X selection for it, and a
 * local paste asks the server once per owner (CLIP_REQUEST), the answer is
 * cached by xsel.c. A local X client takes a selection: we offer it to the
 * session; when the session pastes it (CLIP_REQUEST from the server), xsel.c
 * reads it from X and we send it in CLIP_DATA chunks. On attach the server
 * replays its owners flagged CURRENT: those are taken into X only where no
 * local client owns the selection, so attaching never overwrites what the
 * user copied on their own desktop. A read-only viewer pastes but never
 * offers. Without X (headless) the messages are answered "nothing here".
 */
#include <stdlib.h>
#include <string.h>

#include "thin_int.h"
#include "xputil.h"

static struct tc_xsel *xsel(struct tc_client *c)
{
	return c->pres->ops->xsel ? c->pres->ops->xsel(c->pres) : NULL;
}

static void send_data(struct tc_client *c, uint32_t req, uint32_t flags, const char *p, size_t n)
{
	struct xp_msg m = {.op = XP_OP_CLIP_DATA};
	m.u.clip_data = (struct xp_msg_clip_data){req, flags, {(const uint8_t *)p, (uint32_t)n}};
	tc_send(c, &m);
}

/* ---- what xsel.c tells us ------------------------------------------------ */

static void owned_locally(void *user, uint32_t sel)
{
	struct tc_client *c = user;
	struct xp_msg m = {.op = XP_OP_CLIP_OWN};
	if (!c->connected || c->opt.read_only)
		return;
	m.u.clip_own = (struct xp_msg_clip_own){sel, 0, 0};
	tc_send(c, &m);
	c->clip.announced[sel] = true;
	tc_log(c, "clipboard: a local client owns selection %u: offered to the session", sel);
}

static void disowned_locally(void *user, uint32_t sel)
{
	struct tc_client *c = user;
	struct xp_msg m = {.op = XP_OP_CLIP_OWN};
	if (!c->connected || !c->clip.announced[sel])
		return;
	m.u.clip_own = (struct xp_msg_clip_own){sel, XP_CLIP_DISOWN, 0};
	tc_send(c, &m);
	c->clip.announced[sel] = false;
}

static void wanted(void *user, uint32_t sel)
{
	struct tc_client *c = user;
	struct tc_clip_in *in = &c->clip.in[sel];
	struct xp_msg m = {.op = XP_OP_CLIP_REQUEST};
	if (!c->connected) {
		tc_xsel_supply(xsel(c), sel, NULL, 0);
		return;
	}
	free(in->buf);
	if (++c->clip.next_req == 0)
		c->clip.next_req = 1;
	*in = (struct tc_clip_in){.req = c->clip.next_req};
	m.u.clip_request = (struct xp_msg_clip_request){in->req, sel};
	tc_send(c, &m);
}

static void fetched(void *user, uint32_t id, const char *data, size_t len, bool truncated)
{
	struct tc_client *c = user;
	if (!data) {
		send_data(c, id, XP_CLIP_LAST | XP_CLIP_FAILED, NULL, 0);
		return;
	}
	do {
		size_t n = len > XP_CLIP_CHUNK ? XP_CLIP_CHUNK : len;
		uint32_t flags = n == len ? XP_CLIP_LAST | (truncated ? XP_CLIP_TRUNCATED : 0) : 0;
		send_data(c, id, flags, data, n);
		data += n;
		len -= n;
	} while (len > 0);
	tc_log(c, "clipboard: sent a local selection to the session");
}

const struct tc_xsel_ops tc_clip_xsel_ops = {
    .owned_locally = owned_locally,
    .disowned_locally = disowned_locally,
    .wanted = wanted,
    .fetched = fetched,
};

/* ---- what the server tells us ------------------------------------------- */

int tc_on_clip_own(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_clip_own *o = &m->u.clip_own;
	struct tc_xsel *x = xsel(c);
	if (o->sel >= XP_CLIP_COUNT || !x)
		return 0; /* a selection of a later version, or no X: nothing to do */
	/* a paste still waiting was the old owner's: its late answer must not
	 * become the new owner's (tc_xsel_take / release refuse its askers) */
	free(c->clip.in[o->sel].buf);
	c->clip.in[o->sel] = (struct tc_clip_in){0};
	if (o->flags & XP_CLIP_DISOWN) {
		tc_xsel_release(x, o->sel);
		return 0;
	}
	c->clip.announced[o->sel] = false; /* the session's owner is another now */
	tc_xsel_take(x, o->sel, o->flags & XP_CLIP_CURRENT);
	return 0;
}

int tc_on_clip_request(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_clip_request *r = &m->u.clip_request;
	struct tc_xsel *x = xsel(c);
	if (!x || c->opt.read_only || r->sel >= XP_CLIP_COUNT)
		send_data(c, r->req, XP_CLIP_LAST | XP_CLIP_FAILED, NULL, 0);
	else
		tc_xsel_fetch(x, r->sel, r->req);
	return 0;
}

int tc_on_clip_data(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_clip_data *d = &m->u.clip_data;
	for (uint32_t sel = 0; d->req && sel < XP_CLIP_COUNT; sel++) {
		struct tc_clip_in *in = &c->clip.in[sel];
		if (in->req != d->req)
			continue;
		bool failed = d->flags & XP_CLIP_FAILED;
		if (!failed && in->len + d->data.n <= XP_CLIP_MAX) {
			if (XU_ARRAY_RESERVE(in->buf, in->cap, in->len + d->data.n + 1) < 0) {
				failed = true;
			} else {
				memcpy(in->buf + in->len, d->data.p, d->data.n);
				in->len += d->data.n;
			}
		}
		if (failed || (d->flags & XP_CLIP_LAST)) {
			tc_xsel_supply(xsel(c), sel,
			               failed    ? NULL
			               : in->buf ? in->buf
			                         : "",
			               failed ? 0 : in->len);
			free(in->buf);
			*in = (struct tc_clip_in){0};
		}
		return 0;
	}
	return 0; /* an answer nobody waits for any more */
}

void tc_clip_reset(struct tc_client *c)
{
	struct tc_xsel *x = c->pres ? xsel(c) : NULL;
	for (uint32_t sel = 0; sel < XP_CLIP_COUNT; sel++) {
		free(c->clip.in[sel].buf);
		if (x && c->clip.in[sel].req)
			tc_xsel_supply(x, sel, NULL, 0);
		if (x) /* the data lived in the session: nobody can give it now */
			tc_xsel_release(x, sel);
	}
	memset(&c->clip, 0, sizeof(c->clip));
}
