/*
 * server_hostile_test.c - xproto-server against hostile and heavy peers, the
 * fast cases (the long ones are in tests/stress/): each case attacks a real
 * server process on loopback and then checks that the server is alive, that
 * its limits held exactly, and that an innocent peer is still served.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

/* The server still answers: a fresh app in its own session round-trips. */
static void expect_alive(struct e2e_server *s)
{
	assert_int_equal(kill(s->pid, 0), 0);
	struct xa_display *d = e2e_app(s, "alive-check");
	assert_non_null(d);
	assert_int_equal(xa_sync(d, 5000), 0);
	xa_close(d);
}

/* Wait until the server's log holds @n lines containing @what. */
static bool wait_log(const struct e2e_server *s, const char *what, int n, int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	do {
		char line[512];
		int seen = 0;
		FILE *f = fopen(s->log, "r");
		while (f && fgets(line, sizeof(line), f))
			seen += strstr(line, what) != NULL;
		if (f)
			fclose(f);
		if (seen >= n)
			return true;
		usleep(10000);
	} while (xp_now_us() < end);
	return false;
}

/*
 * The session's window array grows as windows are made. A capacity that is
 * not updated when realloc grows the block in place (glibc does, ASan never)
 * let later windows be written past its end: 64 windows, twice, aborted the
 * server with "corrupted size vs. prev_size".
 */
static void test_many_windows_twice(void **state)
{
	(void)state;
	struct e2e_server s;
	static const char *const args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	for (int round = 0; round < 2; round++) {
		struct xa_display *d = e2e_app(&s, round ? "second" : "first");
		assert_non_null(d);
		for (int i = 0; i < 64; i++)
			assert_int_not_equal(xa_window_create(d, i, i, 8, 8, 0, 0x112233), 0);
		assert_int_equal(xa_sync(d, 5000), 0);
		xa_close(d);
		/* the second round runs on the heap the first one's windows left */
		assert_true(wait_log(&s, "(app) closed", round + 1, 5000));
	}
	expect_alive(&s);
	e2e_server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_windows_twice),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("xproto-server against hostile peers", tests, NULL,
	                                   NULL);
}
