/*
 * relay.c - bwc-relay, the measuring relay of bwcompare (issue 7): a front
 * end over librelay (bench/relay/relay.h says what is counted and how the
 * link is emulated). Every TCP connection accepted on --listen is forwarded
 * to --to through the emulated link, and every chunk read is traced.
 * SIGUSR1 goes offline (every connection closed, new ones refused at once),
 * SIGUSR2 back online; SIGTERM/SIGINT flush the trace and exit.
 *
 * Trace (--trace FILE), one line per event, times in CLOCK_MONOTONIC us
 * (the clock of thin-client's `checkpoint`):
 *   T CONN u|d BYTES NEWMSG RT     data read from the user (u) / server (d)
 *   T CONN open|close|refused
 *   T - offline|online
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

static const char usage[] =
    "usage: bwc-relay --to HOST:PORT [--listen HOST:PORT] [--rtt MS] [--bw MBIT]\n"
    "                 [--msg-gap MS] [--trace FILE] [--port-file FILE]\n"
    "The measuring relay of bwcompare: forwards TCP connections accepted on\n"
    "--listen (default 127.0.0.1:0) to --to through an emulated link, counts\n"
    "bytes each way, messages and round trips, and traces every read.\n"
    "  --rtt MS        added round-trip time, half per direction (default 0)\n"
    "  --bw MBIT       bandwidth per direction in Mbit/s, 0 = unlimited (default 0)\n"
    "  --msg-gap MS    a pause longer than this starts a new message (default 10)\n"
    "  --trace FILE    one line per read/open/close (see apps/bwcompare/relay.c)\n"
    "  --port-file F   write the port listened on to F once ready\n"
    "Signals: SIGUSR1 offline (close all, refuse new), SIGUSR2 online,\n"
    "SIGTERM/SIGINT print totals and exit. Totals on exit, on stdout:\n"
    "  up BYTES down BYTES messages N round-trips N connections N\n";

/* One trace line for connection @conn: "T CONN what". */
static void trace_conn(FILE *f, uint64_t t, unsigned conn, const char *what)
{
	fprintf(f, "%llu %u %s\n", (unsigned long long)t, conn, what);
}

/* librelay hooks: each event is one trace line (see the banner). */
static int on_open(void *ctx, unsigned conn, uint64_t t_us, void **state)
{
	(void)state;
	trace_conn(ctx, t_us, conn, "open");
	return 0;
}

static void on_refused(void *ctx, unsigned conn, uint64_t t_us, const char *why)
{
	(void)why;
	trace_conn(ctx, t_us, conn, "refused");
}

static void on_data(void *ctx, void *state, const struct rl_chunk *c)
{
	(void)state;
	fprintf(ctx, "%llu %u %c %zu %d %d\n", (unsigned long long)c->t_us, c->conn,
	        c->dir == RL_UP ? 'u' : 'd', c->n, c->new_msg, c->round_trip);
}

static void on_close(void *ctx, void *state, unsigned conn, uint64_t t_us, const uint64_t bytes[2])
{
	(void)state;
	(void)bytes;
	trace_conn(ctx, t_us, conn, "close");
}

static void on_link(void *ctx, bool offline, uint64_t t_us)
{
	fprintf(ctx, "%llu - %s\n", (unsigned long long)t_us, offline ? "offline" : "online");
}

/* A number option: a decimal number >= 0, else -1. */
static double number(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	return *s && !*end && v >= 0 ? v : -1;
}

/* Parse the command line; -1 on a usage error. */
static int parse(int argc, char **argv, struct rl_options *o, const char **trace,
                 const char **port_file)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"rtt", required_argument, NULL, 'r'},
	                                     {"bw", required_argument, NULL, 'b'},
	                                     {"msg-gap", required_argument, NULL, 'g'},
	                                     {"trace", required_argument, NULL, 'T'},
	                                     {"port-file", required_argument, NULL, 'p'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 't':
			o->target = optarg;
			break;
		case 'r':
			o->rtt_ms = number(optarg);
			break;
		case 'b':
			o->mbit = number(optarg);
			break;
		case 'g':
			o->msg_gap_ms = number(optarg);
			break;
		case 'T':
			*trace = optarg;
			break;
		case 'p':
			*port_file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (o->rtt_ms < 0 || o->mbit < 0 || o->msg_gap_ms < 0)
		return -1;
	return o->target && optind == argc ? 0 : -1;
}

/* Write @port to @path atomically (a reader never sees half a number). */
static int write_port_file(const char *path, int port)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rl_options o = {.listen = "127.0.0.1:0"};
	const char *trace_path = NULL, *port_file = NULL;
	struct xp_error err;
	if (parse(argc, argv, &o, &trace_path, &port_file) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	FILE *trace = fopen(trace_path ? trace_path : "/dev/null", "w");
	if (!trace) {
		perror(trace_path);
		return 1;
	}
	o.hooks = (struct rl_hooks){trace, on_open, on_refused, on_data, on_close, on_link};
	struct rl_relay *r = rl_create(&o, &err);
	if (!r) {
		fprintf(stderr, "bwc-relay: %s\n", err.text);
		fclose(trace);
		return 1;
	}
	int rc = port_file ? write_port_file(port_file, rl_port(r)) : 0;
	if (rc == 0)
		rc = rl_run(r);
	struct rl_totals t = rl_totals(r);
	rl_destroy(r);
	fclose(trace);
	printf("up %llu down %llu messages %llu round-trips %llu connections %llu\n",
	       (unsigned long long)t.bytes[RL_UP], (unsigned long long)t.bytes[RL_DOWN],
	       (unsigned long long)t.messages, (unsigned long long)t.round_trips,
	       (unsigned long long)t.connections);
	return rc < 0 ? 1 : 0;
}
