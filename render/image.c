/*
 * image.c - decoding RAW, ZLIB and PNG images from hostile data and drawing
 * them.
 *
 * An image is decoded completely and checked before a single pixel is
 * drawn, whatever the clip, so a malformed image has the same effect (none)
 * on the server and on every client. Sizes are bounded by XR_FB_MAX_DIM and
 * XR_IMG_MAX_PIXELS before any allocation.
 */
#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

#include "render_int.h"

size_t xr_img_rgb_size(int w, int h)
{
	if (w <= 0 || h <= 0 || w > XR_FB_MAX_DIM || h > XR_FB_MAX_DIM)
		return 0;
	if ((size_t)w * (size_t)h > XR_IMG_MAX_PIXELS)
		return 0;
	return (size_t)w * (size_t)h * 3;
}

struct xr_rect xr_blit_rgb(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h,
                           const uint8_t *rgb)
{
	struct xr_rect v = xr_clip_area(fb, clip, x, y, w, h);

	for (int r = 0; r < v.h; r++) {
		uint32_t *dst = fb->px + (size_t)(v.y + r) * (size_t)fb->stride + (size_t)v.x;
		const uint8_t *src =
		    rgb + ((size_t)(v.y + r - y) * (size_t)w + (size_t)(v.x - x)) * 3;

		for (int c = 0; c < v.w; c++, src += 3)
			dst[c] = (uint32_t)src[0] << 16 | (uint32_t)src[1] << 8 | src[2];
	}
	return v;
}

/* Inflate exactly @out_len bytes: the stream must end there and use all of
 * @data. */
static int inflate_exact(const uint8_t *data, size_t len, uint8_t *out, size_t out_len)
{
	z_stream zs = {0};
	int ret = Z_DATA_ERROR;

	if (len > UINT_MAX || out_len > UINT_MAX)
		return -1;
	if (inflateInit(&zs) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)data; /* zlib's API is not const-correct */
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)out_len;
	ret = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (ret != Z_STREAM_END || zs.avail_out != 0 || zs.avail_in != 0)
		return -1;
	return 0;
}

/* Decode @data into a malloc'd RGB buffer of @size bytes, or NULL. */
static uint8_t *decode(int format, const uint8_t *data, size_t len, int w, int h, size_t size)
{
	uint8_t *rgb = NULL;
	int pw, ph;

	if (format == XR_IMG_ZLIB) {
		rgb = malloc(size);
		if (rgb && inflate_exact(data, len, rgb, size) < 0)
			goto err_free;
	} else if (format == XR_IMG_PNG) {
		if (xr_png_decode(data, len, w, h, &rgb, &pw, &ph) < 0)
			return NULL;
	}
	return rgb;

err_free:
	free(rgb);
	return NULL;
}

int xr_image(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h, int format,
             const void *data, size_t len, struct xr_rect *damage)
{
	size_t size = xr_img_rgb_size(w, h);
	uint8_t *rgb;

	*damage = (struct xr_rect){0, 0, 0, 0};
	if (size == 0 || (!data && len > 0))
		return -1;
	if (format == XR_IMG_RAW) {
		if (len != size)
			return -1;
		*damage = xr_blit_rgb(fb, clip, x, y, w, h, data);
		return 0;
	}
	if (format != XR_IMG_ZLIB && format != XR_IMG_PNG)
		return -1;
	rgb = decode(format, data, len, w, h, size);
	if (!rgb)
		return -1;
	*damage = xr_blit_rgb(fb, clip, x, y, w, h, rgb);
	free(rgb);
	return 0;
}
