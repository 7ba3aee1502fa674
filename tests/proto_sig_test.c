/*
 * proto_sig_test.c - libxproto's signals through a file descriptor
 * (sig.c): blocked signals wait on the fd in order and are read one at a
 * time, the fd never blocks and is not inherited by exec, and SIGPIPE no
 * longer kills the process (a write to a closed socket is an error).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "xproto.h"

static void test_signals_through_an_fd(void **state)
{
	(void)state;
	static const int sigs[] = {SIGUSR1, SIGUSR2};
	int fd = xp_signal_fd(sigs, 2);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(xp_signal_next(fd), 0); /* nothing yet, and no wait */
	/* blocked: raising them does not run the default action (exit) */
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(xp_signal_next(fd), SIGUSR1); /* lowest number first */
	assert_int_equal(xp_signal_next(fd), SIGUSR2);
	assert_int_equal(xp_signal_next(fd), 0);
	/* SIGPIPE is ignored: writing to a closed peer is EPIPE */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(write(sv[0], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[0]);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signals_through_an_fd),
	};
	return cmocka_run_group_tests_name("libxproto signals", tests, NULL, NULL);
}
