/*
 * thinscene.h - the reference model for the thin-client tests: a test peer
 * (tests/testpeer.h) sends window and drawing messages to a real thin client
 * through these calls, and each is applied locally too, drawing with
 * libxpdraw as the client does; the model's windows and screen are then what
 * the client should show. Failures are cmocka assertions: link it into
 * cmocka tests only.
 */
#ifndef THINSCENE_H
#define THINSCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testpeer.h"
#include "xdraw.h"
#include "xproto.h"
#include "xrender.h"

#define TS_SCREEN_W 320 /* the screen size the thin-client tests ask for */
#define TS_SCREEN_H 240
#define TS_DESKTOP  0x202428u /* the thin client's desktop, where no window is */

/** A window as the client should hold it. */
struct ts_window {
	struct xr_fb fb;
	int x, y;
	uint32_t bg;
	bool mapped, exists;
};

/** An image the client should hold in its cache. */
struct ts_cached {
	uint32_t id; /* 0: free */
	struct xr_fb fb;
};

/**
 * The model of one connection. Initialise with `{.p = &peer}` (the peer
 * that sends); `st` starts zeroed, or from xd_state_init() to model a new
 * connection exactly. Release with ts_scene_finish().
 */
struct ts_scene {
	struct tp_peer *p;
	struct ts_window w[8]; /* by window id */
	int order[8], n;       /* stacking order, bottom first */
	struct xd_state st;    /* the drawing state the client should hold */
	struct ts_cached img[4];
};

/** Send WIN_CREATE for window @id (0-7) at @x,@y, @w x @h, background @bg. */
void ts_create(struct ts_scene *s, int id, int x, int y, int w, int h, uint32_t bg);
/** Send @op (WIN_MAP, WIN_UNMAP or WIN_DESTROY) for window @id. */
void ts_win(struct ts_scene *s, uint8_t op, int id);
/** Send WIN_CONFIGURE for window @id: @mask of XP_CONF_* and the geometry. */
void ts_configure(struct ts_scene *s, int id, uint32_t mask, int x, int y, int w, int h);
/** Send drawing or state message @m and apply it to the model. */
void ts_draw(struct ts_scene *s, const struct xp_msg *m);
/** TARGET window @id (through ts_draw, as the calls below). */
void ts_target(struct ts_scene *s, int id);
/** GC: colours @fg, @bg, font @font, XP_GC_* @flags. */
void ts_gc(struct ts_scene *s, uint32_t fg, uint32_t bg, uint32_t font, uint32_t flags);
/** CLIP to a rectangle (0x0: none). */
void ts_clip(struct ts_scene *s, int x, int y, int w, int h);
/** FILL a rectangle. */
void ts_fill(struct ts_scene *s, int x, int y, int w, int h);
/** FILL_RECTS with @n rectangles @r (not kept). */
void ts_fill_rects(struct ts_scene *s, const struct xp_rect *r, uint32_t n);
/** TEXT @text (UTF-8) at @x,@y. */
void ts_text(struct ts_scene *s, int x, int y, const char *text);
/** COPY @w x @h from @sx,@sy to @dx,@dy. */
void ts_copy(struct ts_scene *s, int sx, int sy, int w, int h, int dx, int dy);
/** BITMAP @w x @h at @x,@y from @n bytes @bits. */
void ts_bitmap(struct ts_scene *s, int x, int y, int w, int h, const uint8_t *bits, size_t n);
/** IMAGE @w x @h at @x,@y: @n bytes @data in XP_IMG_* @format, cached as @cache_id (0: not). */
void ts_image(struct ts_scene *s, int x, int y, int w, int h, int format, uint32_t cache_id,
              const uint8_t *data, size_t n);
/** IMAGE_CACHED @id at @x,@y. */
void ts_image_cached(struct ts_scene *s, int x, int y, uint32_t id);
/**
 * The screen the client should show, @w x @h: the desktop and the mapped
 * windows in stacking order, into @out (initialised here; the caller
 * finishes it with xr_fb_finish).
 */
void ts_screen(struct ts_scene *s, struct xr_fb *out, int w, int h);
/** Free the model's windows and images (not the peer). */
void ts_scene_finish(struct ts_scene *s);

#endif
