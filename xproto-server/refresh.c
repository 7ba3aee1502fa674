/*
 * refresh.c - send the current pixels of a window area as compactly as the
 * protocol allows, through the renderer's encoder (xr_enc_refresh: one FILL
 * with the dominant colour, then text as TEXT, two-colour tiles as BITMAPs,
 * the rest as images). Used for the full refresh of an attaching client and
 * to repair a client that fell behind. Sticky state goes out through
 * xs_set_state() (update.c), which sends only what the client lacks.
 */
#include <stdlib.h>

#include "server_int.h"

/* Whether @r is not empty and lies inside @fb (64-bit sums: no field can wrap). */
static bool inside(const struct xr_fb *fb, struct xr_rect r)
{
	return r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && (int64_t)r.x + r.w <= (int64_t)fb->w &&
	       (int64_t)r.y + r.h <= (int64_t)fb->h;
}

/* Raw RGB rides in the compressed stream; without one, compress it here. */
int xs_image_payload(const struct xs_peer *c, const struct xr_fb *fb, struct xr_rect r,
                     uint8_t **data, size_t *len, uint8_t *format)
{
	*data = NULL;
	*len = 0;
	if (!inside(fb, r))
		return -1;
	if (!xp_conn_zlib_out(&c->conn)) {
		*format = XP_IMG_ZLIB;
		return xr_encode_zlib(fb, r, 6, data, len);
	}
	*format = XP_IMG_RAW;
	*len = (size_t)r.w * (size_t)r.h * 3;
	*data = malloc(*len);
	if (!*data) {
		*len = 0;
		return -1;
	}
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

/* The encoder's commands to one client, through the sticky-state encoder. */
struct emit_ctx {
	struct xs_peer *c;
	const struct xs_window *w;
};

static int on_fill(void *ctx, struct xr_rect r, uint32_t col)
{
	struct emit_ctx *x = ctx;
	struct xs_peer *c = x->c;
	if (xs_set_state(c, x->w->id, col, c->out.bg, c->out.font, c->out.flags, NULL) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){r.x, r.y, (uint32_t)r.w, (uint32_t)r.h};
	return xs_peer_send(c, &m);
}

static int on_bitmap(void *ctx, struct xr_rect r, const uint8_t *bits, size_t len, uint32_t fg,
                     uint32_t bg)
{
	struct emit_ctx *x = ctx;
	if (xs_set_state(x->c, x->w->id, fg, bg, x->c->out.font, 0, NULL) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_BITMAP};
	m.u.bitmap =
	    (struct xp_msg_bitmap){r.x, r.y, (uint32_t)r.w, (uint32_t)r.h, {bits, (uint32_t)len}};
	return xs_peer_send(x->c, &m);
}

static int on_text(void *ctx, int px, int py, const char *utf8, size_t len, int font, uint32_t fg,
                   uint32_t bg)
{
	struct emit_ctx *x = ctx;
	if (xs_set_state(x->c, x->w->id, fg, bg, (uint32_t)font, 0, NULL) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_TEXT};
	m.u.text = (struct xp_msg_text){px, py, {utf8, (uint32_t)len}};
	return xs_peer_send(x->c, &m);
}

static int on_image(void *ctx, const struct xr_fb *fb, struct xr_rect r)
{
	struct emit_ctx *x = ctx;
	struct xs_peer *c = x->c;
	uint8_t *data = NULL, format;
	size_t len = 0;
	if (xs_image_payload(c, fb, r, &data, &len, &format) < 0)
		return -1;
	if (xs_set_state(c, x->w->id, c->out.fg, c->out.bg, c->out.font, c->out.flags, NULL) < 0) {
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

int xs_refresh_area(struct xs_peer *c, const struct xs_window *w, struct xr_rect r)
{
	struct emit_ctx x = {c, w};
	const struct xr_emit e = {&x, on_fill, on_bitmap, on_text, on_image, NULL};
	/* the client's colours are preferred, so that its GC changes less */
	struct xr_enc st = {.fg = c->out.fg, .bg = c->out.bg, .font = (int)c->out.font};
	return xr_enc_refresh(&st, &w->fb, r, &e);
}
