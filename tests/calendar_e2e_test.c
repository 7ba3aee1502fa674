/*
 * calendar_e2e_test.c - xp-calendar under a real xproto-server, driven by a
 * headless thin client: events typed in the UI land in the replica (read
 * back with the agenda CLI), edits of the time, length and recurrence through
 * the edit form too, a bad time is refused in the dialog instead of becoming
 * a title, deletes work, and the client's pixels are the server's; a
 * conflict made by two members shows in the conflicts panel and is resolved
 * from there. The keys go once the window is up; the app handles them in
 * order, so the test waits for the replica to show the result, not for a
 * fixed time.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

static char apps_path[128], db[160];

static void start(struct e2e_server *s)
{
	char bin[256], cwd[512];
	snprintf(apps_path, sizeof(apps_path), "/tmp/xproto-cal-apps-%d", (int)getpid());
	snprintf(db, sizeof(db), "/tmp/xproto-cal-%d.db", (int)getpid());
	unlink(db);
	e2e_bin("", bin, sizeof(bin));
	const char *dir = bin[0] == '/' ? "" : getcwd(cwd, sizeof(cwd)),
	           *sep = bin[0] == '/' ? "" : "/";
	FILE *f = fopen(apps_path, "w");
	assert_non_null(f);
	fprintf(
	    f,
	    "calendar | c | exec env TZ=UTC %s%s%sxp-calendar --create --db %s --today 2026-11-21 "
	    "--sync-every 0\n",
	    dir, sep, bin, db);
	fclose(f);
	const char *args[] = {"--apps", apps_path, "--no-launcher", NULL};
	assert_int_equal(e2e_server_start(s, args), 0);
}

static void stop(struct e2e_server *s)
{
	e2e_server_stop(s);
	unlink(apps_path);
	unlink(db);
}

/* `agenda ls month 2026-11-01` on the replica, into @out. */
static void agenda_ls(char *out, size_t cap)
{
	char bin[256], cmd[512];
	snprintf(cmd, sizeof(cmd), "TZ=UTC %s --db %s ls month 2026-11-01",
	         e2e_bin("agenda", bin, sizeof(bin)), db);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	pclose(p);
}

/* The replica holds the end result: the lunch (edited to Bob, moved to
 * 11:15 for 30 minutes, weekly) stays; the review is deleted; the bad time
 * made nothing. */
static bool final_list(const char *list)
{
	return strstr(list, "Mon 2026-11-23  11:15-11:45  Lunch with Bob  (repeats)") &&
	       strstr(list, "Mon 2026-11-30  11:15-11:45  Lunch with Bob  (repeats)") &&
	       !strstr(list, "Design review") && !strstr(list, "Lunch with Ana") &&
	       !strstr(list, "bad time");
}

static bool replica_done(void *arg)
{
	agenda_ls(arg, 4096);
	return final_list(arg);
}

/* Copies the test's screenshots to $CAL_SHOTS, when set (to look at them). */
static void keep_shots(const struct e2e_server *s)
{
	if (getenv("CAL_SHOTS")) {
		char cp[512];
		snprintf(cp, sizeof(cp), "cp %s/*.png %s/", s->dir, getenv("CAL_SHOTS"));
		if (system(cp)) {
		}
	}
}

static void test_add_edit_delete(void **state)
{
	(void)state;
	struct e2e_server s;
	char list[4096];
	start(&s);
	/* Saturday 21st: two days on is Monday 23rd */
	const char *script =
	    "launch calendar\nwait-windows 1 30000\nkey Right\nkey Right\nkey a\n"
	    "type 14:30 Design review\nkey Return\n"
	    "key a\ntype Lunch with Ana\nkey Return\n"
	    "key e\nkey BackSpace\nkey BackSpace\nkey BackSpace\ntype Bob\nkey Return\n"
	    "key Tab\nkey d\nkey y\n"
	    /* a bad time is refused: the dialog stays open, nothing is added */
	    "key a\ntype 25:99 bad time\nkey Return\n"
	    "key Escape\n"
	    /* the form: Title, Date, Time, Minutes, Repeat */
	    "key e\nkey Tab\nkey Tab\nkey BackSpace\nkey BackSpace\nkey BackSpace\n"
	    "key BackSpace\nkey BackSpace\ntype 11:15\nkey Tab\nkey BackSpace\n"
	    "key BackSpace\ntype 30\nkey Tab\nkey BackSpace\nkey BackSpace\nkey BackSpace\n"
	    "key BackSpace\ntype weekly\nkey Return\nsync\nquit\n";
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	char said[512];
	snprintf(said, sizeof(said), "xp-calendar: created a local agenda at %s (no server)", db);
	assert_true(proc_wait_line(s.log, said, NULL, 0, 1000));
	bool done = proc_until(replica_done, list, 30000);
	printf("%s", list);
	assert_true(done);
	/* and once the app is idle, a client's pixels are the server's (the
	 * calendar asks for XP_WIN_MAXIMIZED: the whole screen, no frame) */
	struct xr_fb srv;
	assert_int_equal(e2e_server_dump(&s), 0);
	assert_int_equal(e2e_server_window(&s, "main", 1, &srv), 0);
	assert_int_equal(e2e_client_vs_server(&s, 1, 0, 0, srv.w, srv.h, 30000), 0);
	xr_fb_finish(&srv);
	stop(&s);
}

/* Runs the shell command @fmt (TZ=UTC), its output into @out. Returns the
 * exit status. */
static int run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[1024], tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(cmd, sizeof(cmd), "TZ=UTC ");
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t got = fread(out ? out : tmp, 1, (out ? cap : sizeof(tmp)) - 1, p);
	(out ? out : tmp)[got] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value of "KEY":"..." in the JSON @json, into @out. */
static void json_str(const char *json, const char *key, char *out, size_t cap)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = strstr(json, pat);
	assert_non_null(p);
	p += strlen(pat);
	size_t n = strcspn(p, "\"");
	assert_true(n < cap);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The replica lists no conflict about the standup any more. */
static bool conflict_resolved(void *arg)
{
	char out[4096], bin[256];
	(void)arg;
	if (run(out, sizeof(out), "%s --db %s --json conflicts",
	        e2e_bin("agenda", bin, sizeof(bin)), db) != 0)
		return false;
	return !strstr(out, "Standup");
}

/* Two members rename the same event at once: the loser is a conflict record,
 * which xp-calendar lists in its panel (c) and resolves (k keeps the winner). */
static void test_conflicts_panel(void **state)
{
	(void)state;
	struct e2e_server s;
	char ag[256], agd[256], out[4096], token[128], uid[64], script[1024], sdb[320], other[320];
	start(&s);
	e2e_bin("agenda", ag, sizeof(ag));
	e2e_bin("agendad", agd, sizeof(agd));
	snprintf(sdb, sizeof(sdb), "%s/server.db", s.dir);
	snprintf(other, sizeof(other), "%s/other.db", s.dir);
	assert_int_equal(
	    run(token, sizeof(token), "%s adduser ana --agenda team --rw --db %s", agd, sdb), 0);
	token[strcspn(token, "\n")] = '\0';
	assert_int_equal(run(out, sizeof(out),
	                     "%s --detach --listen 127.0.0.1:0 --port-file %s/port --db %s "
	                     "2>/dev/null",
	                     agd, s.dir, sdb),
	                 0);
	long pid = atol(out);
	assert_true(pid > 0);
	assert_int_equal(run(out, sizeof(out), "cat %s/port", s.dir), 0);
	int port = atoi(out);
	const char *reps[2] = {db, other};
	for (int i = 0; i < 2; i++)
		assert_int_equal(run(NULL, 0,
		                     "%s --db %s init --server 127.0.0.1:%d --user ana --token %s "
		                     "--agenda team",
		                     ag, reps[i], port, token),
		                 0);
	assert_int_equal(run(out, sizeof(out),
	                     "%s --db %s --json add Standup --start '2026-11-23 09:00'", ag, other),
	                 0);
	json_str(out, "uid", uid, sizeof(uid));
	assert_int_equal(run(NULL, 0, "%s --db %s sync && %s --db %s sync", ag, other, ag, db), 0);
	assert_int_equal(
	    run(NULL, 0, "%s --db %s edit %s --title 'Standup (room 2)'", ag, other, uid), 0);
	assert_int_equal(run(NULL, 0, "%s --db %s edit %s --title 'Standup moved'", ag, db, uid),
	                 0);
	assert_int_equal(run(NULL, 0, "%s --db %s sync && %s --db %s sync", ag, other, ag, db), 0);
	assert_int_equal(run(out, sizeof(out), "%s --db %s --json conflicts", ag, db), 0);
	assert_non_null(strstr(out, "\"value\":\"Standup (room 2)\""));
	/* the panel lists it; k keeps the winner */
	snprintf(script, sizeof(script),
	         "launch calendar\nwait-windows 1 30000\nkey c\nsync\nscreenshot %s/conflicts.png\n"
	         "key k\nsync\nscreenshot %s/resolved.png\nkey Escape\nsync\nquit\n",
	         s.dir, s.dir);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	bool resolved = proc_until(conflict_resolved, NULL, 30000);
	keep_shots(&s);
	assert_true(resolved); /* listed no more */
	kill((pid_t)pid, SIGTERM);
	stop(&s);
}

/*
 * A replica that does not exist is refused, as `agenda` refuses it (status
 * 1, the path and what to do), and none is created: a mistyped --db must
 * not start an empty agenda. Checked before the display is looked for.
 */
static void test_missing_replica_refused(void **state)
{
	(void)state;
	char bin[256], path[160], out[1024], want[512];
	snprintf(path, sizeof(path), "/tmp/xproto-cal-%d-typo.db", (int)getpid());
	unlink(path);
	snprintf(out, sizeof(out), "/tmp/xproto-cal-%d.err", (int)getpid());
	const char *argv[] = {e2e_bin("xp-calendar", bin, sizeof(bin)), "--db", path, NULL};
	assert_int_equal(proc_run(argv, out, 30000), 1);
	snprintf(want, sizeof(want),
	         "xp-calendar: no replica at %s: run `agenda init` first, or start xp-calendar "
	         "with --create for a local agenda",
	         path);
	assert_true(proc_wait_line(out, want, NULL, 0, 1000));
	assert_int_equal(access(path, F_OK), -1);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_replica_refused),
	    cmocka_unit_test(test_add_edit_delete),
	    cmocka_unit_test(test_conflicts_panel),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("xp-calendar end to end", tests, NULL, NULL);
}
