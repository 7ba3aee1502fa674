/*
 * app.c - messages from apps, dispatched through an opcode-indexed table of
 * small handlers; drawing messages all go to one handler that applies them
 * with libxpdraw. Window ids from an app are its own; the session renumbers
 * them for clients. A bad message fails only that app's connection.
 */
#include <string.h>

#include "server_int.h"

static struct xs_window *own_window(struct xs_peer *p, uint32_t id, unsigned op,
                                    struct xp_error *err)
{
	struct xs_window *w = xs_window_by_app_id(p->session, p, id);
	if (!w)
		xp_error_set(err, XP_ERR_NO_WINDOW, op, "%s: no window %u", xp_op_name(op), id);
	return w;
}

/*
 * A new window's background: a FILL of all of it, a job when the window is
 * large (a 4096x4096 one is 64 MiB to touch). Clients fill it themselves
 * from WIN_CREATE, so the FILL is not forwarded.
 */
static int fill_background(struct xs_peer *p, struct xs_window *w, struct xp_error *err)
{
	struct xd_state st;
	struct xp_msg fill = {.op = XP_OP_FILL};
	xd_state_init(&st);
	st.target = w->app_id;
	st.fg = w->bg;
	fill.u.fill = (struct xp_msg_fill){0, 0, w->w, w->h};
	uint64_t units = (uint64_t)w->w * w->h / 2;
	if (w->bg == 0) /* the pixels start black */
		return 0;
	if (xs_job_worth(p, units))
		return xs_job_start(p, w, &st, &fill, units, false, err);
	xr_fill(&w->fb, NULL, 0, 0, (int)w->w, (int)w->h, w->bg);
	xs_peer_charge(p, units);
	return 0;
}

static int on_create(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_window *w = xs_window_create(p, &m->u.win_create, err);
	if (!w || fill_background(p, w, err) < 0)
		return -1;
	struct xp_msg out;
	xs_window_msg_create(w, &out);
	xs_update_window_msg(p->session, &out);
	xs_arrange_created(p->session, w);
	/* a maximized window may not have the size the app asked for */
	if (w->w != m->u.win_create.w || w->h != m->u.win_create.h)
		xs_window_announce(p->session, w, XP_CONF_RESIZE, true);
	return 0;
}

static void forward_id(struct xs_session *se, uint8_t op, uint32_t id)
{
	struct xp_msg out = {.op = op};
	out.u.win_map.win = id; /* every one-id window message has the same layout */
	xs_update_window_msg(se, &out);
}

/* Focus the topmost mapped window, if any. */
static void refocus(struct xs_session *se)
{
	xs_arrange_refocus(se);
}

static int on_destroy(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_window *w = own_window(p, m->u.win_destroy.win, m->op, err);
	if (!w)
		return -1;
	uint32_t id = w->id;
	bool had_focus = p->session->focus == id;
	forward_id(p->session, XP_OP_WIN_DESTROY, id);
	xs_window_remove(p->session, w);
	p->windows--;
	if (had_focus)
		refocus(p->session);
	xs_launcher_check(p->session);
	return 0;
}

/* Whether a window of an app other than @p is shown in @p's session. */
static bool others_shown(const struct xs_peer *p)
{
	const struct xs_session *se = p->session;
	for (size_t i = 0; i < se->nwin; i++)
		if (se->stack[i]->mapped && se->stack[i]->owner != p)
			return true;
	return false;
}

static int on_map(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_window *w = own_window(p, m->u.win_map.win, m->op, err);
	if (!w)
		return -1;
	/* a start screen that boots after the app launched meanwhile showed a
	 * window stays hidden: it would take that app's keyboard (as hidden by
	 * xs_launcher_hide; Ctrl+Shift+L still shows it) */
	if (p == p->session->launcher && others_shown(p))
		return 0;
	w->mapped = true;
	xs_arrange_map(p->session, w); /* placed on its first map, raised, shown */
	if (p != p->session->launcher)
		xs_launcher_hide(p->session);
	/* a new window takes the keyboard and what was typed while it started;
	 * a menu neither */
	if (!(w->flags & XP_WIN_POPUP)) {
		xs_session_set_focus(p->session, w->id);
		xs_child_shown(p, w);
	}
	return 0;
}

static int on_unmap(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_window *w = own_window(p, m->u.win_unmap.win, m->op, err);
	if (!w)
		return -1;
	w->mapped = false;
	w->arr.state &= ~XP_STATE_MINIMIZED; /* hidden by its app, not the user */
	forward_id(p->session, XP_OP_WIN_UNMAP, w->id);
	if (p->session->focus == w->id)
		refocus(p->session);
	xs_launcher_check(p->session);
	return 0;
}

static int on_configure(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_win_configure *c = &m->u.win_configure;
	struct xs_window *w = own_window(p, c->win, m->op, err);
	uint32_t mask = c->mask & (XP_CONF_MOVE | XP_CONF_RESIZE | XP_CONF_RAISE);
	if (!w)
		return -1;
	int r = 0;
	if (w->flags & XP_WIN_MAXIMIZED) /* the server owns its geometry */
		mask &= XP_CONF_RAISE;
	if ((mask & XP_CONF_RESIZE) && (r = xs_job_resize(p, w, c->w, c->h, false, err)) < 0)
		return -1;
	if (r > 0) /* large: resized in pieces, announced when done */
		mask &= ~(uint32_t)XP_CONF_RESIZE;
	if (mask & XP_CONF_MOVE) {
		w->x = c->x;
		w->y = c->y;
	}
	if (mask & XP_CONF_RAISE)
		xs_window_raise(p->session, w);
	if (mask)
		xs_window_announce(p->session, w, mask, false);
	return 0;
}

static int on_title(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_window *w = own_window(p, m->u.win_title.win, m->op, err);
	if (!w)
		return -1;
	if (m->u.win_title.title.n >= sizeof(w->title))
		return xp_error_set(err, XP_ERR_LIMIT, m->op, "WIN_TITLE: longer than %zu bytes",
		                    sizeof(w->title) - 1);
	xp_str_copy(w->title, sizeof(w->title), m->u.win_title.title);
	struct xp_msg out = *m;
	out.u.win_title.win = w->id;
	xs_update_window_msg(p->session, &out);
	return 0;
}

/* ---- drawing: every message libxpdraw knows ---- */

/*
 * TARGET, GC and CLIP change the app's state; a drawing message is applied
 * to its target window under that state, then forwarded to the clients
 * (images kept in the session cache are forwarded by session id).
 */
static int on_drawing(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_cache_use use = {p, NULL};
	struct xd_cache cache = xs_cache_for(&use);
	struct xs_window *w = NULL;
	struct xr_rect damage;
	uint64_t units = 0;
	if (xd_kind(m->op) == XD_STATE)
		return xd_state_update(&p->in, m, err);
	if (xd_kind(m->op) == XD_DRAW && !(w = own_window(p, p->in.target, m->op, err)))
		return -1;
	/* paid for before it is done: over a limit refused, over the turn's share a job */
	if (w && xs_draw_cost(w->w, w->h, &p->in.clip, m, &units, err) < 0)
		return -1;
	if (w && xs_job_splits(m) && xs_job_worth(p, units))
		return xs_job_start(p, w, &p->in, m, units, true, err);
	if (xd_apply(w ? &w->fb : NULL, &p->in, m, &cache, &damage, err) < 0)
		return -1;
	xs_peer_charge(p, units ? units : (uint64_t)damage.w * (uint64_t)damage.h / 2);
	if (use.entry)
		xs_cache_forward(p->session, w, &p->in, &use, m, damage);
	else if (w)
		xs_update_draw(p->session, w, &p->in, m, damage);
	return 0;
}

/* ---- session ---- */

static int on_bell(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xs_window *w = own_window(p, m->u.bell.win, m->op, err);
	if (!w)
		return -1;
	forward_id(p->session, XP_OP_BELL, w->id);
	return 0;
}

static int on_sync(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	xs_peer_send(p, m); /* the reply is the request echoed */
	xs_hold_synced(p);  /* a launcher's SYNC: it has acted on its key */
	return 0;
}

static int on_launch(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	char app[64];
	pid_t pid;
	xp_str_copy(app, sizeof(app), m->u.app_launch.app);
	if (xs_launch(p->srv, p->session, app, &pid, err) < 0)
		xp_conn_send_error(&p->conn, err->code, m->op, "%s", err->text); /* not fatal */
	return 0;
}

static const xs_handler_fn handlers[XP_OP_MAX] = {
    [XP_OP_WIN_CREATE] = on_create,
    [XP_OP_WIN_DESTROY] = on_destroy,
    [XP_OP_WIN_MAP] = on_map,
    [XP_OP_WIN_UNMAP] = on_unmap,
    [XP_OP_WIN_CONFIGURE] = on_configure,
    [XP_OP_WIN_TITLE] = on_title,
    [XP_OP_CURSOR] = xs_cursor_define,
    [XP_OP_WIN_CURSOR] = xs_cursor_set,
    [XP_OP_BELL] = on_bell,
    [XP_OP_SYNC] = on_sync,
    [XP_OP_PING] = xs_on_ping,
    [XP_OP_PONG] = xs_on_ignore,
    [XP_OP_ERROR] = xs_on_ignore,
    [XP_OP_STATS] = xs_on_ignore,
    [XP_OP_APP_LAUNCH] = on_launch,
    [XP_OP_APP_LIST] = xs_on_app_list,
    [XP_OP_WIN_PARENT] = xs_arrange_on_parent,
    [XP_OP_WIN_LIST] = xs_arrange_on_list,
    [XP_OP_WIN_ARRANGE] = xs_arrange_on_arrange,
    [XP_OP_CLIP_OWN] = xs_clip_on_own,
    [XP_OP_CLIP_REQUEST] = xs_clip_on_request,
    [XP_OP_CLIP_DATA] = xs_clip_on_data,
};

bool xs_app_may_send(uint8_t op)
{
	return op < XP_OP_MAX && (handlers[op] || xd_kind(op) != XD_NOT_DRAWING);
}

int xs_app_handle(struct xs_peer *p, const struct xp_msg *m)
{
	/* drawing messages have no rows here: libxpdraw's table knows them */
	bool drawing = xd_kind(m->op) != XD_NOT_DRAWING;
	return xs_dispatch(p, m, drawing ? on_drawing : handlers[m->op], "an app");
}

/* The app is gone: its windows go with it. */
void xs_app_gone(struct xs_peer *p)
{
	struct xs_session *se = p->session;
	bool refocus_needed = false;
	for (size_t i = se->nwin; i-- > 0;) {
		struct xs_window *w = se->stack[i];
		if (w->owner != p)
			continue;
		refocus_needed |= se->focus == w->id;
		forward_id(se, XP_OP_WIN_DESTROY, w->id);
		xs_window_remove(se, w);
	}
	p->windows = 0;
	xs_cursor_app_gone(p);
	if (refocus_needed)
		refocus(se);
}
