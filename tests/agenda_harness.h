/*
 * agenda_harness.h - shared helpers of the agenda tests: a temporary
 * directory, a real agendad started with fork/exec on a loopback port (and
 * killed or restarted on demand), and replicas configured against it.
 * Every wait is on a condition with a deadline (tests/proc.h).
 */
#ifndef AGENDA_HARNESS_H
#define AGENDA_HARNESS_H

#include "agenda_int.h"
#include "xproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agendad_spawn.h"
#include "proc.h"

struct harness {
	char dir[256];
	char db[300];
	int port;
	pid_t pid;
	const char *extra[8]; /* more agendad options (NULL-terminated) */
};

static inline const char *h_bin(void)
{
	const char *b = getenv("XP_BIN");
	return b && *b ? b : "build/bin";
}

static inline void h_path(const struct harness *h, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", h->dir, name);
}

/* Starts agendad on h->port (0: any free port, stored back) with h->extra's
 * options; its output goes to DIR/agendad.log (to the test's stderr with
 * AGENDA_TEST_VERBOSE). */
static inline void h_start(struct harness *h)
{
	char log[300];
	h_path(h, "agendad.log", log, sizeof(log));
	/* a generous deadline: the machine is loaded */
	h->pid = agendad_spawn(h_bin(), h->db, h->dir, h->port, h->extra,
	                       getenv("AGENDA_TEST_VERBOSE") ? NULL : log, 20000, &h->port);
	if (h->pid < 0)
		fail_msg("agendad did not start (%s/agendad, log %s)", h_bin(), log);
}

/* Stops agendad with SIG (SIGTERM: clean, SIGKILL: crash), bounded. */
static inline void h_stop(struct harness *h, int sig)
{
	if (h->pid <= 0)
		return;
	proc_stop(h->pid, sig, 10000);
	h->pid = 0;
}

/* A TCP connection to 127.0.0.1:PORT (blocking), or -1. */
static inline int h_connect(int port)
{
	char addr[32];
	struct xp_error err;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	return xp_net_connect(addr, XP_NET_CLOEXEC, &err);
}

/* Resident memory of process PID in KiB, or -1. */
static inline long h_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static inline void h_setup(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/agenda_test_XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	h_path(h, "server.db", h->db, sizeof(h->db));
}

static inline void h_rmdir(const char *dir)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static inline void h_teardown(struct harness *h)
{
	h_stop(h, SIGTERM);
	if (!getenv("AGENDA_TEST_KEEP"))
		h_rmdir(h->dir);
}

/* Creates USER with RIGHTS on agenda "team"; the token goes to TOKEN. */
static inline void h_user(struct harness *h, const char *user, int rights, char *token)
{
	struct ag_store *s;
	char err[256];
	assert_int_equal(ag_store_open(h->db, &s, err, sizeof(err)), 0);
	assert_int_equal(ag_store_adduser(s, user, token), 0);
	assert_int_equal(ag_store_grant(s, user, "team", rights), 0);
	ag_store_close(s);
}

/* Opens replica NAME for USER/TOKEN against the running server. */
static inline struct ag_replica *h_replica(struct harness *h, const char *name, const char *user,
                                           const char *token)
{
	struct ag_replica *r;
	char path[300], err[256], server[64];
	h_path(h, name, path, sizeof(path));
	assert_int_equal(ag_replica_open(path, &r, err, sizeof(err)), 0);
	snprintf(server, sizeof(server), "127.0.0.1:%d", h->port);
	assert_int_equal(ag_replica_configure(r, server, user, token, "team"), 0);
	return r;
}

static inline void h_sync(struct ag_replica *r)
{
	struct ag_sync_stats st;
	if (ag_sync(r, NULL, &st))
		fail_msg("sync: %s", ag_replica_error(r));
}

/* A UTC ag_when for Unix time T. */
static inline struct ag_when h_when(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	return (struct ag_when){.y = tm.tm_year + 1900,
	                        .mo = tm.tm_mon + 1,
	                        .d = tm.tm_mday,
	                        .h = tm.tm_hour,
	                        .mi = tm.tm_min,
	                        .s = tm.tm_sec,
	                        .has_time = true};
}

/* Adds a one-hour event at Unix time START (UTC); its uid into UID_OUT. */
static inline char *h_add(struct ag_replica *r, const char *title, int64_t start, char *uid_out)
{
	struct ag_when w = h_when(start);
	struct ag_edit e = {
	    .title = title, .start = &w, .duration = 3600, .tz = "UTC", .allday = -1};
	char *uid;
	if (ag_event_add(r, &e, &uid))
		fail_msg("add: %s", ag_replica_error(r));
	strcpy(uid_out, uid);
	free(uid);
	return uid_out;
}

/* Runs one-shot SQL over R's file and appends each row's columns,
 * separated by '|', one row per line, to B. */
static inline void h_sql_dump(struct ag_replica *r, const char *sql, struct ag_buf *b)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(r->db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			if (i)
				ag_buf_u8(b, '|');
			ag_buf_puts(b, v ? (const char *)v : "");
		}
		ag_buf_u8(b, '\n');
	}
	sqlite3_finalize(st);
}

/* Every live event of R with all its registers, and every conflict record,
 * as one canonical string (for comparisons between replicas). */
static inline char *h_dump(struct ag_replica *r)
{
	struct ag_buf b = {0};
	h_sql_dump(r,
	           "SELECT e.uid, e.key, e.value FROM entries e JOIN events v ON v.uid=e.uid"
	           " WHERE v.deleted=0 AND e.value<>'' ORDER BY e.uid, e.key",
	           &b);
	ag_buf_puts(&b, "--\n");
	h_sql_dump(r, "SELECT id, uid, key, value, loser, resolved FROM conflicts ORDER BY id", &b);
	return ag_buf_steal(&b);
}

static inline size_t h_count(struct ag_replica *r)
{
	struct ag_event *evs;
	size_t n;
	assert_int_equal(ag_events_all(r, false, &evs, &n), 0);
	ag_events_free(evs, n);
	return n;
}

static inline size_t h_conflicts(struct ag_replica *r)
{
	struct ag_conflict *c;
	size_t n;
	assert_int_equal(ag_conflicts(r, &c, &n), 0);
	ag_conflicts_free(c, n);
	return n;
}

/* Sets a text property (title, location, notes) of UID. */
static inline void h_edit_text(struct ag_replica *r, const char *uid, const char *what,
                               const char *v)
{
	struct ag_edit e = {.allday = -1};
	if (!strcmp(what, "title"))
		e.title = v;
	else if (!strcmp(what, "location"))
		e.location = v;
	else
		e.notes = v;
	if (ag_event_edit(r, uid, &e))
		fail_msg("edit %s: %s", what, ag_replica_error(r));
}

/* The title (etc.) of UID as the replica shows it; "" if absent. Static. */
static inline const char *h_get(struct ag_replica *r, const char *uid, const char *what)
{
	static char buf[4096];
	struct ag_event ev;
	if (ag_event_get(r, uid, false, &ev))
		return "";
	const char *v = !strcmp(what, "title")      ? ev.title
	                : !strcmp(what, "location") ? ev.location
	                                            : ev.notes;
	snprintf(buf, sizeof(buf), "%s", v);
	ag_event_finish(&ev);
	return buf;
}

#endif
