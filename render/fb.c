/*
 * fb.c - framebuffer memory: allocation, resizing and comparison.
 *
 * A framebuffer is a plain array of 0x00RRGGBB pixels; the size is bounded
 * by XR_FB_MAX_DIM so w * h * 4 can never overflow a size_t.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

static bool size_ok(int w, int h)
{
	return w > 0 && h > 0 && w <= XR_FB_MAX_DIM && h <= XR_FB_MAX_DIM &&
	       (size_t)w * (size_t)h <= SIZE_MAX / sizeof(uint32_t);
}

int xr_fb_init(struct xr_fb *fb, int w, int h)
{
	memset(fb, 0, sizeof(*fb));
	if (!size_ok(w, h))
		return -1;
	fb->px = calloc((size_t)w * (size_t)h, sizeof(uint32_t));
	if (!fb->px)
		return -1;
	fb->w = w;
	fb->h = h;
	fb->stride = w;
	return 0;
}

void xr_fb_finish(struct xr_fb *fb)
{
	if (!fb)
		return;
	free(fb->px);
	memset(fb, 0, sizeof(*fb));
}

int xr_fb_resize(struct xr_fb *fb, int w, int h, uint32_t color)
{
	struct xr_fb nfb;
	int cw, ch;

	if (xr_fb_init(&nfb, w, h) < 0)
		return -1;
	cw = fb->w < w ? fb->w : w;
	ch = fb->h < h ? fb->h : h;
	for (int y = 0; y < h; y++) {
		uint32_t *dst = nfb.px + (size_t)y * (size_t)nfb.stride;
		int keep = y < ch ? cw : 0;

		if (keep > 0)
			memcpy(dst, fb->px + (size_t)y * (size_t)fb->stride,
			       (size_t)keep * sizeof(uint32_t));
		xr_fill_span(dst + keep, (size_t)(w - keep), color);
	}
	xr_fb_finish(fb);
	*fb = nfb;
	return 0;
}

bool xr_fb_equal(const struct xr_fb *a, const struct xr_fb *b)
{
	if (a->w != b->w || a->h != b->h)
		return false;
	for (int y = 0; y < a->h; y++) {
		if (memcmp(a->px + (size_t)y * (size_t)a->stride,
		           b->px + (size_t)y * (size_t)b->stride,
		           (size_t)a->w * sizeof(uint32_t)) != 0)
			return false;
	}
	return true;
}
