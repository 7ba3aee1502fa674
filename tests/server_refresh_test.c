/*
 * server_refresh_test.c - the pixels of a window area as an IMAGE payload
 * (xproto-server/refresh.c, xs_image_payload): raw RGB for a client whose
 * stream is compressed, zlib otherwise, and only for an area inside the
 * framebuffer and not empty, whatever a caller passes (it used to trust
 * its callers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include <cmocka.h>

#include "server_int.h"

/* A 40x30 framebuffer whose pixel (x, y) is 0x00XXYY01. */
static void pattern(struct xr_fb *fb)
{
	assert_int_equal(xr_fb_init(fb, 40, 30), 0);
	for (int y = 0; y < fb->h; y++)
		for (int x = 0; x < fb->w; x++)
			fb->px[(size_t)y * (size_t)fb->stride + (size_t)x] =
			    (uint32_t)x << 16 | (uint32_t)y << 8 | 1u;
}

/* The RGB bytes of (x, y) in a payload of area @r. */
static void expect_pixel(const uint8_t *rgb, struct xr_rect r, int x, int y)
{
	const uint8_t *p = rgb + ((size_t)(y - r.y) * (size_t)r.w + (size_t)(x - r.x)) * 3;
	assert_int_equal(p[0], x);
	assert_int_equal(p[1], y);
	assert_int_equal(p[2], 1);
}

static void test_payload_raw_and_zlib(void **state)
{
	(void)state;
	struct xr_fb fb;
	struct xs_peer c = {0};
	struct xr_rect r = {5, 7, 20, 10};
	uint8_t *data, format, rgb[20 * 10 * 3];
	size_t len;
	pattern(&fb);
	xp_conn_init(&c.conn, -1, 4096, false);
	/* a plain stream: the payload is compressed here */
	assert_int_equal(xs_image_payload(&c, &fb, r, &data, &len, &format), 0);
	assert_int_equal(format, XP_IMG_ZLIB);
	uLongf n = sizeof(rgb);
	assert_int_equal(uncompress(rgb, &n, data, (uLong)len), Z_OK);
	assert_int_equal(n, sizeof(rgb));
	expect_pixel(rgb, r, 5, 7);
	expect_pixel(rgb, r, 24, 16);
	free(data);
	/* a compressed stream: raw RGB rides in it */
	assert_int_equal(xp_conn_enable_zlib(&c.conn, false, true), 0);
	assert_int_equal(xs_image_payload(&c, &fb, r, &data, &len, &format), 0);
	assert_int_equal(format, XP_IMG_RAW);
	assert_int_equal(len, sizeof(rgb));
	expect_pixel(data, r, 5, 7);
	expect_pixel(data, r, 24, 16);
	free(data);
	xp_conn_finish(&c.conn);
	xr_fb_finish(&fb);
}

static void test_payload_outside_refused(void **state)
{
	(void)state;
	static const struct xr_rect bad[] = {
	    {-1, 0, 10, 10},      {0, -1, 10, 10},      {31, 0, 10, 10}, {0, 21, 10, 10},
	    {0, 0, 41, 1},        {0, 0, 1, 31},        {0, 0, -1, 5},   {0, 0, 5, -1},
	    {INT32_MAX, 0, 2, 2}, {0, 1, 2, INT32_MAX}, {40, 30, 0, 0},  {3, 3, 0, 5},
	};
	struct xr_fb fb;
	struct xs_peer c = {0};
	pattern(&fb);
	xp_conn_init(&c.conn, -1, 4096, false);
	for (int zlib = 0; zlib < 2; zlib++) {
		if (zlib)
			assert_int_equal(xp_conn_enable_zlib(&c.conn, false, true), 0);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint8_t *data = (uint8_t *)&fb, format;
			size_t len = 1;
			assert_int_equal(xs_image_payload(&c, &fb, bad[i], &data, &len, &format),
			                 -1);
			assert_null(data);
			assert_int_equal(len, 0);
		}
		/* the whole framebuffer is inside */
		uint8_t *data, format;
		size_t len;
		assert_int_equal(
		    xs_image_payload(&c, &fb, (struct xr_rect){0, 0, 40, 30}, &data, &len, &format),
		    0);
		free(data);
	}
	xp_conn_finish(&c.conn);
	xr_fb_finish(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_payload_raw_and_zlib),
	    cmocka_unit_test(test_payload_outside_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
