/*
 * cache.c - images an app asked to keep (IMAGE with a cache_id) and draws
 * again by id (IMAGE_CACHED). The session keeps the decoded pixels under a
 * session-wide id; each client is sent an image the first time it needs it
 * and the id afterwards, so clients' caches are filled lazily and a new
 * client never receives images nobody draws again. The session's cache is
 * bounded (XS_CACHE_MAX), well under what clients may keep (64 MiB), so a
 * client never has to evict what the server believes it holds. An app's
 * ids are found through its own hash map: O(1) however many it keeps.
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
	xr_fb_finish(&e->fb);
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

/* Tell the clients entry @e was drawn at (x, y) into @w, changing @d. */
static void tell(struct xs_session *se, struct xs_window *w, const struct xs_draw_state *st,
                 const struct xs_cache_entry *e, int32_t x, int32_t y, struct xr_rect d)
{
	if (xr_rect_empty(d))
		return;
	for (struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->state != XS_RUNNING || !xs_client_knows(c, w->id) ||
		    xs_idset_has(&c->stale, w->id))
			continue;
		if (c->behind || xs_set_state(c, w->id, c->out.fg, c->out.bg, c->out.font,
		                              c->out.flags, &st->clip) < 0)
			xs_client_behind(c, w->id, d);
		else
			send_entry(c, e, w->id, x, y, d);
	}
}

/* Draw entry @e into window @w and tell the clients. */
static void show(struct xs_session *se, struct xs_window *w, const struct xs_draw_state *st,
                 const struct xs_cache_entry *e, int32_t x, int32_t y)
{
	struct xr_rect cbuf = {st->clip.x, st->clip.y, (int)st->clip.w, (int)st->clip.h};
	tell(se, w, st, e, x, y, xr_blit(&w->fb, st->clip.w ? &cbuf : NULL, x, y, &e->fb));
}

int xs_cache_check(struct xs_peer *app, const struct xp_msg_image *im, struct xp_error *err)
{
	struct xs_cache_entry *old = find(app, im->cache_id);
	size_t old_bytes = old ? entry_bytes(old) : 0;
	struct xs_session *se = app->session;
	if (im->w == 0 || im->h == 0 || im->w > XR_FB_MAX_DIM || im->h > XR_FB_MAX_DIM)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE, "IMAGE: bad size %ux%u",
		                    im->w, im->h);
	size_t bytes = image_bytes(im->w, im->h);
	if (se->cache_bytes - old_bytes + bytes > XS_CACHE_MAX)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE,
		                    "image cache full (%u MiB per session)", XS_CACHE_MAX >> 20);
	return xs_pixels_check(se->srv, old_bytes, bytes, err);
}

int xs_cache_add(struct xs_peer *app, struct xs_window *w, const struct xs_draw_state *st,
                 const struct xp_msg_image *im, struct xr_fb *fb, struct xr_rect damage,
                 struct xp_error *err)
{
	struct xs_session *se = app->session;
	struct xs_cache_entry *old = find(app, im->cache_id), *e = calloc(1, sizeof(*e));
	if (old) /* replaced: its clients are told to forget it */
		drop(se, old);
	if (!e || xs_map_put(&app->app_images, im->cache_id, e) < 0) {
		free(e);
		xr_fb_finish(fb);
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "IMAGE: out of memory");
	}
	*e = (struct xs_cache_entry){new_id(se), im->cache_id, app, *fb, NULL, se->cache};
	*fb = (struct xr_fb){0}; /* the entry owns the pixels now */
	if (xs_idset_add(&se->cache_ids, e->id) < 0) {
		xs_map_del(&app->app_images, e->app_id);
		xr_fb_finish(&e->fb);
		free(e);
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "IMAGE: out of memory");
	}
	if (se->cache)
		se->cache->prev = e;
	se->cache = e;
	se->cache_bytes += entry_bytes(e);
	se->srv->pixel_bytes += entry_bytes(e);
	tell(se, w, st, e, im->x, im->y, damage);
	return 0;
}

int xs_cache_image(struct xs_peer *app, struct xs_window *w, const struct xs_draw_state *st,
                   const struct xp_msg_image *im, struct xp_error *err)
{
	struct xr_fb fb;
	struct xr_rect d, cbuf = {st->clip.x, st->clip.y, (int)st->clip.w, (int)st->clip.h};
	if (xs_cache_check(app, im, err) < 0)
		return -1;
	if (xr_fb_init(&fb, (int)im->w, (int)im->h) < 0)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "IMAGE: out of memory");
	if (xr_image(&fb, NULL, 0, 0, fb.w, fb.h, im->format, im->data.p, im->data.n, &d) < 0) {
		xr_fb_finish(&fb);
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE,
		                    "IMAGE: bad %ux%u image (format %u, %u bytes)", im->w, im->h,
		                    im->format, im->data.n);
	}
	d = xr_blit(&w->fb, st->clip.w ? &cbuf : NULL, im->x, im->y, &fb);
	return xs_cache_add(app, w, st, im, &fb, d, err);
}

int xs_cache_draw(struct xs_peer *app, struct xs_window *w, const struct xs_draw_state *st,
                  const struct xp_msg_image_cached *ic, struct xp_error *err)
{
	struct xs_cache_entry *e = find(app, ic->cache_id);
	if (!e)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE_CACHED,
		                    "IMAGE_CACHED: no cached image %u", ic->cache_id);
	show(app->session, w, st, e, ic->x, ic->y);
	return 0;
}

void xs_cache_forget(struct xs_peer *app, uint32_t app_cache_id)
{
	struct xs_cache_entry *e = find(app, app_cache_id);
	if (e)
		drop(app->session, e);
}
