/*
 * cursor.c - pointer shapes (CURSOR and WIN_CURSOR, SPEC.md 0x1b and 0x1c).
 *
 * An app defines shapes under its own ids 1..64. A window keeps the shape it
 * was given (a counted reference) as session state, so a client attaching
 * later gets it with the refresh. Each client has its own ids 1..64 for the
 * shapes it holds: a shape it lacks is sent once (CURSOR), after that a
 * change costs a WIN_CURSOR only; when all 64 are taken the ids are reused
 * in turn (a window keeps its shape when its id is redefined). Shapes count
 * against the session's window-pixel budget.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

/** One shape, shared by the app that defined it and the windows showing it. */
struct xs_cursor {
	int refs;
	uint64_t serial; /* unique in the server: which shape a client id holds */
	size_t bytes;    /* counted in se->pixel_bytes and the server's */
	struct xs_session *se;
	struct xp_msg_cursor def; /* def.data points at data[] */
	uint8_t data[];
};

static uint64_t next_serial;

static struct xs_cursor *cursor_ref(struct xs_cursor *cur)
{
	if (cur)
		cur->refs++;
	return cur;
}

void xs_cursor_unref(struct xs_cursor *cur)
{
	if (!cur || --cur->refs > 0)
		return;
	cur->se->pixel_bytes -= cur->bytes;
	cur->se->srv->pixel_bytes -= cur->bytes;
	free(cur);
}

static struct xs_cursor *cursor_new(struct xs_session *se, const struct xp_msg_cursor *d,
                                    struct xp_error *err)
{
	size_t bytes = sizeof(struct xs_cursor) + d->data.n;
	if (se->pixel_bytes + bytes > se->srv->opt.max_session_bytes)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_CURSOR,
		                    "CURSOR: session memory limit (%zu MiB of pixels)",
		                    se->srv->opt.max_session_bytes >> 20),
		       NULL;
	if (se->srv->pixel_bytes + bytes > se->srv->opt.max_total_bytes)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_CURSOR,
		                    "CURSOR: server memory limit (%zu MiB of pixels)",
		                    se->srv->opt.max_total_bytes >> 20),
		       NULL;
	struct xs_cursor *cur = malloc(bytes);
	if (!cur)
		return xp_error_set(err, XP_ERR_INTERNAL, XP_OP_CURSOR, "out of memory"), NULL;
	*cur = (struct xs_cursor){1, ++next_serial, bytes, se, *d};
	memcpy(cur->data, d->data.p, d->data.n);
	cur->def.data.p = cur->data;
	se->pixel_bytes += bytes;
	se->srv->pixel_bytes += bytes;
	return cur;
}

int xs_cursor_define(struct xs_peer *app, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_cursor *d = &m->u.cursor;
	if (xp_cursor_check(d, err) < 0)
		return -1;
	if (!app->cursors && !(app->cursors = calloc(XP_CURSOR_IDS + 1, sizeof(*app->cursors))))
		return xp_error_set(err, XP_ERR_INTERNAL, m->op, "out of memory");
	struct xs_cursor *cur = cursor_new(app->session, d, err);
	if (!cur)
		return -1;
	xs_cursor_unref(app->cursors[d->id]); /* windows showing it keep their shape */
	app->cursors[d->id] = cur;
	return 0;
}

/* The id client @c holds shape @cur under, sending it first if needed; 0 on error. */
static uint32_t client_id(struct xs_peer *c, const struct xs_cursor *cur)
{
	if (!c->cursor_held && !(c->cursor_held = calloc(XP_CURSOR_IDS + 1, sizeof(uint64_t))))
		return 0;
	uint32_t id = 0;
	for (uint32_t k = 1; k <= XP_CURSOR_IDS; k++) {
		if (c->cursor_held[k] == cur->serial)
			return k;
		if (!id && !c->cursor_held[k])
			id = k;
	}
	if (!id) /* every id taken: reuse them in turn */
		id = c->cursor_next = c->cursor_next % XP_CURSOR_IDS + 1;
	struct xp_msg m = {.op = XP_OP_CURSOR, .u.cursor = cur->def};
	m.u.cursor.id = id;
	if (xs_peer_send(c, &m) < 0)
		return 0;
	c->cursor_held[id] = cur->serial;
	return id;
}

void xs_cursor_refresh(struct xs_peer *c, const struct xs_window *w)
{
	uint32_t id = w->cursor ? client_id(c, w->cursor) : 0;
	if (w->cursor && !id) {
		xs_peer_fail(c, XP_ERR_INTERNAL, XP_OP_CURSOR, "out of memory");
		return;
	}
	struct xp_msg m = {.op = XP_OP_WIN_CURSOR, .u.win_cursor = {w->id, id}};
	xs_peer_send(c, &m);
}

int xs_cursor_set(struct xs_peer *app, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_win_cursor *wc = &m->u.win_cursor;
	struct xs_window *w = xs_window_by_app_id(app->session, app, wc->win);
	struct xs_cursor *cur = NULL;
	if (!w)
		return xp_error_set(err, XP_ERR_NO_WINDOW, m->op, "WIN_CURSOR: no window %u",
		                    wc->win);
	if (wc->cursor &&
	    (wc->cursor > XP_CURSOR_IDS || !app->cursors || !(cur = app->cursors[wc->cursor])))
		return xp_error_set(err, XP_ERR_MALFORMED, m->op,
		                    "WIN_CURSOR: cursor %u was never defined", wc->cursor);
	if (cur == w->cursor)
		return 0; /* the same shape: nothing to tell */
	xs_cursor_unref(w->cursor);
	w->cursor = cursor_ref(cur);
	for (struct xs_peer *c = app->session->clients; c; c = c->next)
		if (c->state == XS_RUNNING && xs_client_knows(c, w->id))
			xs_cursor_refresh(c, w);
	return 0;
}

void xs_cursor_app_gone(struct xs_peer *app)
{
	if (!app->cursors)
		return;
	for (uint32_t k = 1; k <= XP_CURSOR_IDS; k++)
		xs_cursor_unref(app->cursors[k]);
	free(app->cursors);
	app->cursors = NULL;
}
