/*
 * bitmap.c - 1-bit bitmaps (rows padded to whole bytes, MSB first).
 *
 * The bitmap length is checked against w and h before anything is drawn;
 * (w + 7) / 8 * h is computed in size_t with an overflow check.
 */
#include "render_int.h"

static void draw_row(uint32_t *dst, const uint8_t *bits, int c0, int n, uint32_t fg, uint32_t bg,
                     bool transparent_bg)
{
	for (int i = 0; i < n; i++) {
		int c = c0 + i;
		bool on = bits[c >> 3] & (0x80 >> (c & 7));

		if (on)
			dst[i] = fg;
		else if (!transparent_bg)
			dst[i] = bg;
	}
}

int xr_bitmap(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h,
              const uint8_t *bits, size_t bits_len, uint32_t fg, uint32_t bg, bool transparent_bg,
              struct xr_rect *damage)
{
	size_t row_bytes;
	struct xr_rect v;

	*damage = (struct xr_rect){0, 0, 0, 0};
	if (w <= 0 || h <= 0)
		return 0;
	row_bytes = ((size_t)w + 7) / 8;
	if ((size_t)h > SIZE_MAX / row_bytes || bits_len < row_bytes * (size_t)h)
		return -1;
	v = xr_clip_area(fb, clip, x, y, w, h);
	if (xr_rect_empty(v))
		return 0;
	for (int r = 0; r < v.h; r++) {
		uint32_t *dst = fb->px + (size_t)(v.y + r) * (size_t)fb->stride + (size_t)v.x;
		const uint8_t *src = bits + (size_t)(v.y + r - y) * row_bytes;

		draw_row(dst, src, v.x - x, v.w, fg & XR_COLOR_MASK, bg & XR_COLOR_MASK,
		         transparent_bg);
	}
	*damage = v;
	return 0;
}
