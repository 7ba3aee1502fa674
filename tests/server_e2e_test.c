/*
 * server_e2e_test.c - xproto-server end to end: a real server process, real
 * headless thin-client processes and in-process apps, over loopback.
 * Nothing waits a fixed time: an app's xa_sync() means the server has its
 * drawing, a client's `sync` that it has everything the server sent, and
 * a client's screenshot file that it has attached.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define W 320
#define H 200

static const char *const base_args[] = {"--no-launcher", NULL};

/* A scene using every drawing command. */
static void draw_scene(struct xa_display *d, uint32_t win, int variant)
{
	struct xr_fb img;
	uint8_t *z = NULL;
	size_t zlen = 0;
	static const uint8_t bits[] = {0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55};
	xa_fill(d, win, 0, 0, W, H, 0x102030);
	for (int i = 0; i < 8; i++) {
		char line[64];
		snprintf(line, sizeof(line), "line %d variant %d \xe2\x94\x80\xc3\xa9", i, variant);
		xa_text(d, win, 4, 4 + i * 13, line, strlen(line), (uint32_t)(i % 2), 0xffffff,
		        0x102030);
	}
	xa_fill(d, win, 200, 10, 50, 30, 0xff8800);
	struct xp_rect rs[3] = {{200, 50, 10, 10}, {215, 50, 10, 10}, {230, 50, 10, 10}};
	xa_fill_rects(d, win, rs, 3, 0x00ff00);
	xa_copy(d, win, 4, 17, 150, 80, 4, 4); /* scroll the text up a line */
	xa_bitmap(d, win, 260, 10, 8, 8, bits, sizeof(bits), 0xffff00, 0x0000ff, false);
	xr_fb_init(&img, 40, 30);
	for (int y = 0; y < 30; y++)
		for (int x = 0; x < 40; x++)
			img.px[y * img.stride + x] = XR_RGB(x * 6, y * 8, 128 + variant);
	xr_encode_zlib(&img, (struct xr_rect){0, 0, 40, 30}, 6, &z, &zlen);
	xa_image(d, win, 200, 120, 40, 30, XP_IMG_ZLIB, z, zlen);
	free(z);
	xr_encode_png(&img, (struct xr_rect){0, 0, 40, 30}, 6, &z, &zlen);
	xa_image(d, win, 250, 120, 40, 30, XP_IMG_PNG, z, zlen);
	free(z);
	xr_fb_finish(&img);
}

/* Where the session placed the scene window (its frame keeps it off 0,0). */
static int32_t scene_x, scene_y;

static uint32_t scene_window(struct xa_display *d, int variant)
{
	uint32_t win = xa_window_create(d, 0, 0, W, H, 0, 0x102030);
	xa_window_title(d, win, "scene");
	xa_window_map(d, win);
	draw_scene(d, win, variant);
	scene_x = scene_y = 0;
	assert_int_equal(e2e_window_pos(d, win, &scene_x, &scene_y), 0);
	return win;
}

/* Run a client that screenshots to DIR/NAME once it has everything the
 * server sent; returns its exit status. */
static int screenshot(struct e2e_server *s, const char *name, const char *const *extra)
{
	char script[512];
	snprintf(script, sizeof(script), "sync\nscreenshot %s/%s\nquit\n", s->dir, name);
	return e2e_client_run(s, script, extra);
}

/* Wait (bounded) for a client's screenshot DIR/NAME: it has attached. */
static void wait_shot(struct e2e_server *s, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	assert_true(proc_wait_file(path, 30000));
}

/* The pixel at @x, @y of the screenshot DIR/NAME. */
static uint32_t shot_pixel(struct e2e_server *s, const char *name, int x, int y)
{
	char path[256];
	struct xr_fb fb;
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	assert_int_equal(xr_png_read_file(path, &fb), 0);
	uint32_t px = fb.px[(size_t)y * (size_t)fb.stride + (size_t)x] & 0xffffff;
	xr_fb_finish(&fb);
	return px;
}

static void expect_same_as_server(struct e2e_server *s, const char *name, uint32_t win)
{
	char path[256];
	struct xr_fb shot, srv;
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	assert_int_equal(e2e_server_dump(s), 0);
	assert_int_equal(e2e_server_window(s, "main", win, &srv), 0);
	assert_int_equal(xr_png_read_file(path, &shot), 0);
	long diff = e2e_fb_diff_at(&shot, scene_x, scene_y, &srv, W, H);
	if (diff != 0)
		fail_msg("%s differs from the server's window in %ld pixels", name, diff);
	xr_fb_finish(&shot);
	xr_fb_finish(&srv);
}

static void test_screenshot_equals_server(void **state)
{
	(void)state;
	struct e2e_server s;
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	uint32_t win = scene_window(d, 0);
	assert_int_equal(win, 1);
	assert_int_equal(screenshot(&s, "a.png", NULL), 0);
	expect_same_as_server(&s, "a.png", 1);
	xa_close(d);
	e2e_server_stop(&s);
}

/* A hidden window's pixels reach a client when it is shown, not before. */
static void test_hidden_window_pixels_on_map(void **state)
{
	(void)state;
	struct e2e_server s;
	char script[512];
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t hidden = xa_window_create(d, 0, 0, W, H, 0, 0x102030); /* id 1, unmapped */
	draw_scene(d, hidden, 5);
	assert_int_equal(xa_sync(d, 10000), 0);
	/* attached: the window is known but its pixels were not sent; then the
	 * orange fill of the scene shows once it is mapped (the session's first
	 * window, framed at the top left) */
	snprintf(script, sizeof(script),
	         "sync\nscreenshot %s/before.png\nwait-pixel %d %d ff8800 30000\nsync\n"
	         "screenshot %s/h.png\nquit\n",
	         s.dir, XP_FRAME_BORDER + 210, XP_FRAME_TITLE + 20, s.dir);
	pid_t c = e2e_client_spawn(&s, script, NULL);
	wait_shot(&s, "before.png");
	assert_int_equal(shot_pixel(&s, "before.png", 210, 20), 0x202428); /* the desktop */
	xa_window_map(d, hidden);
	scene_x = scene_y = 0;
	assert_int_equal(e2e_window_pos(d, hidden, &scene_x, &scene_y), 0);
	assert_int_equal(proc_wait(c, 60000), 0);
	expect_same_as_server(&s, "h.png", 1);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Kill a client while updates stream; a new one shows the same pixels. */
static void test_kill_client_restart(void **state)
{
	(void)state;
	struct e2e_server s;
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = scene_window(d, 0);
	char script[256];
	snprintf(script, sizeof(script), "sync\nscreenshot %s/victim.png\nwait 60000\nquit\n",
	         s.dir);
	pid_t victim = e2e_client_spawn(&s, script, NULL);
	wait_shot(&s, "victim.png"); /* attached */
	for (int i = 0; i < 400; i++) {
		char t[32];
		snprintf(t, sizeof(t), "frame %d", i);
		xa_text(d, win, 10, 150 + (i % 3) * 13, t, strlen(t), 0, 0xffffff, 0x000000);
		xa_flush(d);
		if (i == 200)
			kill(victim, SIGKILL);
	}
	assert_int_equal(proc_wait(victim, 10000), 128 + SIGKILL);
	assert_int_equal(xa_sync(d, 10000), 0);
	assert_int_equal(screenshot(&s, "b.png", NULL), 0);
	expect_same_as_server(&s, "b.png", 1);
	xa_close(d);
	e2e_server_stop(&s);
}

/* A client and a read-only viewer at once show identical pixels. */
static void test_two_viewers_identical(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const ro[] = {"--read-only", NULL};
	char p1[256], p2[256], script[512];
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	scene_window(d, 1);
	snprintf(script, sizeof(script), "sync\nscreenshot %s/v1.png\nquit\n", s.dir);
	pid_t a = e2e_client_spawn(&s, script, NULL);
	snprintf(script, sizeof(script), "sync\nscreenshot %s/v2.png\nquit\n", s.dir);
	pid_t b = e2e_client_spawn(&s, script, ro);
	assert_int_equal(proc_wait(a, 60000), 0);
	assert_int_equal(proc_wait(b, 60000), 0);
	struct xr_fb f1, f2;
	snprintf(p1, sizeof(p1), "%s/v1.png", s.dir);
	snprintf(p2, sizeof(p2), "%s/v2.png", s.dir);
	assert_int_equal(xr_png_read_file(p1, &f1), 0);
	assert_int_equal(xr_png_read_file(p2, &f2), 0);
	assert_true(xr_fb_equal(&f1, &f2));
	expect_same_as_server(&s, "v1.png", 1);
	xr_fb_finish(&f1);
	xr_fb_finish(&f2);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Read the app's events until @want key events came (at most 30 s); the
 * text of the presses goes to @text. Returns the number of key events. */
static int read_keys(struct xa_display *d, int want, char *text, size_t cap)
{
	struct xa_event ev;
	int keys = 0;
	uint64_t end = xp_now_us() + 30000000u;
	while (keys < want && xp_now_us() < end) {
		if (xa_next_event(d, &ev, 100) != 1)
			continue;
		assert_int_not_equal(ev.type, XA_BUTTON); /* the viewer's click */
		if (ev.type == XA_KEY) {
			keys++;
			if (ev.state & XP_KEY_PRESSED)
				strncat(text, ev.text, cap - strlen(text) - 1);
		}
	}
	return keys;
}

static void test_read_only_keys_dropped(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const ro[] = {"--read-only", NULL};
	char typed[64] = "";
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	scene_window(d, 0);
	/* the viewer's input, then (its sync answered: the server has handled
	 * it) a normal client's: the app gets the second and only that */
	assert_int_equal(
	    e2e_client_run(&s, "type hello\nkey Return\nclick 10 10\nsync\nquit\n", ro), 0);
	assert_int_equal(e2e_client_run(&s, "type hi\nsync\nquit\n", NULL), 0);
	assert_int_equal(read_keys(d, 4, typed, sizeof(typed)), 4);
	assert_string_equal(typed, "hi");
	xa_close(d);
	e2e_server_stop(&s);
}

static void raw_key(struct xp_conn *c, uint32_t state, uint32_t keysym)
{
	struct xp_msg m = {.op = XP_OP_KEY};
	m.u.key = (struct xp_msg_key){state, keysym, {"", 0}};
	assert_int_equal(xp_conn_send(c, &m), 0);
}

/* A window created with XP_WIN_NO_KEY_RELEASE gets presses only, even from
 * a client that sends releases (one of minor 1, or a raw one). */
static void test_no_key_release_routed(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c;
	struct xa_event ev;
	uint32_t got[8];
	int n = 0;
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = xa_window_create(d, 0, 0, W, H, XP_WIN_NO_KEY_RELEASE, 0);
	xa_window_map(d, win); /* a mapped window takes the focus */
	assert_int_equal(xa_sync(d, 5000), 0);
	assert_int_equal(e2e_raw_client(&s, &c, "main", NULL, 0), 0);
	raw_key(&c, XP_KEY_PRESSED, 'x');
	raw_key(&c, 0, 'x');
	raw_key(&c, XP_KEY_PRESSED, 'y');
	assert_int_equal(xp_conn_drain(&c, 2000), 0);
	uint64_t end = xp_now_us() + 5000000;
	while (xp_now_us() < end && n < 8 && (n == 0 || got[n - 1] != ('y' | 0x100u)))
		if (xa_next_event(d, &ev, 50) == 1 && ev.type == XA_KEY)
			got[n++] = ev.keysym | (ev.state & XP_KEY_PRESSED ? 0x100u : 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0], 'x' | 0x100u);
	assert_int_equal(got[1], 'y' | 0x100u);
	xp_conn_finish(&c);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Read (and ACK) until a TEXT equal to @want arrives; returns ms or -1. */
static double wait_text(struct xp_conn *c, const char *want, int timeout_ms)
{
	struct xp_msg m;
	uint64_t t0 = xp_now_us(), end = t0 + (uint64_t)timeout_ms * 1000;
	while (xp_now_us() < end) {
		int r = xp_conn_wait(c, &m, 50);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (m.op == XP_OP_MARK) {
			struct xp_msg a = {.op = XP_OP_ACK};
			a.u.ack.serial = m.u.mark.serial;
			xp_conn_send(c, &a);
			xp_conn_drain(c, 10000);
		}
		if (m.op == XP_OP_TEXT && m.u.text.text.n == strlen(want) &&
		    !memcmp(m.u.text.text.p, want, m.u.text.text.n))
			return (double)(xp_now_us() - t0) / 1000.0;
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/*
 * A client that reads nothing delays nobody: with a stall timeout far
 * longer than the test, a server that waited for it would stop the live
 * client and the app past their deadlines. The figures are printed.
 */
static void test_stalled_client_harms_nobody(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", "--stall-timeout", "120000", NULL};
	struct xp_conn stalled, live;
	double delay[300], sync_ms[300];
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = scene_window(d, 0);
	assert_int_equal(e2e_raw_client(&s, &stalled, "main", NULL, 4096),
	                 0); /* never reads again */
	assert_int_equal(e2e_raw_client(&s, &live, "main", NULL, 0), 0);
	char filler[200];
	memset(filler, 'x', sizeof(filler));
	for (int i = 0; i < 300; i++) {
		char t[32];
		/* bulk the stalled client cannot take, then a marker */
		for (int k = 0; k < 20; k++)
			xa_text(d, win, 0, 160, filler, sizeof(filler), 0, (uint32_t)(k + i), 0);
		snprintf(t, sizeof(t), "mark %d", i);
		uint64_t t0 = xp_now_us();
		xa_text(d, win, 0, 180, t, strlen(t), 0, 0xffffff, 0);
		assert_int_equal(xa_sync(d, 20000), 0);
		sync_ms[i] = (double)(xp_now_us() - t0) / 1000.0;
		delay[i] = wait_text(&live, t, 20000);
		assert_true(delay[i] >= 0);
	}
	qsort(delay, 300, sizeof(double), cmp_double);
	qsort(sync_ms, 300, sizeof(double), cmp_double);
	printf("    with a stalled client: live client update delay median %.2f ms, max %.2f ms;"
	       " app round trip median %.2f ms, max %.2f ms\n",
	       delay[150], delay[299], sync_ms[150], sync_ms[299]);
	xp_conn_finish(&stalled);
	xp_conn_finish(&live);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Expect an ERROR with @code then the end of the stream. */
static void expect_error_then_close(struct xp_conn *c, enum xp_err_code code)
{
	struct xp_msg m;
	int r, seen = 0;
	for (int i = 0; i < 200000 && (r = xp_conn_wait(c, &m, 30000)) == 1; i++)
		if (m.op == XP_OP_ERROR && m.u.error.code == code)
			seen = 1;
	assert_int_equal(seen, 1);
	assert_int_equal(r, -1);
}

/* A client that acknowledges nothing is dropped after the stall timeout:
 * after its backlog comes the end of the stream. */
static void test_stalled_client_dropped(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", "--stall-timeout", "1500", NULL};
	struct xp_conn stalled;
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = scene_window(d, 0);
	assert_int_equal(e2e_raw_client(&s, &stalled, "main", NULL, 4096), 0);
	char filler[200];
	memset(filler, 'x', sizeof(filler));
	for (int i = 0; i < 20; i++)
		xa_text(d, win, 0, 160, filler, sizeof(filler), 0, (uint32_t)i, 0);
	assert_int_equal(xa_sync(d, 20000), 0);
	/* reading does not acknowledge: the timeout runs all the same */
	expect_error_then_close(&stalled, XP_ERR_TIMEOUT);
	xp_conn_finish(&stalled);
	xa_close(d);
	e2e_server_stop(&s);
}

static void test_hostile_peers(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c;
	struct xp_error err;
	uint8_t wrong[32] = {0};
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	scene_window(d, 2);
	/* wrong cookie */
	assert_int_equal(e2e_raw_client(&s, &c, "main", wrong, 0), -1);
	assert_int_equal(xp_conn_error(&c)->code, XP_ERR_AUTH);
	xp_conn_finish(&c);
	/* wrong version: the error names both versions */
	int fd = xp_net_connect(s.addr, XP_NET_CLOEXEC, &err);
	uint8_t pre[XP_PREAMBLE_LEN];
	xp_preamble_write(pre);
	pre[4] = 9;
	assert_int_equal(write(fd, pre, sizeof(pre)), (ssize_t)sizeof(pre));
	xp_conn_init(&c, fd, 65536, true);
	struct xp_msg m;
	assert_int_equal(xp_conn_wait(&c, &m, 20000), 1);
	assert_int_equal(m.op, XP_OP_ERROR);
	assert_int_equal(m.u.error.code, XP_ERR_VERSION);
	char text[160];
	xp_str_copy(text, sizeof(text), m.u.error.text);
	assert_non_null(strstr(text, "peer speaks 9."));
	assert_non_null(strstr(text, "we speak 1."));

	xp_conn_finish(&c);
	/* garbage after a good handshake, from a client */
	assert_int_equal(e2e_raw_client(&s, &c, "main", NULL, 0), 0);
	static const uint8_t junk[] = {0xee, 0x01, 0x02};
	xp_conn_send_raw(&c, junk, sizeof(junk));
	xp_conn_drain(&c, 10000);
	expect_error_then_close(&c, XP_ERR_UNKNOWN_OP);
	xp_conn_finish(&c);
	/* an app drawing into a window it does not own */
	struct xa_display *bad = e2e_app(&s, "main");
	assert_non_null(bad);
	xa_fill(bad, 1, 0, 0, 10, 10, 0xff0000); /* window 1 of *its* ids: none */
	assert_int_equal(xa_sync(bad, 20000), -1);
	assert_int_equal(xa_error(bad)->code, XP_ERR_NO_WINDOW);
	xa_close(bad);
	/* an app sending a truncated-then-garbage frame */
	fd = xp_net_connect(s.app_socket, XP_NET_CLOEXEC, &err);
	struct xp_cookie ck;
	xp_cookie_load(s.cookie, false, &ck, &err);
	xp_conn_init(&c, fd, 65536, true);
	struct xp_caps want = {0, 65536, 0, 0}, got;
	assert_int_equal(
	    xp_handshake_client(&c, XP_ROLE_APP, &ck, &want, "main", "bad", &got, 10000), 0);
	static const uint8_t bad_text[] = {0x27, 0x05, 0x00, 0x00, 0x09, 'a', 'b'};
	xp_conn_send_raw(&c, bad_text, sizeof(bad_text));
	xp_conn_drain(&c, 10000);
	expect_error_then_close(&c, XP_ERR_MALFORMED);
	xp_conn_finish(&c);
	/* extreme coordinates from an app and from a client (UBSan in the SAN run) */
	uint32_t far = xa_window_create(d, INT32_MAX - 50, INT32_MIN + 5, 100, 100, 0, 0);
	xa_window_map(d, far); /* placed on the screen; then moved where it asked */
	xa_window_configure(d, far, XP_CONF_MOVE, INT32_MAX - 50, INT32_MIN + 5, 0, 0);
	assert_int_equal(xa_sync(d, 20000), 0);
	assert_int_equal(e2e_raw_client(&s, &c, "main", NULL, 0), 0);
	struct xp_msg in = {.op = XP_OP_BUTTON};
	in.u.button =
	    (struct xp_msg_button){XP_BUTTON_STATE(1, true), INT32_MAX - 10, INT32_MIN + 10};
	xp_conn_send(&c, &in);
	in = (struct xp_msg){.op = XP_OP_MOTION};
	in.u.motion = (struct xp_msg_motion){INT32_MIN, INT32_MAX};
	xp_conn_send(&c, &in);
	assert_int_equal(xp_conn_drain(&c, 10000), 0);
	struct xa_event ev;
	assert_int_equal(xa_next_event(d, &ev, 20000), 1); /* the press reached the far window */
	while (ev.type != XA_BUTTON && xa_next_event(d, &ev, 20000) == 1)
		;
	/* closed only now: a client closing with the server's updates unread
	 * resets the connection, and the reset may drop input not yet read */
	xp_conn_finish(&c);
	assert_int_equal(ev.type, XA_BUTTON);
	assert_int_equal(ev.win, far);
	assert_int_equal(ev.x, 40);
	xa_window_destroy(d, far);
	/* everyone else carried on: the good app still draws, a client sees it */
	draw_scene(d, 1, 3);
	assert_int_equal(xa_sync(d, 20000), 0);
	assert_int_equal(screenshot(&s, "after.png", NULL), 0);
	expect_same_as_server(&s, "after.png", 1);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Cached images: clients get pixels on first use, the id afterwards. */
static void test_image_cache(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xr_fb img;
	uint8_t *png = NULL;
	size_t len = 0;
	char script[512];
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = scene_window(d, 0);
	xr_fb_init(&img, 24, 16);
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 24; x++)
			img.px[y * img.stride + x] = XR_RGB(x * 10, 255 - y * 15, (x ^ y) * 8);
	xr_encode_png(&img, (struct xr_rect){0, 0, 24, 16}, 6, &png, &len);
	/* client A watches from the start (its first screenshot says it has
	 * attached) until the last copy shows; B attaches later. The image's
	 * top-left pixel is pure green (on screen: where the window is). */
	snprintf(script, sizeof(script),
	         "sync\nscreenshot %s/ca0.png\nwait-pixel %d %d 00ff00 30000\nsync\n"
	         "screenshot %s/ca.png\nquit\n",
	         s.dir, scene_x + 160, scene_y + 150, s.dir);
	pid_t a = e2e_client_spawn(&s, script, NULL);
	wait_shot(&s, "ca0.png");
	xa_image_keep(d, win, 10, 150, 24, 16, XP_IMG_PNG, png, len, 7);
	for (int i = 1; i < 6; i++)
		xa_image_cached(d, win, 10 + i * 30, 150, 7);
	assert_int_equal(xa_sync(d, 10000), 0);
	assert_int_equal(screenshot(&s, "cb.png", NULL), 0); /* B: only the refresh */
	assert_int_equal(proc_wait(a, 60000), 0);
	expect_same_as_server(&s, "ca.png", 1);
	expect_same_as_server(&s, "cb.png", 1);
	/* B again, attached while the app draws from the cache: gets the pixels */
	snprintf(script, sizeof(script),
	         "sync\nscreenshot %s/cc0.png\nwait-pixel %d %d 00ff00 30000\nsync\n"
	         "screenshot %s/cc.png\nquit\n",
	         s.dir, scene_x + 200, scene_y + 170, s.dir);
	pid_t b = e2e_client_spawn(&s, script, NULL);
	wait_shot(&s, "cc0.png");
	xa_image_cached(d, win, 200, 170, 7);
	assert_int_equal(xa_sync(d, 10000), 0);
	assert_int_equal(proc_wait(b, 60000), 0);
	expect_same_as_server(&s, "cc.png", 1);
	xa_cache_drop(d, 7);
	xa_image_cached(d, win, 0, 0, 7); /* dropped: an error for this app only */
	assert_int_equal(xa_sync(d, 10000), -1);
	assert_int_equal(xa_error(d)->code, XP_ERR_MALFORMED);
	free(png);
	xr_fb_finish(&img);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Session names are checked, and sessions are a limited resource. */
static void test_session_names_and_limit(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c[3];
	static const char *const args[] = {"--no-launcher", "--max-sessions", "2", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	assert_int_equal(e2e_raw_client(&s, &c[0], "../../tmp/evil", NULL, 0), -1);
	assert_int_equal(xp_conn_error(&c[0])->code, XP_ERR_MALFORMED);
	xp_conn_finish(&c[0]);
	assert_int_equal(e2e_raw_client(&s, &c[0], "one", NULL, 0), 0);
	assert_int_equal(e2e_raw_client(&s, &c[1], "two", NULL, 0), 0);
	assert_int_equal(e2e_raw_client(&s, &c[2], "three", NULL, 0), -1);
	assert_int_equal(xp_conn_error(&c[2])->code, XP_ERR_LIMIT);
	xp_conn_finish(&c[2]);
	/* an existing session can still be joined */
	assert_int_equal(e2e_raw_client(&s, &c[2], "one", NULL, 0), 0);
	for (int i = 0; i < 3; i++)
		xp_conn_finish(&c[i]);
	e2e_server_stop(&s);
}

static void test_flood_respects_memory_limit(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", "--max-session-mb", "16", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	int made = 0;
	for (int i = 0; i < 20; i++) {
		xa_window_create(d, 0, 0, 1000, 1000, 0, 0); /* 4 MB each */
		if (xa_sync(d, 20000) < 0)
			break;
		made++;
	}
	assert_int_equal(made, 4);
	assert_int_equal(xa_error(d)->code, XP_ERR_LIMIT);
	xa_close(d);
	/* a draw flood from another app: the server keeps up, memory bounded */
	d = e2e_app(&s, "main");
	uint32_t win = scene_window(d, 0);
	static uint8_t raw[W * H * 3];
	for (int i = 0; i < 400; i++) /* ~77 MB of image data */
		xa_image(d, win, 0, 0, W, H, XP_IMG_RAW, raw, sizeof(raw));
	assert_int_equal(xa_sync(d, 20000), 0);
	long kb = e2e_rss_kb(s.pid);
	printf("    server RSS after 16 MiB of windows and a 77 MB image flood: %ld KiB\n", kb);
	assert_true(kb > 0 && kb < 64 * 1024);
	xa_close(d);
	e2e_server_stop(&s);
}

static void test_apps_reaped_and_stopped(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[256], args_apps[256];
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	e2e_server_stop(&s); /* only to get a directory name pattern */
	snprintf(apps, sizeof(apps), "/tmp/xproto-e2e-apps-%d", (int)getpid());
	FILE *f = fopen(apps, "w");
	fputs("# test apps\nquick | exits at once | exit 0\nlong | sleeps | exec sleep 30\n", f);
	fclose(f);
	snprintf(args_apps, sizeof(args_apps), "%s", apps);
	const char *const args[] = {"--no-launcher", "--apps", args_apps, NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	/*
	 * The server launches in order, before it answers the client's sync.
	 * "quick" ends without a window: a script that learns so stops with
	 * status 1, and whether it learns before it quits depends on timing, so
	 * it is launched last and either status is right.
	 */
	int rc = e2e_client_run(&s, "apps\nlaunch long\nlaunch quick\nsync\nquit\n", NULL);
	assert_true(rc == 0 || rc == 1);
	pid_t quick = e2e_launched_pid(&s, "quick"), lng = e2e_launched_pid(&s, "long");
	assert_true(quick > 0 && lng > 0);
	assert_true(e2e_app_reaped(&s, quick, 30000));         /* reaped: not even a zombie */
	assert_false(e2e_app_reaped(&s, lng, 0));              /* still running */
	assert_int_equal(proc_stop(s.pid, SIGTERM, 20000), 0); /* clean exit */
	s.pid = 0;
	assert_true(e2e_app_reaped(&s, lng, 0)); /* SIGTERM took its apps along */
	e2e_server_stop(&s);
	unlink(apps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_screenshot_equals_server),
	    cmocka_unit_test(test_hidden_window_pixels_on_map),
	    cmocka_unit_test(test_kill_client_restart),
	    cmocka_unit_test(test_two_viewers_identical),
	    cmocka_unit_test(test_read_only_keys_dropped),
	    cmocka_unit_test(test_no_key_release_routed),
	    cmocka_unit_test(test_stalled_client_harms_nobody),
	    cmocka_unit_test(test_stalled_client_dropped),
	    cmocka_unit_test(test_hostile_peers),
	    cmocka_unit_test(test_image_cache),
	    cmocka_unit_test(test_session_names_and_limit),
	    cmocka_unit_test(test_flood_respects_memory_limit),
	    cmocka_unit_test(test_apps_reaped_and_stopped),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("xproto-server end to end", tests, NULL, NULL);
}
