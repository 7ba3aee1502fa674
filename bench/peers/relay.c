/*
 * relay.c - xp-relay, the byte counter of the peer benchmark (make
 * bench-peers): a front end over librelay (bench/relay). Every connection
 * accepted on --listen is forwarded to --connect, and every chunk it
 * forwards is logged with a timestamp, its direction, its size, and the
 * size the same chunk takes through one zlib stream per direction (level 6,
 * Z_PARTIAL_FLUSH after each chunk, as OpenSSH's `-C` compresses each packet
 * it sends). The benchmark scripts cut the log at a time stamp to bill bytes
 * to a workload.
 *
 * Log lines (one per forwarded chunk, flushed as written):
 *   T CONN DIR RAW ZLIB      T: CLOCK_REALTIME seconds, DIR: c (from the
 *                            connecting side) or s (from the server side)
 *   T CONN open | close
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "relay.h"

#define READ_MAX  65536
#define ZBUF_SIZE (READ_MAX + READ_MAX / 8 + 64)

/* What one relayed connection keeps: a zlib stream and capture per direction. */
struct link {
	z_stream z[2];
	bool z_ok[2];
	FILE *cap[2]; /* --capture: the raw bytes of each direction, or NULL */
	unsigned long long zbytes[2];
};

struct peers {
	FILE *log;
	const char *capture_dir;
	unsigned char zout[ZBUF_SIZE];
};

/* Wall-clock seconds, as the benchmark scripts cut the log by them. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Size of @n bytes through stream @z, flushed (0 if zlib failed). */
static size_t zsize(struct peers *pr, z_stream *z, const unsigned char *p, size_t n)
{
	size_t total = 0;
	z->next_in = (unsigned char *)p;
	z->avail_in = (uInt)n;
	do {
		z->next_out = pr->zout;
		z->avail_out = sizeof(pr->zout);
		if (deflate(z, Z_PARTIAL_FLUSH) == Z_STREAM_ERROR)
			return 0;
		total += sizeof(pr->zout) - z->avail_out;
	} while (z->avail_out == 0);
	return total;
}

/* Free a connection's zlib streams and capture files (and @l). */
static void link_free(struct link *l)
{
	for (int d = 0; d < 2; d++) {
		if (l->z_ok[d])
			deflateEnd(&l->z[d]);
		if (l->cap[d])
			fclose(l->cap[d]);
	}
	free(l);
}

/* --capture: DIR/connN-c.bin (from the connecting side) or -s.bin. */
static FILE *open_capture(const struct peers *pr, unsigned conn, int d)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/conn%u-%c.bin", pr->capture_dir, conn, d ? 's' : 'c');
	return fopen(path, "w");
}

/* librelay hook: a connection is relayed: its zlib streams, capture files, log line. */
static int on_open(void *ctx, unsigned conn, uint64_t t_us, void **state)
{
	struct peers *pr = ctx;
	struct link *l = calloc(1, sizeof(*l));
	(void)t_us;
	if (!l)
		return -1;
	for (int d = 0; d < 2; d++) {
		l->z_ok[d] = deflateInit(&l->z[d], 6) == Z_OK;
		if (!l->z_ok[d] || (pr->capture_dir && !(l->cap[d] = open_capture(pr, conn, d))))
			goto err_link;
	}
	*state = l;
	fprintf(pr->log, "%.6f %u open\n", now_s(), conn);
	return 0;
err_link:
	fprintf(stderr, "xp-relay: connection %u: no zlib stream or capture file\n", conn);
	link_free(l);
	return -1;
}

/* librelay hook: a connection could not be relayed. */
static void on_refused(void *ctx, unsigned conn, uint64_t t_us, const char *why)
{
	(void)ctx;
	(void)t_us;
	fprintf(stderr, "xp-relay: cannot relay connection %u: %s\n", conn, why);
}

/* librelay hook: log a chunk with its size through zlib; capture it. */
static void on_data(void *ctx, void *state, const struct rl_chunk *c)
{
	struct peers *pr = ctx;
	struct link *l = state;
	size_t z = zsize(pr, &l->z[c->dir], c->p, c->n);
	l->zbytes[c->dir] += z;
	if (l->cap[c->dir])
		fwrite(c->p, 1, c->n, l->cap[c->dir]);
	fprintf(pr->log, "%.6f %u %c %zu %zu\n", now_s(), c->conn, c->dir ? 's' : 'c', c->n, z);
}

/* librelay hook: the connection ended: log it, print its totals, free it. */
static void on_close(void *ctx, void *state, unsigned conn, uint64_t t_us, const uint64_t bytes[2])
{
	struct peers *pr = ctx;
	struct link *l = state;
	(void)t_us;
	fprintf(pr->log, "%.6f %u close\n", now_s(), conn);
	fprintf(stderr, "xp-relay: connection %u: c->s %llu (zlib %llu), s->c %llu (zlib %llu)\n",
	        conn, (unsigned long long)bytes[RL_UP], l->zbytes[RL_UP],
	        (unsigned long long)bytes[RL_DOWN], l->zbytes[RL_DOWN]);
	link_free(l);
}

/* The --help text, on @f. */
static void usage(FILE *f)
{
	fputs("usage: xp-relay --listen HOST:PORT --connect HOST:PORT|/UNIX/PATH --log FILE\n"
	      "                [--capture DIR]\n"
	      "Relay TCP connections on loopback and log every chunk forwarded: time,\n"
	      "connection, direction (c: from the connecting side, s: from the server),\n"
	      "bytes, and bytes through zlib level 6 with Z_PARTIAL_FLUSH per chunk.\n"
	      "--capture DIR also writes each direction's bytes to DIR/connN-{c,s}.bin.\n"
	      "Stops on SIGINT or SIGTERM (SIGUSR1/SIGUSR2: offline/online, see\n"
	      "bench/relay/relay.h).\n",
	      f);
}

/* Parse the command line into @o and @log_path; -1 on a usage error. */
static int parse(int argc, char **argv, struct rl_options *o, const char **log_path,
                 struct peers *pr)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'}, {"connect", required_argument, NULL, 'c'},
	    {"log", required_argument, NULL, 'o'},    {"capture", required_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
		if (c == 'l')
			o->listen = optarg;
		else if (c == 'c')
			o->target = optarg;
		else if (c == 'o')
			*log_path = optarg;
		else if (c == 'C')
			pr->capture_dir = optarg;
		else if (c == 'h') {
			usage(stdout);
			exit(0);
		} else
			return -1;
	}
	return o->listen && o->target && *log_path && optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct peers pr;
	struct rl_options o = {.read_max = READ_MAX, .max_conns = 16};
	const char *log_path = NULL;
	struct xp_error err;
	if (parse(argc, argv, &o, &log_path, &pr) < 0) {
		usage(stderr);
		return 2;
	}
	if (!(pr.log = fopen(log_path, "w"))) {
		fprintf(stderr, "xp-relay: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	setvbuf(pr.log, NULL, _IOLBF, 0);
	o.hooks = (struct rl_hooks){&pr, on_open, on_refused, on_data, on_close, NULL};
	struct rl_relay *r = rl_create(&o, &err);
	if (!r) {
		fprintf(stderr, "xp-relay: %s\n", err.text);
		fclose(pr.log);
		return 1;
	}
	int rc = rl_run(r);
	rl_destroy(r);
	fclose(pr.log);
	return rc < 0 ? 1 : 0;
}
