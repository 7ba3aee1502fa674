/*
 * xdisp.c - what both X presenters need (x11.c: one window showing the
 * desktop; seamless.c: one window per remote window): opening the display
 * and checking its visual, atoms, pushing a rectangle of a framebuffer,
 * scaled, with PutImage in pieces below the request size limit, and giving
 * a window a pointer shape (a Render ARGB cursor, scaled like the pixels).
 *
 * Pixels: a framebuffer is 0x00RRGGBB, which is what a 24-bit TrueColor
 * visual with 32 bits per pixel in LSB-first order expects, so rows go out
 * unchanged. Other visuals are refused with a message.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/render.h>
#include <xcb/xcb.h>

#include "thin_int.h"

/* Only XRGB8888-compatible visuals: 24 bits, 32 bpp, LSB first. */
static bool visual_ok(xcb_connection_t *xc, const xcb_screen_t *scr)
{
	const xcb_setup_t *setup = xcb_get_setup(xc);
	bool bpp32 = false;
	for (xcb_format_iterator_t f = xcb_setup_pixmap_formats_iterator(setup); f.rem;
	     xcb_format_next(&f))
		if (f.data->depth == scr->root_depth)
			bpp32 = f.data->bits_per_pixel == 32;
	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(scr); d.rem;
	     xcb_depth_next(&d))
		for (xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data); v.rem;
		     xcb_visualtype_next(&v))
			if (v.data->visual_id == scr->root_visual)
				return bpp32 && scr->root_depth == 24 &&
				       setup->image_byte_order == XCB_IMAGE_ORDER_LSB_FIRST &&
				       v.data->red_mask == 0xff0000 &&
				       v.data->green_mask == 0xff00 && v.data->blue_mask == 0xff;
	return false;
}

int tc_xdisp_open(struct tc_xdisp *d)
{
	int screen = 0;
	memset(d, 0, sizeof(*d));
	d->xc = xcb_connect(NULL, &screen);
	if (xcb_connection_has_error(d->xc)) {
		tc_warn("cannot open X display '%s'", getenv("DISPLAY"));
		goto err_disp;
	}
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(d->xc));
	for (int i = 0; i < screen && it.rem; i++)
		xcb_screen_next(&it);
	d->scr = it.data;
	if (!d->scr || !visual_ok(d->xc, d->scr)) {
		tc_warn("unsupported X visual: need 24-bit TrueColor, 32 bits per pixel");
		goto err_disp;
	}
	d->max_req_bytes = (size_t)xcb_get_maximum_request_length(d->xc) * 4;
	return 0;
err_disp:
	xcb_disconnect(d->xc);
	d->xc = NULL;
	return -1;
}

uint32_t tc_xatom(struct xcb_connection_t *xc, const char *name)
{
	xcb_intern_atom_reply_t *r =
	    xcb_intern_atom_reply(xc, xcb_intern_atom(xc, 0, (uint16_t)strlen(name), name), NULL);
	xcb_atom_t a = r ? r->atom : XCB_ATOM_NONE;
	free(r);
	return a;
}

void tc_xput(const struct tc_xdisp *d, uint32_t drawable, uint32_t gc, const struct xr_fb *fb,
             struct xr_rect r, int k, uint8_t *scratch, int dx, int dy)
{
	size_t row_bytes = (size_t)r.w * (size_t)k * 4 * (size_t)k, limit = d->max_req_bytes - 64;
	if (limit > TC_XPUT_CHUNK)
		limit = TC_XPUT_CHUNK;
	int rows = (int)(limit / row_bytes);
	if (rows < 1)
		rows = 1; /* a row wider than a request: the X server refuses it */
	for (int y = r.y; y < r.y + r.h; y += rows) {
		int n = y + rows > r.y + r.h ? r.y + r.h - y : rows;
		tc_scale_copy(fb, (struct xr_rect){r.x, y, r.w, n}, k, (uint32_t *)scratch,
		              (size_t)(r.w * k), 0, 0);
		xcb_put_image(d->xc, XCB_IMAGE_FORMAT_Z_PIXMAP, drawable, gc, (uint16_t)(r.w * k),
		              (uint16_t)(n * k), (int16_t)(dx + (r.x * k)), (int16_t)(dy + y * k),
		              0, d->scr->root_depth, (uint32_t)(row_bytes * (size_t)n), scratch);
	}
}

/* Render's 32-bit ARGB picture format, or 0 when the server has no Render. */
static uint32_t find_argb32(xcb_connection_t *xc)
{
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(xc, &xcb_render_id);
	if (!ext || !ext->present)
		return 0;
	free(xcb_render_query_version_reply(xc, xcb_render_query_version(xc, 0, 11), NULL));
	xcb_render_query_pict_formats_reply_t *r =
	    xcb_render_query_pict_formats_reply(xc, xcb_render_query_pict_formats(xc), NULL);
	xcb_render_pictformat_t found = 0;
	for (xcb_render_pictforminfo_iterator_t i =
	         xcb_render_query_pict_formats_formats_iterator(r);
	     r && i.rem && !found; xcb_render_pictforminfo_next(&i)) {
		const xcb_render_directformat_t *d = &i.data->direct;
		if (i.data->type == XCB_RENDER_PICT_TYPE_DIRECT && i.data->depth == 32 &&
		    d->alpha_shift == 24 && d->alpha_mask == 0xff && d->red_shift == 16 &&
		    d->green_shift == 8 && d->blue_shift == 0)
			found = i.data->id;
	}
	free(r);
	return found;
}

/* A Render cursor of @img (w x h, stride w) pointing at (@hot_x, @hot_y). */
static xcb_cursor_t make_cursor(const struct tc_xdisp *d, uint32_t win, uint32_t argb32,
                                const struct xr_fb *img, uint32_t hot_x, uint32_t hot_y)
{
	xcb_connection_t *xc = d->xc;
	xcb_pixmap_t pm = xcb_generate_id(xc);
	xcb_gcontext_t gc = xcb_generate_id(xc);
	xcb_render_picture_t pic = xcb_generate_id(xc);
	xcb_cursor_t id = xcb_generate_id(xc);
	xcb_create_pixmap(xc, 32, pm, win, (uint16_t)img->w, (uint16_t)img->h);
	xcb_create_gc(xc, gc, pm, 0, NULL);
	/* 0xAARRGGBB in host order is what a 32-bit LSB-first image holds */
	xcb_put_image(xc, XCB_IMAGE_FORMAT_Z_PIXMAP, pm, gc, (uint16_t)img->w, (uint16_t)img->h, 0,
	              0, 0, 32, (uint32_t)img->w * (uint32_t)img->h * 4, (const uint8_t *)img->px);
	xcb_render_create_picture(xc, pic, pm, argb32, 0, NULL);
	xcb_render_create_cursor(xc, id, pic, (uint16_t)hot_x, (uint16_t)hot_y);
	xcb_render_free_picture(xc, pic);
	xcb_free_gc(xc, gc);
	xcb_free_pixmap(xc, pm);
	return id;
}

void tc_xcursor_init(struct tc_xcursor *xcur, struct xcb_connection_t *xc)
{
	*xcur = (struct tc_xcursor){find_argb32(xc), false};
}

int tc_xcursor_set(const struct tc_xdisp *d, struct tc_xcursor *xcur, uint32_t win,
                   const struct tc_cursor *cur, int k)
{
	uint32_t id = XCB_CURSOR_NONE; /* the parent's: the desktop's own */
	struct xr_fb scaled;
	if (cur) {
		/* the shape's pixels, only read: tc_scale_fb takes a framebuffer */
		const struct xr_fb img = {(uint32_t *)cur->argb, (int)cur->w, (int)cur->h,
		                          (int)cur->w};
		if (!xcur->argb32 || tc_scale_fb(&img, k, &scaled) < 0) {
			if (!xcur->warned)
				tc_warn("pointer shapes are not shown (%s)",
				        xcur->argb32 ? "out of memory"
				                     : "the X server has no Render");
			xcur->warned = true;
			return -1;
		}
		id = make_cursor(d, win, xcur->argb32, &scaled, cur->hot_x * (uint32_t)k,
		                 cur->hot_y * (uint32_t)k);
		xr_fb_finish(&scaled);
	}
	xcb_change_window_attributes(d->xc, win, XCB_CW_CURSOR, &id);
	if (cur)
		xcb_free_cursor(d->xc, id); /* the window keeps it while it shows it */
	return 0;
}
