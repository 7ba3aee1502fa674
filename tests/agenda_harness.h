/*
 * agenda_harness.h - shared helpers of the agenda tests: a temporary
 * directory, a real agendad started with fork/exec on a loopback port (and
 * killed or restarted on demand), and replicas configured against it.
 * Every wait is on a condition with a deadline (tests/proc.h).
 */
#ifndef AGENDA_HARNESS_H
#define AGENDA_HARNESS_H

#include "agenda_int.h"

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

#include "proc.h"

struct harness {
	char dir[256];
	char db[300];
	int port;
	pid_t pid;
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

/* Starts agendad on h->port (0: any free port, stored back); its output goes
 * to DIR/agendad.log (to the test's stderr with AGENDA_TEST_VERBOSE). */
static inline void h_start(struct harness *h)
{
	char exe[512], listen[64], portfile[300], log[300];
	snprintf(exe, sizeof(exe), "%s/agendad", h_bin());
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", h->port);
	h_path(h, "port", portfile, sizeof(portfile));
	h_path(h, "agendad.log", log, sizeof(log));
	unlink(portfile);
	const char *argv[] = {exe,    "--db",        h->db,    "--listen",
	                      listen, "--port-file", portfile, NULL};
	h->pid = proc_spawn(argv, getenv("AGENDA_TEST_VERBOSE") ? NULL : log);
	assert_true(h->pid > 0);
	int port = proc_port_file(portfile, 10000);
	if (port < 0)
		fail_msg("agendad did not start (%s, log %s)", exe, log);
	h->port = port;
}

/* Stops agendad with SIG (SIGTERM: clean, SIGKILL: crash), bounded. */
static inline void h_stop(struct harness *h, int sig)
{
	if (h->pid <= 0)
		return;
	proc_stop(h->pid, sig, 10000);
	h->pid = 0;
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

static inline char *h_add(struct ag_replica *r, const char *title, int64_t start, char *uid_out)
{
	struct ag_event ev = {0};
	ev.title = (char *)title;
	ev.start = start;
	ev.end = start + 3600;
	assert_int_equal(ag_event_add(r, &ev), 0);
	strcpy(uid_out, ev.uid);
	return uid_out;
}

/* Dumps every live event of R as one canonical string (for comparisons). */
static inline char *h_dump(struct ag_replica *r)
{
	struct ag_event *evs;
	size_t n;
	struct ag_buf b = {0};
	assert_int_equal(ag_events_all(r, &evs, &n), 0);
	for (size_t i = 0; i < n; i++) {
		char line[4096];
		snprintf(line, sizeof(line), "%s|%s|%lld|%lld|%lld|%s|%s|%s|%s|%s\n", evs[i].uid,
		         evs[i].title, (long long)evs[i].start, (long long)evs[i].end,
		         (long long)evs[i].allday, evs[i].tz, evs[i].location, evs[i].notes,
		         evs[i].rrule, evs[i].exdate);
		ag_buf_bytes(&b, line, strlen(line));
	}
	ag_buf_u8(&b, 0);
	ag_events_free(evs, n);
	return (char *)b.data;
}

static inline size_t h_count(struct ag_replica *r)
{
	struct ag_event *evs;
	size_t n;
	assert_int_equal(ag_events_all(r, &evs, &n), 0);
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

#endif
