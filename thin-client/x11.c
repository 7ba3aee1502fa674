/*
 * x11.c - the window-mode presenter: one X11 window (xcb) showing the
 * composited screen ("desktop mode"). Damaged rectangles are pushed with
 * MIT-SHM when the X server is local and supports it, else with PutImage
 * split below the maximum request length. X events become input for the
 * server: keys (keyboard.c), buttons incl. the wheel, motion, resizes;
 * closing the window detaches cleanly.
 *
 * Pixels: the screen framebuffer is 0x00RRGGBB, which is what a 24-bit
 * TrueColor visual with 32 bits per pixel in LSB-first order expects, so
 * rows are copied unchanged. Other visuals are refused with a message.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>

#include "thin_int.h"

#define X_CHUNK_MAX (4u << 20) /* bytes of one PutImage at most */

struct x11 {
	struct tc_presenter base;
	xcb_connection_t *xc;
	xcb_screen_t *scr;
	xcb_window_t win;
	xcb_gcontext_t gc;
	xcb_atom_t wm_protocols, wm_delete, net_wm_name, utf8;
	struct tc_kbd *kbd;
	struct tc_xsel *xsel; /* the session clipboard <-> CLIPBOARD, PRIMARY */
	bool use_shm;
	xcb_shm_seg_t seg;
	uint8_t *shm;
	int shm_w, shm_h;
	uint8_t *scratch;
	size_t max_req_bytes;
	int w, h; /* current X window size */
};

typedef void (*x_handler)(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev);

/* ---- MIT-SHM -------------------------------------------------------- */

static void shm_free(struct x11 *x)
{
	if (!x->shm)
		return;
	xcb_shm_detach(x->xc, x->seg);
	shmdt(x->shm);
	x->shm = NULL;
}

static bool display_is_local(void)
{
	char *host = NULL;
	int disp;
	if (!xcb_parse_display(NULL, &host, &disp, NULL))
		return false;
	bool local = !host[0] || !strcmp(host, "unix");
	free(host);
	return local;
}

static int shm_alloc(struct x11 *x, int w, int h)
{
	int id = shmget(IPC_PRIVATE, (size_t)w * (size_t)h * 4, IPC_CREAT | 0600);
	if (id < 0)
		return -1;
	x->shm = shmat(id, NULL, 0);
	if (x->shm == (void *)-1) {
		x->shm = NULL;
		shmctl(id, IPC_RMID, NULL);
		return -1;
	}
	x->seg = xcb_generate_id(x->xc);
	xcb_generic_error_t *e =
	    xcb_request_check(x->xc, xcb_shm_attach_checked(x->xc, x->seg, (uint32_t)id, 0));
	shmctl(id, IPC_RMID, NULL); /* freed once both sides detach */
	if (e) {
		free(e);
		shmdt(x->shm);
		x->shm = NULL;
		return -1;
	}
	x->shm_w = w;
	x->shm_h = h;
	return 0;
}

static void shm_setup(struct x11 *x, const struct tc_options *o, int w, int h)
{
	xcb_shm_query_version_reply_t *v =
	    xcb_shm_query_version_reply(x->xc, xcb_shm_query_version(x->xc), NULL);
	x->use_shm = v && !o->no_shm && display_is_local() && shm_alloc(x, w, h) == 0;
	free(v);
	if (o->log)
		fprintf(stderr, "thin-client: presenting with %s\n",
		        x->use_shm ? "MIT-SHM" : "PutImage");
}

/* ---- presenting ------------------------------------------------------ */

static void present_shm(struct x11 *x, const struct xr_fb *s, struct xr_rect r)
{
	for (int row = 0; row < r.h; row++)
		memcpy(x->shm + ((size_t)(r.y + row) * (size_t)x->shm_w + (size_t)r.x) * 4,
		       s->px + (size_t)(r.y + row) * (size_t)s->stride + (size_t)r.x,
		       (size_t)r.w * 4);
	xcb_shm_put_image(x->xc, x->win, x->gc, (uint16_t)x->shm_w, (uint16_t)x->shm_h,
	                  (uint16_t)r.x, (uint16_t)r.y, (uint16_t)r.w, (uint16_t)r.h, (int16_t)r.x,
	                  (int16_t)r.y, x->scr->root_depth, XCB_IMAGE_FORMAT_Z_PIXMAP, 0, x->seg,
	                  0);
}

static void present_put(struct x11 *x, const struct xr_fb *s, struct xr_rect r)
{
	size_t row_bytes = (size_t)r.w * 4, limit = x->max_req_bytes - 64;
	if (limit > X_CHUNK_MAX)
		limit = X_CHUNK_MAX;
	int rows = (int)(limit / row_bytes);
	if (rows < 1)
		rows = 1;
	for (int y = r.y; y < r.y + r.h; y += rows) {
		int n = y + rows > r.y + r.h ? r.y + r.h - y : rows;
		for (int i = 0; i < n; i++)
			memcpy(x->scratch + (size_t)i * row_bytes,
			       s->px + (size_t)(y + i) * (size_t)s->stride + (size_t)r.x,
			       row_bytes);
		xcb_put_image(x->xc, XCB_IMAGE_FORMAT_Z_PIXMAP, x->win, x->gc, (uint16_t)r.w,
		              (uint16_t)n, (int16_t)r.x, (int16_t)y, 0, x->scr->root_depth,
		              (uint32_t)(row_bytes * (size_t)n), x->scratch);
	}
}

static int x11_present(struct tc_presenter *p, const struct xr_fb *s, const struct tc_damage *d)
{
	struct x11 *x = (struct x11 *)p;
	bool shm = x->use_shm && x->shm && x->shm_w == s->w && x->shm_h == s->h;
	for (int i = 0; i < d->n; i++) {
		struct xr_rect r = xr_rect_intersect(d->r[i], (struct xr_rect){0, 0, s->w, s->h});
		if (xr_rect_empty(r))
			continue;
		if (shm)
			present_shm(x, s, r);
		else
			present_put(x, s, r);
	}
	if (shm) /* the server reads the segment: wait before it is rewritten */
		free(xcb_get_input_focus_reply(x->xc, xcb_get_input_focus(x->xc), NULL));
	return xcb_flush(x->xc) > 0 ? 0 : -1;
}

static int x11_resized(struct tc_presenter *p, const struct xr_fb *s)
{
	struct x11 *x = (struct x11 *)p;
	if (x->use_shm) {
		shm_free(x);
		if (shm_alloc(x, s->w, s->h) < 0)
			x->use_shm = false;
	}
	if (s->w != x->w || s->h != x->h) { /* asked by the script: follow */
		uint32_t v[2] = {(uint32_t)s->w, (uint32_t)s->h};
		xcb_configure_window(x->xc, x->win,
		                     XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
		x->w = s->w;
		x->h = s->h;
	}
	xcb_flush(x->xc);
	return 0;
}

/* ---- events ---------------------------------------------------------- */

static void on_key(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_key_press_event_t *k = (xcb_key_press_event_t *)ev;
	bool pressed = (ev->response_type & 0x7f) == XCB_KEY_PRESS;
	uint32_t keysym, mods;
	char text[64];
	if (!x->kbd)
		return;
	tc_kbd_translate(x->kbd, k->detail, k->state, pressed, &keysym, &mods, text, sizeof(text));
	tc_input_key(c, mods | (pressed ? XP_KEY_PRESSED : 0), keysym, text);
}

static void on_button(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_button_press_event_t *b = (xcb_button_press_event_t *)ev;
	bool pressed = (ev->response_type & 0x7f) == XCB_BUTTON_PRESS;
	if (b->detail >= 1 && b->detail <= 31)
		tc_input_button(c, b->detail, pressed, b->event_x, b->event_y);
}

static void on_motion(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_motion_notify_event_t *m = (xcb_motion_notify_event_t *)ev;
	tc_input_motion(c, m->event_x, m->event_y);
}

static void on_expose(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_expose_event_t *e = (xcb_expose_event_t *)ev;
	tc_damage_add(&c->comp, (struct xr_rect){e->x, e->y, e->width, e->height});
}

static void on_configure(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_configure_notify_event_t *e = (xcb_configure_notify_event_t *)ev;
	if (e->window != x->win || e->width < 1 || e->height < 1)
		return;
	x->w = e->width;
	x->h = e->height;
	tc_input_resize(c, e->width, e->height);
}

static void on_client_message(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_client_message_event_t *m = (xcb_client_message_event_t *)ev;
	if (m->type == x->wm_protocols && m->data.data32[0] == x->wm_delete)
		tc_input_quit(c);
}

static void on_mapping(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	if (x->kbd && tc_kbd_reload(x->kbd) < 0)
		tc_warn("keyboard: cannot reload the keymap");
}

static const x_handler x_handlers[XCB_MAPPING_NOTIFY + 1] = {
    [XCB_KEY_PRESS] = on_key,
    [XCB_KEY_RELEASE] = on_key,
    [XCB_BUTTON_PRESS] = on_button,
    [XCB_BUTTON_RELEASE] = on_button,
    [XCB_MOTION_NOTIFY] = on_motion,
    [XCB_EXPOSE] = on_expose,
    [XCB_CONFIGURE_NOTIFY] = on_configure,
    [XCB_CLIENT_MESSAGE] = on_client_message,
    [XCB_MAPPING_NOTIFY] = on_mapping,
};

static int x11_events(struct tc_presenter *p, struct tc_client *c)
{
	struct x11 *x = (struct x11 *)p;
	xcb_generic_event_t *ev;
	if (x->xsel) {
		char source[300];
		snprintf(source, sizeof(source), "%s/%s", c->addr,
		         c->opt.session ? c->opt.session : "main");
		tc_xsel_set_user(x->xsel, c);
		tc_xsel_set_source(x->xsel, source);
		tc_xsel_tick(x->xsel, xp_now_us());
	}

	while ((ev = xcb_poll_for_event(x->xc))) {
		unsigned type = ev->response_type & 0x7f;
		if (x->kbd && tc_kbd_event(x->kbd, ev))
			; /* a keymap change, handled */
		else if (x->xsel && tc_xsel_event(x->xsel, ev))
			; /* selections: the clipboard */
		else if (type <= XCB_MAPPING_NOTIFY && x_handlers[type])
			x_handlers[type](x, c, ev);
		free(ev);
	}
	return xcb_connection_has_error(x->xc) ? -1 : 0;
}

/* ---- the rest of the presenter interface ------------------------------ */

static int x11_fd(struct tc_presenter *p)
{
	return xcb_get_file_descriptor(((struct x11 *)p)->xc);
}

static void x11_set_title(struct tc_presenter *p, const char *title)
{
	struct x11 *x = (struct x11 *)p;
	uint32_t n = (uint32_t)strlen(title);
	xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, x->win, XCB_ATOM_WM_NAME, x->utf8, 8, n,
	                    title);
	xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, x->win, x->net_wm_name, x->utf8, 8, n,
	                    title);
	xcb_flush(x->xc);
}

static void x11_bell(struct tc_presenter *p)
{
	struct x11 *x = (struct x11 *)p;
	xcb_bell(x->xc, 0);
	xcb_flush(x->xc);
}

static uint32_t x11_window(struct tc_presenter *p)
{
	return ((struct x11 *)p)->win;
}

static void x11_destroy(struct tc_presenter *p)
{
	struct x11 *x = (struct x11 *)p;
	if (!x)
		return;
	tc_kbd_destroy(x->kbd);
	tc_xsel_destroy(x->xsel);
	if (x->xc) {
		shm_free(x);
		xcb_disconnect(x->xc);
	}
	free(x->scratch);
	free(x);
}

static struct tc_xsel *x11_xsel(struct tc_presenter *p)
{
	return ((struct x11 *)p)->xsel;
}

static const struct tc_presenter_ops x11_ops = {
    .name = "x11",
    .fd = x11_fd,
    .events = x11_events,
    .present = x11_present,
    .resized = x11_resized,
    .set_title = x11_set_title,
    .bell = x11_bell,
    .window = x11_window,
    .destroy = x11_destroy,
    .xsel = x11_xsel,
};

/* ---- creation ---------------------------------------------------------- */

/* Only XRGB8888-compatible visuals: 24 bits, 32 bpp, LSB first. */
static bool visual_ok(struct x11 *x)
{
	const xcb_setup_t *setup = xcb_get_setup(x->xc);
	bool bpp32 = false;
	for (xcb_format_iterator_t f = xcb_setup_pixmap_formats_iterator(setup); f.rem;
	     xcb_format_next(&f))
		if (f.data->depth == x->scr->root_depth)
			bpp32 = f.data->bits_per_pixel == 32;
	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(x->scr); d.rem;
	     xcb_depth_next(&d))
		for (xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data); v.rem;
		     xcb_visualtype_next(&v))
			if (v.data->visual_id == x->scr->root_visual)
				return bpp32 && x->scr->root_depth == 24 &&
				       setup->image_byte_order == XCB_IMAGE_ORDER_LSB_FIRST &&
				       v.data->red_mask == 0xff0000 &&
				       v.data->green_mask == 0xff00 && v.data->blue_mask == 0xff;
	return false;
}

static void create_window(struct x11 *x, int w, int h)
{
	uint32_t mask = XCB_CW_BACK_PIXMAP | XCB_CW_EVENT_MASK;
	uint32_t values[2] = {XCB_BACK_PIXMAP_NONE,
	                      XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_STRUCTURE_NOTIFY |
	                          XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE |
	                          XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_BUTTON_RELEASE |
	                          XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_PROPERTY_CHANGE};
	x->win = xcb_generate_id(x->xc);
	xcb_create_window(x->xc, XCB_COPY_FROM_PARENT, x->win, x->scr->root, 0, 0, (uint16_t)w,
	                  (uint16_t)h, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, x->scr->root_visual, mask,
	                  values);
	x->gc = xcb_generate_id(x->xc);
	xcb_create_gc(x->xc, x->gc, x->win, 0, NULL);
	static const char *const names[] = {"WM_PROTOCOLS", "WM_DELETE_WINDOW", "_NET_WM_NAME",
	                                    "UTF8_STRING"};
	uint32_t a[4];
	tc_x11_atoms(x->xc, names, 4, a);
	x->wm_protocols = a[0];
	x->wm_delete = a[1];
	x->net_wm_name = a[2];
	x->utf8 = a[3];
	xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, x->win, x->wm_protocols, XCB_ATOM_ATOM,
	                    32, 1, &x->wm_delete);
	xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, x->win, XCB_ATOM_WM_CLASS,
	                    XCB_ATOM_STRING, 8, sizeof("thin-client\0thin-client"),
	                    "thin-client\0thin-client");
	xcb_map_window(x->xc, x->win);
	x->w = w;
	x->h = h;
}

static int connect_display(struct x11 *x)
{
	int screen = 0;
	x->xc = xcb_connect(NULL, &screen);
	if (xcb_connection_has_error(x->xc)) {
		tc_warn("cannot open X display '%s'", getenv("DISPLAY"));
		return -1;
	}
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(x->xc));
	for (int i = 0; i < screen && it.rem; i++)
		xcb_screen_next(&it);
	x->scr = it.data;
	if (!x->scr || !visual_ok(x)) {
		tc_warn("unsupported X visual: need 24-bit TrueColor, 32 bits per pixel");
		return -1;
	}
	x->max_req_bytes = (size_t)xcb_get_maximum_request_length(x->xc) * 4;
	return 0;
}

struct tc_presenter *tc_x11_create(const struct tc_options *o, int *w, int *h)
{
	struct x11 *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->base.ops = &x11_ops;
	if (*w <= 0 || *h <= 0 || *w > 65535 || *h > 65535) {
		*w = TC_DEFAULT_W;
		*h = TC_DEFAULT_H;
	}
	x->scratch = malloc(X_CHUNK_MAX);
	if (!x->scratch || connect_display(x) < 0)
		goto err_x11;
	create_window(x, *w, *h);
	shm_setup(x, o, *w, *h);
	x->kbd = tc_kbd_create(x->xc); /* without XKB: no keyboard, still a display */
	x->xsel = tc_xsel_create(x->xc, x->win, &tc_clip_xsel_ops, NULL);
	xcb_flush(x->xc);
	return &x->base;
err_x11:
	x11_destroy(&x->base);
	return NULL;
}
