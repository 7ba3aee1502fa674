/*
 * encode.c - encoding framebuffer pixels as XR_IMG_ZLIB images for the wire.
 *
 * The server sends pixels only for real images; the encoders take a
 * rectangle of a framebuffer and return a malloc'd buffer the caller frees.
 */
#include <stdlib.h>
#include <zlib.h>

#include "render_int.h"

bool xr_rect_in_fb(const struct xr_fb *fb, struct xr_rect r)
{
	return !xr_rect_empty(r) && r.x >= 0 && r.y >= 0 && r.w <= fb->w - r.x &&
	       r.h <= fb->h - r.y;
}

void xr_row_to_rgb(const struct xr_fb *fb, struct xr_rect r, int row, uint8_t *out)
{
	const uint32_t *src = fb->px + (size_t)(r.y + row) * (size_t)fb->stride + (size_t)r.x;

	for (int i = 0; i < r.w; i++, out += 3) {
		out[0] = (uint8_t)(src[i] >> 16);
		out[1] = (uint8_t)(src[i] >> 8);
		out[2] = (uint8_t)src[i];
	}
}

int xr_encode_zlib(const struct xr_fb *fb, struct xr_rect r, int level, uint8_t **out,
                   size_t *out_len)
{
	size_t row_len, raw_len;
	uLongf zlen;
	uint8_t *raw = NULL, *z = NULL;

	*out = NULL;
	*out_len = 0;
	if (!xr_rect_in_fb(fb, r) || level < -1 || level > 9)
		return -1;
	row_len = (size_t)r.w * 3;
	raw_len = row_len * (size_t)r.h;
	raw = malloc(raw_len);
	if (!raw)
		return -1;
	for (int i = 0; i < r.h; i++)
		xr_row_to_rgb(fb, r, i, raw + (size_t)i * row_len);
	zlen = compressBound((uLong)raw_len);
	z = malloc(zlen);
	if (!z || compress2(z, &zlen, raw, (uLong)raw_len, level) != Z_OK)
		goto err_free;
	free(raw);
	*out = z;
	*out_len = zlen;
	return 0;

err_free:
	free(z);
	free(raw);
	return -1;
}
