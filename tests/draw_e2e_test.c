/*
 * draw_e2e_test.c - the sticky drawing state end to end: a real
 * xproto-server, real headless thin clients and in-process apps on
 * loopback. An app relies on the initial state (SPEC.md section 6: fg
 * white, bg black) without sending a GC; what it draws must show with
 * those colours on a client attached while it draws (forwarded commands)
 * and on one attached later (the refresh), and both must equal the
 * server's own copy of the window and the renderer's drawing of the same
 * text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define W         240
#define H         60
#define T_MS      30000 /* a deadline: only a failing wait reaches it */
#define WHITE     0xffffffu
#define TEXT_X    4
#define TEXT_Y    4
#define FIRST_MSG "first draw: white"

static const char *const base_args[] = {"--no-launcher", NULL};

/* A pixel of the expected window that the white text makes white. */
static void white_pixel(const struct xr_fb *want, int *x, int *y)
{
	for (*y = 0; *y < want->h; (*y)++)
		for (*x = 0; *x < want->w; (*x)++)
			if ((want->px[(size_t)*y * want->stride + (size_t)*x] & 0xffffff) == WHITE)
				return;
	fail_msg("the expected window has no white pixel");
}

/* Where the session placed the black window (its frame keeps it off 0,0). */
static int32_t win_x, win_y;

/*
 * Start a client that attaches, waits for @windows windows and everything
 * the server sent on attaching (sync), says so, then waits until the text
 * shows (a pixel @want has white turns white where the window is; at the
 * deadline the client stops with status 1) and screenshots it to DIR/@shot. Returns its pid once it
 * has said so: the next drawing is the test's, and reaches it as forwarded commands.
 */
static pid_t live_client(struct e2e_server *s, const char *shot, int windows,
                         const struct xr_fb *want)
{
	char script[512];
	int x = 0, y = 0;
	white_pixel(want, &x, &y);
	snprintf(script, sizeof(script),
	         "wait-windows %d %d\nsync %d\ncheckpoint attached\nwait-pixel %d %d %06x %d\n"
	         "screenshot %s/%s\nquit\n",
	         windows, T_MS, T_MS, win_x + x, win_y + y, WHITE, T_MS, s->dir, shot);
	pid_t pid = e2e_client_spawn(s, script, NULL);
	assert_true(pid > 0);
	assert_true(e2e_checkpoint(s, "attached", T_MS));
	return pid;
}

/* Run a client that attaches now and screenshots the refresh to DIR/@shot
 * (sync: the server sends the whole refresh on attaching, before it reads
 * the client's PING). */
static void late_client(struct e2e_server *s, const char *shot)
{
	char script[512];
	snprintf(script, sizeof(script), "wait-windows 1 %d\nsync %d\nscreenshot %s/%s\nquit\n",
	         T_MS, T_MS, s->dir, shot);
	assert_int_equal(proc_wait(e2e_client_spawn(s, script, NULL), 2 * T_MS), 0);
}

/* Pixels of @colour in the @w x @h area at (@x0, @y0) of @fb. */
static long count_colour_at(const struct xr_fb *fb, int x0, int y0, int w, int h, uint32_t colour)
{
	long n = 0;
	for (int y = y0; y < y0 + h && y < fb->h; y++)
		for (int x = x0; x < x0 + w && x < fb->w; x++)
			n += (fb->px[(size_t)y * fb->stride + x] & 0xffffff) == colour;
	return n;
}

static long count_colour(const struct xr_fb *fb, int w, int h, uint32_t colour)
{
	return count_colour_at(fb, 0, 0, w, h, colour);
}

/* The screenshot @shot shows @want where the window is, which is white somewhere. */
static void expect_shot(struct e2e_server *s, const char *shot, const struct xr_fb *want)
{
	char path[256];
	struct xr_fb got;
	snprintf(path, sizeof(path), "%s/%s", s->dir, shot);
	if (xr_png_read_file(path, &got) < 0)
		fail_msg("%s: no readable screenshot (%s)", path,
		         access(s->dir, F_OK) ? "the test directory is gone" : "see client-*.log");
	long white = count_colour_at(&got, win_x, win_y, W, H, WHITE);
	if (white == 0)
		fail_msg("%s: the white text left no white pixel", shot);
	long diff = e2e_fb_diff_at(&got, win_x, win_y, want, W, H);
	if (diff != 0)
		fail_msg("%s differs from the expected window in %ld pixels", shot, diff);
	xr_fb_finish(&got);
}

/* The server's copy of window @win equals @want. */
static void expect_server(struct e2e_server *s, uint32_t win, const struct xr_fb *want)
{
	struct xr_fb srv;
	assert_int_equal(e2e_server_dump(s), 0);
	assert_int_equal(e2e_server_window(s, "main", win, &srv), 0);
	long diff = e2e_fb_diff(&srv, want, W, H);
	if (diff != 0)
		fail_msg("server window %u differs from the expected one in %ld pixels", win, diff);
	xr_fb_finish(&srv);
}

/* A black window asked for at 0,0, mapped, with nothing drawn yet. */
static uint32_t black_window(struct xa_display *d)
{
	uint32_t win = xa_window_create(d, 0, 0, W, H, 0, 0x000000);
	assert_true(win != 0);
	assert_int_equal(xa_window_map(d, win), 0);
	win_x = win_y = 0;
	assert_int_equal(e2e_window_pos(d, win, &win_x, &win_y), 0);
	return win;
}

/* What the renderer draws for white-on-black FIRST_MSG in a black window. */
static void expected_window(struct xr_fb *fb)
{
	assert_int_equal(xr_fb_init(fb, W, H), 0);
	xr_text(fb, NULL, TEXT_X, TEXT_Y, FIRST_MSG, strlen(FIRST_MSG), 0, WHITE, 0x000000, false);
	assert_true(count_colour(fb, W, H, WHITE) > 0);
}

/* An app's very first draw is white text: no GC goes out, the initial state applies. */
static void test_first_draw_white_text(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xr_fb want;
	uint64_t sent_before, sent_after, unused;
	expected_window(&want);
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	uint32_t win = black_window(d);
	pid_t live = live_client(&s, "live.png", 1, &want);
	xa_wire_bytes(d, &sent_before, &unused);
	assert_int_equal(
	    xa_text(d, win, TEXT_X, TEXT_Y, FIRST_MSG, strlen(FIRST_MSG), 0, WHITE, 0x000000), 0);
	assert_int_equal(xa_flush(d), 0);
	xa_wire_bytes(d, &sent_after, &unused);
	/* TARGET (3 bytes) and TEXT only: the app relied on the initial GC */
	assert_int_equal(sent_after - sent_before, 3 + 2 + 2 + 1 + strlen(FIRST_MSG));
	assert_int_equal(xa_sync(d, T_MS), 0);
	assert_int_equal(proc_wait(live, 2 * T_MS), 0);
	late_client(&s, "late.png");
	expect_shot(&s, "live.png", &want);
	expect_shot(&s, "late.png", &want);
	expect_server(&s, win, &want);
	xa_close(d);
	e2e_server_stop(&s);
	xr_fb_finish(&want);
}

/*
 * Drawing state is per connection: after one app drew yellow text, a second
 * app's first draw still starts from white, and a client whose state the
 * yellow text changed (it got it in its refresh) is told to go back.
 */
static void test_state_is_per_app(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xr_fb want;
	expected_window(&want);
	assert_int_equal(e2e_server_start(&s, base_args), 0);
	struct xa_display *a = e2e_app(&s, "main");
	assert_non_null(a);
	uint32_t wa = xa_window_create(a, 0, H, W, H, 0, 0x000000); /* session window 1 */
	assert_int_equal(xa_window_map(a, wa), 0);
	assert_int_equal(xa_text(a, wa, 0, 4, "yellow", 6, 1, 0xffff00, 0x000000), 0);
	assert_int_equal(xa_sync(a, T_MS), 0);
	struct xa_display *b = e2e_app(&s, "main");
	assert_non_null(b);
	uint32_t wb = black_window(b); /* session window 2, placed off window 1 */
	pid_t live = live_client(&s, "live2.png", 2, &want);
	assert_int_equal(
	    xa_text(b, wb, TEXT_X, TEXT_Y, FIRST_MSG, strlen(FIRST_MSG), 0, WHITE, 0x000000), 0);
	assert_int_equal(xa_sync(b, T_MS), 0);
	assert_int_equal(proc_wait(live, 2 * T_MS), 0);
	expect_shot(&s, "live2.png", &want);
	expect_server(&s, 2, &want);
	xa_close(b);
	xa_close(a);
	e2e_server_stop(&s);
	xr_fb_finish(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_draw_white_text),
	    cmocka_unit_test(test_state_is_per_app),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
