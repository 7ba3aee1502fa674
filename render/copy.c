/*
 * copy.c - copies within one framebuffer (scrolling).
 *
 * The destination is clipped to the framebuffer and the clip, and further to
 * where the source lies inside the framebuffer: destination pixels with no
 * source pixel are left unchanged. Rows are moved with memmove (which handles
 * horizontal overlap) in bottom-up order when the copy moves down, so an
 * overlapping source row is never overwritten before it is read.
 */
#include <string.h>

#include "render_int.h"

struct xr_rect xr_copy(struct xr_fb *fb, const struct xr_rect *clip, int sx, int sy, int w, int h,
                       int dx, int dy)
{
	int64_t ox = (int64_t)dx - sx, oy = (int64_t)dy - sy;
	struct xr_rect src_in_fb = xr_clip_area(fb, NULL, sx, sy, w, h);
	struct xr_rect v;
	size_t stride = (size_t)fb->stride, bytes;
	int first, last, step;

	if (xr_rect_empty(src_in_fb))
		return src_in_fb;
	/* the source part inside fb, moved to the destination, then clipped */
	v = xr_clip_area(fb, clip, src_in_fb.x + ox, src_in_fb.y + oy, src_in_fb.w, src_in_fb.h);
	if (xr_rect_empty(v) || (ox == 0 && oy == 0))
		return v;
	bytes = (size_t)v.w * sizeof(uint32_t);
	first = oy > 0 ? v.h - 1 : 0;
	last = oy > 0 ? -1 : v.h;
	step = oy > 0 ? -1 : 1;
	for (int i = first; i != last; i += step) {
		size_t drow = (size_t)(v.y + i), srow = (size_t)(v.y + i - oy);
		uint32_t *d = fb->px + drow * stride + (size_t)v.x;
		const uint32_t *s = fb->px + srow * stride + (size_t)(v.x - ox);

		memmove(d, s, bytes);
	}
	return v;
}
