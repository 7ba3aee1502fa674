/*
 * thin_script_test.c - the thin client's script parser (every command, the
 * error messages with file and line) and its command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "thin.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
