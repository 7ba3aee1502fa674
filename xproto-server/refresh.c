/*
 * refresh.c - send the current pixels of a window area as compactly as the
 * protocol allows: one FILL with the dominant colour, then, band by band,
 * runs of tiles that differ from it as 1-bit BITMAPs when they hold two
 * colours (text) or as images otherwise. Used for the full refresh of an
 * attaching client and to repair a client that fell behind.
 */
#include <stdlib.h>

#include "server_int.h"

#define TILE_W 6 /* one character cell of the 6x13 font: text lines up with tiles */
#define TILE_H 13

/* Up to two distinct colours of a rectangle; returns how many (3 = more). */
static int colours(const struct xr_fb *fb, struct xr_rect r, uint32_t out[2])
{
	int n = 0;
	for (int y = r.y; y < r.y + r.h; y++) {
		const uint32_t *row = fb->px + (size_t)y * (size_t)fb->stride;
		for (int x = r.x; x < r.x + r.w; x++) {
			uint32_t p = row[x] & 0xffffff;
			if (n > 0 && p == out[0])
				continue;
			if (n > 1 && p == out[1])
				continue;
			if (n == 2)
				return 3;
			out[n++] = p;
		}
	}
	return n;
}

static int send_fill(struct xs_peer *c, const struct xs_window *w, struct xr_rect r, uint32_t col)
{
	if (xs_set_state(c, w->id, col, c->out.bg, c->out.font, c->out.flags, NULL) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){r.x, r.y, (uint32_t)r.w, (uint32_t)r.h};
	return xs_peer_send(c, &m);
}

static int send_bitmap(struct xs_peer *c, const struct xs_window *w, struct xr_rect r, uint32_t fg,
                       uint32_t bg)
{
	size_t stride = ((size_t)r.w + 7) / 8, n = stride * (size_t)r.h;
	uint8_t *bits = calloc(1, n ? n : 1);
	if (!bits)
		return -1;
	for (int y = 0; y < r.h; y++) {
		const uint32_t *row = w->fb.px + (size_t)(r.y + y) * (size_t)w->fb.stride + r.x;
		for (int x = 0; x < r.w; x++)
			if ((row[x] & 0xffffff) == fg)
				bits[(size_t)y * stride + (size_t)x / 8] |=
				    (uint8_t)(0x80 >> (x % 8));
	}
	int rc = xs_set_state(c, w->id, fg, bg, c->out.font, 0, NULL);
	struct xp_msg m = {.op = XP_OP_BITMAP};
	m.u.bitmap =
	    (struct xp_msg_bitmap){r.x, r.y, (uint32_t)r.w, (uint32_t)r.h, {bits, (uint32_t)n}};
	if (rc == 0)
		rc = xs_peer_send(c, &m);
	free(bits);
	return rc;
}

/* Raw RGB rides in the compressed stream; without one, compress it here. */
int xs_image_payload(const struct xs_peer *c, const struct xr_fb *fb, struct xr_rect r,
                     uint8_t **data, size_t *len, uint8_t *format)
{
	if (!xp_conn_zlib_out(&c->conn)) {
		*format = XP_IMG_ZLIB;
		return xr_encode_zlib(fb, r, 6, data, len);
	}
	*format = XP_IMG_RAW;
	*len = (size_t)r.w * (size_t)r.h * 3;
	*data = malloc(*len ? *len : 1);
	if (!*data)
		return -1;
	for (int y = 0; y < r.h; y++) {
		const uint32_t *row = fb->px + (size_t)(r.y + y) * (size_t)fb->stride + r.x;
		uint8_t *o = *data + (size_t)y * (size_t)r.w * 3;
		for (int x = 0; x < r.w; x++, o += 3) {
			o[0] = (uint8_t)(row[x] >> 16), o[1] = (uint8_t)(row[x] >> 8);
			o[2] = (uint8_t)row[x];
		}
	}
	return 0;
}

static int send_image(struct xs_peer *c, const struct xs_window *w, struct xr_rect r)
{
	uint8_t *data = NULL, format;
	size_t len = 0;
	if (xs_image_payload(c, &w->fb, r, &data, &len, &format) < 0)
		return -1;
	if (xs_set_state(c, w->id, c->out.fg, c->out.bg, c->out.font, c->out.flags, NULL) < 0) {
		free(data);
		return -1;
	}
	struct xp_msg m = {.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){r.x,    r.y, (uint32_t)r.w,        (uint32_t)r.h,
	                                  format, 0,   {data, (uint32_t)len}};
	int rc = xs_peer_send(c, &m);
	free(data);
	return rc;
}

/*
 * A run of adjacent tiles of one band that differ from the dominant colour,
 * sent as one message: together they hold at most two colours (a FILL or a
 * BITMAP), or each holds more (an image).
 */
struct run {
	int x0, x1, n;
	uint32_t col[2];
	bool many;
};

static int flush_run(struct xs_peer *c, const struct xs_window *w, struct xr_rect band,
                     uint32_t dom, struct run *r)
{
	if (r->x0 < 0)
		return 0;
	struct xr_rect rr = {r->x0, band.y, r->x1 - r->x0, band.h};
	r->x0 = -1;
	if (r->many)
		return send_image(c, w, rr);
	if (r->n == 1)
		return send_fill(c, w, rr, r->col[0]);
	/* the dominant colour (or the first seen) is the background */
	bool swap = r->col[1] == dom;
	return send_bitmap(c, w, rr, swap ? r->col[0] : r->col[1], swap ? r->col[1] : r->col[0]);
}

/* Add a tile's colours to the run if the run stays sendable as one message. */
static bool join(struct run *r, const uint32_t *t, int tn)
{
	if (r->many || tn > 2)
		return r->many && tn > 2;
	uint32_t u[2] = {r->col[0], r->col[1]};
	int un = r->n;
	for (int i = 0; i < tn; i++) {
		if ((un > 0 && u[0] == t[i]) || (un > 1 && u[1] == t[i]))
			continue;
		if (un == 2)
			return false;
		u[un++] = t[i];
	}
	r->col[0] = u[0], r->col[1] = u[1], r->n = un;
	return true;
}

static int send_band(struct xs_peer *c, const struct xs_window *w, struct xr_rect band,
                     uint32_t dom)
{
	struct run r = {.x0 = -1};
	uint32_t tc[2];
	for (int x = band.x; x < band.x + band.w; x += TILE_W) {
		int tw = band.x + band.w - x < TILE_W ? band.x + band.w - x : TILE_W;
		struct xr_rect t = {x, band.y, tw, band.h};
		int tn = colours(&w->fb, t, tc);
		if (tn == 1 && tc[0] == dom) {
			if (flush_run(c, w, band, dom, &r) < 0)
				return -1;
			continue;
		}
		if (r.x0 >= 0 && join(&r, tc, tn)) {
			r.x1 = x + tw;
			continue;
		}
		if (flush_run(c, w, band, dom, &r) < 0)
			return -1;
		r = (struct run){x, x + tw, tn > 2 ? 0 : tn, {tc[0], tn > 1 ? tc[1] : 0}, tn > 2};
	}
	return flush_run(c, w, band, dom, &r);
}

/* The most common colour among the corners and centre: cheap and good. */
static uint32_t dominant(const struct xr_fb *fb, struct xr_rect r)
{
	uint32_t s[5] = {fb->px[(size_t)r.y * fb->stride + r.x],
	                 fb->px[(size_t)r.y * fb->stride + r.x + r.w - 1],
	                 fb->px[(size_t)(r.y + r.h - 1) * fb->stride + r.x],
	                 fb->px[(size_t)(r.y + r.h - 1) * fb->stride + r.x + r.w - 1],
	                 fb->px[(size_t)(r.y + r.h / 2) * fb->stride + r.x + r.w / 2]};
	int best = 0, best_n = 0;
	for (int i = 0; i < 5; i++) {
		int n = 0;
		for (int k = 0; k < 5; k++)
			n += (s[k] & 0xffffff) == (s[i] & 0xffffff);
		if (n > best_n)
			best = i, best_n = n;
	}
	return s[best] & 0xffffff;
}

int xs_refresh_area(struct xs_peer *c, const struct xs_window *w, struct xr_rect r)
{
	r = xr_rect_intersect(r, (struct xr_rect){0, 0, (int)w->w, (int)w->h});
	if (xr_rect_empty(r))
		return 0;
	uint32_t dom = dominant(&w->fb, r);
	if (send_fill(c, w, r, dom) < 0)
		return -1;
	for (int y = r.y; y < r.y + r.h; y += TILE_H) {
		int th = r.y + r.h - y < TILE_H ? r.y + r.h - y : TILE_H;
		if (send_band(c, w, (struct xr_rect){r.x, y, r.w, th}, dom) < 0)
			return -1;
	}
	return 0;
}
