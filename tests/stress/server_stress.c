/*
 * server_stress.c - xproto-server under attack, the long cases (make
 * stress; the fast ones are tests/server_hostile_test.c). Each attack runs
 * against a fresh server while a victim app in another session times its
 * round trips; the server's peak memory, the victim's p99 round trip and
 * what the server did are printed per attack. Exits non-zero when the
 * server died, a limit did not hold, memory grew past a bound, or an attack
 * of the worst traffic did not really happen (its app dropped, no work the
 * server acknowledged, too little server CPU: its row then says so); the
 * latency target (p99 <= 20 ms) is reported, met or not met.
 *
 * Usage: server_stress [--hogs N] [ATTACK... | worst:KIND...]   (default:
 * all; XP_BIN as for tests; --hogs N or $HP_HOGS: N CPU hogs of our own
 * beside the run, "a loaded machine", stopped however it ends). Attacks:
 * baseline slowloris partial preauth flood fds malformed bomb stalled limits
 * worst; kinds: see hp_kind_name() in tests/hostile.c. To look closer:
 * HP_LOG=info|debug sets the servers' log level (default error),
 * HP_VERBOSE=1 prints each server's pid and log, E2E_KEEP=1 keeps the log.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "../hostile.h"

#define TARGET_P99_MS  20.0
#define MIN_ATTACK_CPU 0.2 /* server CPU seconds: less and the attack did not happen */

static int failures;
static int worst_runs, worst_met; /* kinds of worst traffic run, and under the target */

/* One attack's figures, printed as a row. */
struct row {
	const char *attack;
	long rss0_kb, peak_kb;
	struct hp_rtt rtt;
	double load; /* the machine's 1-minute load average when it ended */
	char note[320];
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		printf("  FAILED: %s\n", what);
		failures++;
	}
}

static void print_row(const struct row *r)
{
	printf("  %-22s peak RSS %6ld KiB (+%6ld)   victim p50 %7.2f ms  p99 %7.2f ms  max %8.2f "
	       "ms (%d)  load %4.1f  %s\n",
	       r->attack, r->peak_kb, r->peak_kb - r->rss0_kb, r->rtt.p50, r->rtt.p99,
	       r->rtt.max_ms, r->rtt.n, r->load, r->note);
	fflush(stdout);
}

/* A fresh server with @extra arguments, a victim started in session "victim". */
static int begin(struct e2e_server *s, const char *const *extra, struct hp_victim *v, int seconds,
                 struct row *r, const char *attack)
{
	const char *log = getenv("HP_LOG"),
	           *args[24] = {"--no-launcher", "--log", log ? log : "error"};
	int n = 3;
	for (int i = 0; extra && extra[i] && n < 22; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	*r = (struct row){.attack = attack};
	if (e2e_server_start(s, args) < 0) {
		check(false, "server did not start");
		return -1;
	}
	r->rss0_kb = load_peak_rss_kb(s->pid);
	if (getenv("HP_VERBOSE"))
		printf("  (server pid %d, log %s)\n", (int)s->pid, s->log), fflush(stdout);
	if (hp_victim_start(v, s, "victim", 10, seconds) < 0) {
		check(false, "victim did not start");
		return -1;
	}
	hp_prioritize(s->pid); /* HP_NICE: measure the server, not the machine's other load */
	hp_prioritize(v->pid);
	return 0;
}

/* The victim's figures and the server's memory; the server must be alive. */
static void collect(struct e2e_server *s, struct hp_victim *v, struct row *r)
{
	check(hp_victim_finish(v, &r->rtt) == 0 && r->rtt.n > 0, "victim had no round trips");
	r->peak_kb = load_peak_rss_kb(s->pid);
	r->load = load_average();
	check(kill(s->pid, 0) == 0, "server died");
}

/* Print the attack's row and stop its server. */
static void done(struct e2e_server *s, const struct row *r)
{
	print_row(r);
	e2e_server_stop(s);
}

static void end(struct e2e_server *s, struct hp_victim *v, struct row *r)
{
	collect(s, v, r);
	done(s, r);
}

/* ---- raw connections ---- */

static int connect_raw(const char *addr)
{
	struct xp_error err;
	return xp_net_connect(addr, XP_NET_CLOEXEC, &err);
}

static void send_bytes(int fd, const void *p, size_t n)
{
	if (send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		return;
}

/* Connections of @fds the server has closed (EOF or reset) within @ms. */
static int count_closed(const int *fds, int n, int ms)
{
	uint64_t end = xp_now_us() + (uint64_t)ms * 1000;
	int closed = 0;
	char buf[4096];
	for (int i = 0; i < n; i++) {
		struct pollfd p = {fds[i], POLLIN, 0};
		for (int k = 0; fds[i] >= 0 && k < 64 && poll(&p, 1, xp_ms_until(end)) > 0; k++) {
			ssize_t r = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				closed++;
				break;
			}
		}
	}
	return closed;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- the attacks ---- */

/* No attack: what the victim's round trips are on this machine right now. */
static void attack_none(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	if (begin(&s, NULL, &v, 5, &r, "baseline (no attack)") < 0)
		return;
	snprintf(r.note, sizeof(r.note), "the machine's own noise, for the rows below");
	end(&s, &v, &r);
}

/* Slowloris: thousands of connections that never say anything. */
static void attack_slowloris(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	enum { N = 2000 };
	static int fd[N];
	if (begin(&s, NULL, &v, 8, &r, "slowloris 2000 idle") < 0)
		return;
	for (int i = 0; i < N; i++)
		fd[i] = connect_raw(s.addr);
	int closed = count_closed(fd, N, 3000);
	snprintf(r.note, sizeof(r.note), "%d of %d dropped within 3 s (cap 128 handshakes)", closed,
	         N);
	check(closed >= N - 200, "idle connections were not dropped");
	end(&s, &v, &r);
	close_all(fd, N);
}

/* Partial handshakes: a HELLO a byte at a time, never finished. */
static void attack_partial_handshakes(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	enum { N = 120 };
	int fd[N];
	uint8_t pre[XP_PREAMBLE_LEN], hello_start[] = {XP_OP_HELLO, 60, XP_ROLE_CLIENT, 16};
	xp_preamble_write(pre);
	if (begin(&s, NULL, &v, 9, &r, "partial handshakes") < 0)
		return;
	uint64_t t0 = xp_now_us();
	for (int i = 0; i < N; i++) {
		fd[i] = connect_raw(s.addr);
		send_bytes(fd[i], pre, sizeof(pre));
	}
	for (int t = 0; t < 4; t++) { /* a byte each, every 500 ms */
		for (int i = 0; i < N; i++)
			send_bytes(fd[i], &hello_start[t], 1);
		usleep(500000);
	}
	int closed = count_closed(fd, N, 6000);
	snprintf(r.note, sizeof(r.note), "%d of %d dropped by the 5 s deadline (%.1f s)", closed, N,
	         (double)(xp_now_us() - t0) / 1e6);
	check(closed == N, "trickling handshakes outlived the deadline");
	end(&s, &v, &r);
	close_all(fd, N);
}

/* Pre-authentication memory: HELLOs announcing 4 MiB, 1 MiB of each sent. */
static void attack_preauth_memory(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	enum { N = 150 };
	int fd[N];
	static uint8_t junk[1 << 20];
	uint8_t pre[XP_PREAMBLE_LEN], head[] = {XP_OP_HELLO, 0x80, 0x80, 0x80, 0x02};
	static const char *const args[] = {"--max-handshakes", "1000", NULL};
	xp_preamble_write(pre);
	if (begin(&s, args, &v, 4, &r, "pre-auth 4 MiB HELLOs") < 0)
		return;
	for (int i = 0; i < N; i++) {
		fd[i] = connect_raw(s.addr);
		send_bytes(fd[i], pre, sizeof(pre));
		send_bytes(fd[i], head, sizeof(head));
		send_bytes(fd[i], junk, sizeof(junk));
	}
	int closed = count_closed(fd, N, 3000);
	snprintf(r.note, sizeof(r.note), "%d of %d refused (TOO_BIG before authentication)", closed,
	         N);
	collect(&s, &v, &r);
	check(r.peak_kb - r.rss0_kb < 32 * 1024, "pre-auth memory grew past 32 MiB");
	done(&s, &r);
	close_all(fd, N);
}

/* Connect and hang up, as fast as possible. */
static void attack_handshake_flood(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	int n = 0;
	if (begin(&s, NULL, &v, 6, &r, "connect/close flood") < 0)
		return;
	uint64_t end_us = xp_now_us() + 4000000;
	while (xp_now_us() < end_us) {
		int fd = connect_raw(s.addr);
		if (fd >= 0) {
			close(fd);
			n++;
		}
	}
	snprintf(r.note, sizeof(r.note), "%d connections in 4 s", n);
	end(&s, &v, &r);
}

/* Out of descriptors: the server's RLIMIT_NOFILE lowered to 128. */
static void attack_fd_exhaustion(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	enum { N = 300 };
	static int fd[N];
	struct xp_conn c[N];
	int in = 0;
	if (begin(&s, NULL, &v, 7, &r, "out of descriptors") < 0)
		return;
	struct rlimit lim = {128, 128};
	check(prlimit(s.pid, RLIMIT_NOFILE, &lim, NULL) == 0, "prlimit");
	for (int i = 0; i < N && in < N; i++) {
		xp_conn_init(&c[in], -1, 4096, true); /* so a failed attempt can be finished */
		if (e2e_raw_client(&s, &c[in], "main", NULL, 0) == 0)
			in++;
		else
			xp_conn_finish(&c[in]);
	}
	for (int i = 0; i < N; i++)
		fd[i] = connect_raw(s.addr);
	long sw0 = load_sleeps(s.pid);
	double cpu0 = load_cpu_seconds(s.pid);
	usleep(3000000); /* a measurement window */
	double cpu = load_cpu_seconds(s.pid) - cpu0;
	long sw = load_sleeps(s.pid) - sw0;
	snprintf(r.note, sizeof(r.note),
	         "%d clients in, %d more knocking: server CPU %.0f %%, %ld sleeps in 3 s", in, N,
	         100.0 * cpu / 3.0, sw);
	check(sw >= 20 && cpu < 1.5, "the server spun out of descriptors");
	end(&s, &v, &r);
	close_all(fd, N);
	for (int i = 0; i < in; i++)
		xp_conn_finish(&c[i]);
}

/* ---- malformed frames ---- */

struct bad {
	const char *name;
	bool app;          /* on the app endpoint */
	bool handshake;    /* do a good handshake first */
	uint8_t bytes[48]; /* sent after (or instead of) the handshake */
	size_t n;
};

/* A HELLO frame with @role and the cookie of @s, for raw bad-frame tests. */
static size_t good_hello(struct e2e_server *s, uint8_t role, uint8_t *out)
{
	struct xp_cookie ck;
	struct xp_error err;
	struct xp_buf b;
	xp_cookie_load(s->cookie, false, &ck, &err);
	struct xp_msg m = {.op = XP_OP_HELLO};
	m.u.hello = (struct xp_msg_hello){role,
	                                  {ck.data, (uint32_t)ck.len},
	                                  0,
	                                  65536,
	                                  0,
	                                  0,
	                                  xp_str_from("main"),
	                                  xp_str_from("bad")};
	xp_buf_init(&b, 4096);
	xp_encode(&b, &m);
	size_t n = xp_buf_pending(&b);
	memcpy(out, xp_buf_data(&b), n);
	xp_buf_finish(&b);
	return n;
}

static const struct bad bads[] = {
    {"bad magic", false, false, {'X', '1', '1', 0, 1, 0}, 6},
    {"major version 9", false, false, {'x', 'p', 'r', 'o', 9, 0}, 6},
    {"opcode 0x00", false, true, {0x00, 0x00}, 2},
    {"opcode 0xff", true, true, {0xff, 0x00}, 2},
    {"opcode 0x40", false, true, {0x40, 0x00}, 2},
    {"over-long length", false, true, {0x23, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 7},
    {"length over max", false, true, {0x23, 0xff, 0xff, 0xff, 0x0f}, 5},
    {"truncated fields", true, true, {0x23, 0x01, 0x00}, 3},
    {"bad UTF-8 TEXT", true, true, {0x27, 0x05, 0x00, 0x00, 0x02, 0xc3, 0x28}, 7},
    {"STR past payload", true, true, {0x27, 0x04, 0x00, 0x00, 0x09, 'a'}, 6},
    {"BYTES past payload", true, true, {0x26, 0x06, 0, 0, 1, 1, 0x20, 0}, 8},
    {"RECTS count > bytes", true, true, {0x24, 0x02, 0x7f, 0x00}, 4},
    {"UV above 2^32", true, true, {0x20, 0x05, 0xff, 0xff, 0xff, 0xff, 0x7f}, 7},
    {"drawing before HELLO", true, false, {'x', 'p', 'r', 'o', 1, 0, 0x23, 4, 0, 0, 1, 1}, 12},
    {"HELLO twice", false, true, {0x01, 0x01, 0x02}, 3},
    {"WIN_CREATE from client", false, true, {0x10, 0x07, 1, 0, 0, 1, 1, 0, 0}, 9},
    {"KEY from an app", true, true, {0x30, 0x03, 0x01, 0x61, 0x00}, 5},
    {"ACK never marked", false, true, {0x07, 0x02, 0xe8, 0x07}, 4},
    {"GC unknown font", true, true, {0x21, 0x0a, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x03, 0}, 12},
    {"IMAGE bad zlib",
     true,
     true,
     {0x10, 9, 1, 0, 0, 2, 2, 0, 0, 0, 0, 0x20, 1, 1, 0x28, 10, 0, 0, 2, 2, 1, 0, 3, 1, 2, 3},
     26},
    {"ERROR from a client", false, true, {0x03, 0x04, 0x01, 0x00, 0x01, 'x'}, 6},
    {"truncated stream", true, true, {0x27, 0x40, 0x00}, 3},
};

/* One bad peer: true when the server answered it with ERROR or closed it. */
static bool try_bad(struct e2e_server *s, const struct bad *b)
{
	uint8_t buf[512], pre[XP_PREAMBLE_LEN];
	int fd = connect_raw(b->app ? s->app_socket : s->addr);
	if (fd < 0)
		return false;
	if (b->handshake) {
		xp_preamble_write(pre);
		send_bytes(fd, pre, sizeof(pre));
		size_t n = good_hello(s, b->app ? XP_ROLE_APP : XP_ROLE_CLIENT, buf);
		send_bytes(fd, buf, n);
		/* WELCOME first: a client sends after it (SPEC section 4); it is read below */
		struct pollfd welcome = {fd, POLLIN, 0};
		poll(&welcome, 1, 5000);
	}
	send_bytes(fd, b->bytes, b->n);
	if (!strcmp(b->name, "truncated stream"))
		shutdown(fd, SHUT_WR);
	bool closed = false;
	struct pollfd p = {fd, POLLIN, 0};
	for (int k = 0; k < 100 && !closed && poll(&p, 1, 3000) > 0; k++)
		closed = recv(fd, buf, sizeof(buf), 0) <= 0;
	close(fd);
	return closed;
}

static void attack_malformed(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	int ok = 0, n = (int)(sizeof(bads) / sizeof(bads[0]));
	if (begin(&s, NULL, &v, 4, &r, "malformed frames") < 0)
		return;
	for (int i = 0; i < n; i++) {
		bool closed = try_bad(&s, &bads[i]);
		ok += closed;
		if (!closed)
			printf("  not closed: %s\n", bads[i].name);
	}
	snprintf(r.note, sizeof(r.note), "%d of %d kinds closed only their own connection", ok, n);
	check(ok == n, "a malformed frame did not close its connection");
	end(&s, &v, &r);
}

/* A zlib client whose stream inflates to 1 GiB of harmless messages. */
static void attack_zlib_bomb(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	struct xp_conn c;
	if (begin(&s, NULL, &v, 8, &r, "zlib bomb 1 GiB") < 0)
		return;
	if (e2e_raw_client(&s, &c, "main", NULL, 0) < 0) {
		check(false, "bomb client");
		end(&s, &v, &r);
		return;
	}
	/* PING is answered: an ACK 0 (a repeat, ignored) costs only reading */
	static const uint8_t ack0[3] = {XP_OP_ACK, 0x01, 0x00};
	static uint8_t chunk[3 * 349525]; /* whole messages: 1 MiB less a byte */
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = ack0[i % 3];
	uint64_t t0 = xp_now_us();
	int sent = 0;
	for (; sent < 1024 && xp_now_us() - t0 < 5000000; sent++) {
		xp_conn_send_raw(&c, chunk, sizeof(chunk));
		if (xp_conn_drain(&c, 5000) < 0) {
			printf("  bomb stopped: %s\n", xp_conn_error(&c)->text);
			break;
		}
	}
	snprintf(r.note, sizeof(r.note), "%d MiB inflated in %.1f s (%llu bytes on the wire)", sent,
	         (double)(xp_now_us() - t0) / 1e6, (unsigned long long)xp_conn_stats(&c)->wire_out);
	xp_conn_finish(&c);
	end(&s, &v, &r);
}

/* Clients that never read while an app draws: dropped, memory bounded. */
static void attack_stalled_readers(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	enum { N = 50 };
	struct xp_conn c[N];
	static const char *const args[] = {"--stall-timeout", "2000", NULL};
	if (begin(&s, args, &v, 8, &r, "50 stalled readers") < 0)
		return;
	int in = 0;
	for (int i = 0; i < N; i++) {
		xp_conn_init(&c[in], -1, 4096, true); /* so a failed attempt can be finished */
		if (e2e_raw_client(&s, &c[in], "busy", NULL, 4096) == 0)
			in++;
		else
			xp_conn_finish(&c[in]);
	}
	struct hp_flood fl;
	struct hp_flood_report fr;
	check(hp_flood_start(&fl, &s, "busy", HP_MIX, 5) == 0 &&
	          hp_flood_finish(&fl, &fr, 90000) == 0,
	      "the drawing app failed");
	int closed = 0;
	for (int i = 0; i < in; i++) {
		int fd = xp_conn_fd(&c[i]);
		closed += count_closed(&fd, 1, i == 0 ? 3000 : 100);
	}
	snprintf(r.note, sizeof(r.note), "%d of %d stalled clients dropped", closed, in);
	check(closed == in, "stalled readers were kept");
	end(&s, &v, &r);
	for (int i = 0; i < in; i++)
		xp_conn_finish(&c[i]);
}

/* Every limit, counted exactly. */
static int admitted(struct e2e_server *s, const char *addr, enum xp_role role, int tries,
                    bool own_sessions, struct xp_conn *c)
{
	struct xp_error err;
	struct xp_cookie ck;
	int in = 0;
	xp_cookie_load(s->cookie, false, &ck, &err);
	for (int i = 0; i < tries; i++) {
		char session[16] = "main";
		if (own_sessions)
			snprintf(session, sizeof(session), "s%d", i);
		xp_conn_init(&c[in], xp_net_connect(addr, XP_NET_CLOEXEC, &err), XP_MAX_MSG_DEFAULT,
		             true);
		struct xp_caps want = {0, XP_MAX_MSG_DEFAULT, 0, 0}, got;
		if (xp_handshake_client(&c[in], role, &ck, &want, session, "limit", &got, 5000) ==
		    0)
			in++;
		else
			xp_conn_finish(&c[in]);
	}
	return in;
}

/*
 * True once no TCP connection to port *@arg (int) waits in CLOSE_WAIT: the
 * server has closed its end of every client that hung up, and released
 * its slot with it.
 */
static bool hangups_taken(void *arg)
{
	char line[256];
	int port = *(const int *)arg, waiting = 0;
	unsigned lport, state;
	FILE *f = fopen("/proc/net/tcp", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*8x:%x %*8x:%*x %x", &lport, &state) == 2)
			waiting += lport == (unsigned)port && state == 0x08; /* TCP_CLOSE_WAIT */
	fclose(f);
	return waiting == 0;
}

/* Windows of 1000x1000 an app in "main" gets, and whether 5000 wide is refused. */
static int windows_made(struct e2e_server *s, bool *big_refused)
{
	struct xa_display *d = e2e_app(s, "main");
	int windows = 0;
	for (int i = 0; i < 5 && d; i++) {
		xa_window_create(d, 0, 0, 1000, 1000, 0, 0);
		windows += xa_sync(d, 5000) == 0;
	}
	*big_refused = false;
	if (d) {
		xa_window_create(d, 0, 0, 5000, 10, 0, 0);
		*big_refused = xa_sync(d, 5000) < 0 && xa_error(d)->code == XP_ERR_LIMIT;
	}
	xa_close(d);
	return windows;
}

static void attack_limits(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct row r;
	static struct xp_conn c[64];
	bool big_refused;
	static const char *const args[] = {
	    "--max-clients",  "6",  "--max-apps", "5", "--max-sessions", "4", "--max-windows", "3",
	    "--max-total-mb", "12", NULL};
	if (begin(&s, args, &v, 6, &r, "every limit") < 0)
		return;
	int clients = admitted(&s, s.addr, XP_ROLE_CLIENT, 10, false, c);
	int apps = admitted(&s, s.app_socket, XP_ROLE_APP, 10, false, c + clients);
	for (int i = 0; i < clients + apps; i++)
		xp_conn_finish(&c[i]);
	/* the server takes the hang-ups before the next count */
	check(proc_until(hangups_taken, &s.port, 10000), "the server kept hung-up clients");
	int sessions = admitted(&s, s.addr, XP_ROLE_CLIENT, 5, true, c);
	for (int i = 0; i < sessions; i++)
		xp_conn_finish(&c[i]);
	int windows = windows_made(&s, &big_refused);
	snprintf(r.note, sizeof(r.note),
	         "clients %d/6, apps %d/4 (+victim), new sessions %d/2 (+victim, main), windows "
	         "%d/3, 5000 wide %s",
	         clients, apps, sessions, windows, big_refused ? "refused" : "ACCEPTED");
	check(clients == 6 && apps == 4 && sessions == 2 && windows == 3 && big_refused,
	      "a limit did not hold");
	end(&s, &v, &r);
}

/*
 * Whether the attack really happened: the flooding app ended well, neither
 * it nor its client was dropped, the server answered its last round trip,
 * and it did work: messages it applied (not refused) and CPU above a floor.
 * False with @why said otherwise: a "met" would then prove nothing.
 */
static bool really_ran(const struct hp_flood_report *fr, double cpu, char *why, size_t cap)
{
	if (fr->status != 0 || !fr->final_sync || fr->app_dropped || fr->client_dropped)
		snprintf(why, cap, "flood status %d%s%s%s: %s", fr->status,
		         fr->final_sync ? "" : ", no final round trip",
		         fr->app_dropped ? ", app dropped" : "",
		         fr->client_dropped ? ", client dropped" : "", fr->why);
	else if (fr->errors > 0)
		snprintf(why, cap, "%ld errors: %s", fr->errors, fr->why);
	else if (fr->applied < 1)
		snprintf(why, cap, "the server applied none of %ld batches", fr->batches);
	else if (cpu < MIN_ATTACK_CPU)
		snprintf(why, cap, "server CPU %.2f s, under %.1f s", cpu, MIN_ATTACK_CPU);
	else
		return true;
	return false;
}

/* The worst traffic the protocol allows, each kind for a few seconds. */
static void attack_worst(enum hp_kind k)
{
	struct e2e_server s;
	struct hp_victim v;
	struct hp_flood fl;
	struct hp_flood_report fr = {0};
	struct row r;
	char why[240];
	static char names[HP_KINDS][40];
	snprintf(names[k], sizeof(names[k]), "worst: %s", hp_kind_name(k));
	if (begin(&s, NULL, &v, 7, &r, names[k]) < 0)
		return;
	double cpu0 = load_cpu_seconds(s.pid);
	if (hp_flood_start(&fl, &s, "hostile", k, 6) == 0)
		hp_flood_finish(&fl, &fr, 120000);
	else
		snprintf(fr.why, sizeof(fr.why), "cannot fork");
	double cpu = load_cpu_seconds(s.pid) - cpu0;
	bool real = really_ran(&fr, cpu, why, sizeof(why));
	check(real, "the attack did not really run");
	collect(&s, &v, &r);
	bool met = real && r.rtt.n > 0 && r.rtt.p99 <= TARGET_P99_MS;
	if (real)
		snprintf(
		    r.note, sizeof(r.note),
		    "server CPU %.1f s, %ld messages applied in %ld batches (%ld LIMIT); p99 <= "
		    "%.0f ms %s",
		    cpu, fr.applied, fr.confirmed, fr.refused, TARGET_P99_MS,
		    met ? "met" : "NOT MET");
	else
		snprintf(r.note, sizeof(r.note), "DID NOT RUN (%s): no evidence", why);
	worst_runs++;
	worst_met += met;
	done(&s, &r);
}

struct attack {
	const char *name;
	void (*fn)(void);
};

static void worst_all(void)
{
	attack_none(); /* the machine's noise just before */
	for (int k = 0; k < HP_KINDS; k++)
		attack_worst((enum hp_kind)k);
}

static const struct attack attacks[] = {
    {"baseline", attack_none},
    {"slowloris", attack_slowloris},
    {"partial", attack_partial_handshakes},
    {"preauth", attack_preauth_memory},
    {"flood", attack_handshake_flood},
    {"fds", attack_fd_exhaustion},
    {"malformed", attack_malformed},
    {"bomb", attack_zlib_bomb},
    {"stalled", attack_stalled_readers},
    {"limits", attack_limits},
    {"worst", worst_all},
};

/* True when every argument names an attack or a kind of the worst traffic. */
static bool args_known(int argc, char **argv)
{
	bool ok = true;
	for (int a = 1; a < argc; a++) {
		bool known = false;
		for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
			known |= !strcmp(argv[a], attacks[i].name);
		for (int k = 0; k < HP_KINDS; k++)
			known |= !strncmp(argv[a], "worst:", 6) &&
			         !strcmp(argv[a] + 6, hp_kind_name((enum hp_kind)k));
		if (!known)
			fprintf(stderr, "server_stress: no attack '%s'\n", argv[a]);
		ok &= known;
	}
	return ok;
}

int main(int argc, char **argv)
{
	const char *priority = hp_priority_begin();
	int hogs = load_hogs_wanted(&argc, argv);
	char load[96];
	if (hogs < 0 || !args_known(argc, argv)) {
		fprintf(stderr, "usage: server_stress [--hogs N] [ATTACK... | worst:KIND...]\n");
		return 2;
	}
	if (load_hogs_start(hogs) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	struct rlimit lim;
	getrlimit(RLIMIT_NOFILE, &lim); /* slowloris needs a few thousand descriptors */
	lim.rlim_cur = lim.rlim_max < 8192 ? lim.rlim_max : 8192;
	setrlimit(RLIMIT_NOFILE, &lim);
	printf("xproto-server under attack (victim: an app in another session, a SYNC every "
	       "10 ms; machine %s)\n",
	       load_describe(load, sizeof(load)));
	printf("%s", priority);
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		bool want = argc == 1;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], attacks[i].name);
		if (want)
			attacks[i].fn();
	}
	for (int a = 1; a < argc; a++) /* worst:KIND, one kind of the worst traffic */
		for (int k = 0; k < HP_KINDS; k++)
			if (!strncmp(argv[a], "worst:", 6) && !strcmp(argv[a] + 6, hp_kind_name(k)))
				attack_worst((enum hp_kind)k);
	if (worst_runs)
		printf("fairness target (victim p99 <= %.0f ms): %s, under %d of %d kinds of the "
		       "worst traffic (machine %s)\n",
		       TARGET_P99_MS, worst_met == worst_runs ? "met" : "NOT MET", worst_met,
		       worst_runs, load_describe(load, sizeof(load)));
	printf("%s: %d failure(s)\n", failures ? "FAILED" : "passed", failures);
	return failures ? 1 : 0;
}
