/*
 * pixels.c - from X damage to xproto drawing commands.
 *
 * DAMAGE reports every area an X program draws into a top-level (its
 * children included: they draw into the top-level's Composite pixmap).
 * Areas are collected per window and sent in frames: a change after a
 * quiet spell (a typed character) goes out as soon as the program pauses;
 * while a program keeps drawing (a scrolling terminal) frames go at most
 * every FRAME_MS and wait for a pause of SETTLE_MS, so that intermediate
 * states are skipped, not queued. A frame reads only the damaged rows (MIT-SHM) and hands them to
 * the renderer's encoder, which compares them with what the server holds
 * and sends only tiles that differ (a scroll as one COPY). Nothing is read
 * when nothing was drawn.
 */
#include <stdlib.h>
#include <xcb/composite.h>
#include <xcb/damage.h>

#include "x11.h"

#define FRAME_MS  40                   /* at most 25 frames per second while drawing goes on */
#define SETTLE_MS 15                   /* a large change waits until drawing paused this long */
#define MAX_WAIT  250                  /* ms: but no longer than this after it began */
#define QUICK_US  1000                 /* after a quiet spell: the pause that ends a change */
#define LINES_PX  (2 * XR_GLYPH_H + 2) /* a change this high is an echo */

void xb_pixels_track(struct xb *b, struct xb_win *w)
{
	if (w->damage)
		return;
	w->damage = xcb_generate_id(b->xc);
	xcb_damage_create(b->xc, w->damage, w->xid, XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES);
	w->pixmap = xcb_generate_id(b->xc);
	xcb_composite_name_window_pixmap(b->xc, w->xid, w->pixmap);
}

void xb_pixels_untrack(struct xb *b, struct xb_win *w)
{
	if (w->damage)
		xcb_damage_destroy(b->xc, w->damage);
	if (w->pixmap)
		xcb_free_pixmap(b->xc, w->pixmap);
	w->damage = w->pixmap = 0;
	w->dirty = (struct xr_rect){0, 0, 0, 0};
}

static void add_dirty(struct xb_win *w, struct xr_rect r)
{
	r = xr_rect_intersect(r, (struct xr_rect){0, 0, w->w, w->h});
	if (xr_rect_empty(r))
		return;
	w->last_damage = xp_now_us();
	if (xr_rect_empty(w->dirty))
		w->dirty_since = w->last_damage;
	w->dirty = xr_rect_union(w->dirty, r);
}

void xb_pixels_all(struct xb *b, struct xb_win *w)
{
	(void)b;
	add_dirty(w, (struct xr_rect){0, 0, w->w, w->h});
}

bool xb_pixels_damage(struct xb *b, xcb_generic_event_t *ev)
{
	if ((ev->response_type & 0x7f) != b->damage_event + XCB_DAMAGE_NOTIFY)
		return false;
	const xcb_damage_notify_event_t *d = (const xcb_damage_notify_event_t *)ev;
	if (getenv("XP_X11_DEBUG"))
		xb_log("damage 0x%x: %d,%d %ux%u (geometry %d,%d %ux%u)", d->drawable, d->area.x,
		       d->area.y, d->area.width, d->area.height, d->geometry.x, d->geometry.y,
		       d->geometry.width, d->geometry.height);
	for (struct xb_win *w = b->wins; w; w = w->next)
		if (w->damage == d->damage)
			add_dirty(w, (struct xr_rect){d->area.x + w->bw, d->area.y + w->bw,
			                              d->area.width, d->area.height});
	return true;
}

/*
 * After a quiet spell, or when only a line or two changed, a change goes
 * out as soon as the program pauses (QUICK_US): a keystroke's echo costs no
 * waiting. While frames follow each
 * other, one is sent once the program has stopped drawing for SETTLE_MS
 * (the end of a screenful), or MAX_WAIT after the change began if it keeps
 * drawing (a long `cat`), and never sooner than FRAME_MS after the last:
 * intermediate states are skipped, not queued.
 */
int xb_pixels_due(struct xb *b)
{
	uint64_t first = 0, last = 0, now = xp_now_us(), at;
	bool lines = true; /* only a line or two changed: an echo, not a stream */
	for (struct xb_win *w = b->wins; w; w = w->next) {
		if (xr_rect_empty(w->dirty) || !w->id)
			continue;
		lines &= w->dirty.h <= LINES_PX;
		if (!first || w->dirty_since < first)
			first = w->dirty_since;
		if (w->last_damage > last)
			last = w->last_damage;
	}
	if (!first)
		return -1;
	if (lines || first >= b->last_frame_us + FRAME_MS * 1000u) {
		at = last + QUICK_US;
	} else {
		at = last + SETTLE_MS * 1000u;
		if (at > first + MAX_WAIT * 1000u)
			at = first + MAX_WAIT * 1000u;
		if (at < b->last_frame_us + FRAME_MS * 1000u)
			at = b->last_frame_us + FRAME_MS * 1000u;
	}
	return now >= at ? 0 : (int)((at - now + 999) / 1000);
}

/* ---- the encoder's commands, through libxpapp ---- */

struct out {
	struct xa_display *d;
	uint32_t win;
};

static int e_fill(void *ctx, struct xr_rect r, uint32_t col)
{
	struct out *o = ctx;
	if (getenv("XP_X11_DEBUG"))
		xb_log("FILL %d,%d %dx%d %06x", r.x, r.y, r.w, r.h, col);
	return xa_fill(o->d, o->win, r.x, r.y, (uint32_t)r.w, (uint32_t)r.h, col);
}

static int e_bitmap(void *ctx, struct xr_rect r, const uint8_t *bits, size_t len, uint32_t fg,
                    uint32_t bg)
{
	struct out *o = ctx;
	if (getenv("XP_X11_DEBUG"))
		xb_log("BITMAP %d,%d %dx%d %06x/%06x", r.x, r.y, r.w, r.h, fg, bg);
	return xa_bitmap(o->d, o->win, r.x, r.y, (uint32_t)r.w, (uint32_t)r.h, bits, len, fg, bg,
	                 false);
}

static int e_text(void *ctx, int x, int y, const char *utf8, size_t len, int font, uint32_t fg,
                  uint32_t bg)
{
	struct out *o = ctx;
	if (getenv("XP_X11_DEBUG"))
		xb_log("TEXT %d,%d %06x/%06x '%.*s'", x, y, fg, bg, (int)len, utf8);
	return xa_text(o->d, o->win, x, y, utf8, len, (uint32_t)font, fg, bg);
}

/* Raw RGB: the server forwards it inside each client's compressed stream. */
static int e_image(void *ctx, const struct xr_fb *fb, struct xr_rect r)
{
	struct out *o = ctx;
	size_t len = (size_t)r.w * (size_t)r.h * 3;
	uint8_t *rgb = malloc(len ? len : 1), *p = rgb;
	if (!rgb)
		return -1;
	for (int y = r.y; y < r.y + r.h; y++) {
		const uint32_t *row = fb->px + (size_t)y * (size_t)fb->stride;
		for (int x = r.x; x < r.x + r.w; x++, p += 3)
			p[0] = (uint8_t)(row[x] >> 16), p[1] = (uint8_t)(row[x] >> 8),
			p[2] = (uint8_t)row[x];
	}
	int rc =
	    xa_image(o->d, o->win, r.x, r.y, (uint32_t)r.w, (uint32_t)r.h, XP_IMG_RAW, rgb, len);
	free(rgb);
	return rc;
}

static int e_copy(void *ctx, struct xr_rect src, int dx, int dy)
{
	struct out *o = ctx;
	return xa_copy(o->d, o->win, src.x, src.y, (uint32_t)src.w, (uint32_t)src.h, dx, dy);
}

/* Send all of @w as to a receiver that knows nothing, and start over from it. */
static int resend(struct xb_win *w, const struct xr_fb *now, const struct xr_emit *e)
{
	struct xr_rect all = {0, 0, w->w, w->h};
	if (xr_enc_refresh(&w->enc, now, all, e) < 0)
		return -1;
	xr_blit(&w->shadow, NULL, 0, 0, now);
	w->resend = false;
	return 0;
}

static void send_window(struct xb *b, struct xb_win *w)
{
	struct xr_rect r = xr_enc_align(&w->enc, w->dirty, w->w, w->h);
	struct xr_fb now;
	if (!w->id || !w->cl->d || xr_rect_empty(r)) {
		w->dirty = (struct xr_rect){0, 0, 0, 0};
		return;
	}
	/* the session resized it and X has not yet: wait for ConfigureNotify */
	if (w->shadow.w != w->w || w->shadow.h != w->h)
		return;
	if (w->resend)
		r = (struct xr_rect){0, 0, w->w, w->h};
	w->dirty = (struct xr_rect){0, 0, 0, 0};
	if (xb_x_read(b, w, r, &now) < 0)
		return; /* gone or being resized: the next event says what next */
	if (getenv("XP_X11_DEBUG"))
		xb_log("frame 0x%x: %d,%d %dx%d", w->xid, r.x, r.y, r.w, r.h);
	struct out o = {w->cl->d, w->id};
	const struct xr_emit e = {&o, e_fill, e_bitmap, e_text, e_image, e_copy};
	int rc = w->resend ? resend(w, &now, &e) : xr_enc_update(&w->enc, &w->shadow, &now, r, &e);
	if (rc < 0) {
		xb_log("window 0x%x: an update failed; sending all of it again", w->xid);
		w->resend = true;
		xb_pixels_all(b, w);
	}
}

void xb_pixels_frame(struct xb *b)
{
	for (struct xb_win *w = b->wins; w; w = w->next)
		if (!xr_rect_empty(w->dirty))
			send_window(b, w);
	b->last_frame_us = xp_now_us();
	b->frames++;
	xb_mirror_flush(b);
}
