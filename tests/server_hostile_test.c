/*
 * server_hostile_test.c - xproto-server against hostile and heavy peers, the
 * fast cases (the long ones are in tests/stress/): each case attacks a real
 * server process on loopback and then checks that the server is alive, that
 * its limits held exactly, and that an innocent peer is still served.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"
#include "load.h"

/* The server still answers: a fresh app in its own session round-trips. */
static void expect_alive(struct e2e_server *s)
{
	assert_int_equal(kill(s->pid, 0), 0);
	struct xa_display *d = e2e_app(s, "alive-check");
	assert_non_null(d);
	assert_int_equal(xa_sync(d, 5000), 0);
	xa_close(d);
}

/* What wait_log waits for: @n lines of a server's log containing @what. */
struct log_lines {
	const struct e2e_server *s;
	const char *what;
	int n;
};

static bool log_has_lines(void *arg)
{
	const struct log_lines *l = arg;
	char line[512];
	int seen = 0;
	FILE *f = fopen(l->s->log, "r");
	while (f && fgets(line, sizeof(line), f))
		seen += strstr(line, l->what) != NULL;
	if (f)
		fclose(f);
	return seen >= l->n;
}

/* Wait until the server's log holds @n lines containing @what. */
static bool wait_log(const struct e2e_server *s, const char *what, int n, int timeout_ms)
{
	struct log_lines l = {s, what, n};
	return proc_until(log_has_lines, &l, timeout_ms);
}

/*
 * The session's window array grows as windows are made. A capacity that is
 * not updated when realloc grows the block in place (glibc does, ASan never)
 * let later windows be written past its end: 64 windows, twice, aborted the
 * server with "corrupted size vs. prev_size".
 */
static void test_many_windows_twice(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	for (int round = 0; round < 2; round++) {
		struct xa_display *d = e2e_app(&s, round ? "second" : "first");
		assert_non_null(d);
		for (int i = 0; i < 64; i++)
			assert_int_not_equal(xa_window_create(d, i, i, 8, 8, 0, 0x112233), 0);
		assert_int_equal(xa_sync(d, 5000), 0);
		xa_close(d);
		/* the second round runs on the heap the first one's windows left */
		assert_true(wait_log(&s, "(app) closed", round + 1, 5000));
	}
	expect_alive(&s);
	e2e_server_stop(&s);
}

/*
 * A handshake as @role to @addr with the cookie from @s, or a wrong one when
 * @bad_cookie; the connection stays open in @c (check c->err). Returns 0 when
 * welcomed.
 */
static int hello_as(struct e2e_server *s, const char *addr, enum xp_role role, bool bad_cookie,
                    struct xp_conn *c)
{
	struct xp_error err;
	struct xp_cookie ck;
	assert_int_equal(xp_cookie_load(s->cookie, false, &ck, &err), 0);
	if (bad_cookie)
		ck.data[0] ^= 0xff;
	int fd = xp_net_connect(addr, XP_NET_CLOEXEC, &err);
	assert_true(fd >= 0);
	xp_conn_init(c, fd, XP_MAX_MSG_DEFAULT, true);
	struct xp_caps want = {0, XP_MAX_MSG_DEFAULT, 800, 600}, got;
	return xp_handshake_client(c, role, &ck, &want, "main", "hostile", &got, 5000);
}

/* Read and discard until the server closes @fd; true if it did in @timeout_ms. */
static bool closed_by_server(int fd, int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	char buf[4096];
	for (int i = 0; i < 100000 && xp_now_us() < end; i++) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, xp_ms_until(end)) <= 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

/* Refused or failed peers, each gone for good, then count who gets in. */
static int fill_up(struct e2e_server *s, const char *addr, enum xp_role role, int tries,
                   struct xp_conn *c)
{
	int in = 0;
	for (int i = 0; i < tries; i++) {
		if (hello_as(s, addr, role, false, &c[in]) == 0) {
			in++;
			continue;
		}
		assert_int_equal(xp_conn_error(&c[in])->code, XP_ERR_LIMIT);
		xp_conn_finish(&c[in]);
	}
	return in;
}

/*
 * A connection that failed was counted down twice (when it failed and when
 * it closed), freeing a phantom slot each time: with --max-clients 4, 25
 * clients got in after 20 garbage connections.
 */
static void test_limits_hold_exactly(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c, in[32];
	static const char *const args[] = {
	    "--no-launcher", "--max-clients", "4", "--max-apps", "3", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	for (int i = 0; i < 20; i++) {
		/* refused in the handshake: a wrong cookie */
		assert_int_equal(hello_as(&s, s.addr, XP_ROLE_CLIENT, true, &c), -1);
		assert_int_equal(xp_conn_error(&c)->code, XP_ERR_AUTH);
		assert_true(closed_by_server(xp_conn_fd(&c), 5000));
		xp_conn_finish(&c);
		assert_int_equal(hello_as(&s, s.app_socket, XP_ROLE_APP, true, &c), -1);
		assert_true(closed_by_server(xp_conn_fd(&c), 5000));
		xp_conn_finish(&c);
		/* failed while running: an unknown opcode after a good handshake */
		for (int app = 0; app < 2; app++) {
			assert_int_equal(hello_as(&s, app ? s.app_socket : s.addr,
			                          app ? XP_ROLE_APP : XP_ROLE_CLIENT, false, &c),
			                 0);
			static const uint8_t junk[] = {0xee, 0x00};
			xp_conn_send_raw(&c, junk, sizeof(junk));
			xp_conn_drain(&c, 1000);
			assert_true(closed_by_server(xp_conn_fd(&c), 5000));
			xp_conn_finish(&c);
		}
	}
	int clients = fill_up(&s, s.addr, XP_ROLE_CLIENT, 25, in);
	int apps = fill_up(&s, s.app_socket, XP_ROLE_APP, 10, in + clients);
	printf("    after 80 failed peers: %d of 25 clients and %d of 10 apps admitted\n", clients,
	       apps);
	assert_int_equal(clients, 4);
	assert_int_equal(apps, 3);
	/* a slot freed by a clean close is a real one */
	xp_conn_finish(&in[0]);
	assert_true(wait_log(&s, "closed: connection closed by peer", 1, 5000));
	assert_int_equal(hello_as(&s, s.addr, XP_ROLE_CLIENT, false, &c), 0);
	xp_conn_finish(&c);
	for (int i = 1; i < clients + apps; i++)
		xp_conn_finish(&in[i]);
	e2e_server_stop(&s);
}

/* Attach a raw client to @session and count the windows its refresh names. */
static int windows_seen(struct e2e_server *s, const char *session)
{
	struct xp_conn c;
	struct xp_msg m;
	int n = 0;
	assert_int_equal(e2e_raw_client(s, &c, session, NULL, 0), 0);
	/* the refresh comes first; the first MARK follows it */
	while (xp_conn_wait(&c, &m, 5000) == 1 && m.op != XP_OP_MARK)
		n += m.op == XP_OP_WIN_CREATE;
	assert_int_equal(m.op, XP_OP_MARK);
	xp_conn_finish(&c);
	return n;
}

/*
 * LIMIT and NO_WINDOW are not fatal (SPEC.md section 8): a 65th window is
 * refused and the app's other 64 stay; drawing into a window the app does
 * not own is refused and the app goes on drawing. Both used to close the
 * app, taking all its windows along.
 */
static void test_limit_and_no_window_not_fatal(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	for (int i = 0; i < 64; i++)
		xa_window_create(d, i, i, 16, 16, 0, 0x223344);
	assert_int_equal(xa_sync(d, 5000), 0);
	xa_window_create(d, 0, 0, 16, 16, 0, 0);
	assert_int_equal(xa_sync(d, 5000), -1);
	assert_int_equal(xa_error(d)->code, XP_ERR_LIMIT);
	assert_int_equal(xa_sync(d, 5000), 0); /* still connected */
	xa_fill(d, 999, 0, 0, 4, 4, 0xff0000);
	assert_int_equal(xa_sync(d, 5000), -1);
	assert_int_equal(xa_error(d)->code, XP_ERR_NO_WINDOW);
	xa_fill(d, 1, 0, 0, 4, 4, 0xff0000);
	xa_window_map(d, 1);
	assert_int_equal(xa_sync(d, 5000), 0);
	assert_int_equal(windows_seen(&s, "main"), 64);
	xa_close(d);
	e2e_server_stop(&s);
}

/*
 * A start screen that boots slowly maps its window after the app a client
 * launched meanwhile showed its own: it stays hidden and the keyboard stays
 * with that app (the launcher took it, and the keys typed, before).
 */
static void test_late_launcher_stays_hidden(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_error err;
	struct xa_event ev;
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *app = e2e_app(&s, "main");
	assert_non_null(app);
	xa_window_map(app, xa_window_create(app, 0, 0, 100, 100, 0, 0x223344));
	assert_int_equal(xa_sync(app, 5000), 0);
	struct xa_display *late = xa_open_at(s.app_socket, s.cookie, "main", "xp-launcher", &err);
	assert_non_null(late);
	xa_window_map(late, xa_window_create(late, 0, 0, 100, 100, 0, 0x445566));
	assert_int_equal(xa_sync(late, 5000), 0);
	assert_int_equal(e2e_client_run(&s, "sync\ntype k\nsync\nquit\n", NULL), 0);
	bool got = false;
	uint64_t end = xp_now_us() + 30000000u; /* a generous deadline */
	while (!got && xp_now_us() < end)
		got = xa_next_event(app, &ev, 100) == 1 && ev.type == XA_KEY;
	assert_true(got);
	xa_close(late);
	xa_close(app);
	e2e_server_stop(&s);
}

/*
 * Pixels are limited per session and for the whole server: 1,024 sessions
 * of 256 MiB each were allowed before. Windows and cached images count.
 */
static void test_server_wide_pixel_cap(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", "--max-total-mb", "8", NULL};
	static uint8_t raw[100 * 100 * 3];
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *a = e2e_app(&s, "one"), *b = e2e_app(&s, "two");
	assert_non_null(a);
	assert_non_null(b);
	uint32_t w1 = xa_window_create(a, 0, 0, 1000, 1000, 0, 0); /* 3.8 MiB each */
	xa_window_create(a, 0, 0, 1000, 1000, 0, 0);
	assert_int_equal(xa_sync(a, 5000), 0);
	uint32_t bw = xa_window_create(b, 0, 0, 1000, 1000, 0, 0);
	assert_int_equal(xa_sync(b, 5000), -1);
	assert_int_equal(xa_error(b)->code, XP_ERR_LIMIT);
	assert_non_null(strstr(xa_error(b)->text, "server memory limit"));
	/* what is left is not enough for a cached image either */
	uint32_t small = xa_window_create(b, 0, 0, 100, 100, 0, 0);
	assert_int_equal(xa_sync(b, 5000), 0);
	xa_image_keep(b, small, 0, 0, 100, 100, XP_IMG_RAW, raw, sizeof(raw), 1);
	assert_int_equal(xa_sync(b, 5000), 0);
	xa_image_keep(b, small, 0, 0, 100, 100, XP_IMG_RAW, raw, sizeof(raw), 2);
	for (int i = 3; i < 20; i++)
		xa_image_keep(b, small, 0, 0, 100, 100, XP_IMG_RAW, raw, sizeof(raw), (uint32_t)i);
	assert_int_equal(xa_sync(b, 5000), -1);
	assert_int_equal(xa_error(b)->code, XP_ERR_LIMIT);
	/* freed pixels are available again */
	xa_window_destroy(a, w1);
	assert_int_equal(xa_sync(a, 5000), 0);
	bw = xa_window_create(b, 0, 0, 1000, 1000, 0, 0);
	assert_int_equal(xa_sync(b, 5000), 0);
	assert_int_not_equal(bw, 0);
	xa_close(a);
	xa_close(b);
	e2e_server_stop(&s);
}

/* A TCP connection to @s that has sent the preamble and nothing else. */
static int preamble_only(struct e2e_server *s)
{
	struct xp_error err;
	uint8_t pre[XP_PREAMBLE_LEN];
	int fd = xp_net_connect(s->addr, XP_NET_CLOEXEC, &err);
	assert_true(fd >= 0);
	xp_preamble_write(pre);
	assert_int_equal(write(fd, pre, sizeof(pre)), (ssize_t)sizeof(pre));
	return fd;
}

/* Write up to @n bytes of @fill without blocking; returns how many went. */
static size_t write_some(int fd, uint8_t fill, size_t n)
{
	static uint8_t buf[65536];
	size_t done = 0;
	memset(buf, fill, sizeof(buf));
	while (done < n) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		ssize_t w = send(fd, buf, k, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	return done;
}

/*
 * Before authentication a peer costs almost nothing: a HELLO was decoded
 * with the 4 MiB message limit, so 150 connections that each announced a
 * huge HELLO and sent a part of it took the server from 6 to 724 MiB.
 */
static void test_preauth_memory(void **state)
{
	(void)state;
	struct e2e_server s;
	enum { N = 100 };
	int fd[N];
	static const char *const args[] = {"--no-launcher", "--max-handshakes", "1000", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	long rss0 = load_peak_rss_kb(s.pid);
	size_t sent = 0;
	for (int i = 0; i < N; i++) {
		/* HELLO with a 4 MiB payload announced, then 1 MiB of it */
		static const uint8_t head[] = {XP_OP_HELLO, 0x80, 0x80, 0x80, 0x02};
		fd[i] = preamble_only(&s);
		assert_int_equal(write(fd[i], head, sizeof(head)), (ssize_t)sizeof(head));
		sent += write_some(fd[i], 0x41, 1u << 20);
	}
	/* the server has read what it was going to read once each is closed */
	int refused = 0;
	for (int i = 0; i < N; i++)
		refused += closed_by_server(fd[i], 5000);
	long rss1 = load_peak_rss_kb(s.pid);
	printf("    %d connections announcing a 4 MiB HELLO (%zu KiB sent): server peak RSS %ld "
	       "-> %ld KiB, %d refused\n",
	       N, sent >> 10, rss0, rss1, refused);
	assert_int_equal(refused, N);
	assert_true(rss1 - rss0 < 16 * 1024);
	for (int i = 0; i < N; i++)
		close(fd[i]);
	expect_alive(&s);
	e2e_server_stop(&s);
}

/*
 * Connections in their handshake are capped: beyond --max-handshakes the
 * oldest goes, so idle connections cannot pile up until the deadline, and
 * a legitimate client still gets in at once.
 */
static void test_handshake_cap(void **state)
{
	(void)state;
	struct e2e_server s;
	enum { N = 40, CAP = 16 };
	int fd[N];
	struct xp_conn c;
	static const char *const args[] = {
	    "--no-launcher", "--max-handshakes", "16", "--handshake-timeout", "20000", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	for (int i = 0; i < N; i++)
		fd[i] = preamble_only(&s);
	int closed = 0;
	for (int i = 0; i < N - CAP; i++) /* the oldest ones, in order */
		closed += closed_by_server(fd[i], 3000);
	assert_int_equal(closed, N - CAP);
	uint64_t t0 = xp_now_us();
	assert_int_equal(e2e_raw_client(&s, &c, "main", NULL, 0), 0);
	printf("    %d idle handshakes: the %d oldest dropped; a client got in in %.1f ms\n", N,
	       closed, (double)(xp_now_us() - t0) / 1000.0);
	xp_conn_finish(&c);
	for (int i = 0; i < N; i++)
		close(fd[i]);
	e2e_server_stop(&s);
}

/* The handshake deadline counts from the connection, not from the last byte. */
static void test_handshake_deadline_absolute(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", "--handshake-timeout", "1000", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	uint64_t t0 = xp_now_us();
	int fd = preamble_only(&s);
	static const uint8_t head[] = {XP_OP_HELLO, 200};
	assert_int_equal(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	bool closed = false;
	for (int i = 0; i < 100 && !closed; i++) { /* a byte every 50 ms, up to 5 s */
		write_some(fd, 0x01, 1);
		closed = closed_by_server(fd, 50);
	}
	double ms = (double)(xp_now_us() - t0) / 1000.0;
	printf("    a handshake trickling a byte every 50 ms was dropped after %.0f ms\n", ms);
	assert_true(closed);
	assert_true(ms >= 900 && ms < 3000);
	close(fd);
	e2e_server_stop(&s);
}

/*
 * Out of file descriptors the server spun at 100 % of a core (EMFILE on a
 * level-triggered listener) and legitimate peers got no answer. Now the
 * oldest unauthenticated connection gives its descriptor up, and with none
 * left to give the listeners rest while everyone connected is served.
 */
static void test_out_of_descriptors(void **state)
{
	(void)state;
	struct e2e_server s;
	enum { N = 60 };
	int fd[N];
	struct xp_conn c[N];
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main"); /* connected before the attack */
	assert_non_null(d);
	struct rlimit lim = {40, 40};
	assert_int_equal(prlimit(s.pid, RLIMIT_NOFILE, &lim, NULL), 0);
	/* authenticated clients take every descriptor there is */
	int in = 0;
	for (int i = 0; i < N; i++) {
		xp_conn_init(&c[in], -1, 4096, true); /* so a failed attempt can be finished */
		if (e2e_raw_client(&s, &c[in], "main", NULL, 0) == 0)
			in++;
		else
			xp_conn_finish(&c[in]);
	}
	assert_true(in > 10 && in < N);
	/* unauthenticated ones keep knocking */
	for (int i = 0; i < N; i++)
		fd[i] = preamble_only(&s);
	long sw0 = load_sleeps(s.pid);
	double cpu0 = load_cpu_seconds(s.pid);
	uint64_t t0 = xp_now_us();
	double worst = 0;
	for (int i = 0; i < 20; i++) { /* the connected app is still served */
		uint64_t t = xp_now_us();
		assert_int_equal(xa_sync(d, 5000), 0);
		double ms = (double)(xp_now_us() - t) / 1000.0;
		worst = ms > worst ? ms : worst;
		usleep(50000); /* a measurement window, not a wait for something */
	}
	double wall = (double)(xp_now_us() - t0) / 1e6, cpu = load_cpu_seconds(s.pid) - cpu0;
	long sw = load_sleeps(s.pid) - sw0;
	printf("    out of descriptors with %d clients and %d more knocking: server CPU %.0f %%, "
	       "%ld sleeps in %.1f s; the app's round trip at worst %.1f ms\n",
	       in, N, 100.0 * cpu / wall, sw, wall, worst);
	assert_true(sw >= 10); /* it sleeps between turns: no spinning */
	assert_true(cpu < wall / 2);
	for (int i = 0; i < N; i++)
		close(fd[i]);
	for (int i = 0; i < in; i++)
		xp_conn_finish(&c[i]);
	/* descriptors free again: new peers get in */
	struct xp_conn late;
	assert_true(wait_log(&s, "closed: connection closed by peer", in, 5000));
	assert_int_equal(e2e_raw_client(&s, &late, "main", NULL, 0), 0);
	xp_conn_finish(&late);
	xa_close(d);
	e2e_server_stop(&s);
}

/* Take and acknowledge what has arrived on @c, for up to @ms. */
static void read_and_ack(struct xp_conn *c, int ms)
{
	struct xp_msg m;
	uint64_t end = xp_now_us() + (uint64_t)ms * 1000;
	while (xp_now_us() < end && xp_conn_wait(c, &m, xp_ms_until(end)) == 1) {
		if (m.op != XP_OP_MARK)
			continue;
		struct xp_msg a = {.op = XP_OP_ACK};
		a.u.ack.serial = m.u.mark.serial;
		xp_conn_send(c, &a);
		xp_conn_drain(c, 1000);
	}
}

/*
 * A client that went silent in an idle session (a dead link, no FIN) was
 * never reaped: nothing was sent to it, so nothing went unacknowledged.
 * Now a silent client is sent a MARK and dropped if it does not answer.
 */
static void test_silent_client_reaped(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn silent, live;
	static const char *const args[] = {"--no-launcher",   "--keepalive", "300",
	                                   "--stall-timeout", "600",         NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	assert_int_equal(e2e_raw_client(&s, &silent, "idle", NULL, 0), 0);
	assert_int_equal(e2e_raw_client(&s, &live, "idle", NULL, 0), 0);
	read_and_ack(&silent, 100); /* it answered once, then the link died */
	uint64_t t0 = xp_now_us();
	bool dropped = false;
	for (int i = 0; i < 50 && !dropped; i++) { /* the live one answers, up to 5 s */
		read_and_ack(&live, 100);
		dropped = wait_log(&s, "no ACK for", 1, 0);
	}
	assert_true(dropped);
	printf("    a client silent in an idle session was dropped after %.1f s\n",
	       (double)(xp_now_us() - t0) / 1e6);
	assert_true(closed_by_server(xp_conn_fd(&silent), 2000));
	/* the one that answered is still in */
	struct xp_msg ping = {.op = XP_OP_PING};
	xp_conn_send(&live, &ping);
	assert_int_equal(xp_conn_drain(&live, 1000), 0);
	struct xp_msg m;
	int r;
	while ((r = xp_conn_wait(&live, &m, 3000)) == 1 && m.op != XP_OP_PONG)
		;
	assert_int_equal(r, 1);
	xp_conn_finish(&silent);
	xp_conn_finish(&live);
	e2e_server_stop(&s);
}

/*
 * An app that never reads while the server has things to tell it (here:
 * the errors its own requests earn) is dropped once --max-queued-mb is
 * queued, instead of growing the server's memory without end.
 */
static void test_app_not_reading(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c;
	static const char *const args[] = {"--no-launcher", "--max-queued-mb", "1", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	assert_int_equal(hello_as(&s, s.app_socket, XP_ROLE_APP, false, &c), 0);
	int rcv = 4096;
	setsockopt(xp_conn_fd(&c), SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* 200,000 fills into a window it does not have: 200,000 errors back */
	struct xp_msg m = {.op = XP_OP_TARGET};
	m.u.target.win = 7;
	xp_conn_send(&c, &m);
	m = (struct xp_msg){.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){0, 0, 1, 1};
	bool gone = false;
	for (int i = 0; i < 200 && !gone; i++) {
		for (int k = 0; k < 1000; k++)
			xp_conn_send(&c, &m);
		gone = xp_conn_drain(&c, 2000) < 0;
	}
	assert_true(gone || wait_log(&s, "app is not reading", 1, 5000));
	long kb = e2e_rss_kb(s.pid);
	printf("    an app that does not read was dropped; server RSS %ld KiB\n", kb);
	assert_true(wait_log(&s, "app is not reading", 1, 5000));
	assert_true(kb < 32 * 1024);
	xp_conn_finish(&c);
	expect_alive(&s);
	e2e_server_stop(&s);
}

/*
 * Many cached images: each new id was a linear search of the session's
 * cache (O(N^2) for N images), and tiny images cost their bookkeeping for
 * free. Ids are now hashed and every entry's overhead counts against the
 * cache limit, which refuses the rest with LIMIT.
 */
static void test_many_cached_images(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", NULL};
	static const uint8_t px[3] = {0x10, 0x20, 0x30};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = xa_window_create(d, 0, 0, 64, 64, 0, 0);
	assert_int_equal(xa_sync(d, 5000), 0);
	uint64_t t0 = xp_now_us();
	int kept = 0;
	for (int batch = 0; batch < 100; batch++) {
		for (int i = 0; i < 5000; i++)
			xa_image_keep(d, win, 0, 0, 1, 1, XP_IMG_RAW, px, 3,
			              (uint32_t)(batch * 5000 + i + 1));
		if (xa_sync(d, 20000) < 0)
			break;
		kept += 5000;
	}
	double secs = (double)(xp_now_us() - t0) / 1e6;
	printf("    %d one-pixel images cached in %.2f s, then: %s\n", kept, secs,
	       xa_error(d)->text);
	assert_int_equal(xa_error(d)->code, XP_ERR_LIMIT);
	/* 32 MiB / (4 bytes + the entry's overhead) */
	assert_true(kept >= 200000 && kept < 300000);
	/* the kept ones are found by id; dropped ones are not */
	xa_image_cached(d, win, 5, 5, 1);
	xa_image_cached(d, win, 6, 6, (uint32_t)kept);
	assert_int_equal(xa_sync(d, 5000), 0);
	xa_cache_drop(d, 1);
	assert_int_equal(xa_sync(d, 5000), 0);
	xa_image_cached(d, win, 5, 5, 1);
	assert_int_equal(xa_sync(d, 5000), -1);
	xa_close(d);
	expect_alive(&s);
	e2e_server_stop(&s);
}

/* Dump the server's windows and read window @id of @session. */
static void server_window(struct e2e_server *s, const char *session, uint32_t id, struct xr_fb *out)
{
	assert_int_equal(e2e_server_dump(s), 0);
	assert_int_equal(e2e_server_window(s, session, id, out), 0);
}

/*
 * Drawing too large for one loop turn is applied a band (or an image slice)
 * at a time: the pixels must be exactly those of drawing it at once, on the
 * server and on a client that watched it happen, whatever the order of the
 * bands (a copy moving down goes bottom up).
 */
static void test_large_drawing_in_pieces(void **state)
{
	(void)state;
	enum { W = 1600, H = 1200 };
	struct e2e_server s;
	struct xr_fb ref, got, img;
	struct xr_rect d;
	static const char *const args[] = {"--no-launcher", NULL};
	uint8_t *z = NULL, *bits = calloc(1, (W / 8) * H);
	size_t zlen = 0;
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *a = e2e_app(&s, "main");
	uint32_t win = xa_window_create(a, 0, 0, W, H, 0, 0x204060); /* a background job */
	xa_window_map(a, win);
	pid_t c = e2e_client_spawn(&s, "wait 2500\nquit\n", NULL); /* watches it all */
	assert_int_equal(xr_fb_init(&ref, W, H), 0);
	xr_fill(&ref, NULL, 0, 0, W, H, 0x204060);
	assert_int_equal(xr_fb_init(&img, W, H), 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			img.px[y * img.stride + x] = XR_RGB(x * 3 + y, y * 7, x ^ y);
	assert_int_equal(xr_encode_zlib(&img, (struct xr_rect){0, 0, W, H}, 1, &z, &zlen), 0);
	xa_image(a, win, 10, -20, W, H, XP_IMG_ZLIB, z, zlen);
	xr_image(&ref, NULL, 10, -20, W, H, XR_IMG_ZLIB, z, zlen, &d);
	xa_copy(a, win, 0, 0, W, H - 7, 3, 7); /* moves down: bottom up */
	xr_copy(&ref, NULL, 0, 0, W, H - 7, 3, 7);
	xa_copy(a, win, 5, 9, W - 5, H - 9, 0, 0); /* moves up */
	xr_copy(&ref, NULL, 5, 9, W - 5, H - 9, 0, 0);
	for (size_t i = 0; i < (W / 8) * H; i++)
		bits[i] = (uint8_t)(i * 37 >> 3);
	xa_bitmap(a, win, 0, 0, W, H, bits, (W / 8) * H, 0xff0000, 0x00ff00, true);
	xr_bitmap(&ref, NULL, 0, 0, W, H, bits, (W / 8) * H, 0xff0000, 0x00ff00, true, &d);
	struct xp_rect rs[3] = {{-5, 100, W, 50}, {300, -3, 20, H + 9}, {0, 0, 7, 7}};
	xa_fill_rects(a, win, rs, 3, 0x123456);
	for (int i = 0; i < 3; i++)
		xr_fill(&ref, NULL, rs[i].x, rs[i].y, (int)rs[i].w, (int)rs[i].h, 0x123456);
	xa_image_keep(a, win, 200, 300, W, H, XP_IMG_ZLIB, z, zlen, 5); /* decoded in slices */
	xr_image(&ref, NULL, 200, 300, W, H, XR_IMG_ZLIB, z, zlen, &d);
	xa_image_cached(a, win, -100, -100, 5);
	xr_blit(&ref, NULL, -100, -100, &img);
	assert_int_equal(xa_sync(a, 30000), 0);
	server_window(&s, "main", win, &got);
	assert_int_equal(e2e_fb_diff(&got, &ref, W, H), 0);
	/* a client attached all along saw the same (its screen: the top-left part) */
	char script[256];
	snprintf(script, sizeof(script), "wait-idle 300\nscreenshot %s/big.png\nquit\n", s.dir);
	assert_int_equal(proc_wait(e2e_client_spawn(&s, script, NULL), 30000), 0);
	assert_int_equal(proc_wait(c, 30000), 0);
	struct xr_fb shot;
	snprintf(script, sizeof(script), "%s/big.png", s.dir);
	assert_int_equal(xr_png_read_file(script, &shot), 0);
	int32_t wx, wy; /* where the session placed (and framed) it */
	assert_int_equal(e2e_window_pos(a, win, &wx, &wy), 0);
	assert_int_equal(e2e_fb_diff_at(&shot, wx, wy, &ref, shot.w - wx < W ? shot.w - wx : W,
	                                shot.h - wy < H ? shot.h - wy : H),
	                 0);
	xr_fb_finish(&shot);
	xr_fb_finish(&got);
	xr_fb_finish(&ref);
	xr_fb_finish(&img);
	free(z);
	free(bits);
	xa_close(a);
	e2e_server_stop(&s);
}

/*
 * Resizing a large window touches all its new pixels (64 MiB for 4096x4096:
 * a second of one loop turn on a machine with slow first-touch memory) and
 * gives the old ones back: it is done a band of rows per turn, the old ones
 * freed a piece per turn. The pixels must be those of resizing at once (the
 * old ones kept, the background beyond), with the app's drawing after the
 * resize applied after it, on the server and on a client that watched.
 */
static void test_large_resize_in_pieces(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xr_fb ref, got;
	static const char *const args[] = {"--no-launcher", NULL};
	static const uint32_t sizes[][2] = {{2600, 2100}, {900, 2300}, {1800, 700}};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *a = e2e_app(&s, "main");
	uint32_t win = xa_window_create(a, 0, 0, 1500, 1500, 0, 0x336699);
	xa_window_map(a, win);
	pid_t c = e2e_client_spawn(&s, "wait 2500\nquit\n", NULL); /* watches it all */
	assert_int_equal(xr_fb_init(&ref, 1500, 1500), 0);
	xr_fill(&ref, NULL, 0, 0, 1500, 1500, 0x336699);
	for (int i = 0; i < 3; i++) {
		uint32_t w = sizes[i][0], h = sizes[i][1],
		         col = 0x100000u * (uint32_t)(i + 1) + 0x77;
		xa_fill(a, win, 100 * i, 50 + 300 * i, 2000, 40, col); /* before: kept or cut */
		xr_fill(&ref, NULL, 100 * i, 50 + 300 * i, 2000, 40, col);
		xa_window_configure(a, win, XP_CONF_RESIZE, 0, 0, w, h);
		assert_int_equal(xr_fb_resize(&ref, (int)w, (int)h, 0x336699), 0);
		xa_fill(a, win, (int32_t)w - 30, (int32_t)h - 30, 30, 30,
		        col ^ 0xffffff); /* after */
		xr_fill(&ref, NULL, (int)w - 30, (int)h - 30, 30, 30, col ^ 0xffffff);
	}
	assert_int_equal(xa_sync(a, 30000), 0);
	server_window(&s, "main", win, &got);
	assert_int_equal(got.w, ref.w);
	assert_int_equal(got.h, ref.h);
	assert_int_equal(e2e_fb_diff(&got, &ref, ref.w, ref.h), 0);
	char script[256];
	snprintf(script, sizeof(script), "wait-idle 300\nscreenshot %s/resized.png\nquit\n", s.dir);
	assert_int_equal(proc_wait(e2e_client_spawn(&s, script, NULL), 30000), 0);
	assert_int_equal(proc_wait(c, 30000), 0);
	struct xr_fb shot;
	snprintf(script, sizeof(script), "%s/resized.png", s.dir);
	assert_int_equal(xr_png_read_file(script, &shot), 0);
	int32_t wx, wy; /* where the session placed (and framed) it */
	assert_int_equal(e2e_window_pos(a, win, &wx, &wy), 0);
	assert_int_equal(e2e_fb_diff_at(&shot, wx, wy, &ref,
	                                shot.w - wx < ref.w ? shot.w - wx : ref.w,
	                                shot.h - wy < ref.h ? shot.h - wy : ref.h),
	                 0);
	xr_fb_finish(&shot);
	xr_fb_finish(&got);
	xr_fb_finish(&ref);
	xa_close(a);
	expect_alive(&s);
	e2e_server_stop(&s);
}

/*
 * A client's RESIZE makes maximized windows follow the screen: a large one
 * is resized in pieces too, after the drawing its app has in progress, and
 * the app is told the new size when it is done.
 */
static void test_screen_resize_in_pieces(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c;
	struct xr_fb got, ref;
	struct xa_event ev = {0};
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *a = e2e_app(&s, "main");
	assert_int_equal(hello_as(&s, s.addr, XP_ROLE_CLIENT, false, &c), 0); /* 800x600 */
	uint32_t win = xa_window_create(a, 0, 0, 1, 1, XP_WIN_MAXIMIZED, 0x445566);
	xa_window_map(a, win);
	assert_int_equal(xa_sync(a, 5000), 0);
	/* 100 fills of the whole window: drawing that takes many turns */
	struct xp_rect rs[100];
	for (int i = 0; i < 100; i++)
		rs[i] = (struct xp_rect){0, 0, 800, 600};
	xa_fill_rects(a, win, rs, 100, 0xaa0000);
	xa_flush(a); /* sent, not awaited: the RESIZE comes while it is drawn */
	struct xp_msg m = {.op = XP_OP_RESIZE};
	m.u.resize = (struct xp_msg_resize){2800, 1900};
	assert_int_equal(xp_conn_send(&c, &m), 0);
	assert_int_equal(xp_conn_drain(&c, 5000), 0);
	for (int i = 0; i < 1000 && !(ev.type == XA_CONFIGURE && ev.w == 2800); i++)
		assert_int_equal(xa_next_event(a, &ev, 30000), 1);
	assert_int_equal(ev.h, 1900);
	assert_int_equal(xa_sync(a, 30000), 0);
	server_window(&s, "main", win, &got);
	assert_int_equal(xr_fb_init(&ref, 2800, 1900), 0);
	xr_fill(&ref, NULL, 0, 0, 2800, 1900, 0x445566);
	xr_fill(&ref, NULL, 0, 0, 800, 600, 0xaa0000);
	assert_int_equal(e2e_fb_diff(&got, &ref, 2800, 1900), 0);
	xr_fb_finish(&got);
	xr_fb_finish(&ref);
	xp_conn_finish(&c);
	xa_close(a);
	expect_alive(&s);
	e2e_server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_windows_twice),
	    cmocka_unit_test(test_limits_hold_exactly),
	    cmocka_unit_test(test_limit_and_no_window_not_fatal),
	    cmocka_unit_test(test_late_launcher_stays_hidden),
	    cmocka_unit_test(test_server_wide_pixel_cap),
	    cmocka_unit_test(test_preauth_memory),
	    cmocka_unit_test(test_handshake_cap),
	    cmocka_unit_test(test_handshake_deadline_absolute),
	    cmocka_unit_test(test_out_of_descriptors),
	    cmocka_unit_test(test_silent_client_reaped),
	    cmocka_unit_test(test_app_not_reading),
	    cmocka_unit_test(test_many_cached_images),
	    cmocka_unit_test(test_large_drawing_in_pieces),
	    cmocka_unit_test(test_large_resize_in_pieces),
	    cmocka_unit_test(test_screen_resize_in_pieces),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("xproto-server against hostile peers", tests, NULL,
	                                   NULL);
}
