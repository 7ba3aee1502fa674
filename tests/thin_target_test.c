/*
 * thin_target_test.c - where a thin client goes (transport.c): displays,
 * addresses, socket paths and ssh:// URLs parsed into targets, every bad
 * one refused with a message before anything runs, $XPROTO_DISPLAY used
 * only when no address is given, and --new / --list on the command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "thin_int.h"

static void test_direct_targets(void **state)
{
	(void)state;
	struct tc_target t;
	char err[300];
	assert_int_equal(tc_target_parse(":0", &t, err, sizeof(err)), 0);
	assert_false(t.ssh);
	assert_string_equal(t.addr, "127.0.0.1:7100");
	assert_int_equal(tc_target_parse("server:12", &t, err, sizeof(err)), 0);
	assert_string_equal(t.addr, "server:7112");
	assert_int_equal(tc_target_parse("127.0.0.1:7100", &t, err, sizeof(err)), 0);
	assert_string_equal(t.addr, "127.0.0.1:7100");
	assert_int_equal(tc_target_parse("/run/x.sock", &t, err, sizeof(err)), 0);
	assert_true(t.unix_socket);
	assert_string_equal(t.addr, "/run/x.sock");
	assert_int_equal(tc_target_parse("nonsense", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad display 'nonsense'"));
	/* display numbers as the server takes them; 1000 and up only with a host */
	assert_int_equal(tc_target_parse(":999", &t, err, sizeof(err)), 0);
	assert_string_equal(t.addr, "127.0.0.1:8099");
	assert_int_equal(tc_target_parse(":1000", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "':1000' is not a display (want :N, N 0-999)"));
	assert_int_equal(tc_target_parse("localhost:1000", &t, err, sizeof(err)), 0);
	assert_string_equal(t.addr, "localhost:1000");
}

static void test_ssh_targets(void **state)
{
	(void)state;
	struct tc_target t;
	char err[300];
	assert_int_equal(tc_target_parse("ssh://me@server.example:3/work", &t, err, sizeof(err)),
	                 0);
	assert_true(t.ssh);
	assert_string_equal(t.ssh_user, "me");
	assert_string_equal(t.ssh_host, "server.example");
	assert_int_equal(t.display, 3);
	assert_string_equal(t.session, "work");
	assert_int_equal(tc_target_parse("ssh://alias", &t, err, sizeof(err)), 0);
	assert_string_equal(t.ssh_host, "alias");
	assert_string_equal(t.ssh_user, "");
	assert_int_equal(t.display, 0);
	assert_string_equal(t.session, "");
	assert_int_equal(tc_target_parse("ssh://[::1]:2", &t, err, sizeof(err)), 0);
	assert_string_equal(t.ssh_host, "::1");
	assert_int_equal(t.display, 2);
}

static void test_bad_ssh_targets(void **state)
{
	(void)state;
	/* nothing that ssh could take for an option or a second word gets through */
	static const char *const bad[] = {
	    "ssh://",       "ssh://-oProxyCommand=x",
	    "ssh://a b",    "ssh://h;rm",
	    "ssh://h:1000", "ssh://h:+1",
	    "ssh://h:",     "ssh://@h",
	    "ssh://-u@h",   "ssh://h/.hidden",
	    "ssh://h/a/b",  "ssh://h/$(x)",
	};
	struct tc_target t;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[300] = "";
		if (tc_target_parse(bad[i], &t, err, sizeof(err)) != -1)
			fail_msg("'%s' was taken", bad[i]);
		assert_non_null(strstr(err, bad[i]));
	}
}

/* Parse @args (NULL-ended) as thin-client's command line. */
static int parse(struct tc_options *o, const char *const *args)
{
	char *argv[16] = {"thin-client"};
	const char *script;
	int argc = 1;
	for (; args[argc - 1] && argc < 15; argc++)
		argv[argc] = (char *)args[argc - 1];
	memset(o, 0, sizeof(*o));
	FILE *null = fopen("/dev/null", "w");
	int r = tc_options_parse(o, argc, argv, &script, null);
	fclose(null);
	return r;
}

static void test_display_from_the_environment(void **state)
{
	(void)state;
	struct tc_options o;
	setenv("XPROTO_DISPLAY", ":7", 1);
	assert_int_equal(parse(&o, (const char *const[]){NULL}), 0);
	assert_string_equal(o.addr, ":7");
	assert_int_equal(parse(&o, (const char *const[]){":2", NULL}), 0);
	assert_string_equal(o.addr, ":2"); /* an explicit address wins */
	setenv("XPROTO_DISPLAY", "bad display", 1);
	assert_int_equal(parse(&o, (const char *const[]){NULL}), -1);
	unsetenv("XPROTO_DISPLAY");
	assert_int_equal(parse(&o, (const char *const[]){NULL}), 0);
	assert_string_equal(o.addr, TC_DEFAULT_ADDR);
	assert_int_equal(parse(&o, (const char *const[]){"--new", "--list", "ssh://h:1", NULL}), 0);
	assert_true(o.new_session && o.list);
	assert_int_equal(parse(&o, (const char *const[]){"ssh://-x", NULL}), -1);
	/* two different sessions named: refused before anything runs */
	assert_int_equal(parse(&o, (const char *const[]){"--session", "a", "ssh://h/b", NULL}), -1);
	assert_int_equal(parse(&o, (const char *const[]){"--session", "b", "ssh://h/b", NULL}), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_direct_targets),
	    cmocka_unit_test(test_ssh_targets),
	    cmocka_unit_test(test_bad_ssh_targets),
	    cmocka_unit_test(test_display_from_the_environment),
	};
	return cmocka_run_group_tests_name("thin-client targets", tests, NULL, NULL);
}
