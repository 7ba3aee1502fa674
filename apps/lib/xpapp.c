/*
 * xpapp.c - connection, windows and events of libxpapp.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"
#include "xputil.h"

/* xa_open_at() with HELLO flags @flags besides compression and SYNC_KEYS. */
static struct xa_display *open_at(const char *addr, const char *cookie_path, const char *session,
                                  const char *name, uint32_t flags, struct xp_error *err)
{
	struct xp_cookie ck;
	char path[512];
	if (!cookie_path)
		cookie_path = xp_cookie_default_path(path, sizeof(path));
	if (xp_cookie_load(cookie_path, false, &ck, err) < 0)
		return NULL;
	int fd = xp_net_connect(addr, XP_NET_CLOEXEC, err);
	if (fd < 0)
		return NULL;
	struct xa_display *d = calloc(1, sizeof(*d));
	if (!d) {
		xp_error_set(err, XP_ERR_INTERNAL, 0, "out of memory");
		goto err_fd;
	}
	xp_conn_init(&d->conn, fd, XP_MAX_MSG_DEFAULT, true);
	/* apps are local: no compression unless connected over TCP */
	bool tcp = !xp_net_is_unix(addr);
	/* we can answer key presses with SYNC: a launcher's keyboard is synchronous */
	struct xp_caps want = {flags | (tcp ? XP_FLAG_ZLIB : 0) | XP_FLAG_SYNC_KEYS,
	                       XP_MAX_MSG_DEFAULT, 0, 0},
	               got;
	if (xp_handshake_client(&d->conn, XP_ROLE_APP, &ck, &want, session, name, &got, 5000) < 0) {
		*err = *xp_conn_error(&d->conn);
		xp_conn_finish(&d->conn);
		free(d);
		return NULL;
	}
	d->screen_w = got.screen_w;
	d->screen_h = got.screen_h;
	d->max_msg = got.max_msg;
	d->sync_keys = got.flags & XP_FLAG_SYNC_KEYS;
	xd_state_init(&d->sent);
	return d;
err_fd:
	close(fd);
	return NULL;
}

struct xa_display *xa_open_at(const char *addr, const char *cookie_path, const char *session,
                              const char *name, struct xp_error *err)
{
	return open_at(addr, cookie_path, session, name, 0, err);
}

const char *xa_app_endpoint(char *buf, size_t cap, struct xp_error *err)
{
	const char *disp = getenv("XPROTO_DISPLAY"), *sock = getenv("XPROTO_APP_SOCKET");
	struct xp_display d;
	if (disp && *disp) {
		if (xp_display_parse(disp, &d, err) < 0)
			return NULL;
		if (d.number >= 0 && !d.local) {
			xp_error_set(err, XP_ERR_IO, 0,
			             "XPROTO_DISPLAY=%s is on another host: apps connect to a "
			             "display of their own host (:N)",
			             disp);
			return NULL;
		}
		snprintf(buf, cap, "%s", d.number >= 0 || d.socket[0] ? d.socket : d.tcp);
		return buf;
	}
	if (sock && *sock)
		return snprintf(buf, cap, "%s", sock), buf;
	xp_error_set(err, XP_ERR_IO, 0,
	             "neither XPROTO_DISPLAY nor XPROTO_APP_SOCKET is set (start apps from "
	             "xproto-server, or set XPROTO_DISPLAY=:N)");
	return NULL;
}

struct xa_display *xa_open(const char *name, struct xp_error *err)
{
	const char *session = getenv("XPROTO_SESSION");
	char addr[300];
	if (!xa_app_endpoint(addr, sizeof(addr), err))
		return NULL;
	/* a mistyped XPROTO_SESSION is an error, not a new empty session */
	return open_at(addr, getenv("XPROTO_COOKIE"), session && *session ? session : "main", name,
	               XP_FLAG_EXISTING, err);
}

void xa_close(struct xa_display *d)
{
	if (!d)
		return;
	xp_conn_drain(&d->conn, 1000);
	xp_conn_finish(&d->conn);
	xa_clip_free(d);
	free(d);
}

int xa_fd(const struct xa_display *d)
{
	return xp_conn_fd(&d->conn);
}

void xa_screen_size(const struct xa_display *d, uint32_t *w, uint32_t *h)
{
	*w = d->screen_w;
	*h = d->screen_h;
}

void xa_window_max_size(const struct xa_display *d, uint32_t *w, uint32_t *h)
{
	*w = d->screen_w > XP_WIN_MAX_DIM ? XP_WIN_MAX_DIM : d->screen_w;
	*h = d->screen_h > XP_WIN_MAX_DIM ? XP_WIN_MAX_DIM : d->screen_h;
}

const struct xp_error *xa_error(const struct xa_display *d)
{
	/* the server's reason beats the "connection closed" that follows it */
	return d->server_error.code ? &d->server_error : xp_conn_error(&d->conn);
}

void xa_wire_bytes(const struct xa_display *d, uint64_t *out, uint64_t *in)
{
	*out = xp_conn_stats(&d->conn)->wire_out;
	*in = xp_conn_stats(&d->conn)->wire_in;
}

int xa_send(struct xa_display *d, const struct xp_msg *m)
{
	if (xp_conn_send(&d->conn, m) < 0)
		return -1;
	/* keep the queue short: a big frame goes out now */
	if (xp_conn_out_pending(&d->conn) > 256 * 1024)
		return xa_flush(d);
	return 0;
}

uint32_t xa_window_create(struct xa_display *d, int32_t x, int32_t y, uint32_t w, uint32_t h,
                          uint32_t flags, uint32_t bg)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	uint32_t id = ++d->next_win;
	m.u.win_create = (struct xp_msg_win_create){id, x, y, w, h, flags, bg};
	return xa_send(d, &m) < 0 ? 0 : id;
}

static int one_id(struct xa_display *d, uint8_t op, uint32_t win)
{
	struct xp_msg m = {.op = op};
	m.u.win_map.win = win; /* same layout for every one-id message */
	return xa_send(d, &m);
}

int xa_window_destroy(struct xa_display *d, uint32_t win)
{
	if (d->sent.target == win)
		d->sent.target = 0;
	return one_id(d, XP_OP_WIN_DESTROY, win);
}
int xa_window_map(struct xa_display *d, uint32_t win)
{
	return one_id(d, XP_OP_WIN_MAP, win);
}
int xa_window_unmap(struct xa_display *d, uint32_t win)
{
	return one_id(d, XP_OP_WIN_UNMAP, win);
}
int xa_bell(struct xa_display *d, uint32_t win)
{
	return one_id(d, XP_OP_BELL, win);
}

int xa_window_configure(struct xa_display *d, uint32_t win, uint32_t mask, int32_t x, int32_t y,
                        uint32_t w, uint32_t h)
{
	struct xp_msg m = {.op = XP_OP_WIN_CONFIGURE};
	m.u.win_configure = (struct xp_msg_win_configure){win, mask, x, y, w, h};
	return xa_send(d, &m);
}

int xa_window_title(struct xa_display *d, uint32_t win, const char *title)
{
	struct xp_msg m = {.op = XP_OP_WIN_TITLE};
	m.u.win_title = (struct xp_msg_win_title){win, xp_str_from(title)};
	return xa_send(d, &m);
}

int xa_launch(struct xa_display *d, const char *name)
{
	struct xp_msg m = {.op = XP_OP_APP_LAUNCH};
	m.u.app_launch.app = xp_str_from(name);
	return xa_send(d, &m);
}

/* ---- the app list ---- */

#define XA_APPS_MAX 1024 /* a server listing more is not believed */

/* Copy what fits of @s into @dst (@cap bytes), cut at a character. */
static void copy_cut(char *dst, size_t cap, struct xp_str s)
{
	size_t n = xp_utf8_fit(s.p, s.n, cap - 1);
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static void fill_app(const struct xp_msg *m, void *slot)
{
	struct xa_app_info *a = slot;
	copy_cut(a->name, sizeof(a->name), m->u.app_entry.app);
	copy_cut(a->about, sizeof(a->about), m->u.app_entry.about);
}

int xa_app_list(struct xa_display *d, struct xa_app_info **list, size_t *n, int timeout_ms)
{
	void *v;
	int r = xa_collect(d, XP_OP_APP_LIST, XP_OP_APP_ENTRY, sizeof(**list), XA_APPS_MAX,
	                   fill_app, &v, n, timeout_ms);
	*list = v;
	return r;
}

int xa_flush(struct xa_display *d)
{
	return xp_conn_drain(&d->conn, 5000);
}

/* ---- events ---- */

static bool to_event(const struct xp_msg *m, struct xa_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (m->op) {
	case XP_OP_EV_KEY:
		*ev = (struct xa_event){.type = XA_KEY,
		                        .win = m->u.ev_key.win,
		                        .state = m->u.ev_key.state,
		                        .keysym = m->u.ev_key.keysym};
		xp_str_copy(ev->text, sizeof(ev->text), m->u.ev_key.text);
		return true;
	case XP_OP_EV_BUTTON:
		*ev = (struct xa_event){.type = XA_BUTTON,
		                        .win = m->u.ev_button.win,
		                        .state = m->u.ev_button.state,
		                        .x = m->u.ev_button.x,
		                        .y = m->u.ev_button.y};
		return true;
	case XP_OP_EV_MOTION:
		*ev = (struct xa_event){.type = XA_MOTION,
		                        .win = m->u.ev_motion.win,
		                        .x = m->u.ev_motion.x,
		                        .y = m->u.ev_motion.y,
		                        .buttons = m->u.ev_motion.buttons};
		return true;
	case XP_OP_WIN_CONFIGURE:
		*ev = (struct xa_event){.type = XA_CONFIGURE,
		                        .win = m->u.win_configure.win,
		                        .x = m->u.win_configure.x,
		                        .y = m->u.win_configure.y,
		                        .w = m->u.win_configure.w,
		                        .h = m->u.win_configure.h};
		return true;
	case XP_OP_CLOSE:
		*ev = (struct xa_event){.type = XA_CLOSE, .win = m->u.close.win};
		return true;
	case XP_OP_WIN_FOCUS:
		*ev = (struct xa_event){
		    .type = XA_FOCUS, .win = m->u.win_focus.win, .on = m->u.win_focus.on};
		return true;
	case XP_OP_APP_EXITED:
		*ev = (struct xa_event){.type = XA_APP_EXITED,
		                        .state = m->u.app_exited.flags,
		                        .keysym = m->u.app_exited.status};
		xp_str_copy(ev->text, sizeof(ev->text), m->u.app_exited.app);
		xp_str_copy(ev->reason, sizeof(ev->reason), m->u.app_exited.reason);
		return true;
	default:
		return false;
	}
}

static void queue_push(struct xa_display *d, const struct xa_event *ev)
{
	if (d->qlen == XA_QUEUE) /* a full queue drops the oldest motion-like event */
		memmove(&d->queue[0], &d->queue[1], --d->qlen * sizeof(*ev));
	d->queue[d->qlen++] = *ev;
}

/* Take one message: queue events, answer pings. Returns 1 if a SYNC came. */
int xa_take(struct xa_display *d, const struct xp_msg *m, uint32_t want_sync)
{
	struct xa_event ev;
	if (to_event(m, &ev) || xa_clip_event(d, m, &ev)) {
		queue_push(d, &ev);
	} else if (m->op == XP_OP_PING) {
		struct xp_msg p = {.op = XP_OP_PONG};
		p.u.pong = (struct xp_msg_pong){m->u.ping.seq, m->u.ping.time_us};
		xa_send(d, &p);
	} else if (m->op == XP_OP_SYNC && m->u.sync.serial == want_sync) {
		return 1;
	} else if (m->op == XP_OP_ERROR) {
		char text[128];
		xp_str_copy(text, sizeof(text), m->u.error.text);
		xp_error_set(&d->server_error, (enum xp_err_code)m->u.error.code, m->u.error.about,
		             "server: %s", text);
		d->server_errors++;
		fprintf(stderr, "xpapp: %s\n", d->server_error.text);
	}
	return 0;
}

int xa_sync(struct xa_display *d, int timeout_ms)
{
	struct xp_msg m = {.op = XP_OP_SYNC}, in;
	uint32_t serial = ++d->sync_serial, errors = d->server_errors;
	m.u.sync.serial = serial;
	if (xa_send(d, &m) < 0 || xa_flush(d) < 0)
		return -1;
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (xp_now_us() < deadline) {
		int r = xp_conn_wait(&d->conn, &in, xp_ms_until(deadline));
		if (r < 0)
			return -1;
		if (r > 0 && xa_take(d, &in, serial))
			return d->server_errors == errors ? 0 : -1;
	}
	return -1;
}

static int pop(struct xa_display *d, struct xa_event *ev)
{
	if (d->qlen == 0)
		return 0;
	*ev = d->queue[0];
	memmove(&d->queue[0], &d->queue[1], --d->qlen * sizeof(*ev));
	return 1;
}

/* The key press returned last has been acted on: tell a server that waits. */
static void input_done(struct xa_display *d)
{
	struct xp_msg m = {.op = XP_OP_SYNC}; /* serial 0: no xa_sync() waits for it */
	if (d->owe_sync && xp_conn_send(&d->conn, &m) == 0) {
		d->owe_sync = false;
		xa_flush(d); /* the server holds the next keys until it has this */
	}
}

/* Pop the next queued event; a key press is owed a SYNC when asked for. */
static int next_queued(struct xa_display *d, struct xa_event *ev)
{
	if (!pop(d, ev))
		return 0;
	d->owe_sync = d->sync_keys && ev->type == XA_KEY && (ev->state & XP_KEY_PRESSED);
	return 1;
}

int xa_next_event(struct xa_display *d, struct xa_event *ev, int timeout_ms)
{
	struct xp_msg m;
	input_done(d);
	if (next_queued(d, ev))
		return 1;
	if (xa_flush(d) < 0)
		return -1;
	uint64_t deadline = xp_now_us() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000;
	for (;;) {
		/* the deadline may already have passed: never a negative wait */
		int ms = timeout_ms < 0 ? 60000 : xp_ms_until(deadline);
		int r = xp_conn_wait(&d->conn, &m, ms);
		if (r < 0)
			return -1;
		if (r > 0)
			xa_take(d, &m, 0);
		if (next_queued(d, ev))
			return 1;
		if (d->qlen == 0 && r == 0 && timeout_ms >= 0 && xp_now_us() >= deadline)
			return 0;
		xa_flush(d); /* pongs */
	}
}
