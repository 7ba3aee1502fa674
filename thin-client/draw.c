/*
 * draw.c - the sticky drawing state (TARGET, GC, CLIP; SPEC.md section 6)
 * and the drawing messages, applied to the target window's framebuffer with
 * the shared renderer so the pixels equal the server's copy.
 *
 * Sizes arrive as 32-bit unsigned values; the renderer takes int, so values
 * above INT_MAX are clamped (they reach past any framebuffer either way).
 * Drawing with no target or an unknown one is a protocol error.
 */
#include <limits.h>
#include <stdlib.h>

#include "thin_int.h"

void tc_drawstate_reset(struct tc_drawstate *d)
{
	*d = (struct tc_drawstate){.target = 0, .fg = 0xffffff, .bg = 0x000000};
}

static int clamp_dim(uint32_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

static const struct xr_rect *clip_of(const struct tc_client *c)
{
	return c->ds.has_clip ? &c->ds.clip : NULL;
}

static struct tc_win *target(struct tc_client *c, unsigned op)
{
	struct tc_win *w = tc_win_find(&c->wins, c->ds.target);
	if (!w)
		tc_fail(c, XP_ERR_NO_WINDOW, op, "%s: target window %u does not exist",
		        xp_op_name(op), c->ds.target);
	return w;
}

int tc_on_target(struct tc_client *c, const struct xp_msg *m)
{
	c->ds.target = m->u.target.win;
	return 0;
}

int tc_on_gc(struct tc_client *c, const struct xp_msg *m)
{
	c->ds.fg = m->u.gc.fg;
	c->ds.bg = m->u.gc.bg;
	c->ds.font = m->u.gc.font;
	c->ds.flags = m->u.gc.flags;
	return 0;
}

int tc_on_clip(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_clip *a = &m->u.clip;
	c->ds.has_clip = a->w != 0;
	c->ds.clip = (struct xr_rect){a->x, a->y, clamp_dim(a->w), clamp_dim(a->h)};
	return 0;
}

int tc_on_fill(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_fill *a = &m->u.fill;
	struct tc_win *w = target(c, m->op);
	if (!w)
		return -1;
	struct xr_rect d =
	    xr_fill(&w->fb, clip_of(c), a->x, a->y, clamp_dim(a->w), clamp_dim(a->h), c->ds.fg);
	tc_win_damage(c, w, d);
	return 0;
}

int tc_on_fill_rects(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_rects *r = &m->u.fill_rects.rects;
	struct tc_win *w = target(c, m->op);
	if (!w)
		return -1;
	struct xr_rect all = {0, 0, 0, 0};
	for (uint32_t i = 0; i < r->n; i++) {
		const struct xp_rect *q = &r->v[i];
		struct xr_rect d = xr_fill(&w->fb, clip_of(c), q->x, q->y, clamp_dim(q->w),
		                           clamp_dim(q->h), c->ds.fg);
		all = xr_rect_union(all, d);
	}
	tc_win_damage(c, w, all);
	return 0;
}

int tc_on_copy(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_copy *a = &m->u.copy;
	struct tc_win *w = target(c, m->op);
	if (!w)
		return -1;
	struct xr_rect d = xr_copy(&w->fb, clip_of(c), a->sx, a->sy, clamp_dim(a->w),
	                           clamp_dim(a->h), a->dx, a->dy);
	tc_win_damage(c, w, d);
	return 0;
}

int tc_on_bitmap(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_bitmap *a = &m->u.bitmap;
	struct tc_win *w = target(c, m->op);
	struct xr_rect d;
	if (!w)
		return -1;
	if (xr_bitmap(&w->fb, clip_of(c), a->x, a->y, clamp_dim(a->w), clamp_dim(a->h), a->bits.p,
	              a->bits.n, c->ds.fg, c->ds.bg, c->ds.flags & XP_GC_TRANSPARENT, &d) < 0)
		return tc_fail(c, XP_ERR_MALFORMED, m->op, "BITMAP: %u bytes too short for %ux%u",
		               a->bits.n, a->w, a->h);
	tc_win_damage(c, w, d);
	return 0;
}

int tc_on_text(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_text *a = &m->u.text;
	struct tc_win *w = target(c, m->op);
	if (!w)
		return -1;
	int font = c->ds.font > INT_MAX ? -1 : (int)c->ds.font;
	struct xr_rect d = xr_text(&w->fb, clip_of(c), a->x, a->y, a->text.p, a->text.n, font,
	                           c->ds.fg, c->ds.bg, c->ds.flags & XP_GC_TRANSPARENT);
	tc_win_damage(c, w, d);
	return 0;
}

static int check_image_size(struct tc_client *c, unsigned op, uint32_t w, uint32_t h)
{
	if (w < 1 || h < 1 || w > TC_WIN_MAX_DIM || h > TC_WIN_MAX_DIM ||
	    (uint64_t)w * h > XR_IMG_MAX_PIXELS)
		return tc_fail(c, XP_ERR_LIMIT, op, "IMAGE: size %ux%u out of range", w, h);
	return 0;
}

/* Decode into a new framebuffer, draw it, and keep it in the cache. */
static int image_cached(struct tc_client *c, struct tc_win *w, const struct xp_msg_image *a)
{
	struct xr_fb img;
	struct xr_rect d;
	if (xr_fb_init(&img, (int)a->w, (int)a->h) < 0)
		return tc_fail(c, XP_ERR_INTERNAL, XP_OP_IMAGE, "IMAGE: out of memory");
	if (xr_image(&img, NULL, 0, 0, img.w, img.h, a->format, a->data.p, a->data.n, &d) < 0) {
		xr_fb_finish(&img);
		return tc_fail(c, XP_ERR_MALFORMED, XP_OP_IMAGE,
		               "IMAGE: bad %ux%u image data (format %u, %u bytes)", a->w, a->h,
		               a->format, a->data.n);
	}
	tc_win_damage(c, w, xr_blit(&w->fb, clip_of(c), a->x, a->y, &img));
	if (tc_cache_put(&c->cache, a->cache_id, &img) < 0)
		xr_fb_finish(&img); /* too big to keep: IMAGE_CACHED will fail */
	return 0;
}

int tc_on_image(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_image *a = &m->u.image;
	struct tc_win *w = target(c, m->op);
	struct xr_rect d;
	if (!w || check_image_size(c, m->op, a->w, a->h) < 0)
		return -1;
	if (a->cache_id != 0)
		return image_cached(c, w, a);
	if (xr_image(&w->fb, clip_of(c), a->x, a->y, (int)a->w, (int)a->h, a->format, a->data.p,
	             a->data.n, &d) < 0)
		return tc_fail(c, XP_ERR_MALFORMED, m->op,
		               "IMAGE: bad %ux%u image data (format %u, %u bytes)", a->w, a->h,
		               a->format, a->data.n);
	tc_win_damage(c, w, d);
	return 0;
}

int tc_on_image_cached(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_image_cached *a = &m->u.image_cached;
	struct tc_win *w = target(c, m->op);
	if (!w)
		return -1;
	const struct xr_fb *img = tc_cache_get(&c->cache, a->cache_id);
	if (!img)
		return tc_fail(c, XP_ERR_MALFORMED, m->op, "IMAGE_CACHED: unknown cache id %u",
		               a->cache_id);
	tc_win_damage(c, w, xr_blit(&w->fb, clip_of(c), a->x, a->y, img));
	return 0;
}

int tc_on_cache_drop(struct tc_client *c, const struct xp_msg *m)
{
	tc_cache_drop(&c->cache, m->u.cache_drop.cache_id);
	return 0;
}
