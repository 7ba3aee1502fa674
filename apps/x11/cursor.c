/*
 * cursor.c - the pointer shape X shows reaches the session. XFIXES says when
 * the displayed cursor changes (CursorNotify) and gives its image; the shape
 * goes to the window under the pointer as that X client's CURSOR (each
 * connection keeps the shapes it defined, by XFIXES serial, so a shape seen
 * again costs a WIN_CURSOR only), and WIN_CURSOR names it. As a window
 * manager does, the bridge gives the root an arrow; it names it, so that a
 * window showing it (a program that sets no cursor, like xlogo) is sent the
 * session's default (WIN_CURSOR 0): the user's own arrow, no shape sent.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xfixes.h>

#include "x11.h"

#define XC_LEFT_PTR  68 /* the cursor font's arrow (X11/cursorfont.h) */
#define DEFAULT_NAME "xp-x11-default"

int xb_cursor_init(struct xb *b)
{
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(b->xc, &xcb_xfixes_id);
	xcb_intern_atom_reply_t *a = xcb_intern_atom_reply(
	    b->xc, xcb_intern_atom(b->xc, 0, strlen(DEFAULT_NAME), DEFAULT_NAME), NULL);
	if (!a)
		return -1;
	b->default_cursor = a->atom;
	free(a);
	b->cursor_event = ext->first_event + XCB_XFIXES_CURSOR_NOTIFY;
	xcb_font_t font = xcb_generate_id(b->xc);
	xcb_cursor_t arrow = xcb_generate_id(b->xc);
	xcb_open_font(b->xc, font, strlen("cursor"), "cursor");
	xcb_create_glyph_cursor(b->xc, arrow, font, font, XC_LEFT_PTR, XC_LEFT_PTR + 1, 0, 0, 0,
	                        0xffff, 0xffff, 0xffff);
	xcb_close_font(b->xc, font);
	xcb_xfixes_set_cursor_name(b->xc, arrow, strlen(DEFAULT_NAME), DEFAULT_NAME);
	xcb_change_window_attributes(b->xc, b->root, XCB_CW_CURSOR, &arrow);
	xcb_free_cursor(b->xc, arrow);
	xcb_xfixes_select_cursor_input(b->xc, b->root,
	                               XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR);
	return 0;
}

/* The shown top-level under the X pointer, or NULL. */
static struct xb_win *pointer_window(struct xb *b)
{
	xcb_query_pointer_reply_t *r =
	    xcb_query_pointer_reply(b->xc, xcb_query_pointer(b->xc, b->root), NULL);
	struct xb_win *w = r && r->child ? xb_win_find(b, r->child) : NULL;
	free(r);
	return w && w->id && w->cl->d ? w : NULL;
}

/* The id X client @c's connection holds the shape of @r under, defining it
 * there first if needed; 0 when it cannot be sent (too large). */
static uint32_t client_id(struct xb *b, struct xb_client *c,
                          const xcb_xfixes_get_cursor_image_and_name_reply_t *r)
{
	uint32_t id = 0;
	for (uint32_t k = 1; k <= XP_CURSOR_IDS; k++) {
		if (c->cursor_serial[k] == r->cursor_serial)
			return k;
		if (!id && !c->cursor_serial[k])
			id = k;
	}
	if (!id) /* every id taken: reuse them in turn (windows keep their shapes) */
		id = c->cursor_next = c->cursor_next % XP_CURSOR_IDS + 1;
	const uint32_t *px = xcb_xfixes_get_cursor_image_and_name_cursor_image(r);
	/* X lets a hot spot lie outside the image (xterm's blank pointer does):
	 * the nearest pixel inside points the same way */
	uint32_t hx = r->xhot < r->width ? r->xhot : r->width - 1u;
	uint32_t hy = r->yhot < r->height ? r->yhot : r->height - 1u;
	/* the image must hold what its size says: a short reply is not read past */
	int have = xcb_xfixes_get_cursor_image_and_name_cursor_image_length(r);
	if (r->width < 1 || r->height < 1 || have < 0 ||
	    (uint64_t)have < (uint64_t)r->width * r->height ||
	    xa_cursor_argb(c->d, id, r->width, r->height, hx, hy, px) < 0) {
		if (!b->cursor_warned)
			xb_log(
			    "a %ux%u cursor cannot be sent (at most %ux%u): the default is shown",
			    r->width, r->height, XP_CURSOR_MAX_DIM, XP_CURSOR_MAX_DIM);
		b->cursor_warned = true;
		return 0;
	}
	c->cursor_serial[id] = r->cursor_serial;
	return id;
}

void xb_cursor_update(struct xb *b)
{
	struct xb_win *w = pointer_window(b);
	if (!w)
		return;
	xcb_xfixes_get_cursor_image_and_name_reply_t *r =
	    xcb_xfixes_get_cursor_image_and_name_reply(
	        b->xc, xcb_xfixes_get_cursor_image_and_name(b->xc), NULL);
	if (!r)
		return;
	if (!w->cursor_sent || w->cursor_serial != r->cursor_serial) {
		uint32_t id = r->cursor_atom == b->default_cursor ? 0 : client_id(b, w->cl, r);
		if (getenv("XP_X11_DEBUG"))
			xb_log("cursor %u (%ux%u, hot spot %u,%u) over 0x%x: id %u",
			       r->cursor_serial, r->width, r->height, r->xhot, r->yhot, w->xid, id);
		xa_window_cursor(w->cl->d, w->id, id);
		w->cursor_serial = r->cursor_serial;
		w->cursor_sent = true;
	}
	free(r);
}

bool xb_cursor_event(struct xb *b, xcb_generic_event_t *ev)
{
	if ((ev->response_type & 0x7f) != b->cursor_event)
		return false;
	xb_cursor_update(b);
	return true;
}
