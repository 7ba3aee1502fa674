/*
 * cache.c - images an app asked to keep (IMAGE with a cache_id) and draws
 * again by id (IMAGE_CACHED). The session keeps the decoded pixels under a
 * session-wide id; each client is sent an image the first time it needs it
 * and the id afterwards, so clients' caches are filled lazily and a new
 * client never receives images nobody draws again. The session's cache is
 * bounded (XS_CACHE_MAX), well under what clients may keep (64 MiB), so a
 * client never has to evict what the server believes it holds.
 *
 * libxpdraw decodes and draws the images; this file is the cache it is
 * given (xs_cache_for) and how cached images reach the clients.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define XS_CACHE_MAX (32u << 20)

struct xs_cache_entry {
	uint32_t id, app_id;
	struct xs_peer *owner;
	struct xr_fb fb;
	struct xs_cache_entry *next;
};

static size_t entry_bytes(const struct xs_cache_entry *e)
{
	return (size_t)e->fb.w * (size_t)e->fb.h * 4;
}

static struct xs_cache_entry **find(struct xs_session *se, struct xs_peer *app, uint32_t app_id)
{
	struct xs_cache_entry **pp = &se->cache;
	while (*pp && ((*pp)->owner != app || (*pp)->app_id != app_id))
		pp = &(*pp)->next;
	return pp;
}

/* Remove an entry; clients holding it are told to forget it. */
static void drop(struct xs_session *se, struct xs_cache_entry **pp)
{
	struct xs_cache_entry *e = *pp;
	struct xp_msg m = {.op = XP_OP_CACHE_DROP};
	m.u.cache_drop.cache_id = e->id;
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->state == XS_RUNNING && xs_idset_has(&c->cached, e->id)) {
			xs_peer_send(c, &m);
			xs_idset_del(&c->cached, e->id);
		}
	}
	*pp = e->next;
	se->cache_bytes -= entry_bytes(e);
	xr_fb_finish(&e->fb);
	free(e);
}

void xs_cache_app_gone(struct xs_session *se, struct xs_peer *app)
{
	struct xs_cache_entry **pp = &se->cache;
	while (*pp) {
		if ((*pp)->owner == app)
			drop(se, pp);
		else
			pp = &(*pp)->next;
	}
}

void xs_cache_destroy(struct xs_session *se)
{
	while (se->cache) {
		struct xs_cache_entry *e = se->cache;
		se->cache = e->next;
		xr_fb_finish(&e->fb);
		free(e);
	}
	se->cache_bytes = 0;
}

/* Send entry @e drawn at (x, y) to client @c: by id if it has it. */
static void send_entry(struct xs_peer *c, const struct xs_cache_entry *e, int32_t x, int32_t y)
{
	struct xp_msg m;
	if (xs_idset_has(&c->cached, e->id)) {
		m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED};
		m.u.image_cached = (struct xp_msg_image_cached){x, y, e->id};
		xs_peer_send(c, &m);
		return;
	}
	uint8_t *data = NULL, format;
	size_t len = 0;
	if (xs_image_payload(c, &e->fb, (struct xr_rect){0, 0, e->fb.w, e->fb.h}, &data, &len,
	                     &format) < 0)
		return;
	m = (struct xp_msg){.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){x,      y,     (uint32_t)e->fb.w,    (uint32_t)e->fb.h,
	                                  format, e->id, {data, (uint32_t)len}};
	if (xs_peer_send(c, &m) == 0)
		xs_idset_add(&c->cached, e->id);
	free(data);
}

/* The x, y an IMAGE or IMAGE_CACHED message drew its image at. */
static void origin(const struct xp_msg *m, int32_t *x, int32_t *y)
{
	*x = m->op == XP_OP_IMAGE ? m->u.image.x : m->u.image_cached.x;
	*y = m->op == XP_OP_IMAGE ? m->u.image.y : m->u.image_cached.y;
}

void xs_cache_forward(struct xs_session *se, struct xs_window *w, const struct xd_state *st,
                      const struct xs_cache_use *u, const struct xp_msg *m, struct xr_rect damage)
{
	int32_t x, y;
	if (xr_rect_empty(damage))
		return;
	origin(m, &x, &y);
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->state != XS_RUNNING || !xs_client_knows(c, w->id) ||
		    xs_idset_has(&c->stale, w->id))
			continue;
		if (c->behind || xs_client_state(c, w->id, st, xd_reads(m->op)) < 0)
			xs_client_damage(c, w->id, damage);
		else
			send_entry(c, u->entry, x, y);
	}
}

/* libxpdraw decoded an IMAGE with a cache id: keep it for the session. */
static const struct xr_fb *keep(void *ctx, uint32_t app_id, struct xr_fb *img, struct xp_error *err)
{
	struct xs_cache_use *u = ctx;
	struct xs_session *se = u->app->session;
	struct xs_cache_entry **old = find(se, u->app, app_id), *e;
	size_t bytes = (size_t)img->w * (size_t)img->h * 4;
	if (*old)
		drop(se, old);
	if (se->cache_bytes + bytes > XS_CACHE_MAX) {
		xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE,
		             "image cache full (%u MiB per session)", XS_CACHE_MAX >> 20);
		return NULL;
	}
	if (!(e = calloc(1, sizeof(*e)))) {
		xp_error_set(err, XP_ERR_INTERNAL, XP_OP_IMAGE, "IMAGE: out of memory");
		return NULL;
	}
	*e = (struct xs_cache_entry){se->next_cache_id++, app_id, u->app, *img, se->cache};
	*img = (struct xr_fb){0}; /* the pixels are the entry's now */
	se->cache = e;
	se->cache_bytes += bytes;
	u->entry = e;
	return &e->fb;
}

static const struct xr_fb *lookup(void *ctx, uint32_t app_id)
{
	struct xs_cache_use *u = ctx;
	u->entry = *find(u->app->session, u->app, app_id);
	return u->entry ? &u->entry->fb : NULL;
}

static void forget(void *ctx, uint32_t app_id)
{
	struct xs_cache_use *u = ctx;
	struct xs_cache_entry **pp = find(u->app->session, u->app, app_id);
	if (*pp)
		drop(u->app->session, pp);
}

struct xd_cache xs_cache_for(struct xs_cache_use *u)
{
	return (struct xd_cache){u, keep, lookup, forget};
}
