/*
 * seamless_input.c - the X events of the seamless presenter: what the
 * user's window manager did to a window (moved or resized it, minimised or
 * restored it, gave it the focus, asked to close it) becomes WIN_ARRANGE or
 * CLOSE for the server; keys go to the window they were typed in (its
 * focus is asked for first if the session has another), pointer events
 * carry their window (POINTER_WIN) and session coordinates.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "thin_int.h"

typedef void (*sw_handler)(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev);

static const struct xp_rect nowhere = {0, 0, 0, 0};

static int32_t floor_div(int32_t v, int k)
{
	return v >= 0 ? v / k : -((-v + k - 1) / k);
}

/* The session's keyboard focus goes where the user types. */
static void focus_here(struct tc_client *c, const struct tc_sw *sw)
{
	if (!sw->popup && c->wins.focused != sw->id)
		tc_input_arrange(c, sw->id, XP_ARR_FOCUS, nowhere);
}

static void on_key(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_key_press_event_t *k = (xcb_key_press_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, k->event);
	bool pressed = (ev->response_type & 0x7f) == XCB_KEY_PRESS;
	uint32_t keysym, mods;
	char text[64];
	if (!sw || !s->kbd)
		return;
	if (pressed)
		focus_here(c, sw);
	tc_kbd_translate(s->kbd, k->detail, k->state, pressed, &keysym, &mods, text, sizeof(text));
	tc_input_key(c, mods | (pressed ? XP_KEY_PRESSED : 0), keysym, text);
}

/* Session coordinates of a point in @sw's X window. */
static void to_session(const struct tc_seamless *s, struct tc_client *c, const struct tc_sw *sw,
                       int ex, int ey, int *x, int *y)
{
	const struct tc_win *w = tc_win_find(&c->wins, sw->id);
	*x = (w ? w->x : 0) + floor_div(ex, s->scale);
	*y = (w ? w->y : 0) + floor_div(ey, s->scale);
}

static void on_button(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_button_press_event_t *b = (xcb_button_press_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, b->event);
	bool pressed = (ev->response_type & 0x7f) == XCB_BUTTON_PRESS;
	int x, y;
	if (!sw || b->detail < 1 || b->detail > 31)
		return;
	tc_input_pointer_win(c, sw->id);
	to_session(s, c, sw, b->event_x, b->event_y, &x, &y);
	tc_input_motion(c, x, y);
	tc_input_button(c, b->detail, pressed, x, y);
}

static void on_motion(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_motion_notify_event_t *m = (xcb_motion_notify_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, m->event);
	int x, y;
	if (!sw)
		return;
	tc_input_pointer_win(c, sw->id);
	to_session(s, c, sw, m->event_x, m->event_y, &x, &y);
	tc_input_motion(c, x, y);
}

static void on_enter(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_enter_notify_event_t *e = (xcb_enter_notify_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, e->event);
	if (sw)
		tc_input_pointer_win(c, sw->id);
}

static void on_expose(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_expose_event_t *e = (xcb_expose_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, e->window);
	struct tc_win *w = sw ? tc_win_find(&c->wins, sw->id) : NULL;
	if (!w)
		return;
	struct xr_rect r =
	    tc_scale_down((struct xr_rect){e->x, e->y, e->width, e->height}, s->scale);
	w->dirty = xr_rect_empty(w->dirty) ? r : xr_rect_union(w->dirty, r);
}

/* Where @sw's X window is on the root, from a ConfigureNotify. */
static void root_position(struct tc_seamless *s, const xcb_configure_notify_event_t *e, int *x,
                          int *y)
{
	*x = e->x;
	*y = e->y;
	if (e->response_type & 0x80)
		return; /* synthetic, from the WM: root coordinates (ICCCM 4.1.5) */
	xcb_translate_coordinates_reply_t *t = xcb_translate_coordinates_reply(
	    s->d.xc, xcb_translate_coordinates(s->d.xc, e->window, s->root, 0, 0), NULL);
	if (t) {
		*x = t->dst_x;
		*y = t->dst_y;
	}
	free(t);
}

/* The user's WM moved or resized a window: the session follows. */
static void on_configure(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_configure_notify_event_t *e = (xcb_configure_notify_event_t *)ev;
	int x, y;
	if (e->window == s->root) { /* the user's screen changed size */
		if (e->width / s->scale >= 1 && e->height / s->scale >= 1)
			tc_input_resize(c, e->width / s->scale, e->height / s->scale);
		return;
	}
	struct tc_sw *sw = tc_sw_by_xid(s, e->window);
	const struct tc_win *w = sw ? tc_win_find(&c->wins, sw->id) : NULL;
	if (!w || sw->popup || !sw->mapped)
		return;
	root_position(s, e, &x, &y);
	struct xp_rect g = {floor_div(x, s->scale), floor_div(y, s->scale),
	                    (uint32_t)(e->width / s->scale ? e->width / s->scale : 1),
	                    (uint32_t)(e->height / s->scale ? e->height / s->scale : 1)};
	if (g.x == w->x && g.y == w->y && g.w == (uint32_t)w->w && g.h == (uint32_t)w->h)
		return;
	if (sw->nreq > 0 && sw->req[0].x == g.x && sw->req[0].y == g.y && sw->req[0].w == g.w &&
	    sw->req[0].h == g.h)
		return; /* asked for already */
	memmove(&sw->req[1], &sw->req[0], (TC_SW_REQS - 1) * sizeof(sw->req[0]));
	sw->req[0] = g;
	sw->nreq = sw->nreq < TC_SW_REQS ? sw->nreq + 1 : TC_SW_REQS;
	tc_input_arrange(c, sw->id, XP_ARR_MOVE | XP_ARR_RESIZE, g);
}

/* WM_STATE of @xid: IconicState (3) when the WM minimised it. */
static uint32_t wm_state(struct tc_seamless *s, uint32_t xid)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    s->d.xc, xcb_get_property(s->d.xc, 0, xid, s->atom.wm_state, s->atom.wm_state, 0, 2),
	    NULL);
	uint32_t state = 0;
	if (r && r->format == 32 && xcb_get_property_value_length(r) >= 4)
		state = *(const uint32_t *)xcb_get_property_value(r);
	free(r);
	return state;
}

static void on_unmap(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_unmap_notify_event_t *e = (xcb_unmap_notify_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, e->window);
	if (!sw || !sw->mapped || sw->popup || wm_state(s, sw->xid) != 3)
		return; /* ours, or not a minimise */
	sw->mapped = false;
	sw->iconic = true;
	sw->pending = TC_SW_MINIMIZING;
	sw->pending_us = xp_now_us();
	tc_input_arrange(c, sw->id, XP_ARR_MINIMIZE, nowhere);
}

static void on_map(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_map_notify_event_t *e = (xcb_map_notify_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, e->window);
	if (!sw || !sw->iconic)
		return;     /* ours */
	sw->iconic = false; /* the user brought it back from the WM */
	sw->mapped = true;
	sw->pending = TC_SW_RESTORING;
	sw->pending_us = xp_now_us();
	tc_input_arrange(c, sw->id, XP_ARR_RESTORE, nowhere);
}

static void on_focus(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_focus_in_event_t *f = (xcb_focus_in_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, f->event);
	if (!sw || f->detail == XCB_NOTIFY_DETAIL_POINTER || f->mode == XCB_NOTIFY_MODE_GRAB ||
	    f->mode == XCB_NOTIFY_MODE_UNGRAB)
		return;
	if (!sw->popup && c->wins.focused != sw->id)
		tc_input_arrange(c, sw->id, XP_ARR_FOCUS | XP_ARR_RAISE, nowhere);
}

static void on_client_message(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_client_message_event_t *m = (xcb_client_message_event_t *)ev;
	struct tc_sw *sw = tc_sw_by_xid(s, m->window);
	if (sw && m->type == s->atom.wm_protocols && m->data.data32[0] == s->atom.wm_delete)
		tc_input_close(c, sw->id); /* the app decides */
}

/*
 * One of our X windows destroyed by another X client (XDestroyWindow; a
 * WM closes with WM_DELETE_WINDOW instead): nothing of it is left to draw
 * into, so it is dropped (no more requests on a dead id) and its app is
 * asked to close it, as the WM's close does; the app decides, and a window
 * it keeps is shown again (seamless.c). The other windows go on.
 */
static void on_destroy(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_destroy_notify_event_t *e = (xcb_destroy_notify_event_t *)ev;
	struct tc_sw *sw = e->window ? tc_sw_by_xid(s, e->window) : NULL;
	char title[sizeof(sw->title)];
	if (!sw)
		return; /* one we destroyed: already out of the table */
	memcpy(title, sw->title, sizeof(title));
	tc_plain(title); /* the app's words, on the user's terminal */
	tc_warn("window %u '%s' was destroyed by another X client: asking its app to close it",
	        sw->id, title);
	sw->xid = 0;
	sw->gone = true;
	sw->gone_us = xp_now_us();
	sw->mapped = sw->iconic = false;
	tc_input_close(c, sw->id);
}

static void on_mapping(struct tc_seamless *s, struct tc_client *c, xcb_generic_event_t *ev)
{
	if (s->kbd && tc_kbd_reload(s->kbd) < 0)
		tc_warn("keyboard: cannot reload the keymap");
}

static const sw_handler handlers[XCB_MAPPING_NOTIFY + 1] = {
    [XCB_KEY_PRESS] = on_key,
    [XCB_KEY_RELEASE] = on_key,
    [XCB_BUTTON_PRESS] = on_button,
    [XCB_BUTTON_RELEASE] = on_button,
    [XCB_MOTION_NOTIFY] = on_motion,
    [XCB_ENTER_NOTIFY] = on_enter,
    [XCB_FOCUS_IN] = on_focus,
    [XCB_EXPOSE] = on_expose,
    [XCB_UNMAP_NOTIFY] = on_unmap,
    [XCB_DESTROY_NOTIFY] = on_destroy,
    [XCB_MAP_NOTIFY] = on_map,
    [XCB_CONFIGURE_NOTIFY] = on_configure,
    [XCB_CLIENT_MESSAGE] = on_client_message,
    [XCB_MAPPING_NOTIFY] = on_mapping,
};

int tc_seamless_events(struct tc_presenter *p, struct tc_client *c)
{
	struct tc_seamless *s = (struct tc_seamless *)p;
	xcb_generic_event_t *ev;
	while ((ev = xcb_poll_for_event(s->d.xc))) {
		unsigned type = ev->response_type & 0x7f;
		if (s->kbd && tc_kbd_event(s->kbd, ev))
			; /* a keymap change, handled */
		else if (type <= XCB_MAPPING_NOTIFY && handlers[type])
			handlers[type](s, c, ev);
		free(ev);
	}
	return xcb_connection_has_error(s->d.xc) ? -1 : 0;
}
