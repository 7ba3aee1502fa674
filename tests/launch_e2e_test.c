/*
 * launch_e2e_test.c - launching apps, end to end (issue 12, item 6): keys
 * typed into the launcher's choice at once reach the new terminal's real
 * shell; the hold is bounded (256 events, 10 s: the rest and the late ones
 * are dropped, never given to another window); an app that ends before it
 * shows a window is reported to the client and in the launcher's footer
 * with its last stderr line. Real server, launcher, xp-term, bash and
 * headless thin-client processes; every wait is on a condition.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define T_MS        30000 /* far above a slow run; a condition ends it sooner */
#define LAUNCHER_BG 0x2a3340u
#define WARN        0xffb060u

/* Start a server (launcher on) offering @apps ("name | about | command" lines). */
static void start(struct e2e_server *s, const char *apps)
{
	char path[160];
	snprintf(path, sizeof(path), "/tmp/xproto-launch-%d.apps", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(apps, f);
	fclose(f);
	const char *args[] = {"--apps", path, NULL};
	assert_int_equal(e2e_server_start(s, args), 0);
	unlink(path);
}

/* A terminal app line: bash with prompt "$ ", its text dumped to DIR/NAME.txt. */
static void term_app(char *out, size_t cap, const char *name, const char *pre)
{
	char bin[256], cwd[512];
	e2e_bin("xp-term", bin, sizeof(bin));
	snprintf(out, cap,
	         "%s | t | %sexec env PS1='$ ' %s%s%s --size 80x24 --dump "
	         "/tmp/xproto-launch-%d-%s.txt -e bash "
	         "--norc --noprofile\n",
	         name, pre, bin[0] == '/' ? "" : getcwd(cwd, sizeof(cwd)), bin[0] == '/' ? "" : "/",
	         bin, (int)getpid(), name);
}

/* True once file @path has a line containing @text (bounded by @ms). */
static bool file_has(const char *path, const char *text, int ms)
{
	return proc_wait_line(path, text, NULL, 0, ms);
}

struct app_pid {
	struct e2e_server *s;
	const char *app;
	pid_t pid;
};

/* proc_until: the server launched @arg's app (its pid, in @arg). */
static bool app_started(void *arg)
{
	struct app_pid *a = arg;
	return (a->pid = e2e_launched_pid(a->s, a->app)) > 0;
}

/* The pid of @app once the server logged that it showed its window (so it
 * takes signals), waiting up to @ms; -1 if it did not. */
static pid_t launched(struct e2e_server *s, const char *app, int ms)
{
	uint64_t end = xp_now_us() + (uint64_t)ms * 1000;
	struct app_pid a = {s, app, -1};
	char shown[128];
	if (!proc_until(app_started, &a, ms))
		return -1;
	snprintf(shown, sizeof(shown), "app %s (pid %d) showed its first window", app, (int)a.pid);
	return file_has(s->log, shown, xp_ms_until(end)) ? a.pid : -1;
}

struct term_dump {
	const char *path;
	char (*lines)[256];
};

/* proc_until: @arg's dump file holds the terminal's 24 lines (read into it). */
static bool dump_whole(void *arg)
{
	struct term_dump *d = arg;
	FILE *f = fopen(d->path, "r");
	int n = 0;
	while (f && n < 24 && fgets(d->lines[n], 256, f)) {
		d->lines[n][strcspn(d->lines[n], "\n")] = '\0';
		n++;
	}
	if (f)
		fclose(f);
	return n == 24;
}

/* Terminal @app's 24 lines of text into @lines (re-read until whole). 0 or -1. */
static int term_text(const char *app, pid_t pid, char lines[24][256])
{
	char path[160];
	struct term_dump d = {path, lines};
	snprintf(path, sizeof(path), "/tmp/xproto-launch-%d-%s.txt", (int)getpid(), app);
	unlink(path);
	if (kill(pid, SIGUSR1) < 0)
		return -1;
	return proc_until(dump_whole, &d, 5000) ? 0 : -1;
}

struct term_line {
	const char *app;
	pid_t pid;
	int row;
	const char *want;
	char *got;
};

/* proc_until: a fresh dump of @arg's terminal has the wanted line (last seen in got). */
static bool line_is(void *arg)
{
	struct term_line *t = arg;
	char lines[24][256];
	if (term_text(t->app, t->pid, lines) < 0)
		return false;
	snprintf(t->got, 256, "%s", lines[t->row]);
	return !strcmp(lines[t->row], t->want);
}

/* Wait up to @ms until terminal @app's line @row is @want; its last text in @got. */
static bool term_line_is(const char *app, pid_t pid, int row, const char *want, char *got, int ms)
{
	struct term_line t = {app, pid, row, want, got};
	got[0] = '\0';
	return proc_until(line_is, &t, ms);
}

struct client_file {
	const struct e2e_server *s;
	char *out;
	size_t cap;
};

/* proc_until: a client's log is in @arg's server directory (its path in out). */
static bool client_log_there(void *arg)
{
	struct client_file *c = arg;
	DIR *d = opendir(c->s->dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "client-", 7))
			snprintf(c->out, c->cap, "%s/%.32s", c->s->dir, e->d_name);
	if (d)
		closedir(d);
	return c->out[0] != '\0';
}

/* The log of the one client spawned on @s (its stderr), in @out, once the
 * client has opened it (bounded). */
static const char *client_log(const struct e2e_server *s, char *out, size_t cap)
{
	struct client_file c = {s, out, cap};
	out[0] = '\0';
	proc_until(client_log_there, &c, T_MS);
	return out;
}

/* The server's log line about keys given to a window after its start. */
static const char *held_line(const struct e2e_server *s)
{
	static char line[256];
	FILE *f = fopen(s->log, "r");
	snprintf(line, sizeof(line), "xproto-server: (none)");
	while (f && fgets(line, sizeof(line), f) && !strstr(line, "keys typed while"))
		;
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void cleanup_dumps(const char *const *apps)
{
	char path[160];
	for (int i = 0; apps[i]; i++) {
		snprintf(path, sizeof(path), "/tmp/xproto-launch-%d-%s.txt", (int)getpid(),
		         apps[i]);
		unlink(path);
	}
}

/* Pick the terminal in the launcher and type at once: the shell gets every key. */
static void test_keys_typed_at_once_reach_the_shell(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], got[256];
	term_app(apps, sizeof(apps), "terminal", "");
	start(&s, apps);
	/* the launcher is up; Return starts the terminal, the rest is typed at once */
	pid_t c = e2e_client_spawn(&s,
	                           "wait-windows 1\nsync\nkey Return\n"
	                           "type echo typed-early\nkey Return\nwait 60000\n",
	                           NULL);
	assert_true(c > 0);
	pid_t term = launched(&s, "terminal", T_MS);
	assert_true(term > 0);
	if (!term_line_is("terminal", term, 1, "typed-early", got, T_MS))
		fail_msg("the shell's output line is '%s'", got);
	assert_true(term_line_is("terminal", term, 0, "$ echo typed-early", got, 1000));
	assert_true(file_has(s.log, "keys typed while terminal started go to its window", 1000));
	printf("    %s\n", strstr(held_line(&s), "xproto-server: ") + 15);
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, 10000), 0);
	e2e_server_stop(&s);
	cleanup_dumps((const char *const[]){"terminal", NULL});
}

/* proc_until() condition: the fifo at ARG has a reader; one line is written */
static bool fifo_opened(void *arg)
{
	int fd = open(arg, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = write(fd, "go\n", 3) == 3;
	close(fd);
	return ok;
}

/* Keys typed while an app starts are held up to 256 events (128 typed
 * characters); the rest are dropped. The app shows its window only once the
 * client has typed everything and the server has taken it (the script's
 * sync, then its screenshot file), so the bound is what is tested, not how
 * fast this machine types. */
static void test_hold_is_bounded_in_count(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], got[256], script[1024], want[256] = "$ ", gate[128], pre[256], mark[128];
	snprintf(gate, sizeof(gate), "/tmp/xproto-launch-%d-gate", (int)getpid());
	snprintf(mark, sizeof(mark), "/tmp/xproto-launch-%d-typed.png", (int)getpid());
	unlink(gate);
	unlink(mark);
	assert_int_equal(mkfifo(gate, 0600), 0);
	snprintf(pre, sizeof(pre), "read _ < %s; ", gate);
	term_app(apps, sizeof(apps), "slow", pre);
	start(&s, apps);
	/* 200 characters are 400 events: 128 characters fit in 256 */
	snprintf(script, sizeof(script),
	         "launch slow\ntype %0200d\nsync\nscreenshot %s\nwait 60000\n", 0, mark);
	pid_t c = e2e_client_spawn(&s, script, (const char *const[]){"--size", "800x400", NULL});
	assert_true(proc_wait_file(mark, T_MS));
	assert_true(proc_until(fifo_opened, gate, T_MS)); /* now the app may start */
	pid_t term = launched(&s, "slow", T_MS);
	assert_true(term > 0);
	memset(want + 2, '0', 78);
	want[80] = '\0';
	if (!term_line_is("slow", term, 0, want, got, T_MS))
		fail_msg("line 0 is '%s'", got);
	memset(want, '0', 50); /* the 128th character ends the second line */
	want[50] = '\0';
	if (!term_line_is("slow", term, 1, want, got, 2000))
		fail_msg("line 1 is '%s'", got);
	if (!file_has(s.log, "more than 256 keys typed while slow starts: dropped", T_MS)) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' >&2", s.log);
		if (system(cmd) != 0)
			fprintf(stderr, "could not show %s\n", s.log);
		fail_msg("the server did not say it dropped keys");
	}
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, 10000), 0);
	e2e_server_stop(&s);
	unlink(gate);
	unlink(mark);
	cleanup_dumps((const char *const[]){"slow", NULL});
}

/* An app that shows nothing within 10 s gets none of the keys typed for it. */
static void test_hold_is_bounded_in_time(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], got[256];
	term_app(apps, sizeof(apps), "late", "sleep 11; ");
	start(&s, apps);
	pid_t c =
	    e2e_client_spawn(&s, "launch late\ntype echo lost\nkey Return\nwait 60000\n", NULL);
	assert_true(
	    file_has(s.log, "keys typed for late dropped: it showed no window in time", T_MS));
	pid_t term = launched(&s, "late", T_MS);
	assert_true(term > 0);
	/* the prompt, with nothing typed after it */
	if (!term_line_is("late", term, 0, "$", got, T_MS))
		fail_msg("line 0 is '%s'", got);
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, 10000), 0);
	e2e_server_stop(&s);
	cleanup_dumps((const char *const[]){"late", NULL});
}

static uint32_t pixel(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x] & 0xffffff;
}

/* True if @win shows @text at cell (1, @row) in the launcher's warning colour. */
static bool shows(const struct xr_fb *win, int row, const char *text)
{
	struct xr_fb want;
	int n = (int)strlen(text); /* ASCII here: one byte, one cell */
	bool same = win->w >= (n + 1) * 6 && win->h >= (row + 1) * 13;
	xr_fb_init(&want, n * 6, 13);
	xr_text(&want, NULL, 0, 0, text, (size_t)n, 0, WARN, LAUNCHER_BG, false);
	for (int y = 0; y < 13 && same; y++)
		for (int x = 0; x < n * 6 && same; x++)
			same = pixel(win, 6 + x, row * 13 + y) == pixel(&want, x, y);
	xr_fb_finish(&want);
	return same;
}

struct footer {
	struct e2e_server *s;
	const char *l1, *l2;
};

/* proc_until: the launcher's window (the first of "main") shows @arg's lines
 * in its footer. */
static bool footer_shows(void *arg)
{
	struct footer *ft = arg;
	struct xr_fb win;
	if (e2e_server_dump(ft->s) < 0 || e2e_server_window(ft->s, "main", 1, &win) < 0)
		return false;
	/* two apps: rows 3-4 list them, the footer is rows 6 and 7 */
	bool ok = shows(&win, 6, ft->l1) && shows(&win, 7, ft->l2);
	xr_fb_finish(&win);
	return ok;
}

/* The launcher's window shows @l1 and @l2 in its footer, within @ms. */
static bool launcher_footer(struct e2e_server *s, const char *l1, const char *l2, int ms)
{
	struct footer ft = {s, l1, l2};
	return proc_until(footer_shows, &ft, ms);
}

/* An app that ends before it shows a window: the client and the launcher say why. */
static void test_launcher_says_why_an_app_did_not_start(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], clientlog[160];
	term_app(apps, sizeof(apps), "terminal", "");
	strcat(apps,
	       "broken | b | echo starting; echo 'broken: cannot open /nonexistent/agenda.db: "
	       "no such file or directory' >&2; exit 3\n");
	start(&s, apps);
	pid_t c = e2e_client_spawn(&s, "wait-windows 1\nsync\nkey 2\nwait 60000\n", NULL);
	client_log(&s, clientlog, sizeof(clientlog));
	assert_true(file_has(clientlog, "app broken (pid", T_MS));
	assert_true(file_has(clientlog,
	                     "ended before showing a window, status 3: broken: cannot open "
	                     "/nonexistent/agenda.db: no such file or directory",
	                     1000));
	/* 58 cells a row: the reason wraps onto the second footer row */
	assert_true(launcher_footer(&s,
	                            "broken did not start (status 3): broken: cannot open /none",
	                            "xistent/agenda.db: no such file or directory", T_MS));
	/* every stderr line still reaches the server's log */
	assert_true(file_has(s.log, "broken: cannot open /nonexistent/agenda.db", 1000));
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, 10000), 0);
	e2e_server_stop(&s);
	cleanup_dumps((const char *const[]){"terminal", NULL});
}

/*
 * A script's launch that ends before it shows a window stops the script
 * (status 1): the keys after it were meant for that app, and the launcher
 * must not get them (a Return there would start the terminal).
 */
static void test_script_stops_when_its_app_does_not_start(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], clientlog[160];
	term_app(apps, sizeof(apps), "terminal", "");
	strcat(apps, "broken | b | echo 'broken: no display' >&2; exit 3\n");
	start(&s, apps);
	pid_t c = e2e_client_spawn(
	    &s, "wait-windows 1\nlaunch broken\nwait-idle\ntype hi\nkey Return\nwait-idle\n", NULL);
	assert_int_equal(proc_wait(c, T_MS), 1);
	client_log(&s, clientlog, sizeof(clientlog));
	assert_true(
	    file_has(clientlog, "script stopped: app broken, launched by it, did not start", 1000));
	/* a second client's PING answered: anything the first sent was handled */
	assert_int_equal(proc_wait(e2e_client_spawn(&s, "sync\n", NULL), T_MS), 0);
	assert_false(file_has(s.log, "launched terminal", 50)); /* one read, at least */
	e2e_server_stop(&s);
}

/*
 * A script's launch the server refuses (no app of that name) stops the
 * script with status 1 before its next command: the keys after it were
 * meant for the app, and the window that has the focus (here the
 * launcher, where Return starts the terminal) must not get them.
 */
static void test_script_stops_when_its_launch_is_refused(void **state)
{
	(void)state;
	struct e2e_server s;
	char apps[1024], clientlog[160];
	term_app(apps, sizeof(apps), "terminal", "");
	start(&s, apps);
	pid_t c = e2e_client_spawn(
	    &s, "wait-windows 1\nsync\nlaunch agenda\ntype hi\nkey Return\nwait-idle\n", NULL);
	assert_int_equal(proc_wait(c, T_MS), 1);
	client_log(&s, clientlog, sizeof(clientlog));
	assert_true(file_has(clientlog, "server error: no app named 'agenda'", 1000));
	assert_true(file_has(clientlog,
	                     "script line 3: launch agenda refused: no app named 'agenda': "
	                     "script stopped",
	                     1000));
	/* a second client's PING answered: anything the first sent was handled */
	assert_int_equal(proc_wait(e2e_client_spawn(&s, "sync\n", NULL), T_MS), 0);
	assert_false(file_has(s.log, "launched terminal", 50)); /* one read, at least */
	e2e_server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys_typed_at_once_reach_the_shell),
	    cmocka_unit_test(test_launcher_says_why_an_app_did_not_start),
	    cmocka_unit_test(test_script_stops_when_its_app_does_not_start),
	    cmocka_unit_test(test_script_stops_when_its_launch_is_refused),
	    cmocka_unit_test(test_hold_is_bounded_in_count),
	    cmocka_unit_test(test_hold_is_bounded_in_time),
	};
	return cmocka_run_group_tests_name("launching apps", tests, NULL, NULL);
}
