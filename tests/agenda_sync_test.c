/*
 * agenda_sync_test.c - the sync invariants of apps/agenda/SYNC.md section
 * 3, each against a real agendad over loopback: offline edits converge,
 * same-key conflicts lose nothing, deletes propagate, an edit concurrent
 * with a delete restores the whole event, an edit made during a sync is
 * kept, restored and copied replica files keep and send everything, cut
 * syncs converge, another member cannot disturb a replica's changes, set
 * members merge, expired tombstones give a full resync, and users added
 * while agendad runs work at once.
 */
#include "agenda_harness.h"
#include "xproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define T0 1795000000 /* 2026-11-18 11:06:40 UTC */

struct world {
	struct harness h;
	char tok_a[33], tok_b[33], tok_r[33];
	struct ag_replica *a, *b;
};

static int setup_with(void **state, const char *opt, const char *val)
{
	struct world *w = calloc(1, sizeof(*w));
	h_setup(&w->h);
	w->h.extra[0] = opt;
	w->h.extra[1] = val;
	h_user(&w->h, "alice", AG_RIGHT_RW, w->tok_a);
	h_user(&w->h, "bob", AG_RIGHT_RW, w->tok_b);
	h_user(&w->h, "reader", AG_RIGHT_READ, w->tok_r);
	h_start(&w->h);
	w->a = h_replica(&w->h, "a.db", "alice", w->tok_a);
	w->b = h_replica(&w->h, "b.db", "bob", w->tok_b);
	*state = w;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL, NULL);
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

static void test_offline_edits_converge(void **state)
{
	struct world *w = *state;
	char u1[64], u2[64], u3[64];
	h_add(w->a, "a1", T0, u1);
	h_add(w->a, "a2", T0 + 7200, u2);
	sync_all(w);
	h_edit_text(w->a, u1, "title", "a1 renamed");
	h_edit_text(w->b, u1, "location", "room 7");
	h_add(w->b, "b1", T0 + 3600, u3);
	assert_int_equal(ag_event_delete(w->b, u2), 0);
	sync_all(w);
	assert_converged(w->a, w->b);
	assert_string_equal(h_get(w->a, u1, "title"), "a1 renamed");
	assert_string_equal(h_get(w->a, u1, "location"), "room 7");
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
	h_add(w->a, "lunch", T0, u);
	sync_all(w);
	h_edit_text(w->a, u, "title", "lunch with Ann");
	int64_t a_ms = ag_now_ms(); /* edits are stamped in ms: B's must be later */
	assert_true(proc_until(clock_past, &a_ms, 5000));
	h_edit_text(w->b, u, "title", "lunch with Bob"); /* later: wins */
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->a, NULL, &st), 0);
	assert_int_equal(ag_sync(w->b, NULL, &st), 0);
	assert_int_equal(st.conflicts, 1); /* the true count */
	h_sync(w->a);
	assert_converged(w->a, w->b);
	assert_string_equal(h_get(w->a, u, "title"), "lunch with Bob");
	struct ag_conflict *c;
	size_t n;
	assert_int_equal(ag_conflicts(w->b, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].value, "lunch with Ann");
	assert_string_equal(c[0].key, "SUMMARY");
	assert_string_equal(c[0].loser, "alice"); /* a user, never a replica id */
	int64_t id = c[0].id;
	ag_conflicts_free(c, n);
	assert_int_equal(ag_conflict_resolve(w->a, id, true), 0);
	sync_all(w);
	assert_int_equal(h_conflicts(w->a), 0);
	assert_int_equal(h_conflicts(w->b), 0);
	assert_string_equal(h_get(w->b, u, "title"), "lunch with Ann");
	assert_converged(w->a, w->b);
}

/* SYNC.md I2: create, sync, edit, delete, sync: the delete leaves. */
static void test_delete_propagates(void **state)
{
	struct world *w = *state;
	char u[64];
	h_add(w->a, "short-lived", T0, u);
	sync_all(w);
	h_edit_text(w->a, u, "notes", "edited first");
	assert_int_equal(ag_event_delete(w->a, u), 0);
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->a, NULL, &st), 0);
	assert_int_equal(st.pushed, 1);
	h_sync(w->b);
	assert_int_equal(h_count(w->b), 0);
	struct ag_replica *c = h_replica(&w->h, "c.db", "bob", w->tok_b);
	h_sync(c);
	assert_int_equal(h_count(c), 0);
	ag_replica_close(c);
	/* one created and deleted offline is sent whole and deleted: one
	 * change, invisible to the others, restored whole by an undelete */
	h_add(w->a, "never sent", T0, u);
	assert_int_equal(ag_event_delete(w->a, u), 0);
	assert_int_equal(ag_pending_count(w->a), 1);
	sync_all(w);
	assert_int_equal(h_count(w->b), 0);
	assert_converged(w->a, w->b);
	assert_int_equal(ag_event_undelete(w->b, u), 0);
	sync_all(w);
	assert_string_equal(h_get(w->a, u, "title"), "never sent");
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->b, u, false, &ev), 0);
	assert_string_equal(ev.title, "never sent");
	assert_int_equal(ev.start, T0);
	ag_event_finish(&ev);
	assert_converged(w->a, w->b);
}

/* SYNC.md I3, in both arrival orders: the whole event comes back. */
static void test_edit_vs_delete_restores_whole_event(void **state)
{
	struct world *w = *state;
	char u[64] = "", v[64] = "";
	for (int order = 0; order < 2; order++) {
		struct ag_replica *del = order ? w->b : w->a, *ed = order ? w->a : w->b;
		struct ag_edit e = {.location = "Room 9", .notes = "bring slides", .allday = -1};
		h_add(w->a, order ? "retro" : "review", T0 + order * 86400, order ? v : u);
		const char *uid = order ? v : u;
		assert_int_equal(ag_event_edit(w->a, uid, &e), 0);
		sync_all(w);
		assert_int_equal(ag_event_delete(del, uid), 0);
		h_edit_text(ed, uid, "title", "edited meanwhile");
		if (order) { /* the edit arrives first, the delete is refused */
			h_sync(ed);
			h_sync(del);
		} else { /* the delete arrives first, the edit revives it */
			h_sync(del);
			h_sync(ed);
		}
		sync_all(w);
		assert_converged(w->a, w->b);
		struct ag_event ev;
		assert_int_equal(ag_event_get(del, uid, false, &ev), 0);
		assert_string_equal(ev.title, "edited meanwhile");
		assert_string_equal(ev.location, "Room 9");
		assert_string_equal(ev.notes, "bring slides");
		assert_int_equal(ev.start, T0 + order * 86400);
		assert_int_equal(ev.end - ev.start, 3600);
		assert_int_equal(ev.conflicts, 1); /* the delete stays visible */
		ag_event_finish(&ev);
	}
}

static void test_read_only_member(void **state)
{
	struct world *w = *state;
	char u[64], x[64];
	h_add(w->a, "board meeting", T0, u);
	sync_all(w);
	struct ag_replica *r = h_replica(&w->h, "r.db", "reader", w->tok_r);
	/* offline before its first sync: refused, and dropped */
	h_add(r, "sneaky", T0, x);
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(r, NULL, &st), 0);
	assert_int_equal(st.rejected, 1);
	h_sync(r);
	assert_int_equal(h_count(r), 1);
	assert_converged(r, w->a);
	/* a client that ignores its rights gets the server's copy back */
	assert_int_equal(ag_meta_set_int(r, "rights", AG_RIGHT_RW), 0);
	h_edit_text(r, u, "title", "hacked");
	assert_int_equal(ag_sync(r, NULL, &st), 0);
	assert_int_equal(st.rejected, 1);
	assert_converged(r, w->a);
	/* after a sync the replica knows and refuses locally, resolving too */
	struct ag_edit e = {.title = "y", .allday = -1};
	assert_int_equal(ag_event_edit(r, u, &e), -1);
	assert_int_equal(ag_event_delete(r, u), -1);
	assert_int_equal(ag_conflict_resolve(r, 1, true), -1);
	assert_non_null(strstr(ag_replica_error(r), "read-only"));
	ag_replica_close(r);
}

static void test_cut_sync_converges(void **state)
{
	struct world *w = *state;
	char u[64];
	srand(42);
	for (int round = 0; round < 30; round++) {
		for (int i = 0; i < 5; i++)
			h_add(w->a, "cut", T0 + 60 * (round * 5 + i), u);
		h_edit_text(w->a, u, "notes", "edited");
		struct ag_event ev;
		if (ag_event_get(w->b, u, false, &ev) == 0) { /* if b has it yet */
			ag_event_finish(&ev);
			h_edit_text(w->b, u, "location", "b was here");
		}
		struct ag_sync_opts o = {.cut_after = 1 + rand() % 900};
		struct ag_sync_stats st;
		ag_sync(w->a, &o, &st);
		o.cut_after = 1 + rand() % 1200;
		ag_sync(w->b, &o, &st);
		o.cut_after = 1 + rand() % 400;
		ag_sync(w->a, &o, &st);
	}
	sync_all(w);
	h_sync(w->b);
	assert_converged(w->a, w->b);
	assert_int_equal(h_count(w->a), 150);
	struct ag_replica *c = h_replica(&w->h, "c.db", "alice", w->tok_a);
	struct ag_sync_stats st;
	for (int i = 0;
	     i < 200 &&
	     ag_sync(c, &(struct ag_sync_opts){.page = 7, .cut_after = 400 + 97 * i}, &st);
	     i++)
		;
	assert_int_equal(ag_sync(c, &(struct ag_sync_opts){.page = 7}, &st), 0);
	assert_converged(c, w->a);
	ag_replica_close(c);
}

/* SYNC.md I4: a second handle on the same file edits while a sync runs,
 * between its push and its pull, and between pages (as xp-calendar's
 * background sync does). */
struct during {
	struct world *w;
	struct ag_replica *other;
	const char *uid;
	int calls;
};

static void edit_during(void *arg, int stage)
{
	struct during *d = arg;
	char buf[64];
	snprintf(buf, sizeof(buf), "typed during sync %d.%d", stage, d->calls++);
	h_edit_text(d->other, d->uid, "notes", buf);
}

static void test_edit_during_sync(void **state)
{
	struct world *w = *state;
	char u[64], path[300], err[256];
	h_add(w->a, "busy", T0, u);
	for (int i = 0; i < 30; i++) {
		char t[64];
		h_add(w->b, "filler", T0 + 60 * i, t);
	}
	h_sync(w->b);
	h_edit_text(w->a, u, "title", "in flight");
	struct during d = {.w = w, .uid = u};
	h_path(&w->h, "a.db", path, sizeof(path));
	assert_int_equal(ag_replica_open(path, &d.other, err, sizeof(err)), 0);
	struct ag_sync_opts o = {.hook = edit_during, .hook_arg = &d, .page = 5};
	assert_int_equal(ag_sync(w->a, &o, NULL), 0);
	assert_true(d.calls >= 3);
	char last[64];
	snprintf(last, sizeof(last), "typed during sync 1.%d", d.calls - 1);
	assert_string_equal(h_get(w->a, u, "notes"), last);
	assert_true(ag_pending_count(w->a) > 0);
	sync_all(w);
	assert_string_equal(h_get(w->b, u, "notes"), last);
	assert_string_equal(h_get(w->b, u, "title"), "in flight");
	assert_int_equal(h_conflicts(w->b), 0); /* its own changes never conflict */
	assert_converged(w->a, w->b);
	ag_replica_close(d.other);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
	assert_int_equal(system(cmd), 0);
}

/* Closes R (checkpointing it) and copies its file to NAME. */
static struct ag_replica *checkpoint_copy(struct world *w, struct ag_replica **r, const char *from,
                                          const char *name)
{
	char a[300], b[300], err[256];
	struct ag_replica *copy;
	ag_replica_close(*r);
	h_path(&w->h, from, a, sizeof(a));
	h_path(&w->h, name, b, sizeof(b));
	copy_file(a, b);
	assert_int_equal(ag_replica_open(a, r, err, sizeof(err)), 0);
	assert_int_equal(ag_replica_open(b, &copy, err, sizeof(err)), 0);
	return copy;
}

/* SYNC.md I5: a file restored from a backup keeps and sends what it has. */
static void test_backup_restore(void **state)
{
	struct world *w = *state;
	char u[64], v[64], path[300], bak[300], err[256];
	h_add(w->a, "before backup", T0, u);
	sync_all(w);
	h_add(w->a, "pending in the backup", T0 + 3600, v);
	struct ag_replica *b = checkpoint_copy(w, &w->a, "a.db", "a.bak");
	ag_replica_close(b);
	h_sync(w->a); /* the live file syncs on, several times */
	h_edit_text(w->a, u, "title", "after backup");
	h_sync(w->a);
	h_sync(w->a);
	/* the disk dies; the backup comes back, and is edited before syncing */
	ag_replica_close(w->a);
	h_path(&w->h, "a.db", path, sizeof(path));
	h_path(&w->h, "a.bak", bak, sizeof(bak));
	copy_file(bak, path);
	assert_int_equal(ag_replica_open(path, &w->a, err, sizeof(err)), 0);
	h_edit_text(w->a, v, "notes", "written on the restored file");
	char x[64];
	h_add(w->a, "new on the restored file", T0 + 7200, x);
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->a, NULL, &st), 0);
	assert_true(st.forked);
	h_sync(w->b);
	assert_string_equal(h_get(w->b, u, "title"), "after backup");
	assert_string_equal(h_get(w->b, v, "notes"), "written on the restored file");
	assert_string_equal(h_get(w->b, x, "title"), "new on the restored file");
	h_sync(w->a);
	assert_converged(w->a, w->b);
}

/* SYNC.md section 1 (late ancestors) and rule 1: the backup holds an older
 * version of a change that was sent later with more edits absorbed, among
 * them the removal of a category the older version adds. The removal
 * stands, whether the restored file sends that older version as it is (u)
 * or edits the event again first (v: then the stale category is a conflict
 * record, never silently back). */
static void test_backup_older_version(void **state)
{
	struct world *w = *state;
	char u[64], v[64], path[300], bak[300], err[256];
	const char *cat[1] = {"Travel"};
	struct ag_edit add = {.cat_add = cat, .n_cat_add = 1, .allday = -1};
	struct ag_edit del = {.cat_del = cat, .n_cat_del = 1, .allday = -1};
	h_add(w->a, "offline", T0, u);
	h_add(w->a, "offline too", T0 + 3600, v);
	assert_int_equal(ag_event_edit(w->a, u, &add), 0);
	assert_int_equal(ag_event_edit(w->a, v, &add), 0);
	struct ag_replica *b = checkpoint_copy(w, &w->a, "a.db", "a.bak");
	ag_replica_close(b);
	assert_int_equal(ag_event_edit(w->a, u, &del), 0);
	assert_int_equal(ag_event_edit(w->a, v, &del), 0);
	h_edit_text(w->a, u, "notes", "no travel after all");
	h_sync(w->a);
	ag_replica_close(w->a);
	h_path(&w->h, "a.db", path, sizeof(path));
	h_path(&w->h, "a.bak", bak, sizeof(bak));
	copy_file(bak, path);
	assert_int_equal(ag_replica_open(path, &w->a, err, sizeof(err)), 0);
	h_edit_text(w->a, v, "location", "written on the restored file");
	h_sync(w->a);
	h_sync(w->a);
	h_sync(w->b);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->b, u, false, &ev), 0);
	assert_string_equal(ev.categories, "");
	assert_string_equal(ev.notes, "no travel after all");
	ag_event_finish(&ev);
	assert_int_equal(ag_event_get(w->b, v, false, &ev), 0);
	assert_string_equal(ev.categories, "");
	assert_string_equal(ev.location, "written on the restored file");
	ag_event_finish(&ev);
	struct ag_conflict *cs;
	size_t n;
	assert_int_equal(ag_conflicts(w->b, &cs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].uid, v);
	ag_conflicts_free(cs, n);
	assert_converged(w->a, w->b);
}

/* SYNC.md I5: a file copied to a second laptop; both go on. */
static void test_copied_replica(void **state)
{
	struct world *w = *state;
	char u[64], x[64], y[64];
	h_add(w->a, "shared", T0, u);
	sync_all(w);
	struct ag_replica *c = checkpoint_copy(w, &w->a, "a.db", "laptop2.db");
	h_add(w->a, "from laptop 1", T0 + 3600, x);
	h_add(c, "from laptop 2", T0 + 7200, y);
	h_edit_text(w->a, u, "location", "l1");
	h_edit_text(c, u, "notes", "l2");
	bool forked = false;
	for (int i = 0; i < 3; i++) {
		struct ag_sync_stats st;
		assert_int_equal(ag_sync(w->a, NULL, &st), 0);
		forked |= st.forked;
		assert_int_equal(ag_sync(c, NULL, &st), 0);
		forked |= st.forked;
	}
	assert_true(forked); /* one of the two was told, and took a new id */
	h_sync(w->b);
	assert_int_equal(h_count(w->b), 3);
	assert_string_equal(h_get(c, x, "title"), "from laptop 1");
	assert_string_equal(h_get(w->a, y, "title"), "from laptop 2");
	assert_string_equal(h_get(w->b, u, "location"), "l1");
	assert_string_equal(h_get(w->b, u, "notes"), "l2");
	assert_converged(w->a, c);
	assert_converged(w->a, w->b);
	ag_replica_close(c);
}

/* The replicas rows of the server database DB, as "rid cur prev;" text. */
static void server_generations(const char *db, char *out, size_t len)
{
	sqlite3 *d;
	sqlite3_stmt *st;
	size_t n = 0;
	out[0] = 0;
	assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(d, "SELECT rid, cur, prev FROM replicas ORDER BY rid",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < len)
		n += (size_t)snprintf(
		    out + n, len - n, "%lld %lld %lld;", (long long)sqlite3_column_int64(st, 0),
		    (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(d);
}

/* Writes the replicas rows ROWS (from server_generations()) back into DB. */
static void server_set_generations(const char *db, const char *rows)
{
	sqlite3 *d;
	long long rid, cur, prev;
	int used;
	assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
	sqlite3_busy_timeout(d, 10000);
	for (const char *p = rows; sscanf(p, "%lld %lld %lld;%n", &rid, &cur, &prev, &used) == 3;
	     p += used) {
		char sql[160];
		snprintf(sql, sizeof(sql), "UPDATE replicas SET cur=%lld, prev=%lld WHERE rid=%lld",
		         cur, prev, rid);
		assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(d);
}

struct gens {
	const char *db, *before;
	char now[512];
};

/* True once the server's generations differ from G->before (into G->now). */
static bool gens_moved(void *arg)
{
	struct gens *g = arg;
	server_generations(g->db, g->now, sizeof(g->now));
	return strcmp(g->now, g->before) != 0;
}

/* SYNC.md I5, section 7: the WELCOME leaves before its generation rotation
 * is durable. agendad losing that rotation (its row back as it was before
 * the sync, as after a power cut) must not make the replica look restored
 * or copied, and the generations go on rotating. */
static void test_lost_rotation_not_forked(void **state)
{
	struct world *w = *state;
	char u[64], before[512];
	h_add(w->a, "first", T0, u);
	h_sync(w->a);
	h_sync(w->a);
	server_generations(w->h.db, before, sizeof(before));
	h_sync(w->a); /* its rotation is lost below */
	/* the sync may end before the turn's COMMIT holding the rotation */
	struct gens g = {.db = w->h.db, .before = before};
	assert_true(proc_until(gens_moved, &g, 10000));
	h_stop(&w->h, SIGKILL);
	server_set_generations(w->h.db, before);
	h_start(&w->h);
	char server[64];
	snprintf(server, sizeof(server), "127.0.0.1:%d", w->h.port);
	assert_int_equal(ag_replica_configure(w->a, server, "alice", w->tok_a, "team"), 0);
	assert_int_equal(ag_replica_configure(w->b, server, "bob", w->tok_b, "team"), 0);
	for (int i = 0; i < 3; i++) {
		struct ag_sync_stats st;
		char title[32];
		snprintf(title, sizeof(title), "edited %d", i);
		h_edit_text(w->a, u, "title", title);
		assert_int_equal(ag_sync(w->a, NULL, &st), 0);
		assert_false(st.forked);
		assert_int_equal(st.pushed, 1);
	}
	h_sync(w->b);
	assert_string_equal(h_get(w->b, u, "title"), "edited 2");
	assert_converged(w->a, w->b);
}

/* SYNC.md I7: a reader and a member of another agenda replay alice's
 * replica id and generation; alice's changes still count. */
static void test_identity_bound_to_user(void **state)
{
	struct world *w = *state;
	char u[64], tok[33];
	h_add(w->a, "alice's", T0, u);
	sync_all(w);
	struct ag_store *s;
	char err[256];
	assert_int_equal(ag_store_open(w->h.db, &s, err, sizeof(err)), 0);
	assert_int_equal(ag_store_adduser(s, "mallory", tok), 0);
	assert_int_equal(ag_store_grant(s, "mallory", "other", AG_RIGHT_RW), 0);
	ag_store_close(s);
	const char *users[] = {"reader", "mallory"}, *toks[] = {w->tok_r, tok};
	const char *agendas[] = {"team", "other"};
	for (int i = 0; i < 2; i++) {
		char name[32];
		snprintf(name, sizeof(name), "evil%d.db", i);
		struct ag_replica *e = h_replica(&w->h, name, users[i], toks[i]);
		char server[64];
		snprintf(server, sizeof(server), "127.0.0.1:%d", w->h.port);
		assert_int_equal(ag_replica_configure(e, server, users[i], toks[i], agendas[i]), 0);
		ag_meta_set_int(e, "replica", ag_meta_int(w->a, "replica", 0));
		ag_meta_set_int(e, "generation", ag_meta_int(w->a, "generation", 0));
		ag_meta_set_int(e, "rights", AG_RIGHT_RW);
		char x[64];
		h_add(e, "noise", T0, x);
		struct ag_sync_stats st;
		ag_sync(e, NULL, &st);
		ag_replica_close(e);
	}
	h_edit_text(w->a, u, "title", "still alice's");
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->a, NULL, &st), 0);
	assert_false(st.forked);
	assert_int_equal(st.pushed, 1);
	h_sync(w->b);
	assert_string_equal(h_get(w->b, u, "title"), "still alice's");
	assert_int_equal(h_count(w->b), 1);
}

/* Multi-valued properties merge as sets; a removal is a change too. */
static void test_sets_merge(void **state)
{
	struct world *w = *state;
	char u[64];
	struct ag_when start = h_when(T0);
	struct ag_edit e = {.title = "weekly",
	                    .start = &start,
	                    .duration = 1800,
	                    .tz = "UTC",
	                    .rrule = "FREQ=WEEKLY;COUNT=10",
	                    .allday = -1};
	char *uid;
	assert_int_equal(ag_event_add(w->a, &e, &uid), 0);
	snprintf(u, sizeof(u), "%s", uid);
	free(uid);
	sync_all(w);
	const char *xa[] = {"2026-11-25"}, *xb[] = {"2026-12-02"}, *ca[] = {"Work"},
	           *cb[] = {"Fun"};
	struct ag_edit ea = {
	    .exdate_add = xa, .n_exdate_add = 1, .cat_add = ca, .n_cat_add = 1, .allday = -1};
	struct ag_edit eb = {
	    .exdate_add = xb, .n_exdate_add = 1, .cat_add = cb, .n_cat_add = 1, .allday = -1};
	assert_int_equal(ag_event_edit(w->a, u, &ea), 0);
	assert_int_equal(ag_event_edit(w->b, u, &eb), 0);
	sync_all(w);
	assert_converged(w->a, w->b);
	struct ag_occurrence *occ;
	size_t n;
	assert_int_equal(ag_occurrences(w->b, T0, T0 + 35 * 86400, &occ, &n), 0);
	assert_int_equal(n, 3); /* weeks 0, 3, 4: both cancellations kept */
	assert_int_equal(occ[0].start, T0);
	assert_int_equal(occ[1].start, T0 + 21 * 86400);
	ag_occurrences_free(occ, n);
	assert_int_equal(h_conflicts(w->a), 0);
	struct ag_edit rm = {
	    .exdate_del = xa, .n_exdate_del = 1, .cat_del = cb, .n_cat_del = 1, .allday = -1};
	assert_int_equal(ag_event_edit(w->b, u, &rm), 0);
	sync_all(w);
	assert_converged(w->a, w->b);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->a, u, false, &ev), 0);
	assert_string_equal(ev.categories, "Work");
	assert_string_equal(ev.exdate, "20261202T110640Z");
	ag_event_finish(&ev);
}

/* Two devices import the same file; one deletes an event before the
 * other's first sync: it is deleted everywhere. */
static void test_same_import_then_delete(void **state)
{
	struct world *w = *state;
	char path[300];
	h_path(&w->h, "in.ics", path, sizeof(path));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:shared-1\r\n"
	      "DTSTART:20261201T090000Z\r\nSUMMARY:one\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n"
	      "UID:shared-2\r\nDTSTART:20261202T090000Z\r\nSUMMARY:two\r\nEND:VEVENT\r\n"
	      "END:VCALENDAR\r\n",
	      f);
	fclose(f);
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	assert_int_equal(ag_import_ics(w->b, path, &st), 0);
	h_sync(w->a);
	assert_int_equal(ag_event_delete(w->a, "shared-1"), 0);
	h_sync(w->a);
	h_sync(w->b);
	sync_all(w);
	assert_converged(w->a, w->b);
	assert_int_equal(h_count(w->b), 1);
	assert_int_equal(h_conflicts(w->b), 0);
}

static void test_refusals_are_errors(void **state)
{
	struct world *w = *state;
	char server[64];
	snprintf(server, sizeof(server), "127.0.0.1:%d", w->h.port);
	struct ag_replica *r =
	    h_replica(&w->h, "x.db", "alice", "00112233445566778899aabbccddeeff");
	assert_int_equal(ag_sync(r, NULL, NULL), -1); /* nothing pending, still an error */
	assert_non_null(strstr(ag_replica_error(r), "wrong token"));
	assert_int_equal(ag_replica_configure(r, server, "alice", w->tok_a, "nosuch"), 0);
	assert_int_equal(ag_sync(r, NULL, NULL), -1);
	assert_non_null(strstr(ag_replica_error(r), "not a member"));
	ag_replica_close(r);
}

/* `agendad adduser` and `grant` while agendad runs and serves. */
static void test_adduser_while_running(void **state)
{
	struct world *w = *state;
	char u[64], tok[33], cmd[700];
	for (int i = 0; i < 5; i++) {
		h_add(w->a, "busy", T0 + i, u);
		h_sync(w->a);
		snprintf(cmd, sizeof(cmd), "%s/agendad adduser carol%d --agenda team --rw --db %s",
		         h_bin(), i, w->h.db);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%32s", tok), 1);
		assert_int_equal(pclose(p), 0);
		char name[32], user[32];
		snprintf(name, sizeof(name), "carol%d.db", i);
		snprintf(user, sizeof(user), "carol%d", i);
		struct ag_replica *c = h_replica(&w->h, name, user, tok);
		h_sync(c);
		assert_int_equal(h_count(c), (size_t)i + 1);
		ag_replica_close(c);
	}
}

static size_t refetch_queued(struct ag_replica *r)
{
	struct ag_buf b = {0};
	h_sql_dump(r, "SELECT count(*) FROM refetch", &b);
	ag_buf_u8(&b, 0);
	size_t n = strtoul((const char *)b.data, NULL, 10);
	ag_buf_finish(&b);
	return n;
}

static void test_big_events(void **state)
{
	struct world *w = *state;
	size_t len = 400 << 10;
	char *notes = malloc(len + 1), u[64];
	memset(notes, 'n', len);
	notes[len] = 0;
	for (int i = 0; i < 12; i++) {
		notes[0] = (char)('a' + i);
		h_add(w->a, "big", T0 + i, u);
		h_edit_text(w->a, u, "notes", notes);
	}
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->a, NULL, &st), 0);
	assert_int_equal(st.pushed, 12);
	assert_int_equal(ag_sync(w->b, NULL, &st), 0);
	assert_int_equal(st.pulled, 12);
	assert_true(st.pages > 2);
	assert_converged(w->a, w->b);
	/* b queues the 12 for refetch: they come one a page, and a sync cut
	 * after a few pages keeps the others queued (before, the whole queue
	 * was dropped once the first page arrived) */
	assert_int_equal(
	    sqlite3_exec(w->b->db, "INSERT INTO refetch SELECT uid FROM events", NULL, NULL, NULL),
	    SQLITE_OK);
	struct ag_sync_opts cut = {.cut_after = 3 * (long)len};
	assert_int_not_equal(ag_sync(w->b, &cut, &st), 0);
	size_t left = refetch_queued(w->b);
	print_message("refetch queue after a sync cut after 3 events' bytes: %zu of 12\n", left);
	assert_true(left > 0 && left < 12);
	assert_int_equal(ag_sync(w->b, NULL, &st), 0);
	assert_int_equal(refetch_queued(w->b), 0);
	assert_converged(w->a, w->b);
	char *huge = malloc((600 << 10) + 1);
	memset(huge, 'h', 600 << 10);
	huge[600 << 10] = 0;
	struct ag_edit e = {.title = huge, .allday = -1};
	assert_int_equal(ag_event_edit(w->a, u, &e), -1);
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

static int setup_short_retention(void **state)
{
	return setup_with(state, "--retention", "1");
}

/* SYNC.md I8: a tombstone trimmed after the retention period; a replica
 * that had not synced since gets a full resync and keeps its pending edit. */
static void test_retention_full_resync(void **state)
{
	struct world *w = *state;
	char u[64], v[64], x[64];
	h_add(w->a, "to delete", T0, u);
	h_add(w->a, "to keep", T0 + 3600, v);
	sync_all(w);
	h_edit_text(w->b, v, "notes", "pending on b"); /* b goes offline */
	h_add(w->b, "new on b", T0 + 7200, x);
	assert_int_equal(ag_event_delete(w->a, u), 0);
	h_sync(w->a);
	/* past the retention, agendad trims at start-up */
	int64_t past = ag_now_ms() + 1200;
	assert_true(proc_until(clock_past, &past, 10000));
	h_stop(&w->h, SIGTERM);
	h_start(&w->h);
	char server[64];
	snprintf(server, sizeof(server), "127.0.0.1:%d", w->h.port);
	assert_int_equal(ag_replica_configure(w->a, server, "alice", w->tok_a, "team"), 0);
	assert_int_equal(ag_replica_configure(w->b, server, "bob", w->tok_b, "team"), 0);
	h_edit_text(w->a, v, "title", "touched");
	h_sync(w->a);
	struct ag_sync_stats st;
	assert_int_equal(ag_sync(w->b, NULL, &st), 0);
	assert_true(st.reset);
	assert_int_equal(h_count(w->b), 2);
	assert_string_equal(h_get(w->b, v, "notes"), "pending on b");
	assert_string_equal(h_get(w->b, v, "title"), "touched");
	h_sync(w->a);
	assert_string_equal(h_get(w->a, x, "title"), "new on b");
	assert_converged(w->a, w->b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_offline_edits_converge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_field_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_propagates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edit_vs_delete_restores_whole_event, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_member, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cut_sync_converges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edit_during_sync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_restore, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_older_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copied_replica, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_rotation_not_forked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_identity_bound_to_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sets_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_import_then_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_are_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_adduser_while_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retention_full_resync, setup_short_retention,
	                                    teardown),
	};
	setenv("TZ", "UTC", 1);
	alarm(600); /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
