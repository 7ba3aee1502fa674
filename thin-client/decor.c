/*
 * decor.c - the frames of desktop mode: a title bar with the window's title
 * and its close, maximise and minimise buttons, and a border, around every
 * window the server manages (WIN_STATE FRAMED). The geometry is the
 * protocol's (libxproto xp_frame_*), so what is drawn is where the server
 * hit-tests the pointer; the pixels are a function of what every client
 * holds (geometry, title, focus), so every client draws the same.
 */
#include <stdlib.h>
#include <string.h>

#include "thin_int.h"

#define OUTLINE      0x15181cu
#define TITLE_FG     0xffffffu
#define TITLE_FG_DIM 0xb8bec6u
#define BUTTON_BG    0x5b84bcu
#define BUTTON_DIM   0x5c636cu
#define CLOSE_BG     0xc0504du
#define GLYPH        0xffffffu
#define FAR          (1 << 28) /* a frame this far out is never on screen */

/* 8x8 glyphs of the buttons, MSB first */
static const uint8_t glyph_close[8] = {0x00, 0x42, 0x24, 0x18, 0x18, 0x24, 0x42, 0x00};
static const uint8_t glyph_max[8] = {0x00, 0x7e, 0x7e, 0x42, 0x42, 0x42, 0x7e, 0x00};
static const uint8_t glyph_min[8] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7e, 0x7e};
static const uint8_t glyph_restore[8] = {0x00, 0x1f, 0x11, 0x7d, 0x47, 0x44, 0x7c, 0x00};

static void outline(struct xr_fb *fb, const struct xr_rect *clip, struct xp_rect o)
{
	int x = o.x, y = o.y, w = (int)o.w, h = (int)o.h;
	xr_fill(fb, clip, x, y, w, 1, OUTLINE);
	xr_fill(fb, clip, x, y + h - 1, w, 1, OUTLINE);
	xr_fill(fb, clip, x, y, 1, h, OUTLINE);
	xr_fill(fb, clip, x + w - 1, y, 1, h, OUTLINE);
}

static void button(struct xr_fb *fb, const struct xr_rect *clip, struct xp_rect r,
                   const uint8_t *glyph, uint32_t bg)
{
	struct xr_rect d;
	if (r.w == 0)
		return;
	xr_fill(fb, clip, r.x, r.y, (int)r.w, (int)r.h, bg);
	xr_bitmap(fb, clip, r.x + ((int)r.w - 8) / 2, r.y + ((int)r.h - 8) / 2, 8, 8, glyph, 8,
	          GLYPH, bg, true, &d);
}

/* The title, left-aligned, cut where the buttons begin. */
static void title(struct xr_fb *fb, const struct xr_rect *clip, const struct tc_win *w,
                  struct xp_rect c, bool focused)
{
	struct xp_rect first = xp_frame_button(c, XP_PART_MINIMIZE);
	int right = first.w ? first.x - 4 : c.x + (int)c.w;
	struct xr_rect area = {c.x + 2, c.y - (XP_FRAME_TITLE - XP_FRAME_BORDER), right - c.x - 2,
	                       XP_FRAME_TITLE - XP_FRAME_BORDER};
	area = clip ? xr_rect_intersect(area, *clip) : area;
	if (xr_rect_empty(area) || !w->title[0])
		return;
	xr_text(fb, &area, c.x + 4, c.y - 16, w->title, strlen(w->title),
	        focused ? XR_FONT_FIXED_BOLD : XR_FONT_FIXED, focused ? TITLE_FG : TITLE_FG_DIM, 0,
	        true);
}

void tc_decor_draw(struct xr_fb *fb, const struct xr_rect *clip, const struct tc_win *w,
                   bool focused)
{
	struct xp_rect c = {w->x, w->y, (uint32_t)w->w, (uint32_t)w->h}, o = xp_frame_outer(c);
	uint32_t bar = focused ? TC_FRAME_FOCUSED : TC_FRAME_UNFOCUSED;
	uint32_t bbg = focused ? BUTTON_BG : BUTTON_DIM;
	if (abs(o.x) > FAR || abs(o.y) > FAR)
		return;
	xr_fill(fb, clip, o.x, o.y, (int)o.w, XP_FRAME_TITLE, bar);
	xr_fill(fb, clip, o.x, c.y, XP_FRAME_BORDER, (int)c.h, bar);
	xr_fill(fb, clip, c.x + (int)c.w, c.y, XP_FRAME_BORDER, (int)c.h, bar);
	xr_fill(fb, clip, o.x, c.y + (int)c.h, (int)o.w, XP_FRAME_BORDER, bar);
	outline(fb, clip, o);
	title(fb, clip, w, c, focused);
	button(fb, clip, xp_frame_button(c, XP_PART_CLOSE), glyph_close, focused ? CLOSE_BG : bbg);
	button(fb, clip, xp_frame_button(c, XP_PART_MAXIMIZE),
	       (w->state & XP_STATE_MAXIMIZED) ? glyph_restore : glyph_max, bbg);
	button(fb, clip, xp_frame_button(c, XP_PART_MINIMIZE), glyph_min, bbg);
}
