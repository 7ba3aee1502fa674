/*
 * window.c - window lifetime and geometry, with the per-app and per-session
 * limits. Every change is applied to the session and then told to clients
 * (session-wide ids) and, when the server made it, to the owning app.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

void xs_window_msg_create(const struct xs_window *w, struct xp_msg *m)
{
	m->op = XP_OP_WIN_CREATE;
	m->u.win_create =
	    (struct xp_msg_win_create){w->id, w->x, w->y, w->w, w->h, w->flags, w->bg};
}

static int check_size(struct xs_session *se, uint32_t w, uint32_t h, size_t old_bytes,
                      struct xp_error *err)
{
	const struct xs_options *o = &se->srv->opt;
	if (w == 0 || h == 0 || w > (uint32_t)o->max_window_dim || h > (uint32_t)o->max_window_dim)
		return xp_error_set(err, XP_ERR_LIMIT, 0, "window size %ux%u outside 1..%d", w, h,
		                    o->max_window_dim);
	size_t bytes = (size_t)w * h * 4;
	if (se->pixel_bytes - old_bytes + bytes > o->max_session_bytes)
		return xp_error_set(err, XP_ERR_LIMIT, 0,
		                    "session memory limit: %zu MiB of window pixels",
		                    o->max_session_bytes >> 20);
	return 0;
}

struct xs_window *xs_window_create(struct xs_peer *app, const struct xp_msg_win_create *c,
                                   struct xp_error *err)
{
	struct xs_session *se = app->session;
	bool max = c->flags & XP_WIN_MAXIMIZED;
	uint32_t w = max ? se->screen_w : c->w, h = max ? se->screen_h : c->h;
	if (xs_window_by_app_id(se, app, c->win) || c->win == 0)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_WIN_CREATE,
		                    "WIN_CREATE: window id %u in use or zero", c->win),
		       NULL;
	if (app->windows >= se->srv->opt.max_windows_per_app)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_WIN_CREATE, "more than %d windows",
		                    se->srv->opt.max_windows_per_app),
		       NULL;
	if (check_size(se, w, h, 0, err) < 0)
		return NULL;
	struct xs_window *win = calloc(1, sizeof(*win));
	struct xs_window **stack = se->nwin == se->wcap
	                               ? realloc(se->stack, (se->wcap * 2 + 4) * sizeof(*stack))
	                               : se->stack;
	if (!win || !stack || xr_fb_init(&win->fb, (int)w, (int)h) < 0)
		goto err_nomem;
	if (stack != se->stack) {
		se->stack = stack;
		se->wcap = se->wcap * 2 + 4;
	}
	*win = (struct xs_window){.id = se->next_win_id++,
	                          .app_id = c->win,
	                          .owner = app,
	                          .x = max ? 0 : c->x,
	                          .y = max ? 0 : c->y,
	                          .w = w,
	                          .h = h,
	                          .flags = c->flags,
	                          .bg = c->bg & 0xffffff,
	                          .fb = win->fb};
	xr_fill(&win->fb, NULL, 0, 0, (int)w, (int)h, win->bg);
	se->stack[se->nwin++] = win;
	se->pixel_bytes += (size_t)w * h * 4;
	app->windows++;
	return win;
err_nomem:
	if (stack && stack != se->stack) {
		se->stack = stack;
		se->wcap = se->wcap * 2 + 4;
	}
	free(win);
	xp_error_set(err, XP_ERR_LIMIT, XP_OP_WIN_CREATE, "out of memory for a %ux%u window", w, h);
	return NULL;
}

int xs_window_resize(struct xs_session *se, struct xs_window *w, uint32_t nw, uint32_t nh,
                     struct xp_error *err)
{
	size_t old = (size_t)w->w * w->h * 4;
	if (nw == w->w && nh == w->h)
		return 0;
	if (check_size(se, nw, nh, old, err) < 0)
		return -1;
	if (xr_fb_resize(&w->fb, (int)nw, (int)nh, w->bg) < 0)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_WIN_CONFIGURE, "out of memory");
	se->pixel_bytes = se->pixel_bytes - old + (size_t)nw * nh * 4;
	w->w = nw;
	w->h = nh;
	return 0;
}

/* Tell clients (and the app, if the server decided it) the new geometry. */
void xs_window_announce(struct xs_session *se, struct xs_window *w, uint32_t mask, bool to_app)
{
	struct xp_msg m = {.op = XP_OP_WIN_CONFIGURE};
	m.u.win_configure = (struct xp_msg_win_configure){w->id, mask, w->x, w->y, w->w, w->h};
	xs_update_window_msg(se, &m);
	if (to_app) {
		m.u.win_configure.win = w->app_id;
		xs_peer_send(w->owner, &m);
	}
}

void xs_session_resize(struct xs_session *se, uint32_t w, uint32_t h)
{
	struct xp_error err;
	if (w == 0 || h == 0 || w > 16384 || h > 16384 || (w == se->screen_w && h == se->screen_h))
		return;
	se->screen_w = w;
	se->screen_h = h;
	for (size_t i = 0; i < se->nwin; i++) {
		struct xs_window *win = se->stack[i];
		if (!(win->flags & XP_WIN_MAXIMIZED))
			continue;
		if (xs_window_resize(se, win, w, h, &err) == 0)
			xs_window_announce(se, win, XP_CONF_RESIZE, true);
		else
			xs_log(se->srv, XS_INFO, "cannot follow screen size: %s", err.text);
	}
	xs_arrange_screen_resized(se);
}
