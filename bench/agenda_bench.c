/*
 * agenda_bench.c - bytes and time of the agenda sync protocol beside CalDAV.
 *
 * Starts agendad on loopback in a temporary directory, then measures, with
 * bytes counted on the client socket in both directions:
 *   - the initial sync of 10,000 events into a fresh replica (and its time),
 *   - a no-change sync (with 10 and with 10,000 events on the server),
 *   - one edited event: the editor's sync plus the other replica's sync,
 * then hands the same 10,000 events to bench/agenda/caldav_bench.py, which
 * starts Radicale and performs the same operations with a sync-collection
 * REPORT and PUT/GET, counted the same way. Finally 20 kill -9 cycles of
 * agendad during a stream of pushes. Prints figures, ratios and targets.
 *
 * The import of 10,000 and 100,000 events is timed in a child process
 * (with its peak RSS); the line states the machine's load average, since
 * the figure is CPU time under whatever else runs.
 *
 * Usage: agenda_bench [N_EVENTS]   (XP_BIN: folder holding agendad)
 *        agenda_bench import [N]   (only the import of 10,000 and N events,
 *                                   default 100,000)
 */
#include "agenda_int.h"

#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct bench {
	char dir[256], db[300], bin[512], tok_a[33], tok_b[33];
	int port;
	pid_t pid;
	int n;
};

struct figures {
	uint64_t initial, nochange_small, nochange_big, edit_up, edit_down;
	double initial_s, upload_s;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void die(const char *what)
{
	fprintf(stderr, "agenda_bench: %s\n", what);
	exit(1);
}

static void server_start(struct bench *b)
{
	char exe[600], listen[64], pf[300];
	snprintf(exe, sizeof(exe), "%s/agendad", b->bin);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", b->port);
	snprintf(pf, sizeof(pf), "%s/port", b->dir);
	unlink(pf);
	if ((b->pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		execl(exe, exe, "--db", b->db, "--listen", listen, "--port-file", pf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(pf, "r");
		int port = 0;
		bool ok = f && fscanf(f, "%d", &port) == 1 && port > 0;
		if (f)
			fclose(f);
		if (ok) {
			b->port = port;
			return;
		}
		sleep_ms(10);
	}
	die("agendad did not start");
}

static void server_stop(struct bench *b, int sig)
{
	int status;
	kill(b->pid, sig);
	waitpid(b->pid, &status, 0);
}

static struct ag_replica *replica(struct bench *b, const char *name, const char *user,
                                  const char *tok, const char *agenda)
{
	char path[300], err[256], server[64];
	struct ag_replica *r;
	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	snprintf(server, sizeof(server), "127.0.0.1:%d", b->port);
	if (ag_replica_open(path, &r, err, sizeof(err)) ||
	    ag_replica_configure(r, server, user, tok, agenda))
		die("cannot open a replica");
	return r;
}

static struct ag_sync_stats sync_or_die(struct ag_replica *r)
{
	struct ag_sync_stats st;
	if (ag_sync(r, NULL, &st)) {
		fprintf(stderr, "sync: %s\n", ag_replica_error(r));
		exit(1);
	}
	return st;
}

/* A UTC ag_when of Unix time T. */
static struct ag_when when_of(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	return (struct ag_when){.y = tm.tm_year + 1900,
	                        .mo = tm.tm_mon + 1,
	                        .d = tm.tm_mday,
	                        .h = tm.tm_hour,
	                        .mi = tm.tm_min,
	                        .has_time = true};
}

/* Deterministic, realistic events (Europe/Paris, some with notes or
 * recurrence). */
static void fill(struct ag_replica *r, int n)
{
	char title[64], loc[32], notes[64];
	ag_db_exec(r->db, "PRAGMA synchronous=OFF"); /* bulk load only */
	for (int i = 0; i < n; i++) {
		struct ag_when start = when_of(1795000000 + (int64_t)i * 5 * 3600);
		snprintf(title, sizeof(title), "Meeting %d with the design team", i);
		snprintf(loc, sizeof(loc), "Room %d", i % 40);
		snprintf(notes, sizeof(notes), "Agenda: review item %d", i);
		struct ag_edit e = {.title = title,
		                    .location = loc,
		                    .notes = i % 5 == 0 ? notes : NULL,
		                    .rrule = i % 10 == 0 ? "FREQ=WEEKLY;COUNT=10" : NULL,
		                    .start = &start,
		                    .duration = 3600,
		                    .tz = "Europe/Paris",
		                    .allday = -1};
		if (ag_event_add(r, &e, NULL))
			die(ag_replica_error(r));
	}
	ag_db_exec(r->db, "PRAGMA synchronous=FULL");
}

static void users(struct bench *b)
{
	struct ag_store *s;
	char err[256];
	if (ag_store_open(b->db, &s, err, sizeof(err)) || ag_store_adduser(s, "alice", b->tok_a) ||
	    ag_store_adduser(s, "bob", b->tok_b) ||
	    ag_store_grant(s, "alice", "team", AG_RIGHT_RW) ||
	    ag_store_grant(s, "bob", "team", AG_RIGHT_RW) ||
	    ag_store_grant(s, "alice", "small", AG_RIGHT_RW))
		die("cannot create users");
	ag_store_close(s);
}

static void measure_agenda(struct bench *b, struct figures *f, char *edit_uid)
{
	struct ag_replica *a = replica(b, "a.db", "alice", b->tok_a, "team");
	struct ag_replica *bb = replica(b, "b.db", "bob", b->tok_b, "team");
	struct ag_replica *s = replica(b, "s.db", "alice", b->tok_a, "small");
	fill(a, b->n);
	fill(s, 10);
	double t0 = now_s();
	sync_or_die(a);
	f->upload_s = now_s() - t0;
	sync_or_die(s);
	t0 = now_s();
	struct ag_sync_stats st = sync_or_die(bb);
	f->initial_s = now_s() - t0;
	f->initial = st.bytes_sent + st.bytes_recv;
	if (st.pulled != (unsigned)b->n)
		die("initial sync incomplete");
	st = sync_or_die(bb);
	f->nochange_big = st.bytes_sent + st.bytes_recv;
	st = sync_or_die(s);
	f->nochange_small = st.bytes_sent + st.bytes_recv;
	struct ag_event *evs;
	size_t n;
	if (ag_events_all(a, false, &evs, &n) || n == 0)
		die("no events");
	snprintf(edit_uid, 128, "%s", evs[n / 2].uid);
	ag_events_free(evs, n);
	char path[300];
	snprintf(path, sizeof(path), "%s/events.ics", b->dir);
	FILE *out = fopen(path, "w");
	/* CalDAV starts from the same events, before the edit */
	if (!out || ag_export_ics(bb, out))
		die("export failed");
	fclose(out);
	struct ag_edit e = {.title = "Meeting moved: design review", .allday = -1};
	if (ag_event_edit(a, edit_uid, &e))
		die("edit failed");
	st = sync_or_die(a);
	f->edit_up = st.bytes_sent + st.bytes_recv;
	st = sync_or_die(bb);
	f->edit_down = st.bytes_sent + st.bytes_recv;
	ag_replica_close(a);
	ag_replica_close(bb);
	ag_replica_close(s);
}

/* ---- many clients at once ------------------------------------------------ */

/* CLIENTS processes each add and sync ROUNDS single events at once; the
 * server's group commit lets their pushes share fsyncs. */
static double concurrent_pushes(struct bench *b, int clients, int rounds)
{
	double t0 = now_s();
	for (int k = 0; k < clients; k++) {
		if (fork() != 0)
			continue;
		char name[32];
		snprintf(name, sizeof(name), "p%d.db", k);
		struct ag_replica *r = replica(b, name, "alice", b->tok_a, "small");
		for (int i = 0; i < rounds; i++) {
			struct ag_when start = when_of(1795000000);
			struct ag_edit e = {
			    .title = name, .start = &start, .tz = "UTC", .allday = -1};
			if (ag_event_add(r, &e, NULL) || ag_sync(r, NULL, NULL))
				_exit(1);
		}
		ag_replica_close(r);
		_exit(0);
	}
	int status, bad = 0;
	for (int k = 0; k < clients; k++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	if (bad)
		die("a concurrent client failed");
	return now_s() - t0;
}

/* ---- kill -9 cycles ------------------------------------------------------- */

static void pusher(struct bench *b, int cycle)
{
	struct ag_replica *r = replica(b, "k.db", "alice", b->tok_a, "team");
	char title[64];
	int64_t end = ag_now_ms() + 3000;
	for (int i = 0; i < 100000 && ag_now_ms() < end; i++) {
		struct ag_when start = when_of(1795000000);
		struct ag_edit e = {.title = title, .start = &start, .tz = "UTC", .allday = -1};
		snprintf(title, sizeof(title), "k%d-%d", cycle, i);
		if (ag_event_add(r, &e, NULL) ||
		    ag_sync(r, &(struct ag_sync_opts){.timeout_ms = 2000}, NULL))
			break;
	}
	ag_replica_close(r);
	_exit(0);
}

static int kill_cycles(struct bench *b, int cycles, int *acked_out)
{
	srand(99);
	for (int c = 0; c < cycles; c++) {
		server_start(b);
		pid_t child = fork();
		if (child == 0)
			pusher(b, c);
		sleep_ms(20 + rand() % 200);
		server_stop(b, SIGKILL);
		int status;
		waitpid(child, &status, 0);
	}
	server_start(b);
	struct ag_replica *k = replica(b, "k.db", "alice", b->tok_a, "team");
	struct ag_replica *chk = replica(b, "chk.db", "alice", b->tok_a, "team");
	sync_or_die(chk);
	sqlite3_stmt *st;
	int lost = 0, acked = 0;
	sqlite3_prepare_v2(k->db,
	                   "SELECT uid FROM events WHERE uid NOT IN "
	                   "(SELECT uid FROM pending)",
	                   -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct ag_event ev;
		acked++;
		if (ag_event_get(chk, (const char *)sqlite3_column_text(st, 0), false, &ev))
			lost++;
		else
			ag_event_finish(&ev);
	}
	sqlite3_finalize(st);
	ag_replica_close(k);
	ag_replica_close(chk);
	*acked_out = acked;
	return lost;
}

/* ---- import -------------------------------------------------------------------- */

/* Writes N events to PATH as a Google-style export (a VTIMEZONE, a third
 * recurring, descriptions, attendees, alarms). */
static void write_ics(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write the import file");
	fputs(
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VTIMEZONE\r\n"
	    "TZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
	    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	    "END:STANDARD\r\nEND:VTIMEZONE\r\n",
	    f);
	for (int i = 0; i < n; i++)
		fprintf(f,
		        "BEGIN:VEVENT\r\nUID:bench-%d@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
		        "DTSTART;TZID=Europe/Berlin:2026%02d%02dT%02d0000\r\n"
		        "DTEND;TZID=Europe/Berlin:2026%02d%02dT%02d3000\r\n%s"
		        "SUMMARY:Meeting %d with the design team\r\nLOCATION:Room %d\r\n"
		        "DESCRIPTION:Agenda: review item %d\\nBring the numbers\r\n"
		        "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\n"
		        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n"
		        "END:VEVENT\r\n",
		        i, 1 + i % 12, 1 + i % 28, 8 + i % 10, 1 + i % 12, 1 + i % 28, 8 + i % 10,
		        i % 3 ? "" : "RRULE:FREQ=WEEKLY;COUNT=10\r\n", i, i % 40, i);
	fputs("END:VCALENDAR\r\n", f);
	fclose(f);
}

/* What one import cost: wall and CPU seconds, the child's peak RSS. */
struct import_cost {
	double wall, cpu;
	long rss_kb;
};

/* Imports N events into a fresh replica in a child process. */
static struct import_cost import_run(struct bench *b, int n)
{
	char ics[300], db[300];
	snprintf(ics, sizeof(ics), "%s/import-%d.ics", b->dir, n);
	snprintf(db, sizeof(db), "%s/import-%d.db", b->dir, n);
	write_ics(ics, n);
	double t0 = now_s();
	pid_t kid = fork();
	if (kid == 0) {
		struct ag_replica *r;
		struct ag_import_stats st;
		char err[256];
		if (ag_replica_open(db, &r, err, sizeof(err)) || ag_import_ics(r, ics, &st) ||
		    st.added != (unsigned)n)
			_exit(1);
		ag_replica_close(r);
		_exit(0);
	}
	int status;
	struct rusage ru;
	if (wait4(kid, &status, 0, &ru) != kid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("import failed");
	return (struct import_cost){.wall = now_s() - t0,
	                            .cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	                                   ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	                            .rss_kb = ru.ru_maxrss};
}

/* ---- CalDAV ------------------------------------------------------------------ */

static bool caldav(struct bench *b, const char *uid, char *out, size_t len)
{
	char cmd[2048], script[600];
	snprintf(script, sizeof(script), "bench/agenda/caldav_bench.py");
	if (access(script, R_OK))
		return false;
	snprintf(cmd, sizeof(cmd),
	         "python3 %s %s/events.ics '%s' "
	         "'Meeting moved: design review'",
	         script, b->dir, uid);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	size_t got = fread(out, 1, len - 1, p);
	out[got] = 0;
	return pclose(p) == 0 && strstr(out, "initial=");
}

static double field(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	return p ? atof(p + strlen(key)) : 0;
}

static void ratio_line(const char *what, double ours, double theirs, double target)
{
	double r = theirs > 0 ? ours / theirs : 0;
	printf("  %-34s %10.0f  %10.0f   %6.3f  (target <= %.3f) %s\n", what, ours, theirs, r,
	       target, theirs > 0 && r <= target ? "OK" : "MISS");
}

static void report(const struct bench *b, const struct figures *f, const char *cd)
{
	printf("agenda sync protocol, %d events, loopback, bytes both ways:\n", b->n);
	printf("  initial sync            %10llu bytes  %.3f s (target <= 2 s: %s)\n",
	       (unsigned long long)f->initial, f->initial_s, f->initial_s <= 2 ? "OK" : "MISS");
	printf("  no-change sync          %10llu bytes (%d events; 10 events: "
	       "%llu) (target <= 100: %s)\n",
	       (unsigned long long)f->nochange_big, b->n, (unsigned long long)f->nochange_small,
	       f->nochange_big <= 100 && f->nochange_small <= 100 ? "OK" : "MISS");
	printf("  one edited event        %10llu bytes (editor %llu + other "
	       "replica %llu)\n",
	       (unsigned long long)(f->edit_up + f->edit_down), (unsigned long long)f->edit_up,
	       (unsigned long long)f->edit_down);
	printf("  first upload of %d events: %.3f s\n", b->n, f->upload_s);
	if (!cd) {
		printf("CalDAV (Radicale): skipped\n");
		return;
	}
	printf("%s", cd);
	double edit = field(cd, "edit="), init = field(cd, "initial="),
	       none = field(cd, "nochange=");
	printf("ratios (agenda / CalDAV):            agenda      CalDAV    ratio\n");
	ratio_line("one edited event", (double)(f->edit_up + f->edit_down), edit, 1.0 / 3);
	ratio_line("initial sync", (double)f->initial, init, 0.5);
	ratio_line("no-change sync", (double)f->nochange_big, none, 1.0);
}

/* The 1-minute load average, or -1. */
static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f && fscanf(f, "%lf", &l) != 1)
		l = -1;
	if (f)
		fclose(f);
	return l;
}

/* N with thousands separators ("100,000") into BUF. */
static const char *thousands(int n, char *buf, size_t len)
{
	if (n >= 1000000)
		snprintf(buf, len, "%d,%03d,%03d", n / 1000000, n / 1000 % 1000, n % 1000);
	else if (n >= 1000)
		snprintf(buf, len, "%d,%03d", n / 1000, n % 1000);
	else
		snprintf(buf, len, "%d", n);
	return buf;
}

static void import_figures(struct bench *b, int big)
{
	char nbig[32];
	double load0 = loadavg();
	struct import_cost s = import_run(b, 10000), l = import_run(b, big);
	printf("import of 10,000 events: %.2f s (CPU %.2f s), peak RSS %ld KiB; of %s events: "
	       "%.2f s (CPU %.2f s; target for 100,000 <= 10 s: %s), peak RSS %ld KiB (memory "
	       "follows one event, not the file); load average %.2f before, %.2f after, %d "
	       "cores\n",
	       s.wall, s.cpu, s.rss_kb, thousands(big, nbig, sizeof(nbig)), l.wall, l.cpu,
	       big > 100000 || l.wall <= 10 ? "OK" : "MISS", l.rss_kb, load0, loadavg(),
	       (int)sysconf(_SC_NPROCESSORS_ONLN));
}

static void cleanup(struct bench *b)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", b->dir);
}

static const char usage[] =
    "usage: agenda_bench [N_EVENTS]   (default 10000; XP_BIN: folder holding agendad)\n"
    "       agenda_bench import [N]   (only the import of 10,000 and N events,\n"
    "                                  default 100,000)\n";

/* @s as a count above 0, or -1 after a message naming it and the usage. */
static int count_arg(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end && n > 0 && n <= 10000000)
		return (int)n;
	fprintf(stderr, "agenda_bench: '%s' is not a number of events from 1 to 10000000\n%s", s,
	        usage);
	return -1;
}

/* The events to sync (*@n) and import (*@big), or only the import; 0, 1
 * after --help, -1 after a message. */
static int parse_args(int argc, char **argv, int *n, int *big, bool *only_import)
{
	*only_import = argc > 1 && !strcmp(argv[1], "import");
	*n = 10000;
	*big = 100000;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return fputs(usage, stdout), 1;
	if (argc > (*only_import ? 3 : 2))
		return fprintf(stderr, "agenda_bench: one count only\n%s", usage), -1;
	if (*only_import && argc > 2 && (*big = count_arg(argv[2])) < 0)
		return -1;
	if (!*only_import && argc > 1 && (*n = count_arg(argv[1])) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	bool only_import;
	int n, big, args = parse_args(argc, argv, &n, &big, &only_import);
	if (args)
		return args > 0 ? 0 : 2;
	struct bench b = {.n = n};
	struct figures f = {0};
	char uid[128], cd[4096];
	const char *env = getenv("XP_BIN");
	char self[512];
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(b.bin, sizeof(b.bin), "%s", env && *env ? env : dirname(dirname(self)));
	snprintf(b.dir, sizeof(b.dir), "/tmp/agenda_bench_XXXXXX");
	if (!mkdtemp(b.dir))
		die("mkdtemp");
	if (only_import) {
		import_figures(&b, big);
		cleanup(&b);
		return 0;
	}
	snprintf(b.db, sizeof(b.db), "%s/server.db", b.dir);
	users(&b);
	server_start(&b);
	measure_agenda(&b, &f, uid);
	double conc = concurrent_pushes(&b, 20, 25);
	server_stop(&b, SIGTERM);
	bool have_cd = caldav(&b, uid, cd, sizeof(cd));
	report(&b, &f, have_cd ? cd : NULL);
	printf("20 clients at once, 25 synced additions each: %.3f s, %.0f "
	       "acknowledged (durable) changes/s\n",
	       conc, 500 / conc);
	import_figures(&b, 100000);
	int acked = 0, lost = kill_cycles(&b, 20, &acked);
	server_stop(&b, SIGTERM);
	printf("kill -9: 20 cycles, %d acknowledged changes, %d lost (target 0: %s)\n", acked, lost,
	       lost ? "MISS" : "OK");
	cleanup(&b);
	return lost ? 1 : 0;
}
