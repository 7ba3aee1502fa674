/*
 * scale.c - integer scaling for HiDPI screens (--scale N): every logical
 * pixel becomes an N x N block (nearest neighbour), so text stays as crisp
 * as the server drew it. The session, the protocol and every coordinate the
 * server sees stay in logical pixels: what crosses the wire does not depend
 * on the scale. Also the default scale from an X screen's resolution.
 */
#include <stdlib.h>
#include <string.h>

#include "thin_int.h"

void tc_scale_copy(const struct xr_fb *src, struct xr_rect r, int s, uint32_t *dst,
                   size_t dst_stride, int dx, int dy)
{
	for (int y = 0; y < r.h; y++) {
		const uint32_t *in =
		    src->px + (size_t)(r.y + y) * (size_t)src->stride + (size_t)r.x;
		uint32_t *out = dst + (size_t)(dy + y * s) * dst_stride + (size_t)dx;
		if (s == 1) {
			memcpy(out, in, (size_t)r.w * 4);
			continue;
		}
		for (int x = 0; x < r.w; x++)
			for (int k = 0; k < s; k++)
				out[x * s + k] = in[x];
		for (int k = 1; k < s; k++) /* the other rows of the block: the same */
			memcpy(out + (size_t)k * dst_stride, out, (size_t)r.w * (size_t)s * 4);
	}
}

int tc_scale_fb(const struct xr_fb *src, int s, struct xr_fb *dst)
{
	if (s < 1 || s > TC_SCALE_MAX || xr_fb_init(dst, src->w * s, src->h * s) < 0)
		return -1;
	tc_scale_copy(src, (struct xr_rect){0, 0, src->w, src->h}, s, dst->px, (size_t)dst->stride,
	              0, 0);
	return 0;
}

struct xr_rect tc_scale_down(struct xr_rect phys, int s)
{
	int x0 = phys.x / s, y0 = phys.y / s;
	int x1 = (phys.x + phys.w + s - 1) / s, y1 = (phys.y + phys.h + s - 1) / s;
	return (struct xr_rect){x0, y0, x1 - x0, y1 - y0};
}

int tc_scale_for_dpi(double dpi)
{
	return dpi >= 240 ? 3 : dpi >= 144 ? 2 : 1;
}
