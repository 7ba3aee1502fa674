/*
 * bwcompare_relay_test.c - bwc-relay, the measuring relay of bwcompare: it
 * counts a known byte stream exactly (totals and trace), forwards it
 * unchanged, adds at least the configured latency and paces to at most the
 * configured bandwidth, and its offline switch cuts and refuses
 * connections. A small echo/sink server runs in a thread on loopback; the
 * relay is the real program (XP_BIN or build/bin). Every wait is on a
 * condition with a deadline. Times are asserted from below (what the relay
 * must add); from above only loosely, as a loaded machine adds its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "xproto.h"

#define UP_BYTES      100000
#define DOWN_BYTES    54321
#define IO_TIMEOUT_MS 10000

struct server {
	int lfd, port;
	pthread_t th;
	int mode; /* 0: read UP_BYTES then answer DOWN_BYTES; 1: echo */
};

struct relay {
	pid_t pid;
	int port;
	char dir[64], trace[96], totals[96];
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static unsigned char pattern(size_t i, int salt)
{
	return (unsigned char)((i * 131u + (size_t)salt * 7u + (i >> 8)) & 0xff);
}

/* Reads exactly @n bytes (bounded by IO_TIMEOUT_MS); returns bytes read. */
static size_t read_n(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	uint64_t end = now_ms() + IO_TIMEOUT_MS;
	while (got < n && now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t k = read(fd, buf + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static int write_all(int fd, const unsigned char *buf, size_t n, size_t chunk)
{
	for (size_t off = 0; off < n;) {
		size_t len = n - off < chunk ? n - off : chunk;
		ssize_t k = write(fd, buf + off, len);
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	return 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	static unsigned char buf[UP_BYTES];
	for (int conns = 0; conns < 8; conns++) {
		int fd = xp_net_accept(s->lfd, XP_NET_CLOEXEC);
		if (fd < 0)
			return NULL;
		if (s->mode == 0) {
			size_t got = read_n(fd, buf, UP_BYTES);
			int ok = got == UP_BYTES;
			for (size_t i = 0; ok && i < UP_BYTES; i++)
				ok = buf[i] == pattern(i, 1);
			for (size_t i = 0; i < DOWN_BYTES; i++)
				buf[i] = ok ? pattern(i, 2) : 0;
			write_all(fd, buf, DOWN_BYTES, 1000);
		} else {
			for (;;) {
				ssize_t k = read(fd, buf, sizeof(buf));
				if (k <= 0 || write_all(fd, buf, (size_t)k, (size_t)k) < 0)
					break;
			}
		}
		close(fd);
	}
	return NULL;
}

static void server_start(struct server *s, int mode)
{
	struct xp_error err;
	s->mode = mode;
	s->lfd = xp_net_listen_tcp("127.0.0.1:0", XP_NET_CLOEXEC, &s->port, &err);
	assert_true(s->lfd >= 0);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	close(s->lfd);
	pthread_join(s->th, NULL);
}

static const char *bin(void)
{
	const char *b = getenv("XP_BIN");
	return b && *b ? b : "build/bin";
}

/* Starts bwc-relay to @to_port; @gap is its --msg-gap in ms. */
static void relay_start(struct relay *r, int to_port, const char *rtt, const char *bw,
                        const char *gap)
{
	char exe[256], to[32], portfile[128];
	snprintf(r->dir, sizeof(r->dir), "/tmp/bwc_relay_test_XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->trace, sizeof(r->trace), "%s/trace", r->dir);
	snprintf(r->totals, sizeof(r->totals), "%s/totals", r->dir);
	snprintf(portfile, sizeof(portfile), "%s/port", r->dir);
	snprintf(exe, sizeof(exe), "%s/bwc-relay", bin());
	snprintf(to, sizeof(to), "127.0.0.1:%d", to_port);
	const char *argv[] = {exe,      "--to",    to,       "--rtt",     rtt, "--bw",
	                      bw,       "--trace", r->trace, "--msg-gap", gap, "--port-file",
	                      portfile, NULL};
	r->pid = proc_spawn(argv, r->totals); /* the totals come on stdout */
	assert_true(r->pid > 0);
	r->port = proc_port_file(portfile, IO_TIMEOUT_MS);
	assert_true(r->port > 0);
}

/* Stops the relay (SIGTERM: it flushes its trace and prints totals). */
static void relay_stop(struct relay *r)
{
	if (proc_stop(r->pid, SIGTERM, IO_TIMEOUT_MS) != 0)
		fail_msg("bwc-relay did not exit cleanly on SIGTERM");
}

static void relay_cleanup(struct relay *r)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", r->dir);
}

static int dial(int port)
{
	char addr[32];
	struct xp_error err;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	int fd = xp_net_connect(addr, XP_NET_CLOEXEC, &err);
	assert_true(fd >= 0);
	return fd;
}

/* Sums of the trace: bytes up/down, messages, round trips, opens. */
static void trace_sums(const char *path, unsigned long long v[5])
{
	char line[256], what[16];
	unsigned long long t, bytes;
	int msg, rt;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	memset(v, 0, 5 * sizeof(v[0]));
	while (fgets(line, sizeof(line), f)) {
		int k = sscanf(line, "%llu %*s %15s %llu %d %d", &t, what, &bytes, &msg, &rt);
		if (k == 5)
			v[what[0] == 'u' ? 0 : 1] += bytes, v[2] += (unsigned)msg,
			    v[3] += (unsigned)rt;
		else if (k >= 2 && !strcmp(what, "open"))
			v[4]++;
	}
	fclose(f);
}

static void test_counts_exactly(void **state)
{
	struct server s;
	struct relay r = {0};
	static unsigned char buf[UP_BYTES];
	unsigned long long up, down, msgs, rts, conns, v[5];
	server_start(&s, 0);
	/* a message ends when the direction changes, never on a pause: a loaded
	 * machine pauses anywhere, and the count must not depend on it */
	relay_start(&r, s.port, "0", "0", "600000");
	int fd = dial(r.port);
	for (size_t i = 0; i < UP_BYTES; i++)
		buf[i] = pattern(i, 1);
	assert_int_equal(write_all(fd, buf, UP_BYTES, 777), 0); /* odd-sized writes */
	assert_int_equal(read_n(fd, buf, DOWN_BYTES), DOWN_BYTES);
	for (size_t i = 0; i < DOWN_BYTES; i++)
		assert_int_equal(buf[i], pattern(i, 2)); /* the server saw the exact stream */
	close(fd);
	/* every byte was counted before it was forwarded: nothing to wait for */
	relay_stop(&r);
	server_stop(&s);
	FILE *f = fopen(r.totals, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f,
	                        "up %llu down %llu messages %llu round-trips %llu connections %llu",
	                        &up, &down, &msgs, &rts, &conns),
	                 5);
	fclose(f);
	assert_int_equal(up, UP_BYTES);
	assert_int_equal(down, DOWN_BYTES);
	assert_int_equal(conns, 1);
	/* one request, one answer: two messages, handshake + one turn-around */
	assert_int_equal(msgs, 2);
	assert_int_equal(rts, 2);
	trace_sums(r.trace, v);
	assert_int_equal(v[0], UP_BYTES);
	assert_int_equal(v[1], DOWN_BYTES);
	assert_int_equal(v[2], msgs);
	assert_int_equal(v[3] + v[4], rts);
	relay_cleanup(&r);
}

/* Milliseconds for one 100-byte echo through the relay. */
static int echo_ms(int fd)
{
	unsigned char b[100];
	memset(b, 'x', sizeof(b));
	uint64_t t0 = now_ms();
	assert_int_equal(write_all(fd, b, sizeof(b), sizeof(b)), 0);
	assert_int_equal(read_n(fd, b, sizeof(b)), sizeof(b));
	return (int)(now_ms() - t0);
}

/* An RTT of 1 s: an echo pays it once, the first one twice (the emulated
 * handshake); the margin above tells one RTT from two on a loaded machine. */
static void test_latency(void **state)
{
	struct server s;
	struct relay r = {0};
	server_start(&s, 1);
	relay_start(&r, s.port, "1000", "0", "10");
	int fd = dial(r.port);
	int first = echo_ms(fd); /* pays the emulated handshake: one more RTT */
	assert_in_range(first, 1990, 2990);
	for (int i = 0; i < 2; i++)
		assert_in_range(echo_ms(fd), 995, 1990);
	close(fd);
	relay_stop(&r);
	server_stop(&s);
	relay_cleanup(&r);
}

static void test_bandwidth(void **state)
{
	struct server s;
	struct relay r = {0};
	static unsigned char buf[UP_BYTES];
	server_start(&s, 0);
	relay_start(&r, s.port, "0", "1", "10"); /* 1 Mbit/s: 100000 bytes take 0.8 s */
	int fd = dial(r.port);
	for (size_t i = 0; i < UP_BYTES; i++)
		buf[i] = pattern(i, 1);
	uint64_t t0 = now_ms();
	assert_int_equal(write_all(fd, buf, UP_BYTES, 4096), 0);
	/* the answer (54321 bytes, 0.43 s) starts once everything arrived */
	assert_int_equal(read_n(fd, buf, DOWN_BYTES), DOWN_BYTES);
	int ms = (int)(now_ms() - t0);
	assert_in_range(ms, 1180, 6000); /* never faster than 1.23 s */
	close(fd);
	relay_stop(&r);
	server_stop(&s);
	relay_cleanup(&r);
}

/* One echo on a new connection: true if it came back, false if the relay
 * closed the connection (refused it). */
static bool echo_once(int port)
{
	unsigned char b[100];
	int fd = dial(port);
	memset(b, 'y', sizeof(b));
	bool ok =
	    write_all(fd, b, sizeof(b), sizeof(b)) == 0 && read_n(fd, b, sizeof(b)) == sizeof(b);
	close(fd);
	return ok;
}

static void test_offline(void **state)
{
	struct server s;
	struct relay r = {0};
	unsigned char b[8];
	server_start(&s, 1);
	relay_start(&r, s.port, "0", "0", "10");
	int fd = dial(r.port);
	assert_int_equal(echo_ms(fd) < IO_TIMEOUT_MS, 1);
	kill(r.pid, SIGUSR1); /* offline: the connection is cut */
	assert_int_equal(read_n(fd, b, 1), 0);
	close(fd);
	fd = dial(r.port); /* accepted, then closed at once */
	assert_int_equal(read_n(fd, b, 1), 0);
	close(fd);
	/* back online once the relay has handled the signal: until then each
	 * try is refused (and traced as such), so count the tries */
	int refusals = 1;
	kill(r.pid, SIGUSR2);
	uint64_t end = now_ms() + IO_TIMEOUT_MS;
	while (!echo_once(r.port) && now_ms() < end)
		refusals++;
	fd = dial(r.port);
	assert_int_equal(echo_ms(fd) < IO_TIMEOUT_MS, 1);
	close(fd);
	relay_stop(&r);
	server_stop(&s);
	FILE *f = fopen(r.trace, "r");
	char line[128];
	int offline = 0, online = 0, refused = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		offline += !!strstr(line, " offline"), online += !!strstr(line, " online"),
		    refused += !!strstr(line, " refused");
	fclose(f);
	assert_int_equal(offline, 1);
	assert_int_equal(online, 1);
	assert_int_equal(refused, refusals);
	relay_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_exactly),
	    cmocka_unit_test(test_latency),
	    cmocka_unit_test(test_bandwidth),
	    cmocka_unit_test(test_offline),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
