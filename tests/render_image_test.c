/*
 * render_image_test.c - image decoding (RAW, ZLIB, PNG) from well-formed and
 * hostile data, the encoders, and PNG file I/O. The test scene is in render_scene_test.c.
 */
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "xrender.h"

#define OLD 0x00123456u

static uint32_t px(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x];
}

static void fb_new(struct xr_fb *fb, int w, int h)
{
	assert_int_equal(xr_fb_init(fb, w, h), 0);
	xr_fill(fb, NULL, 0, 0, w, h, OLD);
}

static void fb_pattern(struct xr_fb *fb, int w, int h)
{
	assert_int_equal(xr_fb_init(fb, w, h), 0);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			fb->px[y * fb->stride + x] = XR_RGB(x * 7 + y, y * 3, (x ^ y) * 5);
}

/* Every pixel of @fb is OLD. */
static void assert_untouched(const struct xr_fb *fb)
{
	for (int i = 0; i < fb->w * fb->h; i++)
		assert_int_equal(fb->px[i], OLD);
}

static void test_raw(void **state)
{
	static const uint8_t rgb[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct xr_fb fb;
	struct xr_rect d, clip = {0, 0, 3, 10};

	(void)state;
	fb_new(&fb, 4, 4);
	assert_int_equal(xr_image(&fb, NULL, 1, 1, 2, 2, XR_IMG_RAW, rgb, 12, &d), 0);
	assert_int_equal(d.x, 1);
	assert_int_equal(d.w, 2);
	assert_int_equal(px(&fb, 1, 1), 0x010203u);
	assert_int_equal(px(&fb, 2, 1), 0x040506u);
	assert_int_equal(px(&fb, 1, 2), 0x070809u);
	assert_int_equal(px(&fb, 2, 2), 0x0a0b0cu);
	assert_int_equal(px(&fb, 3, 3), OLD);
	/* clipped: the right column falls outside the clip */
	assert_int_equal(xr_image(&fb, &clip, 2, 0, 2, 2, XR_IMG_RAW, rgb, 12, &d), 0);
	assert_int_equal(d.w, 1);
	assert_int_equal(px(&fb, 2, 0), 0x010203u);
	assert_int_equal(px(&fb, 3, 0), OLD);
	/* negative position: only the bottom-right pixel lands at (0, 0) */
	assert_int_equal(xr_image(&fb, NULL, -1, -1, 2, 2, XR_IMG_RAW, rgb, 12, &d), 0);
	assert_int_equal(d.w, 1);
	assert_int_equal(d.h, 1);
	assert_int_equal(px(&fb, 0, 0), 0x0a0b0cu);
	assert_int_equal(px(&fb, 1, 0), OLD);
	assert_int_equal(xr_image(&fb, NULL, INT_MIN, INT_MAX, 2, 2, XR_IMG_RAW, rgb, 12, &d), 0);
	assert_int_equal(d.w, 0);
	xr_fb_finish(&fb);
}

static void test_raw_rejects(void **state)
{
	static uint8_t rgb[64];
	struct xr_fb fb;
	struct xr_rect d;
	static const int sizes[][2] = {
	    {0, 1},
	    {1, 0},
	    {-1, 4},
	    {4, -1},
	    {XR_FB_MAX_DIM + 1, 1},
	    {65536, 65536},
	    {INT_MAX, INT_MAX},
	    {INT_MIN, INT_MIN},
	    {4097, 4097},
	    {16384, 16384},
	};

	(void)state;
	fb_new(&fb, 4, 4);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, XR_IMG_RAW, rgb, 11, &d), -1);
	assert_int_equal(d.w, 0);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, XR_IMG_RAW, rgb, 13, &d), -1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, XR_IMG_RAW, NULL, 12, &d), -1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, 3, rgb, 12, &d), -1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, -1, rgb, 12, &d), -1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int f = XR_IMG_RAW; f <= XR_IMG_PNG; f++)
			assert_int_equal(xr_image(&fb, NULL, 0, 0, sizes[i][0], sizes[i][1], f, rgb,
			                          sizeof(rgb), &d),
			                 -1);
	assert_untouched(&fb);
	xr_fb_finish(&fb);
}

/* Encode @src with @enc, decode it into a fresh fb, compare. */
static void roundtrip(int format)
{
	struct xr_fb src, dst;
	struct xr_rect d, r = {3, 2, 40, 30};
	uint8_t *buf;
	size_t len;
	int ret;

	fb_pattern(&src, 50, 40);
	ret = format == XR_IMG_PNG ? xr_encode_png(&src, r, -1, &buf, &len)
	                           : xr_encode_zlib(&src, r, -1, &buf, &len);
	assert_int_equal(ret, 0);
	fb_new(&dst, 40, 30);
	assert_int_equal(xr_image(&dst, NULL, 0, 0, 40, 30, format, buf, len, &d), 0);
	assert_int_equal(d.w, 40);
	for (int y = 0; y < 30; y++)
		for (int x = 0; x < 40; x++)
			assert_int_equal(px(&dst, x, y), px(&src, x + 3, y + 2));
	free(buf);
	xr_fb_finish(&src);
	xr_fb_finish(&dst);
}

static void test_zlib_png_roundtrip(void **state)
{
	(void)state;
	roundtrip(XR_IMG_ZLIB);
	roundtrip(XR_IMG_PNG);
}

/* Every proper prefix, wrong sizes and trailing bytes are rejected. */
static void hostile(int format, const uint8_t *buf, size_t len, int w, int h)
{
	struct xr_fb fb;
	struct xr_rect d;
	uint8_t *more = malloc(len + 1);

	assert_non_null(more);
	fb_new(&fb, w + 2, h + 2);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(xr_image(&fb, NULL, 0, 0, w, h, format, buf, n, &d), -1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, w - 1, h, format, buf, len, &d), -1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, w, h + 1, format, buf, len, &d), -1);
	memcpy(more, buf, len);
	more[len] = 0;
	if (format == XR_IMG_ZLIB)
		assert_int_equal(xr_image(&fb, NULL, 0, 0, w, h, format, more, len + 1, &d), -1);
	assert_untouched(&fb);
	/* flipped bytes: must fail or succeed cleanly (ASan watches) */
	for (size_t i = 0; i < len; i++) {
		memcpy(more, buf, len);
		more[i] ^= 0x5a;
		(void)xr_image(&fb, NULL, 0, 0, w, h, format, more, len, &d);
	}
	free(more);
	xr_fb_finish(&fb);
}

static void test_hostile_zlib_png(void **state)
{
	static const uint8_t garbage[] = "this is not an image at all......";
	struct xr_fb src, fb;
	struct xr_rect r = {0, 0, 9, 7}, d;
	uint8_t *buf;
	size_t len;

	(void)state;
	fb_pattern(&src, 9, 7);
	assert_int_equal(xr_encode_zlib(&src, r, 9, &buf, &len), 0);
	hostile(XR_IMG_ZLIB, buf, len, 9, 7);
	free(buf);
	assert_int_equal(xr_encode_png(&src, r, 9, &buf, &len), 0);
	hostile(XR_IMG_PNG, buf, len, 9, 7);
	free(buf);
	fb_new(&fb, 4, 4);
	for (int f = XR_IMG_ZLIB; f <= XR_IMG_PNG; f++)
		assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, f, garbage, sizeof(garbage), &d),
		                 -1);
	assert_untouched(&fb);
	xr_fb_finish(&fb);
	xr_fb_finish(&src);
}

static void test_zlib_bomb(void **state)
{
	/* 64 MB of zeros claims to be a 2x2 image, then a 4096x4096 one */
	size_t raw_len = 64u << 20;
	uint8_t *raw = calloc(raw_len, 1), *z;
	uLongf zlen = compressBound(raw_len);
	struct xr_fb fb;
	struct xr_rect d;

	(void)state;
	z = malloc(zlen);
	assert_non_null(raw);
	assert_non_null(z);
	assert_int_equal(compress2(z, &zlen, raw, raw_len, 9), Z_OK);
	fb_new(&fb, 4, 4);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 2, 2, XR_IMG_ZLIB, z, zlen, &d), -1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, 4096, 4096, XR_IMG_ZLIB, z, zlen, &d), -1);
	assert_untouched(&fb);
	xr_fb_finish(&fb);
	free(z);
	free(raw);
}

static void test_encode_rejects(void **state)
{
	static const struct xr_rect bad[] = {
	    {-1, 0, 2, 2}, {0, 0, 5, 1},       {0, 3, 1, 2},
	    {0, 0, 0, 1},  {INT_MAX, 0, 1, 1}, {1, 1, INT_MAX, INT_MAX},
	};
	struct xr_fb fb;
	uint8_t *buf = (uint8_t *)&fb;
	size_t len = 1;

	(void)state;
	fb_new(&fb, 4, 4);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xr_encode_zlib(&fb, bad[i], -1, &buf, &len), -1);
		assert_null(buf);
		assert_int_equal(xr_encode_png(&fb, bad[i], -1, &buf, &len), -1);
		assert_null(buf);
	}
	assert_int_equal(xr_encode_zlib(&fb, bad[1], 10, &buf, &len), -1);
	xr_fb_finish(&fb);
}

/* Write a w x h PNG of @format from @pixels with libpng's simplified API. */
static uint8_t *make_png(uint32_t format, int w, int h, const void *pixels, const void *cmap,
                         int ncolors, size_t *len)
{
	png_image img;
	uint8_t *buf;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)w;
	img.height = (png_uint_32)h;
	img.format = format;
	img.colormap_entries = (png_uint_32)ncolors;
	*len = 0;
	assert_true(png_image_write_to_memory(&img, NULL, len, 0, pixels, 0, cmap));
	buf = malloc(*len);
	assert_non_null(buf);
	assert_true(png_image_write_to_memory(&img, buf, len, 0, pixels, 0, cmap));
	return buf;
}

static void decode_expect(const uint8_t *png, size_t len, int w, const uint32_t *want)
{
	struct xr_fb fb;
	struct xr_rect d;

	fb_new(&fb, w, 1);
	assert_int_equal(xr_image(&fb, NULL, 0, 0, w, 1, XR_IMG_PNG, png, len, &d), 0);
	for (int i = 0; i < w; i++)
		assert_int_equal(px(&fb, i, 0), want[i]);
	xr_fb_finish(&fb);
}

/* Gray, gray+alpha, RGBA, palette and 16-bit PNGs all decode to exact RGB:
 * no gamma, alpha dropped (not blended), 16-bit truncated. */
static void test_png_color_types(void **state)
{
	static const uint8_t gray[2] = {0, 200}, ga[4] = {7, 0, 250, 255};
	static const uint8_t rgba[8] = {10, 20, 30, 40, 50, 60, 70, 255};
	static const uint8_t cmap[6] = {1, 2, 3, 200, 100, 50};
	static const uint8_t idx[3] = {1, 0, 1};
	static const uint16_t lin[3] = {0x1234, 0xabcd, 0xffff};
	static const uint32_t w_gray[] = {0, 0xc8c8c8};
	static const uint32_t w_ga[] = {0x070707, 0xfafafa};
	static const uint32_t w_rgba[] = {0x0a141e, 0x323c46};
	static const uint32_t w_pal[] = {0xc86432, 0x010203, 0xc86432};
	static const uint32_t w_lin[] = {0x12abff};
	const struct {
		uint32_t format;
		int w;
		const void *px;
		const uint8_t *cmap;
		int ncolors;
		const uint32_t *want;
	} cases[] = {
	    {PNG_FORMAT_GRAY, 2, gray, NULL, 0, w_gray},
	    {PNG_FORMAT_GA, 2, ga, NULL, 0, w_ga},
	    {PNG_FORMAT_RGBA, 2, rgba, NULL, 0, w_rgba},
	    {PNG_FORMAT_RGB_COLORMAP, 3, idx, cmap, 2, w_pal},
	    {PNG_FORMAT_LINEAR_RGB, 1, lin, NULL, 0, w_lin},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *png = make_png(cases[i].format, cases[i].w, 1, cases[i].px, cases[i].cmap,
		                        cases[i].ncolors, &len);
		decode_expect(png, len, cases[i].w, cases[i].want);
		free(png);
	}
}

/* ---- xr_image_stream: the same pixels as xr_image, a slice at a time ---- */

/* Decode with a stream in slices of @budget bytes; the steps it took, or -1. */
static int stream_draw(struct xr_fb *fb, int w, int h, int format, const void *data, size_t len,
                       size_t budget)
{
	struct xr_image_stream *s = xr_image_stream_create(w, h, format, data, len);
	int steps = 0, r = 0;
	if (!s)
		return -1;
	while (steps < 1000000 && (r = xr_image_stream_step(s, budget)) == 0) {
		steps++;
		/* nothing is drawn before the whole image is checked */
		assert_true(xr_rect_empty(xr_image_stream_draw(s, fb, NULL, 0, 0)));
	}
	assert_int_equal(xr_image_stream_step(s, budget), r); /* a repeat says the same */
	if (r == 1)
		xr_image_stream_draw(s, fb, NULL, 3, 2);
	xr_image_stream_destroy(s);
	return r == 1 ? steps : -1;
}

static void expect_stream_equal(int w, int h, int format, const void *data, size_t len,
                                size_t budget, int min_steps)
{
	struct xr_fb a, b;
	struct xr_rect d;
	fb_new(&a, w + 6, h + 4);
	fb_new(&b, w + 6, h + 4);
	assert_int_equal(xr_image(&a, NULL, 3, 2, w, h, format, data, len, &d), 0);
	int steps = stream_draw(&b, w, h, format, data, len, budget);
	assert_true(steps >= min_steps);
	assert_true(xr_fb_equal(&a, &b));
	xr_fb_finish(&a);
	xr_fb_finish(&b);
}

/* An interlaced (Adam7) RGB PNG of @fb, written with libpng's full API. */
static uint8_t *make_interlaced_png(const struct xr_fb *fb, size_t *len)
{
	FILE *f = tmpfile();
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	uint8_t *row = malloc((size_t)fb->w * 3), *out;
	assert_true(f && png && info && row && !setjmp(png_jmpbuf(png)));
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)fb->w, (png_uint_32)fb->h, 8, PNG_COLOR_TYPE_RGB,
	             PNG_INTERLACE_ADAM7, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	int passes = png_set_interlace_handling(png);
	for (int p = 0; p < passes; p++) {
		for (int y = 0; y < fb->h; y++) {
			for (int x = 0; x < fb->w; x++) {
				uint32_t v = px(fb, x, y);
				row[x * 3] = (uint8_t)(v >> 16), row[x * 3 + 1] = (uint8_t)(v >> 8);
				row[x * 3 + 2] = (uint8_t)v;
			}
			png_write_row(png, row);
		}
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	*len = (size_t)ftell(f);
	out = malloc(*len);
	rewind(f);
	assert_int_equal(fread(out, 1, *len, f), *len);
	fclose(f);
	free(row);
	return out;
}

static void test_stream_equals_image(void **state)
{
	(void)state;
	struct xr_fb src;
	uint8_t *z, *png;
	size_t zlen, plen;
	fb_pattern(&src, 301, 97);
	struct xr_rect all = {0, 0, 301, 97};
	size_t raw_len = 301 * 97 * 3;
	uint8_t *raw = malloc(raw_len);
	for (int y = 0; y < 97; y++)
		for (int x = 0; x < 301; x++) {
			uint32_t v = px(&src, x, y);
			uint8_t *o = raw + ((size_t)y * 301 + (size_t)x) * 3;
			o[0] = (uint8_t)(v >> 16), o[1] = (uint8_t)(v >> 8), o[2] = (uint8_t)v;
		}
	expect_stream_equal(301, 97, XR_IMG_RAW, raw, raw_len, 100, 0);
	assert_int_equal(xr_encode_zlib(&src, all, 6, &z, &zlen), 0);
	expect_stream_equal(301, 97, XR_IMG_ZLIB, z, zlen, 1000, (int)(raw_len / 1000) - 1);
	expect_stream_equal(301, 97, XR_IMG_ZLIB, z, zlen, SIZE_MAX, 0);
	assert_int_equal(xr_encode_png(&src, all, 6, &png, &plen), 0);
	expect_stream_equal(301, 97, XR_IMG_PNG, png, plen, 301 * 3 * 4, 97 / 4 - 1);
	free(png);
	png = make_interlaced_png(&src, &plen);
	expect_stream_equal(301, 97, XR_IMG_PNG, png, plen, 301 * 3 * 4, 7 * 97 / 4 - 1);
	free(png);
	free(z);
	free(raw);
	xr_fb_finish(&src);
}

/* Short, long, corrupt or mis-sized data is refused, and nothing is drawn. */
static void test_stream_rejects(void **state)
{
	(void)state;
	struct xr_fb src, fb;
	uint8_t *z, *png, *longer;
	size_t zlen, plen;
	fb_pattern(&src, 40, 30);
	struct xr_rect all = {0, 0, 40, 30};
	assert_int_equal(xr_encode_zlib(&src, all, 6, &z, &zlen), 0);
	fb_new(&fb, 50, 40);
	assert_int_equal(stream_draw(&fb, 40, 30, XR_IMG_ZLIB, z, zlen - 5, 64), -1); /* short */
	longer = malloc(zlen + 4);
	memcpy(longer, z, zlen);
	memset(longer + zlen, 0, 4);
	assert_int_equal(stream_draw(&fb, 40, 30, XR_IMG_ZLIB, longer, zlen + 4, 64), -1);
	assert_int_equal(stream_draw(&fb, 40, 29, XR_IMG_ZLIB, z, zlen, 64), -1); /* too many */
	assert_int_equal(stream_draw(&fb, 40, 31, XR_IMG_ZLIB, z, zlen, 64), -1); /* too few */
	z[zlen / 2] ^= 0x55;
	assert_int_equal(stream_draw(&fb, 40, 30, XR_IMG_ZLIB, z, zlen, 64), -1); /* corrupt */
	assert_int_equal(stream_draw(&fb, 40, 30, XR_IMG_RAW, z, 40 * 30 * 3 - 1, 64), -1);
	assert_int_equal(xr_encode_png(&src, all, 6, &png, &plen), 0);
	assert_null(xr_image_stream_create(40, 31, XR_IMG_PNG, png, plen)); /* header says 40x30 */
	assert_int_equal(stream_draw(&fb, 40, 30, XR_IMG_PNG, png, plen - 20, 120), -1);
	assert_null(xr_image_stream_create(0, 30, XR_IMG_ZLIB, z, zlen));
	assert_null(xr_image_stream_create(40, 30, 7, z, zlen));
	assert_null(xr_image_stream_create(5000, 5000, XR_IMG_ZLIB, z, zlen)); /* > max pixels */
	assert_untouched(&fb);
	free(z);
	free(longer);
	free(png);
	xr_fb_finish(&src);
	xr_fb_finish(&fb);
}

static void test_png_file(void **state)
{
	char path[256];
	struct xr_fb src, back;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/render-test-roundtrip.png", XR_TEST_BUILD);
	fb_pattern(&src, 33, 21);
	assert_int_equal(xr_png_write_file(&src, path), 0);
	assert_int_equal(xr_png_read_file(path, &back), 0);
	assert_true(xr_fb_equal(&src, &back));
	xr_fb_finish(&back);
	assert_int_equal(xr_png_write_file(&src, "/nonexistent/dir/x.png"), -1);
	assert_int_equal(xr_png_read_file("/nonexistent/x.png", &back), -1);
	assert_null(back.px);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("\x89PNG\r\n\x1a\n garbage", f);
	fclose(f);
	assert_int_equal(xr_png_read_file(path, &back), -1);
	remove(path);
	xr_fb_finish(&src);
}

/* The decoded pixels can be taken away (to free as the caller likes): then nothing is drawn. */
static void test_stream_take(void **state)
{
	static uint8_t rgb[8 * 6 * 3], z[512];
	uLongf zlen = sizeof(z);
	size_t n = 99;
	struct xr_fb fb;
	(void)state;
	fb_new(&fb, 8, 6);
	for (size_t i = 0; i < sizeof(rgb); i++)
		rgb[i] = (uint8_t)(i * 5);
	assert_int_equal(compress2(z, &zlen, rgb, sizeof(rgb), 6), Z_OK);
	struct xr_image_stream *s = xr_image_stream_create(8, 6, XR_IMG_ZLIB, z, zlen);
	assert_int_equal(xr_image_stream_step(s, 1 << 20), 1);
	uint8_t *px = xr_image_stream_take(s, &n);
	assert_non_null(px);
	assert_int_equal(n, sizeof(rgb));
	assert_memory_equal(px, rgb, sizeof(rgb));
	assert_true(xr_rect_empty(xr_image_stream_draw(s, &fb, NULL, 0, 0)));
	assert_null(xr_image_stream_take(s, &n)); /* taken once */
	assert_int_equal(n, 0);
	xr_image_stream_destroy(s);
	free(px);
	/* RAW borrows the caller's bytes: nothing to take */
	s = xr_image_stream_create(8, 6, XR_IMG_RAW, rgb, sizeof(rgb));
	assert_null(xr_image_stream_take(s, &n));
	assert_int_not_equal(xr_image_stream_draw(s, &fb, NULL, 0, 0).w, 0);
	xr_image_stream_destroy(s);
	xr_fb_finish(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_raw),
	    cmocka_unit_test(test_raw_rejects),
	    cmocka_unit_test(test_zlib_png_roundtrip),
	    cmocka_unit_test(test_hostile_zlib_png),
	    cmocka_unit_test(test_zlib_bomb),
	    cmocka_unit_test(test_encode_rejects),
	    cmocka_unit_test(test_png_color_types),
	    cmocka_unit_test(test_png_file),
	    cmocka_unit_test(test_stream_equals_image),
	    cmocka_unit_test(test_stream_rejects),
	    cmocka_unit_test(test_stream_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
