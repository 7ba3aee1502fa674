/*
 * draw.c - the drawing calls of libxpapp: each sets only the state it needs
 * (target, GC, clip) and only when it changed, then queues one message.
 */
#include <string.h>

#include "xpapp_int.h"

static int set_target(struct xa_display *d, uint32_t win)
{
	if (d->sent.target == win)
		return 0;
	struct xp_msg m = {.op = XP_OP_TARGET};
	m.u.target.win = win;
	d->sent.target = win;
	return xa_send(d, &m);
}

static int set_gc(struct xa_display *d, uint32_t fg, uint32_t bg, uint32_t font, uint32_t flags)
{
	struct xa_state *s = &d->sent;
	if (s->fg == fg && s->bg == bg && s->font == font && s->flags == flags)
		return 0;
	struct xp_msg m = {.op = XP_OP_GC};
	m.u.gc = (struct xp_msg_gc){fg, bg, font, flags};
	s->fg = fg, s->bg = bg, s->font = font, s->flags = flags;
	return xa_send(d, &m);
}

int xa_clip(struct xa_display *d, uint32_t win, const struct xp_rect *r)
{
	struct xp_rect want = r ? *r : (struct xp_rect){0, 0, 0, 0};
	if (set_target(d, win) < 0)
		return -1;
	if (!memcmp(&want, &d->sent.clip, sizeof(want)))
		return 0;
	struct xp_msg m = {.op = XP_OP_CLIP};
	m.u.clip = (struct xp_msg_clip){want.x, want.y, want.w, want.h};
	d->sent.clip = want;
	return xa_send(d, &m);
}

int xa_fill(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
            uint32_t color)
{
	struct xa_state *s = &d->sent;
	if (set_target(d, win) < 0 || set_gc(d, color, s->bg, s->font, s->flags) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){x, y, w, h};
	return xa_send(d, &m);
}

int xa_fill_rects(struct xa_display *d, uint32_t win, const struct xp_rect *r, uint32_t n,
                  uint32_t color)
{
	struct xa_state *s = &d->sent;
	if (set_target(d, win) < 0 || set_gc(d, color, s->bg, s->font, s->flags) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_FILL_RECTS};
	m.u.fill_rects.rects = (struct xp_rects){n, r};
	return xa_send(d, &m);
}

int xa_copy(struct xa_display *d, uint32_t win, int32_t sx, int32_t sy, uint32_t w, uint32_t h,
            int32_t dx, int32_t dy)
{
	if (set_target(d, win) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_COPY};
	m.u.copy = (struct xp_msg_copy){sx, sy, w, h, dx, dy};
	return xa_send(d, &m);
}

int xa_bitmap(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
              const uint8_t *bits, size_t len, uint32_t fg, uint32_t bg, bool transparent)
{
	if (len > UINT32_MAX || set_target(d, win) < 0 ||
	    set_gc(d, fg, bg, d->sent.font, transparent ? XP_GC_TRANSPARENT : 0) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_BITMAP};
	m.u.bitmap = (struct xp_msg_bitmap){x, y, w, h, {bits, (uint32_t)len}};
	return xa_send(d, &m);
}

int xa_text(struct xa_display *d, uint32_t win, int32_t x, int32_t y, const char *utf8, size_t len,
            uint32_t font, uint32_t fg, uint32_t bg)
{
	if (len > UINT32_MAX || set_target(d, win) < 0 || set_gc(d, fg, bg, font, 0) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_TEXT};
	m.u.text = (struct xp_msg_text){x, y, {utf8, (uint32_t)len}};
	return xa_send(d, &m);
}

int xa_image_keep(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
                  uint8_t format, const void *data, size_t len, uint32_t cache_id)
{
	if (len > UINT32_MAX || set_target(d, win) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){x, y, w, h, format, cache_id, {data, (uint32_t)len}};
	return xa_send(d, &m);
}

int xa_image(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
             uint8_t format, const void *data, size_t len)
{
	return xa_image_keep(d, win, x, y, w, h, format, data, len, 0);
}

int xa_image_cached(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t cache_id)
{
	if (set_target(d, win) < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_IMAGE_CACHED};
	m.u.image_cached = (struct xp_msg_image_cached){x, y, cache_id};
	return xa_send(d, &m);
}

int xa_cache_drop(struct xa_display *d, uint32_t cache_id)
{
	struct xp_msg m = {.op = XP_OP_CACHE_DROP};
	m.u.cache_drop.cache_id = cache_id;
	return xa_send(d, &m);
}
