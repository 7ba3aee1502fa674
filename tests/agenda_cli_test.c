/*
 * agenda_cli_test.c - the `agenda` and `agendad` programs as a user runs
 * them, on a fresh home directory: data folders created 0700, adduser
 * prints a token, every command works and its --json output says the same,
 * bad dates, times, minutes and ranges are refused with a message and a
 * non-zero exit, a refusal by the server is an error with its words,
 * `grant` while agendad runs applies at once and leaves no lock (a grant to
 * an unknown user is refused),
 * counts are true, SIGTERM/SIGINT stop agendad (also --detach), adduser
 * and grant beside a detached agendad leave its database whole,
 * only init creates a replica, adduser/grant check names and say what is
 * missing or created. Every command runs with
 * TZ=Europe/Paris (the host's zone must not matter), and one listing is checked from Auckland.
 */
#include "agenda_harness.h"

static char out[1 << 16];
static int detached; /* a detached agendad a failed test left running, or 0 */

/* Runs "agenda --db DIR/NAME ARGS" (NAME NULL: agendad ARGS) with HOME set
 * to DIR/home and the test's TZ (main() sets Europe/Paris); returns the exit status, output (stdout
 * and stderr) in OUT. */
static int run(struct harness *h, const char *name, const char *fmt, ...)
{
	char args[4096], cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (name)
		snprintf(cmd, sizeof(cmd), "HOME=%s/home TZ=%s %s/agenda --db %s/%s %s 2>&1",
		         h->dir, getenv("TZ"), h_bin(), h->dir, name, args);
	else
		snprintf(cmd, sizeof(cmd), "HOME=%s/home TZ=%s %s/agendad %s 2>&1", h->dir,
		         getenv("TZ"), h_bin(), args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	h_setup(h);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	if (detached > 0)
		kill(detached, SIGKILL); /* not our child: h_teardown cannot stop it */
	detached = 0;
	h_teardown(*state);
	free(*state);
	return 0;
}

static void init_replica(struct harness *h, const char *name, const char *user, const char *tok)
{
	assert_int_equal(run(h, name,
	                     "init --server 127.0.0.1:%d --user %s --token %s --agenda team",
	                     h->port, user, tok),
	                 0);
}

/* A fresh home directory: the default data files and their folders. */
static void test_fresh_home(void **state)
{
	struct harness *h = *state;
	char cmd[1024], path[600];
	struct stat st;
	snprintf(cmd, sizeof(cmd), "HOME=%s/home %s/agendad adduser zoe --agenda z --rw >/dev/null",
	         h->dir, h_bin());
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/home/.local/share/xproto", h->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/home/.local/share/xproto/agendad.db", h->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* only init creates the replica: status on a fresh home refuses */
	snprintf(cmd, sizeof(cmd), "HOME=%s/home2 %s/agenda status 2>/dev/null", h->dir, h_bin());
	assert_int_not_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/home2/.local/share/xproto/agenda.db", h->dir);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(cmd, sizeof(cmd),
	         "HOME=%s/home2 %s/agenda init --server 127.0.0.1:1 --user u --token "
	         "0123456789abcdef0123456789abcdef --agenda "
	         "a >/dev/null",
	         h->dir, h_bin());
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/home2/.local/share/xproto/agenda.db", h->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_cli(void **state)
{
	struct harness *h = *state;
	char tok[64], uid[64];
	assert_int_equal(run(h, NULL, "--help"), 0);
	assert_int_equal(run(h, NULL, "adduser ann --agenda team --rw --db %s", h->db), 0);
	assert_int_equal(sscanf(out, "%63s", tok), 1);
	assert_int_equal(strlen(tok), 32);
	h_start(h);
	assert_int_equal(run(h, "a.db", "--help"), 0);
	init_replica(h, "a.db", "ann", tok);
	init_replica(h, "b.db", "ann", tok);
	assert_int_equal(run(h, "a.db",
	                     "add 'Yoga' --start '2026-11-23 18:00' --minutes 90 --rrule "
	                     "'FREQ=WEEKLY;COUNT=3' --location Gym --category Sport"),
	                 0);
	assert_int_equal(sscanf(out, "%63s", uid), 1);
	assert_int_equal(run(h, "a.db", "--json ls month 2026-11-01"), 0);
	assert_non_null(strstr(out, "\"title\":\"Yoga\""));
	assert_non_null(strstr(out, "\"tz\":\"Europe/Paris\"")); /* the user's zone */
	assert_int_equal(run(h, "a.db", "ls month 2026-12-01"), 0);
	assert_non_null(strstr(out, "Mon 2026-12-07  18:00-19:30  Yoga  @ Gym  (repeats)"));
	/* the same occurrences seen from Auckland: the next morning, and the
	 * one of Monday 30 November evening falls on 1 December */
	setenv("TZ", "Pacific/Auckland", 1);
	assert_int_equal(run(h, "a.db", "ls month 2026-12-01"), 0);
	setenv("TZ", "Europe/Paris", 1);
	assert_non_null(strstr(out, "Tue 2026-12-01  06:00-07:30  Yoga"));
	assert_non_null(strstr(out, "Tue 2026-12-08  06:00-07:30  Yoga"));
	assert_int_equal(run(h, "a.db", "add Holiday --start 2026-12-24"), 0); /* a date */
	assert_int_equal(run(h, "a.db", "ls day 2026-12-24"), 0);
	assert_non_null(strstr(out, "Thu 2026-12-24  all day      Holiday"));
	assert_int_equal(run(h, "a.db", "--json sync"), 0);
	assert_non_null(strstr(out, "\"pushed\":2"));
	assert_int_equal(run(h, "b.db", "sync"), 0);
	assert_non_null(strstr(out, "received 2"));
	assert_int_equal(run(h, "b.db", "edit %.8s --title 'Yoga (B)'", uid), 0);
	assert_int_equal(strncmp(out, uid, strlen(uid)), 0); /* the full uid, not the prefix */
	assert_int_equal(run(h, "a.db", "edit %.8s --title 'Yoga (A)'", uid), 0);
	assert_int_equal(run(h, "b.db", "sync"), 0);
	assert_int_equal(run(h, "a.db", "sync"), 0);
	assert_non_null(strstr(out, "new conflicts 1")); /* the true count */
	assert_int_equal(run(h, "a.db", "--json conflicts"), 0);
	assert_non_null(strstr(out, "\"what\":\"title\""));
	assert_non_null(strstr(out, "\"loser\":\"ann\""));
	assert_int_equal(run(h, "a.db", "resolve 1 --keep"), 0);
	assert_int_equal(run(h, "a.db", "conflicts"), 0);
	assert_non_null(strstr(out, "no conflicts"));
	assert_int_equal(run(h, "a.db", "edit %.8s --exdate 2026-11-30", uid), 0);
	assert_int_equal(run(h, "a.db", "ls month 2026-11-01"), 0);
	assert_null(strstr(out, "2026-11-30"));
	assert_int_equal(run(h, "a.db", "show %s", uid), 0);
	assert_non_null(strstr(out, "EXDATE;TZID=Europe/Paris:20261130T180000"));
	assert_non_null(strstr(out, "CATEGORIES:Sport"));
	assert_int_equal(run(h, "a.db", "--json show %s", uid), 0);
	assert_non_null(strstr(out, "\"categories\":\"Sport\""));
	assert_int_equal(run(h, "a.db", "export %s/x.ics", h->dir), 0);
	init_replica(h, "c.db", "ann", tok);
	assert_int_equal(run(h, "c.db", "import %s/x.ics", h->dir), 0);
	assert_non_null(strstr(out, "imported 2 events (2 new, 0 updated, 0 unchanged)"));
	assert_int_equal(run(h, "a.db", "--json rm %.6s", uid), 0);
	assert_non_null(strstr(out, uid));
	assert_int_equal(run(h, "a.db", "show %s", uid), 0); /* still there, deleted */
	assert_non_null(strstr(out, "(deleted"));
	assert_int_equal(run(h, "a.db", "undelete %s", uid), 0);
	assert_int_equal(run(h, "a.db", "--json status"), 0);
	assert_non_null(strstr(out, "\"pending\":2")); /* the resolve, one change */
}

/* Bad input is refused, with a message and a non-zero exit. */
static void test_refusals(void **state)
{
	struct harness *h = *state;
	struct {
		const char *args, *says;
	} bad[] = {
	    {"add x --start '2026-02-30 25:61'", "February 2026 has 28 days"},
	    {"add x --start '2026-02-28 25:61'", "hour 25"},
	    {"add x --start '2026-13-45 10:00'", "month 13"},
	    {"add x --start '2026-01-01 24:00'", "hour 24"},
	    {"add x --start '2026-01-01 12:61'", "minute 61"},
	    {"add x --start 24:00", "is not a date"},
	    {"add x --start notadate", "is not a date"},
	    {"add x --start 2026-12-01 --minutes abc", "not a number of minutes"},
	    {"add x --start 2026-12-01 --minutes -30", "not a number of minutes"},
	    {"add x --start '2026-12-01 09:00' --exdate 2026-13-01", "month 13"},
	    {"add x --start '2026-12-01 09:00' --tz Mars/Olympus", "unknown time zone"},
	    {"add x --start '2026-12-01 09:00' --rrule FREQ=SOMETIMES", "bad recurrence rule"},
	    {"add x --start '2026-12-01 09:00' --end '2026-12-01 08:00'", "before it starts"},
	    {"ls week 2026-99-99", "month 99"},
	    {"ls fortnight", "usage"},
	    {"resolve abc --keep", "conflict number"},
	    {"edit nosuchuid --title x", "no event"},
	    {"import /nonexistent.ics", "cannot open /nonexistent.ics: No such file"},
	    {"export /nonexistent-dir/x.ics", "cannot create /nonexistent-dir/x.ics: No such file"},
	    {"add '' --start 2026-12-01", "title is empty"},
	    {"add '  ' --start 2026-12-01", "title is empty"},
	};
	assert_int_equal(run(h, "r.db", "ls"), 1); /* a replica is made by init only */
	assert_non_null(strstr(out, "no replica at"));
	assert_non_null(strstr(out, "r.db: run `agenda init` first"));
	assert_int_equal(run(h, "r.db", "--json add x --start 2026-12-01"), 1);
	assert_non_null(strstr(out, "{\"error\":\"no replica at"));
	char path[600];
	h_path(h, "r.db", path, sizeof(path));
	assert_int_not_equal(access(path, F_OK), 0);
	FILE *f = fopen(path, "w"); /* an empty file: a replica never configured */
	assert_non_null(f);
	fclose(f);
	assert_int_equal(run(h, "r.db", "sync"), 1);
	assert_non_null(strstr(out, "not configured"));
	init_replica(h, "r.db", "ann", "00112233445566778899aabbccddeeff");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = run(h, "r.db", "%s", bad[i].args);
		if (rc == 0 || !strstr(out, bad[i].says) || strstr(out, "imported"))
			fail_msg("'%s' gave %d: %s", bad[i].args, rc, out);
	}
	/* more dates than fit are refused, not silently cut */
	char many[65 * 11 + 1] = "";
	for (int i = 0; i < 65; i++)
		snprintf(many + i * 11, sizeof(many) - (size_t)i * 11, "2027-01-%02d,", 1 + i % 28);
	assert_int_not_equal(run(h, "r.db", "add x --start '2026-12-01 09:00' --exdate %s", many),
	                     0);
	assert_non_null(strstr(out, "more than 64 dates in --exdate"));
	assert_int_equal(run(h, "r.db", "frobnicate"), 2);
	assert_int_equal(run(h, "r.db", "ls"), 0);
	assert_non_null(strstr(out, "(no events)")); /* nothing was stored */
	assert_int_equal(run(h, "r.db", "add x --start 2026-12-01"), 0);
	char uid[64];
	assert_int_equal(sscanf(out, "%63s", uid), 1);
	assert_int_equal(run(h, "r.db", "--json edit %.4s --title ''", uid), 1);
	assert_non_null(strstr(out, "title cannot be empty"));
	assert_non_null(strstr(out, "{\"error\":\"the title cannot be empty\"}"));
}

/* One agendad admin command of test_admin: "agendad ARGS --db DB" exits
 * with STATUS; its output holds SAYS and not LACKS (either may be NULL). */
struct admin_case {
	const char *args;
	int status;
	const char *says, *lacks;
};

#define ZEROS10 "0000000000"

/* agendad adduser/grant: a missing part is named, names follow one rule
 * (refused with status 2), and a grant that creates an agenda says so. In
 * order: each command runs on what the ones before it made. */
static void test_admin(void **state)
{
	static const struct admin_case cases[] = {
	    {"adduser alice --agenda team", 2,
	     "--agenda needs --rw (read-write) or --ro (read-only)", NULL},
	    {"grant alice --rw", 2, "grant needs --agenda", NULL},
	    {"adduser 'bad name!'", 2, "'bad name!' is not a valid name", NULL},
	    {"adduser -- -dash", 2, NULL, NULL},
	    /* a 65-character name */
	    {"adduser " ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 "00000", 2, NULL, NULL},
	    {"adduser alice --agenda 'te am' --rw", 2, NULL, "created"}, /* nothing was done */
	    {"adduser alice --agenda team --rw", 0, "agendad: created agenda 'team'", NULL},
	    {"adduser bob.b-2_x --agenda team --ro", 0, NULL, "created"},
	    {"grant alice --agenda nosuch --rw", 0, "agendad: created agenda 'nosuch'", NULL},
	    {"grant alice --agenda nosuch --ro", 0, NULL, "created"},
	    /* refused: no agenda made either */
	    {"grant nobody --agenda other --rw", 1, NULL, "created"},
	    {"grant alice --agenda other --rw", 0, "created agenda 'other'", NULL},
	};
	struct harness *h = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct admin_case *c = &cases[i];
		int rc = run(h, NULL, "%s --db %s", c->args, h->db);
		if (rc != c->status || (c->says && !strstr(out, c->says)) ||
		    (c->lacks && strstr(out, c->lacks)))
			fail_msg("agendad %s: status %d (want %d): %s", c->args, rc, c->status,
			         out);
	}
}

/* The server's refusals: wrong token, unknown agenda, read-only writes. */
static void test_server_refusals(void **state)
{
	struct harness *h = *state;
	char tok[64], rtok[64];
	assert_int_equal(run(h, NULL, "adduser ann --agenda team --rw --db %s", h->db), 0);
	sscanf(out, "%63s", tok);
	assert_int_equal(run(h, NULL, "adduser rob --agenda team --ro --db %s", h->db), 0);
	sscanf(out, "%63s", rtok);
	h_start(h);
	init_replica(h, "w.db", "ann", "00112233445566778899aabbccddeeff");
	assert_int_equal(run(h, "w.db", "sync"), 1);
	assert_non_null(strstr(out, "agendad refused: HELLO: unknown user, wrong token"));
	assert_int_equal(run(h, "w.db",
	                     "init --server 127.0.0.1:%d --user ann --token %s --agenda nope",
	                     h->port, tok),
	                 0);
	assert_int_equal(run(h, "w.db", "sync"), 1);
	assert_non_null(strstr(out, "not a member"));
	init_replica(h, "ro.db", "rob", rtok);
	assert_int_equal(run(h, "ro.db", "add x --start 2026-12-01"), 0); /* offline: unknown */
	assert_int_equal(run(h, "ro.db", "sync"), 1);
	assert_non_null(strstr(out, "refused 1 change"));
	assert_int_equal(run(h, "ro.db", "add y --start 2026-12-01"), 1);
	assert_non_null(strstr(out, "read-only"));
	assert_int_equal(run(h, "ro.db", "ls day 2026-12-01"), 0);
	assert_non_null(strstr(out, "(no events)"));
	/* grants while agendad runs: no lock left behind, rights apply at once */
	assert_int_equal(run(h, NULL, "grant nobody --agenda team --rw --db %s", h->db), 1);
	assert_non_null(strstr(out, "no user 'nobody'"));
	assert_int_equal(run(h, NULL, "grant rob --agenda team --rw --db %s", h->db), 0);
	assert_int_equal(run(h, "ro.db", "sync"), 0); /* learns it may write */
	assert_int_equal(run(h, "ro.db", "add z --start 2026-12-02"), 0);
	assert_int_equal(run(h, NULL, "grant rob --agenda team --ro --db %s", h->db), 0);
	assert_int_equal(run(h, "ro.db", "sync"), 1);
	assert_non_null(strstr(out, "read-only"));
	assert_null(strstr(out, "busy"));
	assert_int_equal(run(h, "w.db",
	                     "init --server 127.0.0.1:%d --user ann --token %s --agenda team",
	                     h->port, tok),
	                 0);
	assert_int_equal(run(h, "w.db", "add w --start 2026-12-02"), 0);
	assert_int_equal(run(h, "w.db", "sync"), 0);
	assert_non_null(strstr(out, "pushed 1"));
}

/* True once the process @arg (a pid, not our child) has ended: gone, or a
 * zombie its new parent has not reaped yet. */
static bool pid_ended(void *arg)
{
	char path[64], st[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", *(int *)arg);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = '\0';
	const char *p = strrchr(st, ')'); /* "pid (comm) S ..." */
	return !p || p[2] == 'Z' || p[2] == 'X';
}

/* Starts agendad --detach on a free port of 127.0.0.1 (into h->port);
 * returns its pid. */
static int start_detached(struct harness *h)
{
	char portfile[300], cmd[1200], pidtxt[32] = "";
	h_path(h, "dport", portfile, sizeof(portfile));
	unlink(portfile);
	snprintf(cmd, sizeof(cmd),
	         "%s/agendad --detach --listen 127.0.0.1:0 --port-file %s --db %s "
	         "2>>%s/agendad.log",
	         h_bin(), portfile, h->db, h->dir);
	FILE *p = popen(cmd, "r"); /* its stdout only: the log stays open */
	assert_non_null(p);
	size_t n = fread(pidtxt, 1, sizeof(pidtxt) - 1, p);
	pidtxt[n] = '\0';
	assert_int_equal(pclose(p), 0);
	int pid = atoi(pidtxt);
	assert_true(pid > 0);
	detached = pid;
	h->port = proc_port_file(portfile, 20000);
	assert_true(h->port > 0);
	return pid;
}

/* Sends SIG to detached agendad PID and waits (bounded) until it ended. */
static void stop_detached(int pid, int sig)
{
	assert_int_equal(kill(pid, sig), 0);
	bool ended = proc_until(pid_ended, &pid, 10000);
	if (!ended)
		kill(pid, SIGKILL);
	detached = 0;
	assert_true(ended);
}

/* SIGTERM and SIGINT stop agendad cleanly (exit 0), in the foreground and
 * with --detach, whichever of its threads the signal lands on. */
static void test_signals(void **state)
{
	struct harness *h = *state;
	const int sigs[2] = {SIGTERM, SIGINT};
	assert_int_equal(run(h, NULL, "adduser ann --agenda team --rw --db %s", h->db), 0);
	for (int i = 0; i < 2; i++) {
		h_start(h);
		assert_int_equal(proc_stop(h->pid, sigs[i], 10000), 0);
		h->pid = 0;
	}
	for (int i = 0; i < 2; i++) {
		int pid = start_detached(h);
		assert_false(pid_ended(&pid));
		stop_detached(pid, sigs[i]);
	}
}

/* `agendad adduser` and `grant`, run while a detached agendad serves the
 * same database, neither disturb it nor go unseen: agendad keeps its WAL
 * (another process must not take itself for the database's last user and
 * delete it: SQLite's locks do not survive fork()), and each new user's
 * first sync after the grant works and receives everything. */
static void test_detach_admin(void **state)
{
	struct harness *h = *state;
	char tok[64], cmd[1200], wal[600];
	assert_int_equal(run(h, NULL, "adduser ann --agenda team --rw --db %s", h->db), 0);
	assert_int_equal(sscanf(out, "%63s", tok), 1);
	int pid = start_detached(h);
	init_replica(h, "a.db", "ann", tok);
	snprintf(wal, sizeof(wal), "%s-wal", h->db);
	for (int n = 1; n <= 3; n++) {
		assert_int_equal(run(h, "a.db", "add e%d --start 2026-12-0%d", n, n), 0);
		assert_int_equal(run(h, "a.db", "sync"), 0);
		assert_int_equal(run(h, NULL, "adduser u%d --db %s", n, h->db), 0);
		assert_int_equal(sscanf(out, "%63s", tok), 1);
		assert_int_equal(access(wal, F_OK), 0); /* still agendad's */
		snprintf(cmd, sizeof(cmd), "u%d.db", n);
		assert_int_equal(
		    run(h, cmd, "init --server 127.0.0.1:%d --user u%d --token %s --agenda team",
		        h->port, n, tok),
		    0);
		assert_int_equal(run(h, NULL, "grant u%d --agenda team --rw --db %s", n, h->db), 0);
		assert_int_equal(run(h, cmd, "sync"), 0);
		char want[64];
		snprintf(want, sizeof(want), "received %d,", n);
		if (!strstr(out, want))
			fail_msg("u%d's first sync: %s", n, out);
	}
	stop_detached(pid, SIGTERM);
}

/*
 * An event with RECURRENCE-ID overrides (tests/ics-corpus/handwritten/
 * overrides.ics): each override is the whole occurrence (RFC 5545
 * 3.8.4.4), so its location is its own, and none when it has none (not the
 * master's); it is shown as a changed occurrence, not as one that repeats,
 * and a single event whose one occurrence was changed does not repeat.
 */
static void test_overrides_shown(void **state)
{
	struct harness *h = *state;
	init_replica(h, "o.db", "u", "0123456789abcdef0123456789abcdef");
	assert_int_equal(run(h, "o.db", "import tests/ics-corpus/handwritten/overrides.ics"), 0);
	assert_int_equal(run(h, "o.db", "ls month 2026-11-01"), 0);
	static const char *const want[] = {
	    "Mon 2026-11-02  10:00-10:30  Standup  @ Room 1  (repeats)  [weekly-s]",
	    "Tue 2026-11-03  13:30-14:30  Lunch later  @ Cafe  (changed occurrence)  [one-lunc]",
	    "Mon 2026-11-09  11:00-11:30  Standup (moved)  @ Room 7  (changed occurrence)",
	    "Mon 2026-11-16  10:00-10:30  Standup (online)  (changed occurrence)  [weekly-s]",
	    "Mon 2026-11-23  10:00-10:30  Standup  @ Room 1  (repeats)  [weekly-s]",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(out, want[i]))
			fail_msg("ls month:\n%s\nwant: %s", out, want[i]);
	assert_null(strstr(out, "Lunch  @ Canteen")); /* replaced by its override */
	assert_int_equal(run(h, "o.db", "--json ls day 2026-11-16"), 0);
	assert_non_null(strstr(out, "\"location\":\"\",\"notes\":\"\""));
	assert_non_null(strstr(out, "\"override\":true"));
	assert_int_equal(run(h, "o.db", "show one-lunch@example.com"), 0);
	assert_null(strstr(out, "(repeats)"));
	assert_int_equal(run(h, "o.db", "show weekly-standup@example.com"), 0);
	assert_non_null(strstr(out, "Standup  @ Room 1  (repeats)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fresh_home, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overrides_shown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_admin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_detach_admin, setup, teardown),
	};
	setenv("TZ", "Europe/Paris", 1); /* the zone of the events below */
	alarm(600);                      /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
