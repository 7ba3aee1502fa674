/*
 * draw.c - drawing messages from the server, applied with libxpdraw (the
 * same code the server applies them with, so the pixels equal its copy) to
 * the target window's framebuffer, with this connection's image cache
 * (imgcache.c) behind IMAGE, IMAGE_CACHED and CACHE_DROP. Drawing with no
 * target or an unknown one is a protocol error.
 */
#include "thin_int.h"

static struct tc_win *target(struct tc_client *c, unsigned op)
{
	struct tc_win *w = tc_win_find(&c->wins, c->ds.target);
	if (!w)
		tc_fail(c, XP_ERR_NO_WINDOW, op, "%s: target window %u does not exist",
		        xp_op_name(op), c->ds.target);
	return w;
}

/* An image too big for the cache is drawn once and not kept. */
static const struct xr_fb *keep(void *ctx, uint32_t id, struct xr_fb *img, struct xp_error *err)
{
	struct tc_client *c = ctx;
	(void)err;
	if (tc_cache_put(&c->cache, id, img) < 0)
		return img; /* IMAGE_CACHED of it will fail */
	return tc_cache_get(&c->cache, id);
}

static const struct xr_fb *find(void *ctx, uint32_t id)
{
	struct tc_client *c = ctx;
	return tc_cache_get(&c->cache, id);
}

static void drop(void *ctx, uint32_t id)
{
	struct tc_client *c = ctx;
	tc_cache_drop(&c->cache, id);
}

int tc_on_drawing(struct tc_client *c, const struct xp_msg *m)
{
	struct xd_cache cache = {c, keep, find, drop};
	struct xp_error err = {0};
	struct xr_rect damage;
	struct tc_win *w = NULL;
	int rc;
	if (xd_kind(m->op) == XD_STATE) {
		rc = xd_state_update(&c->ds, m, &err);
	} else {
		if (xd_kind(m->op) == XD_DRAW && !(w = target(c, m->op)))
			return -1;
		rc = xd_apply(w ? &w->fb : NULL, &c->ds, m, &cache, &damage, &err);
		if (rc == 0 && w)
			tc_win_damage(c, w, damage);
	}
	return rc < 0 ? tc_fail(c, err.code, m->op, "%s", err.text) : 0;
}
