/*
 * wm.c - the window manager's pointer and keyboard for desktop-mode clients
 * (SPEC.md section 12): what is under the pointer (the topmost window whose
 * frame or content is there), title-bar and edge drags, the title-bar
 * buttons, Alt+drag, and the keyboard chords (Alt+Tab, Alt+F4, Super+...).
 * Seamless clients leave all of it to the user's window manager; their
 * POINTER_WIN says which window the pointer is in.
 */
#include <string.h>

#include "server_int.h"

#define DOUBLE_CLICK_US 400000u
#define MIN_W           48
#define MIN_H           24
#define NUDGE           32
#define MODS            (XP_MOD_SHIFT | XP_MOD_CONTROL | XP_MOD_ALT | XP_MOD_SUPER)

enum {
	KS_TAB = 0xff09,
	KS_ISO_LEFT_TAB = 0xfe20,
	KS_F4 = 0xffc1,
	KS_LEFT = 0xff51,
	KS_UP = 0xff52,
	KS_RIGHT = 0xff53,
	KS_DOWN = 0xff54,
	KS_SHIFT_L = 0xffe1,
	KS_SUPER_R = 0xffec, /* Shift_L .. Super_R: the modifier keys */
};

struct hit {
	struct xs_window *w;
	enum xp_frame_part part;
	unsigned edges;
};

static struct xp_rect content(const struct xs_window *w)
{
	return (struct xp_rect){w->x, w->y, w->w, w->h};
}

/* The topmost mapped window whose frame or content holds (x, y). */
static struct hit hit_at(struct xs_session *se, int32_t x, int32_t y)
{
	for (size_t i = se->nwin; i-- > 0;) {
		struct xs_window *w = se->stack[i];
		unsigned edges = 0;
		enum xp_frame_part part;
		if (!w->mapped)
			continue;
		if (w->arr.state & XP_STATE_FRAMED)
			part = xp_frame_hit(content(w), x, y, &edges);
		else
			part = xp_frame_hit(content(w), x, y, NULL) == XP_PART_CONTENT
			           ? XP_PART_CONTENT
			           : XP_PART_NONE;
		if (part != XP_PART_NONE)
			return (struct hit){w, part, edges};
	}
	return (struct hit){NULL, XP_PART_NONE, 0};
}

struct xs_window *xs_wm_pointer_window(struct xs_peer *p)
{
	struct xs_session *se = p->session;
	struct xs_window *w = p->grab ? xs_window_by_id(se, p->grab) : NULL;
	if (w)
		return w;
	w = p->wm.pointer_win ? xs_window_by_id(se, p->wm.pointer_win) : NULL;
	if (w && w->mapped)
		return w;
	struct hit h = hit_at(se, p->px, p->py);
	return h.part == XP_PART_CONTENT ? h.w : NULL;
}

int xs_wm_on_pointer_win(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	p->wm.pointer_win = m->u.pointer_win.win;
	return 0;
}

void xs_wm_forget(struct xs_session *se, uint32_t win)
{
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->wm.drag_win == win)
			c->wm.drag_win = 0;
		if (c->wm.press_win == win)
			c->wm.press_win = 0;
		if (c->wm.pointer_win == win)
			c->wm.pointer_win = 0;
	}
}

/* ---- drags ---- */

static int32_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

static void start_drag(struct xs_peer *p, struct xs_window *w, uint32_t button, unsigned edges)
{
	p->wm.drag_win = w->id;
	p->wm.drag_button = button;
	p->wm.drag_edges = edges;
	p->wm.drag_px = p->px;
	p->wm.drag_py = p->py;
	p->wm.drag_start = content(w);
}

/* One side of a resize: the new start and size along an axis. */
static void resize_axis(int64_t start, int64_t size, int64_t d, bool low, bool high, int64_t min,
                        int64_t max, int32_t *pos, uint32_t *len)
{
	int64_t s = size;
	if (high)
		s = size + d;
	else if (low)
		s = size - d;
	s = s < min ? min : s > max ? max : s;
	*pos = clamp(low ? start + size - s : start, INT32_MIN, INT32_MAX);
	*len = (uint32_t)s;
}

static void drag_step(struct xs_peer *p, struct xs_window *w)
{
	struct xs_session *se = p->session;
	const struct xs_wm_input *d = &p->wm;
	int64_t dx = (int64_t)p->px - d->drag_px, dy = (int64_t)p->py - d->drag_py;
	struct xp_rect r = d->drag_start;
	uint32_t mask = XP_CONF_MOVE;
	struct xp_error err;
	if (!d->drag_edges) {
		/* the title bar stays reachable */
		r.x = clamp(r.x + dx, MIN_W - (int64_t)r.w, (int64_t)se->screen_w - MIN_W);
		r.y = clamp(r.y + dy, XP_FRAME_TITLE, (int64_t)se->screen_h - XP_FRAME_BORDER);
	} else {
		int64_t max = se->srv->opt.max_window_dim;
		resize_axis(r.x, r.w, dx, d->drag_edges & XP_EDGE_LEFT,
		            d->drag_edges & XP_EDGE_RIGHT, MIN_W, max, &r.x, &r.w);
		resize_axis(r.y, r.h, dy, d->drag_edges & XP_EDGE_TOP,
		            d->drag_edges & XP_EDGE_BOTTOM, MIN_H, max, &r.y, &r.h);
		mask |= XP_CONF_RESIZE;
	}
	if (xs_arrange_geometry(se, w, mask, r, &err) < 0)
		xs_log(se->srv, XS_INFO, "resize of window %u: %s", w->id, err.text);
}

bool xs_wm_motion(struct xs_peer *p)
{
	struct xs_window *w = p->wm.drag_win ? xs_window_by_id(p->session, p->wm.drag_win) : NULL;
	if (!w) {
		p->wm.drag_win = 0;
		return false;
	}
	drag_step(p, w);
	return true;
}

/* ---- buttons ---- */

static void focus_raise(struct xs_session *se, struct xs_window *w)
{
	xs_arrange_raise(se, w);
	if (!(w->flags & XP_WIN_POPUP))
		xs_session_set_focus(se, w->id);
}

static void toggle_max(struct xs_session *se, struct xs_window *w)
{
	struct xp_error err;
	uint32_t a = (w->arr.state & XP_STATE_MAXIMIZED) ? XP_ARR_UNMAXIMIZE : XP_ARR_MAXIMIZE;
	if (xs_arrange_apply(se, w, a, (struct xp_rect){0, 0, 0, 0}, &err) < 0)
		xs_log(se->srv, XS_INFO, "maximise window %u: %s", w->id, err.text);
}

/* A title-bar button released: act if the pointer is still on it. */
static void button_release(struct xs_peer *p)
{
	struct xs_session *se = p->session;
	struct hit h = hit_at(se, p->px, p->py);
	struct xs_window *w = xs_window_by_id(se, p->wm.press_win);
	struct xp_error err;
	p->wm.press_win = 0;
	if (!w || h.w != w || (int)h.part != p->wm.press_part)
		return;
	if (h.part == XP_PART_CLOSE)
		xs_arrange_close(se, w);
	else if (h.part == XP_PART_MAXIMIZE)
		toggle_max(se, w);
	else if (h.part == XP_PART_MINIMIZE)
		xs_arrange_apply(se, w, XP_ARR_MINIMIZE, (struct xp_rect){0, 0, 0, 0}, &err);
}

/* The corner of @w nearest the pointer, for Alt+button 3. */
static unsigned nearest_corner(const struct xs_peer *p, const struct xs_window *w)
{
	bool left = (int64_t)p->px < (int64_t)w->x + w->w / 2;
	bool top = (int64_t)p->py < (int64_t)w->y + w->h / 2;
	return (left ? XP_EDGE_LEFT : XP_EDGE_RIGHT) | (top ? XP_EDGE_TOP : XP_EDGE_BOTTOM);
}

/* A press on a frame part (or with Alt) of managed window @h.w. */
static void frame_press(struct xs_peer *p, struct hit h, uint32_t button)
{
	bool maxed = h.w->arr.state & XP_STATE_MAXIMIZED;
	uint64_t now = xp_now_us();
	focus_raise(p->session, h.w);
	if (button != 1)
		return;
	if (h.part == XP_PART_TITLE && p->wm.click_win == h.w->id &&
	    now - p->wm.click_us < DOUBLE_CLICK_US) {
		p->wm.click_win = 0;
		toggle_max(p->session, h.w);
		return;
	}
	p->wm.click_win = h.part == XP_PART_TITLE ? h.w->id : 0;
	p->wm.click_us = now;
	if (h.part == XP_PART_TITLE && !maxed)
		start_drag(p, h.w, button, 0);
	else if (h.part == XP_PART_EDGE && !maxed)
		start_drag(p, h.w, button, h.edges);
	else if (h.part >= XP_PART_CLOSE && h.part <= XP_PART_MINIMIZE) {
		p->wm.press_win = h.w->id;
		p->wm.press_part = (int)h.part;
	}
}

bool xs_wm_button(struct xs_peer *p, uint32_t state)
{
	uint32_t button = state >> 1;
	bool pressed = state & 1;
	if (p->wm.drag_win) { /* the drag has the pointer until its button is up */
		if (!pressed && button == p->wm.drag_button)
			p->wm.drag_win = 0;
		return true;
	}
	if (p->wm.press_win) {
		if (!pressed && button == 1)
			button_release(p);
		return true;
	}
	if (!pressed || p->grab || p->wm.seamless || p->wm.pointer_win)
		return false;
	p->wm.ncycle = 0;
	struct hit h = hit_at(p->session, p->px, p->py);
	if (!h.w || !xs_arrange_managed(h.w))
		return false;
	if ((p->wm.mods & XP_MOD_ALT) && (button == 1 || button == 3) &&
	    !(h.w->arr.state & XP_STATE_MAXIMIZED)) {
		focus_raise(p->session, h.w);
		start_drag(p, h.w, button, button == 3 ? nearest_corner(p, h.w) : 0);
		return true;
	}
	if (h.part == XP_PART_CONTENT)
		return false;
	frame_press(p, h, button);
	return true;
}

/* ---- keyboard chords ---- */

/* Alt+Tab: the windows top first (the focused one first), minimised last. */
static void cycle_start(struct xs_peer *p)
{
	struct xs_session *se = p->session;
	struct xs_wm_input *k = &p->wm;
	k->ncycle = 0;
	k->cycle_pos = 0;
	if (se->focus)
		k->cycle[k->ncycle++] = se->focus;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = se->nwin; i-- > 0 && k->ncycle < XS_CYCLE_MAX;) {
			const struct xs_window *w = se->stack[i];
			bool min = w->arr.state & XP_STATE_MINIMIZED;
			if (w->id != se->focus && xs_arrange_managed(w) &&
			    w->owner != se->launcher && (pass ? min && !w->mapped : w->mapped))
				k->cycle[k->ncycle++] = w->id;
		}
}

static void cycle_step(struct xs_peer *p, int dir)
{
	struct xs_session *se = p->session;
	struct xp_error err;
	if (p->wm.ncycle == 0)
		cycle_start(p);
	if (p->wm.ncycle < 2)
		return;
	p->wm.cycle_pos = (p->wm.cycle_pos + dir + p->wm.ncycle) % p->wm.ncycle;
	struct xs_window *w = xs_window_by_id(se, p->wm.cycle[p->wm.cycle_pos]);
	if (!w)
		return;
	uint32_t a = XP_ARR_RAISE | XP_ARR_FOCUS |
	             ((w->arr.state & XP_STATE_MINIMIZED) ? XP_ARR_RESTORE : 0);
	xs_arrange_apply(se, w, a, (struct xp_rect){0, 0, 0, 0}, &err);
}

/* Super+arrows on the focused window: halves, maximise, minimise, nudges. */
static void super_arrow(struct xs_session *se, struct xs_window *w, uint32_t ks, uint32_t mods)
{
	int dx = ks == KS_LEFT ? -NUDGE : ks == KS_RIGHT ? NUDGE : 0;
	int dy = ks == KS_UP ? -NUDGE : ks == KS_DOWN ? NUDGE : 0;
	struct xp_rect r = content(w);
	struct xp_error err;
	bool maxed = w->arr.state & XP_STATE_MAXIMIZED;
	if (mods & XP_MOD_SHIFT) {
		r.x = clamp((int64_t)r.x + dx, INT32_MIN, INT32_MAX);
		r.y = clamp((int64_t)r.y + dy, XP_FRAME_TITLE, INT32_MAX);
		xs_arrange_geometry(se, w, XP_CONF_MOVE, r, &err);
	} else if (mods & XP_MOD_CONTROL) {
		r.w = (uint32_t)clamp((int64_t)r.w + dx, MIN_W, se->srv->opt.max_window_dim);
		r.h = (uint32_t)clamp((int64_t)r.h + dy, MIN_H, se->srv->opt.max_window_dim);
		xs_arrange_geometry(se, w, XP_CONF_RESIZE, r, &err);
	} else if (ks == KS_UP || (ks == KS_DOWN && maxed)) {
		toggle_max(se, w);
	} else if (ks == KS_DOWN) {
		xs_arrange_apply(se, w, XP_ARR_MINIMIZE, r, &err);
	} else if (!maxed) {
		uint32_t half = se->screen_w / 2;
		r = (struct xp_rect){
		    (ks == KS_LEFT ? 0 : (int32_t)half) + XP_FRAME_BORDER, XP_FRAME_TITLE,
		    half > 2 * XP_FRAME_BORDER + MIN_W ? half - 2 * XP_FRAME_BORDER : MIN_W,
		    se->screen_h > XP_FRAME_TITLE + XP_FRAME_BORDER + MIN_H
		        ? se->screen_h - XP_FRAME_TITLE - XP_FRAME_BORDER
		        : MIN_H};
		xs_arrange_geometry(se, w, XP_CONF_MOVE | XP_CONF_RESIZE, r, &err);
	}
}

static bool is_arrow(uint32_t ks)
{
	return ks >= KS_LEFT && ks <= KS_DOWN;
}

/* Keep the modifiers held, from the modifier keys themselves. */
static void track_mods(struct xs_peer *p, const struct xp_msg_key *k)
{
	static const uint32_t bit[] = {
	    XP_MOD_SHIFT, XP_MOD_SHIFT, XP_MOD_CONTROL, XP_MOD_CONTROL, 0,           0, XP_MOD_ALT,
	    XP_MOD_ALT,   XP_MOD_ALT,   XP_MOD_ALT,     XP_MOD_SUPER,   XP_MOD_SUPER};
	p->wm.mods = k->state & MODS; /* the state before this key */
	if (k->keysym < KS_SHIFT_L || k->keysym > KS_SUPER_R)
		return;
	uint32_t b = bit[k->keysym - KS_SHIFT_L];
	if (k->state & XP_KEY_PRESSED)
		p->wm.mods |= b;
	else
		p->wm.mods &= ~b;
	if (!(p->wm.mods & XP_MOD_ALT))
		p->wm.ncycle = 0; /* Alt let go: the Alt+Tab cycle is over */
}

bool xs_wm_key(struct xs_peer *p, const struct xp_msg_key *k)
{
	struct xs_session *se = p->session;
	uint32_t mods = k->state & MODS, ks = k->keysym;
	bool pressed = k->state & XP_KEY_PRESSED;
	track_mods(p, k);
	if (p->wm.seamless)
		return false;
	if ((ks == KS_TAB || ks == KS_ISO_LEFT_TAB) && (mods & ~XP_MOD_SHIFT) == XP_MOD_ALT) {
		if (pressed)
			cycle_step(p, (mods & XP_MOD_SHIFT) || ks == KS_ISO_LEFT_TAB ? -1 : 1);
		return true;
	}
	if (pressed && !(mods & XP_MOD_ALT) && (ks < KS_SHIFT_L || ks > KS_SUPER_R))
		p->wm.ncycle = 0;
	struct xs_window *w = xs_window_by_id(se, se->focus);
	bool managed = w && xs_arrange_managed(w);
	if (ks == KS_F4 && mods == XP_MOD_ALT) {
		if (pressed && w)
			xs_arrange_close(se, w);
		return true;
	}
	if (is_arrow(ks) && (mods & XP_MOD_SUPER) && !(mods & XP_MOD_ALT)) {
		if (pressed && managed)
			super_arrow(se, w, ks, mods);
		return true;
	}
	return false;
}
