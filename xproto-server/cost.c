/*
 * cost.c - what a drawing message costs the server before it is applied,
 * and the per-message limits of protocol/SPEC.md section 12: a message over
 * a limit is refused with LIMIT (not fatal) and nothing is drawn. Costs are
 * in the work units of the turn budget (about a nanosecond each), measured
 * on the renderer: a pixel filled, copied or blitted costs half a unit, a
 * bitmap pixel two, a pixel decoded from an image three (a byte of RGB).
 * Areas are what the message can touch: its rectangle clipped to the
 * window and to the clip, in 64-bit arithmetic (every field is hostile).
 */
#include "server_int.h"

/* Pixels of (x, y, w, h) inside a @ww x @wh window and the clip @clip. */
uint64_t xs_clipped_area(uint32_t ww, uint32_t wh, const struct xp_rect *clip, int64_t x, int64_t y,
                         int64_t w, int64_t h)
{
	int64_t x0 = x > 0 ? x : 0, y0 = y > 0 ? y : 0;
	int64_t x1 = x + w < (int64_t)ww ? x + w : (int64_t)ww;
	int64_t y1 = y + h < (int64_t)wh ? y + h : (int64_t)wh;
	if (clip && clip->w) {
		x0 = x0 > clip->x ? x0 : clip->x;
		y0 = y0 > clip->y ? y0 : clip->y;
		x1 = x1 < (int64_t)clip->x + clip->w ? x1 : (int64_t)clip->x + clip->w;
		y1 = y1 < (int64_t)clip->y + clip->h ? y1 : (int64_t)clip->y + clip->h;
	}
	return x1 > x0 && y1 > y0 ? (uint64_t)(x1 - x0) * (uint64_t)(y1 - y0) : 0;
}

static int limit(struct xp_error *err, uint8_t op, const char *what, uint64_t have, uint64_t max)
{
	return xp_error_set(err, XP_ERR_LIMIT, op, "%s: %s %llu, at most %llu", xp_op_name(op),
	                    what, (unsigned long long)have, (unsigned long long)max);
}

static int rects_cost(uint32_t ww, uint32_t wh, const struct xp_rect *clip,
                      const struct xp_rects *rs, uint64_t *units, struct xp_error *err)
{
	uint64_t area = 0;
	if (rs->n > XS_MAX_RECTS)
		return limit(err, XP_OP_FILL_RECTS, "rectangles", rs->n, XS_MAX_RECTS);
	for (uint32_t i = 0; i < rs->n; i++)
		area +=
		    xs_clipped_area(ww, wh, clip, rs->v[i].x, rs->v[i].y, rs->v[i].w, rs->v[i].h);
	if (area > XS_MAX_DRAW_PIXELS)
		return limit(err, XP_OP_FILL_RECTS, "pixels", area, XS_MAX_DRAW_PIXELS);
	*units = area / 2 + (uint64_t)rs->n * 16;
	return 0;
}

static int image_cost(uint32_t ww, uint32_t wh, const struct xp_rect *clip,
                      const struct xp_msg_image *im, uint64_t *units, struct xp_error *err)
{
	uint64_t pixels = (uint64_t)im->w * im->h;
	if (pixels > XR_IMG_MAX_PIXELS)
		return limit(err, XP_OP_IMAGE, "pixels", pixels, XR_IMG_MAX_PIXELS);
	*units = pixels * 3 + xs_clipped_area(ww, wh, clip, im->x, im->y, im->w, im->h) / 2;
	return 0;
}

int xs_draw_cost(uint32_t ww, uint32_t wh, const struct xp_rect *clip, const struct xp_msg *m,
                 uint64_t *units, struct xp_error *err)
{
	*units = 0;
	switch (m->op) {
	case XP_OP_FILL:
		*units = xs_clipped_area(ww, wh, clip, m->u.fill.x, m->u.fill.y, m->u.fill.w,
		                         m->u.fill.h) /
		         2;
		return 0;
	case XP_OP_FILL_RECTS:
		return rects_cost(ww, wh, clip, &m->u.fill_rects.rects, units, err);
	case XP_OP_COPY:
		*units = xs_clipped_area(ww, wh, clip, m->u.copy.dx, m->u.copy.dy, m->u.copy.w,
		                         m->u.copy.h) /
		         2;
		return 0;
	case XP_OP_BITMAP:
		*units = xs_clipped_area(ww, wh, clip, m->u.bitmap.x, m->u.bitmap.y, m->u.bitmap.w,
		                         m->u.bitmap.h) *
		         2;
		return 0;
	case XP_OP_TEXT:
		if (m->u.text.text.n > XS_MAX_TEXT)
			return limit(err, XP_OP_TEXT, "bytes", m->u.text.text.n, XS_MAX_TEXT);
		/* a cell is 6x13 pixels; cells outside the window cost their lookup */
		*units = (uint64_t)m->u.text.text.n * 8 +
		         xs_clipped_area(ww, wh, clip, m->u.text.x, m->u.text.y,
		                         (int64_t)m->u.text.text.n * 6, 13) /
		             2;
		return 0;
	case XP_OP_IMAGE:
		return image_cost(ww, wh, clip, &m->u.image, units, err);
	default:
		return 0;
	}
}

/* Rows [y, y + h) narrowed to the window and the clip, added to [*y0, *y1). */
static void add_rows(uint32_t wh, const struct xp_rect *clip, int64_t y, int64_t h, int64_t *y0,
                     int64_t *y1)
{
	int64_t a = y > 0 ? y : 0, b = y + h < (int64_t)wh ? y + h : (int64_t)wh;
	if (clip && clip->w) {
		a = a > clip->y ? a : clip->y;
		b = b < (int64_t)clip->y + clip->h ? b : (int64_t)clip->y + clip->h;
	}
	if (b <= a)
		return;
	if (*y1 <= *y0) {
		*y0 = a, *y1 = b;
		return;
	}
	*y0 = a < *y0 ? a : *y0;
	*y1 = b > *y1 ? b : *y1;
}

int xs_draw_rows(uint32_t ww, uint32_t wh, const struct xp_rect *clip, const struct xp_msg *m,
                 int64_t *y0, int64_t *y1)
{
	(void)ww;
	*y0 = *y1 = 0;
	switch (m->op) {
	case XP_OP_FILL:
		add_rows(wh, clip, m->u.fill.y, m->u.fill.h, y0, y1);
		return 0;
	case XP_OP_FILL_RECTS:
		for (uint32_t i = 0; i < m->u.fill_rects.rects.n; i++)
			add_rows(wh, clip, m->u.fill_rects.rects.v[i].y,
			         m->u.fill_rects.rects.v[i].h, y0, y1);
		return 0;
	case XP_OP_COPY:
		add_rows(wh, clip, m->u.copy.dy, m->u.copy.h, y0, y1);
		return 0;
	case XP_OP_BITMAP:
		add_rows(wh, clip, m->u.bitmap.y, m->u.bitmap.h, y0, y1);
		return 0;
	case XP_OP_IMAGE:
		add_rows(wh, clip, m->u.image.y, m->u.image.h, y0, y1);
		return 0;
	default:
		return -1;
	}
}
