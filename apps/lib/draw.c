/*
 * draw.c - the drawing calls of libxpapp: each brings the server's copy of
 * our drawing state (d->sent) to what the call needs, sending TARGET, GC or
 * CLIP only for what changed (libxpdraw's xd_state_sync), then queues one
 * message.
 */
#include "xpapp_int.h"

static int emit(void *d, const struct xp_msg *m)
{
	return xa_send(d, m);
}

/* Make the server hold @want in the parts drawing message @op reads. */
static int set_state(struct xa_display *d, const struct xd_state *want, uint8_t op)
{
	return xd_state_sync(&d->sent, want, xd_reads(op), emit, d);
}

/* The state as sent, drawing into @win: callers change what they need. */
static struct xd_state in_window(const struct xa_display *d, uint32_t win)
{
	struct xd_state s = d->sent;
	s.target = win;
	return s;
}

int xa_clip(struct xa_display *d, uint32_t win, const struct xp_rect *r)
{
	struct xd_state want = in_window(d, win);
	want.clip = r ? *r : (struct xp_rect){0, 0, 0, 0};
	return xd_state_sync(&d->sent, &want, XD_TARGET | XD_CLIP, emit, d);
}

int xa_fill(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
            uint32_t color)
{
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_FILL};
	want.fg = color;
	if (set_state(d, &want, m.op) < 0)
		return -1;
	m.u.fill = (struct xp_msg_fill){x, y, w, h};
	return xa_send(d, &m);
}

int xa_fill_rects(struct xa_display *d, uint32_t win, const struct xp_rect *r, uint32_t n,
                  uint32_t color)
{
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_FILL_RECTS};
	want.fg = color;
	if (set_state(d, &want, m.op) < 0)
		return -1;
	m.u.fill_rects.rects = (struct xp_rects){n, r};
	return xa_send(d, &m);
}

int xa_copy(struct xa_display *d, uint32_t win, int32_t sx, int32_t sy, uint32_t w, uint32_t h,
            int32_t dx, int32_t dy)
{
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_COPY};
	if (set_state(d, &want, m.op) < 0)
		return -1;
	m.u.copy = (struct xp_msg_copy){sx, sy, w, h, dx, dy};
	return xa_send(d, &m);
}

int xa_bitmap(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
              const uint8_t *bits, size_t len, uint32_t fg, uint32_t bg, bool transparent)
{
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_BITMAP};
	want.fg = fg;
	want.bg = bg;
	want.flags = transparent ? XP_GC_TRANSPARENT : 0;
	if (len > UINT32_MAX || set_state(d, &want, m.op) < 0)
		return -1;
	m.u.bitmap = (struct xp_msg_bitmap){x, y, w, h, {bits, (uint32_t)len}};
	return xa_send(d, &m);
}

int xa_text(struct xa_display *d, uint32_t win, int32_t x, int32_t y, const char *utf8, size_t len,
            uint32_t font, uint32_t fg, uint32_t bg)
{
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_TEXT};
	want.fg = fg;
	want.bg = bg;
	want.font = font;
	want.flags = 0;
	if (len > UINT32_MAX || set_state(d, &want, m.op) < 0)
		return -1;
	m.u.text = (struct xp_msg_text){x, y, {utf8, (uint32_t)len}};
	return xa_send(d, &m);
}

int xa_image_keep(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
                  uint8_t format, const void *data, size_t len, uint32_t cache_id)
{
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_IMAGE};
	if (len > UINT32_MAX || set_state(d, &want, m.op) < 0)
		return -1;
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
	struct xd_state want = in_window(d, win);
	struct xp_msg m = {.op = XP_OP_IMAGE_CACHED};
	if (set_state(d, &want, m.op) < 0)
		return -1;
	m.u.image_cached = (struct xp_msg_image_cached){x, y, cache_id};
	return xa_send(d, &m);
}

int xa_cache_drop(struct xa_display *d, uint32_t cache_id)
{
	struct xp_msg m = {.op = XP_OP_CACHE_DROP};
	m.u.cache_drop.cache_id = cache_id;
	return xa_send(d, &m);
}
