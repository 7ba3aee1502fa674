/*
 * render_test.c - unit tests of the renderer's framebuffer, rectangle, fill,
 * copy and bitmap operations against hand-computed pixels and a naive
 * reference implementation. Text is in render_text_test.c, images in
 * render_image_test.c.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xrender.h"

#define BG  0x00101010u
#define RED 0x00ff0000u

static uint32_t px(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x];
}

static void rect_eq(struct xr_rect r, int x, int y, int w, int h)
{
	assert_int_equal(r.x, x);
	assert_int_equal(r.y, y);
	assert_int_equal(r.w, w);
	assert_int_equal(r.h, h);
}

/* Every pixel inside (x, y, w, h) is @in, every other pixel is @out. */
static void check_area(const struct xr_fb *fb, int x, int y, int w, int h, uint32_t in,
                       uint32_t out)
{
	for (int j = 0; j < fb->h; j++)
		for (int i = 0; i < fb->w; i++) {
			bool inside = i >= x && i < x + w && j >= y && j < y + h;

			assert_int_equal(px(fb, i, j), inside ? in : out);
		}
}

static void fb_new(struct xr_fb *fb, int w, int h)
{
	assert_int_equal(xr_fb_init(fb, w, h), 0);
	xr_fill(fb, NULL, 0, 0, w, h, BG);
}

/* ---- framebuffer and rectangles -------------------------------------- */

static void test_fb_init_bounds(void **state)
{
	struct xr_fb fb;

	(void)state;
	assert_int_equal(xr_fb_init(&fb, 0, 10), -1);
	assert_null(fb.px);
	assert_int_equal(xr_fb_init(&fb, 10, -1), -1);
	assert_int_equal(xr_fb_init(&fb, XR_FB_MAX_DIM + 1, 1), -1);
	assert_int_equal(xr_fb_init(&fb, 1, INT_MAX), -1);
	assert_int_equal(xr_fb_init(&fb, 3, 2), 0);
	assert_int_equal(fb.stride, 3);
	check_area(&fb, 0, 0, 3, 2, 0, 0);
	xr_fb_finish(&fb);
	assert_null(fb.px);
	xr_fb_finish(&fb);
	xr_fb_finish(NULL);
}

static void test_fb_resize(void **state)
{
	struct xr_fb fb;

	(void)state;
	fb_new(&fb, 4, 3);
	xr_fill(&fb, NULL, 0, 0, 2, 2, RED);
	assert_int_equal(xr_fb_resize(&fb, 6, 5, 0x00123456), 0);
	assert_int_equal(fb.w, 6);
	assert_int_equal(fb.h, 5);
	assert_int_equal(px(&fb, 1, 1), RED);
	assert_int_equal(px(&fb, 3, 2), BG);
	assert_int_equal(px(&fb, 4, 0), 0x00123456);
	assert_int_equal(px(&fb, 0, 3), 0x00123456);
	assert_int_equal(xr_fb_resize(&fb, 1, 1, 0), 0);
	assert_int_equal(px(&fb, 0, 0), RED);
	assert_int_equal(xr_fb_resize(&fb, 0, 1, 0), -1);
	assert_int_equal(fb.w, 1);
	xr_fb_finish(&fb);
}

static void test_rect_helpers(void **state)
{
	struct xr_rect a = {0, 0, 10, 10}, b = {5, -5, 10, 10};
	struct xr_rect e = {3, 3, 0, 7}, big = {INT_MAX - 1, 0, INT_MAX, 1};

	(void)state;
	assert_true(xr_rect_empty(e));
	assert_false(xr_rect_empty(a));
	rect_eq(xr_rect_intersect(a, b), 5, 0, 5, 5);
	rect_eq(xr_rect_intersect(a, (struct xr_rect){20, 0, 5, 5}), 0, 0, 0, 0);
	rect_eq(xr_rect_intersect(a, e), 0, 0, 0, 0);
	rect_eq(xr_rect_union(a, b), 0, -5, 15, 15);
	rect_eq(xr_rect_union(a, e), 0, 0, 10, 10);
	rect_eq(xr_rect_union(e, b), 5, -5, 10, 10);
	rect_eq(xr_rect_union(e, e), 0, 0, 0, 0);
	rect_eq(xr_rect_union((struct xr_rect){INT_MIN, 0, 1, 1}, big), INT_MIN, 0, INT_MAX, 1);
	rect_eq(xr_rect_intersect(big, (struct xr_rect){INT_MAX - 1, 0, 1, 1}), INT_MAX - 1, 0, 1,
	        1);
}

/* ---- fill -------------------------------------------------------------- */

static void test_fill_inside(void **state)
{
	struct xr_fb fb;

	(void)state;
	fb_new(&fb, 8, 6);
	rect_eq(xr_fill(&fb, NULL, 2, 1, 3, 2, 0xff00ff00), 2, 1, 3, 2);
	/* the X byte is cleared */
	check_area(&fb, 2, 1, 3, 2, 0x0000ff00, BG);
	rect_eq(xr_fill(&fb, NULL, 2, 1, 0, 2, RED), 0, 0, 0, 0);
	rect_eq(xr_fill(&fb, NULL, 2, 1, 3, -2, RED), 0, 0, 0, 0);
	check_area(&fb, 2, 1, 3, 2, 0x0000ff00, BG);
	xr_fb_finish(&fb);
}

static void test_fill_edges(void **state)
{
	static const struct {
		int x, y, w, h;
		int ex, ey, ew, eh;
	} c[] = {
	    {-2, 1, 4, 2, 0, 1, 2, 2},    /* left */
	    {6, 1, 5, 2, 6, 1, 2, 2},     /* right */
	    {1, -3, 2, 4, 1, 0, 2, 1},    /* top */
	    {1, 5, 2, 9, 1, 5, 2, 1},     /* bottom */
	    {-5, -5, 50, 50, 0, 0, 8, 6}, /* all around */
	    {-9, 0, 4, 2, 0, 0, 0, 0},    /* fully left */
	    {8, 0, 4, 2, 0, 0, 0, 0},     /* fully right */
	    {0, 6, 4, 2, 0, 0, 0, 0},     /* fully below */
	    {INT_MAX, INT_MAX, INT_MAX, INT_MAX, 0, 0, 0, 0},
	    {INT_MIN, INT_MIN, INT_MAX, INT_MAX, 0, 0, 0, 0},
	    {-10, -10, INT_MAX, INT_MAX, 0, 0, 8, 6},
	};
	struct xr_fb fb;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fb_new(&fb, 8, 6);
		rect_eq(xr_fill(&fb, NULL, c[i].x, c[i].y, c[i].w, c[i].h, RED), c[i].ex, c[i].ey,
		        c[i].ew, c[i].eh);
		check_area(&fb, c[i].ex, c[i].ey, c[i].ew, c[i].eh, RED, BG);
		xr_fb_finish(&fb);
	}
}

static void test_fill_clip(void **state)
{
	struct xr_fb fb;
	struct xr_rect clip = {2, 2, 3, 3}, empty = {2, 2, 0, 3};
	struct xr_rect outside = {-5, -5, 3, 3};

	(void)state;
	fb_new(&fb, 8, 6);
	rect_eq(xr_fill(&fb, &clip, 0, 0, 4, 4, RED), 2, 2, 2, 2);
	check_area(&fb, 2, 2, 2, 2, RED, BG);
	rect_eq(xr_fill(&fb, &empty, 0, 0, 8, 6, RED), 0, 0, 0, 0);
	rect_eq(xr_fill(&fb, &outside, 0, 0, 8, 6, RED), 0, 0, 0, 0);
	check_area(&fb, 2, 2, 2, 2, RED, BG);
	/* a clip larger than the fb is cut by the fb */
	clip = (struct xr_rect){-100, 3, 1000, 1000};
	rect_eq(xr_fill(&fb, &clip, 0, 0, 8, 6, RED), 0, 3, 8, 3);
	xr_fb_finish(&fb);
}

/* ---- copy against a naive reference ------------------------------------ */

/* Reference: read all source pixels first, then write. */
static void ref_copy(struct xr_fb *fb, const struct xr_rect *clip, int sx, int sy, int w, int h,
                     int dx, int dy)
{
	uint32_t *old = malloc((size_t)fb->w * fb->h * 4);

	assert_non_null(old);
	memcpy(old, fb->px, (size_t)fb->w * fb->h * 4);
	/* loop over destination pixels so huge w, h stay bounded */
	for (long Y = 0; Y < fb->h; Y++)
		for (long X = 0; X < fb->w; X++) {
			long long i = X - (long long)dx, j = Y - (long long)dy;
			long long SX = sx + i, SY = sy + j;

			if (i < 0 || j < 0 || i >= w || j >= h || SX < 0 || SY < 0 || SX >= fb->w ||
			    SY >= fb->h)
				continue;
			if (clip && (X < clip->x || Y < clip->y || X >= (long)clip->x + clip->w ||
			             Y >= (long)clip->y + clip->h))
				continue;
			fb->px[Y * fb->w + X] = old[SY * fb->w + SX];
		}
	free(old);
}

static void pattern(struct xr_fb *fb)
{
	for (int i = 0; i < fb->w * fb->h; i++)
		fb->px[i] = (uint32_t)i * 2654435761u & 0x00ffffff;
}

static void copy_case(int sx, int sy, int w, int h, int dx, int dy, const struct xr_rect *clip)
{
	struct xr_fb a, b;

	assert_int_equal(xr_fb_init(&a, 17, 13), 0);
	assert_int_equal(xr_fb_init(&b, 17, 13), 0);
	pattern(&a);
	pattern(&b);
	xr_copy(&a, clip, sx, sy, w, h, dx, dy);
	ref_copy(&b, clip, sx, sy, w, h, dx, dy);
	if (!xr_fb_equal(&a, &b))
		fail_msg("copy (%d,%d %dx%d) -> (%d,%d) differs", sx, sy, w, h, dx, dy);
	xr_fb_finish(&a);
	xr_fb_finish(&b);
}

static void test_copy_directions(void **state)
{
	(void)state;
	copy_case(2, 3, 10, 6, 2, 1, NULL);  /* scroll up, overlapping */
	copy_case(2, 1, 10, 6, 2, 3, NULL);  /* scroll down, overlapping */
	copy_case(3, 2, 10, 6, 1, 2, NULL);  /* left */
	copy_case(1, 2, 10, 6, 3, 2, NULL);  /* right */
	copy_case(1, 1, 10, 6, 3, 4, NULL);  /* down-right */
	copy_case(4, 5, 10, 6, 1, 2, NULL);  /* up-left */
	copy_case(0, 1, 17, 12, 0, 0, NULL); /* full-width scroll up */
	copy_case(0, 0, 17, 12, 0, 1, NULL); /* full-width scroll down */
	copy_case(3, 3, 5, 5, 3, 3, NULL);   /* onto itself */
}

static void test_copy_hand(void **state)
{
	struct xr_fb fb;

	(void)state;
	fb_new(&fb, 4, 4);
	fb.px[0] = 1;
	fb.px[1] = 2;
	fb.px[4] = 3;
	fb.px[5] = 4;
	rect_eq(xr_copy(&fb, NULL, 0, 0, 2, 2, 1, 1), 1, 1, 2, 2);
	assert_int_equal(px(&fb, 1, 1), 1);
	assert_int_equal(px(&fb, 2, 1), 2);
	assert_int_equal(px(&fb, 1, 2), 3);
	assert_int_equal(px(&fb, 2, 2), 4);
	assert_int_equal(px(&fb, 0, 0), 1);
	/* source entirely outside: nothing */
	rect_eq(xr_copy(&fb, NULL, 10, 0, 2, 2, 0, 0), 0, 0, 0, 0);
	/* source partly outside: only the part with source pixels */
	rect_eq(xr_copy(&fb, NULL, -1, 0, 2, 2, 2, 2), 3, 2, 1, 2);
	assert_int_equal(px(&fb, 3, 2), 1);
	assert_int_equal(px(&fb, 2, 2), 4);
	xr_fb_finish(&fb);
}

static void test_copy_clip_and_edges(void **state)
{
	struct xr_rect clip = {4, 2, 6, 7}, far = {100, 100, 5, 5};
	uint32_t seed = 12345;

	(void)state;
	copy_case(2, 3, 10, 6, 2, 1, &clip);
	copy_case(1, 2, 10, 6, 3, 2, &clip);
	copy_case(0, 0, 17, 13, 0, 0, &far);
	copy_case(-5, -5, 30, 30, 3, 2, NULL);
	copy_case(5, 5, 30, 30, -3, -2, NULL);
	copy_case(INT_MAX, 0, 5, 5, 0, 0, NULL);
	copy_case(0, 0, INT_MAX, INT_MAX, INT_MIN, INT_MIN, NULL);
	/* bounded pseudo-random cases */
	for (int i = 0; i < 300; i++) {
		int v[10];
		struct xr_rect c;

		for (int k = 0; k < 10; k++) {
			seed = seed * 1103515245u + 12345u;
			v[k] = (int)((seed >> 16) % 25) - 5;
		}
		c = (struct xr_rect){v[6], v[7], v[8] + 5, v[9] + 5};
		copy_case(v[0], v[1], v[2] + 5, v[3] + 5, v[4], v[5], i % 2 ? &c : NULL);
	}
}

/* ---- bitmap ------------------------------------------------------------ */

static void test_bitmap_opaque(void **state)
{
	/* 10x2: row 0 = 1010000011, row 1 = 0100000001 */
	static const uint8_t bits[] = {0xa0, 0xc0, 0x40, 0x40};
	static const char *want[] = {"F.F.....FF", ".F.......F"};
	struct xr_fb fb;
	struct xr_rect d;

	(void)state;
	fb_new(&fb, 12, 3);
	assert_int_equal(
	    xr_bitmap(&fb, NULL, 1, 1, 10, 2, bits, sizeof(bits), RED, 0x0000ff, false, &d), 0);
	rect_eq(d, 1, 1, 10, 2);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 10; x++)
			assert_int_equal(px(&fb, x + 1, y + 1),
			                 want[y][x] == 'F' ? RED : 0x0000ffu);
	assert_int_equal(px(&fb, 0, 1), BG);
	assert_int_equal(px(&fb, 11, 1), BG);
	assert_int_equal(px(&fb, 1, 0), BG);
	xr_fb_finish(&fb);
}

static void test_bitmap_transparent_clip(void **state)
{
	static const uint8_t bits[] = {0xff, 0x81, 0xff};
	struct xr_fb fb;
	struct xr_rect d, clip = {0, 0, 5, 100};

	(void)state;
	fb_new(&fb, 10, 5);
	assert_int_equal(xr_bitmap(&fb, &clip, -2, 1, 8, 3, bits, sizeof(bits), RED, 0, true, &d),
	                 0);
	rect_eq(d, 0, 1, 5, 3);
	/* columns 2..6 of the bitmap are visible at x = 0..4 */
	for (int x = 0; x < 5; x++) {
		assert_int_equal(px(&fb, x, 1), RED);
		assert_int_equal(px(&fb, x, 2), BG);
		assert_int_equal(px(&fb, x, 3), RED);
	}
	assert_int_equal(px(&fb, 5, 1), BG);
	xr_fb_finish(&fb);
}

static void test_bitmap_bad_length(void **state)
{
	static const uint8_t bits[4] = {0xff, 0xff, 0xff, 0xff};
	struct xr_fb fb;
	struct xr_rect d;

	(void)state;
	fb_new(&fb, 10, 5);
	/* 9 pixels wide = 2 bytes per row, 3 rows = 6 bytes > 4 */
	assert_int_equal(xr_bitmap(&fb, NULL, 0, 0, 9, 3, bits, 4, RED, 0, false, &d), -1);
	rect_eq(d, 0, 0, 0, 0);
	assert_int_equal(xr_bitmap(&fb, NULL, 0, 0, INT_MAX, INT_MAX, bits, 4, RED, 0, false, &d),
	                 -1);
	assert_int_equal(xr_bitmap(&fb, NULL, 0, 0, 8, 4, bits, 3, RED, 0, false, &d), -1);
	check_area(&fb, 0, 0, 0, 0, 0, BG);
	/* empty size: fine, nothing drawn */
	assert_int_equal(xr_bitmap(&fb, NULL, 0, 0, 0, 3, NULL, 0, RED, 0, false, &d), 0);
	rect_eq(d, 0, 0, 0, 0);
	/* exact length and off-screen: fine, nothing drawn */
	assert_int_equal(xr_bitmap(&fb, NULL, 50, 0, 8, 4, bits, 4, RED, 0, false, &d), 0);
	rect_eq(d, 0, 0, 0, 0);
	check_area(&fb, 0, 0, 0, 0, 0, BG);
	xr_fb_finish(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fb_init_bounds),
	    cmocka_unit_test(test_fb_resize),
	    cmocka_unit_test(test_rect_helpers),
	    cmocka_unit_test(test_fill_inside),
	    cmocka_unit_test(test_fill_edges),
	    cmocka_unit_test(test_fill_clip),
	    cmocka_unit_test(test_copy_directions),
	    cmocka_unit_test(test_copy_hand),
	    cmocka_unit_test(test_copy_clip_and_edges),
	    cmocka_unit_test(test_bitmap_opaque),
	    cmocka_unit_test(test_bitmap_transparent_clip),
	    cmocka_unit_test(test_bitmap_bad_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
