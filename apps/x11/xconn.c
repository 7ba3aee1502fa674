/*
 * xconn.c - the bridge's X connection: the extensions it needs, the atoms,
 * becoming the display's window manager (SubstructureRedirect on the root),
 * Composite redirection of every top-level into its own pixmap, and the
 * MIT-SHM segment window contents are read into.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <xcb/composite.h>
#include <xcb/damage.h>
#include <xcb/shm.h>
#include <xcb/xfixes.h>
#include <xcb/xtest.h>

#include "x11.h"

void xb_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (getenv("XP_X11_DEBUG"))
		fprintf(stderr, "%llu ", (unsigned long long)(xp_now_us() % 100000000u));
	fputs("xp-x11: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int intern(struct xb *b)
{
	static const char *const names[] = {
	    "WM_PROTOCOLS",       "WM_DELETE_WINDOW",    "WM_TAKE_FOCUS",
	    "WM_STATE",           "WM_TRANSIENT_FOR",    "_NET_WM_NAME",
	    "UTF8_STRING",        "_NET_SUPPORTED",      "_NET_SUPPORTING_WM_CHECK",
	    "_NET_ACTIVE_WINDOW", "_NET_WM_WINDOW_TYPE", "_NET_WM_PID",
	    "_NET_CLIENT_LIST"};
	xcb_atom_t *out[] = {&b->atom.wm_protocols,
	                     &b->atom.wm_delete_window,
	                     &b->atom.wm_take_focus,
	                     &b->atom.wm_state,
	                     &b->atom.wm_transient_for,
	                     &b->atom.net_wm_name,
	                     &b->atom.utf8_string,
	                     &b->atom.net_supported,
	                     &b->atom.net_supporting_wm_check,
	                     &b->atom.net_active_window,
	                     &b->atom.net_wm_window_type,
	                     &b->atom.net_wm_pid,
	                     &b->atom.net_client_list};
	enum { N = sizeof(names) / sizeof(names[0]) };
	xcb_intern_atom_cookie_t ck[N];
	for (int i = 0; i < N; i++)
		ck[i] = xcb_intern_atom(b->xc, 0, (uint16_t)strlen(names[i]), names[i]);
	int rc = 0;
	for (int i = 0; i < N; i++) {
		xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(b->xc, ck[i], NULL);
		*out[i] = r ? r->atom : XCB_ATOM_NONE;
		rc |= r ? 0 : -1;
		free(r);
	}
	return rc;
}

static bool has_ext(struct xb *b, xcb_extension_t *ext, const char *name)
{
	const xcb_query_extension_reply_t *r = xcb_get_extension_data(b->xc, ext);
	if (!r || !r->present)
		xb_log("the X server lacks the %s extension", name);
	return r && r->present;
}

static int check_extensions(struct xb *b)
{
	if (!has_ext(b, &xcb_composite_id, "Composite") || !has_ext(b, &xcb_damage_id, "DAMAGE") ||
	    !has_ext(b, &xcb_xfixes_id, "XFIXES") || !has_ext(b, &xcb_shm_id, "MIT-SHM") ||
	    !has_ext(b, &xcb_test_id, "XTEST"))
		return -1;
	b->damage_event = xcb_get_extension_data(b->xc, &xcb_damage_id)->first_event;
	/* each extension must be told the version we speak before use */
	free(xcb_xfixes_query_version_reply(b->xc, xcb_xfixes_query_version(b->xc, 5, 0), NULL));
	free(xcb_damage_query_version_reply(b->xc, xcb_damage_query_version(b->xc, 1, 1), NULL));
	xcb_composite_query_version_reply_t *c = xcb_composite_query_version_reply(
	    b->xc, xcb_composite_query_version(b->xc, 0, 4), NULL);
	bool ok = c && (c->major_version > 0 || c->minor_version >= 2);
	free(c);
	if (!ok)
		xb_log("Composite 0.2 or later is needed");
	return ok ? 0 : -1;
}

/* SubstructureRedirect on the root: only one client may hold it. */
static int become_wm(struct xb *b)
{
	uint32_t mask = XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT | XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY |
	                XCB_EVENT_MASK_PROPERTY_CHANGE;
	xcb_generic_error_t *e = xcb_request_check(
	    b->xc, xcb_change_window_attributes_checked(b->xc, b->root, XCB_CW_EVENT_MASK, &mask));
	if (e) {
		free(e);
		xb_log("another window manager runs on this display");
		return -1;
	}
	/* EWMH: a child window names the window manager, and what it supports */
	b->check_win = xcb_generate_id(b->xc);
	xcb_create_window(b->xc, 0, b->check_win, b->root, -1, -1, 1, 1, 0,
	                  XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT, 0, NULL);
	xcb_atom_t win = XCB_ATOM_WINDOW;
	xcb_change_property(b->xc, XCB_PROP_MODE_REPLACE, b->root, b->atom.net_supporting_wm_check,
	                    win, 32, 1, &b->check_win);
	xcb_change_property(b->xc, XCB_PROP_MODE_REPLACE, b->check_win,
	                    b->atom.net_supporting_wm_check, win, 32, 1, &b->check_win);
	xcb_change_property(b->xc, XCB_PROP_MODE_REPLACE, b->check_win, b->atom.net_wm_name,
	                    b->atom.utf8_string, 8, 6, "xp-x11");
	xcb_atom_t sup[] = {b->atom.net_supported, b->atom.net_supporting_wm_check,
	                    b->atom.net_wm_name, b->atom.net_active_window,
	                    b->atom.net_client_list};
	xcb_change_property(b->xc, XCB_PROP_MODE_REPLACE, b->root, b->atom.net_supported,
	                    XCB_ATOM_ATOM, 32, sizeof(sup) / sizeof(sup[0]), sup);
	/* every top-level draws into its own pixmap, none onto the root */
	xcb_composite_redirect_subwindows(b->xc, b->root, XCB_COMPOSITE_REDIRECT_MANUAL);
	return 0;
}

int xb_x_open(struct xb *b, const char *name)
{
	int screen_no = 0;
	b->xc = xcb_connect(name, &screen_no);
	if (xcb_connection_has_error(b->xc)) {
		xb_log("cannot connect to X display %s", name ? name : "(DISPLAY)");
		return -1;
	}
	const xcb_setup_t *setup = xcb_get_setup(b->xc);
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(setup);
	for (int i = 0; i < screen_no && it.rem; i++)
		xcb_screen_next(&it);
	b->screen = it.data;
	b->root = b->screen->root;
	b->id_mask = setup->resource_id_mask;
	b->shmid = -1;
	if (check_extensions(b) < 0 || intern(b) < 0 || become_wm(b) < 0)
		return -1;
	xcb_flush(b->xc);
	return 0;
}

static void shm_release(struct xb *b)
{
	if (!b->shm)
		return;
	xcb_shm_detach(b->xc, b->seg);
	shmdt(b->shm);
	b->shm = NULL;
	b->shm_size = 0;
}

void xb_x_close(struct xb *b)
{
	if (!b->xc)
		return;
	shm_release(b);
	xcb_disconnect(b->xc);
	b->xc = NULL;
}

/* A segment of at least @size bytes, shared with the X server. */
static int shm_reserve(struct xb *b, size_t size)
{
	if (b->shm && b->shm_size >= size)
		return 0;
	shm_release(b);
	size = (size + 0xfffff) & ~(size_t)0xfffff; /* whole MiB: fewer re-creations */
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id < 0)
		return -1;
	void *p = shmat(id, NULL, 0);
	b->seg = xcb_generate_id(b->xc);
	xcb_generic_error_t *e =
	    p == (void *)-1
	        ? NULL
	        : xcb_request_check(b->xc, xcb_shm_attach_checked(b->xc, b->seg, (uint32_t)id, 0));
	shmctl(id, IPC_RMID, NULL); /* freed once both sides detach */
	if (p == (void *)-1 || e) {
		free(e);
		if (p != (void *)-1)
			shmdt(p);
		xb_log("cannot share memory with the X server (MIT-SHM)");
		return -1;
	}
	b->shm = p;
	b->shm_size = size;
	return 0;
}

int xb_x_read(struct xb *b, const struct xb_win *w, struct xr_rect r, struct xr_fb *fb)
{
	size_t row = (size_t)w->w * 4;
	if (xr_rect_empty(r) || shm_reserve(b, row * (size_t)w->h) < 0)
		return -1;
	/* whole rows, so that the segment is laid out as the window */
	xcb_shm_get_image_reply_t *rep = xcb_shm_get_image_reply(
	    b->xc,
	    xcb_shm_get_image(b->xc, w->pixmap, 0, (int16_t)r.y, (uint16_t)w->w, (uint16_t)r.h, ~0u,
	                      XCB_IMAGE_FORMAT_Z_PIXMAP, b->seg, (uint32_t)(row * (size_t)r.y)),
	    NULL);
	if (!rep)
		return -1;
	bool ok = rep->depth == 24 || rep->depth == 32;
	free(rep);
	if (!ok)
		return -1;
	*fb = (struct xr_fb){(uint32_t *)(void *)b->shm, w->w, w->h, w->w};
	for (int y = r.y; y < r.y + r.h; y++) {
		uint32_t *p = fb->px + (size_t)y * (size_t)w->w;
		for (int x = 0; x < w->w; x++)
			p[x] &= 0xffffff; /* X pads (or puts alpha in) the top byte */
	}
	b->bytes_read += row * (size_t)r.h;
	return 0;
}
