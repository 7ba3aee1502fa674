/*
 * server_loop_test.c - the server's event loop (xproto-server/loop.c) on
 * real sockets: callbacks fire on readiness, and the kernel is asked to
 * change a watch only when its interest changes (re-arming every peer on
 * every turn cost an epoll_ctl per connection per loop turn).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

struct seen {
	int calls;
	unsigned events;
};

static void on_fd(struct xs_loop *l, int fd, unsigned events, void *data)
{
	struct seen *s = data;
	(void)fd;
	s->calls++;
	s->events |= events;
	xs_loop_stop(l);
}

static int stop_soon(struct xs_loop *l, uint64_t id, void *data)
{
	(void)id;
	(void)data;
	xs_loop_stop(l);
	return -1;
}

static void test_watch_only_on_change(void **state)
{
	(void)state;
	int sv[2];
	struct seen seen = {0};
	struct xs_loop *l = xs_loop_create(1024);
	assert_non_null(l);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(xs_loop_watch(l, sv[0], XS_READABLE, on_fd, &seen), 0);
	uint64_t after_add = xs_loop_ctl_calls(l);
	assert_int_equal(after_add, 1);
	for (int i = 0; i < 100; i++) /* what the before-sleep flush does every turn */
		assert_int_equal(xs_loop_watch(l, sv[0], XS_READABLE, on_fd, &seen), 0);
	assert_int_equal(xs_loop_ctl_calls(l), after_add);
	/* the new callback data is used even though the kernel was not asked */
	struct seen other = {0};
	assert_int_equal(xs_loop_watch(l, sv[0], XS_READABLE, on_fd, &other), 0);
	assert_int_equal(write(sv[1], "x", 1), 1);
	xs_loop_timer(l, 2000, stop_soon, NULL);
	assert_int_equal(xs_loop_run(l), 0);
	assert_int_equal(other.calls, 1);
	assert_int_equal(seen.calls, 0);
	assert_true(other.events & XS_READABLE);
	/* a real change is made */
	assert_int_equal(xs_loop_watch(l, sv[0], XS_READABLE | XS_WRITABLE, on_fd, &other), 0);
	assert_int_equal(xs_loop_ctl_calls(l), after_add + 1);
	xs_loop_unwatch(l, sv[0]);
	assert_int_equal(xs_loop_ctl_calls(l), after_add + 2);
	xs_loop_unwatch(l, sv[0]); /* not watched: nothing to do */
	assert_int_equal(xs_loop_ctl_calls(l), after_add + 2);
	close(sv[0]);
	close(sv[1]);
	xs_loop_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_watch_only_on_change),
	};
	return cmocka_run_group_tests_name("xproto-server event loop", tests, NULL, NULL);
}
