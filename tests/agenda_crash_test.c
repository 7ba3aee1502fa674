/*
 * agenda_crash_test.c - durability: agendad is killed with SIGKILL at
 * random moments while a client streams pushes, 20 times; after restart
 * every change the client saw acknowledged is on the server, nothing is
 * duplicated, and the remaining changes go through on the next sync.
 * "While": each kill comes a random 0-150 ms after the pusher reported its
 * first acknowledged sync of the cycle, however slow the machine is.
 */
#include "agenda_harness.h"

#include <poll.h>

#define CYCLES 20

struct world {
	struct harness h;
	char tok[33];
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	h_setup(&w->h);
	h_user(&w->h, "alice", AG_RIGHT_RW, w->tok);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	h_teardown(&w->h);
	free(w);
	return 0;
}

/* Child: adds events and syncs until the server goes away (at most 30 s),
 * writing a byte to @report after its first acknowledged sync. */
static void pusher(struct world *w, int cycle, int report)
{
	struct ag_replica *r = h_replica(&w->h, "a.db", "alice", w->tok);
	int64_t end = ag_now_ms() + 30000;
	char uid[64], title[64];
	for (int i = 0; i < 100000 && ag_now_ms() < end; i++) {
		for (int k = 0; k < 1 + i % 3; k++) {
			snprintf(title, sizeof(title), "c%d-%d-%d", cycle, i, k);
			h_add(r, title, 1795000000 + i * 60, uid);
		}
		if (ag_sync(r, &(struct ag_sync_opts){.timeout_ms = 5000}, NULL))
			break;
		if (i == 0 && write(report, "s", 1) != 1)
			break;
	}
	ag_replica_close(r);
	_exit(0);
}

/* Waits up to 30 s for the pusher's report; false if it never came. */
static bool first_sync(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;
	return poll(&p, 1, 30000) == 1 && read(fd, &c, 1) == 1;
}

/* uids of A's events that are no longer pending, i.e. acknowledged */
static size_t acked_uids(struct ag_replica *a, char (*out)[64], size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	assert_int_equal(
	    sqlite3_prepare_v2(a->db,
	                       "SELECT uid FROM events WHERE uid NOT IN (SELECT uid FROM "
	                       "pending)",
	                       -1, &st, NULL),
	    SQLITE_OK);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		snprintf(out[n++], 64, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return n;
}

static void test_kill9_cycles(void **state)
{
	struct world *w = *state;
	srand(1234);
	for (int cycle = 0; cycle < CYCLES; cycle++) {
		int fds[2];
		w->h.port = 0; /* a fresh port each time: the last one may be taken */
		h_start(&w->h);
		assert_int_equal(pipe(fds), 0);
		pid_t child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			close(fds[0]);
			pusher(w, cycle, fds[1]);
		}
		close(fds[1]);
		bool synced = first_sync(fds[0]);
		close(fds[0]);
		assert_true(synced);
		/* not a wait for anything: a deliberate random moment (0-149 ms into
		 * the push) at which the server is killed */
		nanosleep(&(struct timespec){0, (rand() % 150) * 1000000L}, NULL);
		h_stop(&w->h, SIGKILL);
		assert_int_equal(proc_wait(child, 30000), 0); /* its sync fails: it stops */
	}
	w->h.port = 0;
	h_start(&w->h);
	struct ag_replica *a = h_replica(&w->h, "a.db", "alice", w->tok);
	static char acked[200000][64];
	size_t nacked = acked_uids(a, acked, 200000);
	size_t total = h_count(a);
	/* a fresh replica sees the server's state before A pushes the rest */
	struct ag_replica *check = h_replica(&w->h, "check.db", "alice", w->tok);
	h_sync(check);
	struct ag_event ev;
	size_t lost = 0;
	for (size_t i = 0; i < nacked; i++) {
		if (ag_event_get(check, acked[i], false, &ev)) {
			lost++;
			continue;
		}
		ag_event_finish(&ev);
	}
	fprintf(stderr, "kill -9 cycles: %d, acknowledged: %zu of %zu, lost: %zu\n", CYCLES, nacked,
	        total, lost);
	assert_int_equal(lost, 0);
	assert_true(nacked > 0);
	/* the unacknowledged rest goes through, exactly once */
	h_sync(a);
	h_sync(check);
	assert_int_equal(h_count(check), total);
	assert_int_equal(ag_pending_count(a), 0);
	ag_replica_close(a);
	ag_replica_close(check);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kill9_cycles, setup, teardown),
	};
	alarm(600); /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
