/*
 * pngfile.c - reading and writing whole framebuffers as PNG files
 * (screenshots of the headless thin client, test scenes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "xputil.h"

/* Files above this are not PNGs we would accept (XR_IMG_MAX_PIXELS RGB). */
#define PNG_FILE_MAX ((size_t)XR_IMG_MAX_PIXELS * 4)

int xr_png_write_file(const struct xr_fb *fb, const char *path)
{
	struct xr_rect all = {0, 0, fb->w, fb->h};
	uint8_t *png;
	size_t len;
	FILE *f;
	int ret = -1;

	if (xr_encode_png(fb, all, 6, &png, &len) < 0)
		return errno = ENOMEM, -1; /* the whole of a framebuffer: only memory lacks */
	f = fopen(path, "wb");
	if (!f)
		goto err_free;
	if (fwrite(png, 1, len, f) == len)
		ret = 0;
	if (fclose(f) != 0)
		ret = -1;
err_free:
	free(png);
	return ret;
}

/* Read all of @path into a malloc'd buffer of at most PNG_FILE_MAX bytes. */
static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap && (n >= PNG_FILE_MAX ||
		                 XU_ARRAY_RESERVE(buf, cap, n < 65536 ? 65536 : n * 2) < 0))
			goto err_close;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f))
		goto err_close;
	fclose(f);
	*len = n;
	return buf;

err_close:
	fclose(f);
	free(buf);
	return NULL;
}

int xr_png_read_file(const char *path, struct xr_fb *out)
{
	size_t len = 0;
	uint8_t *data = read_all(path, &len), *rgb = NULL;
	int w, h, ret = -1;

	memset(out, 0, sizeof(*out));
	if (!data)
		return -1;
	if (xr_png_decode(data, len, -1, -1, &rgb, &w, &h) < 0)
		goto err_free;
	if (xr_fb_init(out, w, h) < 0)
		goto err_free;
	xr_blit_rgb(out, NULL, 0, 0, w, h, rgb);
	ret = 0;
err_free:
	free(rgb);
	free(data);
	return ret;
}
