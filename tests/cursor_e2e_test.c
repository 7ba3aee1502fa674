/*
 * cursor_e2e_test.c - pointer shapes through a real xproto-server (SPEC.md
 * CURSOR, WIN_CURSOR): an app defines shapes with libxpapp, raw protocol
 * clients (zlib, as thin clients) and a headless thin client receive them.
 * Checked: forwarding and the refresh of a client attaching later; a shape
 * a client holds costs a WIN_CURSOR only (the bytes are printed); a window
 * keeps its shape when the app redefines the id; each client's ids stay
 * within 1..64 however many shapes pass; bad CURSOR and WIN_CURSOR messages
 * and the session's memory limit; what a headless thin client shows.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "e2e.h"
#include "thinrun.h"

#define QUIET_MS 300

static const char *const no_launcher[] = {"--no-launcher", NULL};

/* ---- a raw client that keeps what it is told about shapes ---- */

struct rshape {
	uint32_t w, h, hot_x, hot_y;
	uint32_t px[64 * 64];
};

struct raw {
	struct xp_conn c;
	struct rshape held[XP_CURSOR_IDS + 1]; /* by the server's id for us */
	struct rshape win_shape[16];           /* by window id (w == 0: default) */
	int cursors, win_cursors;              /* messages received */
	uint32_t max_id;
	uint8_t last_format; /* of the last CURSOR */
};

static void take(struct raw *r, const struct xp_msg *m)
{
	struct xp_error err;
	if (m->op == XP_OP_MARK) {
		struct xp_msg a = {.op = XP_OP_ACK, .u.ack.serial = m->u.mark.serial};
		xp_conn_send(&r->c, &a);
	} else if (m->op == XP_OP_CURSOR) {
		const struct xp_msg_cursor *d = &m->u.cursor;
		assert_int_equal(xp_cursor_check(d, &err), 0);
		struct rshape *s = &r->held[d->id];
		*s = (struct rshape){d->w, d->h, d->hot_x, d->hot_y, {0}};
		xp_cursor_argb(d, s->px);
		r->cursors++;
		r->last_format = d->format;
		r->max_id = d->id > r->max_id ? d->id : r->max_id;
	} else if (m->op == XP_OP_WIN_CURSOR) {
		const struct xp_msg_win_cursor *wc = &m->u.win_cursor;
		assert_true(wc->win < 16 && wc->cursor <= XP_CURSOR_IDS);
		r->win_shape[wc->win] = wc->cursor ? r->held[wc->cursor] : (struct rshape){0};
		r->win_cursors++;
	}
}

/* Read (and ACK) until nothing arrived for QUIET_MS (10 s at most). */
static void pump(struct raw *r)
{
	struct xp_msg m;
	uint64_t end = xp_now_us() + 10000000, quiet = xp_now_us() + QUIET_MS * 1000;
	while (xp_now_us() < end && xp_now_us() < quiet) {
		int got = xp_conn_wait(&r->c, &m, 20);
		assert_true(got >= 0);
		if (got > 0) {
			take(r, &m);
			quiet = xp_now_us() + QUIET_MS * 1000;
		}
		assert_int_equal(xp_conn_drain(&r->c, 1000), 0);
	}
}

static struct raw *raw_open(struct e2e_server *s)
{
	struct raw *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_int_equal(e2e_raw_client(s, &r->c, "main", NULL, 0), 0);
	return r;
}

static void raw_close(struct raw *r)
{
	xp_conn_finish(&r->c);
	free(r);
}

static uint64_t wire(const struct raw *r)
{
	const struct xp_conn_stats *st = xp_conn_stats(&r->c);
	return st->wire_in + st->wire_out;
}

static bool same(const struct rshape *a, const struct rshape *b)
{
	return a->w == b->w && a->h == b->h && a->hot_x == b->hot_x && a->hot_y == b->hot_y &&
	       !memcmp(a->px, b->px, (size_t)a->w * a->h * 4);
}

/* ---- the app side ---- */

/* Two windows, A (id 1 for clients: the first window) and B. */
static struct xa_display *app_with_windows(struct e2e_server *s, uint32_t *a, uint32_t *b)
{
	struct xa_display *d = e2e_app(s, "main");
	assert_non_null(d);
	/* popups: shown exactly where asked, never placed or framed by the session */
	*a = xa_window_create(d, 0, 0, 100, 50, XP_WIN_POPUP, 0x102030);
	*b = xa_window_create(d, 200, 0, 100, 50, XP_WIN_POPUP, 0x302010);
	xa_window_map(d, *a);
	xa_window_map(d, *b);
	assert_int_equal(xa_cursor_standard(d, 1, XA_CURSOR_IBEAM), 0);
	assert_int_equal(xa_cursor_standard(d, 2, XA_CURSOR_ARROW), 0);
	assert_int_equal(xa_sync(d, 5000), 0);
	return d;
}

static void set(struct xa_display *d, uint32_t win, uint32_t id)
{
	assert_int_equal(xa_window_cursor(d, win, id), 0);
	assert_int_equal(xa_sync(d, 5000), 0);
}

/* A 24x24 anti-aliased disc: a shape only the ARGB format holds. */
static void disc(uint32_t *px, uint32_t tint)
{
	for (int y = 0; y < 24; y++) {
		for (int x = 0; x < 24; x++) {
			int d2 = (x - 12) * (x - 12) + (y - 12) * (y - 12);
			uint32_t a = d2 < 100 ? 255 : d2 < 144 ? (uint32_t)(144 - d2) * 5 : 0;
			uint32_t c = a * tint / 255;
			px[y * 24 + x] = a << 24 | c << 16 | (c / 2) << 8 | (c / 4);
		}
	}
}

static void test_forwarded_and_refreshed(void **state)
{
	(void)state;
	struct e2e_server s;
	uint32_t a, b;
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct raw *before = raw_open(&s);
	struct xa_display *d = app_with_windows(&s, &a, &b);
	set(d, a, 1);
	set(d, b, 2);
	pump(before);
	const struct rshape *ibeam = &before->win_shape[1], *arrow = &before->win_shape[2];
	assert_int_equal(ibeam->w, 9);
	assert_int_equal(ibeam->h, 17);
	assert_int_equal(ibeam->hot_x, 4);
	assert_int_equal(ibeam->px[8 * 9 + 4], 0xff000000u); /* the black stem */
	assert_int_equal(ibeam->px[8 * 9 + 3], 0xffffffffu); /* its white outline */
	assert_int_equal(ibeam->px[8 * 9 + 0], 0);           /* transparent */
	assert_int_equal(arrow->w, 11);
	assert_int_equal(before->cursors, 2);
	/* a client attaching now gets both shapes with the refresh */
	struct raw *after = raw_open(&s);
	pump(after);
	assert_true(same(&after->win_shape[1], ibeam));
	assert_true(same(&after->win_shape[2], arrow));
	assert_int_equal(after->cursors, 2);
	/* a shape the clients hold: a WIN_CURSOR only */
	uint64_t w0 = wire(before);
	set(d, a, 2);
	pump(before);
	assert_int_equal(before->cursors, 2);
	assert_true(same(&before->win_shape[1], arrow));
	uint64_t change = wire(before) - w0;
	/* a new ARGB shape: CURSOR once, then WIN_CURSOR */
	uint32_t px[24 * 24];
	disc(px, 200);
	assert_int_equal(xa_cursor_argb(d, 3, 24, 24, 12, 12, px), 0);
	w0 = wire(before);
	set(d, a, 3);
	pump(before);
	assert_int_equal(before->cursors, 3);
	assert_int_equal(before->last_format, XP_CURSOR_ARGB);
	assert_int_equal(memcmp(before->win_shape[1].px, px, sizeof(px)), 0);
	uint64_t argb = wire(before) - w0;
	/* a new 1-bit shape: a 16x16 cross, black outlined in white, never sent */
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 16; x++)
			px[y * 16 + x] = (x == 7 || y == 7)                         ? 0xff000000u
			                 : (x >= 6 && x <= 8) || (y >= 6 && y <= 8) ? 0xffffffffu
			                                                            : 0;
	assert_int_equal(xa_cursor_argb(d, 4, 16, 16, 7, 7, px), 0);
	w0 = wire(before);
	set(d, a, 4);
	pump(before);
	assert_int_equal(before->cursors, 4);
	/* sent as 1-bit planes and two colours, and exactly the same pixels */
	assert_int_equal(before->last_format, XP_CURSOR_MASK);
	assert_int_equal(before->win_shape[1].w, 16);
	assert_int_equal(memcmp(before->win_shape[1].px, px, 16 * 16 * 4), 0);
	print_message("a cursor change on the wire, both ways, MARK and ACK included: %llu B for a "
	              "shape the client holds, %llu B for a new 16x16 MASK shape, %llu B for a new "
	              "24x24 ARGB shape\n",
	              (unsigned long long)change, (unsigned long long)(wire(before) - w0),
	              (unsigned long long)argb);
	raw_close(before);
	raw_close(after);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Redefining an id changes no window until it is named again. */
static void test_window_keeps_its_shape(void **state)
{
	(void)state;
	struct e2e_server s;
	uint32_t a, b;
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = app_with_windows(&s, &a, &b);
	set(d, a, 1);
	struct raw *r = raw_open(&s);
	pump(r);
	struct rshape ibeam = r->win_shape[1];
	assert_int_equal(xa_cursor_standard(d, 1, XA_CURSOR_ARROW), 0);
	assert_int_equal(xa_sync(d, 5000), 0);
	pump(r);
	assert_int_equal(r->cursors, 1); /* nothing was sent */
	struct raw *late = raw_open(&s);
	pump(late);
	assert_true(same(&late->win_shape[1], &ibeam));
	set(d, a, 1); /* named again: the new shape */
	pump(r);
	assert_int_equal(r->cursors, 2);
	assert_int_equal(r->win_shape[1].w, 11);
	set(d, a, 0); /* back to the default */
	pump(r);
	assert_int_equal(r->win_shape[1].w, 0);
	raw_close(r);
	raw_close(late);
	xa_close(d);
	e2e_server_stop(&s);
}

/* However many shapes pass, a client's ids stay within 1..64. */
static void test_client_ids_wrap(void **state)
{
	(void)state;
	struct e2e_server s;
	uint32_t a, b, px[8 * 8];
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = app_with_windows(&s, &a, &b);
	struct raw *r = raw_open(&s);
	for (uint32_t k = 0; k < 100; k++) {
		for (int i = 0; i < 64; i++)
			px[i] = i == (int)(k % 64) ? 0xff000000u | k : 0x80808080u;
		assert_int_equal(xa_cursor_argb(d, k % 64 + 1, 8, 8, 0, 0, px), 0);
		assert_int_equal(xa_window_cursor(d, a, k % 64 + 1), 0);
	}
	assert_int_equal(xa_sync(d, 5000), 0);
	pump(r);
	assert_true(r->max_id <= XP_CURSOR_IDS);
	assert_int_equal(r->cursors, 100);
	assert_int_equal(memcmp(r->win_shape[1].px, px, sizeof(px)), 0);
	raw_close(r);
	xa_close(d);
	e2e_server_stop(&s);
}

/* A raw app connection to @s: for messages libxpapp would never send. */
static void raw_app(struct e2e_server *s, struct xp_conn *c)
{
	struct xp_error err;
	struct xp_cookie ck;
	struct xp_caps want = {0, XP_MAX_MSG_DEFAULT, 0, 0}, got;
	assert_int_equal(xp_cookie_load(s->cookie, false, &ck, &err), 0);
	int fd = xp_net_connect(s->app_socket, XP_NET_CLOEXEC, &err);
	assert_true(fd >= 0);
	xp_conn_init(c, fd, XP_MAX_MSG_DEFAULT, true);
	assert_int_equal(
	    xp_handshake_client(c, XP_ROLE_APP, &ck, &want, "main", "raw-app", &got, 5000), 0);
}

/* Send @m from a new raw app (after a window 1): the ERROR it gets back. */
static uint32_t refused(struct e2e_server *s, const struct xp_msg *m)
{
	struct xp_conn c;
	struct xp_msg in;
	raw_app(s, &c);
	struct xp_msg w = {.op = XP_OP_WIN_CREATE};
	w.u.win_create = (struct xp_msg_win_create){1, 0, 0, 10, 10, 0, 0};
	assert_int_equal(xp_conn_send(&c, &w), 0);
	assert_int_equal(xp_conn_send(&c, m), 0);
	assert_int_equal(xp_conn_drain(&c, 2000), 0);
	uint32_t code = 0;
	for (int i = 0; i < 100 && !code; i++) {
		int got = xp_conn_wait(&c, &in, 100);
		if (got < 0)
			break;
		if (got > 0 && in.op == XP_OP_ERROR)
			code = in.u.error.code;
	}
	xp_conn_finish(&c);
	return code;
}

static void test_bad_messages(void **state)
{
	(void)state;
	struct e2e_server s;
	static const uint8_t short_planes[3] = {0};
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xp_msg m = {.op = XP_OP_WIN_CURSOR, .u.win_cursor = {1, 5}};
	assert_int_equal(refused(&s, &m), XP_ERR_MALFORMED); /* never defined */
	m.u.win_cursor = (struct xp_msg_win_cursor){1, 1000};
	assert_int_equal(refused(&s, &m), XP_ERR_MALFORMED);
	m.u.win_cursor = (struct xp_msg_win_cursor){7, 0};
	assert_int_equal(refused(&s, &m), XP_ERR_NO_WINDOW);
	m = (struct xp_msg){.op = XP_OP_CURSOR};
	m.u.cursor = (struct xp_msg_cursor){1, 2, 2, 0, 0, XP_CURSOR_MASK, 0, 0, {short_planes, 3}};
	assert_int_equal(refused(&s, &m), XP_ERR_MALFORMED);
	m.u.cursor.id = 65;
	assert_int_equal(refused(&s, &m), XP_ERR_MALFORMED);
	/* the server is fine: a good app still works */
	uint32_t a, b;
	struct xa_display *d = app_with_windows(&s, &a, &b);
	set(d, a, 1);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Shapes count against the session's window-pixel budget. */
static void test_session_limit(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", "--max-session-mb", "1", NULL};
	static uint32_t px[64 * 64];
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	assert_true(xa_window_create(d, 0, 0, 500, 500, 0, 0) > 0); /* 1,000,000 bytes */
	assert_int_equal(xa_sync(d, 5000), 0);
	for (int i = 0; i < 64 * 64; i++)
		px[i] = 0x80000000u | (uint32_t)i % 128; /* half transparent: ARGB, 16 KiB */
	int defined = 0;
	for (uint32_t id = 1; id <= 10 && xa_sync(d, 5000) == 0; id++)
		if (xa_cursor_argb(d, id, 64, 64, 0, 0, px) == 0 && xa_sync(d, 5000) == 0)
			defined++;
	assert_true(defined >= 1 && defined < 10);
	assert_int_equal(xa_error(d)->code, XP_ERR_LIMIT);
	xa_close(d);
	e2e_server_stop(&s);
}

/* A headless thin client shows the shape of the window under its pointer. */
static bool shown_at(struct e2e_server *s, int x, int y, struct tc_cursor_image *out)
{
	char script[256], err[256];
	struct tr_run run;
	snprintf(script, sizeof(script),
	         "wait-windows 2 20000\nsync 20000\nmove %d %d\nsync 20000\nquit\n", x, y);
	struct tc_script *sc = tc_script_parse(script, "cursor", err, sizeof(err));
	assert_non_null(sc);
	struct tc_options o = {.addr = s->addr,
	                       .cookie_path = s->cookie,
	                       .headless = true,
	                       .script = sc,
	                       .width = 640,
	                       .height = 480};
	assert_int_equal(tr_start(&run, &o), 0);
	assert_int_equal(tr_join(&run, 20000), 0);
	bool shown = tc_cursor_shown(run.c, out);
	static uint32_t px[64 * 64];
	if (shown) { /* the client's pixels go with it: keep a copy */
		memcpy(px, out->argb, (size_t)out->w * out->h * 4);
		out->argb = px;
	}
	tr_destroy(&run);
	tc_script_destroy(sc);
	return shown;
}

static void test_headless_client(void **state)
{
	(void)state;
	struct e2e_server s;
	struct tc_cursor_image img;
	uint32_t a, b;
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = app_with_windows(&s, &a, &b);
	set(d, a, 1);
	set(d, b, 2);
	struct raw *r = raw_open(&s);
	pump(r);
	assert_true(shown_at(&s, 10, 10, &img));
	assert_int_equal(img.w, r->win_shape[1].w);
	assert_int_equal(img.hot_y, r->win_shape[1].hot_y);
	assert_int_equal(memcmp(img.argb, r->win_shape[1].px, img.w * img.h * 4), 0);
	assert_true(shown_at(&s, 250, 10, &img));
	assert_int_equal(memcmp(img.argb, r->win_shape[2].px, img.w * img.h * 4), 0);
	assert_false(shown_at(&s, 500, 300, &img)); /* no window there: the default */
	raw_close(r);
	xa_close(d);
	e2e_server_stop(&s);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* an app the server closes: an error, not a signal */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forwarded_and_refreshed),
	    cmocka_unit_test(test_window_keeps_its_shape),
	    cmocka_unit_test(test_client_ids_wrap),
	    cmocka_unit_test(test_bad_messages),
	    cmocka_unit_test(test_session_limit),
	    cmocka_unit_test(test_headless_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
