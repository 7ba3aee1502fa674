/*
 * apps_e2e_test.c - the remote apps end to end: xp-term running a real shell
 * (cells and pixels checked), resize, shell exit, the launcher, the app list
 * through the protocol (APP_LIST/APP_ENTRY: many entries, odd characters,
 * none, bad apps files), and the clock's bytes per tick. Real server, real
 * thin-client and launcher processes. The scripts wait on what the apps draw
 * (`wait-pixel`: the block cursor after the prompt, the launcher's
 * background) or on a `sync` with the server, never for a fixed time.
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

#define DESKTOP     0x202428u
#define LAUNCHER_BG 0x2a3340u
#define CURSOR      0xd8d8d8u
/* The session's first window is placed with its frame at the top left. */
#define OX XP_FRAME_BORDER
#define OY XP_FRAME_TITLE
/* Where the block cursor is after "$ " on row @r of a terminal: cell (2, r),
 * 6x13 cells; in the session's first window (PROMPT_), or in a --maximized
 * one, which has the whole screen and no frame (CURSOR_). */
#define CURSOR_X    (2 * 6 + 2)
#define CURSOR_Y(r) ((r)*13 + 6)
#define PROMPT_X    (OX + CURSOR_X)
#define PROMPT_Y(r) (OY + CURSOR_Y(r))
/* A pixel inside the launcher (60x9 cells for three apps, centred across,
 * a third down the 800x600 screen) and outside its text. */
#define LAUNCHER_X 222
#define LAUNCHER_Y 163

/* Start a server whose apps run a plain bash with prompt "$ ". */
static void start(struct e2e_server *s, bool launcher)
{
	char bin[256], cwd[512];
	static char apps_path[128];
	/* the apps file lives next to the test's temporary server directory */
	snprintf(apps_path, sizeof(apps_path), "/tmp/xproto-apps-%d", (int)getpid());
	FILE *f = fopen(apps_path, "w");
	assert_non_null(f);
	e2e_bin("", bin, sizeof(bin));
	const char *dir = bin[0] == '/' ? "" : getcwd(cwd, sizeof(cwd));
	const char *sep = bin[0] == '/' ? "" : "/";
	fprintf(f,
	        "terminal | t | exec env PS1='$ ' %s%s%sxp-term --size 80x24 --dump %s.txt -e bash "
	        "--norc "
	        "--noprofile\n",
	        dir, sep, bin, apps_path);
	fprintf(
	    f,
	    "wide | t | exec env PS1='$ ' %s%s%sxp-term --maximized --dump %s.txt -e bash --norc\n",
	    dir, sep, bin, apps_path);
	fprintf(f, "clock | c | exec %s%s%sxp-clock\n", dir, sep, bin);
	fclose(f);
	const char *args[] = {"--apps", apps_path, launcher ? NULL : "--no-launcher", NULL};
	assert_int_equal(e2e_server_start(s, args), 0);
}

static void stop(struct e2e_server *s)
{
	char path[160];
	e2e_server_stop(s);
	snprintf(path, sizeof(path), "/tmp/xproto-apps-%d", (int)getpid());
	unlink(path);
	snprintf(path, sizeof(path), "/tmp/xproto-apps-%d.txt", (int)getpid());
	unlink(path);
}

/* Ask xp-term for its cells as text; returns the lines in @lines. */
static int term_lines(pid_t pid, char lines[][256], int max)
{
	char path[128];
	snprintf(path, sizeof(path), "/tmp/xproto-apps-%d.txt", (int)getpid());
	unlink(path);
	kill(pid, SIGUSR1);
	/* written aside and renamed by xp-term: once there, it is whole */
	if (!proc_wait_file(path, 30000))
		return -1;
	FILE *f = fopen(path, "r");
	int n = 0;
	while (f && n < max && fgets(lines[n], 256, f)) {
		lines[n][strcspn(lines[n], "\n")] = '\0';
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

static uint32_t pixel(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x] & 0xffffff;
}

/* The glyphs of @text at cell (col, row) of the terminal, in fg on bg. */
static bool shows_text(const struct xr_fb *shot, int col, int row, const char *text)
{
	struct xr_fb want;
	int n = (int)strlen(text);
	xr_fb_init(&want, n * 6, 13);
	xr_text(&want, NULL, 0, 0, text, (size_t)n, 0, 0xd8d8d8, 0x000000, false);
	bool same = true;
	for (int y = 0; y < 13 && same; y++)
		for (int x = 0; x < n * 6 && same; x++)
			same =
			    pixel(shot, OX + col * 6 + x, OY + row * 13 + y) == pixel(&want, x, y);
	xr_fb_finish(&want);
	return same;
}

static void test_terminal_session(void **state)
{
	(void)state;
	struct e2e_server s;
	char script[512], shot[160], lines[64][256];
	start(&s, false);
	snprintf(shot, sizeof(shot), "%s/term.png", s.dir);
	/* the prompt on row 0; after the command, on the last row (23) */
	snprintf(script, sizeof(script),
	         "launch terminal\nwait-pixel %d %d %06x 30000\ntype echo hello; seq 1 100\n"
	         "key Return\nwait-pixel %d %d %06x 30000\nsync\nscreenshot %s\nquit\n",
	         PROMPT_X, PROMPT_Y(0), CURSOR, PROMPT_X, PROMPT_Y(23), CURSOR, shot);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	pid_t term = e2e_launched_pid(&s, "terminal");
	assert_true(term > 0);
	int n = term_lines(term, lines, 64);
	assert_int_equal(n, 24);
	/* 103 lines were printed: the screen shows 78..100 and the prompt */
	assert_string_equal(lines[0], "78");
	assert_string_equal(lines[22], "100");
	assert_string_equal(lines[23], "$");
	struct xr_fb fb;
	assert_int_equal(xr_png_read_file(shot, &fb), 0);
	assert_true(shows_text(&fb, 0, 0, "78"));
	assert_true(shows_text(&fb, 0, 22, "100"));
	assert_int_equal(pixel(&fb, PROMPT_X, PROMPT_Y(23)), CURSOR); /* block cursor */
	assert_int_equal(pixel(&fb, 500, 400), DESKTOP); /* 80x24 = 480x312 and its frame */
	xr_fb_finish(&fb);
	/* and the client's pixels are the server's */
	assert_int_equal(e2e_client_vs_server(&s, 1, OX, OY, 480, 312, 30000), 0);
	stop(&s);
}

static void test_terminal_resize_and_exit(void **state)
{
	(void)state;
	struct e2e_server s;
	char script[512], shot[160], lines[64][256];
	start(&s, false);
	snprintf(shot, sizeof(shot), "%s/after-exit.png", s.dir);
	/* the screen becomes 600x390: 100x30 cells; stty reports the pty size.
	 * The server hands the app the resize before the keys typed after it,
	 * so the pty has its new size when the shell reads "stty size". */
	snprintf(script, sizeof(script),
	         "launch wide\nwait-pixel %d %d %06x 30000\nresize 600 390\ntype stty size\n"
	         "key Return\nwait-pixel %d %d %06x 30000\nquit\n",
	         CURSOR_X, CURSOR_Y(0), CURSOR, CURSOR_X, CURSOR_Y(2), CURSOR);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	pid_t term = e2e_launched_pid(&s, "wide");
	int n = term_lines(term, lines, 64);
	assert_int_equal(n, 30);
	bool found = false;
	for (int i = 0; i < n; i++)
		found |= !strcmp(lines[i], "30 100");
	assert_true(found);
	/* exit closes the window: the screen is the bare desktop again */
	snprintf(script, sizeof(script),
	         "wait-pixel 10 10 !%06x 30000\ntype exit\nkey Return\n"
	         "wait-pixel 10 10 %06x 30000\nsync\nscreenshot %s\nquit\n",
	         DESKTOP, DESKTOP, shot);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	struct xr_fb fb;
	assert_int_equal(xr_png_read_file(shot, &fb), 0);
	assert_int_equal(pixel(&fb, 10, 10), DESKTOP);
	assert_int_equal(pixel(&fb, 300, 200), DESKTOP);
	xr_fb_finish(&fb);
	assert_true(e2e_app_reaped(&s, term, 30000)); /* exited and reaped */
	stop(&s);
}

static bool launcher_visible(const char *png)
{
	struct xr_fb fb;
	int hits = 0;
	if (xr_png_read_file(png, &fb) < 0)
		return false;
	for (int y = 0; y < fb.h; y += 4)
		for (int x = 0; x < fb.w; x += 4)
			hits += pixel(&fb, x, y) == LAUNCHER_BG;
	xr_fb_finish(&fb);
	return hits > 100;
}

static void test_launcher(void **state)
{
	(void)state;
	struct e2e_server s;
	char script[1024], p1[160], p2[160], p3[160], p4[160];
	start(&s, true);
	snprintf(p1, sizeof(p1), "%s/l1.png", s.dir);
	snprintf(p2, sizeof(p2), "%s/l2.png", s.dir);
	snprintf(p3, sizeof(p3), "%s/l3.png", s.dir);
	snprintf(p4, sizeof(p4), "%s/l4.png", s.dir);
	/* empty session: the launcher; Return starts the first app (terminal),
	 * whose prompt shows while the launcher is gone; Ctrl+Shift+L shows the
	 * launcher, Escape hides it; the shell's exit closes the last window */
	snprintf(script, sizeof(script),
	         "wait-pixel %d %d %06x 30000\nscreenshot %s\n"
	         "key Return\nwait-pixel %d %d %06x 30000\nwait-pixel %d %d !%06x 30000\n"
	         "sync\nscreenshot %s\n"
	         "key L ctrl+shift\nwait-pixel %d %d %06x 30000\nsync\nscreenshot %s\n"
	         "key Escape\nwait-pixel %d %d !%06x 30000\n"
	         "type exit\nkey Return\nwait-pixel %d %d %06x 30000\nsync\nscreenshot %s\nquit\n",
	         LAUNCHER_X, LAUNCHER_Y, LAUNCHER_BG, p1, PROMPT_X, PROMPT_Y(0), CURSOR, LAUNCHER_X,
	         LAUNCHER_Y, LAUNCHER_BG, p2, LAUNCHER_X, LAUNCHER_Y, LAUNCHER_BG, p3, LAUNCHER_X,
	         LAUNCHER_Y, LAUNCHER_BG, LAUNCHER_X, LAUNCHER_Y, LAUNCHER_BG, p4);
	static const char *const dbg[] = {"--log", NULL};
	assert_int_equal(e2e_client_run(&s, script, getenv("E2E_LOG") ? dbg : NULL), 0);
	assert_true(launcher_visible(p1));  /* shown in an empty session */
	assert_false(launcher_visible(p2)); /* hidden once the terminal runs */
	assert_true(e2e_launched_pid(&s, "terminal") > 0);
	assert_true(launcher_visible(p3)); /* Ctrl+Shift+L brings it back */
	assert_true(launcher_visible(p4)); /* the last window closed: shown again */
	stop(&s);
}

/* ---- the app list through the protocol ---- */

#define MANY_APPS 64 /* the server's limit */
/* an entry with odd characters: UTF-8, quotes, printf and shell syntax; its
 * description is longer than the server keeps (95 bytes) and is cut there in
 * the middle of a 3-byte character */
#define ODD_NAME "w\xc3\xb6rk-\xc3\x9f \"%s\""
#define ODD_ABOUT                                                                                  \
	"caf\xc3\xa9 \xe2\x80\x94 \xe2\x9c\x93 100% $HOME `x` \\ "                                 \
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "                                                    \
	"\xc2\xbf\xc2\xa1 \xc2\xabquotes\xc2\xbb \xe2\x80\xb9\xe2\x80\xba"                         \
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2" \
	"\x82\xac"                                                                                 \
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"

/* Write an apps file of @n entries, "app00".. with the odd one second; the
 * last one's command exits at once. Returns its path (static). */
static const char *many_apps_file(int n)
{
	static char path[128];
	snprintf(path, sizeof(path), "/tmp/xproto-apps-many-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a comment, then the apps\n\n", f);
	for (int i = 0; i < n; i++) {
		if (i == 1)
			fprintf(f, "%s | %s | exec sleep 30\n", ODD_NAME, ODD_ABOUT);
		else
			fprintf(f, "app%02d | app number %d | exec %s\n", i, i,
			        i == n - 1 ? "true" : "sleep 30");
	}
	fclose(f);
	return path;
}

static void check_many(const struct xa_app_info *apps, size_t n)
{
	assert_int_equal(n, MANY_APPS);
	assert_string_equal(apps[0].name, "app00");
	assert_string_equal(apps[0].about, "app number 0");
	assert_string_equal(apps[1].name, ODD_NAME);
	/* the description: cut at 93 bytes, before the character at byte 95 */
	size_t len = strlen(apps[1].about);
	assert_int_equal(len, 93);
	assert_memory_equal(apps[1].about, ODD_ABOUT, len);
	assert_true(xp_utf8_valid(apps[1].about, len));
	assert_string_equal(apps[MANY_APPS - 1].name, "app63");
}

/* An app asks for the list (APP_LIST) and gets every entry, exact. */
static void test_app_list_to_an_app(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xa_app_info *apps;
	size_t n;
	const char *path = many_apps_file(MANY_APPS);
	const char *args[] = {"--apps", path, "--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	assert_int_equal(xa_app_list(d, &apps, &n, 20000), 0);
	check_many(apps, n);
	free(apps);
	/* twice on one connection: the same list again */
	assert_int_equal(xa_app_list(d, &apps, &n, 20000), 0);
	assert_int_equal(n, MANY_APPS);
	free(apps);
	xa_close(d);
	e2e_server_stop(&s);
	unlink(path);
}

/* No app at all: one entry that says so, and an empty list. */
static void test_app_list_empty(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xa_app_info *apps = (void *)1;
	size_t n = 99;
	char path[128];
	snprintf(path, sizeof(path), "/tmp/xproto-apps-none-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# nothing to launch\n", f);
	fclose(f);
	const char *args[] = {"--apps", path, "--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	assert_int_equal(xa_app_list(d, &apps, &n, 20000), 0);
	assert_int_equal(n, 0);
	assert_null(apps);
	xa_close(d);
	e2e_server_stop(&s);
	unlink(path);
}

/* Run xproto-server on apps file text @text; its exit status and output. */
static int server_on_apps(const char *text, char *out, size_t cap)
{
	char dir[] = "/tmp/xproto-apps-bad-XXXXXX", path[96], bin[256], cmd[1024];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/apps", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "timeout 60 %s --listen 127.0.0.1:0 --app-socket %s/s --cookie %s/c --apps %s "
	         "2>&1",
	         e2e_bin("xproto-server", bin, sizeof(bin)), dir, dir, path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A bad apps file stops the server with the line and the reason. */
static void test_bad_apps_files(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"ok | fine | true\nno pipes here\n", ":2: want 'name | description | command'"},
	    {"a | tab\there | true\n", ":1: name and description must be UTF-8 without control"},
	    {"\xc3 | bad UTF-8 | true\n", ":1: name and description must be UTF-8"},
	    {"x | one | true\nx | two | true\n", ":2: an app of that name is already listed"},
	    {"abcdefghijabcdefghijabcdefghijabc | long | true\n", ":1: name (31 bytes)"},
	};
	char out[4096];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(server_on_apps(bad[i].text, out, sizeof(out)), 1);
		if (!strstr(out, bad[i].why))
			fail_msg("apps file %zu: '%s' does not say '%s'", i, out, bad[i].why);
	}
	/* one app too many */
	char *text = malloc(65 * 32 + 1);
	assert_non_null(text);
	text[0] = '\0';
	for (int i = 0; i < 65; i++)
		snprintf(text + strlen(text), 32, "a%d | x | true\n", i);
	assert_int_equal(server_on_apps(text, out, sizeof(out)), 1);
	assert_non_null(strstr(out, ":65: more than 64 apps"));
	free(text);
}

/* True if launcher window @win shows @text on list row @visible_row, drawn
 * as the selected row (@sel: bold, white on blue) or as the others. */
static bool launcher_row(const struct xr_fb *win, int visible_row, const char *text, bool sel)
{
	struct xr_fb want;
	int cells = 0;
	for (size_t i = 0, n = strlen(text); i < n; cells++) {
		uint32_t cp;
		i += xp_utf8_next(text + i, n - i, &cp);
	}
	xr_fb_init(&want, cells * 6, 13);
	xr_text(&want, NULL, 0, 0, text, strlen(text), sel ? 1 : 0, sel ? 0xffffff : 0xe8e8e8,
	        sel ? 0x4a78b0 : LAUNCHER_BG, false);
	bool same = true;
	for (int y = 0; y < 13 && same; y++)
		for (int x = 0; x < cells * 6 && same; x++)
			same = pixel(win, 6 + x, (visible_row + 3) * 13 + y) == pixel(&want, x, y);
	xr_fb_finish(&want);
	return same;
}

/* Dump the server's windows until the launcher's (window 1 of "main")
 * shows @text on @row, selected or not (@sel), bounded: 30 s. */
static bool launcher_shows(struct e2e_server *s, int row, const char *text, bool sel)
{
	uint64_t end = xp_now_us() + 30000000u;
	while (xp_now_us() < end) {
		struct xr_fb win;
		if (e2e_server_dump(s) < 0 || e2e_server_window(s, "main", 1, &win) < 0)
			continue;
		bool ok = win.h == (12 + 7 + 10) * 13 && launcher_row(&win, row, text, sel);
		xr_fb_finish(&win);
		if (ok)
			return true;
	}
	return false;
}

static bool app63_launched(void *arg)
{
	return e2e_launched_pid(arg, "app63") > 0;
}

/* The real launcher: 64 entries arrive through the protocol, the odd one is
 * drawn as it is, the list scrolls, and the last entry can be started. */
static void test_launcher_many_odd_entries(void **state)
{
	(void)state;
	struct e2e_server s;
	const char *path = many_apps_file(MANY_APPS);
	const char *args[] = {"--apps", path, NULL};
	assert_int_equal(e2e_server_start(&s, args), 0);
	/* a client attaches: the launcher starts, asks for the list, draws 12
	 * rows of 64 (the window is 12 + 7 rows high, and 10 for the window
	 * list), and stays */
	assert_int_equal(e2e_client_run(&s, "sync\nquit\n", NULL), 0);
	assert_true(
	    launcher_shows(&s, 1,
	                   " 2  " ODD_NAME "  caf\xc3\xa9 \xe2\x80\x94 \xe2\x9c\x93 100% "
	                   "$HOME `x` \\ \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xc2\xbf\xc2\xa1 "
	                   "\xc2\xabquot\xe2\x80\xa6", /* cut: its last cell is an ellipsis */
	                   false));
	assert_true(launcher_shows(&s, 0, " 1  app00        app number 0", true));
	assert_true(launcher_shows(&s, 2, " 3  app02        app number 2", false));
	assert_true(launcher_shows(&s, 11, "    app11        app number 11", false));
	/* End scrolls to the last entry; Return starts it (the server has the
	 * keys once it answers the sync; the launcher asks for the app after) */
	assert_int_equal(e2e_client_run(&s, "key End\nkey Return\nsync\nquit\n", NULL), 0);
	assert_true(proc_until(app63_launched, &s, 30000));
	assert_true(launcher_shows(&s, 0, "    app52        app number 52", false));
	assert_true(launcher_shows(&s, 11, "    app63        app number 63", true));
	e2e_server_stop(&s);
	unlink(path);
}

/* The clock's bytes per tick on the wire, both directions. */
static void test_clock_bytes_per_tick(void **state)
{
	(void)state;
	struct e2e_server s;
	struct xp_conn c;
	struct xp_msg m;
	start(&s, false);
	assert_int_equal(e2e_raw_client(&s, &c, "main", NULL, 0), 0);
	struct xp_msg l = {.op = XP_OP_APP_LAUNCH};
	l.u.app_launch.app = xp_str_from("clock");
	xp_conn_send(&c, &l);
	xp_conn_drain(&c, 10000);
	uint64_t start_us = xp_now_us(), in0 = 0, out0 = 0;
	int ticks = -1;
	/* until 6 ticks after the first (about 7 s), at most 60 s */
	while (ticks < 6 && xp_now_us() - start_us < 60000000) {
		int r = xp_conn_wait(&c, &m, 100);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		if (m.op == XP_OP_MARK) {
			struct xp_msg a = {.op = XP_OP_ACK};
			a.u.ack.serial = m.u.mark.serial;
			xp_conn_send(&c, &a);
			xp_conn_drain(&c, 10000);
		}
		/* count from the second tick on: the first draws the whole window */
		if (m.op == XP_OP_TEXT && ++ticks == 1) {
			in0 = xp_conn_stats(&c)->wire_in;
			out0 = xp_conn_stats(&c)->wire_out;
		}
	}
	assert_int_equal(ticks, 6);
	const struct xp_conn_stats *st = xp_conn_stats(&c);
	double per_tick = (double)(st->wire_in - in0 + st->wire_out - out0) / (ticks - 1);
	printf("    clock: %d ticks, %.1f bytes per tick on the wire (both directions)\n",
	       ticks - 1, per_tick);
	assert_true(per_tick <= 40.0);
	xp_conn_finish(&c);
	stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_terminal_session),
	    cmocka_unit_test(test_terminal_resize_and_exit),
	    cmocka_unit_test(test_launcher),
	    cmocka_unit_test(test_app_list_to_an_app),
	    cmocka_unit_test(test_app_list_empty),
	    cmocka_unit_test(test_bad_apps_files),
	    cmocka_unit_test(test_launcher_many_odd_entries),
	    cmocka_unit_test(test_clock_bytes_per_tick),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("remote apps end to end", tests, NULL, NULL);
}
