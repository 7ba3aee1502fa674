/*
 * clip.c - the session clipboard (SPEC.md section 14) bridged with the
 * CLIPBOARD and PRIMARY selections of the bridge's X display.
 *
 * The selection protocol itself (ICCCM section 2: answering requestors,
 * converting, INCR both ways, the limits and deadlines) is the thin
 * client's module, thin-client/xsel.c, used as it is against our X
 * connection; this file only moves its four callbacks onto libxpapp's
 * clipboard calls, on the bridge's own session connection (not an X
 * client's: the selection outlives the program that copied it as long as
 * the X selection does). An X client takes a selection: xa_clip_own. The
 * session's owner changes: we own the X selection with a window of our
 * own, whose ownership changes xsel.c never offers back, so the two sides
 * do not echo each other.
 */
#include <stdlib.h>

#include "x11.h"
#include "xsel.h"

static void flush(struct xb *b)
{
	if (xa_flush(b->clip.ctl) < 0)
		xb_log("clipboard: the session connection failed: %s", xa_error(b->clip.ctl)->text);
}

/* ---- what xsel.c tells us ------------------------------------------------ */

static void owned_locally(void *user, uint32_t sel)
{
	struct xb *b = user;
	if (xa_clip_own(b->clip.ctl, sel, 0) == 0)
		b->clip.announced[sel] = true;
	flush(b);
}

static void disowned_locally(void *user, uint32_t sel)
{
	struct xb *b = user;
	if (!b->clip.announced[sel]) /* not ours to drop: we gave up the session's */
		return;
	xa_clip_disown(b->clip.ctl, sel);
	b->clip.announced[sel] = false;
	flush(b);
}

static void wanted(void *user, uint32_t sel)
{
	struct xb *b = user;
	b->clip.req[sel] = xa_clip_request(b->clip.ctl, sel);
	if (!b->clip.req[sel]) /* too many pastes in flight, or no session */
		tc_xsel_supply(b->clip.xsel, sel, NULL, 0);
	flush(b);
}

static void fetched(void *user, uint32_t id, const char *data, size_t len, bool truncated)
{
	struct xb *b = user;
	if (truncated)
		xa_clip_send_cut(b->clip.ctl, id, data, len);
	else
		xa_clip_send(b->clip.ctl, id, data, len);
	flush(b);
}

static const struct tc_xsel_ops ops = {
    .owned_locally = owned_locally,
    .disowned_locally = disowned_locally,
    .wanted = wanted,
    .fetched = fetched,
};

/* ---- the interface -------------------------------------------------------- */

int xb_clip_init(struct xb *b, struct xa_display *ctl)
{
	uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE; /* INCR comes as property changes */
	b->clip.ctl = ctl;
	b->clip.win = xcb_generate_id(b->xc);
	xcb_create_window(b->xc, 0, b->clip.win, b->root, -1, -1, 1, 1, 0,
	                  XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT, XCB_CW_EVENT_MASK,
	                  &mask);
	b->clip.xsel = tc_xsel_create(b->xc, b->clip.win, &ops, b);
	if (!b->clip.xsel) {
		xb_log("clipboard: out of memory: X selections are not bridged");
		return -1;
	}
	xcb_flush(b->xc);
	return 0;
}

void xb_clip_finish(struct xb *b)
{
	tc_xsel_destroy(b->clip.xsel);
	b->clip.xsel = NULL;
}

bool xb_clip_xevent(struct xb *b, xcb_generic_event_t *ev)
{
	return b->clip.xsel && tc_xsel_event(b->clip.xsel, ev);
}

/* The answer to our paste of the session's selection. */
static void on_data(struct xb *b, uint32_t req)
{
	size_t len = 0;
	uint32_t flags = 0;
	char *text = xa_clip_take(b->clip.ctl, req, &len, &flags);
	for (uint32_t sel = 0; text && sel < XP_CLIP_COUNT; sel++) {
		if (b->clip.req[sel] != req)
			continue; /* a late answer for an owner that changed meanwhile: dropped */
		b->clip.req[sel] = 0;
		tc_xsel_supply(b->clip.xsel, sel, flags & XP_CLIP_FAILED ? NULL : text,
		               flags & XP_CLIP_FAILED ? 0 : len);
	}
	free(text);
}

void xb_clip_session(struct xb *b, const struct xa_event *ev)
{
	struct tc_xsel *x = b->clip.xsel;
	if (!x || (ev->type != XA_CLIP_DATA && ev->sel >= XP_CLIP_COUNT)) {
		if (ev->type == XA_CLIP_REQUEST) { /* no bridge, or a later version's selection */
			xa_clip_send(b->clip.ctl, ev->req, NULL, 0);
			flush(b);
		}
		return;
	}
	if (ev->type == XA_CLIP_OWNER) {
		b->clip.announced[ev->sel] = false; /* the session's owner is another now */
		b->clip.req[ev->sel] = 0;
		if (ev->flags & XP_CLIP_DISOWN)
			tc_xsel_release(x, ev->sel);
		else /* on attach (CURRENT) never over an X client's own selection */
			tc_xsel_take(x, ev->sel, ev->flags & XP_CLIP_CURRENT);
	} else if (ev->type == XA_CLIP_REQUEST) {
		tc_xsel_fetch(x, ev->sel, ev->req);
	} else if (ev->type == XA_CLIP_DATA) {
		on_data(b, ev->req);
	}
}

int xb_clip_timers(struct xb *b)
{
	if (!b->clip.xsel)
		return -1;
	uint64_t now = xp_now_us();
	tc_xsel_tick(b->clip.xsel, now);
	return tc_xsel_due(b->clip.xsel, now);
}
