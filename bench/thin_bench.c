/*
 * thin_bench.c - thin client update latency over loopback: a 1920x1080
 * full-window IMAGE (zlib and PNG) sent by a test peer, decoded, composed
 * and presented headless, timed from send to the client's ACK; and a full
 * 80x24 terminal redraw as TEXT rows. The target for the image is
 * <= 20 ms.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpargs.h"
#include "testpeer.h"
#include "thinrun.h"
#include "thin.h"
#include "xrender.h"

#define W      1920
#define H      1080
#define ROUNDS 10

static int send_msg(struct tp_peer *p, struct xp_msg m)
{
	return tp_send(p, &m);
}

/* Time @rounds updates of @m followed by MARK/ACK; returns ms per update. */
static double time_updates(struct tp_peer *p, const struct xp_msg *m, int count, uint32_t *serial)
{
	uint64_t t0 = xp_now_us();
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < count; i++)
			if (tp_send(p, &m[i]) < 0)
				return -1;
		if (tp_sync(p, ++*serial, 10000) < 0)
			return -1;
	}
	return (double)(xp_now_us() - t0) / 1000.0 / ROUNDS;
}

static int picture(struct xr_fb *fb)
{
	if (xr_fb_init(fb, W, H) < 0)
		return -1;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			fb->px[y * fb->stride + x] =
			    XR_RGB(x * 255 / W, y * 255 / H, (x ^ y) & 0xff);
	for (int y = 0; y < H; y += 13)
		xr_text(fb, NULL, 0, y, "The quick brown fox jumps over the lazy dog 0123456789",
		        54, 0, 0xffffff, 0, true);
	return 0;
}

static int bench_image(struct tp_peer *p, const struct xr_fb *pic, int format, uint32_t *serial)
{
	uint8_t *data;
	size_t n;
	struct xr_rect all = {0, 0, W, H};
	int r = format == XR_IMG_ZLIB ? xr_encode_zlib(pic, all, 6, &data, &n)
	                              : xr_encode_png(pic, all, 6, &data, &n);
	if (r < 0)
		return -1;
	struct xp_msg m = {.op = XP_OP_IMAGE};
	m.u.image = (struct xp_msg_image){0, 0, W, H, (uint8_t)format, 0, {data, (uint32_t)n}};
	double ms = time_updates(p, &m, 1, serial);
	printf("1920x1080 %s image (%zu KiB): %.1f ms per update, send to ACK (target <= 20)\n",
	       format == XR_IMG_ZLIB ? "zlib" : "PNG ", n / 1024, ms);
	free(data);
	return ms < 0 ? -1 : 0;
}

static int bench_text(struct tp_peer *p, uint32_t *serial)
{
	static struct xp_msg rows[24];
	static const char line[] = "user@host:~/src/xproto$ make test && ./build/bin/thin-client -";
	for (int i = 0; i < 24; i++) {
		rows[i] = (struct xp_msg){.op = XP_OP_TEXT};
		rows[i].u.text = (struct xp_msg_text){
		    0, i * 13, {line, 80 < sizeof(line) ? 80 : sizeof(line) - 1}};
	}
	double ms = time_updates(p, rows, 24, serial);
	printf("80x24 terminal redraw (24 TEXT rows): %.3f ms per update, send to ACK\n", ms);
	return ms < 0 ? -1 : 0;
}

static int setup_window(struct tp_peer *p)
{
	send_msg(p, (struct xp_msg){.op = XP_OP_WIN_CREATE,
	                            .u.win_create = {.win = 1, .w = W, .h = H, .bg = 0x000000}});
	send_msg(p, (struct xp_msg){.op = XP_OP_WIN_MAP, .u.win_map = {1}});
	return send_msg(p, (struct xp_msg){.op = XP_OP_TARGET, .u.target = {1}});
}

int main(int argc, char **argv)
{
	int usage_rc =
	    xu_no_args(argc, argv, "thin_bench",
	               "The thin client's update latency over loopback (prints figures).\n");
	if (usage_rc >= 0)
		return usage_rc;
	struct tp_peer p;
	struct xr_fb pic;
	uint32_t serial = 0;
	int rc = 1;
	if (tp_init(&p) < 0 || picture(&pic) < 0)
		return 1;
	struct tc_options o = {.addr = p.addr,
	                       .cookie_path = p.cookie_path,
	                       .headless = true,
	                       .width = W,
	                       .height = H,
	                       .no_zlib = true};
	struct tr_run r;
	if (tr_start(&r, &o) < 0)
		return 1;
	if (tp_accept(&p, false, 5000) == 0 && setup_window(&p) == 0 &&
	    bench_image(&p, &pic, XR_IMG_ZLIB, &serial) == 0 &&
	    bench_image(&p, &pic, XR_IMG_PNG, &serial) == 0 && bench_text(&p, &serial) == 0)
		rc = 0;
	tc_client_stop(r.c);
	tr_join(&r, 5000);
	tr_destroy(&r);
	xr_fb_finish(&pic);
	tp_finish(&p);
	return rc;
}
