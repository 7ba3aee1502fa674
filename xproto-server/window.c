/*
 * window.c - window lifetime and geometry, with the per-app and per-session
 * limits. Every change is applied to the session and then told to clients
 * (session-wide ids) and, when the server made it, to the owning app.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#include "xputil.h"

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
	return xs_pixels_check(se->srv, old_bytes, bytes, err);
}

int xs_pixels_check(struct xs_server *s, size_t old_bytes, size_t new_bytes, struct xp_error *err)
{
	bool over = s->pixel_bytes - old_bytes + new_bytes > s->opt.max_total_bytes;
	if (over && s->releasing) { /* freed pixels are available again: now, if need be */
		xs_release_all(s);
		over = s->pixel_bytes - old_bytes + new_bytes > s->opt.max_total_bytes;
	}
	if (over)
		return xp_error_set(err, XP_ERR_LIMIT, 0,
		                    "server memory limit: %zu MiB of pixels in all sessions",
		                    s->opt.max_total_bytes >> 20);
	return 0;
}

/* A session-wide window id no window has (ids wrap after 2^32 windows). */
static uint32_t new_id(struct xs_session *se)
{
	uint32_t id;
	do
		id = se->next_win_id++;
	while (id == 0 || xs_map_get(&se->windows, id));
	return id;
}

/* A maximized window's size: the screen's, at most the window limit each way. */
static uint32_t max_side(const struct xs_session *se, uint32_t screen)
{
	uint32_t lim = (uint32_t)se->srv->opt.max_window_dim;
	return screen > lim ? lim : screen;
}

struct xs_window *xs_window_create(struct xs_peer *app, const struct xp_msg_win_create *c,
                                   struct xp_error *err)
{
	struct xs_session *se = app->session;
	bool max = c->flags & XP_WIN_MAXIMIZED;
	uint32_t w = max ? max_side(se, se->screen_w) : c->w;
	uint32_t h = max ? max_side(se, se->screen_h) : c->h;
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
	uint32_t id = new_id(se);
	if (!win || XU_ARRAY_RESERVE(se->stack, se->wcap, se->nwin + 1) < 0 ||
	    xr_fb_init(&win->fb, (int)w, (int)h) < 0 || xs_map_put(&se->windows, id, win) < 0 ||
	    xs_map_put(&app->app_windows, c->win, win) < 0) {
		xs_map_del(&se->windows, id);
		if (win)
			xr_fb_finish(&win->fb);
		free(win);
		xp_error_set(err, XP_ERR_LIMIT, XP_OP_WIN_CREATE,
		             "out of memory for a %ux%u window", w, h);
		return NULL;
	}
	*win = (struct xs_window){.id = id,
	                          .app_id = c->win,
	                          .owner = app,
	                          .x = max ? 0 : c->x,
	                          .y = max ? 0 : c->y,
	                          .w = w,
	                          .h = h,
	                          .flags = c->flags,
	                          .bg = c->bg & 0xffffff,
	                          .fb = win->fb};
	/* the pixels are zero (black) here: app.c fills a background, in pieces if large */
	se->stack[se->nwin++] = win;
	se->pixel_bytes += (size_t)w * h * 4;
	se->srv->pixel_bytes += (size_t)w * h * 4;
	app->windows++;
	return win;
}

int xs_window_resize_begin(struct xs_session *se, const struct xs_window *w, uint32_t nw,
                           uint32_t nh, struct xr_fb *next, struct xp_error *err)
{
	if (check_size(se, nw, nh, (size_t)w->w * w->h * 4, err) < 0)
		return -1;
	if (xr_fb_init(next, (int)nw, (int)nh) < 0)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_WIN_CONFIGURE, "out of memory");
	return 0;
}

void xs_window_resize_rows(const struct xs_window *w, struct xr_fb *next, int y0, int y1)
{
	int keep = w->fb.w < next->w ? w->fb.w : next->w, old_h = w->fb.h;
	for (int y = y0; y < y1 && y < old_h; y++)
		memcpy(next->px + (size_t)y * (size_t)next->stride,
		       w->fb.px + (size_t)y * (size_t)w->fb.stride,
		       (size_t)keep * sizeof(uint32_t));
	if (w->bg == 0) /* new pixels are black already: not touched */
		return;
	int kept_to = y1 < old_h ? y1 : old_h;
	if (kept_to > y0)
		xr_fill(next, NULL, keep, y0, next->w - keep, kept_to - y0, w->bg);
	if (y1 > old_h)
		xr_fill(next, NULL, 0, y0 > old_h ? y0 : old_h, next->w,
		        y1 - (y0 > old_h ? y0 : old_h), w->bg);
}

void xs_window_resize_end(struct xs_session *se, struct xs_window *w, struct xr_fb *next)
{
	size_t old = (size_t)w->w * w->h * 4, now = (size_t)next->w * (size_t)next->h * 4;
	xs_release_fb(se->srv, &w->fb);
	w->fb = *next;
	*next = (struct xr_fb){0};
	se->pixel_bytes = se->pixel_bytes - old + now;
	se->srv->pixel_bytes = se->srv->pixel_bytes - old + now;
	w->w = (uint32_t)w->fb.w;
	w->h = (uint32_t)w->fb.h;
}

int xs_window_resize(struct xs_session *se, struct xs_window *w, uint32_t nw, uint32_t nh,
                     struct xp_error *err)
{
	struct xr_fb next;
	if (nw == w->w && nh == w->h)
		return 0;
	if (xs_window_resize_begin(se, w, nw, nh, &next, err) < 0)
		return -1;
	xs_window_resize_rows(w, &next, 0, (int)nh);
	xs_window_resize_end(se, w, &next);
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
		int r =
		    xs_job_resize(win->owner, win, max_side(se, w), max_side(se, h), true, &err);
		if (r == 0) /* a large one is announced when it is done (job.c) */
			xs_window_announce(se, win, XP_CONF_RESIZE, true);
		else if (r < 0)
			xs_log(se->srv, XS_INFO, "cannot follow screen size: %s", err.text);
	}
	xs_arrange_screen_resized(se);
}
