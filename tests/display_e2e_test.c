/*
 * display_e2e_test.c - many users on one host, X-style (issue 12, item 7):
 * `xproto-server :N` on its port 7100+N and its private socket; a second
 * server on a taken display exits 3 and leaves the first alone;
 * XPROTO_DISPLAY leads apps and thin clients there (an explicit address
 * wins); launched apps are told their display; a session that does not
 * exist is an error unless --new (which says so); --list shows sessions
 * with their windows, clients, viewers and idle time; and `make run`'s
 * demo: under Xvfb closing its window detaches and Ctrl-C stops everything
 * it started; without a display it replays a session, writes its
 * screenshots and stops everything. Real server, thin-client, app and demo
 * processes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include <cmocka.h>

#include "e2e.h"
#include "xvfb.h"

#define T_MS 30000 /* far above a slow run; a condition ends it sooner */

/*
 * Run @argv (with @env "NAME=VALUE" entries set, "NAME=" unset; NULL-ended,
 * may be NULL), its stdout and stderr into @out (@cap bytes, NUL-terminated).
 * Returns its exit status, or -1 if it did not end within T_MS.
 */
static int run(const char *const *argv, const char *const *env, char *out, size_t cap)
{
	char path[] = "/tmp/xproto-run-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; env && env[i]; i++) {
			char name[64];
			const char *eq = strchr(env[i], '=');
			snprintf(name, sizeof(name), "%.*s", (int)(eq - env[i]), env[i]);
			eq[1] ? setenv(name, eq + 1, 1) : unsetenv(name);
		}
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status = proc_wait(pid, T_MS);
	ssize_t n = pread(fd, out, cap - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return status;
}

/* thin-client with @args (NULL-ended) and @env; as run(). */
static int thin(const char *const *args, const char *const *env, char *out, size_t cap)
{
	char bin[256];
	const char *argv[16] = {e2e_bin("thin-client", bin, sizeof(bin))};
	for (int i = 0; i < 14 && args[i]; i++)
		argv[i + 1] = args[i];
	return run(argv, env, out, cap);
}

struct list_line {
	struct e2e_server *s;
	const char *line;
	char *out;
	size_t cap;
};

/* proc_until: `thin-client --list` of @arg's server prints a line starting
 * with its line (the whole list in out). */
static bool list_has(void *arg)
{
	struct list_line *ll = arg;
	const char *args[] = {"--cookie", ll->s->cookie, "--list", ll->s->addr, NULL};
	if (thin(args, NULL, ll->out, ll->cap) != 0)
		return false;
	for (const char *l = ll->out; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		if (!strncmp(l, ll->line, strlen(ll->line)))
			return true;
	}
	return false;
}

/* Wait up to @ms until `thin-client --list` of @s prints a line starting with @line. */
static bool list_shows(struct e2e_server *s, const char *line, char *out, size_t cap, int ms)
{
	struct list_line ll = {s, line, out, cap};
	return proc_until(list_has, &ll, ms);
}

static void test_display_endpoints(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_error err;
	struct stat st;
	char addr[64], dir[64];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", 7100 + s.display);
	assert_int_equal(s.port, 7100 + s.display);
	int fd = xp_net_connect(addr, XP_NET_CLOEXEC, &err);
	assert_true(fd >= 0);
	close(fd);
	/* the socket: only this user may reach it, in a directory only it may enter */
	assert_int_equal(stat(s.app_socket, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0);
	assert_int_equal(lstat(xp_display_socket_dir(dir, sizeof(dir)), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	/* an app on the socket, a thin client on the port: both reach the session */
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	uint32_t win = xa_window_create(d, 0, 0, 100, 50, 0, 0x336699);
	xa_window_map(d, win);
	assert_int_equal(xa_sync(d, T_MS), 0);
	char out[4096];
	assert_true(list_shows(&s, "main ", out, sizeof(out), T_MS));
	xa_close(d);
	e2e_server_stop(&s);
	assert_int_equal(access(s.app_socket, F_OK), -1); /* removed when it stops */
}

static void test_taken_display_exits_3(void **state)
{
	(void)state;
	struct e2e_server s;
	char bin[256], disp[16], cookie[160], out[4096];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	snprintf(disp, sizeof(disp), ":%d", s.display);
	snprintf(cookie, sizeof(cookie), "%s/other-cookie", s.dir);
	const char *argv[] = {e2e_bin("xproto-server", bin, sizeof(bin)), disp, "--cookie", cookie,
	                      NULL};
	assert_int_equal(run(argv, NULL, out, sizeof(out)), 3);
	assert_non_null(strstr(out, "is taken"));
	/* the same display's socket alone (another port): still refused, still the first's */
	const char *sock_only[] = {argv[0],    disp,          "--cookie", cookie,
	                           "--listen", "127.0.0.1:0", NULL};
	assert_int_equal(run(sock_only, NULL, out, sizeof(out)), 3);
	assert_non_null(strstr(out, "in use by a running server"));
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	assert_int_equal(xa_sync(d, T_MS), 0);
	xa_close(d);
	/* no display given, a busy --listen port: that address is in use, no display is */
	struct xp_error err;
	int port = 0, busy = xp_net_listen_tcp("127.0.0.1:0", XP_NET_CLOEXEC, &port, &err);
	char listen[32], sock[160], want[64];
	assert_true(busy >= 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(sock, sizeof(sock), "%s/other.sock", s.dir);
	const char *port_busy[] = {argv[0], "--cookie",     cookie, "--listen",
	                           listen,  "--app-socket", sock,   NULL};
	assert_int_equal(run(port_busy, NULL, out, sizeof(out)), 3);
	snprintf(want, sizeof(want), "listen %s: Address already in use", listen);
	assert_non_null(strstr(out, want));
	assert_non_null(
	    strstr(out, "address in use (named above); try another --listen or --app-socket"));
	assert_null(strstr(out, "display"));
	close(busy);
	/* nonsense is a usage error */
	const char *bad[] = {argv[0], ":1000", NULL};
	assert_int_equal(run(bad, NULL, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "not a display"));
	e2e_server_stop(&s);
}

static void test_xproto_display_leads_apps_and_clients(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_error err;
	char out[4096], env_display[96], env_cookie[200];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	/* an app with XPROTO_DISPLAY=:N and no XPROTO_APP_SOCKET */
	setenv("XPROTO_DISPLAY", s.addr, 1);
	setenv("XPROTO_COOKIE", s.cookie, 1);
	unsetenv("XPROTO_APP_SOCKET");
	setenv("XPROTO_SESSION", "envtest", 1);
	/* a session that does not exist is refused, naming those there are */
	assert_null(xa_open("env-app", &err));
	assert_non_null(
	    strstr(err.text, "no session 'envtest' (none yet; main is created when joined)"));
	struct xa_display *creator = xa_open_at(s.app_socket, s.cookie, "envtest", "creator", &err);
	if (!creator)
		fail_msg("xa_open_at: %s", err.text);
	struct xa_display *d = xa_open("env-app", &err);
	if (!d)
		fail_msg("xa_open: %s", err.text);
	uint32_t win = xa_window_create(d, 0, 0, 60, 40, 0, 0x445566);
	xa_window_map(d, win);
	assert_int_equal(xa_sync(d, T_MS), 0);
	/* another host's display is not for apps: a clear error */
	setenv("XPROTO_DISPLAY", "elsewhere.example:3", 1);
	assert_null(xa_open("env-app", &err));
	assert_non_null(strstr(err.text, "another host"));
	unsetenv("XPROTO_DISPLAY");
	unsetenv("XPROTO_COOKIE");
	unsetenv("XPROTO_SESSION");
	/* a thin client without an address goes to $XPROTO_DISPLAY */
	snprintf(env_display, sizeof(env_display), "XPROTO_DISPLAY=%s", s.addr);
	snprintf(env_cookie, sizeof(env_cookie), "XPROTO_COOKIE=%s", s.cookie);
	const char *env[] = {env_display, env_cookie, NULL};
	assert_int_equal(thin((const char *const[]){"--list", NULL}, env, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "envtest "));
	/* an explicit address wins over it */
	const char *bad_env[] = {"XPROTO_DISPLAY=:999", env_cookie, NULL};
	assert_int_equal(
	    thin((const char *const[]){"--list", s.addr, NULL}, bad_env, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "envtest "));
	assert_int_equal(thin((const char *const[]){"--list", NULL}, bad_env, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cannot list the sessions of :999"));
	xa_close(d);
	xa_close(creator);
	e2e_server_stop(&s);
}

static void test_launched_apps_know_their_display(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[512], envfile[200], want[64], out[4096];
	snprintf(envfile, sizeof(envfile), "/tmp/xproto-display-env-%d", (int)getpid());
	snprintf(apps, sizeof(apps), "/tmp/xproto-display-apps-%d", (int)getpid());
	FILE *f = fopen(apps, "w");
	assert_non_null(f);
	fprintf(f, "envdump | e | env | grep ^XPROTO_ > %s.tmp; mv %s.tmp %s\n", envfile, envfile,
	        envfile);
	fclose(f);
	unlink(envfile);
	setenv("XPROTO_APP_SOCKET", "/nonexistent/inherited.sock", 1); /* must not leak */
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--apps", apps, NULL}), 0);
	unsetenv("XPROTO_APP_SOCKET");
	pid_t c = e2e_client_spawn(&s, "launch envdump\nwait 60000\n", NULL);
	assert_true(proc_wait_file(envfile, T_MS));
	f = fopen(envfile, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	snprintf(want, sizeof(want), "XPROTO_DISPLAY=:%d\n", s.display);
	assert_non_null(strstr(out, want));
	assert_null(strstr(out, "XPROTO_APP_SOCKET"));
	assert_non_null(strstr(out, "XPROTO_SESSION=main\n"));
	/* envdump ends without a window: the script that launched it stops, status 1 */
	assert_int_equal(proc_wait(c, T_MS), 1);
	e2e_server_stop(&s);
	unlink(envfile);
	unlink(apps);
}

static void test_sessions_must_exist_unless_new(void **state)
{
	(void)state;
	struct e2e_server s;
	char out[8192];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	char quick[128]; /* in the test's directory: another run's cannot be it */
	snprintf(quick, sizeof(quick), "%s/quit.txt", s.dir);
	FILE *f = fopen(quick, "w");
	assert_non_null(f);
	fputs("quit\n", f);
	fclose(f);
	/* main is always there to join */
	const char *main_args[] = {"--headless", "--cookie", s.cookie, "--script",
	                           quick,        s.addr,     NULL};
	assert_int_equal(thin(main_args, NULL, out, sizeof(out)), 0);
	/* a typo: refused, naming what there is, and no session appears */
	const char *typo[] = {"--headless", "--cookie", s.cookie, "--script", quick,
	                      "--session",  "wrok",     s.addr,   NULL};
	assert_int_equal(thin(typo, NULL, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "no session 'wrok' (sessions: main)"));
	assert_non_null(strstr(out, "--new creates it"));
	assert_true(list_shows(&s, "main ", out, sizeof(out), T_MS));
	assert_null(strstr(out, "wrok"));
	/* --new creates it and says so; a second --new just joins */
	const char *make[] = {"--headless", "--cookie", s.cookie, "--script", quick,
	                      "--session",  "wrok",     "--new",  s.addr,     NULL};
	assert_int_equal(thin(make, NULL, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "created session 'wrok'"));
	assert_int_equal(thin(make, NULL, out, sizeof(out)), 0);
	assert_null(strstr(out, "created session"));
	assert_true(list_shows(&s, "wrok ", out, sizeof(out), T_MS));
	unlink(quick);
	e2e_server_stop(&s);
}

struct idle_time {
	struct list_line ll;
	char *idle; /* 16 bytes */
};

/* proc_until: the list shows @arg's session line with an idle time past "0s". */
static bool idle_counts(void *arg)
{
	struct idle_time *it = arg;
	if (!list_has(&it->ll))
		return false;
	const char *at = strstr(it->ll.out, it->ll.line);
	return at && sscanf(at + strlen(it->ll.line), "%15s", it->idle) == 1 &&
	       strcmp(it->idle, "0s") != 0;
}

/* The list's columns: an app window, one client and one viewer in "work". */
static void test_list_columns(void **state)
{
	(void)state;
	struct e2e_server s;
	char out[8192];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	struct xa_display *d = e2e_app(&s, "work"); /* an app may still create its session */
	assert_non_null(d);
	uint32_t win = xa_window_create(d, 0, 0, 60, 40, 0, 0x445566);
	xa_window_map(d, win);
	assert_int_equal(xa_sync(d, T_MS), 0);
	const char *const viewer[] = {"--read-only", "--session", "work", NULL};
	const char *const client[] = {"--session", "work", NULL};
	pid_t v = e2e_client_spawn(&s, "wait 60000\n", viewer);
	pid_t c = e2e_client_spawn(&s, "key a\nwait 60000\n", client);
	char want[128], head[128], idle[16] = "0s";
	snprintf(want, sizeof(want), "%-24s %7d %7d %7d  ", "work", 1, 1, 1);
	snprintf(head, sizeof(head), "%-24s %7s %7s %7s  %s", "SESSION", "WINDOWS", "CLIENTS",
	         "VIEWERS", "IDLE");
	assert_true(list_shows(&s, want, out, sizeof(out), T_MS));
	assert_non_null(strstr(out, head));
	/* idle time counts up from the last key: seconds, then minutes... */
	struct idle_time it = {{&s, want, out, sizeof(out)}, idle};
	assert_true(proc_until(idle_counts, &it, T_MS));
	assert_true(idle[0] >= '1' && idle[0] <= '9' && idle[strlen(idle) - 1] == 's');
	kill(v, SIGTERM);
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(v, 10000), 0);
	assert_int_equal(proc_wait(c, 10000), 0);
	xa_close(d);
	e2e_server_stop(&s);
}

/* ---- make run (tools/demo.sh) under Xvfb ---- */

/* The thin-client window on the X display (WM_CLASS "thin-client"), or 0. */
static xcb_window_t find_client_window(xcb_connection_t *xc)
{
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(xc)).data->root, found = 0;
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(xc, xcb_query_tree(xc, root), NULL);
	xcb_window_t *kids = t ? xcb_query_tree_children(t) : NULL;
	for (int i = 0; t && i < xcb_query_tree_children_length(t) && !found; i++) {
		xcb_get_property_reply_t *p = xcb_get_property_reply(
		    xc, xcb_get_property(xc, 0, kids[i], XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 0, 16),
		    NULL);
		if (p && xcb_get_property_value_length(p) >= 11 &&
		    !memcmp(xcb_get_property_value(p), "thin-client", 11))
			found = kids[i];
		free(p);
	}
	free(t);
	return found;
}

/* Close @win as a window manager's close button does. */
static void close_window(xcb_connection_t *xc, xcb_window_t win)
{
	xcb_intern_atom_reply_t *proto =
	    xcb_intern_atom_reply(xc, xcb_intern_atom(xc, 0, 12, "WM_PROTOCOLS"), NULL);
	xcb_intern_atom_reply_t *del =
	    xcb_intern_atom_reply(xc, xcb_intern_atom(xc, 0, 16, "WM_DELETE_WINDOW"), NULL);
	assert_non_null(proto);
	assert_non_null(del);
	xcb_client_message_event_t cm = {
	    .response_type = XCB_CLIENT_MESSAGE, .format = 32, .window = win, .type = proto->atom};
	cm.data.data32[0] = del->atom;
	xcb_send_event(xc, 0, win, 0, (const char *)&cm);
	xcb_flush(xc);
	free(proto);
	free(del);
}

/* Processes whose environment names @cookie (what the demo started), counted. */
static int processes_with(const char *cookie)
{
	char want[256], path[64], env[8192];
	int n = 0;
	snprintf(want, sizeof(want), "XPROTO_COOKIE=%s", cookie);
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%.16s/environ", e->d_name);
		int fd = open(path, O_RDONLY);
		ssize_t k = fd >= 0 ? read(fd, env, sizeof(env) - 1) : -1;
		if (fd >= 0)
			close(fd);
		for (ssize_t i = 0; k > 0 && i < k; i += (ssize_t)strlen(env + i) + 1) {
			env[k] = '\0';
			if (!strcmp(env + i, want)) {
				n++;
				break;
			}
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* Wait until @path has a line containing @text; that line in @line. */
static bool output_line(const char *path, const char *text, char *line, size_t cap, int ms)
{
	return proc_wait_line(path, text, line, cap, ms);
}

/* proc_until: no process names the cookie @arg any more. */
static bool none_with(void *arg)
{
	return processes_with(arg) == 0;
}

struct client_window {
	xcb_connection_t *xc;
	xcb_window_t win;
};

/* proc_until: the thin-client window is on @arg's display (its id in win). */
static bool window_there(void *arg)
{
	struct client_window *cw = arg;
	return (cw->win = find_client_window(cw->xc)) != 0;
}

/* Start the demo under DISPLAY in a process group of its own; its output to @log. */
static pid_t start_demo(const char *log, const char *outdir, int first)
{
	char bin[256], firstenv[16];
	e2e_bin("", bin, sizeof(bin));
	bin[strlen(bin) - 1] = '\0'; /* the directory */
	snprintf(firstenv, sizeof(firstenv), "%d", first);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed test leaves no demo behind */
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("XPROTO_DEMO_OUT", outdir, 1);
		setenv("XPROTO_DEMO_FIRST", firstenv, 1);
		execl("/bin/sh", "sh", "tools/demo.sh", bin, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

static void test_demo_window_detaches_and_ctrl_c_stops_all(void **state)
{
	(void)state;
	struct xvfb x;
	char dir[] = "/tmp/xproto-demo-test-XXXXXX", log[128], line[512], out[4096];
	if (!xvfb_available())
		fail_msg("Xvfb is missing (tools/deps.sh installs it)");
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/demo.log", dir);
	assert_int_equal(xvfb_start(&x, 1024, 768, 10000), 0);
	pid_t demo = start_demo(log, dir, 100 + (int)(getpid() % 700));
	assert_true(output_line(log, "opening a thin-client window", line, sizeof(line), T_MS));
	xcb_connection_t *xc = xcb_connect(x.name, NULL);
	assert_int_equal(xcb_connection_has_error(xc), 0);
	struct client_window cw = {xc, 0};
	assert_true(proc_until(window_there, &cw, T_MS));
	xcb_window_t win = cw.win;
	/* closing the window detaches: the demo says how to come back */
	close_window(xc, win);
	assert_true(output_line(log, "detached; the session runs on", line, sizeof(line), T_MS));
	assert_true(output_line(log, "thin-client --cookie ", line, sizeof(line), T_MS));
	char cookie[256], disp[16];
	assert_int_equal(sscanf(line, " %*s --cookie %255s %15s", cookie, disp), 2);
	const char *list[] = {"--cookie", cookie, "--list", disp, NULL};
	assert_int_equal(thin(list, NULL, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "main "));
	assert_true(processes_with(cookie) >= 1); /* the launcher the server started runs on */
	/* Ctrl-C: everything the demo started stops */
	kill(-demo, SIGINT);
	assert_int_equal(proc_wait(demo, T_MS), 130);
	if (!proc_until(none_with, cookie, T_MS))
		fail_msg("%d processes the demo started still run", processes_with(cookie));
	assert_int_equal(thin(list, NULL, out, sizeof(out)), 1);
	xcb_disconnect(xc);
	xvfb_stop(&x);
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	assert_int_equal(system(line), 0);
}

/* Without $DISPLAY the demo replays a session headless, writes its
 * screenshots, and stops everything it started. */
static void test_demo_headless_replays_and_stops(void **state)
{
	(void)state;
	char dir[] = "/tmp/xproto-demo-test-XXXXXX", log[128], line[512], png[160];
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/demo.log", dir);
	char *display = getenv("DISPLAY") ? strdup(getenv("DISPLAY")) : NULL;
	unsetenv("DISPLAY");
	pid_t demo = start_demo(log, dir, 100 + (int)(getpid() % 700));
	assert_int_equal(proc_wait(demo, 120000), 0);
	if (display) {
		setenv("DISPLAY", display, 1);
		free(display);
	}
	assert_true(output_line(log, "cookie file ", line, sizeof(line), 1000));
	char cookie[256];
	assert_int_equal(sscanf(strstr(line, "cookie file ") + 12, "%255s", cookie), 1);
	assert_true(output_line(log, "demo: screenshots:", line, sizeof(line), 1000));
	assert_true(output_line(log, "wire bytes", line, sizeof(line), 1000));
	static const char *const shots[] = {"1-launcher", "2-terminal", "3-terminal-and-clock"};
	for (int i = 0; i < 3; i++) {
		struct xr_fb fb;
		snprintf(png, sizeof(png), "%s/%s.png", dir, shots[i]);
		assert_int_equal(xr_png_read_file(png, &fb), 0);
		assert_int_equal(fb.w, 800);
		xr_fb_finish(&fb);
	}
	/* the terminal, its shell and the clock stop too */
	if (!proc_until(none_with, cookie, T_MS))
		fail_msg("%d processes the demo started still run", processes_with(cookie));
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	assert_int_equal(system(line), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_display_endpoints),
	    cmocka_unit_test(test_taken_display_exits_3),
	    cmocka_unit_test(test_xproto_display_leads_apps_and_clients),
	    cmocka_unit_test(test_launched_apps_know_their_display),
	    cmocka_unit_test(test_sessions_must_exist_unless_new),
	    cmocka_unit_test(test_list_columns),
	    cmocka_unit_test(test_demo_window_detaches_and_ctrl_c_stops_all),
	    cmocka_unit_test(test_demo_headless_replays_and_stops),
	};
	return cmocka_run_group_tests_name("displays and sessions", tests, NULL, NULL);
}
