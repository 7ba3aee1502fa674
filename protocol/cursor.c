/*
 * cursor.c - what a CURSOR message means, checked once for every receiver
 * (the server for apps, the thin client for the server), and its pixels as
 * premultiplied ARGB, the form X's Render and XFIXES use.
 */
#include "xproto.h"

size_t xp_cursor_data_len(uint8_t format, uint32_t w, uint32_t h)
{
	if (w > XP_CURSOR_MAX_DIM || h > XP_CURSOR_MAX_DIM)
		return 0; /* keeps the products small */
	if (format == XP_CURSOR_ARGB)
		return (size_t)w * h * 4;
	if (format == XP_CURSOR_MASK)
		return (size_t)(w + 7) / 8 * h * 2;
	return 0;
}

/* No colour of a premultiplied ARGB pixel may exceed its alpha. */
static bool premultiplied(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4)
		if (p[i + 1] > p[i] || p[i + 2] > p[i] || p[i + 3] > p[i])
			return false;
	return true;
}

int xp_cursor_check(const struct xp_msg_cursor *c, struct xp_error *err)
{
	if (c->id < 1 || c->id > XP_CURSOR_IDS)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_CURSOR,
		                    "CURSOR: id %u outside 1..%u", c->id, XP_CURSOR_IDS);
	if (c->w < 1 || c->h < 1 || c->w > XP_CURSOR_MAX_DIM || c->h > XP_CURSOR_MAX_DIM)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_CURSOR,
		                    "CURSOR: size %ux%u outside 1..%u", c->w, c->h,
		                    XP_CURSOR_MAX_DIM);
	if (c->hot_x >= c->w || c->hot_y >= c->h)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_CURSOR,
		                    "CURSOR: hot spot %u,%u outside %ux%u", c->hot_x, c->hot_y,
		                    c->w, c->h);
	size_t want = xp_cursor_data_len(c->format, c->w, c->h);
	if (!want)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_CURSOR,
		                    "CURSOR: unknown format %u", c->format);
	if (c->data.n != want)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_CURSOR,
		                    "CURSOR: data of %u bytes, %zu expected", c->data.n, want);
	if (c->format == XP_CURSOR_ARGB && !premultiplied(c->data.p, want))
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_CURSOR,
		                    "CURSOR: a colour above its alpha (not premultiplied)");
	return 0;
}

static bool bit(const uint8_t *plane, size_t stride, uint32_t x, uint32_t y)
{
	return plane[y * stride + x / 8] & (0x80u >> (x % 8));
}

void xp_cursor_argb(const struct xp_msg_cursor *c, uint32_t *argb)
{
	const uint8_t *p = c->data.p;
	size_t stride = (c->w + 7) / 8, plane = stride * c->h;
	for (uint32_t y = 0; y < c->h; y++) {
		for (uint32_t x = 0; x < c->w; x++, argb++) {
			if (c->format == XP_CURSOR_ARGB) {
				const uint8_t *q = p + ((size_t)y * c->w + x) * 4;
				*argb = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
				        (uint32_t)q[2] << 8 | q[3];
			} else if (!bit(p + plane, stride, x, y)) {
				*argb = 0; /* outside the shape: transparent */
			} else {
				*argb = 0xff000000u | (bit(p, stride, x, y) ? c->fg : c->bg);
			}
		}
	}
}
