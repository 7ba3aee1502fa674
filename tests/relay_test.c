/*
 * relay_test.c - librelay (bench/relay), the measuring relay of both
 * benchmarks, in one process on real loopback and Unix sockets: the test
 * is the client and the target, and turns the relay's crank (rl_step)
 * between its own reads and writes, so nothing runs behind its back. It
 * checks the bytes each way, messages (bursts), round trips and the hooks'
 * view of them; the emulated latency and bandwidth as lower bounds (load
 * can only make things slower); the offline switch; a Unix socket target;
 * a target that refuses; and the errors of rl_create. Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "relay.h"

#define WAIT_MS 10000 /* any single thing the test waits for */

/* What the hooks saw. */
struct seen {
	int opens, refused, closes, links;
	char why[160];
	uint64_t bytes[2], close_bytes[2];
	int chunks[2], new_msgs, round_trips;
	unsigned last_conn;
	int state_ok; /* data() and close() got the state open() stored */
};

static int h_open(void *ctx, unsigned conn, uint64_t t_us, void **state)
{
	struct seen *s = ctx;
	(void)t_us;
	s->opens++;
	s->last_conn = conn;
	*state = s;
	return 0;
}

static void h_refused(void *ctx, unsigned conn, uint64_t t_us, const char *why)
{
	struct seen *s = ctx;
	(void)conn;
	(void)t_us;
	s->refused++;
	snprintf(s->why, sizeof(s->why), "%s", why);
}

static void h_data(void *ctx, void *state, const struct rl_chunk *c)
{
	struct seen *s = ctx;
	s->state_ok += state == s;
	s->bytes[c->dir] += c->n;
	s->chunks[c->dir]++;
	s->new_msgs += c->new_msg;
	s->round_trips += c->round_trip;
}

static void h_close(void *ctx, void *state, unsigned conn, uint64_t t_us, const uint64_t bytes[2])
{
	struct seen *s = ctx;
	(void)conn;
	(void)t_us;
	s->state_ok += state == s;
	s->closes++;
	s->close_bytes[0] += bytes[0];
	s->close_bytes[1] += bytes[1];
}

static void h_link(void *ctx, bool offline, uint64_t t_us)
{
	struct seen *s = ctx;
	(void)offline;
	(void)t_us;
	s->links++;
}

/* One relay between a test client and a test target. */
struct rig {
	struct seen seen;
	struct rl_relay *r;
	int target_lfd, port;
	char target[64], relay_addr[32];
};

static void rig_start(struct rig *g, struct rl_options o)
{
	struct xp_error err;
	memset(&g->seen, 0, sizeof(g->seen));
	if (!o.target) {
		g->target_lfd = xp_net_listen_tcp(NULL, XP_NET_CLOEXEC, &g->port, &err);
		assert_true(g->target_lfd >= 0);
		snprintf(g->target, sizeof(g->target), "127.0.0.1:%d", g->port);
		o.target = g->target;
	}
	o.hooks = (struct rl_hooks){&g->seen, h_open, h_refused, h_data, h_close, h_link};
	g->r = rl_create(&o, &err);
	assert_non_null(g->r);
	snprintf(g->relay_addr, sizeof(g->relay_addr), "127.0.0.1:%d", rl_port(g->r));
}

static void rig_stop(struct rig *g)
{
	rl_destroy(g->r);
	if (g->target_lfd >= 0)
		close(g->target_lfd);
}

/* Turn the relay until @fd is readable (or at EOF); false on timeout. */
static bool pump_until_readable(struct rig *g, int fd)
{
	uint64_t end = xp_now_us() + WAIT_MS * 1000u;
	while (xp_now_us() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 0) == 1)
			return true;
		assert_int_equal(rl_step(g->r, 5), 0);
	}
	return false;
}

/* Connect a client through the relay and accept its leg at the target. */
static void connect_pair(struct rig *g, int *client, int *server)
{
	struct xp_error err;
	*client = xp_net_connect(g->relay_addr, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &err);
	assert_true(*client >= 0);
	assert_true(pump_until_readable(g, g->target_lfd));
	*server = xp_net_accept(g->target_lfd, XP_NET_CLOEXEC | XP_NET_NONBLOCK);
	assert_true(*server >= 0);
}

/* Send all @n bytes on non-blocking @fd, turning the relay meanwhile. */
static void send_all(struct rig *g, int fd, const uint8_t *p, size_t n)
{
	uint64_t end = xp_now_us() + WAIT_MS * 1000u;
	size_t off = 0;
	while (off < n && xp_now_us() < end) {
		ssize_t k = send(fd, p + off, n - off, MSG_NOSIGNAL);
		if (k > 0)
			off += (size_t)k;
		else
			assert_true(errno == EAGAIN);
		assert_int_equal(rl_step(g->r, off < n ? 5 : 0), 0);
	}
	assert_int_equal(off, n);
}

/* Receive exactly @n bytes from non-blocking @fd, turning the relay. */
static void recv_all(struct rig *g, int fd, uint8_t *p, size_t n)
{
	uint64_t end = xp_now_us() + WAIT_MS * 1000u;
	size_t off = 0;
	while (off < n && xp_now_us() < end) {
		ssize_t k = recv(fd, p + off, n - off, 0);
		if (k > 0)
			off += (size_t)k;
		else
			assert_true(k < 0 && errno == EAGAIN);
		if (off < n)
			assert_int_equal(rl_step(g->r, 5), 0);
	}
	assert_int_equal(off, n);
}

/* Send text @t from @from and receive it, unchanged, at @to. */
static void pass(struct rig *g, int from, int to, const char *t)
{
	uint8_t buf[256];
	size_t n = strlen(t);
	assert_true(n <= sizeof(buf));
	send_all(g, from, (const uint8_t *)t, n);
	recv_all(g, to, buf, n);
	assert_memory_equal(buf, t, n);
}

/* True once @fd reports EOF, turning the relay meanwhile (bounded). */
static bool pump_until_eof(struct rig *g, int fd)
{
	uint8_t b;
	uint64_t end = xp_now_us() + WAIT_MS * 1000u;
	while (xp_now_us() < end) {
		ssize_t k = recv(fd, &b, 1, 0);
		if (k == 0 || (k < 0 && errno != EAGAIN))
			return true;
		assert_int_equal(rl_step(g->r, 5), 0);
	}
	return false;
}

static void test_counts_each_way(void **state)
{
	(void)state;
	struct rig g = {.target_lfd = -1};
	int c, s;
	rig_start(&g, (struct rl_options){.msg_gap_ms = 5000});
	connect_pair(&g, &c, &s);
	/* a question in two writes close together: one message */
	pass(&g, c, s, "hel");
	pass(&g, c, s, "lo");
	/* the answer turns the conversation around: a message and a round trip */
	pass(&g, s, c, "world!!");
	/* and once more up: a new message, no round trip */
	pass(&g, c, s, "?");
	struct rl_totals t = rl_totals(g.r);
	assert_int_equal(t.bytes[RL_UP], 6);
	assert_int_equal(t.bytes[RL_DOWN], 7);
	assert_int_equal(t.messages, 3);
	assert_int_equal(t.round_trips, 2); /* the handshake and one turn */
	assert_int_equal(t.connections, 1);
	assert_int_equal(g.seen.opens, 1);
	assert_int_equal(g.seen.last_conn, 1);
	assert_int_equal(g.seen.bytes[RL_UP], 6);
	assert_int_equal(g.seen.bytes[RL_DOWN], 7);
	assert_int_equal(g.seen.new_msgs, 3);
	assert_int_equal(g.seen.round_trips, 1);
	/* both sides close: the relay closes the connection and says so */
	close(c);
	assert_true(pump_until_eof(&g, s));
	close(s);
	for (int i = 0; i < 1000 && g.seen.closes == 0; i++)
		assert_int_equal(rl_step(g.r, 10), 0);
	assert_int_equal(g.seen.closes, 1);
	assert_int_equal(g.seen.close_bytes[RL_UP], 6);
	assert_int_equal(g.seen.close_bytes[RL_DOWN], 7);
	assert_int_equal(g.seen.state_ok, g.seen.chunks[0] + g.seen.chunks[1] + 1);
	rig_stop(&g);
}

static void test_pause_starts_a_message(void **state)
{
	(void)state;
	struct rig g = {.target_lfd = -1};
	int c, s;
	rig_start(&g, (struct rl_options){.msg_gap_ms = 20});
	connect_pair(&g, &c, &s);
	pass(&g, c, s, "a");
	/* three gaps' worth of silence (a loaded machine only adds to it) */
	uint64_t quiet_until = xp_now_us() + 60000;
	while (xp_now_us() < quiet_until)
		assert_int_equal(rl_step(g.r, xp_ms_until(quiet_until)), 0);
	pass(&g, c, s, "b");
	assert_int_equal(rl_totals(g.r).messages, 2);
	assert_int_equal(rl_totals(g.r).round_trips, 1);
	close(c);
	close(s);
	rig_stop(&g);
}

static void test_latency_and_bandwidth(void **state)
{
	(void)state;
	struct rig g = {.target_lfd = -1};
	int c, s;
	static uint8_t big[50000], back[50000];
	rig_start(&g, (struct rl_options){.rtt_ms = 200});
	uint64_t t0 = xp_now_us(); /* before the connection opens */
	connect_pair(&g, &c, &s);
	pass(&g, c, s, "x");
	/* a new connection's first byte pays the handshake and half an RTT */
	assert_true(xp_now_us() - t0 >= 300000);
	t0 = xp_now_us();
	pass(&g, s, c, "y");
	assert_true(xp_now_us() - t0 >= 100000); /* half the RTT */
	close(c);
	close(s);
	rig_stop(&g);
	/* 1 Mbit/s: 50,000 bytes take 400 ms on the emulated link */
	rig_start(&g, (struct rl_options){.mbit = 1});
	connect_pair(&g, &c, &s);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 9));
	t0 = xp_now_us();
	send_all(&g, c, big, sizeof(big));
	recv_all(&g, s, back, sizeof(back));
	uint64_t took = xp_now_us() - t0;
	print_message("    50,000 bytes at 1 Mbit/s: %.0f ms (at least 400)\n",
	              (double)took / 1000);
	assert_true(took >= 399000);
	assert_memory_equal(big, back, sizeof(big));
	assert_int_equal(rl_totals(g.r).bytes[RL_UP], sizeof(big));
	close(c);
	close(s);
	rig_stop(&g);
}

static void test_offline(void **state)
{
	(void)state;
	struct rig g = {.target_lfd = -1};
	int c, s;
	struct xp_error err;
	rig_start(&g, (struct rl_options){0});
	connect_pair(&g, &c, &s);
	rl_set_offline(g.r, true);
	assert_int_equal(g.seen.links, 1);
	assert_int_equal(g.seen.closes, 1);
	assert_true(pump_until_eof(&g, c)); /* cut at once */
	close(c);
	close(s);
	/* a new connection is accepted and closed: it fails fast */
	c = xp_net_connect(g.relay_addr, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &err);
	assert_true(c >= 0);
	assert_true(pump_until_eof(&g, c));
	close(c);
	assert_int_equal(g.seen.refused, 1);
	assert_string_equal(g.seen.why, "offline");
	/* back online, the link works again */
	rl_set_offline(g.r, false);
	connect_pair(&g, &c, &s);
	pass(&g, c, s, "ok");
	assert_int_equal(rl_totals(g.r).connections, 2);
	close(c);
	close(s);
	rig_stop(&g);
}

static void test_unix_target(void **state)
{
	(void)state;
	struct rig g = {.target_lfd = -1};
	struct xp_error err;
	char path[64];
	int c, s;
	snprintf(path, sizeof(path), "/tmp/xproto-relay-%d.sock", (int)getpid());
	g.target_lfd = xp_net_listen_unix(path, XP_NET_CLOEXEC, &err);
	assert_true(g.target_lfd >= 0);
	rig_start(&g, (struct rl_options){.target = path});
	connect_pair(&g, &c, &s);
	pass(&g, s, c, "X11");
	assert_int_equal(rl_totals(g.r).bytes[RL_DOWN], 3);
	close(c);
	close(s);
	rig_stop(&g);
	unlink(path);
}

static void test_refusing_target(void **state)
{
	(void)state;
	struct rig g = {.target_lfd = -1};
	struct xp_error err;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/xproto-relay-none-%d.sock", (int)getpid());
	unlink(path);
	rig_start(&g, (struct rl_options){.target = path});
	int c = xp_net_connect(g.relay_addr, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &err);
	assert_true(c >= 0);
	assert_true(pump_until_eof(&g, c));
	close(c);
	assert_int_equal(g.seen.refused, 1);
	assert_non_null(strstr(g.seen.why, path));
	assert_int_equal(rl_totals(g.r).connections, 0);
	rig_stop(&g);
}

static void test_create_errors(void **state)
{
	(void)state;
	struct xp_error err;
	static const struct rl_options bad[] = {
	    {.target = NULL},
	    {.target = "127.0.0.1"},
	    {.target = "127.0.0.1:1", .rtt_ms = -1},
	    {.target = "127.0.0.1:1", .mbit = -5},
	    {.target = "127.0.0.1:1", .listen = "127.0.0.1:99999"},
	    {.target = "127.0.0.1:1", .max_conns = 100000},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.text[0] = '\0';
		assert_null(rl_create(&bad[i], &err));
		assert_true(err.text[0] != '\0');
	}
	rl_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_each_way),
	    cmocka_unit_test(test_pause_starts_a_message),
	    cmocka_unit_test(test_latency_and_bandwidth),
	    cmocka_unit_test(test_offline),
	    cmocka_unit_test(test_unix_target),
	    cmocka_unit_test(test_refusing_target),
	    cmocka_unit_test(test_create_errors),
	};
	return cmocka_run_group_tests_name("librelay", tests, NULL, NULL);
}
