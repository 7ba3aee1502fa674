/*
 * draw.c - apply one drawing message to a window's framebuffer with the
 * shared renderer, using the sender's sticky state. The thin client applies
 * the same messages with the same renderer, so both hold identical pixels.
 */
#include "server_int.h"

static struct xr_rect *clip_of(const struct xs_draw_state *st, struct xr_rect *buf)
{
	if (st->clip.w == 0)
		return NULL;
	*buf = (struct xr_rect){st->clip.x, st->clip.y,
	                        (int)(st->clip.w > INT32_MAX ? INT32_MAX : st->clip.w),
	                        (int)(st->clip.h > INT32_MAX ? INT32_MAX : st->clip.h)};
	return buf;
}

/* Sizes from the wire are uint32; the renderer takes int. */
static int dim(uint32_t v)
{
	return v > INT32_MAX ? INT32_MAX : (int)v;
}

static int draw_fill_rects(struct xr_fb *fb, const struct xr_rect *clip,
                           const struct xs_draw_state *st, const struct xp_rects *rs,
                           struct xr_rect *damage)
{
	for (uint32_t i = 0; i < rs->n; i++) {
		const struct xp_rect *r = &rs->v[i];
		struct xr_rect d = xr_fill(fb, clip, r->x, r->y, dim(r->w), dim(r->h), st->fg);
		*damage = xr_rect_union(*damage, d);
	}
	return 0;
}

int xs_draw_apply(struct xs_window *w, const struct xs_draw_state *st, const struct xp_msg *m,
                  struct xr_rect *damage, struct xp_error *err)
{
	struct xr_rect cbuf, *clip = clip_of(st, &cbuf);
	struct xr_fb *fb = &w->fb;
	bool transparent = st->flags & XP_GC_TRANSPARENT;
	*damage = (struct xr_rect){0, 0, 0, 0};
	switch (m->op) {
	case XP_OP_FILL: {
		const struct xp_msg_fill *f = &m->u.fill;
		*damage = xr_fill(fb, clip, f->x, f->y, dim(f->w), dim(f->h), st->fg);
		return 0;
	}
	case XP_OP_FILL_RECTS:
		return draw_fill_rects(fb, clip, st, &m->u.fill_rects.rects, damage);
	case XP_OP_COPY: {
		const struct xp_msg_copy *c = &m->u.copy;
		*damage = xr_copy(fb, clip, c->sx, c->sy, dim(c->w), dim(c->h), c->dx, c->dy);
		return 0;
	}
	case XP_OP_BITMAP: {
		const struct xp_msg_bitmap *b = &m->u.bitmap;
		if (xr_bitmap(fb, clip, b->x, b->y, dim(b->w), dim(b->h), b->bits.p, b->bits.n,
		              st->fg, st->bg, transparent, damage) < 0)
			return xp_error_set(err, XP_ERR_MALFORMED, m->op,
			                    "BITMAP: %u bytes for %ux%u", b->bits.n, b->w, b->h);
		return 0;
	}
	case XP_OP_TEXT: {
		const struct xp_msg_text *t = &m->u.text;
		*damage = xr_text(fb, clip, t->x, t->y, t->text.p, t->text.n, (int)st->font, st->fg,
		                  st->bg, transparent);
		return 0;
	}
	case XP_OP_IMAGE: {
		const struct xp_msg_image *i = &m->u.image;
		if (xr_image(fb, clip, i->x, i->y, dim(i->w), dim(i->h), i->format, i->data.p,
		             i->data.n, damage) < 0)
			return xp_error_set(err, XP_ERR_MALFORMED, m->op,
			                    "IMAGE: bad %ux%u image (format %u, %u bytes)", i->w,
			                    i->h, i->format, i->data.n);
		return 0;
	}
	default:
		return xp_error_set(err, XP_ERR_STATE, m->op, "%s is not a drawing command",
		                    xp_op_name(m->op));
	}
}
