/*
 * scale_bench.c - what --scale costs on the wire (issue 12's target: a
 * terminal at --scale 2 sends the same bytes as at scale 1). A real
 * xproto-server and a real xp-term; a headless thin-client at scale 1, 2
 * and 3 runs the same typing and scrolling script (a fresh server each
 * run; typed at 15 ms a key, so each echo is a frame of its own) and
 * prints the bytes it received, wire and before compression. The
 * session's screen is the same logical size at every scale, so the server
 * cannot tell the clients apart; what is left is timing (how output is
 * batched), which the median of RUNS runs evens out. Prints, asserts
 * nothing about the figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpargs.h"
#include "e2e.h"

#define RUNS   3
#define SCALES 3

static const char script[] = "launch terminal\n"
                             "wait-windows 1 30000\n"
                             "wait-idle 500\n"
                             "type-delay 15\n"
                             "type echo the same bytes at any scale\n"
                             "key Return\n"
                             "wait-idle 400\n"
                             "type seq 1 300\n"
                             "key Return\n"
                             "wait-idle 400\n"
                             "type ls -l /usr/share/X11\n"
                             "key Return\n"
                             "wait-idle 400\n"
                             "type printf '%s\\n' one two three four five six seven\n"
                             "key Return\n"
                             "wait-idle 500\n"
                             "quit\n";

/* The number after @label in the client's statistics, or -1. */
static long stat_in(const char *log, const char *label)
{
	const char *at = strstr(log, label);
	return at ? strtol(at + strlen(label), NULL, 10) : -1;
}

/* One run at @scale: the bytes received (wire, plain) into @wire, @plain. */
static int run(int scale, long *wire, long *plain)
{
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", NULL};
	char num[12], path[160], log[16384];
	snprintf(num, sizeof(num), "%d", scale);
	const char *extra[] = {"--scale", num, "--size", "640x384", NULL};
	if (e2e_server_start(&s, args) < 0)
		return -1;
	int rc = proc_wait(e2e_client_spawn(&s, script, extra), 120000);
	/* e2e_client_spawn numbers its logs from 1 in this process */
	static int seq;
	snprintf(path, sizeof(path), "%s/client-%d.log", s.dir, ++seq);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(log, 1, sizeof(log) - 1, f) : 0;
	if (f)
		fclose(f);
	log[n] = '\0';
	*wire = stat_in(log, "wire bytes      in ");
	*plain = stat_in(log, "plain bytes     in ");
	e2e_server_stop(&s);
	if (rc != 0 || *wire < 0 || *plain < 0) {
		fprintf(stderr, "scale_bench: the client at scale %d failed (status %d)\n", scale,
		        rc);
		return -1;
	}
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static long median(long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_long);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int usage_rc = xu_no_args(
	    argc, argv, "scale_bench",
	    "What --scale costs on the wire: a real server, xp-term and thin clients.\n");
	if (usage_rc >= 0)
		return usage_rc;
	long wire[SCALES][RUNS], plain[SCALES][RUNS], mw[SCALES], mp[SCALES];
	printf("xp-term typing and scrolling through a headless thin-client, 640x384\n"
	       "logical pixels at every scale; bytes the client received, median of %d runs\n\n",
	       RUNS);
	for (int r = 0; r < RUNS; r++) /* interleaved: the machine's load hits each alike */
		for (int k = 0; k < SCALES; k++)
			if (run(k + 1, &wire[k][r], &plain[k][r]) < 0)
				return 1;
	printf("%-6s %12s %12s %14s\n", "scale", "wire bytes", "plain bytes", "vs scale 1");
	for (int k = 0; k < SCALES; k++) {
		mw[k] = median(wire[k], RUNS);
		mp[k] = median(plain[k], RUNS);
		printf("%-6d %12ld %12ld %+13.1f%%\n", k + 1, mw[k], mp[k],
		       100.0 * (double)(mw[k] - mw[0]) / (double)mw[0]);
	}
	return 0;
}
