/*
 * store.c - agendad's SQLite store: the schema, a writer connection for
 * changes and a reader connection for authentication and pull pages (so a
 * page only ever shows committed data, and a group transaction being
 * filled never blocks a reader), users and memberships, replica
 * generations (SYNC.md I5), group commit, trimming of what expired (I8) and
 * WAL checkpoints. Every statement is reset as soon as it is used: an open
 * statement would pin an old snapshot and let the WAL grow without bound.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " token TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS agendas(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);"
    "CREATE TABLE IF NOT EXISTS members(aid INTEGER, user INTEGER, rights INTEGER,"
    " PRIMARY KEY(aid, user));"
    "CREATE TABLE IF NOT EXISTS state(k TEXT PRIMARY KEY, v INTEGER);"
    "INSERT OR IGNORE INTO state VALUES('seq', 0), ('horizon', 0), ('syncs', 0);"
    "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, aid INTEGER, uid TEXT,"
    " created INTEGER, deleted INTEGER, dtime INTEGER, version INTEGER, mtime INTEGER,"
    " size INTEGER, nkeys INTEGER, UNIQUE(aid, uid));"
    "CREATE INDEX IF NOT EXISTS events_dtime ON events(deleted, dtime);"
    "CREATE TABLE IF NOT EXISTS entries(eid INTEGER, key TEXT, aid INTEGER, value TEXT,"
    " seq INTEGER, mtime INTEGER, chg INTEGER, author TEXT, session INTEGER, parents BLOB,"
    " PRIMARY KEY(eid, key)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS entries_seq ON entries(aid, seq);"
    "CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY, aid INTEGER, uid TEXT,"
    " key TEXT, value TEXT, loser TEXT, loser_mtime INTEGER, seq INTEGER, resolved INTEGER,"
    " rtime INTEGER);"
    "CREATE INDEX IF NOT EXISTS conflicts_seq ON conflicts(aid, seq);"
    "CREATE TABLE IF NOT EXISTS seen(user INTEGER, chg INTEGER, seq INTEGER, status INTEGER,"
    " time INTEGER, PRIMARY KEY(user, chg));"
    "CREATE INDEX IF NOT EXISTS seen_time ON seen(time);"
    "CREATE TABLE IF NOT EXISTS replicas(aid INTEGER, user INTEGER, rid INTEGER, cur INTEGER,"
    " prev INTEGER, PRIMARY KEY(aid, user, rid)) WITHOUT ROWID;";

static const char *const stmt_sql[AG_S_COUNT] = {
    [AG_S_EVENT_GET] = "SELECT id, created, deleted, version, mtime, size, nkeys FROM events "
                       "WHERE aid=?1 AND uid=?2",
    [AG_S_EVENT_NEW] = "INSERT INTO events(aid, uid, created, deleted, dtime, version, mtime,"
                       " size, nkeys) VALUES(?1, ?2, ?3, 0, 0, ?3, ?4, 0, 0)",
    [AG_S_EVENT_SET] = "UPDATE events SET deleted=?2, dtime=?3, version=?4, mtime=?5, size=?6,"
                       " nkeys=?7 WHERE id=?1",
    [AG_S_REG_GET] = "SELECT value, seq, mtime, chg, author, parents FROM entries WHERE eid=?1"
                     " AND key=?2",
    [AG_S_REG_ALL] = "SELECT key, value, seq, mtime, chg, author FROM entries WHERE eid=?1",
    [AG_S_REG_PUT] = "INSERT OR REPLACE INTO entries(eid, key, aid, value, seq, mtime, chg,"
                     " author, session, parents) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                     " ?10)",
    [AG_S_SEEN_GET] = "SELECT seq, status FROM seen WHERE user=?1 AND chg=?2",
    [AG_S_SEEN_PUT] = "INSERT OR REPLACE INTO seen VALUES(?1, ?2, ?3, ?4, ?5)",
    [AG_S_SEEN_ADD] = "INSERT OR IGNORE INTO seen VALUES(?1, ?2, ?3, ?4, ?5)",
    [AG_S_SEQ_SET] = "UPDATE state SET v=?1 WHERE k='seq'",
    [AG_S_CONF_ADD] = "INSERT INTO conflicts(aid, uid, key, value, loser, loser_mtime, seq,"
                      " resolved, rtime) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0)",
    [AG_S_CONF_RESOLVE] = "UPDATE conflicts SET resolved=1, seq=?1, rtime=?2 WHERE id=?3 AND"
                          " aid=?4",
    [AG_S_AUTH] = "SELECT u.token, m.rights, u.id, m.aid FROM users u JOIN members m ON"
                  " m.user=u.id JOIN agendas a ON a.id=m.aid WHERE u.name=?1 AND a.name=?2",
    [AG_S_TOP] = "SELECT (SELECT v FROM state WHERE k='seq'), (SELECT v FROM state WHERE"
                 " k='horizon')",
    [AG_S_SCAN_REG] = "SELECT e.key, e.value, e.seq, e.session, v.uid, v.created, v.deleted,"
                      " v.mtime, v.id FROM entries e JOIN events v ON v.id=e.eid WHERE"
                      " e.aid=?1 AND e.seq>?2 AND e.seq<=?3 ORDER BY e.seq, e.eid, e.key",
    [AG_S_SCAN_CONF] = "SELECT id, uid, key, value, loser, loser_mtime, resolved, seq FROM"
                       " conflicts WHERE aid=?1 AND seq>?2 AND seq<=?3 ORDER BY seq",
    [AG_S_R_EVENT] = "SELECT id, mtime FROM events WHERE aid=?1 AND uid=?2",
    [AG_S_R_REGS] = "SELECT key, value, seq FROM entries WHERE eid=?1 AND value<>''",
};

static bool on_reader(enum ag_stmt id)
{
	return id >= AG_S_AUTH;
}

sqlite3_stmt *ag_store_stmt(struct ag_store *s, enum ag_stmt id)
{
	sqlite3_stmt *st = s->st[id];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct ag_store *s = arg;
	(void)db;
	(void)name;
	if (pages < s->wal_pages)
		atomic_store(&s->ck.backfilled, 0); /* the WAL started over */
	s->wal_pages = pages;
	atomic_store(&s->ck.pages, pages);
	atomic_store(&s->ck.last_ms, (long long)ag_mono_ms());
	atomic_fetch_add(&s->ck.commits, 1);
	return SQLITE_OK;
}

/* The checkpointer: every 10 ms, a PASSIVE checkpoint when the WAL is over
 * AG_WAL_SOFT pages and grew since the last one (it copies committed pages
 * while the writer goes on; once every frame is copied, the writer's next
 * transaction starts the WAL over), and a TRUNCATE one once writes stopped
 * for a second. Its connection never waits for a lock: busy means "next
 * time". */
static void *checkpointer(void *arg)
{
	struct ag_store *s = arg;
	long long truncated = -1; /* commit count when last truncated */
	int copied = -1;          /* WAL frames when last copied */
	while (!atomic_load(&s->ck.stop)) {
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
		long long commits = atomic_load(&s->ck.commits);
		int pages = atomic_load(&s->ck.pages), log = 0, done = 0;
		bool quiet = ag_mono_ms() - atomic_load(&s->ck.last_ms) >= 1000;
		if (pages > AG_WAL_SOFT && pages != copied) {
			if (sqlite3_wal_checkpoint_v2(s->ck.db, NULL, SQLITE_CHECKPOINT_PASSIVE,
			                              &log, &done) == SQLITE_OK &&
			    done >= log) {
				copied = log;
				atomic_store(&s->ck.backfilled, log);
			}
		} else if (quiet && pages > 0 && commits != truncated) {
			if (sqlite3_wal_checkpoint_v2(s->ck.db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
			                              &log, &done) == SQLITE_OK)
				truncated = commits;
		}
	}
	return NULL;
}

bool ag_store_wal_full(struct ag_store *s)
{
	return s->ck.running && s->wal_pages > AG_WAL_HARD &&
	       atomic_load(&s->ck.backfilled) < s->wal_pages;
}

int ag_store_wal_catch_up(struct ag_store *s)
{
	int log = 0, done = 0, copied = atomic_load(&s->ck.backfilled);
	if (s->in_txn || !ag_store_wal_full(s) || s->wal_pages - copied > AG_WAL_TAIL)
		return 0;
	/* PASSIVE never waits: busy (the thread is at it) means "next turn" */
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (rc == SQLITE_BUSY || (rc == SQLITE_OK && done < log))
		return 0; /* a reader still needs the last frames */
	if (rc != SQLITE_OK)
		return -1;
	atomic_store(&s->ck.backfilled, log);
	return 1;
}

int ag_store_checkpointer(struct ag_store *s, const char *path, char *err, size_t errlen)
{
	if (!sqlite3_threadsafe())
		return 0; /* a single-threaded SQLite: the event loop checkpoints */
	if (sqlite3_open_v2(path, &s->ck.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		         s->ck.db ? sqlite3_errmsg(s->ck.db) : "cannot open");
		sqlite3_close(s->ck.db);
		s->ck.db = NULL;
		return -1;
	}
	/* a connection learns that the database is in WAL mode by reading it */
	if (ag_db_exec(s->ck.db, "SELECT count(*) FROM sqlite_master")) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->ck.db));
		sqlite3_close(s->ck.db);
		s->ck.db = NULL;
		return -1;
	}
	atomic_store(&s->ck.last_ms, (long long)ag_mono_ms());
	int rc = pthread_create(&s->ck.thread, NULL, checkpointer, s);
	if (rc) {
		snprintf(err, errlen, "checkpointer thread: %s", strerror(rc));
		sqlite3_close(s->ck.db);
		s->ck.db = NULL;
		return -1;
	}
	s->ck.running = true;
	return 0;
}

static int load_state(struct ag_store *s)
{
	sqlite3_stmt *st = ag_store_stmt(s, AG_S_TOP);
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (!rc) {
		s->seq = s->durable = sqlite3_column_int64(st, 0);
		s->horizon = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc;
}

static int open_reader(struct ag_store *s, const char *path, char *err, size_t errlen)
{
	if (sqlite3_open_v2(path, &s->rd, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		         s->rd ? sqlite3_errmsg(s->rd) : "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(s->rd, 2000);
	return 0;
}

int ag_store_open(const char *path, struct ag_store **out, char *err, size_t errlen)
{
	struct ag_store *s = calloc(1, sizeof(*s));
	if (!s)
		return snprintf(err, errlen, "out of memory"), -1;
	/* short busy waits: `agendad adduser` writes one row and is gone */
	if (ag_db_open(path, 2000, &s->db, err, errlen))
		goto err_store;
	if (ag_db_exec(s->db, schema) || open_reader(s, path, err, errlen))
		goto err_sql;
	for (int i = 0; i < AG_S_COUNT; i++)
		if (sqlite3_prepare_v3(on_reader(i) ? s->rd : s->db, stmt_sql[i], -1,
		                       SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path,
			         sqlite3_errmsg(on_reader(i) ? s->rd : s->db));
			goto err_store;
		}
	if (load_state(s))
		goto err_sql;
	s->sync_level = 2; /* ag_db_open() left the writer at synchronous=FULL */
	/* our hook replaces SQLite's automatic checkpoint at commit (it would
	 * stall the event loop): ag_store_checkpoint() and the checkpointer do it */
	sqlite3_wal_hook(s->db, wal_hook, s);
	*out = s;
	return 0;
err_sql:
	if (!err[0] || !s->rd)
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
err_store:
	ag_store_close(s);
	return -1;
}

void ag_store_close(struct ag_store *s)
{
	if (!s)
		return;
	if (s->ck.running) {
		atomic_store(&s->ck.stop, true);
		pthread_join(s->ck.thread, NULL);
		sqlite3_close(s->ck.db);
	}
	for (int i = 0; i < AG_S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->rd);
	sqlite3_close(s->db);
	free(s);
}

/* ---- users and agendas ----------------------------------------------------------- */

static int exec_bind(sqlite3 *db, const char *sql, const char *a, const char *b, int64_t c)
{
	sqlite3_stmt *st;
	if (ag_db_prep(db, sql, &st))
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc)
		fprintf(stderr, "agendad: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int ag_store_adduser(struct ag_store *s, const char *name, char *token)
{
	if (ag_random_hex(token, 16))
		return -1;
	return exec_bind(s->db,
	                 "INSERT INTO users(name, token) VALUES(?1, ?2) ON CONFLICT(name) DO "
	                 "UPDATE SET token=?2",
	                 name, token, 0);
}

int ag_store_grant(struct ag_store *s, const char *user, const char *agenda, int rights)
{
	if (ag_db_exec(s->db, "BEGIN IMMEDIATE"))
		return -1;
	int rc =
	    exec_bind(s->db, "INSERT OR IGNORE INTO agendas(name) VALUES(?1)", agenda, NULL, 0) ||
	    exec_bind(s->db,
	              "INSERT OR REPLACE INTO members(aid, user, rights) SELECT a.id, u.id,"
	              " ?3 FROM agendas a, users u WHERE a.name=?1 AND u.name=?2",
	              agenda, user, rights);
	if (!rc && sqlite3_changes(s->db) == 0) {
		fprintf(stderr, "agendad: no user '%s'\n", user);
		rc = -1;
	}
	ag_db_exec(s->db, rc ? "ROLLBACK" : "COMMIT");
	return rc;
}

int ag_store_auth(struct ag_store *s, const char *user, const uint8_t *token, size_t token_len,
                  const char *agenda, struct ag_push_ctx *x)
{
	sqlite3_stmt *st = ag_store_stmt(s, AG_S_AUTH);
	char hex[2 * AG_MAX_TOKEN + 1] = "";
	memset(x, 0, sizeof(*x));
	xp_hex_encode(token, token_len < AG_MAX_TOKEN ? token_len : AG_MAX_TOKEN, hex, sizeof(hex));
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, agenda, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *want = ag_db_text(st, 0);
		/* compare every byte so timing does not reveal a prefix */
		size_t n = strlen(want);
		unsigned diff = n != strlen(hex) || n == 0;
		for (size_t i = 0; i < n && i < sizeof(hex); i++)
			diff |= (unsigned)(want[i] ^ hex[i]);
		if (!diff) {
			x->rights = sqlite3_column_int(st, 1);
			x->user_id = sqlite3_column_int64(st, 2);
			x->aid = sqlite3_column_int64(st, 3);
			snprintf(x->user, sizeof(x->user), "%s", user);
			snprintf(x->agenda, sizeof(x->agenda), "%s", agenda);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* splitmix64's finaliser: spreads every input bit over the result */
static uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The generation handed out when a replica presents GEN to the row (CUR,
 * PREV): derived, not drawn, so that agendad recognises it even if the
 * row's update was lost (SYNC.md I5). Never 0 (0 = a new replica). */
static uint64_t next_gen(uint64_t cur, uint64_t prev, uint64_t gen)
{
	uint64_t n = mix64(cur ^ mix64(prev ^ mix64(gen ^ 0x6167656e64614735ull))) & INT64_MAX;
	return n ? n : 1;
}

/* Checks GEN against the row (CUR, PREV) and gives the row after the
 * rotation as (*CUR, *PREV); false when GEN is stale (a copy). */
static bool rotate(uint64_t gen, uint64_t *cur, uint64_t *prev)
{
	uint64_t c = *cur, p = *prev;
	if (gen != c && gen != p) {
		/* the WELCOME left before its rotation was durable, and it was lost:
		 * GEN is the one handed out then, for C or for P */
		if (gen == next_gen(c, p, c))
			p = c;
		else if (gen != next_gen(c, p, p))
			return false;
		c = gen;
	}
	*cur = next_gen(c, p, gen);
	*prev = gen;
	return true;
}

int ag_store_generation(struct ag_store *s, const struct ag_push_ctx *x, uint64_t replica,
                        uint64_t gen, uint64_t *next, bool *forked)
{
	sqlite3_stmt *st;
	if (ag_db_prep(s->db, "SELECT cur, prev FROM replicas WHERE aid=?1 AND user=?2 AND rid=?3",
	               &st))
		return -1;
	sqlite3_bind_int64(st, 1, x->aid);
	sqlite3_bind_int64(st, 2, x->user_id);
	sqlite3_bind_int64(st, 3, (int64_t)replica);
	int rc = sqlite3_step(st);
	uint64_t cur = 0, prev = 0;
	if (rc == SQLITE_ROW) {
		cur = (uint64_t)sqlite3_column_int64(st, 0);
		prev = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*next = 0;
	/* the current generation, or the previous one (a WELCOME cut off) */
	*forked = rc == SQLITE_ROW && !rotate(gen, &cur, &prev);
	if (*forked)
		return 0;       /* the twin keeps the identity; this file takes a new one */
	if (rc != SQLITE_ROW) { /* a new replica */
		cur = next_gen(ag_random_id(), 0, gen);
		prev = gen;
	}
	*next = cur;
	if (ag_db_prep(s->db, "INSERT OR REPLACE INTO replicas VALUES(?1, ?2, ?3, ?4, ?5)", &st))
		return -1;
	sqlite3_bind_int64(st, 1, x->aid);
	sqlite3_bind_int64(st, 2, x->user_id);
	sqlite3_bind_int64(st, 3, (int64_t)replica);
	sqlite3_bind_int64(st, 4, (int64_t)cur);
	sqlite3_bind_int64(st, 5, (int64_t)prev);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- transactions -------------------------------------------------------------- */

int ag_store_begin_as(struct ag_store *s, bool durable)
{
	/* SQLite takes the level only outside a transaction: set it here, for
	 * the COMMIT to come (FULL: the WAL is fsynced; NORMAL: only appended) */
	int level = s->no_fsync ? 0 : durable ? 2 : 1;
	if (level != s->sync_level) {
		static const char *const sql[] = {"PRAGMA synchronous=OFF",
		                                  "PRAGMA synchronous=NORMAL",
		                                  "PRAGMA synchronous=FULL"};
		if (ag_db_exec(s->db, sql[level]))
			return -1;
		s->sync_level = level;
	}
	if (ag_db_exec(s->db, "BEGIN IMMEDIATE"))
		return -1;
	s->in_txn = true;
	s->txn_durable = durable;
	return 0;
}

int ag_store_begin(struct ag_store *s)
{
	return ag_store_begin_as(s, true);
}

int ag_store_commit(struct ag_store *s)
{
	s->in_txn = false;
	/* a transaction that wrote nothing commits without an fsync (and SQLite
	 * skips writing a row that does not change): when earlier commits wait
	 * for one, change a row so that it happens */
	if (s->txn_durable && s->lazy_pending &&
	    ag_db_exec(s->db, "UPDATE state SET v=v+1 WHERE k='syncs'"))
		goto err_rollback;
	if (ag_db_exec(s->db, "COMMIT"))
		goto err_rollback;
	if (s->txn_durable) { /* the WAL's fsync covered every earlier commit */
		s->durable = s->seq;
		s->lazy_pending = false;
	} else {
		s->lazy_pending = true;
	}
	return 0;
err_rollback:
	ag_db_exec(s->db, "ROLLBACK");
	load_state(s);
	if (s->durable > s->seq)
		s->durable = s->seq;
	return -1;
}

int ag_store_sync(struct ag_store *s)
{
	if (!s->lazy_pending)
		return 0;
	if (ag_store_begin(s))
		return -1;
	return ag_store_commit(s);
}

bool ag_store_lazy_pending(const struct ag_store *s)
{
	return s->lazy_pending;
}

uint64_t ag_store_durable(const struct ag_store *s)
{
	return (uint64_t)s->durable;
}

uint64_t ag_store_horizon(struct ag_store *s)
{
	return (uint64_t)s->horizon;
}

/* ---- expiry ------------------------------------------------------------------------ */

static int trim_events(struct ag_store *s, int64_t cutoff, int max, int64_t *horizon)
{
	sqlite3_stmt *st;
	int n = 0;
	if (ag_db_prep(s->db,
	               "SELECT id, version FROM events WHERE deleted=1 AND dtime<?1 LIMIT ?2", &st))
		return -1;
	sqlite3_bind_int64(st, 1, cutoff);
	sqlite3_bind_int(st, 2, max);
	int64_t ids[256] = {0};
	while (n < max && n < 256 && sqlite3_step(st) == SQLITE_ROW) {
		ids[n++] = sqlite3_column_int64(st, 0);
		if (sqlite3_column_int64(st, 1) > *horizon)
			*horizon = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		char sql[160];
		snprintf(sql, sizeof(sql),
		         "DELETE FROM entries WHERE eid=%lld; DELETE FROM events WHERE id=%lld",
		         (long long)ids[i], (long long)ids[i]);
		if (ag_db_exec(s->db, sql))
			return -1;
	}
	return n;
}

static int trim_rows(struct ag_store *s, const char *sql, int64_t cutoff, int max)
{
	sqlite3_stmt *st;
	if (ag_db_prep(s->db, sql, &st))
		return -1;
	sqlite3_bind_int64(st, 1, cutoff);
	sqlite3_bind_int(st, 2, max);
	int rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(s->db) : -1;
	sqlite3_finalize(st);
	return rc;
}

int ag_store_trim(struct ag_store *s, int64_t now_ms, int64_t retention_ms, int max_rows)
{
	int64_t cutoff = now_ms - retention_ms, horizon = s->horizon;
	int a = trim_events(s, cutoff, max_rows, &horizon);
	if (a < 0)
		return -1;
	sqlite3_stmt *st;
	if (ag_db_prep(s->db, "SELECT max(seq) FROM conflicts WHERE resolved=1 AND rtime<?1", &st))
		return -1;
	sqlite3_bind_int64(st, 1, cutoff);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > horizon)
		horizon = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	int b = trim_rows(s,
	                  "DELETE FROM conflicts WHERE id IN (SELECT id FROM conflicts WHERE"
	                  " resolved=1 AND rtime<?1 LIMIT ?2)",
	                  cutoff, max_rows);
	int c = trim_rows(s,
	                  "DELETE FROM seen WHERE rowid IN (SELECT rowid FROM seen WHERE time<?1"
	                  " LIMIT ?2)",
	                  cutoff, max_rows);
	if (b < 0 || c < 0)
		return -1;
	if (horizon != s->horizon) {
		char sql[96];
		snprintf(sql, sizeof(sql), "UPDATE state SET v=%lld WHERE k='horizon'",
		         (long long)horizon);
		if (ag_db_exec(s->db, sql))
			return -1;
		s->horizon = horizon;
	}
	return a + b + c;
}

int ag_store_checkpoint(struct ag_store *s)
{
	if (s->in_txn || s->ck.running)
		return 0;
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	if (rc == SQLITE_OK)
		s->wal_pages = 0;
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : -1;
}
