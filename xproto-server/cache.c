/*
 * cache.c - images an app asked to keep (IMAGE with a cache_id) and draws
 * again by id (IMAGE_CACHED). The session keeps the decoded pixels under a
 * session-wide id; each client is sent an image the first time it needs it
 * and the id afterwards, so clients' caches are filled lazily and a new
 * client never receives images nobody draws again. The session's cache is
 * bounded (XS_CACHE_MAX), well under what clients may keep (64 MiB), so a
 * client never has to evict what the server believes it holds. An app's
 * ids are found through its own hash map: O(1) however many it keeps.
 *
 * libxpdraw decodes and draws the images; this file is the cache it is
 * given (xs_cache_for), how cached images reach the clients, and what a
 * drawing job that decoded a large image in pieces keeps (xs_cache_add).
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define XS_CACHE_MAX (32u << 20)
/* what an entry costs beyond its pixels: counted, so tiny images are not free */
#define ENTRY_OVERHEAD 128u

struct xs_cache_entry {
	uint32_t id, app_id;
	struct xs_peer *owner;
	struct xr_fb fb;
	struct xs_cache_entry *prev, *next; /* the session's entries */
};

static size_t image_bytes(uint32_t w, uint32_t h)
{
	return (size_t)w * h * 4 + ENTRY_OVERHEAD;
}

static size_t entry_bytes(const struct xs_cache_entry *e)
{
	return image_bytes((uint32_t)e->fb.w, (uint32_t)e->fb.h);
}

/* The app's entry for its id @app_id: one hash lookup. */
static struct xs_cache_entry *find(struct xs_peer *app, uint32_t app_id)
{
	return xs_map_get(&app->app_images, app_id);
}

/* A session-wide id no live entry has (ids wrap after 2^32 images). */
static uint32_t new_id(struct xs_session *se)
{
	uint32_t id;
	do
		id = se->next_cache_id++;
	while (id == 0 || xs_idset_has(&se->cache_ids, id));
	return id;
}

static void unlink_entry(struct xs_session *se, struct xs_cache_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		se->cache = e->next;
	if (e->next)
		e->next->prev = e->prev;
	xs_idset_del(&se->cache_ids, e->id);
	se->cache_bytes -= entry_bytes(e);
	se->srv->pixel_bytes -= entry_bytes(e);
	xs_release_fb(se->srv, &e->fb);
	free(e);
}

/* Remove an entry; clients holding it are told to forget it. */
static void drop(struct xs_session *se, struct xs_cache_entry *e)
{
	struct xp_msg m = {.op = XP_OP_CACHE_DROP};
	m.u.cache_drop.cache_id = e->id;
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->state == XS_RUNNING && xs_idset_has(&c->cached, e->id)) {
			xs_peer_send(c, &m);
			xs_idset_del(&c->cached, e->id);
		}
	}
	xs_map_del(&e->owner->app_images, e->app_id);
	unlink_entry(se, e);
}

void xs_cache_app_gone(struct xs_session *se, struct xs_peer *app)
{
	for (struct xs_cache_entry *e = se->cache, *next; e; e = next) {
		next = e->next;
		if (e->owner == app)
			drop(se, e);
	}
	xs_map_finish(&app->app_images);
}

void xs_cache_destroy(struct xs_session *se)
{
	while (se->cache)
		unlink_entry(se, se->cache);
	xs_idset_finish(&se->cache_ids);
	se->cache_bytes = 0;
}

/*
 * Send entry @e drawn at (x, y) into window @win to client @c: by id if it
 * has it, as an image if that is small; a large image the client does not
 * hold would not fit what it may have in flight: it gets the pixels of
 * @damage instead (and does not hold the id).
 */
static void send_entry(struct xs_peer *c, const struct xs_cache_entry *e, uint32_t win, int32_t x,
                       int32_t y, struct xr_rect damage)
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
	if ((size_t)e->fb.w * (size_t)e->fb.h * 3 > c->srv->opt.client_window_bytes / 2 ||
	    xs_image_payload(c, &e->fb, (struct xr_rect){0, 0, e->fb.w, e->fb.h}, &data, &len,
	                     &format) < 0) {
		xs_client_behind(c, win, damage);
		return;
	}
	m = (struct xp_msg){.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){x,      y,     (uint32_t)e->fb.w,    (uint32_t)e->fb.h,
	                                  format, e->id, {data, (uint32_t)len}};
	if (xs_peer_send(c, &m) == 0)
		xs_idset_add(&c->cached, e->id);
	free(data);
}

/* Tell the clients entry @e was drawn at (x, y) into @w by @op, changing @d. */
static void tell(struct xs_session *se, struct xs_window *w, const struct xd_state *st,
                 const struct xs_cache_entry *e, int32_t x, int32_t y, uint8_t op, struct xr_rect d)
{
	if (xr_rect_empty(d))
		return;
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->state != XS_RUNNING || !xs_client_knows(c, w->id) ||
		    xs_idset_has(&c->stale, w->id))
			continue;
		if (c->behind || xs_client_state(c, w->id, st, xd_reads(op)) < 0)
			xs_client_behind(c, w->id, d);
		else
			send_entry(c, e, w->id, x, y, d);
	}
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
	origin(m, &x, &y);
	tell(se, w, st, u->entry, x, y, m->op, damage);
}

/* Whether @app may keep a @w x @h image as its @app_id (replacing what it had). */
static int check(struct xs_peer *app, uint32_t app_id, uint32_t w, uint32_t h, struct xp_error *err)
{
	struct xs_cache_entry *old = find(app, app_id);
	size_t old_bytes = old ? entry_bytes(old) : 0;
	struct xs_session *se = app->session;
	if (w == 0 || h == 0 || w > XR_FB_MAX_DIM || h > XR_FB_MAX_DIM)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE, "IMAGE: bad size %ux%u", w,
		                    h);
	size_t bytes = image_bytes(w, h);
	if (se->cache_bytes - old_bytes + bytes > XS_CACHE_MAX)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE,
		                    "image cache full (%u MiB per session)", XS_CACHE_MAX >> 20);
	return xs_pixels_check(se->srv, old_bytes, bytes, err);
}

int xs_cache_check(struct xs_peer *app, const struct xp_msg_image *im, struct xp_error *err)
{
	return check(app, im->cache_id, im->w, im->h, err);
}

/* Make @fb (its pixels taken, *@fb zeroed) @app's image @app_id; NULL if out of memory. */
static struct xs_cache_entry *insert(struct xs_peer *app, uint32_t app_id, struct xr_fb *fb,
                                     struct xp_error *err)
{
	struct xs_session *se = app->session;
	struct xs_cache_entry *old = find(app, app_id), *e = calloc(1, sizeof(*e));
	if (old) /* replaced: its clients are told to forget it */
		drop(se, old);
	if (!e || xs_map_put(&app->app_images, app_id, e) < 0) {
		free(e);
		xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "IMAGE: out of memory");
		return NULL;
	}
	*e = (struct xs_cache_entry){new_id(se), app_id, app, *fb, NULL, se->cache};
	*fb = (struct xr_fb){0}; /* the entry owns the pixels now */
	if (xs_idset_add(&se->cache_ids, e->id) < 0) {
		xs_map_del(&app->app_images, e->app_id);
		*fb = e->fb;
		free(e);
		xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "IMAGE: out of memory");
		return NULL;
	}
	if (se->cache)
		se->cache->prev = e;
	se->cache = e;
	se->cache_bytes += entry_bytes(e);
	se->srv->pixel_bytes += entry_bytes(e);
	return e;
}

int xs_cache_add(struct xs_peer *app, struct xs_window *w, const struct xd_state *st,
                 const struct xp_msg_image *im, struct xr_fb *fb, struct xr_rect damage,
                 struct xp_error *err)
{
	struct xs_cache_entry *e = insert(app, im->cache_id, fb, err);
	if (!e) {
		xr_fb_finish(fb);
		return -1;
	}
	tell(app->session, w, st, e, im->x, im->y, XP_OP_IMAGE, damage);
	return 0;
}

/* libxpdraw decoded an IMAGE with a cache id: keep it for the session. */
static const struct xr_fb *keep(void *ctx, uint32_t app_id, struct xr_fb *img, struct xp_error *err)
{
	struct xs_cache_use *u = ctx;
	if (check(u->app, app_id, (uint32_t)img->w, (uint32_t)img->h, err) < 0)
		return NULL;
	u->entry = insert(u->app, app_id, img, err);
	return u->entry ? &u->entry->fb : NULL;
}

static const struct xr_fb *lookup(void *ctx, uint32_t app_id)
{
	struct xs_cache_use *u = ctx;
	u->entry = find(u->app, app_id);
	return u->entry ? &u->entry->fb : NULL;
}

static void forget(void *ctx, uint32_t app_id)
{
	struct xs_cache_use *u = ctx;
	struct xs_cache_entry *e = find(u->app, app_id);
	if (e)
		drop(u->app->session, e);
}

struct xd_cache xs_cache_for(struct xs_cache_use *u)
{
	return (struct xd_cache){u, keep, lookup, forget};
}
