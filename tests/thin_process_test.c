/*
 * thin_process_test.c - the thin-client program as a process, against a
 * test peer over loopback: hostile bytes end it with a clear message and
 * status 1; --help and usage errors go to the right stream with the right
 * status; a refused connection, a hostile server's words on the terminal
 * (no control characters), a script's wait-pixel that gives up, and
 * SIGUSR1 (a screenshot now) and SIGTERM (detach with status 0).
 */
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "proc.h"
#include "testpeer.h"
#include "thinscene.h"
#include "xproto.h"
#include "xrender.h"

#define T_MS 10000 /* a deadline: only a failing wait reaches it */

static const char *bin_dir(void)
{
	const char *b = getenv("XP_BIN");
	return b ? b : "build/bin";
}

struct child {
	pid_t pid;
	char log[64]; /* its stdout and stderr */
};

/* Start thin-client with @args (NULL-terminated), its output in a file. */
static void spawn(struct child *ch, const char *const *args)
{
	char path[256];
	const char *argv[16] = {path};
	int n = 1;
	snprintf(path, sizeof(path), "%s/thin-client", bin_dir());
	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	snprintf(ch->log, sizeof(ch->log), "/tmp/thin-client-test-XXXXXX");
	int fd = mkstemp(ch->log);
	assert_true(fd >= 0);
	close(fd);
	ch->pid = proc_spawn(argv, ch->log);
	assert_true(ch->pid > 0);
}

/* The whole of file @path into @out (@cap bytes, NUL-terminated), then unlink it. */
static void slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
}

/* Wait for the child (bounded); its output goes to @out. Returns its exit
 * status, or -1 when it had to be killed. */
static int finish(struct child *ch, char *out, size_t cap)
{
	int st = proc_wait(ch->pid, T_MS);
	slurp(ch->log, out, cap);
	return st;
}

/* Run thin-client with @args to the end; its output goes to @out. */
static int run_client(const char *const *args, char *out, size_t cap)
{
	struct child ch = {0};
	spawn(&ch, args);
	return finish(&ch, out, cap);
}

static void test_process_garbage(void **state)
{
	struct tp_peer p;
	struct child ch = {0};
	char out[8192];
	assert_int_equal(tp_init(&p), 0);
	const char *args[] = {"--headless", "--cookie", p.cookie_path, p.addr, NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	assert_int_equal(tp_send_garbage(&p), 0);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "thin-client: connection lost: protocol error"));
	assert_non_null(strstr(out, "wire bytes")); /* headless: stats at exit */
	tp_finish(&p);
}

/* Run program @prog of the build with @arg: its exit status, its stdout in
 * @out and its stderr in @err (@cap bytes each). */
static int run_streams(const char *prog, const char *arg, char *out, char *err, size_t cap)
{
	char bin[256], opath[] = "/tmp/thin-client-test-XXXXXX",
	               epath[] = "/tmp/thin-client-test-XXXXXX";
	int ofd = mkstemp(opath), efd = mkstemp(epath);
	assert_true(ofd >= 0 && efd >= 0);
	close(ofd);
	close(efd);
	snprintf(bin, sizeof(bin), "%s/%s", bin_dir(), prog);
	const char *argv[] = {"sh", "-c", "exec \"$0\" \"$1\" 2> \"$2\"", bin, arg, epath, NULL};
	int st = proc_run(argv, opath, T_MS);
	slurp(opath, out, cap);
	slurp(epath, err, cap);
	return st;
}

/* --help: the text on stdout, status 0; a usage error: stderr only,
 * status 2. The same for the server, the other program a user starts. */
static void test_process_help_streams(void **state)
{
	static const char *const progs[] = {"thin-client", "xproto-server"};
	char out[8192], err[8192];
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(run_streams(progs[i], "--help", out, err, sizeof(out)), 0);
		if (!strstr(out, "usage:") || err[0])
			fail_msg("%s --help: stdout '%.40s', stderr '%.80s'", progs[i], out, err);
		assert_int_equal(run_streams(progs[i], "--bogus", out, err, sizeof(out)), 2);
		if (out[0] || !err[0])
			fail_msg("%s --bogus: stdout '%.80s', stderr '%.40s'", progs[i], out, err);
	}
}

static void test_process_usage(void **state)
{
	char out[8192];
	const char *bad[] = {"--size", "0x5", NULL};
	assert_int_equal(run_client(bad, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "bad --size"));
	const char *script[] = {"--headless", "--script", "/nonexistent/x.txt", "127.0.0.1:1",
	                        NULL};
	assert_int_equal(run_client(script, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "thin-client: /nonexistent/x.txt: No such file"));
	/* two sessions named: a usage error, found before connecting */
	const char *two[] = {"--headless", "--session", "a", "ssh://h/b", NULL};
	assert_int_equal(run_client(two, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "--session a and ssh://h/b name different sessions"));
	/* a display number as the server takes them: 0-999 */
	const char *big[] = {"--headless", ":1000", NULL};
	assert_int_equal(run_client(big, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "':1000' is not a display (want :N, N 0-999)"));
	struct tp_peer p;
	assert_int_equal(tp_init(&p), 0);
	unsetenv("DISPLAY");
	const char *nodisplay[] = {"--cookie", p.cookie_path, p.addr, NULL};
	assert_int_equal(run_client(nodisplay, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "DISPLAY is not set"));
	const char *badscript[] = {"--headless",   "--script", "/dev/null", "--cookie",
	                           "/nonexistent", p.addr,     NULL};
	/* an empty script is fine */
	assert_int_equal(run_client(badscript, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cookie /nonexistent"));
	tp_finish(&p);
}

static void test_process_refused(void **state)
{
	struct tp_peer p;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	char out[8192], addr[32];
	assert_int_equal(tp_init(&p), 0);
	/* a port that is ours but where nobody listens: bound, never listen()ed,
	 * so no other process can take it meanwhile */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sa.sin_port));
	const char *args[] = {"--headless", "--cookie", p.cookie_path, addr, NULL};
	assert_int_equal(run_client(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cannot connect"));
	assert_null(strstr(out, "statistics")); /* no session, nothing to count */
	close(fd);
	tp_finish(&p);
}

/* True if @out has a control character (C0 but newline, DEL, C1) for a terminal. */
static bool has_controls(const char *out)
{
	for (const unsigned char *c = (const unsigned char *)out; *c; c++)
		if ((*c < 0x20 && *c != '\n') || *c == 0x7f ||
		    (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
			return true;
	return false;
}

/* Fail, showing @out, unless it holds @text. */
static void expect_in(const char *out, const char *text)
{
	if (!strstr(out, text))
		fail_msg("no '%s' in:\n%s", text, out);
}

/*
 * A hostile server's words (an app list, a window list, errors, a refusal)
 * reach the user's terminal without control characters: an escape sequence
 * there could retitle, clear or reprogram it.
 */
static void test_process_server_text_is_plain(void **state)
{
	struct tp_peer p;
	struct child ch = {0};
	struct xp_msg m = {.op = XP_OP_APP_ENTRY};
	char out[8192];
	assert_int_equal(tp_init(&p), 0);
	const char *args[] = {"--headless", "--cookie", p.cookie_path, p.addr, NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	m.u.app_entry = (struct xp_msg_app_entry){0, 0, xp_str_from("ev\x1b[31mil"),
	                                          xp_str_from("\xc2\x9b"
	                                                      "2J gone\x7f")};
	assert_int_equal(tp_send(&p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_WIN_ENTRY};
	m.u.win_entry = (struct xp_msg_win_entry){0, 0, 1, 0, xp_str_from("title\x07")};
	assert_int_equal(tp_send(&p, &m), 0);
	m = (struct xp_msg){.op = XP_OP_ERROR}; /* not fatal, then fatal */
	m.u.error = (struct xp_msg_error){XP_ERR_NO_APP, 0,
	                                  xp_str_from("no \x1b]0;x\x07"
	                                              "app")};
	assert_int_equal(tp_send(&p, &m), 0);
	m.u.error = (struct xp_msg_error){XP_ERR_AUTH, 0, xp_str_from("bye\r\x1b[2J")};
	assert_int_equal(tp_send(&p, &m), 0);
	assert_int_equal(tp_flush(&p, T_MS), 0);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "app 0: ev?[31mil - ?2J gone?");
	expect_in(out, "window 1: title?");
	expect_in(out, "server error: no ?]0;x?app");
	expect_in(out, "server error: bye??[2J");
	assert_false(has_controls(out));
	/* a refusal in the handshake, to a client and to --list */
	p.refuse = "not\x1b[8m you";
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), -1);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "server refused: not?[8m you");
	assert_false(has_controls(out));
	const char *list[] = {"--cookie", p.cookie_path, "--list", p.addr, NULL};
	spawn(&ch, list);
	assert_int_equal(tp_accept(&p, true, T_MS), -1);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "server refused: not?[8m you");
	assert_false(has_controls(out));
	tp_finish(&p);
}

/*
 * A wait-pixel that gives up stops the script with status 1 and says why:
 * the colour was what the script checked, and the keys after it were meant
 * for a screen that never came (none is sent).
 */
static void test_script_wait_pixel_gives_up(void **state)
{
	struct tp_peer p;
	struct child ch = {0};
	struct xp_msg m;
	char out[8192], path[128];
	assert_int_equal(tp_init(&p), 0);
	snprintf(path, sizeof(path), "%s/script.txt", p.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("wait-pixel 40 30 00ff80 300\nkey b\nquit\n", f);
	fclose(f);
	const char *args[] = {"--headless", "--size",      "320x240", "--script", path,
	                      "--cookie",   p.cookie_path, p.addr,    NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	int r;
	while ((r = tp_next(&p, &m, true, T_MS)) == 1) /* until it hangs up */
		assert_int_not_equal(m.op, XP_OP_KEY);
	assert_int_equal(r, -1);
	assert_int_equal(finish(&ch, out, sizeof(out)), 1);
	expect_in(out, "script line 1: pixel 40,30 is 202428, not 00ff80 after 300 ms: script "
	               "stopped");
	unlink(path);
	tp_finish(&p);
}

/* SIGUSR1 writes the screenshot now, SIGTERM detaches with status 0. */
static void test_process_signals(void **state)
{
	struct tp_peer p;
	struct ts_scene s = {.p = &p};
	struct xr_fb shot, expect;
	struct child ch = {0};
	char out[8192], png[128];
	assert_int_equal(tp_init(&p), 0);
	snprintf(png, sizeof(png), "%s/shot.png", p.dir);
	const char *args[] = {"--headless",  "--size", "320x240", "--screenshot", png, "--cookie",
	                      p.cookie_path, p.addr,   NULL};
	spawn(&ch, args);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	ts_create(&s, 1, 30, 20, 64, 48, 0x00ff80);
	ts_win(&s, XP_OP_WIN_MAP, 1);
	assert_int_equal(tp_sync(&p, 1, T_MS), 0);
	kill(ch.pid, SIGUSR1);
	/* the client writes it aside and renames it: once there, it is whole */
	assert_true(proc_wait_file(png, T_MS));
	assert_int_equal(xr_png_read_file(png, &shot), 0);
	ts_screen(&s, &expect, TS_SCREEN_W, TS_SCREEN_H);
	assert_true(xr_fb_equal(&shot, &expect));
	kill(ch.pid, SIGTERM);
	assert_int_equal(finish(&ch, out, sizeof(out)), 0);
	unlink(png);
	xr_fb_finish(&shot);
	xr_fb_finish(&expect);
	ts_scene_finish(&s);
	tp_finish(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_process_garbage),
	    cmocka_unit_test(test_process_help_streams),
	    cmocka_unit_test(test_process_usage),
	    cmocka_unit_test(test_process_refused),
	    cmocka_unit_test(test_process_server_text_is_plain),
	    cmocka_unit_test(test_process_signals),
	    cmocka_unit_test(test_script_wait_pixel_gives_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
