/*
 * proto_cursor_test.c - the CURSOR message (SPEC.md 0x1b): its golden bytes,
 * every rule xp_cursor_check() enforces (each broken on its own), and the
 * pixels xp_cursor_argb() gives for both formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xproto.h"

/* SPEC.md's example: 2x2 MASK, id 1, black on white, the left column black. */
static const uint8_t planes[] = {0x80, 0x80, 0xc0, 0xc0};

static struct xp_msg_cursor example(void)
{
	return (struct xp_msg_cursor){1,        2,        2,          0, 0, XP_CURSOR_MASK,
	                              0x000000, 0xffffff, {planes, 4}};
}

static void test_golden_bytes(void **state)
{
	(void)state;
	static const uint8_t want[] = {0x1b, 0x11, 0x01, 0x02, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00,
	                               0x00, 0xff, 0xff, 0xff, 0x04, 0x80, 0x80, 0xc0, 0xc0};
	struct xp_msg m = {.op = XP_OP_CURSOR, .u.cursor = example()}, out;
	struct xp_buf b;
	struct xp_decoder d;
	struct xp_error err;
	xp_buf_init(&b, 1 << 16);
	assert_int_equal(xp_encode(&b, &m), (ssize_t)sizeof(want));
	assert_memory_equal(b.p, want, sizeof(want));
	xp_decoder_init(&d, 1 << 16);
	assert_int_equal(xp_decode(&d, b.p, b.len, &out, &err), (ssize_t)sizeof(want));
	assert_int_equal(xp_cursor_check(&out.u.cursor, &err), 0);
	xp_decoder_finish(&d);
	xp_buf_finish(&b);
	m = (struct xp_msg){.op = XP_OP_WIN_CURSOR, .u.win_cursor = {5, 1}};
	static const uint8_t win[] = {0x1c, 0x02, 0x05, 0x01};
	xp_buf_init(&b, 64);
	assert_int_equal(xp_encode(&b, &m), (ssize_t)sizeof(win));
	assert_memory_equal(b.p, win, sizeof(win));
	xp_buf_finish(&b);
}

static void expect_bad(const struct xp_msg_cursor *c, const char *why)
{
	struct xp_error err = {0};
	assert_int_equal(xp_cursor_check(c, &err), -1);
	assert_int_equal(err.code, XP_ERR_MALFORMED);
	assert_int_equal(err.about, XP_OP_CURSOR);
	if (!strstr(err.text, why))
		fail_msg("'%s' does not say '%s'", err.text, why);
}

static void test_rules(void **state)
{
	(void)state;
	struct xp_msg_cursor c = example();
	c.id = 0, expect_bad(&c, "id 0");
	c.id = XP_CURSOR_IDS + 1, expect_bad(&c, "id 65");
	c = example(), c.w = 0, expect_bad(&c, "size");
	c = example(), c.h = XP_CURSOR_MAX_DIM + 1, expect_bad(&c, "size");
	c = example(), c.hot_x = 2, expect_bad(&c, "hot spot");
	c = example(), c.hot_y = 5, expect_bad(&c, "hot spot");
	c = example(), c.format = 2, expect_bad(&c, "format");
	c = example(), c.data.n = 3, expect_bad(&c, "3 bytes, 4 expected");
	c = example(), c.data.n = 5, expect_bad(&c, "5 bytes, 4 expected");
	/* ARGB: 4 bytes a pixel, and premultiplied */
	uint8_t px[2 * 2 * 4] = {0};
	c = (struct xp_msg_cursor){64, 2, 2, 1, 1, XP_CURSOR_ARGB, 0, 0, {px, sizeof(px)}};
	struct xp_error err;
	assert_int_equal(xp_cursor_check(&c, &err), 0);
	px[4] = 0x80, px[5] = 0x81; /* red above alpha */
	expect_bad(&c, "premultiplied");
	c.data.n = 12, expect_bad(&c, "12 bytes, 16 expected");
	/* the largest shape is accepted, one more pixel is not */
	static uint8_t big[64 * 64 * 4];
	c = (struct xp_msg_cursor){7, 64, 64, 63, 63, XP_CURSOR_ARGB, 0, 0, {big, sizeof(big)}};
	assert_int_equal(xp_cursor_check(&c, &err), 0);
	c.w = 65, expect_bad(&c, "size 65x64");
	assert_int_equal(xp_cursor_data_len(XP_CURSOR_ARGB, 65, 1), 0);
	assert_int_equal(xp_cursor_data_len(XP_CURSOR_MASK, 9, 3), 12);
}

static void test_argb_pixels(void **state)
{
	(void)state;
	uint32_t px[4];
	struct xp_msg_cursor c = example();
	xp_cursor_argb(&c, px);
	assert_int_equal(px[0], 0xff000000u); /* fg, black */
	assert_int_equal(px[1], 0xffffffffu); /* bg, white */
	assert_int_equal(px[2], 0xff000000u);
	assert_int_equal(px[3], 0xffffffffu);
	static const uint8_t shape[] = {0x80, 0x00, 0x80, 0x40}; /* colour, shape */
	c.data.p = shape;
	xp_cursor_argb(&c, px);
	assert_int_equal(px[0], 0xff000000u);
	assert_int_equal(px[1], 0);
	assert_int_equal(px[2], 0);
	assert_int_equal(px[3], 0xffffffffu);
	static const uint8_t argb[] = {0xff, 1, 2, 3, 0x80, 0x40, 0x20, 0x10,
	                               0,    0, 0, 0, 0x11, 0x11, 0x00, 0x01};
	c = (struct xp_msg_cursor){3, 2, 2, 0, 1, XP_CURSOR_ARGB, 0, 0, {argb, sizeof(argb)}};
	xp_cursor_argb(&c, px);
	assert_int_equal(px[0], 0xff010203u);
	assert_int_equal(px[1], 0x80402010u);
	assert_int_equal(px[2], 0);
	assert_int_equal(px[3], 0x11110001u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_bytes),
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_argb_pixels),
	};
	return cmocka_run_group_tests_name("libxproto cursors", tests, NULL, NULL);
}
