/*
 * render_image_fuzz.c - libFuzzer target for the renderer's image decoders
 * (raw, zlib, PNG through libpng): every IMAGE payload comes off the network.
 * The first bytes pick the format and the claimed size; the rest is data.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60)
 */
#include <stdlib.h>

#include "xrender.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_fb fb;
	struct xr_rect d, clip = {3, 2, 40, 30};
	if (size < 3 || xr_fb_init(&fb, 64, 48) < 0)
		return 0;
	int format = data[0] % 4; /* 3: an unknown format */
	int w = data[1] % 80 + 1, h = data[2] % 60 + 1;
	/* images may hang off the framebuffer's edges */
	xr_image(&fb, size > 3 && (data[3] & 1) ? &clip : NULL, -(w / 3), -(h / 4), w, h, format,
	         data + 3, size - 3, &d);
	xr_fb_finish(&fb);
	return 0;
}
