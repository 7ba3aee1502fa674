/*
 * draw_fuzz.c - libFuzzer target for libxpdraw: a stream of frames off the
 * network (what a thin client or the server reads), decoded and applied to
 * a framebuffer under the sticky state, with a one-entry image cache, as
 * both sides do. Anything a hostile peer sends must end in an error, never
 * in a crash or a read or write out of bounds.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60)
 */
#include <stdlib.h>

#include "xdraw.h"

struct one {
	uint32_t id;
	struct xr_fb fb;
};

static const struct xr_fb *keep(void *ctx, uint32_t id, struct xr_fb *img, struct xp_error *err)
{
	struct one *k = ctx;
	(void)err;
	if ((uint64_t)img->w * (uint64_t)img->h > 256 * 256)
		return img; /* too big to keep: drawn once */
	xr_fb_finish(&k->fb);
	k->id = id;
	k->fb = *img;
	*img = (struct xr_fb){0};
	return &k->fb;
}

static const struct xr_fb *find(void *ctx, uint32_t id)
{
	struct one *k = ctx;
	return k->fb.px && k->id == id ? &k->fb : NULL;
}

static void drop(void *ctx, uint32_t id)
{
	struct one *k = ctx;
	if (k->id == id)
		xr_fb_finish(&k->fb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct one k = {0};
	struct xd_cache cache = {&k, keep, find, drop};
	struct xd_state s;
	struct xp_decoder dec;
	struct xp_error err;
	struct xp_msg m;
	struct xr_fb fb;
	struct xr_rect d;
	ssize_t n;
	if (xr_fb_init(&fb, 64, 48) < 0)
		return 0;
	xd_state_init(&s);
	xp_decoder_init(&dec, 1u << 16);
	while (size > 0 && (n = xp_decode(&dec, data, size, &m, &err)) > 0) {
		if (xd_kind(m.op) == XD_STATE)
			xd_state_update(&s, &m, &err);
		else if (xd_kind(m.op) != XD_NOT_DRAWING)
			xd_apply(&fb, &s, &m, &cache, &d, &err);
		data += n, size -= (size_t)n;
	}
	xp_decoder_finish(&dec);
	xr_fb_finish(&k.fb);
	xr_fb_finish(&fb);
	return 0;
}
