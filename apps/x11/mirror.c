/*
 * mirror.c - the xproto side of the bridge. Each X client is one xproto app
 * connection (libxpapp), opened when its first window is shown, so that
 * the server's per-app limits and a lost connection concern that program
 * only. The bridge itself refuses what the server would refuse (a window
 * larger than XB_MAX_DIM, more than XB_MAX_WINDOWS per program), says so
 * once, and keeps the other windows going. Events from the session (keys,
 * pointer, the session resizing or closing a window, focus) are turned
 * into X requests here.
 */
#include <stdlib.h>
#include <string.h>

#include "x11.h"

#define BG 0xffffffu /* a new window's colour before its first frame */

static struct xa_display *connect_client(struct xb *b, struct xb_client *c)
{
	struct xp_error err = {0};
	if (c->d || c->failed)
		return c->d;
	c->d = xa_open_at(b->addr, b->cookie, b->session, "xp-x11", &err);
	if (!c->d) {
		c->failed = true;
		xb_log("cannot open an xproto connection for X client 0x%x: %s", c->base, err.text);
	}
	return c->d;
}

static bool refuse(struct xb *b, struct xb_win *w, const char *why)
{
	if (!w->refused)
		xb_log("window 0x%x (%dx%d) is not shown: %s", w->xid, w->w, w->h, why);
	w->refused = true;
	return false;
}

static bool may_show(struct xb *b, struct xb_win *w)
{
	struct xb_client *c = w->cl;
	if (w->w > XB_MAX_DIM || w->h > XB_MAX_DIM)
		return refuse(b, w, "larger than the session's window limit");
	if (!w->id && c->nwin >= XB_MAX_WINDOWS) {
		if (!c->warned)
			xb_log("X client 0x%x opens more than %d windows: the others are not shown",
			       c->base, XB_MAX_WINDOWS);
		c->warned = w->refused = true; /* said once for the program */
		return false;
	}
	if (!connect_client(b, c))
		return refuse(b, w, "no connection to the session");
	w->refused = false;
	return true;
}

static int create(struct xb *b, struct xb_win *w)
{
	struct xb_client *c = w->cl;
	if (xr_fb_init(&w->shadow, w->w, w->h) < 0)
		return -1;
	xr_fill(&w->shadow, NULL, 0, 0, w->w, w->h, BG);
	uint32_t flags = b->maximize && !w->override && !w->transient_for ? XP_WIN_MAXIMIZED : 0;
	/* a menu or tooltip: the session shows it where X has it, unframed */
	flags |= w->override ? XP_WIN_POPUP : 0;
	w->id = xa_window_create(c->d, w->x, w->y, (uint32_t)w->w, (uint32_t)w->h, flags, BG);
	if (!w->id) {
		xr_fb_finish(&w->shadow);
		return -1;
	}
	w->enc = (struct xr_enc){0};
	w->maximized = flags & XP_WIN_MAXIMIZED;
	c->nwin++;
	if (w->title[0])
		xa_window_title(c->d, w->id, w->title);
	/* a dialog: the session keeps it over its parent (same X client only:
	 * a parent is one of this connection's windows) */
	struct xb_win *p = w->transient_for ? xb_win_find(b, w->transient_for) : NULL;
	if (p && p->cl == c && p->id)
		xa_window_parent(c->d, w->id, p->id);
	return 0;
}

void xb_mirror_show(struct xb *b, struct xb_win *w)
{
	if (!may_show(b, w))
		return;
	if (!w->id && create(b, w) < 0) {
		refuse(b, w, "the session refused it");
		return;
	}
	xa_window_map(w->cl->d, w->id);
}

void xb_mirror_hide(struct xb *b, struct xb_win *w)
{
	(void)b;
	if (w->id && w->cl->d)
		xa_window_unmap(w->cl->d, w->id);
}

void xb_mirror_forget(struct xb *b, struct xb_win *w)
{
	(void)b;
	if (!w->id)
		return;
	if (w->cl->d)
		xa_window_destroy(w->cl->d, w->id);
	w->cl->nwin--;
	w->id = 0;
	xr_fb_finish(&w->shadow);
}

void xb_mirror_geometry(struct xb *b, struct xb_win *w)
{
	if (!w->id || !w->cl->d) {
		if (w->viewable && w->refused)
			xb_mirror_show(b, w); /* it may fit now */
		return;
	}
	if (w->w > XB_MAX_DIM || w->h > XB_MAX_DIM) {
		xb_mirror_forget(b, w);
		refuse(b, w, "larger than the session's window limit");
		return;
	}
	if (w->maximized)
		return; /* the server owns its geometry; X follows it (on_configure) */
	uint32_t mask = XP_CONF_MOVE;
	if (w->w != w->shadow.w || w->h != w->shadow.h) {
		/* what the server does to its copy, done to ours */
		if (xr_fb_resize(&w->shadow, w->w, w->h, BG) < 0)
			return;
		mask |= XP_CONF_RESIZE;
	}
	xa_window_configure(w->cl->d, w->id, mask, w->x, w->y, (uint32_t)w->w, (uint32_t)w->h);
}

void xb_mirror_title(struct xb *b, struct xb_win *w)
{
	(void)b;
	if (w->id && w->cl->d)
		xa_window_title(w->cl->d, w->id, w->title);
}

int xb_mirror_fds(struct xb *b, struct pollfd *fds, int cap)
{
	int n = 0;
	for (struct xb_client *c = b->clients; c && n < cap; c = c->next)
		if (c->d)
			fds[n++] = (struct pollfd){xa_fd(c->d), POLLIN, 0};
	return n;
}

static struct xb_win *by_id(struct xb *b, struct xb_client *c, uint32_t id)
{
	for (struct xb_win *w = b->wins; w; w = w->next)
		if (w->cl == c && w->id == id)
			return w;
	return NULL;
}

static void on_configure(struct xb *b, struct xb_win *w, const struct xa_event *ev)
{
	/* the server changed the window (the session's size): our copy of its
	 * pixels changes as the server's did; X follows, and its
	 * ConfigureNotify brings the new pixmap */
	if ((ev->w != (uint32_t)w->shadow.w || ev->h != (uint32_t)w->shadow.h) && ev->w && ev->h) {
		if (xr_fb_resize(&w->shadow, (int)ev->w, (int)ev->h, BG) == 0)
			xb_wm_resize(b, w, ev->w, ev->h);
		else
			w->resend = true;
	}
	if (ev->x != w->x || ev->y != w->y) {
		uint32_t v[2] = {(uint32_t)ev->x, (uint32_t)ev->y};
		xcb_configure_window(b->xc, w->xid, XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y, v);
		w->x = ev->x, w->y = ev->y;
	}
}

static void dispatch(struct xb *b, struct xb_win *w, const struct xa_event *ev)
{
	switch (ev->type) {
	case XA_KEY:
		xb_input_key(b, w, ev);
		break;
	case XA_BUTTON:
	case XA_MOTION:
		xb_input_pointer(b, w, ev);
		break;
	case XA_CONFIGURE:
		on_configure(b, w, ev);
		break;
	case XA_CLOSE:
		xb_wm_close(b, w);
		break;
	case XA_FOCUS:
		if (ev->on)
			xb_wm_focus(b, w);
		break;
	case XA_CLIP_OWNER: /* the bridge's own connection bridges the clipboard (clip.c) */
	case XA_CLIP_REQUEST:
	case XA_CLIP_DATA:
	case XA_APP_EXITED: /* told to launchers only */
		break;
	}
}

/* The connection is gone: the program's windows can no longer be shown. */
static void client_lost(struct xb *b, struct xb_client *c)
{
	xb_log("the session closed the connection of X client 0x%x: %s", c->base,
	       xa_error(c->d)->text);
	for (struct xb_win *w = b->wins; w; w = w->next) {
		if (w->cl == c && w->id) {
			w->id = 0;
			w->refused = true;
			xr_fb_finish(&w->shadow);
		}
	}
	xa_close(c->d);
	c->d = NULL;
	c->failed = true;
	c->nwin = 0;
}

void xb_mirror_events(struct xb *b)
{
	for (struct xb_client *c = b->clients; c; c = c->next) {
		struct xa_event ev;
		int r;
		if (!c->d)
			continue;
		struct pollfd p = {xa_fd(c->d), POLLIN, 0};
		if (!c->more && poll(&p, 1, 0) != 1)
			continue;
		/* bounded: a flood of input cannot starve the X side; what is left
		 * may be in our buffer already, with nothing more on the socket */
		r = 0;
		for (int i = 0; i < XB_EVENTS_PER_PASS && (r = xa_next_event(c->d, &ev, 0)) > 0;
		     i++) {
			struct xb_win *w = by_id(b, c, ev.win);
			if (getenv("XP_X11_DEBUG"))
				xb_log("event %d for window %u (0x%x)", ev.type, ev.win,
				       w ? w->xid : 0);
			if (w)
				dispatch(b, w, &ev);
		}
		c->more = r > 0;
		if (r < 0)
			client_lost(b, c);
	}
	xcb_flush(b->xc);
}

bool xb_mirror_busy(const struct xb *b)
{
	for (const struct xb_client *c = b->clients; c; c = c->next)
		if (c->d && c->more)
			return true;
	return false;
}

void xb_mirror_flush(struct xb *b)
{
	for (struct xb_client *c = b->clients; c; c = c->next)
		if (c->d && xa_flush(c->d) < 0)
			client_lost(b, c);
}

void xb_mirror_finish(struct xb *b)
{
	while (b->clients) {
		struct xb_client *c = b->clients;
		b->clients = c->next;
		xa_close(c->d);
		free(c);
	}
}
