/*
 * xshape.h - the pointer shape an X display shows, as XFIXES reports it
 * (size, hot spot, name, pixels), and comparing two shapes: for the tests
 * that check which cursor reaches a real X window.
 */
#ifndef XSHAPE_H
#define XSHAPE_H

#include <stdbool.h>
#include <stdint.h>
#include <xcb/xcb.h>

#define XSHAPE_MAX (64 * 3) /* XP_CURSOR_MAX_DIM at scale 3 */

/** A cursor: @w x @h ARGB pixels, row after row, and its hot spot. */
struct xshape {
	uint32_t w, h, hot_x, hot_y;
	uint32_t px[XSHAPE_MAX * XSHAPE_MAX];
	xcb_atom_t name; /* its name's atom (0: none); xshape_same() ignores it */
};

/** Ask XFIXES's version on @c: XFIXES answers nothing else before it. */
void xshape_begin(xcb_connection_t *c);
/**
 * What @c's display shows as its cursor now, into @s (after
 * xshape_begin()). False when XFIXES does not answer or the shape is
 * larger than XSHAPE_MAX.
 */
bool xshape_now(xcb_connection_t *c, struct xshape *s);
/** True when @a and @b have the same size, hot spot and pixels. */
bool xshape_same(const struct xshape *a, const struct xshape *b);

#endif
