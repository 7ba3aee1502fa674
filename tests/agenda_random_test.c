/*
 * agenda_random_test.c - the seeded randomized convergence test of issue 13:
 * five replicas of three users (one of them a copy of another made halfway,
 * one restored from a backup) make hundreds of random operations against a
 * real agendad: adds (some recurring), edits of single properties, set
 * additions and removals (categories, exceptions), time moves, deletes,
 * undeletes, conflict resolutions, offline periods, syncs cut at a random
 * byte, edits made by a second handle while a sync runs, and agendad killed
 * with SIGKILL in the middle of syncs. At the end everyone syncs and the
 * test checks that every replica holds exactly what a fresh replica pulls,
 * and that every value ever written is the final value, a visible conflict
 * record, or was overwritten by someone who had seen it (SYNC.md I1-I9).
 *
 * AGENDA_RANDOM_SEEDS (default 5) seeds from AGENDA_RANDOM_SEED (default
 * 1), AGENDA_RANDOM_OPS (default 300) operations each. Prints per seed the
 * operations, syncs, cuts, kills and divergences.
 */
#include "agenda_harness.h"

#define NREP   5
#define T0     1795000000
#define MAXW   8192
#define MAXUID 512

struct write {
	char uid[32], key[64], value[96];
	bool overwritten; /* someone who had seen it wrote over it */
};

struct rep {
	struct ag_replica *r;
	char name[32], user[16];
	const char *token;
	bool online, active;
};

struct stats {
	unsigned ops, adds, edits, sets, moves, deletes, undeletes, resolves, syncs, cuts, kills,
	    during, fails, conflicts, divergences, lost;
};

struct world {
	struct harness h;
	char tok[3][33];
	struct rep rep[NREP];
	struct write *w;
	size_t nw;
	char uids[MAXUID][32];
	size_t nuids;
	unsigned seed, counter;
	struct stats st;
	bool backup_taken, restored, copied;
	int backup_of;
};

/* AGENDA_RANDOM_TRACE=1: every operation on stderr. */
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
	va_list ap;
	if (!getenv("AGENDA_RANDOM_TRACE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* The name of replica R for traces ("r2.db", or "r2.db'" for a second handle). */
static const char *rname(const struct world *w, const struct ag_replica *r)
{
	static char buf[40];
	for (int i = 0; i < NREP; i++)
		if (w->rep[i].r == r)
			return w->rep[i].name;
	const char *f = sqlite3_db_filename(r->db, "main"), *slash = f ? strrchr(f, '/') : NULL;
	snprintf(buf, sizeof(buf), "%s'", slash ? slash + 1 : "?");
	return buf;
}

static unsigned rnd(struct world *w, unsigned n)
{
	w->seed = w->seed * 1103515245u + 12345u;
	return n ? (w->seed >> 8) % n : 0;
}

static void open_rep(struct world *w, int i)
{
	struct rep *p = &w->rep[i];
	p->r = h_replica(&w->h, p->name, p->user, p->token);
	ag_db_exec(p->r->db, "PRAGMA synchronous=OFF"); /* replicas never crash here */
}

/* ---- what was written ------------------------------------------------------------ */

static const char *local_value(struct ag_replica *r, const char *uid, const char *key)
{
	static char v[256];
	sqlite3_stmt *st;
	v[0] = 0;
	if (sqlite3_prepare_v2(r->db, "SELECT value FROM entries WHERE uid=? AND key=?", -1, &st,
	                       NULL) != SQLITE_OK)
		return v;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(v, sizeof(v), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Records that R is about to write VALUE to UID/KEY: what R had there is
 * overwritten knowingly. Call before the write. */
static void note_write(struct world *w, struct ag_replica *r, const char *uid, const char *key,
                       const char *value)
{
	const char *prev = local_value(r, uid, key);
	for (size_t i = 0; i < w->nw; i++)
		if (!strcmp(w->w[i].uid, uid) && !strcmp(w->w[i].key, key) &&
		    !strcmp(w->w[i].value, prev) && strcmp(prev, value))
			w->w[i].overwritten = true;
	for (size_t i = 0; i < w->nw; i++)
		if (!strcmp(w->w[i].uid, uid) && !strcmp(w->w[i].key, key) &&
		    !strcmp(w->w[i].value, value))
			return; /* the same value again (a --take): one write */
	assert_true(w->nw < MAXW);
	struct write *x = &w->w[w->nw++];
	memset(x, 0, sizeof(*x));
	snprintf(x->uid, sizeof(x->uid), "%s", uid);
	snprintf(x->key, sizeof(x->key), "%s", key);
	snprintf(x->value, sizeof(x->value), "%s", value);
}

/* A live event of R, or NULL. */
static const char *pick_event(struct world *w, struct ag_replica *r, bool deleted)
{
	for (int tries = 0; tries < 20 && w->nuids; tries++) {
		const char *u = w->uids[rnd(w, (unsigned)w->nuids)];
		struct ag_event ev;
		if (ag_event_get(r, u, true, &ev))
			continue;
		bool ok = ev.deleted == deleted;
		ag_event_finish(&ev);
		if (ok)
			return u;
	}
	return NULL;
}

/* ---- operations ---------------------------------------------------------------------- */

static void op_add(struct world *w, struct ag_replica *r)
{
	char title[32], loc[32], *uid;
	unsigned n = ++w->counter;
	snprintf(title, sizeof(title), "T-%u", n);
	snprintf(loc, sizeof(loc), "L-%u", n);
	struct ag_when start = h_when(T0 + (int64_t)rnd(w, 60) * 86400 + rnd(w, 24) * 3600);
	struct ag_edit e = {.title = title,
	                    .location = loc,
	                    .start = &start,
	                    .duration = 3600,
	                    .tz = rnd(w, 2) ? "Europe/Berlin" : "UTC",
	                    .allday = -1};
	if (rnd(w, 3) == 0)
		e.rrule = "FREQ=WEEKLY;COUNT=8";
	if (ag_event_add(r, &e, &uid))
		fail_msg("add: %s", ag_replica_error(r));
	trace("%s add %s %s\n", rname(w, r), uid, title);
	if (w->nuids < MAXUID)
		snprintf(w->uids[w->nuids++], 32, "%s", uid);
	char line[64];
	snprintf(line, sizeof(line), "SUMMARY:%s", title);
	note_write(w, r, uid, "SUMMARY", line);
	snprintf(line, sizeof(line), "LOCATION:%s", loc);
	note_write(w, r, uid, "LOCATION", line);
	free(uid);
	w->st.adds++;
}

static void op_edit(struct world *w, struct ag_replica *r)
{
	const char *u = pick_event(w, r, false);
	if (!u)
		return;
	static const char *const keys[] = {"SUMMARY", "LOCATION", "DESCRIPTION"};
	int k = (int)rnd(w, 3);
	char v[32], line[64];
	snprintf(v, sizeof(v), "%c-%u", "TLN"[k], ++w->counter);
	struct ag_edit e = {.allday = -1};
	*(k == 0 ? &e.title : k == 1 ? &e.location : &e.notes) = v;
	snprintf(line, sizeof(line), "%s:%s", keys[k], v);
	note_write(w, r, u, keys[k], line);
	if (ag_event_edit(r, u, &e))
		fail_msg("edit: %s", ag_replica_error(r));
	trace("%s edit %s %s\n", rname(w, r), u, line);
	w->st.edits++;
}

static void op_set(struct world *w, struct ag_replica *r)
{
	const char *u = pick_event(w, r, false);
	char cat[32], key[64], line[64];
	if (!u)
		return;
	const char *one[1] = {cat};
	struct ag_edit e = {.allday = -1};
	if (rnd(w, 3)) { /* add a new category */
		snprintf(cat, sizeof(cat), "C-%u", ++w->counter);
		e.cat_add = one;
		e.n_cat_add = 1;
		snprintf(key, sizeof(key), "CATEGORIES#%s", cat);
		snprintf(line, sizeof(line), "CATEGORIES:%s", cat);
		note_write(w, r, u, key, line);
	} else { /* remove one it has */
		struct ag_event ev;
		if (ag_event_get(r, u, false, &ev))
			return;
		bool has = sscanf(ev.categories, "%31[^,]", cat) == 1;
		ag_event_finish(&ev);
		if (!has)
			return;
		e.cat_del = one;
		e.n_cat_del = 1;
		snprintf(key, sizeof(key), "CATEGORIES#%s", cat);
		note_write(w, r, u, key, "");
	}
	trace("%s set %s %s %s\n", rname(w, r), u, e.cat_add ? "add" : "del", cat);
	if (ag_event_edit(r, u, &e))
		fail_msg("set: %s", ag_replica_error(r));
	w->st.sets++;
}

static void op_move(struct world *w, struct ag_replica *r)
{
	const char *u = pick_event(w, r, false);
	struct ag_event ev;
	if (!u || ag_event_get(r, u, false, &ev))
		return;
	bool unknown = !ev.start; /* T0 and later: 0 is "no DTSTART" */
	ag_event_finish(&ev);
	if (unknown) /* undeleted here, its details (never had) come with the next sync */
		return;
	struct ag_when start = h_when(T0 + (int64_t)rnd(w, 60) * 86400 + rnd(w, 24) * 3600);
	struct ag_edit e = {.start = &start, .allday = -1};
	if (rnd(w, 2)) {
		e.duration = 60 * (1 + (int64_t)rnd(w, 120));
		e.set_duration = true;
	}
	const char *ex[1] = {"2026-12-01"};
	if (rnd(w, 3) == 0) { /* an exception: harmless if it is no occurrence */
		e.start = NULL;
		e.exdate_add = ex;
		e.n_exdate_add = 1;
	}
	if (ag_event_edit(r, u, &e)) {
		struct ag_buf b = {0};
		char sql[512];
		snprintf(
		    sql, sizeof(sql),
		    "SELECT key, value, seq, stale FROM entries WHERE uid='%s' UNION ALL SELECT"
		    " 'pending', p.kind, p.sent, e.key || '=' || e.value FROM pending p LEFT JOIN"
		    " pending_entries e ON e.pid=p.id WHERE p.uid='%s' UNION ALL SELECT 'refetch',"
		    " uid, '', '' FROM refetch",
		    u, u);
		h_sql_dump(r, sql, &b);
		ag_buf_u8(&b, 0);
		fail_msg("move %s: %s\n%s", u, ag_replica_error(r), (const char *)b.data);
	}
	w->st.moves++;
}

static void op_delete(struct world *w, struct ag_replica *r, bool undelete)
{
	const char *u = pick_event(w, r, undelete);
	if (!u)
		return;
	/* a delete overwrites, knowingly, every value the deleter sees */
	for (size_t i = 0; !undelete && i < w->nw; i++)
		if (!strcmp(w->w[i].uid, u) &&
		    !strcmp(local_value(r, u, w->w[i].key), w->w[i].value))
			w->w[i].overwritten = true;
	if (undelete ? ag_event_undelete(r, u) : ag_event_delete(r, u))
		fail_msg("%s: %s", undelete ? "undelete" : "delete", ag_replica_error(r));
	trace("%s %s %s\n", rname(w, r), undelete ? "undelete" : "delete", u);
	*(undelete ? &w->st.undeletes : &w->st.deletes) += 1;
}

static void op_resolve(struct world *w, struct ag_replica *r)
{
	struct ag_conflict *c;
	size_t n;
	if (ag_conflicts(r, &c, &n) || n == 0) {
		ag_conflicts_free(c, 0);
		return;
	}
	struct ag_conflict *k = &c[rnd(w, (unsigned)n)];
	bool take = rnd(w, 2);
	if (take && strcmp(k->key, AG_DELETED)) {
		char raw[256];
		sqlite3_stmt *st;
		sqlite3_prepare_v2(r->db, "SELECT value FROM conflicts WHERE id=?", -1, &st, NULL);
		sqlite3_bind_int64(st, 1, k->id);
		snprintf(raw, sizeof(raw), "%s",
		         sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
		                                        : "");
		sqlite3_finalize(st);
		note_write(w, r, k->uid, k->key, raw);
	}
	if (ag_conflict_resolve(r, k->id, take) == 0)
		w->st.resolves++;
	trace("%s resolve %s %s %s %s\n", rname(w, r), k->uid, k->key, k->value,
	      take ? "take" : "keep");
	ag_conflicts_free(c, n);
}

/* ---- syncs, cuts, kills, edits during a sync ------------------------------------------ */

struct during {
	struct world *w;
	struct rep *p;
	int mode; /* 1 edit with a second handle, 2 kill agendad */
};

static void restart_server(struct world *w)
{
	h_stop(&w->h, SIGKILL);
	h_start(&w->h); /* the same port: replicas need not know */
	w->st.kills++;
}

static void during_sync(void *arg, int stage)
{
	struct during *d = arg;
	if (d->mode == 2 && stage == 0) {
		restart_server(d->w);
		d->mode = 0;
		return;
	}
	if (d->mode != 1)
		return;
	char path[300], err[256];
	struct ag_replica *other;
	h_path(&d->w->h, d->p->name, path, sizeof(path));
	if (ag_replica_open(path, &other, err, sizeof(err)))
		fail_msg("second handle: %s", err);
	op_edit(d->w, other);
	ag_replica_close(other);
	d->w->st.during++;
	d->mode = 0;
}

static void op_sync(struct world *w, struct rep *p)
{
	struct during d = {.w = w, .p = p};
	struct ag_sync_opts o = {.timeout_ms = 5000, .page = 1 + rnd(w, 40)};
	unsigned how = rnd(w, 10);
	if (how < 3) {
		o.cut_after = 1 + rnd(w, 3000);
		w->st.cuts++;
	} else if (how < 5) {
		d.mode = 1;
	} else if (how == 5 && rnd(w, 2)) {
		d.mode = 2;
	}
	o.hook = during_sync;
	o.hook_arg = &d;
	struct ag_sync_stats st = {0};
	int rc = ag_sync(p->r, &o, &st);
	if (rc)
		w->st.fails++;
	trace("%p sync %s mode %d cut %ld: rc %d pushed %u pulled %u reset %d forked %d %s\n",
	      (void *)p->r, p->name, d.mode, o.cut_after, rc, st.pushed, st.pulled, st.reset,
	      st.forked, rc ? ag_replica_error(p->r) : "");
	w->st.syncs++;
}

/* ---- backup, restore, copy ------------------------------------------------------------ */

static void file_copy(struct world *w, const char *from, const char *to)
{
	char a[300], b[300], cmd[1400];
	h_path(&w->h, from, a, sizeof(a));
	h_path(&w->h, to, b, sizeof(b));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", a, b, b, b);
	assert_int_equal(system(cmd), 0);
}

static void take_backup(struct world *w, int i)
{
	trace("backup of %s\n", w->rep[i].name);
	ag_replica_close(w->rep[i].r); /* checkpoints the WAL into the file */
	file_copy(w, w->rep[i].name, "backup.db");
	open_rep(w, i);
	w->backup_taken = true;
	w->backup_of = i;
}

/* The disk dies after a sync; the backup comes back. */
static void restore_backup(struct world *w)
{
	struct rep *p = &w->rep[w->backup_of];
	for (int k = 0; k < 5 && ag_pending_count(p->r) > 0; k++) {
		struct ag_sync_stats st = {0};
		int rc = ag_sync(p->r, NULL, &st);
		trace("%p sync %s before the restore: rc %d pushed %u pulled %u, %d pending %s\n",
		      (void *)p->r, p->name, rc, st.pushed, st.pulled, ag_pending_count(p->r),
		      rc ? ag_replica_error(p->r) : "");
	}
	ag_replica_close(p->r);
	trace("restore of %s\n", p->name);
	file_copy(w, "backup.db", p->name);
	open_rep(w, w->backup_of);
	w->restored = true;
}

static void make_copy(struct world *w)
{
	struct rep *p = &w->rep[0], *c = &w->rep[NREP - 1];
	ag_replica_close(p->r);
	file_copy(w, p->name, c->name);
	open_rep(w, 0);
	c->r = NULL;
	char path[300], err[256];
	h_path(&w->h, c->name, path, sizeof(path));
	assert_int_equal(ag_replica_open(path, &c->r, err, sizeof(err)), 0);
	ag_db_exec(c->r->db, "PRAGMA synchronous=OFF");
	c->active = c->online = true;
	w->copied = true;
}

static void one_op(struct world *w, unsigned op_no, unsigned ops)
{
	int i = (int)rnd(w, NREP);
	struct rep *p = &w->rep[i];
	if (!p->active)
		return;
	if (!w->copied && op_no > ops / 2)
		make_copy(w);
	if (!w->backup_taken && op_no > ops / 4)
		take_backup(w, 2);
	if (w->backup_taken && !w->restored && op_no > 3 * ops / 4)
		restore_backup(w);
	unsigned k = rnd(w, 100);
	if (k < 3)
		p->online = !p->online; /* offline periods */
	else if (k < 15)
		op_add(w, p->r);
	else if (k < 38)
		op_edit(w, p->r);
	else if (k < 46)
		op_set(w, p->r);
	else if (k < 52)
		op_move(w, p->r);
	else if (k < 58)
		op_delete(w, p->r, false);
	else if (k < 61)
		op_delete(w, p->r, true);
	else if (k < 64)
		op_resolve(w, p->r);
	else if (p->online)
		op_sync(w, p);
	w->st.ops++;
}

/* ---- the checks ---------------------------------------------------------------------- */

static void settle(struct world *w)
{
	for (int round = 0; round < 4; round++)
		for (int i = 0; i < NREP; i++)
			if (w->rep[i].active && ag_sync(w->rep[i].r, NULL, NULL))
				fail_msg("final sync of %s: %s", w->rep[i].name,
				         ag_replica_error(w->rep[i].r));
	for (int i = 0; i < NREP; i++)
		if (w->rep[i].active)
			assert_int_equal(ag_pending_count(w->rep[i].r), 0);
}

static bool in_conflicts(struct ag_replica *r, const struct write *x)
{
	sqlite3_stmt *st;
	bool found;
	sqlite3_prepare_v2(r->db, "SELECT 1 FROM conflicts WHERE uid=? AND key=? AND value=?", -1,
	                   &st, NULL);
	sqlite3_bind_text(st, 1, x->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->value, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Deleted in the end: every value it had was seen by the delete (a delete
 * concurrent with an edit is refused, SYNC.md rule 5). */
static bool gone(struct ag_replica *r, const char *uid)
{
	struct ag_event ev;
	if (ag_event_get(r, uid, true, &ev))
		return true;
	bool deleted = ev.deleted;
	ag_event_finish(&ev);
	return deleted;
}

static void check(struct world *w, unsigned seed)
{
	char name[32];
	snprintf(name, sizeof(name), "fresh%u.db", seed);
	struct ag_replica *fresh = h_replica(&w->h, name, "carol", w->tok[2]);
	h_sync(fresh);
	char *want = h_dump(fresh);
	for (int i = 0; i < NREP; i++) {
		if (!w->rep[i].active)
			continue;
		char *got = h_dump(w->rep[i].r);
		if (strcmp(got, want)) {
			w->st.divergences++;
			fprintf(stderr, "seed %u: %s differs from the server\n", seed,
			        w->rep[i].name);
			if (getenv("AGENDA_RANDOM_DUMP")) {
				char path[256];
				snprintf(path, sizeof(path), "%s/%u-%s.txt",
				         getenv("AGENDA_RANDOM_DUMP"), seed, w->rep[i].name);
				FILE *f = fopen(path, "w");
				if (f) {
					fprintf(f, "%s", got);
					fclose(f);
				}
				snprintf(path, sizeof(path), "%s/%u-server.txt",
				         getenv("AGENDA_RANDOM_DUMP"), seed);
				if ((f = fopen(path, "w"))) {
					fprintf(f, "%s", want);
					fclose(f);
				}
			}
		}
		free(got);
	}
	for (size_t i = 0; i < w->nw; i++) {
		const struct write *x = &w->w[i];
		if (x->overwritten || !strcmp(local_value(fresh, x->uid, x->key), x->value) ||
		    in_conflicts(fresh, x) || gone(fresh, x->uid))
			continue;
		w->st.lost++;
		fprintf(stderr, "seed %u: lost %s %s = '%s' (final '%s')\n", seed, x->uid, x->key,
		        x->value, local_value(fresh, x->uid, x->key));
	}
	sqlite3_stmt *st;
	sqlite3_prepare_v2(fresh->db, "SELECT count(*) FROM conflicts", -1, &st, NULL);
	w->st.conflicts = sqlite3_step(st) == SQLITE_ROW ? (unsigned)sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	free(want);
	ag_replica_close(fresh);
}

static void run_seed(unsigned seed, unsigned ops, struct stats *total)
{
	struct world *w = calloc(1, sizeof(*w));
	w->w = calloc(MAXW, sizeof(*w->w));
	w->seed = seed;
	h_setup(&w->h);
	const char *users[3] = {"alice", "bob", "carol"};
	for (int i = 0; i < 3; i++)
		h_user(&w->h, users[i], AG_RIGHT_RW, w->tok[i]);
	h_start(&w->h);
	for (int i = 0; i < NREP; i++) {
		struct rep *p = &w->rep[i];
		int u = i < 2 ? 0 : i - 1 > 2 ? 0 : i - 1; /* a0 a1 bob carol, copy of a0 */
		snprintf(p->name, sizeof(p->name), "r%d.db", i);
		snprintf(p->user, sizeof(p->user), "%s", users[u]);
		p->token = w->tok[u];
		p->active = p->online = i < NREP - 1;
		if (p->active)
			open_rep(w, i);
	}
	for (unsigned n = 0; n < ops; n++)
		one_op(w, n, ops);
	for (int i = 0; i < NREP; i++)
		w->rep[i].online = true;
	settle(w);
	check(w, seed);
	fprintf(stderr,
	        "seed %u: %u ops (%u adds, %u edits, %u set changes, %u moves, %u deletes, "
	        "%u undeletes, %u resolves), %u syncs (%u cut, %u with an edit during, %u failed), "
	        "%u agendad kill -9, 1 backup restored, 1 copied replica, %u writes, %u conflicts, "
	        "%u divergences, %u lost\n",
	        seed, w->st.ops, w->st.adds, w->st.edits, w->st.sets, w->st.moves, w->st.deletes,
	        w->st.undeletes, w->st.resolves, w->st.syncs, w->st.cuts, w->st.during, w->st.fails,
	        w->st.kills, (unsigned)w->nw, w->st.conflicts, w->st.divergences, w->st.lost);
	total->ops += w->st.ops;
	total->syncs += w->st.syncs;
	total->cuts += w->st.cuts;
	total->kills += w->st.kills;
	total->divergences += w->st.divergences;
	total->lost += w->st.lost;
	for (int i = 0; i < NREP; i++)
		ag_replica_close(w->rep[i].r);
	h_teardown(&w->h);
	free(w->w);
	free(w);
}

static unsigned env_num(const char *name, unsigned dflt)
{
	const char *v = getenv(name);
	return v && *v ? (unsigned)strtoul(v, NULL, 10) : dflt;
}

static void test_random_convergence(void **state)
{
	unsigned seeds = env_num("AGENDA_RANDOM_SEEDS", 5),
	         first = env_num("AGENDA_RANDOM_SEED", 1);
	unsigned ops = env_num("AGENDA_RANDOM_OPS", 300);
	struct stats total = {0};
	for (unsigned s = first; s < first + seeds; s++)
		run_seed(s, ops, &total);
	fprintf(stderr,
	        "random convergence: %u seeds from %u, %u ops, %u syncs (%u cut), %u agendad "
	        "kill -9, %u divergences, %u lost values\n",
	        seeds, first, total.ops, total.syncs, total.cuts, total.kills, total.divergences,
	        total.lost);
	assert_int_equal(total.divergences, 0);
	assert_int_equal(total.lost, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_convergence),
	};
	setenv("TZ", "UTC", 1);
	alarm(env_num("AGENDA_RANDOM_ALARM", 500));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
