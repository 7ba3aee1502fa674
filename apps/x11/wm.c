/*
 * wm.c - the bridge as the display's window manager. It draws no frames:
 * every top-level is shown as it is, at its own position, as one xproto
 * window. It maps what asks to be mapped (too large a window is shrunk to
 * the session's limit first), applies configure requests, follows titles,
 * places a transient dialog over its parent, and closes politely
 * (WM_DELETE_WINDOW) before it kills a program that does not listen.
 * Override-redirect windows (menus, tooltips) are not managed, only shown.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "x11.h"

struct xb_win *xb_win_find(struct xb *b, xcb_window_t xid)
{
	for (struct xb_win *w = b->wins; w; w = w->next)
		if (w->xid == xid)
			return w;
	return NULL;
}

static void read_title(struct xb *b, struct xb_win *w)
{
	xcb_get_property_cookie_t net =
	    xcb_get_property(b->xc, 0, w->xid, b->atom.net_wm_name, b->atom.utf8_string, 0, 64);
	xcb_get_property_cookie_t old =
	    xcb_get_property(b->xc, 0, w->xid, XCB_ATOM_WM_NAME, XCB_ATOM_ANY, 0, 64);
	xcb_get_property_reply_t *rn = xcb_get_property_reply(b->xc, net, NULL);
	xcb_get_property_reply_t *ro = xcb_get_property_reply(b->xc, old, NULL);
	xcb_get_property_reply_t *r = rn && xcb_get_property_value_length(rn) > 0 ? rn : ro;
	char title[sizeof(w->title)] = "";
	if (r && r->format == 8) {
		int n = xcb_get_property_value_length(r);
		if (n > (int)sizeof(title) - 1)
			n = (int)sizeof(title) - 1;
		memcpy(title, xcb_get_property_value(r), (size_t)n);
		title[n] = '\0';
	}
	free(rn);
	free(ro);
	/* WM_NAME may be Latin-1 and anything may be cut mid-character: keep
	 * only what libxproto will accept as UTF-8 */
	title[xp_utf8_valid_prefix(title, strlen(title))] = '\0';
	if (strcmp(title, w->title) != 0) {
		memcpy(w->title, title, sizeof(title));
		xb_mirror_title(b, w);
	}
}

static void read_protocols(struct xb *b, struct xb_win *w)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    b->xc, xcb_get_property(b->xc, 0, w->xid, b->atom.wm_protocols, XCB_ATOM_ATOM, 0, 32),
	    NULL);
	w->delete_protocol = false;
	if (r && r->format == 32) {
		const xcb_atom_t *a = xcb_get_property_value(r);
		for (int i = 0; i < xcb_get_property_value_length(r) / 4; i++)
			w->delete_protocol |= a[i] == b->atom.wm_delete_window;
	}
	free(r);
}

static void read_transient(struct xb *b, struct xb_win *w)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    b->xc,
	    xcb_get_property(b->xc, 0, w->xid, b->atom.wm_transient_for, XCB_ATOM_WINDOW, 0, 1),
	    NULL);
	w->transient_for = 0;
	if (r && r->format == 32 && xcb_get_property_value_length(r) == 4)
		w->transient_for = *(const xcb_window_t *)xcb_get_property_value(r);
	free(r);
}

static struct xb_client *client_of(struct xb *b, xcb_window_t xid)
{
	uint32_t base = xid & ~b->id_mask;
	for (struct xb_client *c = b->clients; c; c = c->next)
		if (c->base == base)
			return c;
	struct xb_client *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	*c = (struct xb_client){.b = b, .base = base, .next = b->clients};
	b->clients = c;
	return c;
}

/* A new record for top-level @xid, from its current geometry. */
static struct xb_win *win_add(struct xb *b, xcb_window_t xid)
{
	xcb_get_geometry_cookie_t gc = xcb_get_geometry(b->xc, xid);
	xcb_get_window_attributes_cookie_t ac = xcb_get_window_attributes(b->xc, xid);
	xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(b->xc, gc, NULL);
	xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(b->xc, ac, NULL);
	struct xb_win *w = g && a ? calloc(1, sizeof(*w)) : NULL;
	struct xb_client *c = w ? client_of(b, xid) : NULL;
	if (w && c) {
		*w = (struct xb_win){.xid = xid,
		                     .cl = c,
		                     .x = g->x,
		                     .y = g->y,
		                     .w = g->width + 2 * g->border_width,
		                     .h = g->height + 2 * g->border_width,
		                     .bw = g->border_width,
		                     .override = a->override_redirect,
		                     .next = b->wins};
		b->wins = w;
		b->nwins++;
		uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
		xcb_change_window_attributes(b->xc, xid, XCB_CW_EVENT_MASK, &mask);
		read_title(b, w);
		read_protocols(b, w);
		read_transient(b, w);
	} else {
		free(w);
		w = NULL;
	}
	free(g);
	free(a);
	return w;
}

static void win_remove(struct xb *b, struct xb_win *w)
{
	for (struct xb_win **p = &b->wins; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	b->nwins--;
	if (b->focus == w->xid)
		b->focus = 0;
	xb_pixels_untrack(b, w);
	xb_mirror_forget(b, w);
	xr_fb_finish(&w->shadow);
	free(w);
}

static int clamp_dim(int v)
{
	return v < 1 ? 1 : v > XB_MAX_DIM ? XB_MAX_DIM : v;
}

/* The inside size X wants for an outer size @v with border @bw, limited. */
static uint32_t inner(int v, int bw)
{
	int in = clamp_dim(v) - 2 * bw;
	return (uint32_t)(in < 1 ? 1 : in);
}

/* Where a new managed window goes: a dialog over its parent, else where it
 * asked, pulled back onto the screen. */
static void place(struct xb *b, struct xb_win *w)
{
	struct xb_win *parent = w->transient_for ? xb_win_find(b, w->transient_for) : NULL;
	int x = w->x, y = w->y;
	if (parent) {
		x = parent->x + (parent->w - w->w) / 2;
		y = parent->y + (parent->h - w->h) / 2;
	}
	if (x + w->w > (int)b->screen_w)
		x = (int)b->screen_w - w->w;
	if (y + w->h > (int)b->screen_h)
		y = (int)b->screen_h - w->h;
	x = x < 0 ? 0 : x;
	y = y < 0 ? 0 : y;
	uint32_t v[4] = {(uint32_t)x, (uint32_t)y, inner(w->w, w->bw), inner(w->h, w->bw)};
	int ow = (int)v[2] + 2 * w->bw, oh = (int)v[3] + 2 * w->bw;
	if (ow != w->w || oh != w->h)
		xb_log("window 0x%x asks for %dx%d, more than the session's %d: shrunk to %dx%d",
		       w->xid, w->w, w->h, XB_MAX_DIM, ow, oh);
	xcb_configure_window(b->xc, w->xid,
	                     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
	                         XCB_CONFIG_WINDOW_HEIGHT,
	                     v);
	w->x = x, w->y = y, w->w = ow, w->h = oh;
}

static void set_wm_state(struct xb *b, xcb_window_t xid, uint32_t state)
{
	uint32_t v[2] = {state, XCB_NONE};
	xcb_change_property(b->xc, XCB_PROP_MODE_REPLACE, xid, b->atom.wm_state, b->atom.wm_state,
	                    32, 2, v);
}

static void on_map_request(struct xb *b, const xcb_map_request_event_t *e)
{
	struct xb_win *w = xb_win_find(b, e->window);
	if (!w && !(w = win_add(b, e->window))) {
		xcb_map_window(b->xc, e->window); /* gone or odd: let it be */
		return;
	}
	place(b, w);
	set_wm_state(b, w->xid, 1); /* NormalState */
	xcb_map_window(b->xc, w->xid);
}

static void on_map_notify(struct xb *b, const xcb_map_notify_event_t *e)
{
	if (e->event != b->root)
		return;
	struct xb_win *w = xb_win_find(b, e->window);
	if (!w && (e->window == b->check_win || !(w = win_add(b, e->window))))
		return;
	w->viewable = true;
	xb_pixels_track(b, w);
	xb_mirror_show(b, w);
	xb_pixels_all(b, w);
	if (!w->override)
		xb_wm_focus(b, w); /* a new window takes the keyboard, as in the session */
}

static void on_unmap_notify(struct xb *b, const xcb_unmap_notify_event_t *e)
{
	struct xb_win *w = e->event == b->root ? xb_win_find(b, e->window) : NULL;
	if (!w)
		return;
	w->viewable = false;
	xb_pixels_untrack(b, w);
	xb_mirror_hide(b, w);
	if (!w->override)
		set_wm_state(b, w->xid, 0); /* WithdrawnState */
}

static void on_configure_request(struct xb *b, const xcb_configure_request_event_t *e)
{
	uint32_t v[7];
	int n = 0;
	const struct xb_win *w = xb_win_find(b, e->window);
	int bw = e->value_mask & XCB_CONFIG_WINDOW_BORDER_WIDTH ? e->border_width : w ? w->bw : 0;
	uint16_t mask =
	    e->value_mask & (XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
	                     XCB_CONFIG_WINDOW_HEIGHT | XCB_CONFIG_WINDOW_BORDER_WIDTH |
	                     XCB_CONFIG_WINDOW_SIBLING | XCB_CONFIG_WINDOW_STACK_MODE);
	if (mask & XCB_CONFIG_WINDOW_X)
		v[n++] = (uint32_t)e->x;
	if (mask & XCB_CONFIG_WINDOW_Y)
		v[n++] = (uint32_t)e->y;
	if (mask & XCB_CONFIG_WINDOW_WIDTH)
		v[n++] = inner(e->width + 2 * bw, bw);
	if (mask & XCB_CONFIG_WINDOW_HEIGHT)
		v[n++] = inner(e->height + 2 * bw, bw);
	if (mask & XCB_CONFIG_WINDOW_BORDER_WIDTH)
		v[n++] = e->border_width;
	if (mask & XCB_CONFIG_WINDOW_SIBLING)
		v[n++] = e->sibling;
	if (mask & XCB_CONFIG_WINDOW_STACK_MODE)
		v[n++] = e->stack_mode;
	xcb_configure_window(b->xc, e->window, mask, v);
}

static void on_configure_notify(struct xb *b, const xcb_configure_notify_event_t *e)
{
	struct xb_win *w = e->event == b->root ? xb_win_find(b, e->window) : NULL;
	if (!w)
		return;
	int ow = e->width + 2 * e->border_width, oh = e->height + 2 * e->border_width;
	bool resized = ow != w->w || oh != w->h;
	w->x = e->x, w->y = e->y, w->w = ow, w->h = oh, w->bw = e->border_width;
	w->override = e->override_redirect;
	if (resized && w->viewable) {
		xb_pixels_untrack(b, w); /* the pixmap was replaced */
		xb_pixels_track(b, w);
	}
	xb_mirror_geometry(b, w);
	if (resized)
		xb_pixels_all(b, w);
}

static void on_property(struct xb *b, const xcb_property_notify_event_t *e)
{
	struct xb_win *w = xb_win_find(b, e->window);
	if (!w)
		return;
	if (e->atom == XCB_ATOM_WM_NAME || e->atom == b->atom.net_wm_name)
		read_title(b, w);
	else if (e->atom == b->atom.wm_protocols)
		read_protocols(b, w);
	else if (e->atom == b->atom.wm_transient_for)
		read_transient(b, w);
}

bool xb_wm_event(struct xb *b, xcb_generic_event_t *ev)
{
	switch (ev->response_type & 0x7f) {
	case XCB_MAP_REQUEST:
		on_map_request(b, (xcb_map_request_event_t *)ev);
		return true;
	case XCB_MAP_NOTIFY:
		on_map_notify(b, (xcb_map_notify_event_t *)ev);
		return true;
	case XCB_UNMAP_NOTIFY:
		on_unmap_notify(b, (xcb_unmap_notify_event_t *)ev);
		return true;
	case XCB_DESTROY_NOTIFY: {
		struct xb_win *w = xb_win_find(b, ((xcb_destroy_notify_event_t *)ev)->window);
		if (w)
			win_remove(b, w);
		return true;
	}
	case XCB_CONFIGURE_REQUEST:
		on_configure_request(b, (xcb_configure_request_event_t *)ev);
		return true;
	case XCB_CONFIGURE_NOTIFY:
		on_configure_notify(b, (xcb_configure_notify_event_t *)ev);
		return true;
	case XCB_PROPERTY_NOTIFY:
		on_property(b, (xcb_property_notify_event_t *)ev);
		return true;
	case XCB_MAPPING_NOTIFY:
		xb_input_mapping(b, b->in);
		return true;
	default:
		return false;
	}
}

void xb_wm_adopt(struct xb *b)
{
	xcb_query_tree_reply_t *t =
	    xcb_query_tree_reply(b->xc, xcb_query_tree(b->xc, b->root), NULL);
	if (!t)
		return;
	xcb_window_t *kids = xcb_query_tree_children(t);
	for (int i = 0; i < xcb_query_tree_children_length(t); i++) {
		xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(
		    b->xc, xcb_get_window_attributes(b->xc, kids[i]), NULL);
		if (a && a->map_state == XCB_MAP_STATE_VIEWABLE && kids[i] != b->check_win) {
			xcb_map_notify_event_t e = {
			    .response_type = XCB_MAP_NOTIFY, .event = b->root, .window = kids[i]};
			on_map_notify(b, &e);
		}
		free(a);
	}
	free(t);
}

void xb_wm_close(struct xb *b, struct xb_win *w)
{
	if (!w->delete_protocol) {
		xb_log("window 0x%x has no WM_DELETE_WINDOW: closing its program", w->xid);
		xcb_kill_client(b->xc, w->xid);
		return;
	}
	xcb_client_message_event_t m = {.response_type = XCB_CLIENT_MESSAGE,
	                                .format = 32,
	                                .window = w->xid,
	                                .type = b->atom.wm_protocols};
	m.data.data32[0] = b->atom.wm_delete_window;
	m.data.data32[1] = XCB_CURRENT_TIME;
	xcb_send_event(b->xc, 0, w->xid, XCB_EVENT_MASK_NO_EVENT, (const char *)&m);
	if (!w->close_deadline)
		w->close_deadline = xp_now_us() + XB_CLOSE_GRACE_MS * 1000u;
}

int xb_wm_timers(struct xb *b)
{
	uint64_t now = xp_now_us(), next = 0;
	for (struct xb_win *w = b->wins; w; w = w->next) {
		if (!w->close_deadline)
			continue;
		if (now >= w->close_deadline) {
			xb_log("window 0x%x ignored the close for %d ms: killing its program",
			       w->xid, XB_CLOSE_GRACE_MS);
			xcb_kill_client(b->xc, w->xid);
			w->close_deadline = 0;
		} else if (!next || w->close_deadline < next) {
			next = w->close_deadline;
		}
	}
	return next ? (int)((next - now) / 1000) + 1 : -1;
}

void xb_wm_focus(struct xb *b, struct xb_win *w)
{
	uint32_t above = XCB_STACK_MODE_ABOVE;
	xcb_configure_window(b->xc, w->xid, XCB_CONFIG_WINDOW_STACK_MODE, &above);
	if (w->override || !w->viewable)
		return;
	xcb_set_input_focus(b->xc, XCB_INPUT_FOCUS_POINTER_ROOT, w->xid, XCB_CURRENT_TIME);
	xcb_change_property(b->xc, XCB_PROP_MODE_REPLACE, b->root, b->atom.net_active_window,
	                    XCB_ATOM_WINDOW, 32, 1, &w->xid);
	b->focus = w->xid;
}

void xb_wm_resize(struct xb *b, struct xb_win *w, uint32_t width, uint32_t height)
{
	uint32_t v[2] = {inner((int)width, w->bw), inner((int)height, w->bw)};
	xcb_configure_window(b->xc, w->xid, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
}
