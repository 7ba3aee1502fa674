/*
 * proto_display_test.c - display names (display.c): ":N" and "HOST:N" to
 * the TCP port 7100 + N and this user's socket, addresses and paths passed
 * through, every bad name refused with a message; the private socket
 * directory (created 0700, a wrong mode or a link refused); and a Unix
 * socket a server still answers on is not taken over by a second one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "xproto.h"

static void test_display_numbers(void **state)
{
	(void)state;
	struct xp_display d;
	struct xp_error err;
	char want[128];
	assert_int_equal(xp_display_parse(":0", &d, &err), 0);
	assert_int_equal(d.number, 0);
	assert_true(d.local);
	assert_string_equal(d.tcp, "127.0.0.1:7100");
	snprintf(want, sizeof(want), "/tmp/xproto-%u/0.sock", (unsigned)getuid());
	assert_string_equal(d.socket, want);
	assert_int_equal(xp_display_parse(":12", &d, &err), 0);
	assert_string_equal(d.tcp, "127.0.0.1:7112");
	assert_int_equal(xp_display_parse("localhost:3", &d, &err), 0);
	assert_true(d.local);
	assert_string_equal(d.tcp, "localhost:7103");
	assert_int_equal(xp_display_parse("server.example:999", &d, &err), 0);
	assert_int_equal(d.number, 999);
	assert_false(d.local);
	assert_string_equal(d.tcp, "server.example:8099");
	assert_string_equal(d.socket, "");
	assert_int_equal(xp_display_parse("[::1]:2", &d, &err), 0);
	assert_true(d.local);
	assert_string_equal(d.tcp, "[::1]:7102");
}

static void test_addresses_pass_through(void **state)
{
	(void)state;
	struct xp_display d;
	struct xp_error err;
	assert_int_equal(xp_display_parse("127.0.0.1:7100", &d, &err), 0);
	assert_int_equal(d.number, -1);
	assert_string_equal(d.tcp, "127.0.0.1:7100");
	assert_int_equal(xp_display_parse("host:1000", &d, &err), 0);
	assert_int_equal(d.number, -1);
	assert_false(d.local);
	assert_int_equal(xp_display_parse("/run/x.sock", &d, &err), 0);
	assert_string_equal(d.tcp, "");
	assert_string_equal(d.socket, "/run/x.sock");
}

static void test_bad_names(void **state)
{
	(void)state;
	static const char *const bad[] = {"",     ":",   "host:", ":abc",   ":70000",
	                                  "host", ":-1", ":1x",   ":123456"};
	struct xp_display d;
	struct xp_error err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.text[0] = '\0';
		assert_int_equal(xp_display_parse(bad[i], &d, &err), -1);
		assert_true(strlen(err.text) > 0);
	}
	assert_int_equal(xp_display_parse(":abc", &d, &err), -1);
	assert_non_null(strstr(err.text, ":abc"));
}

static void test_private_dir(void **state)
{
	(void)state;
	char base[] = "/tmp/xproto-dtest-XXXXXX", dir[128], link[160];
	struct xp_error err;
	struct stat st;
	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/sockets", base);
	assert_int_equal(xp_private_dir(dir, &err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(xp_private_dir(dir, &err), 0); /* again: it is fine */
	chmod(dir, 0755);
	assert_int_equal(xp_private_dir(dir, &err), -1);
	assert_non_null(strstr(err.text, "unsafe"));
	chmod(dir, 0700);
	snprintf(link, sizeof(link), "%s/link", base);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(xp_private_dir(link, &err), -1);
	unlink(link);
	rmdir(dir);
	rmdir(base);
}

static void test_socket_in_use_is_kept(void **state)
{
	(void)state;
	char base[] = "/tmp/xproto-dtest-XXXXXX", path[128];
	struct xp_error err;
	assert_non_null(mkdtemp(base));
	snprintf(path, sizeof(path), "%s/1.sock", base);
	int a = xp_net_listen_unix(path, XP_NET_CLOEXEC, &err);
	assert_true(a >= 0);
	errno = 0;
	assert_int_equal(xp_net_listen_unix(path, XP_NET_CLOEXEC, &err), -1);
	assert_int_equal(errno, EADDRINUSE);
	assert_non_null(strstr(err.text, "in use"));
	int c = xp_net_connect(path, XP_NET_CLOEXEC, &err); /* still the first one's */
	assert_true(c >= 0);
	close(c);
	close(a); /* now stale: a new server may take it */
	int b = xp_net_listen_unix(path, XP_NET_CLOEXEC, &err);
	assert_true(b >= 0);
	close(b);
	unlink(path);
	rmdir(base);
}

static void test_tcp_in_use_keeps_errno(void **state)
{
	(void)state;
	struct xp_error err;
	int port, a = xp_net_listen_tcp("127.0.0.1:0", XP_NET_CLOEXEC, &port, &err);
	char addr[64];
	assert_true(a >= 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	errno = 0;
	assert_int_equal(xp_net_listen_tcp(addr, XP_NET_CLOEXEC, NULL, &err), -1);
	assert_int_equal(errno, EADDRINUSE);
	close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_display_numbers),
	    cmocka_unit_test(test_addresses_pass_through),
	    cmocka_unit_test(test_bad_names),
	    cmocka_unit_test(test_private_dir),
	    cmocka_unit_test(test_socket_in_use_is_kept),
	    cmocka_unit_test(test_tcp_in_use_keeps_errno),
	};
	return cmocka_run_group_tests_name("display names", tests, NULL, NULL);
}
