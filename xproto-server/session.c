/*
 * session.c - named sessions, isolated from each other: each holds its
 * windows (stacking order, bottom to top), its apps and clients, the focus
 * and the screen size. Windows keep their pixels in a framebuffer drawn
 * with the shared renderer.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

struct xs_session *xs_session_get(struct xs_server *s, const char *name, bool create)
{
	for (struct xs_session *se = s->sessions; se; se = se->next)
		if (!strcmp(se->name, name))
			return se;
	if (!create || s->nsessions >= s->opt.max_sessions)
		return NULL;
	struct xs_session *se = calloc(1, sizeof(*se));
	if (!se)
		return NULL;
	se->srv = s;
	snprintf(se->name, sizeof(se->name), "%s", name);
	se->screen_w = (uint32_t)s->opt.screen_w;
	se->screen_h = (uint32_t)s->opt.screen_h;
	se->next_win_id = 1;
	se->active_us = xp_now_us();
	se->next_cache_id = 1;
	se->next = s->sessions;
	s->sessions = se;
	s->nsessions++;
	xs_log(s, XS_INFO, "session '%s' created", name);
	return se;
}

void xs_session_destroy(struct xs_session *se)
{
	if (!se)
		return;
	for (size_t i = 0; i < se->nwin; i++) {
		xs_cursor_unref(se->stack[i]->cursor);
		xr_fb_finish(&se->stack[i]->fb);
		free(se->stack[i]);
	}
	free(se->stack);
	xs_map_finish(&se->windows);
	xs_cache_destroy(se);
	xs_clip_finish(se);
	free(se);
}

static void list_remove(struct xs_peer **head, struct xs_peer *p)
{
	for (struct xs_peer **pp = head; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			p->next = NULL;
			return;
		}
	}
}

void xs_session_attach(struct xs_session *se, struct xs_peer *p)
{
	p->session = se;
	if (p->role == XP_ROLE_APP) {
		p->next = se->apps;
		se->apps = p;
		if (!se->launcher && strstr(p->name, "(xp-launcher)"))
			se->launcher = p;
		xs_clip_attach(p);
		xs_child_claim(p);
		return;
	}
	p->next = se->clients;
	se->clients = p;
	if (xs_update_full(p) < 0 && !p->session)
		return; /* failed (out of memory) and out of the session again */
	xs_clip_attach(p);
	xs_launcher_check(se);
}

void xs_session_detach(struct xs_peer *p)
{
	struct xs_session *se = p->session;
	if (!se)
		return;
	xs_clip_peer_gone(p);
	if (p->role == XP_ROLE_APP) {
		xs_job_cancel(p);
		list_remove(&se->apps, p);
		if (se->launcher == p)
			se->launcher = NULL;
		xs_cache_app_gone(se, p);
		xs_app_gone(p);
		xs_launcher_check(se);
	} else {
		list_remove(&se->clients, p);
	}
	p->session = NULL;
}

struct xs_window *xs_window_by_id(struct xs_session *se, uint32_t id)
{
	return xs_map_get(&se->windows, id);
}

struct xs_window *xs_window_by_app_id(struct xs_session *se, struct xs_peer *app, uint32_t app_id)
{
	struct xs_window *w = xs_map_get(&app->app_windows, app_id);
	return w && app->session == se ? w : NULL;
}

size_t xs_window_index(struct xs_session *se, const struct xs_window *w)
{
	for (size_t i = 0; i < se->nwin; i++)
		if (se->stack[i] == w)
			return i;
	return SIZE_MAX;
}

void xs_window_raise(struct xs_session *se, struct xs_window *w)
{
	size_t i = xs_window_index(se, w);
	if (i == SIZE_MAX)
		return;
	memmove(&se->stack[i], &se->stack[i + 1], (se->nwin - i - 1) * sizeof(*se->stack));
	se->stack[se->nwin - 1] = w;
}

void xs_window_remove(struct xs_session *se, struct xs_window *w)
{
	size_t i = xs_window_index(se, w);
	if (i == SIZE_MAX)
		return;
	xs_wm_forget(se, w->id);
	memmove(&se->stack[i], &se->stack[i + 1], (se->nwin - i - 1) * sizeof(*se->stack));
	se->nwin--;
	xs_map_del(&se->windows, w->id);
	xs_map_del(&w->owner->app_windows, w->app_id);
	se->pixel_bytes -= (size_t)w->fb.w * (size_t)w->fb.h * 4;
	se->srv->pixel_bytes -= (size_t)w->fb.w * (size_t)w->fb.h * 4;
	xs_cursor_unref(w->cursor);
	if (se->focus == w->id)
		xs_session_set_focus(se, 0);
	xs_release_fb(se->srv, &w->fb);
	free(w);
}

static void send_focus(struct xs_peer *app, uint32_t win, bool on)
{
	struct xp_msg m = {.op = XP_OP_WIN_FOCUS};
	m.u.win_focus = (struct xp_msg_win_focus){win, on};
	xs_peer_send(app, &m);
}

void xs_session_set_focus(struct xs_session *se, uint32_t id)
{
	if (se->focus == id)
		return;
	struct xs_window *old = xs_window_by_id(se, se->focus), *nw = xs_window_by_id(se, id);
	if (old)
		send_focus(old->owner, old->app_id, false);
	se->focus = nw ? id : 0;
	if (nw)
		send_focus(nw->owner, nw->app_id, true);
	/* clients only hear of a window that has the focus, never of "none" */
	struct xp_msg m = {.op = XP_OP_WIN_FOCUS};
	m.u.win_focus = (struct xp_msg_win_focus){se->focus, 1};
	if (se->focus)
		xs_update_window_msg(se, &m);
}
