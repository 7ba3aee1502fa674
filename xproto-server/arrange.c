/*
 * arrange.c - the session's window manager (SPEC.md section 12): which
 * windows are framed, their first placement, raising (dialogs over their
 * parent, popups over everything), minimise, maximise and restore, focus,
 * close, the window list, and the WIN_ARRANGE, WIN_LIST and WIN_PARENT
 * messages. The arrangement is session state; every change is applied
 * here and then told to the clients and, when it concerns it, to the app.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define PARENT_DEPTH 8  /* a parent chain longer than this is refused */
#define REACH        48 /* pixels of a title bar kept on a screen that shrank */

bool xs_arrange_managed(const struct xs_window *w)
{
	return !(w->flags & (XP_WIN_POPUP | XP_WIN_MAXIMIZED));
}

static bool wants_wm(const struct xs_peer *c)
{
	return c->state == XS_RUNNING && xp_conn_peer_minor(&c->conn) >= XP_MINOR_WM;
}

static void state_msg(const struct xs_window *w, struct xp_msg *m)
{
	m->op = XP_OP_WIN_STATE;
	m->u.win_state = (struct xp_msg_win_state){w->id, w->arr.state, w->arr.parent};
}

/* Tell every client that knows @w (and speaks 1.1) its WIN_STATE. */
static void announce_state(struct xs_session *se, const struct xs_window *w)
{
	struct xp_msg m;
	state_msg(w, &m);
	for (struct xs_peer *c = se->clients; c; c = c->next)
		if (wants_wm(c) && xs_client_knows(c, w->id))
			xs_peer_send(c, &m);
}

static void set_state(struct xs_session *se, struct xs_window *w, uint32_t state)
{
	if (w->arr.state == state)
		return;
	w->arr.state = state;
	announce_state(se, w);
}

void xs_arrange_refresh(struct xs_peer *c, const struct xs_window *w)
{
	struct xp_msg m;
	if (!wants_wm(c) || (!w->arr.state && !w->arr.parent))
		return;
	state_msg(w, &m);
	xs_peer_send(c, &m);
}

void xs_arrange_created(struct xs_session *se, struct xs_window *w)
{
	if (xs_arrange_managed(w))
		set_state(se, w, XP_STATE_FRAMED);
}

/* ---- stacking ---- */

static void raise_one(struct xs_session *se, struct xs_window *w)
{
	if (se->stack[se->nwin - 1] == w)
		return;
	xs_window_raise(se, w);
	xs_window_announce(se, w, XP_CONF_RAISE, false);
}

/* The windows whose parent is @id, or the popups (@id 0), bottom to top. */
static size_t collect(struct xs_session *se, uint32_t id, uint32_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < se->nwin; i++) {
		const struct xs_window *o = se->stack[i];
		if (id ? o->arr.parent == id && !(o->flags & XP_WIN_POPUP)
		       : (o->flags & XP_WIN_POPUP) && o->mapped)
			out[n++] = o->id;
	}
	return n;
}

static void raise_ids(struct xs_session *se, const uint32_t *ids, size_t n, int depth);

static void raise_tree(struct xs_session *se, struct xs_window *w, int depth)
{
	uint32_t *kids = depth < PARENT_DEPTH ? malloc(se->nwin * sizeof(*kids)) : NULL;
	raise_one(se, w);
	if (!kids)
		return;
	raise_ids(se, kids, collect(se, w->id, kids), depth + 1);
	free(kids);
}

static void raise_ids(struct xs_session *se, const uint32_t *ids, size_t n, int depth)
{
	for (size_t i = 0; i < n; i++) {
		struct xs_window *k = xs_window_by_id(se, ids[i]);
		if (k)
			raise_tree(se, k, depth);
	}
}

/* Popups stay above every other window. */
static void popups_on_top(struct xs_session *se)
{
	uint32_t *ids = malloc(se->nwin * sizeof(*ids));
	if (!ids)
		return;
	size_t n = collect(se, 0, ids);
	for (size_t i = 0; i < n; i++) {
		struct xs_window *k = xs_window_by_id(se, ids[i]);
		if (k)
			raise_one(se, k);
	}
	free(ids);
}

void xs_arrange_raise(struct xs_session *se, struct xs_window *w)
{
	raise_tree(se, w, 0);
	if (!(w->flags & XP_WIN_POPUP))
		popups_on_top(se);
}

void xs_arrange_map(struct xs_session *se, struct xs_window *w)
{
	set_state(se, w, w->arr.state & ~XP_STATE_MINIMIZED);
	if (!w->arr.placed && (w->arr.state & XP_STATE_FRAMED)) {
		int32_t x = w->x, y = w->y;
		xs_place(se, w);
		if (x != w->x || y != w->y)
			xs_window_announce(se, w, XP_CONF_MOVE, true);
	}
	w->arr.placed = true;
	xs_window_raise(se, w); /* WIN_MAP raises it on the clients */
	xs_update_map(se, w);
	xs_arrange_raise(se, w); /* its dialogs and the popups back above it */
}

/* ---- focus, close ---- */

static bool takes_focus(const struct xs_window *w)
{
	return w->mapped && !(w->flags & XP_WIN_POPUP);
}

void xs_arrange_refocus(struct xs_session *se)
{
	for (size_t i = se->nwin; i-- > 0;) {
		if (takes_focus(se->stack[i])) {
			xs_session_set_focus(se, se->stack[i]->id);
			return;
		}
	}
	xs_session_set_focus(se, 0);
}

void xs_arrange_close(struct xs_session *se, struct xs_window *w)
{
	struct xp_msg out = {.op = XP_OP_CLOSE};
	(void)se;
	out.u.close.win = w->app_id;
	xs_peer_send(w->owner, &out);
}

/* ---- minimise, restore, maximise ---- */

static void unmap_for_user(struct xs_session *se, struct xs_window *w)
{
	struct xp_msg m = {.op = XP_OP_WIN_UNMAP};
	w->mapped = false;
	m.u.win_unmap.win = w->id;
	xs_update_window_msg(se, &m);
}

/* Call @fn(se, child, @depth + 1) for each window whose parent is @w; a
 * chain deeper than PARENT_DEPTH (or no memory for the list) stops here. */
static void each_child(struct xs_session *se, struct xs_window *w, int depth,
                       void (*fn)(struct xs_session *se, struct xs_window *w, int depth))
{
	uint32_t *kids = depth < PARENT_DEPTH ? malloc(se->nwin * sizeof(*kids)) : NULL;
	if (!kids)
		return;
	size_t n = collect(se, w->id, kids);
	for (size_t i = 0; i < n; i++) {
		struct xs_window *k = xs_window_by_id(se, kids[i]);
		if (k)
			fn(se, k, depth + 1);
	}
	free(kids);
}

static void minimize(struct xs_session *se, struct xs_window *w, int depth)
{
	if (w->mapped) {
		unmap_for_user(se, w);
		set_state(se, w, w->arr.state | XP_STATE_MINIMIZED);
	}
	each_child(se, w, depth, minimize);
}

static void restore(struct xs_session *se, struct xs_window *w, int depth)
{
	if (w->arr.state & XP_STATE_MINIMIZED) {
		w->mapped = true;
		xs_arrange_map(se, w);
	}
	each_child(se, w, depth, restore);
}

/* The content rectangle of a maximised window: the screen inside its frame. */
static struct xp_rect screen_inside(const struct xs_session *se)
{
	int64_t w = (int64_t)se->screen_w - 2 * XP_FRAME_BORDER;
	int64_t h = (int64_t)se->screen_h - XP_FRAME_TITLE - XP_FRAME_BORDER;
	return (struct xp_rect){XP_FRAME_BORDER, XP_FRAME_TITLE, w < 1 ? 1 : (uint32_t)w,
	                        h < 1 ? 1 : (uint32_t)h};
}

static int maximize(struct xs_session *se, struct xs_window *w, struct xp_error *err)
{
	struct xp_rect was = {w->x, w->y, w->w, w->h}, r = screen_inside(se);
	uint32_t max = (uint32_t)se->srv->opt.max_window_dim;
	if (w->arr.state & XP_STATE_MAXIMIZED)
		return 0;
	r.w = r.w > max ? max : r.w;
	r.h = r.h > max ? max : r.h;
	if (xs_arrange_geometry(se, w, XP_CONF_MOVE | XP_CONF_RESIZE, r, err) < 0)
		return -1;
	w->arr.saved = was;
	set_state(se, w, w->arr.state | XP_STATE_MAXIMIZED);
	return 0;
}

static int unmaximize(struct xs_session *se, struct xs_window *w, struct xp_error *err)
{
	if (!(w->arr.state & XP_STATE_MAXIMIZED))
		return 0;
	set_state(se, w, w->arr.state & ~XP_STATE_MAXIMIZED);
	return xs_arrange_geometry(se, w, XP_CONF_MOVE | XP_CONF_RESIZE, w->arr.saved, err);
}

/* A smaller screen: a framed window whose title bar left it comes back. */
static void keep_reachable(struct xs_session *se, struct xs_window *w)
{
	struct xp_error err;
	int64_t x = w->x, y = w->y, right = (int64_t)se->screen_w - REACH;
	int64_t bottom = (int64_t)se->screen_h - XP_FRAME_BORDER;
	if (x - XP_FRAME_BORDER > right)
		x = right + XP_FRAME_BORDER;
	if (y > bottom)
		y = bottom > XP_FRAME_TITLE ? bottom : XP_FRAME_TITLE;
	if (x != w->x || y != w->y)
		xs_arrange_geometry(se, w, XP_CONF_MOVE,
		                    (struct xp_rect){(int32_t)x, (int32_t)y, 0, 0}, &err);
}

void xs_arrange_screen_resized(struct xs_session *se)
{
	struct xp_error err;
	for (size_t i = 0; i < se->nwin; i++) {
		struct xs_window *w = se->stack[i];
		if (w->arr.state & XP_STATE_FRAMED && !(w->arr.state & XP_STATE_MAXIMIZED))
			keep_reachable(se, w);
		if (!(w->arr.state & XP_STATE_MAXIMIZED))
			continue;
		struct xp_rect r = screen_inside(se);
		if (xs_arrange_geometry(se, w, XP_CONF_MOVE | XP_CONF_RESIZE, r, &err) < 0)
			xs_log(se->srv, XS_INFO, "maximised window %u: %s", w->id, err.text);
	}
}

/* ---- geometry ---- */

int xs_arrange_geometry(struct xs_session *se, struct xs_window *w, uint32_t mask, struct xp_rect r,
                        struct xp_error *err)
{
	mask &= XP_CONF_MOVE | XP_CONF_RESIZE;
	if ((mask & XP_CONF_RESIZE) && xs_window_resize(se, w, r.w, r.h, err) < 0)
		return -1;
	if ((mask & XP_CONF_MOVE) && w->x == r.x && w->y == r.y)
		mask &= ~XP_CONF_MOVE;
	if (mask & XP_CONF_MOVE) {
		w->x = r.x;
		w->y = r.y;
	}
	if (mask)
		xs_window_announce(se, w, mask, true);
	return 0;
}

int xs_arrange_apply(struct xs_session *se, struct xs_window *w, uint32_t action, struct xp_rect r,
                     struct xp_error *err)
{
	if (action & XP_ARR_CLOSE)
		xs_arrange_close(se, w);
	if (!xs_arrange_managed(w))
		return 0; /* popups and server-sized windows are the app's and the server's */
	if (action & XP_ARR_MINIMIZE) {
		minimize(se, w, 0);
		const struct xs_window *f = xs_window_by_id(se, se->focus);
		if (!f || !f->mapped)
			xs_arrange_refocus(se);
		xs_launcher_check(se);
		return 0;
	}
	if (action & XP_ARR_RESTORE) {
		restore(se, w, 0);
		action |= XP_ARR_RAISE | XP_ARR_FOCUS;
	}
	if (((action & XP_ARR_MAXIMIZE) && maximize(se, w, err) < 0) ||
	    ((action & XP_ARR_UNMAXIMIZE) && unmaximize(se, w, err) < 0))
		return -1;
	if ((action & (XP_ARR_MOVE | XP_ARR_RESIZE)) &&
	    xs_arrange_geometry(se, w, action & (XP_ARR_MOVE | XP_ARR_RESIZE), r, err) < 0)
		return -1;
	if ((action & XP_ARR_RAISE) && w->mapped)
		xs_arrange_raise(se, w);
	if ((action & XP_ARR_FOCUS) && takes_focus(w))
		xs_session_set_focus(se, w->id);
	return 0;
}

/* ---- messages ---- */

int xs_arrange_on_arrange(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_win_arrange *a = &m->u.win_arrange;
	struct xs_window *w = xs_window_by_id(p->session, a->win);
	if (p->role == XP_ROLE_VIEWER) {
		if (p->dropped_input++ == 0)
			xp_conn_send_error(&p->conn, XP_ERR_READ_ONLY, m->op,
			                   "read-only viewer: input and arrangements are ignored");
		return 0;
	}
	if (!w) /* gone meanwhile: nothing to arrange */
		return 0;
	struct xp_error e = {0};
	if (xs_arrange_apply(p->session, w, a->action & XP_ARR_ALL,
	                     (struct xp_rect){a->x, a->y, a->w, a->h}, &e) < 0)
		xp_conn_send_error(&p->conn, e.code, m->op, "%s", e.text); /* not fatal */
	(void)err;
	return 0;
}

static bool listed(const struct xs_session *se, const struct xs_window *w, bool minimized)
{
	if ((w->flags & XP_WIN_POPUP) || (se->launcher && w->owner == se->launcher))
		return false;
	return minimized ? !w->mapped && (w->arr.state & XP_STATE_MINIMIZED) : w->mapped;
}

/* A window's name in the list: its title, else its app's program name. */
static void entry_title(const struct xs_window *w, char *out, size_t cap)
{
	const char *open = strrchr(w->owner->name, '('), *close = strrchr(w->owner->name, ')');
	if (w->title[0])
		snprintf(out, cap, "%s", w->title);
	else if (open && close > open + 1)
		snprintf(out, cap, "%.*s", (int)(close - open - 1), open + 1);
	else
		snprintf(out, cap, "window %u", w->id);
}

static void send_entry(struct xs_peer *p, uint32_t index, uint32_t flags, const struct xs_window *w)
{
	char title[257] = "";
	struct xp_msg m = {.op = XP_OP_WIN_ENTRY};
	uint32_t state = 0;
	if (w) {
		entry_title(w, title, sizeof(title));
		state = w->arr.state | (p->session->focus == w->id ? XP_STATE_FOCUSED : 0);
	}
	m.u.win_entry =
	    (struct xp_msg_win_entry){index, flags, w ? w->id : 0, state, xp_str_from(title)};
	xs_peer_send(p, &m);
}

int xs_arrange_on_list(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_session *se = p->session;
	const struct xs_window *prev = NULL;
	uint32_t index = 0;
	(void)m;
	(void)err;
	/* mapped windows topmost first, then the minimised ones; each entry is
	 * sent when the next is known, so the last one carries LAST */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = se->nwin; i-- > 0;) {
			if (!listed(se, se->stack[i], pass == 1))
				continue;
			if (prev)
				send_entry(p, index++, 0, prev);
			prev = se->stack[i];
		}
	}
	send_entry(p, index, prev ? XP_LIST_LAST : XP_LIST_LAST | XP_LIST_NONE, prev);
	return 0;
}

/* True if making @parent the parent of @w would close a loop or go too deep. */
static bool bad_parent(struct xs_session *se, const struct xs_window *w,
                       const struct xs_window *parent)
{
	int depth = 0;
	for (const struct xs_window *a = parent; a; a = xs_window_by_id(se, a->arr.parent))
		if (a == w || ++depth > PARENT_DEPTH)
			return true;
	return false;
}

int xs_arrange_on_parent(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_win_parent *a = &m->u.win_parent;
	struct xs_window *w = xs_window_by_app_id(p->session, p, a->win);
	struct xs_window *parent = a->parent ? xs_window_by_app_id(p->session, p, a->parent) : NULL;
	if (!w)
		return xp_error_set(err, XP_ERR_NO_WINDOW, m->op, "WIN_PARENT: no window %u",
		                    a->win);
	if (a->parent && (!parent || bad_parent(p->session, w, parent))) {
		xp_conn_send_error(&p->conn, XP_ERR_NO_WINDOW, m->op,
		                   "WIN_PARENT: window %u cannot be the parent of %u", a->parent,
		                   a->win); /* not fatal */
		return 0;
	}
	uint32_t id = parent ? parent->id : 0;
	if (w->arr.parent != id) {
		w->arr.parent = id;
		announce_state(p->session, w);
	}
	return 0;
}
