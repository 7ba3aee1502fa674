/*
 * xshape.c - see xshape.h.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xfixes.h>

#include "xshape.h"

void xshape_begin(xcb_connection_t *c)
{
	free(xcb_xfixes_query_version_reply(c, xcb_xfixes_query_version(c, 5, 0), NULL));
}

bool xshape_now(xcb_connection_t *c, struct xshape *s)
{
	xcb_xfixes_get_cursor_image_and_name_reply_t *r =
	    xcb_xfixes_get_cursor_image_and_name_reply(c, xcb_xfixes_get_cursor_image_and_name(c),
	                                               NULL);
	bool ok = r && r->width <= XSHAPE_MAX && r->height <= XSHAPE_MAX;
	if (ok) {
		s->w = r->width, s->h = r->height, s->hot_x = r->xhot, s->hot_y = r->yhot;
		s->name = r->cursor_atom;
		memcpy(s->px, xcb_xfixes_get_cursor_image_and_name_cursor_image(r),
		       (size_t)r->width * r->height * 4);
	}
	free(r);
	return ok;
}

bool xshape_same(const struct xshape *a, const struct xshape *b)
{
	return a->w == b->w && a->h == b->h && a->hot_x == b->hot_x && a->hot_y == b->hot_y &&
	       !memcmp(a->px, b->px, (size_t)a->w * a->h * 4);
}
