/*
 * draw_bench.c - what libxpdraw's one table costs on the hot paths: small
 * drawing messages (a character-cell FILL, an 80-column TEXT row, a COPY
 * that scrolls a terminal) applied through xd_apply() next to the same
 * renderer call made directly, and the per-call bookkeeping of a sender
 * (xd_state_sync() with nothing to send, as libxpapp does before each draw)
 * and of a receiver (xd_state_update() of a GC). Prints figures; asserts
 * nothing about speed. Each figure is the best of 5 runs of about 0.1 s,
 * direct and through the table alternating, so load on the machine hits
 * both alike.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xpargs.h"
#include "xdraw.h"

#define W           480 /* an 80x24 terminal of 6x13 cells */
#define H           312
#define RUN_SECONDS 0.1
#define ROUNDS      5 /* the best of 5, alternating: robust to a loaded machine */

struct ctx {
	struct xr_fb fb;
	struct xd_state st, peer;
	struct xp_msg m;
	const char *row;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Nanoseconds per call of @fn, run in batches of 1000 for RUN_SECONDS. */
static double ns_per_call(void (*fn)(struct ctx *, long), struct ctx *c)
{
	double t0 = now(), t;
	long n = 0;
	do {
		for (int k = 0; k < 1000; k++)
			fn(c, n++);
		t = now() - t0;
	} while (t < RUN_SECONDS);
	return t * 1e9 / (double)n;
}

static void apply(struct ctx *c)
{
	struct xr_rect d;
	struct xp_error err;
	xd_apply(&c->fb, &c->st, &c->m, NULL, &d, &err);
}

static void fill_direct(struct ctx *c, long i)
{
	xr_fill(&c->fb, NULL, (int)(i % 80) * 6, (int)(i % 24) * 13, 6, 13, c->st.fg);
}

static void fill_table(struct ctx *c, long i)
{
	c->m.u.fill = (struct xp_msg_fill){(int32_t)(i % 80) * 6, (int32_t)(i % 24) * 13, 6, 13};
	apply(c);
}

static void text_direct(struct ctx *c, long i)
{
	xr_text(&c->fb, NULL, 0, (int)(i % 24) * 13, c->row, 80, 0, c->st.fg, c->st.bg, false);
}

static void text_table(struct ctx *c, long i)
{
	c->m.u.text = (struct xp_msg_text){0, (int32_t)(i % 24) * 13, {c->row, 80}};
	apply(c);
}

static void copy_direct(struct ctx *c, long i)
{
	(void)i;
	xr_copy(&c->fb, NULL, 0, 13, W, H - 13, 0, 0);
}

static void copy_table(struct ctx *c, long i)
{
	(void)i;
	c->m.u.copy = (struct xp_msg_copy){0, 13, W, H - 13, 0, 0};
	apply(c);
}

static int no_emit(void *ctx, const struct xp_msg *m)
{
	(void)ctx, (void)m;
	return 0;
}

static void sync_nothing(struct ctx *c, long i)
{
	(void)i;
	xd_state_sync(&c->peer, &c->st, xd_reads(XP_OP_TEXT), no_emit, NULL);
}

static void update_gc(struct ctx *c, long i)
{
	struct xp_error err;
	c->m.u.gc = (struct xp_msg_gc){(uint32_t)i & 0xffffff, 0, 0, 0};
	xd_state_update(&c->peer, &c->m, &err);
}

static void pair(struct ctx *c, const char *what, uint8_t op, void (*direct)(struct ctx *, long),
                 void (*table)(struct ctx *, long))
{
	double d = 1e30, t = 1e30;
	c->m = (struct xp_msg){.op = op};
	for (int r = 0; r < ROUNDS; r++) {
		double a = ns_per_call(direct, c), b = ns_per_call(table, c);
		d = a < d ? a : d;
		t = b < t ? b : t;
	}
	printf("%-34s %8.1f ns direct  %8.1f ns through xd_apply  (%+.1f ns)\n", what, d, t, t - d);
}

int main(int argc, char **argv)
{
	int usage_rc = xu_no_args(
	    argc, argv, "draw_bench",
	    "What libxpdraw's one drawing table costs on the hot paths (prints figures).\n");
	if (usage_rc >= 0)
		return usage_rc;
	static char row[81];
	struct ctx c = {.row = row};
	for (int i = 0; i < 80; i++)
		row[i] = (char)('!' + i % 90);
	if (xr_fb_init(&c.fb, W, H) < 0)
		return 1;
	xd_state_init(&c.st);
	c.st.target = 1;
	c.peer = c.st;
	pair(&c, "FILL of one 6x13 cell", XP_OP_FILL, fill_direct, fill_table);
	pair(&c, "TEXT of an 80-column row", XP_OP_TEXT, text_direct, text_table);
	pair(&c, "COPY scrolling 480x312 by a row", XP_OP_COPY, copy_direct, copy_table);
	printf("%-34s %8.1f ns\n", "xd_state_sync, nothing to send", ns_per_call(sync_nothing, &c));
	c.m = (struct xp_msg){.op = XP_OP_GC};
	printf("%-34s %8.1f ns\n", "xd_state_update of a GC", ns_per_call(update_gc, &c));
	xr_fb_finish(&c.fb);
	return 0;
}
