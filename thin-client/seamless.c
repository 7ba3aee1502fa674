/*
 * seamless.c - the seamless presenter (--seamless): every remote window is
 * a top-level X window of the user's own desktop, framed, moved, resized,
 * minimised and focused by the user's window manager.
 *
 * The window table stays the truth (it is the server's): each loop turn
 * sync() creates, maps, moves, retitles and destroys the X windows to match
 * it, and pushes each window's damage (struct tc_win.dirty), scaled. What
 * the user's window manager does comes back through seamless_input.c as
 * WIN_ARRANGE and CLOSE, the server applies it to the session and tells
 * every client, so the arrangement is the session's and survives this
 * client. A geometry the server echoes back is one the window already has
 * (struct tc_sw.req), so the two never fight over a window being dragged.
 *
 * Popups are override-redirect windows at their place on the root (the
 * session's coordinates are the root's, divided by the scale), dialogs
 * carry WM_TRANSIENT_FOR, and while the client is not connected a small
 * override-redirect window says why (status.c). Each X window has its
 * remote window's pointer shape (WIN_CURSOR), scaled: X itself shows the
 * one under the pointer.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "thin_int.h"
#include "xputil.h"

#define ICONIC_STATE 3
#define NORMAL_STATE 1

struct tc_sw *tc_sw_find(struct tc_seamless *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].id == id)
			return &s->v[i];
	return NULL;
}

struct tc_sw *tc_sw_by_xid(struct tc_seamless *s, uint32_t xid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].xid == xid)
			return &s->v[i];
	return NULL;
}

/* X takes 16-bit positions: a window far out stays far out, at the edge. */
static int16_t pos16(int64_t v)
{
	return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

static uint16_t dim16(int64_t v)
{
	return (uint16_t)(v < 1 ? 1 : v > 32767 ? 32767 : v);
}

/* ---- creating an X window for a remote one ---- */

/* WM_NORMAL_HINTS: at the session's place (the client window itself, static
 * gravity), in steps of the scale. */
static void size_hints(struct tc_seamless *s, uint32_t xid, const struct tc_win *w)
{
	uint32_t h[18] = {0}, k = (uint32_t)s->scale;
	h[0] = 1u | 2u | 1u << 4 | 1u << 6 | 1u << 9; /* US pos/size, min, inc, gravity */
	h[1] = (uint32_t)pos16((int64_t)w->x * k), h[2] = (uint32_t)pos16((int64_t)w->y * k);
	h[3] = dim16((int64_t)w->w * k), h[4] = dim16((int64_t)w->h * k);
	h[5] = h[6] = k;  /* min */
	h[9] = h[10] = k; /* inc */
	h[17] = 10;       /* StaticGravity */
	xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, xid, XCB_ATOM_WM_NORMAL_HINTS,
	                    XCB_ATOM_WM_SIZE_HINTS, 32, 18, h);
}

static void wm_hints(struct tc_seamless *s, uint32_t xid, bool iconic)
{
	uint32_t h[9] = {1u | 2u, 1, iconic ? ICONIC_STATE : NORMAL_STATE}; /* input, state */
	xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, xid, XCB_ATOM_WM_HINTS,
	                    XCB_ATOM_WM_HINTS, 32, 9, h);
}

static uint32_t create_xwin(struct tc_seamless *s, const struct tc_win *w, bool popup)
{
	uint32_t xid = xcb_generate_id(s->d.xc), k = (uint32_t)s->scale;
	uint32_t values[3] = {w->bg, popup,
	                      XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_STRUCTURE_NOTIFY |
	                          XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE |
	                          XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_BUTTON_RELEASE |
	                          XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_ENTER_WINDOW |
	                          XCB_EVENT_MASK_FOCUS_CHANGE};
	xcb_create_window(s->d.xc, XCB_COPY_FROM_PARENT, xid, s->root, pos16((int64_t)w->x * k),
	                  pos16((int64_t)w->y * k), dim16((int64_t)w->w * k),
	                  dim16((int64_t)w->h * k), 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
	                  s->d.scr->root_visual,
	                  XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT | XCB_CW_EVENT_MASK, values);
	xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, xid, s->atom.wm_protocols,
	                    XCB_ATOM_ATOM, 32, 1, &s->atom.wm_delete);
	xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, xid, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING,
	                    8, sizeof("xproto\0thin-client"), "xproto\0thin-client");
	size_hints(s, xid, w);
	return xid;
}

static struct tc_sw *sw_add(struct tc_seamless *s, const struct tc_win *w)
{
	if (XU_ARRAY_RESERVE(s->v, s->cap, s->n + 1) < 0)
		return NULL;
	bool popup = w->flags & XP_WIN_POPUP;
	struct tc_sw *sw = &s->v[s->n++];
	*sw = (struct tc_sw){.id = w->id,
	                     .xid = create_xwin(s, w, popup),
	                     .srv = {w->x, w->y, (uint32_t)w->w, (uint32_t)w->h},
	                     .popup = popup};
	return sw;
}

/* ---- following the window table ---- */

static void set_title(struct tc_seamless *s, struct tc_sw *sw, const struct tc_win *w)
{
	const char *t = w->title[0] ? w->title : "xproto";
	if (!strcmp(sw->title, t))
		return;
	snprintf(sw->title, sizeof(sw->title), "%s", t);
	uint32_t n = (uint32_t)strlen(t);
	xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, sw->xid, XCB_ATOM_WM_NAME, s->atom.utf8,
	                    8, n, t);
	xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, sw->xid, s->atom.net_wm_name,
	                    s->atom.utf8, 8, n, t);
}

static void set_parent(struct tc_seamless *s, struct tc_sw *sw, const struct tc_win *w)
{
	struct tc_sw *p = w->parent ? tc_sw_find(s, w->parent) : NULL;
	if (p && p->gone)
		p = NULL; /* set again once it is shown again */
	uint32_t id = p ? p->id : 0;
	if (sw->parent == id)
		return;
	sw->parent = id;
	if (p)
		xcb_change_property(s->d.xc, XCB_PROP_MODE_REPLACE, sw->xid,
		                    XCB_ATOM_WM_TRANSIENT_FOR, XCB_ATOM_WINDOW, 32, 1, &p->xid);
	else
		xcb_delete_property(s->d.xc, sw->xid, XCB_ATOM_WM_TRANSIENT_FOR);
}

static bool same(struct xp_rect a, struct xp_rect b)
{
	return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

/* True if @g is what the user's WM asked for: X already shows it. */
static bool echoed(struct tc_sw *sw, struct xp_rect g)
{
	for (int i = 0; i < sw->nreq; i++) {
		if (same(sw->req[i], g)) {
			sw->nreq = i; /* this and everything older is answered */
			return true;
		}
	}
	return false;
}

static void follow_geometry(struct tc_seamless *s, struct tc_sw *sw, const struct tc_win *w)
{
	struct xp_rect g = {w->x, w->y, (uint32_t)w->w, (uint32_t)w->h};
	int64_t k = s->scale;
	if (same(g, sw->srv))
		return;
	sw->srv = g;
	if (!sw->popup && echoed(sw, g))
		return;
	uint32_t v[4] = {(uint32_t)pos16(g.x * k), (uint32_t)pos16(g.y * k), dim16(g.w * k),
	                 dim16(g.h * k)};
	xcb_configure_window(s->d.xc, sw->xid,
	                     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
	                         XCB_CONFIG_WINDOW_HEIGHT,
	                     v);
}

/* Ask the WM to minimise (ICCCM 4.1.4), or map straight into IconicState. */
static void iconify(struct tc_seamless *s, struct tc_sw *sw)
{
	if (!sw->mapped) {
		wm_hints(s, sw->xid, true);
		xcb_map_window(s->d.xc, sw->xid);
	} else {
		xcb_client_message_event_t e = {.response_type = XCB_CLIENT_MESSAGE,
		                                .format = 32,
		                                .window = sw->xid,
		                                .type = s->atom.wm_change_state};
		e.data.data32[0] = ICONIC_STATE;
		xcb_send_event(s->d.xc, 0, s->root,
		               XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT |
		                   XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY,
		               (const char *)&e);
	}
	sw->mapped = false;
	sw->iconic = true;
}

/*
 * The user's WM minimised or restored the window and the session has not
 * said so yet: until it does, the session's older state must not undo it.
 */
static bool waiting(struct tc_sw *sw, const struct tc_win *w)
{
	bool min = w->state & XP_STATE_MINIMIZED;
	if (sw->pending == TC_SW_IDLE)
		return false;
	if ((sw->pending == TC_SW_MINIMIZING && min) ||
	    (sw->pending == TC_SW_RESTORING && !min && w->mapped) ||
	    xp_now_us() - sw->pending_us > TC_SW_PENDING_US)
		sw->pending = TC_SW_IDLE;
	return sw->pending != TC_SW_IDLE;
}

static void follow_map(struct tc_seamless *s, struct tc_sw *sw, const struct tc_win *w)
{
	bool min = w->state & XP_STATE_MINIMIZED;
	if (waiting(sw, w))
		return;
	if (w->mapped && (!sw->mapped || sw->iconic)) {
		wm_hints(s, sw->xid, false);
		xcb_map_window(s->d.xc, sw->xid);
		if (sw->popup) {
			uint32_t above = XCB_STACK_MODE_ABOVE;
			xcb_configure_window(s->d.xc, sw->xid, XCB_CONFIG_WINDOW_STACK_MODE,
			                     &above);
		}
		sw->mapped = true;
		sw->iconic = false;
	} else if (!w->mapped && min && !sw->iconic && !sw->popup) {
		iconify(s, sw);
	} else if (!w->mapped && !min && (sw->mapped || sw->iconic)) {
		xcb_unmap_window(s->d.xc, sw->xid);
		sw->mapped = sw->iconic = false;
	}
}

/* The window's pointer shape on its X window: X shows it under the pointer. */
static void follow_cursor(struct tc_seamless *s, struct tc_sw *sw, const struct tc_win *w)
{
	if (sw->cursor == w->cursor)
		return; /* a reference held: the same pointer is the same shape */
	tc_xcursor_set(&s->d, &s->xcur, sw->xid, w->cursor, s->scale);
	tc_cursor_unref(sw->cursor);
	sw->cursor = tc_cursor_ref(w->cursor); /* shown or not: tried once */
}

/* The window's damage, scaled, to its X window. Returns 1 if anything went. */
static int push(struct tc_seamless *s, struct tc_sw *sw, struct tc_win *w)
{
	struct xr_rect r = xr_rect_intersect(w->dirty, (struct xr_rect){0, 0, w->w, w->h});
	w->dirty = (struct xr_rect){0, 0, 0, 0};
	if (!sw->mapped || xr_rect_empty(r))
		return 0;
	tc_xput(&s->d, sw->xid, s->gc, &w->fb, r, s->scale, s->scratch, 0, 0);
	return 1;
}

/*
 * A window whose X window another X client destroyed (seamless_input.c)
 * waits for its app, asked to close it, for TC_SW_PENDING_US; still in the
 * session after that, it is shown again in a new X window, everything set
 * afresh. True when it is shown (again), false while it waits.
 */
static bool revive(struct tc_seamless *s, struct tc_sw *sw, struct tc_win *w)
{
	if (!sw->gone)
		return true;
	if (xp_now_us() - sw->gone_us < TC_SW_PENDING_US)
		return false;
	tc_cursor_unref(sw->cursor);
	*sw = (struct tc_sw){.id = w->id,
	                     .xid = create_xwin(s, w, sw->popup),
	                     .srv = {w->x, w->y, (uint32_t)w->w, (uint32_t)w->h},
	                     .popup = sw->popup,
	                     .seen = true};
	w->dirty = (struct xr_rect){0, 0, w->w, w->h};
	tc_warn("window %u: its app kept it: shown again", w->id);
	return true;
}

/* Remote windows gone from the table: their X windows go too. */
static void drop_unseen(struct tc_seamless *s)
{
	for (size_t i = 0; i < s->n;) {
		if (s->v[i].seen) {
			i++;
			continue;
		}
		if (!s->v[i].gone)
			xcb_destroy_window(s->d.xc, s->v[i].xid);
		tc_cursor_unref(s->v[i].cursor);
		s->v[i] = s->v[--s->n];
	}
}

/* The connection's state, in a window of its own over the desktop. */
static void follow_status(struct tc_seamless *s, const struct tc_client *c)
{
	const struct tc_status *st = &c->status;
	struct xr_fb box;
	int k = s->scale;
	if (!st->shown || (s->status_xid && !memcmp(s->status_line, st->line, sizeof(st->line)))) {
		if (!st->shown && s->status_xid) {
			xcb_destroy_window(s->d.xc, s->status_xid);
			s->status_xid = 0;
		}
		return;
	}
	memcpy(s->status_line, st->line, sizeof(st->line));
	if (s->status_xid)
		xcb_destroy_window(s->d.xc, s->status_xid);
	struct tc_win fake = {.x = st->box.x, .y = st->box.y, .w = st->box.w, .h = st->box.h};
	s->status_xid = create_xwin(s, &fake, true);
	xcb_map_window(s->d.xc, s->status_xid);
	if (xr_fb_init(&box, st->box.w, st->box.h) < 0)
		return;
	tc_status_paint(c, &box, 0, 0);
	tc_xput(&s->d, s->status_xid, s->gc, &box, (struct xr_rect){0, 0, box.w, box.h}, k,
	        s->scratch, 0, 0);
	xr_fb_finish(&box);
}

static int seamless_sync(struct tc_presenter *p, struct tc_client *c)
{
	struct tc_seamless *s = (struct tc_seamless *)p;
	int shown = 0;
	for (size_t i = 0; i < s->n; i++)
		s->v[i].seen = false;
	for (size_t i = 0; i < c->wins.n; i++) {
		struct tc_win *w = c->wins.v[i];
		struct tc_sw *sw = tc_sw_find(s, w->id);
		if (!sw && !w->mapped && !(w->state & XP_STATE_MINIMIZED))
			continue; /* never shown yet: no X window yet */
		if (!sw && !(sw = sw_add(s, w)))
			continue;
		sw->seen = true;
		if (!revive(s, sw, w))
			continue;
		set_title(s, sw, w);
		set_parent(s, sw, w);
		follow_geometry(s, sw, w);
		follow_map(s, sw, w);
		follow_cursor(s, sw, w);
		shown |= push(s, sw, w);
	}
	drop_unseen(s);
	follow_status(s, c);
	xcb_flush(s->d.xc);
	return shown;
}

/* ---- the rest of the presenter ---- */

static int seamless_fd(struct tc_presenter *p)
{
	return xcb_get_file_descriptor(((struct tc_seamless *)p)->d.xc);
}

static int seamless_present(struct tc_presenter *p, const struct xr_fb *screen,
                            const struct tc_damage *d)
{
	return 0; /* every window is pushed by sync() */
}

static void seamless_bell(struct tc_presenter *p)
{
	struct tc_seamless *s = (struct tc_seamless *)p;
	xcb_bell(s->d.xc, 0);
	xcb_flush(s->d.xc);
}

static void seamless_destroy(struct tc_presenter *p)
{
	struct tc_seamless *s = (struct tc_seamless *)p;
	if (!s)
		return;
	tc_kbd_destroy(s->kbd);
	if (s->d.xc)
		xcb_disconnect(s->d.xc); /* its windows go with it */
	for (size_t i = 0; i < s->n; i++)
		tc_cursor_unref(s->v[i].cursor);
	free(s->v);
	free(s->scratch);
	free(s);
}

static const struct tc_presenter_ops seamless_ops = {
    .name = "seamless",
    .fd = seamless_fd,
    .events = tc_seamless_events,
    .present = seamless_present,
    .bell = seamless_bell,
    .destroy = seamless_destroy,
    .sync = seamless_sync,
};

static void intern_atoms(struct tc_seamless *s)
{
	s->atom.wm_protocols = tc_xatom(s->d.xc, "WM_PROTOCOLS");
	s->atom.wm_delete = tc_xatom(s->d.xc, "WM_DELETE_WINDOW");
	s->atom.wm_state = tc_xatom(s->d.xc, "WM_STATE");
	s->atom.wm_change_state = tc_xatom(s->d.xc, "WM_CHANGE_STATE");
	s->atom.net_wm_name = tc_xatom(s->d.xc, "_NET_WM_NAME");
	s->atom.utf8 = tc_xatom(s->d.xc, "UTF8_STRING");
}

struct tc_presenter *tc_seamless_create(const struct tc_options *o, int *w, int *h, int *scale)
{
	struct tc_seamless *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base.ops = &seamless_ops;
	s->scratch = malloc(TC_XPUT_CHUNK);
	if (!s->scratch || tc_xdisp_open(&s->d) < 0)
		goto err_seamless;
	s->root = s->d.scr->root;
	s->scale = o->scale > 0 ? o->scale : tc_scale_for_dpi(tc_x11_dpi(s->d.xc, s->d.scr));
	*scale = s->scale;
	/* the session's screen is the user's: the root, in logical pixels */
	if (o->width <= 0 || o->height <= 0) {
		*w = s->d.scr->width_in_pixels / s->scale;
		*h = s->d.scr->height_in_pixels / s->scale;
	}
	uint32_t mask = XCB_EVENT_MASK_STRUCTURE_NOTIFY; /* the root's size (RandR) */
	xcb_change_window_attributes(s->d.xc, s->root, XCB_CW_EVENT_MASK, &mask);
	s->gc = xcb_generate_id(s->d.xc);
	xcb_create_gc(s->d.xc, s->gc, s->root, 0, NULL);
	intern_atoms(s);
	tc_xcursor_init(&s->xcur, s->d.xc);
	s->kbd = tc_kbd_create(s->d.xc); /* without XKB: no keyboard, still a display */
	if (o->log)
		fprintf(stderr, "thin-client: seamless on %dx%d, scale %d\n", *w, *h, s->scale);
	xcb_flush(s->d.xc);
	return &s->base;
err_seamless:
	seamless_destroy(&s->base);
	return NULL;
}
