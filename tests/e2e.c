/*
 * e2e.c - see e2e.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/socket.h>

#include "e2e.h"

const char *e2e_bin(const char *name, char *buf, size_t cap)
{
	const char *dir = getenv("XP_BIN");
	snprintf(buf, cap, "%s/%s", dir && *dir ? dir : "build/bin", name);
	return buf;
}

static int read_port(int fd, int timeout_ms)
{
	char buf[1024];
	size_t n = 0;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (n < sizeof(buf) - 1 && xp_now_us() < end) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		const char *at = strstr(buf, "(port ");
		if (at && strstr(buf, "cookie file"))
			return atoi(at + 6);
	}
	return -1;
}

static void exec_server(struct e2e_server *s, int out, const char *const *extra)
{
	char bin[512];
	/* a test that fails half-way never stops its server: when the test
	 * process goes, the server stops (and stops its apps) */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	const char *argv[32] = {e2e_bin("xproto-server", bin, sizeof(bin)),
	                        "--listen",
	                        "127.0.0.1:0",
	                        "--app-socket",
	                        s->app_socket,
	                        "--cookie",
	                        s->cookie,
	                        "--dump-dir",
	                        s->dir};
	int n = 9;
	for (int i = 0; extra && extra[i] && n < 28; i++)
		argv[n++] = extra[i];
	if (getenv("E2E_SERVER_LOG")) { /* e.g. debug, when a test needs a closer look */
		argv[n++] = "--log";
		argv[n++] = getenv("E2E_SERVER_LOG");
	}
	argv[n] = NULL;
	dup2(out, 1);
	int log = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (log >= 0)
		dup2(log, 2);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

int e2e_server_start(struct e2e_server *s, const char *const *extra)
{
	int pipefd[2];
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/xproto-e2e-XXXXXX");
	if (!mkdtemp(s->dir) || pipe(pipefd) < 0)
		return -1;
	snprintf(s->cookie, sizeof(s->cookie), "%s/cookie", s->dir);
	snprintf(s->app_socket, sizeof(s->app_socket), "%s/app.sock", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	s->pid = fork();
	if (s->pid == 0) {
		close(pipefd[0]);
		exec_server(s, pipefd[1], extra);
	}
	close(pipefd[1]);
	s->port = read_port(pipefd[0], 20000);
	close(pipefd[0]);
	snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%d", s->port);
	s->display = -1;
	return s->port > 0 ? 0 : -1;
}

void e2e_server_stop(struct e2e_server *s)
{
	char cmd[160];
	if (s->pid > 0 && proc_stop(s->pid, SIGTERM, 20000) == -1)
		fprintf(stderr, "e2e: server did not stop in 20 s\n");
	if (getenv("E2E_KEEP"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "e2e: cannot remove %s\n", s->dir);
}

int e2e_server_dump(struct e2e_server *s)
{
	char done[160];
	snprintf(done, sizeof(done), "%s/done", s->dir);
	unlink(done);
	kill(s->pid, SIGUSR1);
	return proc_wait_file(done, 20000) ? 0 : -1;
}

int e2e_server_window(struct e2e_server *s, const char *session, uint32_t id, struct xr_fb *out)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s-%u.png", s->dir, session, id);
	return xr_png_read_file(path, out);
}

struct xa_display *e2e_app(struct e2e_server *s, const char *session)
{
	struct xp_error err;
	struct xa_display *d = xa_open_at(s->app_socket, s->cookie, session, "e2e-app", &err);
	if (!d)
		fprintf(stderr, "e2e: app: %s\n", err.text);
	return d;
}

pid_t e2e_client_spawn(struct e2e_server *s, const char *script, const char *const *extra)
{
	static int seq;
	char spath[160], log[160], bin[512];
	int k = ++seq;
	snprintf(spath, sizeof(spath), "%s/script-%d.txt", s->dir, k);
	snprintf(log, sizeof(log), "%s/client-%d.log", s->dir, k);
	FILE *f = fopen(spath, "w");
	if (!f)
		return -1;
	fputs(script, f);
	fclose(f);
	const char *argv[32] = {e2e_bin("thin-client", bin, sizeof(bin)), "--headless", "--script",
	                        spath};
	int n = 4;
	bool own_cookie = false; /* thin-client refuses an option given twice */
	for (int i = 0; extra && extra[i]; i++)
		own_cookie |= !strcmp(extra[i], "--cookie");
	if (!own_cookie) {
		argv[n++] = "--cookie";
		argv[n++] = s->cookie;
	}
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n++] = s->addr;
	argv[n] = NULL;
	return proc_spawn(argv, log);
}

int e2e_client_run(struct e2e_server *s, const char *script, const char *const *extra)
{
	pid_t pid = e2e_client_spawn(s, script, extra);
	return pid < 0 ? -1 : proc_wait(pid, 60000);
}

struct checkpoint {
	const struct e2e_server *s;
	char want[72];
};

/* True when some client log in the server's directory holds the checkpoint. */
static bool logged_checkpoint(void *arg)
{
	const struct checkpoint *cp = arg;
	char pattern[160], line[256];
	bool found = false;
	glob_t g;
	snprintf(pattern, sizeof(pattern), "%s/client-*.log", cp->s->dir);
	if (glob(pattern, 0, NULL, &g) != 0)
		return false;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		while (f && !found && fgets(line, sizeof(line), f))
			found = strncmp(line, cp->want, strlen(cp->want)) == 0;
		if (f)
			fclose(f);
	}
	globfree(&g);
	return found;
}

bool e2e_checkpoint(const struct e2e_server *s, const char *name, int timeout_ms)
{
	struct checkpoint cp = {s, ""};
	snprintf(cp.want, sizeof(cp.want), "checkpoint %s ", name);
	return proc_until(logged_checkpoint, &cp, timeout_ms);
}

/* One try of e2e_client_vs_server(): the differing pixels, or -1. */
static long compare_once(struct e2e_server *s, uint32_t id, int x, int y, int w, int h)
{
	char script[256], path[160];
	struct xr_fb shot, srv;
	long diff = -1;
	snprintf(path, sizeof(path), "%s/vs-server.png", s->dir);
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nquit\n", path);
	if (e2e_client_run(s, script, NULL) != 0 || e2e_server_dump(s) < 0 ||
	    xr_png_read_file(path, &shot) < 0)
		return -1;
	if (e2e_server_window(s, "main", id, &srv) == 0) {
		diff = e2e_fb_diff_at(&shot, x, y, &srv, w, h);
		xr_fb_finish(&srv);
	}
	xr_fb_finish(&shot);
	return diff;
}

long e2e_client_vs_server(struct e2e_server *s, uint32_t id, int x, int y, int w, int h,
                          int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	long diff = -1;
	for (int i = 0; i < 100; i++) {
		diff = compare_once(s, id, x, y, w, h);
		if (diff == 0 || xp_now_us() >= end)
			break;
		fprintf(stderr, "e2e: client and server differ (%ld), trying again\n", diff);
	}
	return diff;
}

long e2e_fb_diff(const struct xr_fb *a, const struct xr_fb *b, int w, int h)
{
	long n = 0;
	if (a->w < w || a->h < h || b->w < w || b->h < h)
		return -1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			n += (a->px[(size_t)y * a->stride + x] & 0xffffff) !=
			     (b->px[(size_t)y * b->stride + x] & 0xffffff);
	return n;
}

long e2e_fb_diff_at(const struct xr_fb *screen, int x, int y, const struct xr_fb *win, int w, int h)
{
	long n = 0;
	if (x < 0 || y < 0 || screen->w < x + w || screen->h < y + h || win->w < w || win->h < h)
		return -1;
	for (int r = 0; r < h; r++)
		for (int c = 0; c < w; c++)
			n += (screen->px[(size_t)(y + r) * screen->stride + x + c] & 0xffffff) !=
			     (win->px[(size_t)r * win->stride + c] & 0xffffff);
	return n;
}

int e2e_window_pos(struct xa_display *d, uint32_t win, int32_t *x, int32_t *y)
{
	struct xa_event ev;
	if (xa_sync(d, 20000) < 0)
		return -1;
	for (int i = 0; i < 4096 && xa_next_event(d, &ev, 0) == 1; i++)
		if (ev.type == XA_CONFIGURE && ev.win == win)
			*x = ev.x, *y = ev.y;
	return 0;
}

bool e2e_fb_region_equal(const struct xr_fb *a, const struct xr_fb *b, int w, int h)
{
	return e2e_fb_diff(a, b, w, h) == 0;
}

int e2e_raw_client(struct e2e_server *s, struct xp_conn *c, const char *session,
                   const uint8_t *cookie_override, int rcvbuf)
{
	struct xp_error err;
	struct xp_cookie ck;
	if (xp_cookie_load(s->cookie, false, &ck, &err) < 0)
		return -1;
	if (cookie_override)
		memcpy(ck.data, cookie_override, ck.len);
	int fd = xp_net_connect(s->addr, XP_NET_CLOEXEC, &err);
	if (fd < 0)
		return -1;
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	xp_conn_init(c, fd, XP_MAX_MSG_DEFAULT, true);
	struct xp_caps want = {XP_FLAG_ZLIB, XP_MAX_MSG_DEFAULT, 800, 600}, got;
	return xp_handshake_client(c, XP_ROLE_CLIENT, &ck, &want, session, "raw", &got, 10000);
}

pid_t e2e_launched_pid(const struct e2e_server *s, const char *app)
{
	char line[512], want[64];
	pid_t pid = -1;
	snprintf(want, sizeof(want), "launched %s (pid ", app);
	FILE *f = fopen(s->log, "r");
	while (f && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, want);
		if (at)
			pid = atoi(at + strlen(want));
	}
	if (f)
		fclose(f);
	return pid;
}

struct reaped {
	const struct e2e_server *s;
	char want[64];
};

static bool logged_reaped(void *arg)
{
	struct reaped *r = arg;
	char line[512];
	bool found = false;
	FILE *f = fopen(r->s->log, "r");
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, r->want) != NULL;
	if (f)
		fclose(f);
	return found;
}

bool e2e_app_reaped(const struct e2e_server *s, pid_t pid, int timeout_ms)
{
	struct reaped r = {s, ""};
	snprintf(r.want, sizeof(r.want), "app pid %d ", (int)pid);
	return proc_until(logged_reaped, &r, timeout_ms);
}

long e2e_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

/* Run the server on display @n; 0 once it serves, 3 if the display is taken, -1. */
static int try_display(struct e2e_server *s, int n, const char *const *extra)
{
	char bin[512], disp[16];
	const char *argv[32] = {e2e_bin("xproto-server", bin, sizeof(bin)),
	                        disp,
	                        "--cookie",
	                        s->cookie,
	                        "--dump-dir",
	                        s->dir};
	int pipefd[2], k = 6;
	snprintf(disp, sizeof(disp), ":%d", n);
	for (int i = 0; extra && extra[i] && k < 30; i++)
		argv[k++] = extra[i];
	argv[k] = NULL;
	if (pipe(pipefd) < 0)
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* as e2e_server_start's: never outlives us */
		dup2(pipefd[1], 1);
		int log = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (log >= 0)
			dup2(log, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	s->port = read_port(pipefd[0], 10000);
	close(pipefd[0]);
	if (s->port > 0)
		return 0;
	int status = proc_wait(s->pid, 5000);
	s->pid = 0;
	return status == 3 ? 3 : -1;
}

int e2e_display_start(struct e2e_server *s, const char *const *extra)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/xproto-e2e-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->cookie, sizeof(s->cookie), "%s/cookie", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	int base = 100 + (int)(getpid() % 700);
	for (int i = 0; i < 64; i++) {
		int n = base + i, r = try_display(s, n, extra);
		if (r == 3)
			continue;
		if (r < 0)
			return -1;
		s->display = n;
		snprintf(s->addr, sizeof(s->addr), ":%d", n);
		xp_display_socket(n, s->app_socket, sizeof(s->app_socket));
		return 0;
	}
	return -1;
}
