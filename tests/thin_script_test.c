/*
 * thin_script_test.c - the thin client's script parser (every command, the
 * error messages with file and line) and its command line; and the script
 * player's waits that give up, run by a real thin-client process against a
 * test server (tests/testpeer.h) that never gives what they wait for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "testpeer.h"
#include "thin.h"

#define T_MS 30000 /* far above a slow run; the client's end stops each wait sooner */

static void expect_error(const char *text, const char *want)
{
	char err[256] = "";
	struct tc_script *s = tc_script_parse(text, "t.txt", err, sizeof(err));
	if (s || !strstr(err, want))
		fail_msg("script '%s': got '%s', want '%s'", text, s ? "(parsed)" : err, want);
}

static void test_errors(void **state)
{
	expect_error("key NoSuchKey\n", "t.txt:1: unknown keysym 'NoSuchKey'");
	expect_error("\n\n# comment\nclick 1\n", "t.txt:4: click takes 2 to 3 arguments");
	expect_error("wait abc", "t.txt:1: 'abc' is not a number");
	expect_error("wait -5", "t.txt:1: '-5' is not a number");
	expect_error("quit\nbogus 1 2\n", "t.txt:2: unknown command 'bogus'");
	expect_error("key a ctrl+hyper", "t.txt:1: unknown modifier 'hyper'");
	expect_error("type ok\ntype \xff\n", "t.txt:2: invalid UTF-8");
	expect_error("type", "t.txt:1: type takes 1");
	expect_error("resize 0 10", "t.txt:1: '0' is not a number in 1..16384");
	expect_error("click 1 2 99", "t.txt:1: '99' is not a number in 1..31");
	expect_error("quit now", "t.txt:1: quit takes 0 to 0 arguments");
	expect_error("screenshot", "t.txt:1: screenshot takes 1 to 1");
	expect_error("wait-idle 1 2 3", "t.txt:1: wait-idle takes 0 to 2");
	expect_error("sync 1 2", "t.txt:1: sync takes 0 to 1");
	expect_error("wait-pixel 1 2", "t.txt:1: wait-pixel takes 3 to 4");
	expect_error("wait-pixel 1 2 12345", "t.txt:1: '12345' is not a colour RRGGBB");
	expect_error("wait-pixel 1 2 !xyzxyz", "t.txt:1: '!xyzxyz' is not a colour RRGGBB");
	expect_error("wait-pixel 1 2 -12345", "t.txt:1: '-12345' is not a colour RRGGBB");
	expect_error("wait-pixel -1 2 ffffff", "t.txt:1: '-1' is not a number");
	/* it would wait for a window of no launch: an error, not a success */
	expect_error("wait-windows 1\nwait-launched 2000\nlaunch clock\n",
	             "t.txt:2: wait-launched without a launch before it");
}

static void test_valid(void **state)
{
	static const char text[] = "# a comment\r\n"
	                           "\n"
	                           "   key Return\n"
	                           "key F12 ctrl+shift+alt+super\n"
	                           "key Page_Down\n"
	                           "type  two  spaces\n"
	                           "type-delay 5\n"
	                           "click 1 2\n"
	                           "click 1 2 4\n"
	                           "move -3 4\n"
	                           "resize 640 480\n"
	                           "wait 10\n"
	                           "wait-idle\n"
	                           "wait-idle 100 2000\n"
	                           "sync\n"
	                           "sync 5000\n"
	                           "wait-pixel 1 2 ff00aa\n"
	                           "wait-pixel 1 2 !00FF00 3000\n"
	                           "screenshot /tmp/x.png\n"
	                           "launch clock\n"
	                           "wait-launched 500\n"
	                           "apps\n"
	                           "quit";
	char err[256] = "";
	struct tc_script *s = tc_script_parse(text, "ok", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(tc_script_length(s), 21);
	tc_script_destroy(s);
	tc_script_destroy(NULL);
}

static void test_load(void **state)
{
	char path[] = "/tmp/thin-script-XXXXXX", err[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "wait 1\nwait 2\nkey Nope\n", 23), 23);
	close(fd);
	assert_null(tc_script_load(path, err, sizeof(err)));
	char want[600];
	snprintf(want, sizeof(want), "%s:3: unknown keysym 'Nope'", path);
	assert_string_equal(err, want);
	unlink(path);
	assert_null(tc_script_load("/nonexistent/s.txt", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/s.txt"));
}

static int parse(struct tc_options *o, const char *script, const char *const *args)
{
	char *argv[32] = {"thin-client"};
	int argc = 1;
	const char *sp;
	FILE *null = fopen("/dev/null", "w");
	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	memset(o, 0, sizeof(*o));
	int r = tc_options_parse(o, argc, argv, &sp, null);
	fclose(null);
	if (r == 0 && script)
		assert_string_equal(sp, script);
	return r;
}

static void test_options(void **state)
{
	struct tc_options o;
	const char *all[] = {
	    "--headless",  "--screenshot", "s.png", "--script",  "x.txt", "--reconnect",
	    "--read-only", "--cookie",     "ck",    "--session", "work",  "--size",
	    "640x480",     "--stats",      "--log", "host:1",    NULL};
	assert_int_equal(parse(&o, "x.txt", all), 0);
	assert_true(o.headless && o.reconnect && o.read_only && o.stats && o.log);
	assert_string_equal(o.screenshot, "s.png");
	assert_string_equal(o.cookie_path, "ck");
	assert_string_equal(o.session, "work");
	assert_string_equal(o.addr, "host:1");
	assert_int_equal(o.width, 640);
	assert_int_equal(o.height, 480);
	const char *none[] = {NULL};
	assert_int_equal(parse(&o, NULL, none), 0);
	assert_string_equal(o.addr, TC_DEFAULT_ADDR);
	const char *help[] = {"-h", NULL};
	assert_int_equal(parse(&o, NULL, help), 1);
	const char *bad_size[] = {"--size", "10x", NULL};
	assert_int_equal(parse(&o, NULL, bad_size), -1);
	const char *unknown[] = {"--bogus", NULL};
	assert_int_equal(parse(&o, NULL, unknown), -1);
	const char *two[] = {"a:1", "b:2", NULL};
	assert_int_equal(parse(&o, NULL, two), -1);
	const char *session[] = {"--session", "", NULL};
	assert_int_equal(parse(&o, NULL, session), -1);
}

/*
 * Run @script in a headless thin-client against a test server that
 * answers its PINGs only when @pongs, until the client hangs up; no KEY
 * may arrive (the keys after a wait that gave up are never sent). Returns
 * the client's exit status, its output in @out.
 */
static int run_against_peer(const char *script, bool pongs, char *out, size_t cap)
{
	struct tp_peer p;
	struct xp_msg m;
	char path[128], log[64] = "/tmp/thin-script-test-XXXXXX", bin[256];
	const char *b = getenv("XP_BIN");
	assert_int_equal(tp_init(&p), 0);
	snprintf(path, sizeof(path), "%s/script.txt", p.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(script, f);
	fclose(f);
	int fd = mkstemp(log);
	assert_true(fd >= 0);
	close(fd);
	snprintf(bin, sizeof(bin), "%s/thin-client", b ? b : "build/bin");
	const char *argv[] = {bin,        "--headless",  "--script", path,
	                      "--cookie", p.cookie_path, p.addr,     NULL};
	pid_t pid = proc_spawn(argv, log);
	assert_true(pid > 0);
	assert_int_equal(tp_accept(&p, true, T_MS), 0);
	int r;
	while ((r = tp_next(&p, &m, pongs, T_MS)) == 1) /* until it hangs up */
		assert_int_not_equal(m.op, XP_OP_KEY);
	assert_int_equal(r, -1);
	int st = proc_wait(pid, T_MS);
	f = fopen(log, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	unlink(log);
	unlink(path);
	tp_finish(&p);
	return st;
}

static void expect_said(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("client said:\n%s\nwant: %s", out, want);
}

/* A wait-windows that gives up stops the script (status 1), naming the
 * command, its line and what it waited for. */
static void test_wait_windows_gives_up(void **state)
{
	char out[8192];
	assert_int_equal(
	    run_against_peer("sync\nwait-windows 2 300\nkey b\nquit\n", true, out, sizeof(out)), 1);
	expect_said(out, "script line 2: wait-windows 2: only 0 of 2 windows mapped after 300 ms: "
	                 "script stopped");
}

/* So does a wait-launched whose app shows no window (here the server says
 * yes to the launch and nothing more). */
static void test_wait_launched_gives_up(void **state)
{
	char out[8192];
	assert_int_equal(run_against_peer("launch clock\nwait-launched 300\nkey b\nquit\n", true,
	                                  out, sizeof(out)),
	                 1);
	expect_said(out, "script line 2: wait-launched: no window of clock mapped after 300 ms: "
	                 "script stopped");
}

/* And a sync the server never answers. */
static void test_sync_gives_up(void **state)
{
	char out[8192];
	assert_int_equal(
	    run_against_peer("# first\nsync 300\nkey b\nquit\n", false, out, sizeof(out)), 1);
	expect_said(out, "script line 2: sync: the server did not answer its PING after 300 ms: "
	                 "script stopped");
}

/* The waits that let things settle only warn: a session that never goes
 * quiet is no reason to stop (the script goes on to its end, status 0). */
static void test_wait_idle_only_warns(void **state)
{
	char out[8192];
	assert_int_equal(
	    run_against_peer("sync\nwait-update 100 300\nquit\n", true, out, sizeof(out)), 0);
	expect_said(out, "script line 2: wait-update saw no change after 300 ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_wait_windows_gives_up),
	    cmocka_unit_test(test_wait_launched_gives_up),
	    cmocka_unit_test(test_sync_gives_up),
	    cmocka_unit_test(test_wait_idle_only_warns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
