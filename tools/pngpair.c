/*
 * pngpair.c - put two screenshots side by side with a caption over each
 * (tools/vttest-shots.sh uses it for xterm beside xp-term).
 *
 * Usage: pngpair OUT.png W H LEFT.png CAPTION RIGHT.png CAPTION
 * Each picture's top-left W x H is taken (what lies outside is grey).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrender.h"

#define GAP   12
#define TOP   18
#define BG    0x303030u
#define LABEL 0xe0e0e0u

static void put(struct xr_fb *out, const struct xr_fb *in, int x0, int w, int h)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			if (x < in->w && y < in->h)
				out->px[(size_t)(TOP + y) * (size_t)out->stride +
				        (size_t)(x0 + x)] =
				    in->px[(size_t)y * (size_t)in->stride + (size_t)x];
}

int main(int argc, char **argv)
{
	struct xr_fb out, a, b;
	int w = argc == 8 ? atoi(argv[2]) : 0, h = argc == 8 ? atoi(argv[3]) : 0;
	if (argc != 8 || w < 1 || h < 1 || w > 4000 || h > 4000) {
		fprintf(stderr, "usage: pngpair OUT.png W H LEFT.png CAPTION RIGHT.png CAPTION\n");
		return 2;
	}
	if (xr_png_read_file(argv[4], &a) < 0 || xr_png_read_file(argv[6], &b) < 0 ||
	    xr_fb_init(&out, 2 * w + 3 * GAP, h + TOP + GAP) < 0) {
		fprintf(stderr, "pngpair: cannot read %s or %s\n", argv[4], argv[6]);
		return 1;
	}
	xr_fill(&out, NULL, 0, 0, out.w, out.h, BG);
	xr_text(&out, NULL, GAP, 2, argv[5], strlen(argv[5]), XR_FONT_FIXED_BOLD, LABEL, BG, false);
	xr_text(&out, NULL, 2 * GAP + w, 2, argv[7], strlen(argv[7]), XR_FONT_FIXED_BOLD, LABEL, BG,
	        false);
	put(&out, &a, GAP, w, h);
	put(&out, &b, 2 * GAP + w, w, h);
	if (xr_png_write_file(&out, argv[1]) < 0) {
		fprintf(stderr, "pngpair: cannot write %s\n", argv[1]);
		return 1;
	}
	xr_fb_finish(&out);
	xr_fb_finish(&a);
	xr_fb_finish(&b);
	return 0;
}
