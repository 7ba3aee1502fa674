/*
 * x11_cursor_e2e_test.c - the pointer shape of bridged X programs reaches
 * the user's real window, on real parts: xproto-server, xp-x11 with its
 * Xvfb, xterm and xlogo from Debian, and a real thin-client window on a
 * second Xvfb (the user's display) whose pointer is moved with XTEST. What
 * XFIXES reports on the user's display must be, pixel for pixel, what it
 * reports on the bridge's: xterm's I-beam; over xlogo, which sets no
 * cursor, the user's own default. A thin client killed with -9 and started
 * again shows the I-beam from the session's state.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>

#include <cmocka.h>

#include "x11run.h"
#include "xshape.h"
#include "xvfb.h"

#define WAIT_MS 30000

static struct br_bridge the;
static struct xvfb user; /* the user's display, where the thin client's window is */
static pid_t client = -1;

static xcb_connection_t *open_display(const char *name)
{
	xcb_connection_t *c = xcb_connect(name, NULL);
	assert_false(xcb_connection_has_error(c));
	xshape_begin(c);
	return c;
}

static xcb_window_t root_of(xcb_connection_t *c)
{
	return xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
}

/* Move the pointer of @c to @x,@y (and a pixel aside first: a motion). */
static void move(xcb_connection_t *c, int16_t x, int16_t y)
{
	xcb_test_fake_input(c, XCB_MOTION_NOTIFY, 0, XCB_CURRENT_TIME, root_of(c), x + 1, y, 0);
	xcb_test_fake_input(c, XCB_MOTION_NOTIFY, 0, XCB_CURRENT_TIME, root_of(c), x, y, 0);
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
}

/* The top-level under the pointer of @c (0: the root). */
static xcb_window_t under_pointer(xcb_connection_t *c)
{
	xcb_query_pointer_reply_t *r =
	    xcb_query_pointer_reply(c, xcb_query_pointer(c, root_of(c)), NULL);
	xcb_window_t w = r ? r->child : 0;
	free(r);
	return w;
}

struct pointing {
	xcb_connection_t *uc, *bc;
	int16_t x, y;
	xcb_window_t inner_win;
	const struct xshape *want;
	struct xshape *got;
	int moves;
};

/* proc_until: after one more move of @arg's pointer, the bridge's pointer is
 * over inner_win and the user's display shows the wanted shape. */
static bool pointer_shows(void *arg)
{
	static struct xshape mine;
	struct pointing *p = arg;
	/* keep moving, by a pixel each time: the client sends MOTION */
	move(p->uc, (int16_t)(p->x + p->moves++ % 2), p->y);
	return under_pointer(p->bc) == p->inner_win && xshape_now(p->bc, p->got) &&
	       xshape_now(p->uc, &mine) && xshape_same(&mine, p->want ? p->want : p->got);
}

/*
 * Point at @x,@y on the user's display until the bridge's pointer is over
 * @inner_win and the user's display shows what the bridge's shows there
 * (@want, or the bridge's own shape when @want is NULL); that shape goes to
 * @got. False after WAIT_MS.
 */
static bool user_shows(xcb_connection_t *uc, xcb_connection_t *bc, int16_t x, int16_t y,
                       xcb_window_t inner_win, const struct xshape *want, struct xshape *got)
{
	struct pointing p = {uc, bc, x, y, inner_win, want, got, 0};
	return proc_until(pointer_shows, &p, WAIT_MS);
}

static void test_shapes_reach_the_real_window(void **state)
{
	(void)state;
	struct xshape ibeam = {0}, deflt, got = {0}; /* filled by user_shows */
	br_start(&the, NULL);
	assert_int_equal(xvfb_start(&user, 1024, 768, 20000), 0);
	br_xterm(&the, "80x24+0+0");
	const char *logo[] = {"xlogo", "-geometry", "120x100+520+40", NULL};
	br_run(&the, logo);
	xcb_connection_t *bc = open_display(the.display), *uc = open_display(user.name);
	xcb_window_t xterm = br_xfind(bc, "xterm", WAIT_MS), xlogo = br_xfind(bc, "xlogo", WAIT_MS);
	assert_true(xterm && xlogo);
	/* the user's default: what their display shows outside our window */
	move(uc, 1000, 700);
	assert_true(xshape_now(uc, &deflt));
	client = br_thin_client(&the, user.name, "800x600");
	/* xterm's I-beam, on the real window */
	assert_true(user_shows(uc, bc, 100, 100, xterm, NULL, &ibeam));
	print_message("xterm: %ux%u cursor, hot spot %u,%u\n", ibeam.w, ibeam.h, ibeam.hot_x,
	              ibeam.hot_y);
	assert_false(xshape_same(&ibeam, &deflt));
	/* xlogo sets none: the bridge's named arrow, shown as the user's default */
	assert_true(user_shows(uc, bc, 560, 80, xlogo, &deflt, &got));
	xcb_intern_atom_reply_t *a = xcb_intern_atom_reply(
	    bc, xcb_intern_atom(bc, 1, strlen("xp-x11-default"), "xp-x11-default"), NULL);
	assert_non_null(a);
	assert_int_equal(got.name, a->atom);
	free(a);
	/* back over xterm: the shape the client already holds */
	assert_true(user_shows(uc, bc, 100, 120, xterm, &ibeam, &got));
	/* kill -9 and attach again, the bridge's pointer still over xterm: the
	 * shape comes from the session's state, in the refresh */
	kill(client, SIGKILL);
	proc_wait(client, 20000);
	move(uc, 1000, 700);
	client = br_thin_client(&the, user.name, "800x600");
	assert_true(user_shows(uc, bc, 100, 120, xterm, &ibeam, &got));
	xcb_disconnect(bc);
	xcb_disconnect(uc);
	the.ok = true;
}

static int teardown(void **state)
{
	(void)state;
	if (client > 0) {
		kill(client, SIGTERM);
		proc_wait(client, 20000);
		client = -1;
	}
	br_stop(&the);
	xvfb_stop(&user);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_shapes_reach_the_real_window, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
