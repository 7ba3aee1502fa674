/*
 * server_cost_test.c - what drawing costs the server (xproto-server/cost.c)
 * and the per-message limits beyond which it is refused with LIMIT: areas
 * clipped to window and clip in 64 bits, whatever the fields say.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "server_int.h"

static void test_clipped_area(void **state)
{
	(void)state;
	struct xp_rect clip = {10, 10, 20, 20}, none = {0, 0, 0, 0};
	assert_int_equal(xs_clipped_area(100, 50, NULL, 0, 0, 100, 50), 5000);
	assert_int_equal(xs_clipped_area(100, 50, &none, -10, -10, 30, 30), 400);
	assert_int_equal(xs_clipped_area(100, 50, &clip, 0, 0, 100, 50), 400);
	assert_int_equal(xs_clipped_area(100, 50, &clip, 25, 25, 100, 100), 25);
	assert_int_equal(xs_clipped_area(100, 50, NULL, 100, 0, 5, 5), 0);
	/* hostile: the largest fields of the wire, in every sign */
	assert_int_equal(
	    xs_clipped_area(4096, 4096, NULL, INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX),
	    4096u * 4096u);
	assert_int_equal(xs_clipped_area(4096, 4096, NULL, INT32_MAX, 0, UINT32_MAX, 5), 0);
	struct xp_rect far = {INT32_MIN, INT32_MIN, UINT32_MAX, UINT32_MAX};
	assert_int_equal(xs_clipped_area(10, 10, &far, 0, 0, 10, 10), 100);
}

static void test_costs_grow_with_area(void **state)
{
	(void)state;
	struct xp_error err;
	uint64_t small, big;
	struct xp_msg m = {.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){0, 0, 10, 10};
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &small, &err), 0);
	m.u.fill = (struct xp_msg_fill){0, 0, UINT32_MAX, UINT32_MAX};
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &big, &err), 0);
	assert_true(small < 100 && big == 4096u * 4096u / 2);
	m = (struct xp_msg){.op = XP_OP_BITMAP};
	m.u.bitmap = (struct xp_msg_bitmap){0, 0, 100, 100, {NULL, 0}};
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &small, &err), 0);
	assert_int_equal(small, 20000);
	m = (struct xp_msg){.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){0, 0, 100, 10, XP_IMG_ZLIB, 0, {NULL, 0}};
	assert_int_equal(xs_draw_cost(50, 50, NULL, &m, &small, &err), 0);
	assert_int_equal(small, 3000 + 250); /* decoded whole, drawn clipped */
}

static void test_limits(void **state)
{
	(void)state;
	static struct xp_rect rs[XS_MAX_RECTS + 1];
	struct xp_error err;
	uint64_t units;
	struct xp_msg m = {.op = XP_OP_FILL_RECTS};
	for (size_t i = 0; i <= XS_MAX_RECTS; i++)
		rs[i] = (struct xp_rect){0, 0, 8, 8};
	m.u.fill_rects.rects = (struct xp_rects){XS_MAX_RECTS, rs};
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), 0);
	m.u.fill_rects.rects.n = XS_MAX_RECTS + 1;
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), -1);
	assert_int_equal(err.code, XP_ERR_LIMIT);
	/* few rectangles, but each the whole window: the area is what counts */
	for (size_t i = 0; i < 5; i++)
		rs[i] = (struct xp_rect){0, 0, 4096, 4096};
	m.u.fill_rects.rects.n = 4;
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), 0);
	m.u.fill_rects.rects.n = 5;
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), -1);
	assert_int_equal(err.code, XP_ERR_LIMIT);
	/* ... clipped: off-window rectangles cost nothing */
	assert_int_equal(xs_draw_cost(100, 100, NULL, &m, &units, &err), 0);
	static char text[XS_MAX_TEXT + 1];
	m = (struct xp_msg){.op = XP_OP_TEXT};
	m.u.text = (struct xp_msg_text){0, 0, {text, XS_MAX_TEXT}};
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), 0);
	m.u.text.text.n = XS_MAX_TEXT + 1;
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), -1);
	m = (struct xp_msg){.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){0, 0, 4097, 4096, XP_IMG_ZLIB, 0, {NULL, 0}};
	assert_int_equal(xs_draw_cost(4096, 4096, NULL, &m, &units, &err), -1);
	assert_int_equal(err.code, XP_ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clipped_area),
	    cmocka_unit_test(test_costs_grow_with_area),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests_name("xproto-server drawing costs", tests, NULL, NULL);
}
