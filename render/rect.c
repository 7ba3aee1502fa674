/*
 * rect.c - rectangle helpers and the clipping every drawing operation uses.
 *
 * Inputs may be hostile ints (x + w can exceed INT_MAX), so all edge
 * arithmetic is done in int64_t; results always fit in an int.
 */
#include <limits.h>

#include "render_int.h"

static const struct xr_rect empty_rect = {0, 0, 0, 0};

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}
static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

bool xr_rect_empty(struct xr_rect r)
{
	return r.w <= 0 || r.h <= 0;
}

struct xr_rect xr_rect_intersect(struct xr_rect a, struct xr_rect b)
{
	int64_t x0 = max64(a.x, b.x), y0 = max64(a.y, b.y);
	int64_t x1 = min64((int64_t)a.x + a.w, (int64_t)b.x + b.w);
	int64_t y1 = min64((int64_t)a.y + a.h, (int64_t)b.y + b.h);

	if (xr_rect_empty(a) || xr_rect_empty(b) || x1 <= x0 || y1 <= y0)
		return empty_rect;
	return (struct xr_rect){(int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0)};
}

struct xr_rect xr_rect_union(struct xr_rect a, struct xr_rect b)
{
	int64_t x0, y0, x1, y1;

	if (xr_rect_empty(a))
		return xr_rect_empty(b) ? empty_rect : b;
	if (xr_rect_empty(b))
		return a;
	x0 = min64(a.x, b.x);
	y0 = min64(a.y, b.y);
	x1 = max64((int64_t)a.x + a.w, (int64_t)b.x + b.w);
	y1 = max64((int64_t)a.y + a.h, (int64_t)b.y + b.h);
	return (struct xr_rect){(int)x0, (int)y0, (int)min64(x1 - x0, INT_MAX),
	                        (int)min64(y1 - y0, INT_MAX)};
}

struct xr_rect xr_clip_area(const struct xr_fb *fb, const struct xr_rect *clip, int64_t x,
                            int64_t y, int64_t w, int64_t h)
{
	int64_t x0 = max64(x, 0), y0 = max64(y, 0);
	int64_t x1 = min64(x + w, fb->w), y1 = min64(y + h, fb->h);

	if (w <= 0 || h <= 0)
		return empty_rect;
	if (clip) {
		if (xr_rect_empty(*clip))
			return empty_rect;
		x0 = max64(x0, clip->x);
		y0 = max64(y0, clip->y);
		x1 = min64(x1, (int64_t)clip->x + clip->w);
		y1 = min64(y1, (int64_t)clip->y + clip->h);
	}
	if (x1 <= x0 || y1 <= y0)
		return empty_rect;
	return (struct xr_rect){(int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0)};
}
