/*
 * term_bench.c - what xp-term's scrollback costs: the memory of 100,000
 * lines in the real xp-term process (resident size before and after, and
 * what the scrollback says it holds) for plain lines, lines coloured as a
 * log viewer colours them and lines whose every character has a colour;
 * and the latency of scrolling back a page on loopback (Shift+PgUp sent ->
 * the client has every drawing message of the new page, which the server
 * follows with a MARK); and typing: bytes per typed character and the
 * input-to-pixels latency of an echo. Prints figures, asserts nothing
 * about speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xpargs.h"
#include "term_harness.h"

#define LINES 100000
#define PAGES 60
#define KEYS  300

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

enum look { PLAIN, COLOURED, RAINBOW };
static const char *const look_name[] = {"plain",
                                        "coloured like a log viewer's (5 colour changes a line)",
                                        "every character in its own 256-colour"};

/* A file of @n log-like lines of 80 visible characters, in look @look. */
static int make_lines(const char *path, int n, enum look look)
{
	FILE *f = fopen(path, "w");
	char line[128];
	if (!f)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
		         "2026-11-21 09:%02d:%02d.%03d worker-%02d INFO request %07d served in %3d "
		         "ms ok",
		         i / 60 % 60, i % 60, i % 1000, i % 16, i, i * 7 % 500);
		if (look == PLAIN)
			fprintf(f, "%s\n", line);
		else if (look == COLOURED)
			fprintf(f,
			        "\033[2m%.23s\033[0m \033[36m%.9s\033[0m \033[32m%.4s\033[0m %.16s"
			        "\033[1m%.10s\033[0m%s\n",
			        line, line + 24, line + 34, line + 39, line + 55, line + 65);
		for (int c = 0; look == RAINBOW && line[c]; c++)
			fprintf(f, "\033[38;5;%dm%c%s", 16 + (i + c) % 216, line[c],
			        line[c + 1] ? "" : "\033[0m\n");
	}
	return fclose(f);
}

static long info_num(struct th *h, const char *key)
{
	char buf[64];
	if (th_dump(h) < 0)
		return -1;
	return atol(th_info(h, key, buf, sizeof(buf)));
}

/* Fill the scrollback with LINES lines of @look (replacing what it held). */
static int memory(struct th *h, enum look look)
{
	char path[300], cmd[400];
	snprintf(path, sizeof(path), "%s/lines.txt", h->dir);
	if (make_lines(path, LINES, look) < 0)
		return -1;
	long before = e2e_rss_kb(h->term);
	snprintf(cmd, sizeof(cmd), "cat %s; echo DO''NE%d", path, (int)look);
	snprintf(path, sizeof(path), "DONE%d", (int)look);
	if (th_type(h, cmd, true) < 0 || th_wait_text(h, path, 300000) < 0)
		return -1;
	long after = e2e_rss_kb(h->term), bytes = info_num(h, "scrollback_bytes");
	long kept = info_num(h, "scrollback");
	printf("scrollback, %s: %ld lines of 80 characters kept, the scrollback holds %.1f MB "
	       "(%.0f bytes a line); xp-term resident %ld -> %ld KiB\n",
	       look_name[look], kept, bytes / 1048576.0, kept > 0 ? (double)bytes / kept : 0.0,
	       before, after);
	return 0;
}

/* The next message from the server within @ms, MARKs answered on the way
 * (as a thin client does): 1, 0 when none came, -1 on error. */
static int next(struct th *h, struct xp_msg *m, int ms)
{
	int r = xp_conn_wait(&h->c, m, ms);
	if (r > 0 && m->op == XP_OP_MARK) {
		struct xp_msg ack = {.op = XP_OP_ACK};
		ack.u.ack.serial = m->u.mark.serial;
		xp_conn_send(&h->c, &ack);
		xp_conn_drain(&h->c, 1000);
	}
	return r;
}

/*
 * Send a key; the latency is when the last drawing message of the new page
 * arrived, the page being over once nothing came for QUIET_MS (MARKs are
 * answered but do not count: the server sends them up to 200 ms later).
 */
#define QUIET_MS 100
static uint64_t page(struct th *h, uint32_t keysym)
{
	struct xp_msg m;
	uint64_t t0 = xp_now_us(), last = 0, end = t0 + 5000000;
	if (th_key(h, keysym, XP_MOD_SHIFT, "") < 0)
		return 0;
	while (xp_now_us() < end) {
		int r = next(h, &m, last ? QUIET_MS : 1000);
		if (r < 0)
			return 0;
		if (r == 0 && last)
			return last - t0;
		if (r > 0 && m.op >= XP_OP_TARGET && m.op <= XP_OP_CACHE_DROP)
			last = xp_now_us();
	}
	return 0;
}

static int latency(struct th *h)
{
	uint64_t t[PAGES];
	int n = 0;
	th_pump(h, 300);
	for (int i = 0; i < PAGES; i++) {
		uint64_t us = page(h, i % 2 ? 0xff56 : 0xff55); /* PgUp, PgDn */
		th_pump(h, 30);
		if (us)
			t[n++] = us;
	}
	if (n == 0)
		return -1;
	qsort(t, (size_t)n, sizeof(t[0]), cmp_u64);
	printf("scrolling a page (Shift+PgUp/PgDn sent -> its last drawing message at the client, "
	       "loopback): "
	       "median %.2f ms, p95 %.2f ms, max %.2f ms over %d pages (a frame is 40 ms)\n",
	       t[n / 2] / 1000.0, t[n * 95 / 100] / 1000.0, t[n - 1] / 1000.0, n);
	return 0;
}

/*
 * Type @ch as a keyboard does (press, then release, each its own KEY) and
 * wait for its echo: a TEXT holding @ch, drawn into @fb as the thin client
 * draws it. The microseconds from the press to the pixels, or 0 (timeout).
 */
static uint64_t echo(struct th *h, struct xr_fb *fb, char ch)
{
	struct xp_msg m;
	char txt[2] = {ch, 0};
	uint32_t fg = 0xffffff, bg = 0, font = 0;
	uint64_t t0 = xp_now_us(), end = t0 + 5000000;
	if (th_key(h, (uint8_t)ch, 0, txt) < 0)
		return 0;
	while (xp_now_us() < end) {
		int r = next(h, &m, 100);
		if (r < 0)
			return 0;
		if (r > 0 && m.op == XP_OP_GC)
			fg = m.u.gc.fg, bg = m.u.gc.bg, font = m.u.gc.font;
		if (r > 0 && m.op == XP_OP_TEXT && memchr(m.u.text.text.p, ch, m.u.text.text.n)) {
			xr_text(fb, NULL, m.u.text.x, m.u.text.y, m.u.text.text.p, m.u.text.text.n,
			        (int)font, fg, bg, false);
			return xp_now_us() - t0;
		}
	}
	return 0;
}

/* Bytes on the test client's socket so far, both ways. */
static uint64_t wire(const struct th *h)
{
	const struct xp_conn_stats *st = xp_conn_stats(&h->c);
	return st->wire_in + st->wire_out;
}

/* Read until nothing came for @ms (MARKs answered), at most 5 s. */
static void quiet(struct th *h, int ms)
{
	struct xp_msg m;
	uint64_t end = xp_now_us() + 5000000;
	while (xp_now_us() < end && next(h, &m, ms) > 0)
		;
}

/*
 * Typing, as bench-peers' W3 types: KEYS characters on one line, each
 * waited for; the bytes on the wire both ways (keys, drawing, MARK/ACK) per
 * character. Then the latency of KEYS more, each erased again with
 * BackSpace so every echo lands in the same cell.
 */
static int typing(struct th *h)
{
	static uint64_t t[KEYS];
	struct xr_fb fb;
	int n = 0;
	xr_fb_init(&fb, 80 * 6, 24 * 13);
	quiet(h, 300);
	uint64_t b0 = wire(h);
	for (int i = 0; i < KEYS; i++)
		if (!echo(h, &fb, (char)('a' + i % 26)))
			break;
	quiet(h, 300);
	uint64_t bytes = wire(h) - b0;
	th_key(h, 'u', XP_MOD_CONTROL, ""); /* Ctrl+U: the line is empty again */
	quiet(h, 300);
	for (int i = 0; i < KEYS; i++) {
		uint64_t us = echo(h, &fb, (char)('a' + i % 26));
		if (us)
			t[n++] = us;
		th_key(h, 0xff08, 0, "");
		quiet(h, 30);
	}
	xr_fb_finish(&fb);
	if (n == 0)
		return -1;
	qsort(t, (size_t)n, sizeof(t[0]), cmp_u64);
	printf("typing %d characters (press and release each a KEY, each echo waited for): "
	       "%.1f bytes per character on the wire, both ways (target: within 5 %% of "
	       "main's)\n",
	       KEYS, (double)bytes / KEYS);
	printf("input-to-pixels (KEY press sent -> bash echoed -> xp-term drew -> server -> the "
	       "client drew it), loopback: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d keys\n",
	       t[n / 2] / 1000.0, t[n * 99 / 100] / 1000.0, t[n - 1] / 1000.0, n);
	return 0;
}

int main(int argc, char **argv)
{
	int usage_rc =
	    xu_no_args(argc, argv, "term_bench",
	               "What xp-term's scrollback costs in memory and time (prints figures).\n");
	if (usage_rc >= 0)
		return usage_rc;
	struct th h;
	int r = -1;
	if (th_start(&h, "--size 80x24 --scrollback 100000", NULL) < 0 ||
	    th_connect(&h, false) < 0 || th_launch(&h) < 0) {
		fprintf(stderr, "term_bench: cannot start the terminal\n");
		th_stop(&h);
		return 1;
	}
	r = typing(&h) < 0 || memory(&h, PLAIN) < 0 || latency(&h) < 0 ||
	            memory(&h, COLOURED) < 0 || memory(&h, RAINBOW) < 0
	        ? -1
	        : 0;
	th_stop(&h);
	return r < 0 ? 1 : 0;
}
