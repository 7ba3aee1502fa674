/*
 * xp-clock - a ticking digital clock for xproto that spends as few bytes per
 * tick as the protocol allows: it keeps what the window shows and each
 * second redraws only the characters that changed (usually one digit).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xpapp.h"
#include "xrender.h"

#define FG   0xf0f0f0u
#define BG   0x203040u
#define COLS 24
#define ROWS 3

static const char usage[] = "usage: xp-clock [--utc] [--ticks N]\n"
                            "A digital clock in a small window; redraws only changed characters.\n"
                            "  --utc       show UTC instead of local time\n"
                            "  --ticks N   exit after N ticks (for tests and benchmarks)\n";

struct clock {
	struct xa_display *d;
	uint32_t win;
	int cw, ch;
	bool utc;
	char shown[ROWS][COLS + 1];
};

static void format_now(const struct clock *c, char out[ROWS][COLS + 1])
{
	time_t now = time(NULL);
	struct tm tm;
	if (c->utc)
		gmtime_r(&now, &tm);
	else
		localtime_r(&now, &tm);
	char tbuf[16], dbuf[32];
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	strftime(dbuf, sizeof(dbuf), "%a %d %b %Y", &tm);
	const char *lines[ROWS] = {"", tbuf, dbuf};
	for (int r = 0; r < ROWS; r++) {
		size_t n = strlen(lines[r]) < COLS ? strlen(lines[r]) : COLS;
		memset(out[r], ' ', COLS);
		memcpy(out[r] + (COLS - n) / 2, lines[r], n);
		out[r][COLS] = '\0';
	}
}

/* Draw the changed span of each row as one text run. */
static void draw(struct clock *c, char now[ROWS][COLS + 1])
{
	for (int r = 0; r < ROWS; r++) {
		int a = 0, b = COLS;
		while (a < COLS && now[r][a] == c->shown[r][a])
			a++;
		while (b > a && now[r][b - 1] == c->shown[r][b - 1])
			b--;
		if (a < b)
			xa_text(c->d, c->win, a * c->cw, r * c->ch, now[r] + a, (size_t)(b - a),
			        XR_FONT_FIXED_BOLD, FG, BG);
		memcpy(c->shown[r], now[r], COLS + 1);
	}
}

static int wait_next_second(struct clock *c)
{
	struct timespec ts;
	struct xa_event ev;
	clock_gettime(CLOCK_REALTIME, &ts);
	int ms = 1000 - (int)(ts.tv_nsec / 1000000);
	uint64_t until = xp_now_us() + (uint64_t)ms * 1000;
	while (xp_now_us() < until) {
		int r = xa_next_event(c->d, &ev, xp_ms_until(until));
		if (r < 0 || (r == 1 && ev.type == XA_CLOSE))
			return -1;
	}
	return 0;
}

/* --ticks @s: a whole number 0..INT_MAX, nothing after it. 0, or -1. */
static int parse_ticks(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

/* The options into @c and @ticks: 0, 1 (--help shown), or -1 (said why). */
static int parse(int argc, char **argv, struct clock *c, long *ticks)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--utc")) {
			c->utc = true;
		} else if (!strcmp(argv[i], "--ticks")) {
			if (i + 1 == argc)
				return fprintf(stderr, "xp-clock: no value for '--ticks'\n"), -1;
			if (parse_ticks(argv[++i], ticks) < 0)
				return fprintf(stderr, "xp-clock: bad --ticks '%s' (want 0..%d)\n",
				               argv[i], INT_MAX),
				       -1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 1;
		} else {
			return fprintf(stderr, "xp-clock: unknown option '%s'\n", argv[i]), -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct clock c = {0};
	struct xp_error err;
	long ticks = -1;
	int parsed = parse(argc, argv, &c, &ticks);
	if (parsed != 0) {
		if (parsed < 0)
			fputs(usage, stderr);
		return parsed < 0 ? 2 : 0;
	}
	xr_font_cell(XR_FONT_FIXED_BOLD, &c.cw, &c.ch, NULL);
	if (!(c.d = xa_open("xp-clock", &err))) {
		fprintf(stderr, "xp-clock: %s\n", err.text);
		return 1;
	}
	c.win = xa_window_create(c.d, 500, 20, COLS * (uint32_t)c.cw, ROWS * (uint32_t)c.ch, 0, BG);
	xa_window_title(c.d, c.win, "clock");
	memset(c.shown, ' ', sizeof(c.shown));
	for (int r = 0; r < ROWS; r++)
		c.shown[r][COLS] = '\0';
	xa_window_map(c.d, c.win);
	for (long n = 0; ticks < 0 || n < ticks; n++) {
		char now[ROWS][COLS + 1];
		format_now(&c, now);
		draw(&c, now);
		if (xa_flush(c.d) < 0 || wait_next_second(&c) < 0)
			break;
	}
	xa_close(c.d);
	return 0;
}
