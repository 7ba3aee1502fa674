/*
 * fill.c - solid rectangle fills.
 *
 * Short spans use a loop the compiler vectorises (module.mk builds the
 * renderer with -ftree-vectorize); long spans on x86-64 use rep stosl, which
 * reaches memset speed where 16-byte vector stores reach about half of it. A
 * fill that covers whole rows of the framebuffer is done as one span.
 */
#include "render_int.h"

/* Spans at least this long use the string-store instruction on x86-64. */
#define LONG_SPAN 64

void xr_fill_span(uint32_t *restrict p, size_t n, uint32_t color)
{
#if defined(__x86_64__) && defined(__GNUC__)
	/* rep stosl runs at memset speed (fast-string microcode) and stores
	 * exactly the same pixels as the loop below */
	if (n >= LONG_SPAN) {
		__asm__ volatile("rep stosl" : "+D"(p), "+c"(n) : "a"(color) : "memory");
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		p[i] = color;
}

struct xr_rect xr_fill(struct xr_fb *fb, const struct xr_rect *clip, int x, int y, int w, int h,
                       uint32_t color)
{
	struct xr_rect v = xr_clip_area(fb, clip, x, y, w, h);
	uint32_t *row;

	if (xr_rect_empty(v))
		return v;
	color &= XR_COLOR_MASK;
	row = fb->px + (size_t)v.y * (size_t)fb->stride + (size_t)v.x;
	if (v.w == fb->stride) {
		xr_fill_span(row, (size_t)v.w * (size_t)v.h, color);
		return v;
	}
	for (int i = 0; i < v.h; i++, row += fb->stride)
		xr_fill_span(row, (size_t)v.w, color);
	return v;
}
