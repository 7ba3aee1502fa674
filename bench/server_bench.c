/*
 * server_bench.c - xproto-server figures: input-to-display latency on
 * loopback (key -> app draws -> client has rendered it), server CPU time per
 * 1,000 forwarded draw commands, and 100 concurrent sessions each with a
 * ticking 800x600 app: server CPU %, memory per session, worst update delay;
 * and fairness: another session's round trip while one app sends the worst
 * traffic the protocol allows. Prints figures; asserts nothing about speed,
 * but fails when a figure could not be measured (the fairness attack did
 * not really happen, the app or the reading client never got in).
 */
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/e2e.h"
#include "../tests/hostile.h"
#include "xdraw.h"

#define SESSIONS 100

static int failures; /* parts whose figures could not be measured */

static const char *const args[] = {"--no-launcher", "--log", "error", "--max-clients", "400", NULL};

static void ack(struct xp_conn *c, const struct xp_msg *m)
{
	struct xp_msg a = {.op = XP_OP_ACK};
	a.u.ack.serial = m->u.mark.serial;
	xp_conn_send(c, &a);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ---- 1. input-to-display latency ---- */

static void echo_app(struct e2e_server *s)
{
	struct xa_display *d = e2e_app(s, "main");
	struct xa_event ev;
	if (!d)
		_exit(1);
	uint32_t win = xa_window_create(d, 0, 0, 480, 312, 0, 0);
	xa_window_map(d, win);
	xa_flush(d);
	int col = 0;
	while (xa_next_event(d, &ev, 10000) == 1) {
		if (ev.type != XA_KEY || !(ev.state & XP_KEY_PRESSED))
			continue;
		xa_text(d, win, (col++ % 80) * 6, 0, ev.text, strlen(ev.text), 0, 0xffffff, 0);
		xa_flush(d);
	}
	xa_close(d);
	_exit(0);
}

/*
 * Apply what arrives to the one window's framebuffer with libxpdraw, under
 * the connection's drawing state @st, as a thin client does.
 */
static int render_until_text(struct xp_conn *c, struct xd_state *st, struct xr_fb *fb, char want,
                             int timeout_ms)
{
	struct xp_msg m;
	struct xp_error err;
	struct xr_rect d;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (xp_now_us() < end) {
		if (xp_conn_wait(c, &m, 100) < 0)
			return -1;
		if (m.op == XP_OP_MARK) {
			ack(c, &m);
			xp_conn_flush(c);
			xp_conn_write(c);
		} else if (xd_kind(m.op) == XD_STATE) {
			xd_state_update(st, &m, &err);
		} else if (xd_kind(m.op) == XD_DRAW && xd_apply(fb, st, &m, NULL, &d, &err) == 0 &&
		           m.op == XP_OP_TEXT && m.u.text.text.n == 1 &&
		           m.u.text.text.p[0] == want) {
			return 0;
		}
	}
	return -1;
}

/* Wait up to @timeout_ms until a window has the focus (keys go to its app). */
static int wait_focus(struct xp_conn *c, struct xd_state *st, int timeout_ms)
{
	struct xp_msg m;
	struct xp_error err;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (xp_now_us() < end) {
		int r = xp_conn_wait(c, &m, xp_ms_until(end));
		if (r < 0)
			return -1;
		if (r == 1 && m.op == XP_OP_MARK) {
			ack(c, &m);
			xp_conn_flush(c);
			xp_conn_write(c);
		} else if (r == 1 && xd_kind(m.op) == XD_STATE) {
			xd_state_update(st, &m, &err);
		} else if (r == 1 && m.op == XP_OP_WIN_FOCUS && m.u.win_focus.on) {
			return 0;
		}
	}
	return -1;
}

static void bench_latency(void)
{
	struct e2e_server s;
	struct xp_conn c;
	struct xd_state st;
	struct xr_fb fb;
	enum { N = 2000 };
	static double lat[N];
	if (e2e_server_start(&s, args) < 0)
		return;
	pid_t app = fork();
	if (app == 0)
		echo_app(&s);
	xr_fb_init(&fb, 480, 312);
	xd_state_init(&st); /* a new connection */
	if (e2e_raw_client(&s, &c, "main", NULL, 0) < 0)
		goto out;
	if (wait_focus(&c, &st, 20000) < 0) { /* keys before it would find no app */
		printf("input-to-display latency: the app's window never got the focus\n");
		failures++;
		xp_conn_finish(&c);
		goto out;
	}
	int n = 0;
	for (int i = 0; i < N; i++) {
		char ch = (char)('a' + i % 26), txt[2] = {ch, 0};
		struct xp_msg k = {.op = XP_OP_KEY};
		k.u.key = (struct xp_msg_key){XP_KEY_PRESSED, (uint32_t)ch, xp_str_from(txt)};
		uint64_t t0 = xp_now_us();
		xp_conn_send(&c, &k);
		xp_conn_drain(&c, 1000);
		if (render_until_text(&c, &st, &fb, ch, 2000) < 0)
			break;
		lat[n++] = (double)(xp_now_us() - t0) / 1000.0;
	}
	qsort(lat, (size_t)n, sizeof(double), cmp);
	printf(
	    "input-to-display latency on loopback (key -> app draws -> client rendered), %d keys\n",
	    n);
	if (n > 0)
		printf("  median %.3f ms   p99 %.3f ms   max %.3f ms   (target: median <= 1, p99 "
		       "<= 5)\n",
		       lat[n / 2], lat[n * 99 / 100], lat[n - 1]);
	xp_conn_finish(&c);
out:
	xr_fb_finish(&fb);
	kill(app, SIGTERM);
	waitpid(app, NULL, 0);
	e2e_server_stop(&s);
}

/* ---- 2. CPU per 1,000 forwarded draw commands ---- */

/*
 * A client process that reads and acknowledges until the stream has been
 * quiet for a second (the last commands may arrive as repaired pixels, so
 * no particular message can mark the end).
 */
static void reader(struct e2e_server *s, int out)
{
	struct xp_conn c;
	struct xp_msg m;
	uint64_t draws = 0;
	char in = 'R'; /* in the session: the app may start */
	if (e2e_raw_client(s, &c, "main", NULL, 0) < 0 || write(out, &in, 1) != 1)
		_exit(1);
	for (;;) {
		int r = xp_conn_wait(&c, &m, draws ? 1000 : 20000);
		if (r <= 0)
			break;
		if (m.op == XP_OP_MARK) {
			ack(&c, &m);
			xp_conn_flush(&c);
			xp_conn_write(&c);
		}
		draws += m.op == XP_OP_TEXT || m.op == XP_OP_FILL;
	}
	if (write(out, &draws, sizeof(draws)) != (ssize_t)sizeof(draws))
		_exit(1);
	_exit(0);
}

static void bench_cpu_per_draw(void)
{
	struct e2e_server s;
	enum { N = 1000000 };
	int pfd[2];
	uint64_t got = 0;
	if (e2e_server_start(&s, args) < 0 || pipe(pfd) < 0)
		return;
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = xa_window_create(d, 0, 0, 480, 312, 0, 0);
	xa_window_map(d, win);
	xa_sync(d, 2000);
	pid_t rd = fork();
	if (rd == 0)
		reader(&s, pfd[1]);
	struct pollfd ready = {pfd[0], POLLIN, 0};
	char in = 0;
	if (poll(&ready, 1, 20000) != 1 || read(pfd[0], &in, 1) != 1 || in != 'R') {
		printf("server CPU per 1,000 draw commands: the reading client did not get in\n");
		failures++;
		kill(rd, SIGTERM);
		waitpid(rd, NULL, 0);
		xa_close(d);
		e2e_server_stop(&s);
		return;
	}
	double cpu0 = load_cpu_seconds(s.pid);
	uint64_t t0 = xp_now_us();
	for (int i = 0; i < N; i++) {
		char t[16];
		int len = snprintf(t, sizeof(t), "%07d", i);
		if (i % 2)
			xa_text(d, win, (i % 60) * 6, (i % 24) * 13, t, (size_t)len, 0, 0xffffff,
			        0);
		else
			xa_fill(d, win, (i % 70) * 6, (i % 24) * 13, 6, 13, (uint32_t)i & 0xffffff);
		if (i % 100 == 99)
			xa_flush(d);
	}
	xa_sync(d, 10000);
	double wall = (double)(xp_now_us() - t0) / 1e6;
	if (read(pfd[0], &got, sizeof(got)) != (ssize_t)sizeof(got))
		got = 0;
	double cpu = load_cpu_seconds(s.pid) - cpu0;
	printf(
	    "server CPU per 1,000 draw commands (text runs and fills, applied to the window and\n"
	    "forwarded to one client): %.3f ms  (the app sent %d commands in %.2f s; %llu reached\n"
	    "the client as commands, the rest as repaired pixels while it was behind)\n",
	    cpu * 1000.0 / (N / 1000.0), N, wall, (unsigned long long)got);
	waitpid(rd, NULL, 0);
	xa_close(d);
	e2e_server_stop(&s);
}

/* ---- 3. 100 sessions, each with a ticking 800x600 app ---- */

/* In a child process: one app per session, each with its window mapped;
 * a byte on @ready once the server has applied them all (a SYNC answered
 * on each), then a tick a second for @seconds. */
static void ticking_apps(struct e2e_server *s, int seconds, int ready)
{
	struct xa_display *d[SESSIONS];
	uint32_t win[SESSIONS];
	for (int i = 0; i < SESSIONS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		d[i] = e2e_app(s, name);
		if (!d[i])
			_exit(1);
		win[i] = xa_window_create(d[i], 0, 0, 800, 600, 0, 0x203040);
		xa_window_map(d[i], win[i]);
		xa_flush(d[i]);
	}
	for (int i = 0; i < SESSIONS; i++)
		if (xa_sync(d[i], 30000) < 0)
			_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (int t = 0; t < seconds; t++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		usleep((useconds_t)(1000000 - ts.tv_nsec / 1000)); /* the next second */
		clock_gettime(CLOCK_REALTIME, &ts);
		for (int i = 0; i < SESSIONS; i++) {
			char txt[32];
			int n = snprintf(txt, sizeof(txt), "%ld", (long)ts.tv_sec);
			xa_text(d[i], win[i], 360, 290, txt, (size_t)n, 1, 0xffffff, 0x203040);
			xa_flush(d[i]);
		}
	}
	for (int i = 0; i < SESSIONS; i++)
		xa_close(d[i]);
	_exit(0);
}

/* Clients read every session; delay = arrival time past the second. */
static double watch(struct xp_conn *c, int seconds)
{
	struct pollfd p[SESSIONS];
	struct xp_msg m;
	double worst = 0;
	uint64_t end = xp_now_us() + (uint64_t)seconds * 1000000;
	for (int i = 0; i < SESSIONS; i++)
		p[i] = (struct pollfd){xp_conn_fd(&c[i]), POLLIN, 0};
	while (xp_now_us() < end) {
		if (poll(p, SESSIONS, 100) <= 0)
			continue;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (int i = 0; i < SESSIONS; i++) {
			if (!p[i].revents || xp_conn_read(&c[i]) < 0)
				continue;
			while (xp_conn_next(&c[i], &m) == 1) {
				if (m.op == XP_OP_MARK)
					ack(&c[i], &m);
				double late = (double)ts.tv_nsec / 1e6;
				if (m.op == XP_OP_TEXT && late < 500 && late > worst)
					worst = late;
			}
			xp_conn_flush(&c[i]);
			xp_conn_write(&c[i]);
		}
	}
	return worst;
}

/* True once the apps' process says every session has its window (a byte on
 * @fd, which is closed), within @ms; false if it ended or the time ran out. */
static bool apps_ready(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	char b;
	bool ok = poll(&p, 1, ms) == 1 && read(fd, &b, 1) == 1;
	close(fd);
	return ok;
}

static void bench_sessions(void)
{
	struct e2e_server s;
	static struct xp_conn c[SESSIONS];
	const int seconds = 12;
	if (e2e_server_start(&s, args) < 0)
		return;
	long rss0 = e2e_rss_kb(s.pid);
	int ready[2];
	if (pipe(ready) < 0) {
		e2e_server_stop(&s);
		return;
	}
	pid_t apps = fork();
	if (apps == 0) {
		close(ready[0]);
		ticking_apps(&s, seconds, ready[1]);
	}
	close(ready[1]);
	if (!apps_ready(ready[0], 60000)) {
		printf("%d sessions: the apps did not all show their window within 60 s\n",
		       SESSIONS);
		failures++;
		kill(apps, SIGTERM);
		waitpid(apps, NULL, 0);
		e2e_server_stop(&s);
		return;
	}
	for (int i = 0; i < SESSIONS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		if (e2e_raw_client(&s, &c[i], name, NULL, 0) < 0)
			printf("  session %d: client failed\n", i);
	}
	watch(c, 2); /* settle: attach refreshes */
	double cpu0 = load_cpu_seconds(s.pid);
	uint64_t t0 = xp_now_us();
	double worst = watch(c, seconds - 5);
	double cpu = load_cpu_seconds(s.pid) - cpu0, wall = (double)(xp_now_us() - t0) / 1e6;
	long rss = e2e_rss_kb(s.pid);
	double fb_kb = 800.0 * 600 * 4 / 1024;
	printf("%d sessions, each an 800x600 window ticking once a second, one client each\n",
	       SESSIONS);
	printf("  server CPU %.1f %% of one core  (target <= 25 %%)\n", 100.0 * cpu / wall);
	printf("  server RSS %ld KiB: %.0f KiB per session, %.0f KiB beyond its %.0f KiB\n"
	       "  framebuffer  (target <= 4096 KiB beyond)\n",
	       rss, (double)(rss - rss0) / SESSIONS, (double)(rss - rss0) / SESSIONS - fb_kb,
	       fb_kb);
	printf("  worst update delay (tick at the second -> client has it) %.2f ms\n", worst);
	for (int i = 0; i < SESSIONS; i++)
		xp_conn_finish(&c[i]);
	waitpid(apps, NULL, 0);
	e2e_server_stop(&s);
}

/* ---- 4. fairness: another session's round trip under the worst traffic ---- */

/* An attack that did not really happen is a failure (its figure proves nothing). */
static void bench_fairness(void)
{
	struct e2e_server s;
	struct hp_victim v;
	struct hp_rtt quiet, busy;
	struct hp_flood fl;
	struct hp_flood_report fr = {0};
	static const char *const fair_args[] = {"--no-launcher", "--log", "error", NULL};
	char load[96];
	bool real = false;
	if (e2e_server_start(&s, fair_args) < 0) {
		failures++;
		return;
	}
	hp_prioritize(s.pid);
	if (hp_victim_start(&v, &s, "victim", 10, 4) < 0 || hp_victim_finish(&v, &quiet) < 0)
		goto out;
	if (hp_victim_start(&v, &s, "victim", 10, 20) < 0)
		goto out;
	hp_prioritize(v.pid);
	double cpu0 = load_cpu_seconds(s.pid);
	if (hp_flood_start(&fl, &s, "hostile", HP_MIX, 18) == 0)
		hp_flood_finish(&fl, &fr, 120000);
	double cpu = load_cpu_seconds(s.pid) - cpu0;
	if (hp_victim_finish(&v, &busy) < 0)
		goto out;
	printf("another session's app round trip (SYNC), %d samples quiet, %d while one app sends\n"
	       "the worst traffic the protocol allows (every kind in turn, a client attached;\n"
	       "machine %s):\n",
	       quiet.n, busy.n, load_describe(load, sizeof(load)));
	/* the figure counts only if the attack really happened */
	real = fr.status == 0 && fr.final_sync && !fr.app_dropped && !fr.client_dropped &&
	       fr.errors == 0 && fr.applied > 0 && cpu >= 1.0;
	printf("  the attack: server CPU %.1f s, %ld messages applied in %ld batches (%ld "
	       "LIMIT)%s%s\n",
	       cpu, fr.applied, fr.confirmed, fr.refused, real ? "" : "; DID NOT REALLY RUN: ",
	       real ? "" : (fr.why[0] ? fr.why : "too little work"));
	printf("  quiet: p50 %.2f ms  p99 %.2f ms   under attack: p50 %.2f ms  p99 %.2f ms  max "
	       "%.2f ms   (target: p99 <= 20 ms, %s)\n",
	       quiet.p50, quiet.p99, busy.p50, busy.p99, busy.max_ms,
	       !real              ? "no evidence"
	       : busy.p99 <= 20.0 ? "met"
	                          : "NOT MET");
out:
	e2e_server_stop(&s);
	if (!real) {
		printf("  FAILED: the attack did not really happen\n");
		failures++;
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
} parts[] = {{"latency", bench_latency},
             {"cpu", bench_cpu_per_draw},
             {"sessions", bench_sessions},
             {"fairness", bench_fairness}};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

static const char usage[] =
    "usage: server_bench [--hogs N] [latency|cpu|sessions|fairness...]\n"
    "The server's figures: draw latency, CPU per draw, 100 ticking sessions and\n"
    "another session's round trip under the worst traffic (default: all).\n"
    "--hogs N (or $HP_HOGS): N CPU hogs of our own beside it; $HP_NICE=N: the\n"
    "server and the measuring app at nice N. Exit status 1 when a part could not\n"
    "measure what it names, 2 on bad usage.\n";

/* 0 when every argument names a part; 1 after --help; -1 after a message. */
static int check_args(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		bool known = false;
		for (size_t i = 0; i < NPARTS; i++)
			known |= !strcmp(argv[a], parts[i].name);
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			return fputs(usage, stdout), 1;
		if (!known)
			return fprintf(stderr, "server_bench: no part '%s'\n%s", argv[a], usage),
			       -1;
	}
	return 0;
}

/*
 * Usage: server_bench [--hogs N] [latency|cpu|sessions|fairness...] (default:
 * all; --hogs N or $HP_HOGS: N CPU hogs of our own beside it). Exits 1 when
 * a part could not measure what it names (the fairness attack did not run,
 * the 100 sessions' apps did not all show their window).
 */
int main(int argc, char **argv)
{
	int hogs = load_hogs_wanted(&argc, argv), usage_rc = check_args(argc, argv);
	if (usage_rc)
		return usage_rc > 0 ? 0 : 2;
	printf("%s", hp_priority_begin()); /* HP_NICE=N: the server's figures, not the machine's */
	if (hogs < 0 || load_hogs_start(hogs) < 0)
		return 2;
	if (hogs > 0)
		printf("beside %d CPU hogs of our own\n", hogs);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < NPARTS; i++) {
		bool want = argc == 1;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], parts[i].name);
		if (want)
			parts[i].fn();
	}
	return failures ? 1 : 0;
}
