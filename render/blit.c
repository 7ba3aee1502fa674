/*
 * blit.c - copy one framebuffer into another (window contents onto a
 * screen, cached images into a window).
 */
#include <string.h>

#include "render_int.h"

struct xr_rect xr_blit(struct xr_fb *dst, const struct xr_rect *clip, int x, int y,
                       const struct xr_fb *src)
{
	struct xr_rect v = xr_clip_area(dst, clip, x, y, src->w, src->h);
	for (int r = 0; r < v.h; r++) {
		uint32_t *d = dst->px + (size_t)(v.y + r) * (size_t)dst->stride + (size_t)v.x;
		/* v lies inside src moved to (x, y): both offsets are in 0..src size */
		const uint32_t *s = src->px +
		                    (size_t)((long long)v.y + r - y) * (size_t)src->stride +
		                    (size_t)((long long)v.x - x);
		memcpy(d, s, (size_t)v.w * sizeof(uint32_t));
	}
	return v;
}
