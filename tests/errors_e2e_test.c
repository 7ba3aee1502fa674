/*
 * errors_e2e_test.c - what went wrong is said, and the exit status tells
 * (an outside tester's findings): apps on a screen wider than the window
 * limit show a window of the limit's size; an app whose window the server
 * refuses says why and ends non-zero; xp-term passes its command's failure
 * on; a screenshot that cannot be written fails the client; options given
 * twice or that make no sense together are refused; a peer that is no
 * xproto server is not called "another version"; a message a role may not
 * send is STATE whatever its body; a cut capture fails xproto-dump. Real
 * server, apps, thin clients and xproto-dump; every wait is on a condition.
 */
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define T_MS 30000 /* far above a slow run; a condition ends it sooner */

/* Start a server offering @apps ("name | about | command" lines). */
static void start(struct e2e_server *s, const char *apps)
{
	char path[160];
	snprintf(path, sizeof(path), "/tmp/xproto-errors-%d.apps", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(apps, f);
	fclose(f);
	const char *args[] = {"--apps", path, "--no-launcher", NULL};
	assert_int_equal(e2e_server_start(s, args), 0);
	unlink(path);
}

/* The log of the last client e2e_client_spawn() started on @s (numbered
 * across the whole test process). */
static const char *client_log(const struct e2e_server *s, char *out, size_t cap)
{
	char pattern[160];
	int best = -1, n;
	glob_t g;
	snprintf(pattern, sizeof(pattern), "%s/client-*.log", s->dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (sscanf(strrchr(g.gl_pathv[i], '/'), "/client-%d.log", &n) == 1 &&
			    n > best)
				best = n;
		globfree(&g);
	}
	snprintf(out, cap, "%s/client-%d.log", s->dir, best);
	return out;
}

struct log_of {
	const struct e2e_server *s;
	char *out;
	size_t cap;
};

/* proc_until: @arg's server has a client log (its name into @arg). */
static bool log_there(void *arg)
{
	struct log_of *l = arg;
	client_log(l->s, l->out, l->cap);
	return access(l->out, F_OK) == 0;
}

/* Start a client on @s as e2e_client_spawn() does; its log's path into @log. */
static pid_t spawn_client(struct e2e_server *s, const char *script, const char *const *extra,
                          char *log, size_t cap)
{
	pid_t c = e2e_client_spawn(s, script, extra);
	struct log_of l = {s, log, cap};
	assert_true(c > 0 && proc_until(log_there, &l, T_MS));
	return c;
}

/* True once file @path has a line containing @text (bounded by @ms). */
static bool has(const char *path, const char *text, int ms)
{
	return proc_wait_line(path, text, NULL, 0, ms);
}

/* Run @argv (its stdout and stderr in @out) to its end; its exit status. */
static int run(const char *const *argv, const char *out)
{
	return proc_run(argv, out, T_MS);
}

/*
 * A thin client 4097 pixels wide: the terminal and the calendar (both
 * maximized) show a window, 4096 wide (the window limit), where they had
 * none and nothing said why.
 */
static void test_wide_screen_apps_show(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], bin[256], db[200], log[160], line[256];
	e2e_bin("", bin, sizeof(bin));
	snprintf(db, sizeof(db), "/tmp/xproto-errors-%d.db", (int)getpid());
	unlink(db);
	snprintf(
	    apps, sizeof(apps),
	    "terminal | t | exec \"$XPROTO_BIN/xp-term\" -e cat\n"
	    "calendar | c | exec \"$XPROTO_BIN/xp-calendar\" --create --db %s --sync-every 0\n",
	    db);
	start(&s, apps);
	const char *wide[] = {"--size", "4097x1000", NULL};
	int rc = e2e_client_run(
	    &s, "launch terminal\nwait-launched 30000\nlaunch calendar\nwait-launched 30000\n",
	    wide);
	client_log(&s, log, sizeof(log));
	assert_int_equal(rc, 0);
	assert_false(has(log, "no window of the launched app", 50));
	assert_true(has(s.log, "app terminal (pid", T_MS));
	assert_true(has(s.log, "app calendar (pid", T_MS));
	assert_true(proc_wait_line(s.log, "app terminal (pid", line, sizeof(line), T_MS) &&
	            strstr(line, "showed its first window"));
	assert_true(proc_wait_line(s.log, "app calendar (pid", line, sizeof(line), T_MS) &&
	            strstr(line, "showed its first window"));
	/* the windows have the limit's width: what the server holds */
	struct xr_fb fb = {0};
	assert_int_equal(e2e_server_dump(&s), 0);
	assert_int_equal(e2e_server_window(&s, "main", 1, &fb), 0);
	assert_int_equal(fb.w, 4096);
	assert_int_equal(fb.h, 1000);
	xr_fb_finish(&fb);
	e2e_server_stop(&s);
	unlink(db);
}

/*
 * A window the server refuses (1000 columns are wider than the limit): the
 * app says why and ends with status 1, so the client reports it and its
 * script stops, where it used to wait for a window that never came.
 */
static void test_refused_window_is_said(void **state)
{
	(void)state;
	struct e2e_server s;
	char log[160];
	start(&s, "big | b | exec \"$XPROTO_BIN/xp-term\" --size 1000x24 -e cat\n");
	int rc = e2e_client_run(&s, "launch big\nwait-launched 30000\n", NULL);
	client_log(&s, log, sizeof(log));
	assert_int_equal(rc, 1);
	assert_true(has(log,
	                "ended before showing a window, status 1: xp-term: no window: "
	                "server: window size 6000x312 outside 1..4096",
	                1000));
	assert_true(has(log, "script stopped: app big, launched by it, did not start", 1000));
	e2e_server_stop(&s);
}

/* xp-term as the app of @s, running @cmd...; its exit status, output in @out. */
static int term_run(const struct e2e_server *s, const char *out, const char *a1, const char *a2,
                    const char *a3)
{
	char bin[256];
	setenv("XPROTO_APP_SOCKET", s->app_socket, 1);
	setenv("XPROTO_COOKIE", s->cookie, 1);
	unsetenv("XPROTO_DISPLAY");
	unsetenv("XPROTO_SESSION");
	const char *argv[] = {
	    e2e_bin("xp-term", bin, sizeof(bin)), "--size", "20x5", "-e", a1, a2, a3, NULL};
	int rc = run(argv, out);
	unsetenv("XPROTO_APP_SOCKET");
	unsetenv("XPROTO_COOKIE");
	return rc;
}

/* xp-term says why its command cannot run and ends with its status. */
static void test_term_passes_its_command_status_on(void **state)
{
	(void)state;
	struct e2e_server s;
	char out[200], log[160];
	start(&s, "bad2 | x | exec \"$XPROTO_BIN/xp-term\" -e sh -c \"echo oops; exit 5\"\n");
	snprintf(out, sizeof(out), "%s/term.out", s.dir);
	assert_int_equal(term_run(&s, out, "/nonexistent/cmd", NULL, NULL), 127);
	assert_true(
	    has(out, "xp-term: cannot run /nonexistent/cmd: No such file or directory", 1000));
	assert_int_equal(term_run(&s, out, "sh", "-c", "exit 5"), 5);
	assert_int_equal(term_run(&s, out, "sh", "-c", "kill -TERM $$"), 128 + 15);
	assert_int_equal(term_run(&s, out, "true", NULL, NULL), 0);
	/* launched: the client hears the status */
	pid_t c = spawn_client(&s, "launch bad2\nwait 60000\n", NULL, log, sizeof(log));
	assert_true(has(log, "app bad2 (pid", T_MS));
	assert_true(has(log, "status 5", 1000));
	proc_stop(c, SIGTERM, T_MS);
	e2e_server_stop(&s);
}

/* A screenshot that cannot be written says why and fails the client. */
static void test_screenshot_failure_fails(void **state)
{
	(void)state;
	struct e2e_server s;
	char log[160];
	start(&s, "");
	const char *shot[] = {"--screenshot", "/nonexistent/x.png", NULL};
	assert_int_equal(e2e_client_run(&s, "sync\n", shot), 1);
	client_log(&s, log, sizeof(log));
	assert_true(has(
	    log, "cannot write screenshot /nonexistent/x.png: No such file or directory", 1000));
	assert_int_equal(e2e_client_run(&s, "screenshot /nonexistent/y.png\nkey a\n", NULL), 1);
	client_log(&s, log, sizeof(log));
	assert_true(has(
	    log, "cannot write screenshot /nonexistent/y.png: No such file or directory", 1000));
	assert_true(
	    has(log, "script line 1: screenshot /nonexistent/y.png failed: script stopped", 1000));
	/* a good one still works */
	char good[200], script[300];
	snprintf(good, sizeof(good), "%s/ok.png", s.dir);
	snprintf(script, sizeof(script), "screenshot %s\n", good);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	assert_true(proc_wait_file(good, 1000));
	e2e_server_stop(&s);
}

/* Bad or clashing options: status 2 and the option named. */
static void test_options_checked(void **state)
{
	(void)state;
	char out[160], clock[256], thin[256], server[256];
	snprintf(out, sizeof(out), "/tmp/xproto-errors-%d.out", (int)getpid());
	e2e_bin("xp-clock", clock, sizeof(clock));
	e2e_bin("thin-client", thin, sizeof(thin));
	e2e_bin("xproto-server", server, sizeof(server));
	assert_int_equal(run((const char *[]){clock, "--ticks", "abc", NULL}, out), 2);
	assert_true(has(out, "xp-clock: bad --ticks 'abc'", 100));
	assert_int_equal(run((const char *[]){clock, "--ticks", "-3", NULL}, out), 2);
	assert_true(has(out, "xp-clock: bad --ticks '-3'", 100));
	assert_int_equal(run((const char *[]){clock, "--ticks", NULL}, out), 2);
	assert_true(has(out, "xp-clock: no value for '--ticks'", 100));
	assert_int_equal(
	    run((const char *[]){thin, "--session", "a", "--session", "b", ":1", NULL}, out), 2);
	assert_true(has(out, "thin-client: option '--session' given twice", 100));
	assert_int_equal(
	    run((const char *[]){thin, "--list", "--session", "wrok", ":1", NULL}, out), 2);
	assert_true(has(out, "--list lists every session: not with a session to join", 100));
	/* a --bin without the apps: refused at start, not as apps that never come */
	const char *nobin[] = {server,           "--listen", "127.0.0.1:0",  "--app-socket",
	                       "/nonexistent/s", "--bin",    "/nonexistent", NULL};
	assert_int_equal(run(nobin, out), 1);
	assert_true(has(out, "xproto-server: --bin /nonexistent: No such file or directory", 100));
	const char *empty[] = {server,           "--listen", "127.0.0.1:0", "--app-socket",
	                       "/nonexistent/s", "--bin",    "/",           NULL};
	assert_int_equal(run(empty, out), 1);
	assert_true(has(out, "--bin /: cannot run //xp-launcher: No such file or directory", 100));
	unlink(out);
}

/* proc_until: a connection came to @arg's listener and got an HTTP answer. */
static bool answered(void *arg)
{
	int *fds = arg;
	struct pollfd p = {fds[0], POLLIN, 0};
	if (poll(&p, 1, 50) <= 0)
		return false;
	int c = accept(fds[0], NULL, NULL);
	if (c < 0)
		return false;
	static const char http[] = "HTTP/1.0 400 Bad request\r\n\r\n";
	fds[1] = write(c, http, sizeof(http) - 1) == (ssize_t)(sizeof(http) - 1);
	close(c);
	return true;
}

/*
 * Another program at the address: "not an xproto peer", and no false
 * "another version" hint. A cookie file others may read, with --list: the
 * reason once, and the hint the other paths give.
 */
static void test_messages_say_what_is_true(void **state)
{
	(void)state;
	struct xp_error err;
	char addr[64], log[160], thin[256], cookie[160];
	int port, fds[2] = {-1, 0};
	fds[0] = xp_net_listen_tcp("127.0.0.1:0", XP_NET_CLOEXEC, &port, &err);
	assert_true(fds[0] >= 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(log, sizeof(log), "/tmp/xproto-errors-%d.log", (int)getpid());
	snprintf(cookie, sizeof(cookie), "/tmp/xproto-errors-%d.cookie", (int)getpid());
	int fd = open(cookie, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "00112233445566778899aabbccddeeff\n", 33), 33);
	close(fd);
	e2e_bin("thin-client", thin, sizeof(thin));
	pid_t c =
	    proc_spawn((const char *[]){thin, "--headless", "--cookie", cookie, addr, NULL}, log);
	assert_true(proc_until(answered, fds, T_MS));
	assert_true(fds[1]);
	assert_int_equal(proc_wait(c, T_MS), 1);
	assert_true(has(log, "not an xproto peer (bad magic 48 54 54 50)", 100));
	assert_true(has(log, "another program (not an xproto server) listens there", 100));
	assert_false(has(log, "another version", 50));
	close(fds[0]);
	chmod(cookie, 0644);
	assert_int_equal(run((const char *[]){thin, "--cookie", cookie, "--list", addr, NULL}, log),
	                 1);
	assert_true(
	    has(log, "must not be readable by group or others (chmod 600) (the server", 100));
	assert_false(has(log, "cookie: cookie", 50));
	unlink(cookie);
	unlink(log);
}

/*
 * A thin client sending a truncated WIN_CREATE (an app's message) is told
 * STATE, as for a whole one: the role is checked first (SPEC section 1).
 */
static void test_role_checked_before_body(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c;
	struct xp_msg m;
	int r, code = -1;
	start(&s, "");
	assert_int_equal(e2e_raw_client(&s, &c, "main", NULL, 0), 0);
	static const uint8_t cut[] = {0x10, 0x02, 0x01, 0x02}; /* WIN_CREATE, 2 bytes of body */
	xp_conn_send_raw(&c, cut, sizeof(cut));
	xp_conn_drain(&c, T_MS);
	for (int i = 0; i < 100000 && (r = xp_conn_wait(&c, &m, T_MS)) == 1; i++)
		if (m.op == XP_OP_ERROR)
			code = m.u.error.code;
	assert_int_equal(code, XP_ERR_STATE);
	xp_conn_finish(&c);
	e2e_server_stop(&s);
}

/* A capture cut inside a message is not a whole one: xproto-dump fails. */
static void test_dump_of_a_cut_stream_fails(void **state)
{
	(void)state;
	char path[160], out[160], bin[256];
	snprintf(path, sizeof(path), "/tmp/xproto-errors-%d.cap", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/xproto-errors-%d.dump", (int)getpid());
	e2e_bin("xproto-dump", bin, sizeof(bin));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("xpro\x01\x02\x10\x05\x01", 1, 9, f); /* preamble, then a WIN_CREATE cut short */
	fclose(f);
	assert_int_equal(run((const char *[]){bin, path, NULL}, out), 1);
	assert_true(has(out, "xproto-dump: stream ends inside a message (at byte 6)", 100));
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("xpro\x01\x02", 1, 6, f); /* a whole (empty) stream */
	fclose(f);
	assert_int_equal(run((const char *[]){bin, path, NULL}, out), 0);
	unlink(path);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wide_screen_apps_show),
	    cmocka_unit_test(test_refused_window_is_said),
	    cmocka_unit_test(test_term_passes_its_command_status_on),
	    cmocka_unit_test(test_screenshot_failure_fails),
	    cmocka_unit_test(test_options_checked),
	    cmocka_unit_test(test_messages_say_what_is_true),
	    cmocka_unit_test(test_role_checked_before_body),
	    cmocka_unit_test(test_dump_of_a_cut_stream_fails),
	};
	return cmocka_run_group_tests_name("errors said, statuses true", tests, NULL, NULL);
}
