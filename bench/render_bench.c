/*
 * render_bench.c - throughput of the renderer's hot paths, each next to the
 * plain C library baseline measured in the same run: fill vs memset, copy vs
 * memmove, glyphs per second for 80-column lines, and the time to decode and
 * present a full 1920x1080 update (ZLIB and PNG). Prints figures; asserts
 * nothing about speed. Each measurement runs for about 0.3 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xpargs.h"
#include "xrender.h"

#define FW          1920
#define FH          1080
#define RUN_SECONDS 0.3

struct bench_ctx {
	struct xr_fb fb;
	uint32_t *scratch; /* FW * FH pixels for the baselines */
	uint8_t *enc;
	size_t enc_len;
	int format;
	long glyphs;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run @fn until RUN_SECONDS have passed; seconds per call. */
static double time_per_call(void (*fn)(struct bench_ctx *, long), struct bench_ctx *c)
{
	double t0 = now(), t;
	long n = 0;

	fn(c, -1); /* warm up */
	do {
		fn(c, n++);
		t = now() - t0;
	} while (t < RUN_SECONDS && n < 1000000);
	return t / (double)n;
}

static void run_fill(struct bench_ctx *c, long i)
{
	xr_fill(&c->fb, NULL, 8, 8, FW - 16, FH - 16, (uint32_t)i & 0xffffff);
}

static void run_memset(struct bench_ctx *c, long i)
{
	/* same bytes, same row structure as run_fill */
	for (int y = 8; y < FH - 8; y++)
		memset(c->scratch + (size_t)y * FW + 8, (int)(i & 0xff), (size_t)(FW - 16) * 4);
}

static void run_copy(struct bench_ctx *c, long i)
{
	int up = i & 1; /* alternate scrolling up and down by one text line */

	xr_copy(&c->fb, NULL, 8, up ? 21 : 8, FW - 16, FH - 29, 8, up ? 8 : 21);
}

static void run_memmove(struct bench_ctx *c, long i)
{
	size_t row = (size_t)(FW - 16) * 4;

	(void)i;
	for (int y = 8; y < FH - 21; y++)
		memmove(c->scratch + (size_t)y * FW + 8, c->scratch + (size_t)(y + 13) * FW + 8,
		        row);
}

static void run_text(struct bench_ctx *c, long i)
{
	static const char line[] = "The quick brown fox jumps over the lazy dog 0123456789 "
	                           "ABCDEFGHIJKLMNOPQRSTUVWXY";

	for (int r = 0; r < 80; r++)
		xr_text(&c->fb, NULL, 0, r * 13, line, 80, (int)(i & 1), 0xffffff, 0, false);
	c->glyphs += 80 * 80;
}

static void run_text_box(struct bench_ctx *c, long i)
{
	char line[80 * 3];

	(void)i;
	for (int k = 0; k < 80; k++)
		memcpy(line + k * 3, "\xe2\x94\x80", 3); /* U+2500 */
	for (int r = 0; r < 80; r++)
		xr_text(&c->fb, NULL, 0, r * 13, line, sizeof(line), 0, 0xffffff, 0, false);
	c->glyphs += 80 * 80;
}

static void run_decode(struct bench_ctx *c, long i)
{
	struct xr_rect d;

	(void)i;
	if (xr_image(&c->fb, NULL, 0, 0, FW, FH, c->format, c->enc, c->enc_len, &d) < 0) {
		fprintf(stderr, "render_bench: decode failed\n");
		exit(1);
	}
}

static void bench_fill_copy(struct bench_ctx *c)
{
	double mpix = (double)(FW - 16) * (FH - 16) / 1e6;
	double tf = time_per_call(run_fill, c), tm = time_per_call(run_memset, c);
	double tc, tmm;

	printf("fill    %8.0f Mpixel/s   memset  %8.0f Mpixel/s   ratio %.2f\n", mpix / tf,
	       mpix / tm, tm / tf);
	mpix = (double)(FW - 16) * (FH - 29) / 1e6;
	tc = time_per_call(run_copy, c);
	tmm = time_per_call(run_memmove, c);
	printf("copy    %8.0f Mpixel/s   memmove %8.0f Mpixel/s   ratio %.2f\n", mpix / tc,
	       mpix / tmm, tmm / tc);
}

static void bench_text(struct bench_ctx *c)
{
	double t;

	c->glyphs = 0;
	t = time_per_call(run_text, c);
	printf("text    %8.2f Mglyph/s (80-column ASCII lines, regular+bold)\n", 80 * 80 / t / 1e6);
	t = time_per_call(run_text_box, c);
	printf("text    %8.2f Mglyph/s (80-column box-drawing lines)\n", 80 * 80 / t / 1e6);
}

/* Paint a screen-like 1920x1080 picture: text windows and a photo-like
 * gradient, so compression ratios are realistic. */
static void paint_screen(struct xr_fb *fb)
{
	static const char s[] = "int main(void) { return printf(\"hello\"); }"
	                        " // scrolling terminal output 0123456789 ";

	xr_fill(fb, NULL, 0, 0, FW, FH, 0x203040);
	for (int r = 0; r < 60; r++)
		xr_text(fb, NULL, 10, 20 + r * 13, s + r % 20, 70, r % 2, 0xe0e0e0, 0x101010,
		        false);
	for (int y = 0; y < 600; y++)
		for (int x = 0; x < 900; x++)
			fb->px[(size_t)(y + 300) * FW + 1000 + x] =
			    XR_RGB(x / 4 + (y * x) % 7, y / 3 + (x ^ y) % 5, 128 + x % 9);
}

/* The screen as a RAW image: w * h * 3 bytes R, G, B. */
static int encode_raw(const struct xr_fb *fb, uint8_t **out, size_t *len)
{
	uint8_t *p = malloc((size_t)FW * FH * 3);

	if (!p)
		return -1;
	for (size_t i = 0; i < (size_t)FW * FH; i++) {
		p[i * 3] = (uint8_t)(fb->px[i] >> 16);
		p[i * 3 + 1] = (uint8_t)(fb->px[i] >> 8);
		p[i * 3 + 2] = (uint8_t)fb->px[i];
	}
	*out = p;
	*len = (size_t)FW * FH * 3;
	return 0;
}

static int encode(const struct xr_fb *fb, int f, uint8_t **out, size_t *len)
{
	struct xr_rect all = {0, 0, FW, FH};

	if (f == XR_IMG_RAW)
		return encode_raw(fb, out, len);
	if (f == XR_IMG_ZLIB)
		return xr_encode_zlib(fb, all, 6, out, len);
	return xr_encode_png(fb, all, 6, out, len);
}

static void bench_decode(struct bench_ctx *c)
{
	static const char *name[] = {"raw", "zlib", "png"};

	paint_screen(&c->fb);
	for (int f = XR_IMG_RAW; f <= XR_IMG_PNG; f++) {
		double t;
		int ret = encode(&c->fb, f, &c->enc, &c->enc_len);

		if (ret < 0) {
			fprintf(stderr, "render_bench: encode failed\n");
			exit(1);
		}
		c->format = f;
		t = time_per_call(run_decode, c);
		printf("%-4s    %8.2f ms per 1920x1080 update (%zu bytes, "
		       "%.0f Mpixel/s)\n",
		       name[f], t * 1e3, c->enc_len, FW * FH / t / 1e6);
		free(c->enc);
	}
}

int main(int argc, char **argv)
{
	int usage_rc = xu_no_args(
	    argc, argv, "render_bench",
	    "The renderer's hot paths beside the C library's baselines (prints figures).\n");
	if (usage_rc >= 0)
		return usage_rc;
	struct bench_ctx c = {0};

	if (xr_fb_init(&c.fb, FW, FH) < 0)
		return 1;
	c.scratch = calloc((size_t)FW * FH, sizeof(uint32_t));
	if (!c.scratch)
		return 1;
	bench_fill_copy(&c);
	bench_text(&c);
	bench_decode(&c);
	free(c.scratch);
	xr_fb_finish(&c.fb);
	return 0;
}
