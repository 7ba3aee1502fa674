/*
 * proto_bench.c - libxproto figures: bytes per common message and
 * encode/decode rates for small draw commands and for large images.
 * Prints numbers; asserts nothing about speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpargs.h"
#include "xproto.h"

static size_t frame_size(const struct xp_msg *m)
{
	struct xp_buf b;
	xp_buf_init(&b, 1 << 20);
	ssize_t n = xp_encode(&b, m);
	xp_buf_finish(&b);
	return n < 0 ? 0 : (size_t)n;
}

static void sizes(void)
{
	char row[81];
	memset(row, 'x', 80);
	row[80] = '\0';
	struct xp_msg key = {.op = XP_OP_KEY}, rel = {.op = XP_OP_KEY};
	key.u.key =
	    (struct xp_msg_key){.state = XP_KEY_PRESSED, .keysym = 'a', .text = xp_str_from("a")};
	rel.u.key = (struct xp_msg_key){.state = 0, .keysym = 'a', .text = xp_str_from("")};
	struct xp_msg ret = {.op = XP_OP_KEY};
	ret.u.key = (struct xp_msg_key){.state = XP_KEY_PRESSED, .keysym = 0xff0d};
	struct xp_msg mot = {.op = XP_OP_MOTION}, mot_far = {.op = XP_OP_MOTION};
	mot.u.motion = (struct xp_msg_motion){.x = 40, .y = 30};
	mot_far.u.motion = (struct xp_msg_motion){.x = 1919, .y = 1079};
	struct xp_msg fill = {.op = XP_OP_FILL}, fill_small = {.op = XP_OP_FILL};
	fill.u.fill = (struct xp_msg_fill){.x = 1000, .y = 700, .w = 920, .h = 380};
	fill_small.u.fill = (struct xp_msg_fill){.x = 6, .y = 13, .w = 6, .h = 13};
	struct xp_msg text = {.op = XP_OP_TEXT};
	text.u.text = (struct xp_msg_text){.x = 0, .y = 299, .text = xp_str_from(row)};
	printf("bytes per message on the wire (before compression, header included)\n");
	printf("  %-44s %3zu   (RFB KeyEvent: 8)\n", "key press 'a' (keysym + UTF-8 text)",
	       frame_size(&key));
	printf("  %-44s %3zu\n", "key release 'a'", frame_size(&rel));
	printf("  %-44s %3zu\n", "key press Return (keysym 0xff0d)", frame_size(&ret));
	printf("  %-44s %3zu   (RFB PointerEvent: 6)\n", "pointer motion (40,30)",
	       frame_size(&mot));
	printf("  %-44s %3zu\n", "pointer motion (1919,1079)", frame_size(&mot_far));
	printf("  %-44s %3zu   (RFB rectangle header: 12)\n", "fill 920x380 at (1000,700)",
	       frame_size(&fill));
	printf("  %-44s %3zu\n", "fill one 6x13 cell", frame_size(&fill_small));
	printf("  %-44s %3zu\n", "text run, 80 characters", frame_size(&text));
}

/* Pointer shapes: defined once per shape and connection, then named. */
static void cursor_sizes(void)
{
	static uint8_t data[24 * 24 * 4];
	struct xp_msg mask = {.op = XP_OP_CURSOR}, argb = {.op = XP_OP_CURSOR};
	mask.u.cursor =
	    (struct xp_msg_cursor){1, 16,       16,
	                           7, 7,        XP_CURSOR_MASK,
	                           0, 0xffffff, {data, (uint32_t)xp_cursor_data_len(1, 16, 16)}};
	argb.u.cursor =
	    (struct xp_msg_cursor){2, 24, 24, 12, 12, XP_CURSOR_ARGB, 0, 0, {data, sizeof(data)}};
	struct xp_msg named = {.op = XP_OP_WIN_CURSOR, .u.win_cursor = {5, 1}};
	printf("  %-44s %3zu\n", "cursor 16x16, 1-bit (CURSOR, once)", frame_size(&mask));
	printf("  %-44s %3zu\n", "cursor 24x24, ARGB (CURSOR, once)", frame_size(&argb));
	printf("  %-44s %3zu\n", "cursor of a window (WIN_CURSOR)", frame_size(&named));
}

static double now_s(void)
{
	return (double)xp_now_us() / 1e6;
}

/* A mix of small draw commands, encoded into one buffer. */
static struct xp_buf small_mix(size_t count)
{
	struct xp_buf b;
	xp_buf_init(&b, SIZE_MAX / 4);
	for (size_t i = 0; i < count; i++) {
		struct xp_msg m;
		int32_t v = (int32_t)(i % 800);
		switch (i % 4) {
		case 0:
			m.op = XP_OP_FILL;
			m.u.fill = (struct xp_msg_fill){v, v / 2, 6, 13};
			break;
		case 1:
			m.op = XP_OP_TEXT;
			m.u.text = (struct xp_msg_text){v, 13, xp_str_from("hello")};
			break;
		case 2:
			m.op = XP_OP_COPY;
			m.u.copy = (struct xp_msg_copy){0, 13, 480, 299, 0, 0};
			break;
		default:
			m.op = XP_OP_KEY;
			m.u.key = (struct xp_msg_key){1, 'a', xp_str_from("a")};
			break;
		}
		xp_encode(&b, &m);
	}
	return b;
}

static void rate(const char *what, size_t msgs, size_t bytes, double secs)
{
	printf("  %-34s %10.3f M msg/s  %8.1f MB/s\n", what, (double)msgs / secs / 1e6,
	       (double)bytes / secs / 1e6);
}

static size_t decode_all(struct xp_decoder *d, const struct xp_buf *b)
{
	struct xp_msg m;
	struct xp_error err;
	size_t off = 0, n = 0;
	ssize_t r;
	while ((r = xp_decode(d, b->p + off, b->len - off, &m, &err)) > 0) {
		off += (size_t)r;
		n++;
	}
	return n;
}

static void small_rates(void)
{
	const size_t count = 1000000;
	struct xp_decoder d;
	xp_decoder_init(&d, XP_MAX_MSG_DEFAULT);
	double t0 = now_s();
	struct xp_buf b = small_mix(count);
	double t1 = now_s();
	size_t n = 0;
	const int rounds = 10;
	for (int r = 0; r < rounds; r++)
		n += decode_all(&d, &b);
	double t2 = now_s();
	printf("small draw commands (fill, 5-char text, copy, key), %zu messages\n", count);
	rate("encode", count, b.len, t1 - t0);
	rate("decode", n, b.len * rounds, t2 - t1);
	xp_buf_finish(&b);
	xp_decoder_finish(&d);
}

static void image_rates(void)
{
	const uint32_t w = 1920, h = 1080;
	size_t len = (size_t)w * h * 3;
	uint8_t *px = malloc(len);
	for (size_t i = 0; i < len; i++)
		px[i] = (uint8_t)(i * 7);
	struct xp_msg m = {.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){0, 0, w, h, XP_IMG_RAW, 0, {px, (uint32_t)len}};
	struct xp_buf b;
	xp_buf_init(&b, SIZE_MAX / 4);
	const int count = 40;
	double t0 = now_s();
	for (int i = 0; i < count; i++) {
		b.off = b.len = 0;
		xp_encode(&b, &m);
	}
	double t1 = now_s();
	struct xp_decoder d;
	struct xp_msg out;
	struct xp_error err;
	uint8_t *dst = malloc(len);
	xp_decoder_init(&d, 8u << 20);
	size_t n = 0;
	for (int i = 0; i < count; i++) {
		/* what a receiver does: decode the frame, take the pixels out */
		if (xp_decode(&d, b.p, b.len, &out, &err) > 0) {
			memcpy(dst, out.u.image.data.p, out.u.image.data.n);
			__asm__ volatile("" : : "r"(dst) : "memory");
			n++;
		}
	}
	double t2 = now_s();
	for (int i = 0; i < count; i++) {
		memcpy(dst, px + (i % 2), len - 1);
		__asm__ volatile("" : : "r"(dst) : "memory"); /* keep the copy */
	}
	double t3 = now_s();
	printf("image payloads (1920x1080 raw RGB, %zu bytes each)\n", len);
	rate("encode", count, b.len * count, t1 - t0);
	rate("decode + copy pixels out", n, b.len * n, t2 - t1);
	rate("memcpy of the same bytes", count, len * count, t3 - t2);
	xp_buf_finish(&b);
	xp_decoder_finish(&d);
	free(dst);
	free(px);
}

int main(int argc, char **argv)
{
	int usage_rc =
	    xu_no_args(argc, argv, "proto_bench",
	               "libxproto's figures: bytes per common message, encode/decode rates.\n");
	if (usage_rc >= 0)
		return usage_rc;
	sizes();
	cursor_sizes();
	small_rates();
	image_rates();
	return 0;
}
