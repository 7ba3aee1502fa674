/*
 * apply.c - what each drawing message does to a framebuffer under the
 * sticky state, with the shared renderer. The server applies an app's
 * messages to its window copies and the thin client applies the server's
 * to its own with these same functions, so both hold identical pixels.
 *
 * Sizes arrive as 32-bit unsigned values; the renderer takes int, so values
 * above INT_MAX are clamped (they reach past any framebuffer either way).
 */
#include <limits.h>
#include <stdlib.h>

#include "draw_int.h"

static int dim(uint32_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

/* The state's clip as a renderer rectangle in @buf, or NULL for none. */
static const struct xr_rect *clip_of(const struct xd_state *s, struct xr_rect *buf)
{
	if (s->clip.w == 0)
		return NULL;
	*buf = (struct xr_rect){s->clip.x, s->clip.y, dim(s->clip.w), dim(s->clip.h)};
	return buf;
}

int xd_draw_fill(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                 const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_msg_fill *f = &m->u.fill;
	struct xr_rect cb;
	(void)cache, (void)err;
	*damage = xr_fill(fb, clip_of(s, &cb), f->x, f->y, dim(f->w), dim(f->h), s->fg);
	return 0;
}

int xd_draw_fill_rects(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                       const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_rects *rs = &m->u.fill_rects.rects;
	struct xr_rect cb;
	const struct xr_rect *clip = clip_of(s, &cb);
	(void)cache, (void)err;
	for (uint32_t i = 0; i < rs->n; i++) {
		const struct xp_rect *r = &rs->v[i];
		struct xr_rect d = xr_fill(fb, clip, r->x, r->y, dim(r->w), dim(r->h), s->fg);
		*damage = xr_rect_union(*damage, d);
	}
	return 0;
}

int xd_draw_copy(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                 const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_msg_copy *c = &m->u.copy;
	struct xr_rect cb;
	(void)cache, (void)err;
	*damage = xr_copy(fb, clip_of(s, &cb), c->sx, c->sy, dim(c->w), dim(c->h), c->dx, c->dy);
	return 0;
}

int xd_draw_bitmap(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                   const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_msg_bitmap *b = &m->u.bitmap;
	struct xr_rect cb;
	(void)cache;
	if (xr_bitmap(fb, clip_of(s, &cb), b->x, b->y, dim(b->w), dim(b->h), b->bits.p, b->bits.n,
	              s->fg, s->bg, s->flags & XP_GC_TRANSPARENT, damage) < 0)
		return xp_error_set(err, XP_ERR_MALFORMED, m->op,
		                    "BITMAP: %u bytes too short for %ux%u", b->bits.n, b->w, b->h);
	return 0;
}

int xd_draw_text(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                 const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_msg_text *t = &m->u.text;
	struct xr_rect cb;
	int font = s->font > INT_MAX ? -1 : (int)s->font; /* -1 draws nothing */
	(void)cache, (void)err;
	*damage = xr_text(fb, clip_of(s, &cb), t->x, t->y, t->text.p, t->text.n, font, s->fg, s->bg,
	                  s->flags & XP_GC_TRANSPARENT);
	return 0;
}

static int bad_image(const struct xp_msg_image *i, struct xp_error *err)
{
	return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE,
	                    "IMAGE: bad %ux%u image data (format %u, %u bytes)", i->w, i->h,
	                    i->format, i->data.n);
}

/* Decode IMAGE @i into a new framebuffer @img (checked before allocating). */
static int decode_image(const struct xp_msg_image *i, struct xr_fb *img, struct xp_error *err)
{
	struct xr_rect d;
	if (i->w < 1 || i->h < 1 || i->w > XR_FB_MAX_DIM || i->h > XR_FB_MAX_DIM ||
	    (uint64_t)i->w * i->h > XR_IMG_MAX_PIXELS)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE,
		                    "IMAGE: size %ux%u out of range", i->w, i->h);
	if (xr_fb_init(img, (int)i->w, (int)i->h) < 0)
		return xp_error_set(err, XP_ERR_INTERNAL, XP_OP_IMAGE, "IMAGE: out of memory");
	if (xr_image(img, NULL, 0, 0, img->w, img->h, i->format, i->data.p, i->data.n, &d) < 0) {
		xr_fb_finish(img);
		return bad_image(i, err);
	}
	return 0;
}

/* An IMAGE to keep: decode it, hand it to the cache, draw it. */
static int image_keep(struct xr_fb *fb, const struct xr_rect *clip, const struct xp_msg_image *i,
                      const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	struct xr_fb img;
	if (decode_image(i, &img, err) < 0)
		return -1;
	const struct xr_fb *src = cache->keep(cache->ctx, i->cache_id, &img, err);
	if (src)
		*damage = xr_blit(fb, clip, i->x, i->y, src);
	xr_fb_finish(&img); /* nothing left if the cache took it */
	return src ? 0 : -1;
}

int xd_draw_image(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                  const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_msg_image *i = &m->u.image;
	struct xr_rect cb;
	const struct xr_rect *clip = clip_of(s, &cb);
	if (i->cache_id != 0 && cache && cache->keep)
		return image_keep(fb, clip, i, cache, damage, err);
	if (xr_image(fb, clip, i->x, i->y, dim(i->w), dim(i->h), i->format, i->data.p, i->data.n,
	             damage) < 0)
		return bad_image(i, err);
	return 0;
}

int xd_draw_image_cached(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                         const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xp_msg_image_cached *ic = &m->u.image_cached;
	const struct xr_fb *src =
	    cache && cache->find ? cache->find(cache->ctx, ic->cache_id) : NULL;
	struct xr_rect cb;
	if (!src)
		return xp_error_set(err, XP_ERR_MALFORMED, m->op,
		                    "IMAGE_CACHED: unknown cache id %u", ic->cache_id);
	*damage = xr_blit(fb, clip_of(s, &cb), ic->x, ic->y, src);
	return 0;
}

int xd_draw_cache_drop(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                       const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	(void)fb, (void)s, (void)damage, (void)err;
	if (cache && cache->drop)
		cache->drop(cache->ctx, m->u.cache_drop.cache_id);
	return 0;
}

int xd_apply(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
             const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err)
{
	const struct xd_op *r = xd_op_row(m->op);
	*damage = (struct xr_rect){0, 0, 0, 0};
	if (!r || !r->apply)
		return xp_error_set(err, XP_ERR_STATE, m->op, "%s is not a drawing command",
		                    xp_op_name(m->op) ? xp_op_name(m->op) : "unknown message");
	if (r->kind == XD_DRAW && !fb)
		return xp_error_set(err, XP_ERR_NO_WINDOW, m->op, "%s: no target window",
		                    xp_op_name(m->op));
	return r->apply(fb, s, m, cache, damage, err);
}
