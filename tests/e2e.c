/*
 * e2e.c - see e2e.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	s->port = read_port(pipefd[0], 5000);
	close(pipefd[0]);
	snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%d", s->port);
	s->display = -1;
	return s->port > 0 ? 0 : -1;
}

void e2e_server_stop(struct e2e_server *s)
{
	char cmd[160];
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		if (e2e_wait(s->pid, 5000) == -1)
			fprintf(stderr, "e2e: server did not stop in 5 s\n");
	}
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
	return e2e_wait_file(done, 5000) ? 0 : -1;
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

static void exec_client(struct e2e_server *s, const char *script, const char *log,
                        const char *const *extra)
{
	char bin[512];
	const char *argv[32] = {e2e_bin("thin-client", bin, sizeof(bin)),
	                        "--headless",
	                        "--cookie",
	                        s->cookie,
	                        "--script",
	                        script};
	int n = 6;
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n++] = s->addr;
	argv[n] = NULL;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, 2);
		dup2(fd, 1);
	}
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

pid_t e2e_client_spawn(struct e2e_server *s, const char *script, const char *const *extra)
{
	static int seq;
	char spath[160], log[160];
	int k = ++seq;
	snprintf(spath, sizeof(spath), "%s/script-%d.txt", s->dir, k);
	snprintf(log, sizeof(log), "%s/client-%d.log", s->dir, k);
	FILE *f = fopen(spath, "w");
	if (!f)
		return -1;
	fputs(script, f);
	fclose(f);
	pid_t pid = fork();
	if (pid == 0)
		exec_client(s, spath, log, extra);
	return pid;
}

int e2e_wait(pid_t pid, int timeout_ms)
{
	int status;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (xp_now_us() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0)
			return -1;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

bool e2e_wait_file(const char *path, int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	struct stat st;
	while (xp_now_us() < end) {
		if (stat(path, &st) == 0)
			return true;
		usleep(5000);
	}
	return false;
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
	return xp_handshake_client(c, XP_ROLE_CLIENT, &ck, &want, session, "raw", &got, 5000);
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
	int status = e2e_wait(s->pid, 5000);
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
