/*
 * agenda_sync_test.c - end-to-end sync tests against a real agendad over
 * loopback: offline edits converge, same-field edits give a visible
 * conflict and lose nothing, delete vs edit keeps the event, a read-only
 * member cannot write, and syncs cut at random byte offsets converge with
 * no duplicates once retried.
 */
#include "agenda_harness.h"
#include "xproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define T0 1795000000 /* 2026-11-18 */

struct world {
	struct harness h;
	char tok_a[33], tok_b[33], tok_r[33];
	struct ag_replica *a, *b;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	h_setup(&w->h);
	h_user(&w->h, "alice", AG_RIGHT_RW, w->tok_a);
	h_user(&w->h, "bob", AG_RIGHT_RW, w->tok_b);
	h_user(&w->h, "reader", AG_RIGHT_READ, w->tok_r);
	h_start(&w->h);
	w->a = h_replica(&w->h, "a.db", "alice", w->tok_a);
	w->b = h_replica(&w->h, "b.db", "bob", w->tok_b);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	ag_replica_close(w->a);
	ag_replica_close(w->b);
	h_teardown(&w->h);
	free(w);
	return 0;
}

static void sync_all(struct world *w)
{
	h_sync(w->a);
	h_sync(w->b);
	h_sync(w->a);
}

static void assert_converged(struct ag_replica *x, struct ag_replica *y)
{
	char *dx = h_dump(x), *dy = h_dump(y);
	assert_string_equal(dx, dy);
	free(dx);
	free(dy);
	assert_int_equal(ag_pending_count(x), 0);
	assert_int_equal(ag_pending_count(y), 0);
}

static void edit_str(struct ag_replica *r, const char *uid, int f, const char *v)
{
	struct ag_event e = {0};
	*ag_ev_str(&e, f) = (char *)v;
	assert_int_equal(ag_event_edit(r, uid, &e, AG_MASK(f)), 0);
}

static void test_offline_edits_converge(void **state)
{
	struct world *w = *state;
	char u1[64], u2[64], u3[64];
	h_add(w->a, "a1", T0, u1);
	h_add(w->a, "a2", T0 + 7200, u2);
	sync_all(w);
	/* offline: A edits the title, B the location of the same event, both
	 * add events, B deletes another */
	edit_str(w->a, u1, AG_F_TITLE, "a1 renamed");
	edit_str(w->b, u1, AG_F_LOCATION, "room 7");
	h_add(w->b, "b1", T0 + 3600, u3);
	assert_int_equal(ag_event_delete(w->b, u2), 0);
	sync_all(w);
	assert_converged(w->a, w->b);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->a, u1, &ev), 0);
	assert_string_equal(ev.title, "a1 renamed");
	assert_string_equal(ev.location, "room 7");
	ag_event_finish(&ev);
	assert_int_equal(h_count(w->a), 2);
	assert_int_equal(h_conflicts(w->a), 0);
}

static bool clock_past(void *arg)
{
	return ag_now_ms() > *(int64_t *)arg;
}

static void test_same_field_conflict(void **state)
{
	struct world *w = *state;
	char u[64];
	struct ag_event ea, eb;
	h_add(w->a, "lunch", T0, u);
	sync_all(w);
	edit_str(w->a, u, AG_F_TITLE, "lunch with Ann");
	int64_t a_ms = ag_now_ms(); /* edits are stamped in ms: B's must be later */
	assert_true(proc_until(clock_past, &a_ms, 5000));
	edit_str(w->b, u, AG_F_TITLE, "lunch with Bob"); /* later: wins */
	sync_all(w);
	assert_converged(w->a, w->b);
	assert_int_equal(ag_event_get(w->a, u, &ea), 0);
	assert_string_equal(ea.title, "lunch with Bob");
	/* the loser is kept, visible on both replicas */
	struct ag_conflict *c;
	size_t n;
	assert_int_equal(ag_conflicts(w->b, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].value, "lunch with Ann");
	assert_int_equal(c[0].field, AG_F_TITLE);
	int64_t id = c[0].id;
	ag_conflicts_free(c, n);
	assert_int_equal(h_conflicts(w->a), 1);
	/* resolving by taking the other value propagates everywhere */
	assert_int_equal(ag_conflict_resolve(w->a, id, true), 0);
	sync_all(w);
	assert_int_equal(h_conflicts(w->a), 0);
	assert_int_equal(h_conflicts(w->b), 0);
	assert_int_equal(ag_event_get(w->b, u, &eb), 0);
	assert_string_equal(eb.title, "lunch with Ann");
	ag_event_finish(&ea);
	ag_event_finish(&eb);
	assert_converged(w->a, w->b);
}

static void test_delete_vs_edit(void **state)
{
	struct world *w = *state;
	char u[64], v[64];
	h_add(w->a, "review", T0, u);
	h_add(w->a, "retro", T0 + 3600, v);
	sync_all(w);
	/* delete pushed first, concurrent edit second: the edit revives it */
	assert_int_equal(ag_event_delete(w->a, u), 0);
	edit_str(w->b, u, AG_F_NOTES, "bring slides");
	/* edit pushed first, concurrent delete second: the delete is refused */
	edit_str(w->a, v, AG_F_NOTES, "room booked");
	assert_int_equal(ag_event_delete(w->b, v), 0);
	sync_all(w);
	assert_converged(w->a, w->b);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->a, u, &ev), 0);
	assert_string_equal(ev.notes, "bring slides");
	ag_event_finish(&ev);
	assert_int_equal(ag_event_get(w->b, v, &ev), 0);
	assert_string_equal(ev.notes, "room booked");
	ag_event_finish(&ev);
	assert_int_equal(h_conflicts(w->a), 2); /* both deletes visible */
}

static void test_read_only_member(void **state)
{
	struct world *w = *state;
	char u[64], x[64];
	h_add(w->a, "board meeting", T0, u);
	sync_all(w);
	struct ag_replica *r = h_replica(&w->h, "r.db", "reader", w->tok_r);
	/* offline before the first sync: the server refuses the new event
	 * and the replica drops it */
	h_add(r, "sneaky", T0, x);
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(r, NULL, &st), 0);
	assert_int_equal(st.rejected, 1);
	h_sync(r);
	assert_int_equal(h_count(r), 1);
	assert_converged(r, w->a);
	/* a client that ignores its rights is refused by the server, and gets
	 * the server's copy back */
	assert_int_equal(ag_meta_set_int(r, "rights", AG_RIGHT_RW), 0);
	edit_str(r, u, AG_F_TITLE, "hacked");
	assert_int_equal(ag_sync(r, NULL, &st), 0);
	assert_int_equal(st.rejected, 1);
	assert_converged(r, w->a);
	/* after the first sync the replica knows and refuses locally */
	struct ag_event e = {0};
	e.title = "y";
	assert_int_equal(ag_event_edit(r, u, &e, AG_MASK(AG_F_TITLE)), -1);
	assert_int_equal(ag_event_delete(r, u), -1);
	h_sync(w->b);
	assert_converged(r, w->b);
	ag_replica_close(r);
}

static void test_cut_sync_converges(void **state)
{
	struct world *w = *state;
	char u[64];
	srand(42);
	for (int round = 0; round < 30; round++) {
		/* a batch of changes on A, pushed through a connection cut at a
		 * random byte, then on B, pulled through a cut connection */
		for (int i = 0; i < 5; i++)
			h_add(w->a, "cut", T0 + 60 * (round * 5 + i), u);
		edit_str(w->a, u, AG_F_NOTES, "edited");
		struct ag_sync_opts o = {.cut_after = 1 + rand() % 700};
		struct ag_sync_stats st;
		ag_sync(w->a, &o, &st);
		o.cut_after = 1 + rand() % 900;
		ag_sync(w->b, &o, &st);
		o.cut_after = 1 + rand() % 300;
		ag_sync(w->a, &o, &st);
	}
	sync_all(w);
	assert_converged(w->a, w->b);
	assert_int_equal(h_count(w->a), 150);
	assert_int_equal(h_count(w->b), 150);
	/* a fresh replica pulling in small pages sees no duplicates either */
	struct ag_replica *c = h_replica(&w->h, "c.db", "alice", w->tok_a);
	struct ag_sync_opts small = {.page = 7};
	struct ag_sync_stats st;
	for (int i = 0;
	     i < 100 &&
	     ag_sync(c, &(struct ag_sync_opts){.page = 7, .cut_after = 400 + 97 * i}, &st);
	     i++)
		;
	assert_int_equal(ag_sync(c, &small, &st), 0);
	assert_converged(c, w->a);
	ag_replica_close(c);
}

static void test_recurrence_listing(void **state)
{
	struct world *w = *state;
	struct ag_event ev = {0};
	ev.title = "weekly";
	ev.start = T0;
	ev.end = T0 + 1800;
	ev.tz = "Europe/Paris";
	ev.rrule = "FREQ=WEEKLY;COUNT=10";
	ev.exdate = "20261125T110640Z"; /* T0 + 1 week */
	assert_int_equal(ag_event_add(w->a, &ev), 0);
	struct ag_occurrence *occ;
	size_t n;
	assert_int_equal(ag_occurrences(w->a, T0, T0 + 35 * 86400, &occ, &n), 0);
	assert_int_equal(n, 4); /* weeks 0,2,3,4; week 1 excluded */
	assert_int_equal(occ[0].start, T0);
	assert_int_equal(occ[1].start, T0 + 14 * 86400);
	ag_occurrences_free(occ, n);
}

static void test_big_events(void **state)
{
	struct world *w = *state;
	size_t len = 400 << 10;
	char *notes = malloc(len + 1), u[64];
	memset(notes, 'n', len);
	notes[len] = 0;
	for (int i = 0; i < 12; i++) {
		struct ag_event ev = {
		    .title = "big", .start = T0 + i, .end = T0 + i, .notes = notes};
		notes[0] = (char)('a' + i);
		assert_int_equal(ag_event_add(w->a, &ev), 0);
	}
	/* more than one chunk each way, every frame under the limit */
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->a, NULL, &st), 0);
	assert_int_equal(st.pushed, 12);
	assert_int_equal(ag_sync(w->b, NULL, &st), 0);
	assert_int_equal(st.pulled, 12);
	assert_true(st.pages > 2);
	assert_converged(w->a, w->b);
	/* an event over the size limit is refused locally */
	char *huge = malloc((600 << 10) + 1);
	memset(huge, 'h', 600 << 10);
	huge[600 << 10] = 0;
	struct ag_event ev = {.title = huge, .start = T0, .end = T0};
	assert_int_equal(ag_event_add(w->a, &ev), -1);
	(void)u;
	free(huge);
	free(notes);
}

/* 20 client processes sync at once while 100 idle connections sit open. */
static void test_many_clients(void **state)
{
	struct world *w = *state;
	enum { CLIENTS = 20, IDLE = 100 };
	int idle[IDLE];
	char addr[32];
	struct xp_error err;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", w->h.port);
	for (int i = 0; i < IDLE; i++) {
		idle[i] = xp_net_connect(addr, XP_NET_CLOEXEC, &err);
		assert_true(idle[i] >= 0);
		assert_int_equal(send(idle[i], "\x01", 1, 0), 1);
	}
	pid_t kids[CLIENTS];
	for (int k = 0; k < CLIENTS; k++) {
		if ((kids[k] = fork()) != 0)
			continue;
		char name[32], u[64];
		snprintf(name, sizeof(name), "kid%d.db", k);
		struct ag_replica *r = h_replica(&w->h, name, "bob", w->tok_b);
		int bad = 0;
		for (int i = 0; i < 5; i++) {
			h_add(r, name, T0 + i, u);
			bad |= ag_sync(r, NULL, NULL);
		}
		ag_replica_close(r);
		_exit(bad ? 1 : 0);
	}
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(proc_wait(kids[k], 60000), 0);
	h_sync(w->a);
	assert_int_equal(h_count(w->a), CLIENTS * 5);
	for (int i = 0; i < IDLE; i++)
		close(idle[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_offline_edits_converge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_field_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_vs_edit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_member, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cut_sync_converges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recurrence_listing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
	};
	alarm(600); /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
