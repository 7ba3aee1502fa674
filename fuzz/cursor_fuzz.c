/*
 * cursor_fuzz.c - libFuzzer target for what a receiver does with a CURSOR
 * message (SPEC.md 0x1b): xp_cursor_check() and xp_cursor_argb(), as the
 * server and the thin client call them. The first byte picks how the rest
 * is read:
 *   even: a frame stream (no preamble, plain), decoded by libxproto; every
 *         CURSOR in it is checked, and drawn when it passes;
 *   odd:  the fields themselves (id, w, h, hot x, hot y, format: one byte
 *         each; fg, bg: three bytes each; the rest is the data), so that
 *         the fuzzer reaches shapes that pass the check quickly; those are
 *         also encoded and decoded again.
 * The data and the pixels live in buffers of exactly their size, so that
 * ASan sees any access outside them. A shape that passes must be within
 * the bounds SPEC.md gives, and its pixels must be premultiplied.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60)
 */
#include <stdlib.h>
#include <string.h>

#include "xproto.h"

/* Check @c as a receiver would; if it passes, draw it and look at it. */
static void receive(const struct xp_msg_cursor *c)
{
	struct xp_error err;
	struct xp_msg_cursor exact = *c;
	uint8_t *data = malloc(c->data.n ? c->data.n : 1);
	if (!data)
		return;
	if (c->data.n)
		memcpy(data, c->data.p, c->data.n);
	exact.data.p = data;
	if (xp_cursor_check(&exact, &err) == 0) {
		if (exact.w < 1 || exact.h < 1 || exact.w > XP_CURSOR_MAX_DIM ||
		    exact.h > XP_CURSOR_MAX_DIM || exact.id < 1 || exact.id > XP_CURSOR_IDS ||
		    exact.hot_x >= exact.w || exact.hot_y >= exact.h)
			abort();
		size_t n = (size_t)exact.w * exact.h;
		uint32_t *px = malloc(n * sizeof(*px));
		if (!px)
			abort();
		xp_cursor_argb(&exact, px);
		for (size_t i = 0; i < n; i++) {
			uint32_t a = px[i] >> 24;
			if (((px[i] >> 16) & 0xff) > a || ((px[i] >> 8) & 0xff) > a ||
			    (px[i] & 0xff) > a)
				abort(); /* not premultiplied: X would show it wrong */
		}
		free(px);
	} else if (err.code != XP_ERR_MALFORMED) {
		abort();
	}
	free(data);
}

/* Encode @m, decode it again: the same message comes back. */
static void round_trip(const struct xp_msg *m)
{
	struct xp_buf b;
	struct xp_decoder d;
	struct xp_msg again;
	struct xp_error err;
	xp_buf_init(&b, 1u << 20);
	xp_decoder_init(&d, 1u << 20);
	ssize_t n = xp_encode(&b, m);
	if (n > 0 && xp_decode(&d, b.p, b.len, &again, &err) == n) {
		const struct xp_msg_cursor *x = &m->u.cursor, *y = &again.u.cursor;
		if (again.op != XP_OP_CURSOR || x->id != y->id || x->w != y->w || x->h != y->h ||
		    x->format != y->format || x->data.n != y->data.n ||
		    (x->data.n && memcmp(x->data.p, y->data.p, x->data.n) != 0))
			abort();
		receive(y);
	}
	xp_buf_finish(&b);
	xp_decoder_finish(&d);
}

/* The odd mode: the fields from the bytes, then the data. */
static void fields(const uint8_t *p, size_t size)
{
	if (size < 12)
		return;
	struct xp_msg m = {.op = XP_OP_CURSOR};
	m.u.cursor = (struct xp_msg_cursor){p[0],
	                                    p[1],
	                                    p[2],
	                                    p[3],
	                                    p[4],
	                                    p[5],
	                                    (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8],
	                                    (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11],
	                                    {p + 12, (uint32_t)(size - 12)}};
	receive(&m.u.cursor);
	round_trip(&m);
}

/* The even mode: a stream of frames, as a connection receives them. */
static void frames(const uint8_t *p, size_t size)
{
	struct xp_conn c;
	struct xp_msg m;
	xp_conn_init(&c, -1, 1u << 16, false);
	if (xp_conn_feed(&c, p, size) == 0) {
		int r;
		for (int k = 0; k < 100000 && (r = xp_conn_next(&c, &m)) > 0; k++)
			if (m.op == XP_OP_CURSOR)
				receive(&m.u.cursor);
	}
	xp_conn_finish(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fields(data + 1, size - 1);
	else
		frames(data + 1, size - 1);
	return 0;
}
