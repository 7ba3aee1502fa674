/*
 * proto_net_test.c - libxproto's one listen/connect helper (net.c) on real
 * loopback and Unix sockets: loopback by default, port 0 and the port it
 * reports, the CLOEXEC/NONBLOCK flags, TCP_NODELAY, a stale Unix socket
 * file, the socket's 0600 mode, and an error naming the address and the
 * cause for every bad address, a busy port and a refused connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "xproto.h"

static bool has_fd_flag(int fd, int flag)
{
	return (fcntl(fd, F_GETFD) & flag) != 0;
}

static bool has_fl_flag(int fd, int flag)
{
	return (fcntl(fd, F_GETFL) & flag) != 0;
}

static bool nodelay(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v;
}

/* The IPv4 address @fd is bound to, as text. */
static const char *bound_host(int fd)
{
	static char buf[64];
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	assert_int_equal(sa.sin_family, AF_INET);
	return inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof(buf));
}

/* Send a byte from @a and read it at @b. */
static void pass_byte(int a, int b, char c)
{
	char got = 0;
	assert_int_equal(write(a, &c, 1), 1);
	assert_int_equal(read(b, &got, 1), 1);
	assert_int_equal(got, c);
}

/* Connect to @addr, accept on @lfd, and pass a byte each way. */
static void round_trip(int lfd, const char *addr)
{
	struct xp_error err;
	int c = xp_net_connect(addr, XP_NET_CLOEXEC, &err);
	assert_true(c >= 0);
	int s = xp_net_accept(lfd, XP_NET_CLOEXEC);
	assert_true(s >= 0);
	pass_byte(c, s, 'u');
	pass_byte(s, c, 'd');
	close(s);
	close(c);
}

static void test_loopback_by_default(void **state)
{
	(void)state;
	static const char *const addrs[] = {NULL, ":0", "127.0.0.1:0"};
	struct xp_error err;
	for (size_t i = 0; i < 3; i++) {
		int port = -1, fd = xp_net_listen_tcp(addrs[i], XP_NET_CLOEXEC, &port, &err);
		assert_true(fd >= 0);
		assert_true(port > 0 && port < 65536);
		assert_string_equal(bound_host(fd), "127.0.0.1");
		close(fd);
	}
}

static void test_tcp_round_trip_and_flags(void **state)
{
	(void)state;
	struct xp_error err;
	char addr[32];
	int port;
	int lfd = xp_net_listen_tcp(NULL, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &port, &err);
	assert_true(lfd >= 0);
	assert_true(has_fd_flag(lfd, FD_CLOEXEC));
	assert_true(has_fl_flag(lfd, O_NONBLOCK));
	/* nobody waits: a non-blocking accept says so at once */
	assert_int_equal(xp_net_accept(lfd, XP_NET_CLOEXEC), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	int c = xp_net_connect(addr, XP_NET_NONBLOCK, &err);
	assert_true(c >= 0);
	assert_true(has_fl_flag(c, O_NONBLOCK));
	assert_false(has_fd_flag(c, FD_CLOEXEC));
	assert_true(nodelay(c));
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 5000), 1); /* the connection is queued */
	int s = xp_net_accept(lfd, XP_NET_CLOEXEC);
	assert_true(s >= 0);
	assert_true(has_fd_flag(s, FD_CLOEXEC));
	assert_false(has_fl_flag(s, O_NONBLOCK));
	assert_true(nodelay(s));
	pass_byte(s, c, 'x');
	close(c);
	c = xp_net_connect(addr + strlen("127.0.0.1"), XP_NET_CLOEXEC, &err); /* ":PORT" */
	assert_true(c >= 0);
	assert_true(has_fd_flag(c, FD_CLOEXEC));
	assert_false(has_fl_flag(c, O_NONBLOCK));
	close(c);
	close(s);
	close(lfd);
}

static void test_busy_port_and_refused(void **state)
{
	(void)state;
	struct xp_error err;
	char addr[32];
	int port, lfd = xp_net_listen_tcp(NULL, XP_NET_CLOEXEC, &port, &err);
	assert_true(lfd >= 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	assert_int_equal(xp_net_listen_tcp(addr, XP_NET_CLOEXEC, NULL, &err), -1);
	assert_non_null(strstr(err.text, addr));
	assert_non_null(strstr(err.text, strerror(EADDRINUSE)));
	close(lfd);
	/* a port held by a socket that does not listen: refused, and nobody
	 * else can take the port meanwhile */
	int held = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(held, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(held, (struct sockaddr *)&sa, &len), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sa.sin_port));
	assert_int_equal(xp_net_connect(addr, XP_NET_CLOEXEC, &err), -1);
	assert_non_null(strstr(err.text, addr));
	assert_non_null(strstr(err.text, strerror(ECONNREFUSED)));
	close(held);
}

static void test_bad_addresses(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "7100",          "127.0.0.1",        "127.0.0.1:",    "127.0.0.1:65536",
	    "127.0.0.1:-1",  "127.0.0.1:+1",     "127.0.0.1: 80", "127.0.0.1:0x10",
	    "127.0.0.1:80 ", "127.0.0.1:123456", "127.0.0.1:1e3", "",
	};
	struct xp_error err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(xp_net_listen_tcp(bad[i], XP_NET_CLOEXEC, NULL, &err), -1);
		assert_non_null(strstr(err.text, "want HOST:PORT"));
		assert_int_equal(err.code, XP_ERR_IO);
		if (bad[i][0]) {
			memset(&err, 0, sizeof(err));
			assert_int_equal(xp_net_connect(bad[i], XP_NET_CLOEXEC, &err), -1);
			assert_non_null(strstr(err.text, "want HOST:PORT"));
		}
		assert_int_equal(xp_net_check(bad[i], &err), -1);
	}
	char longpath[200];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(xp_net_listen_unix(longpath, XP_NET_CLOEXEC, &err), -1);
	assert_non_null(strstr(err.text, "bad socket path"));
	assert_int_equal(xp_net_connect(longpath, XP_NET_CLOEXEC, &err), -1);
	assert_non_null(strstr(err.text, "bad socket path"));
	assert_int_equal(xp_net_check(longpath, &err), -1);
	/* checking resolves and connects nothing */
	static const char *const good[] = {"127.0.0.1:0", ":7100",
	                                   "[::1]:1",     "no.such.host.invalid:80",
	                                   "/tmp/x.sock", "@abstract"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(xp_net_check(good[i], &err), 0);
}

static void test_ipv6_literal(void **state)
{
	(void)state;
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bool have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (probe >= 0)
		close(probe);
	if (!have_v6) {
		print_message("    no IPv6 loopback on this machine: [::1] not tried\n");
		skip();
	}
	struct xp_error err;
	char addr[32];
	int port, lfd = xp_net_listen_tcp("[::1]:0", XP_NET_CLOEXEC, &port, &err);
	assert_true(lfd >= 0);
	snprintf(addr, sizeof(addr), "[::1]:%d", port);
	round_trip(lfd, addr);
	close(lfd);
}

static void test_unix_socket(void **state)
{
	(void)state;
	char dir[] = "/tmp/xproto-net-XXXXXX", path[64];
	struct xp_error err;
	struct stat st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/app.sock", dir);
	/* a stale socket file, as a crashed server leaves it */
	int stale = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(stale, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(stale);
	assert_true(xp_net_is_unix(path));
	int lfd = xp_net_listen_unix(path, XP_NET_CLOEXEC | XP_NET_NONBLOCK, &err);
	assert_true(lfd >= 0);
	assert_true(has_fl_flag(lfd, O_NONBLOCK));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0); /* only this user may connect */
	round_trip(lfd, path);
	close(lfd);
	unlink(path);
	/* nothing there now: a clear error */
	assert_int_equal(xp_net_connect(path, XP_NET_CLOEXEC, &err), -1);
	assert_non_null(strstr(err.text, path));
	assert_non_null(strstr(err.text, strerror(ENOENT)));
	rmdir(dir);
}

static void test_abstract_unix_socket(void **state)
{
	(void)state;
	char name[64];
	struct xp_error err;
	snprintf(name, sizeof(name), "@xproto-net-test-%d", (int)getpid());
	int lfd = xp_net_listen_unix(name, XP_NET_CLOEXEC, &err);
	assert_true(lfd >= 0);
	round_trip(lfd, name);
	close(lfd);
	assert_false(xp_net_is_unix("127.0.0.1:1"));
	assert_true(xp_net_is_unix("./rel.sock"));
	assert_true(xp_net_is_unix("@x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loopback_by_default),
	    cmocka_unit_test(test_tcp_round_trip_and_flags),
	    cmocka_unit_test(test_busy_port_and_refused),
	    cmocka_unit_test(test_bad_addresses),
	    cmocka_unit_test(test_ipv6_literal),
	    cmocka_unit_test(test_unix_socket),
	    cmocka_unit_test(test_abstract_unix_socket),
	};
	return cmocka_run_group_tests_name("libxproto sockets", tests, NULL, NULL);
}
