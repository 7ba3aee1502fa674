/*
 * x11.c - the window-mode presenter: one X11 window (xcb) showing the
 * composited screen ("desktop mode"). Damaged rectangles are pushed with
 * MIT-SHM when the X server is local and supports it, else with PutImage
 * split below the maximum request length. X events become input for the
 * server: keys (keyboard.c), buttons incl. the wheel, motion, resizes;
 * closing the window detaches cleanly. The pointer shape of the remote
 * window under the pointer becomes the X window's cursor (xdisp.c).
 *
 * Pixels: the screen framebuffer is 0x00RRGGBB, which is what a 24-bit
 * TrueColor visual with 32 bits per pixel in LSB-first order expects, so
 * rows are copied unchanged. Other visuals are refused with a message.
 *
 * Scale (--scale N, by default from the screen's DPI): the X window is N
 * times the session's screen, every pixel an N x N block (scale.c), the
 * pointer shape too (its hot spot scaled to match), and pointer
 * coordinates are divided by N before they go to the server.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>

#include "thin_int.h"

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
	int w, h;               /* current X window size (physical pixels) */
	int scale;              /* physical pixels per logical pixel, each way */
	struct tc_xcursor xcur; /* pointer shapes */
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
	int k = x->scale;
	tc_scale_copy(s, r, k, (uint32_t *)x->shm, (size_t)x->shm_w, r.x * k, r.y * k);
	xcb_shm_put_image(x->xc, x->win, x->gc, (uint16_t)x->shm_w, (uint16_t)x->shm_h,
	                  (uint16_t)(r.x * k), (uint16_t)(r.y * k), (uint16_t)(r.w * k),
	                  (uint16_t)(r.h * k), (int16_t)(r.x * k), (int16_t)(r.y * k),
	                  x->scr->root_depth, XCB_IMAGE_FORMAT_Z_PIXMAP, 0, x->seg, 0);
}

static void present_put(struct x11 *x, const struct xr_fb *s, struct xr_rect r)
{
	struct tc_xdisp d = {x->xc, x->scr, x->max_req_bytes};
	tc_xput(&d, x->win, x->gc, s, r, x->scale, x->scratch, 0, 0);
}

static int x11_present(struct tc_presenter *p, const struct xr_fb *s, const struct tc_damage *d)
{
	struct x11 *x = (struct x11 *)p;
	bool shm =
	    x->use_shm && x->shm && x->shm_w == s->w * x->scale && x->shm_h == s->h * x->scale;
	for (int i = 0; i < d->n; i++) {
		struct xr_rect r = xr_rect_intersect(d->r[i], (struct xr_rect){0, 0, s->w, s->h});
		if (xr_rect_empty(r))
			continue;
		if (shm)
			present_shm(x, s, r);
		else
			present_put(x, s, r);
	}
	/* a round trip: the X server has drawn it (and read a SHM segment
	 * before it is rewritten) when we acknowledge it as shown */
	free(xcb_get_input_focus_reply(x->xc, xcb_get_input_focus(x->xc), NULL));
	return xcb_flush(x->xc) > 0 ? 0 : -1;
}

static int x11_resized(struct tc_presenter *p, const struct xr_fb *s)
{
	struct x11 *x = (struct x11 *)p;
	int k = x->scale;
	if (x->use_shm) {
		shm_free(x);
		if (shm_alloc(x, s->w * k, s->h * k) < 0)
			x->use_shm = false;
	}
	if (s->w != x->w / k || s->h != x->h / k) { /* asked by the script: follow */
		uint32_t v[2] = {(uint32_t)(s->w * k), (uint32_t)(s->h * k)};
		xcb_configure_window(x->xc, x->win,
		                     XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
		x->w = s->w * k;
		x->h = s->h * k;
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
		tc_input_button(c, b->detail, pressed, b->event_x / x->scale,
		                b->event_y / x->scale);
}

static void on_motion(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_motion_notify_event_t *m = (xcb_motion_notify_event_t *)ev;
	tc_input_motion(c, m->event_x / x->scale, m->event_y / x->scale);
}

static void on_enter(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_enter_notify_event_t *e = (xcb_enter_notify_event_t *)ev;
	tc_input_pointer_seen(c, e->event_x / x->scale,
	                      e->event_y / x->scale); /* its shape, before it moves */
}

static void on_expose(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_expose_event_t *e = (xcb_expose_event_t *)ev;
	tc_damage_add(&c->comp,
	              tc_scale_down((struct xr_rect){e->x, e->y, e->width, e->height}, x->scale));
}

static void on_configure(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_configure_notify_event_t *e = (xcb_configure_notify_event_t *)ev;
	if (e->window != x->win || e->width < 1 || e->height < 1)
		return;
	x->w = e->width;
	x->h = e->height;
	if (e->width / x->scale >= 1 && e->height / x->scale >= 1)
		tc_input_resize(c, e->width / x->scale, e->height / x->scale);
}

static void on_client_message(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	xcb_client_message_event_t *m = (xcb_client_message_event_t *)ev;
	if (m->type == x->wm_protocols && m->data.data32[0] == x->wm_delete)
		tc_input_quit(c);
}

/*
 * Our window destroyed by another X client (XDestroyWindow, not the window
 * manager's close): nothing is left to show or type into, so detach and end
 * as a close does, rather than run on invisible.
 */
static void on_destroy(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	const xcb_destroy_notify_event_t *e = (const xcb_destroy_notify_event_t *)ev;
	if (e->window != x->win)
		return;
	tc_warn("its window was destroyed: detaching");
	tc_input_quit(c);
}

static void on_mapping(struct x11 *x, struct tc_client *c, xcb_generic_event_t *ev)
{
	if (x->kbd && tc_kbd_reload(x->kbd) < 0)
		tc_warn("keyboard: cannot reload the keymap");
}

static const x_handler x_handlers[XCB_MAPPING_NOTIFY + 1] = {
    [XCB_KEY_PRESS] = on_key,          [XCB_KEY_RELEASE] = on_key,
    [XCB_BUTTON_PRESS] = on_button,    [XCB_BUTTON_RELEASE] = on_button,
    [XCB_MOTION_NOTIFY] = on_motion,   [XCB_ENTER_NOTIFY] = on_enter,
    [XCB_EXPOSE] = on_expose,          [XCB_CONFIGURE_NOTIFY] = on_configure,
    [XCB_DESTROY_NOTIFY] = on_destroy, [XCB_CLIENT_MESSAGE] = on_client_message,
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

/* ---- pointer shapes ---------------------------------------------------- */

static void x11_cursor(struct tc_presenter *p, const struct tc_cursor *cur)
{
	struct x11 *x = (struct x11 *)p;
	struct tc_xdisp d = {x->xc, x->scr, x->max_req_bytes};
	tc_xcursor_set(&d, &x->xcur, x->win, cur, x->scale);
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
    .cursor = x11_cursor,
    .destroy = x11_destroy,
    .xsel = x11_xsel,
};

/* ---- creation ---------------------------------------------------------- */

static void create_window(struct x11 *x, int w, int h)
{
	uint32_t mask = XCB_CW_BACK_PIXMAP | XCB_CW_EVENT_MASK;
	uint32_t values[2] = {XCB_BACK_PIXMAP_NONE,
	                      XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_STRUCTURE_NOTIFY |
	                          XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE |
	                          XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_BUTTON_RELEASE |
	                          XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_ENTER_WINDOW |
	                          XCB_EVENT_MASK_PROPERTY_CHANGE};
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

/*
 * A scaled window: sizes in whole logical pixels (the WM resizes in steps
 * of the scale), and what a size that is not leaves uncovered shows the
 * desktop colour.
 */
static void scaled_window_hints(struct x11 *x)
{
	uint32_t bg = TC_DESKTOP_BG;
	/* WM_NORMAL_HINTS: flags, pad[4], min w/h, max w/h, inc w/h, aspects, base w/h, gravity */
	uint32_t hints[18] = {0};
	hints[0] = 1u << 6 | 1u << 4 | 1u << 8; /* PResizeInc, PMinSize, PBaseSize */
	hints[5] = hints[6] = (uint32_t)(x->scale * 16);
	hints[9] = hints[10] = (uint32_t)x->scale;
	xcb_change_window_attributes(x->xc, x->win, XCB_CW_BACK_PIXEL, &bg);
	xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, x->win, XCB_ATOM_WM_NORMAL_HINTS,
	                    XCB_ATOM_WM_SIZE_HINTS, 32, 18, hints);
}

/* The screen's resolution: Xft.dpi if the desktop set it, else its size. */
double tc_x11_dpi(struct xcb_connection_t *xc, const struct xcb_screen_t *scr)
{
	xcb_get_property_reply_t *r =
	    xcb_get_property_reply(xc,
	                           xcb_get_property(xc, 0, scr->root, XCB_ATOM_RESOURCE_MANAGER,
	                                            XCB_ATOM_STRING, 0, 16384),
	                           NULL);
	double dpi = 0;
	if (r && r->format == 8) {
		int n = xcb_get_property_value_length(r);
		char *text = malloc((size_t)n + 1);
		if (text) {
			memcpy(text, xcb_get_property_value(r), (size_t)n);
			text[n] = '\0';
			const char *k = strstr(text, "Xft.dpi:");
			if (k)
				dpi = strtod(k + 8, NULL);
			free(text);
		}
	}
	free(r);
	if (dpi <= 0 && scr->width_in_millimeters > 0)
		dpi = scr->width_in_pixels * 25.4 / scr->width_in_millimeters;
	return dpi > 0 ? dpi : 96;
}

static int connect_display(struct x11 *x)
{
	struct tc_xdisp d;
	if (tc_xdisp_open(&d) < 0)
		return -1;
	x->xc = d.xc;
	x->scr = d.scr;
	x->max_req_bytes = d.max_req_bytes;
	return 0;
}

/* The scale asked for, else the screen's; a default-sized window fits the screen. */
static void choose_scale(struct x11 *x, const struct tc_options *o, int *w, int *h)
{
	double dpi = tc_x11_dpi(x->xc, x->scr);
	x->scale = o->scale > 0 ? o->scale : tc_scale_for_dpi(dpi);
	if (o->log)
		fprintf(stderr, "thin-client: screen %.0f dpi, scale %d\n", dpi, x->scale);
	if (o->width <= 0 && *w * x->scale > x->scr->width_in_pixels)
		*w = x->scr->width_in_pixels / x->scale;
	if (o->height <= 0 && *h * x->scale > x->scr->height_in_pixels)
		*h = x->scr->height_in_pixels / x->scale;
	*w = *w * x->scale > 65535 ? 65535 / x->scale : *w < 1 ? 1 : *w;
	*h = *h * x->scale > 65535 ? 65535 / x->scale : *h < 1 ? 1 : *h;
}

struct tc_presenter *tc_x11_create(const struct tc_options *o, int *w, int *h, int *scale)
{
	struct x11 *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->base.ops = &x11_ops;
	if (*w <= 0 || *h <= 0 || *w > 65535 || *h > 65535) {
		*w = TC_DEFAULT_W;
		*h = TC_DEFAULT_H;
	}
	x->scratch = malloc(TC_XPUT_CHUNK);
	if (!x->scratch || connect_display(x) < 0)
		goto err_x11;
	choose_scale(x, o, w, h);
	*scale = x->scale;
	create_window(x, *w * x->scale, *h * x->scale);
	scaled_window_hints(x);
	shm_setup(x, o, *w * x->scale, *h * x->scale);
	tc_xcursor_init(&x->xcur, x->xc);
	x->kbd = tc_kbd_create(x->xc); /* without XKB: no keyboard, still a display */
	x->xsel = tc_xsel_create(x->xc, x->win, &tc_clip_xsel_ops, NULL);
	xcb_flush(x->xc);
	return &x->base;
err_x11:
	x11_destroy(&x->base);
	return NULL;
}
