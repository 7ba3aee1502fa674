/*
 * frame.c - the geometry of a framed window's decorations (SPEC.md section
 * 12), defined once: the server hit-tests the pointer with it, clients draw
 * with it, so a title bar is where every client shows it. All arithmetic is
 * 64-bit: window positions come from apps and may be near the int32 limits.
 */
#include "xproto.h"

static int32_t clamp32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static uint32_t clampu(int64_t v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

struct xp_rect xp_frame_outer(struct xp_rect c)
{
	return (struct xp_rect){clamp32((int64_t)c.x - XP_FRAME_BORDER),
	                        clamp32((int64_t)c.y - XP_FRAME_TITLE),
	                        clampu((int64_t)c.w + 2 * XP_FRAME_BORDER),
	                        clampu((int64_t)c.h + XP_FRAME_TITLE + XP_FRAME_BORDER)};
}

struct xp_rect xp_frame_button(struct xp_rect c, enum xp_frame_part part)
{
	int slot = part == XP_PART_CLOSE ? 1 : part == XP_PART_MAXIMIZE ? 2 : 3;
	int64_t right = (int64_t)c.x + c.w - (int64_t)(slot - 1) * (XP_FRAME_BTN_W + 2);
	int64_t left = right - XP_FRAME_BTN_W;
	/* a button that would leave the title bar's left half is not shown */
	if (part < XP_PART_CLOSE || part > XP_PART_MINIMIZE || left < (int64_t)c.x + c.w / 2)
		return (struct xp_rect){0, 0, 0, 0};
	int64_t top = (int64_t)c.y - (XP_FRAME_TITLE - XP_FRAME_BORDER) + 1;
	return (struct xp_rect){clamp32(left), clamp32(top), XP_FRAME_BTN_W, XP_FRAME_BTN_H};
}

static bool inside(struct xp_rect r, int64_t px, int64_t py)
{
	return px >= r.x && py >= r.y && px < (int64_t)r.x + r.w && py < (int64_t)r.y + r.h;
}

/* The sides a border point resizes: its own, and the neighbour near a corner. */
static unsigned edges_at(struct xp_rect o, int64_t px, int64_t py)
{
	int64_t x0 = o.x, y0 = o.y, x1 = x0 + o.w, y1 = y0 + o.h;
	unsigned e = 0;
	if (px < x0 + XP_FRAME_BORDER)
		e |= XP_EDGE_LEFT;
	if (px >= x1 - XP_FRAME_BORDER)
		e |= XP_EDGE_RIGHT;
	if (py < y0 + XP_FRAME_BORDER)
		e |= XP_EDGE_TOP;
	if (py >= y1 - XP_FRAME_BORDER)
		e |= XP_EDGE_BOTTOM;
	if (e & (XP_EDGE_TOP | XP_EDGE_BOTTOM)) {
		if (px < x0 + XP_FRAME_CORNER)
			e |= XP_EDGE_LEFT;
		else if (px >= x1 - XP_FRAME_CORNER)
			e |= XP_EDGE_RIGHT;
	}
	if (e & (XP_EDGE_LEFT | XP_EDGE_RIGHT)) {
		if (py < y0 + XP_FRAME_CORNER)
			e |= XP_EDGE_TOP;
		else if (py >= y1 - XP_FRAME_CORNER)
			e |= XP_EDGE_BOTTOM;
	}
	return e;
}

enum xp_frame_part xp_frame_hit(struct xp_rect c, int32_t px, int32_t py, unsigned *edges)
{
	struct xp_rect o = xp_frame_outer(c);
	static const enum xp_frame_part buttons[] = {XP_PART_CLOSE, XP_PART_MAXIMIZE,
	                                             XP_PART_MINIMIZE};
	if (edges)
		*edges = 0;
	if (inside(c, px, py))
		return XP_PART_CONTENT;
	if (!inside(o, px, py))
		return XP_PART_NONE;
	unsigned e = edges_at(o, px, py);
	if (e) {
		if (edges)
			*edges = e;
		return XP_PART_EDGE;
	}
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		if (inside(xp_frame_button(c, buttons[i]), px, py))
			return buttons[i];
	return XP_PART_TITLE;
}
