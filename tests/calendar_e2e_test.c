/*
 * calendar_e2e_test.c - xp-calendar under a real xproto-server, driven by a
 * headless thin client: events typed in the UI land in the replica (read
 * back with the agenda CLI), edits and deletes too, and the client's pixels
 * are the server's. The keys go once the window is up; the app handles
 * them in order, so the test waits for the replica to show the result,
 * not for a fixed time.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(f,
	        "calendar | c | exec env TZ=UTC %s%s%sxp-calendar --db %s --today 2026-11-21 "
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

/* The replica holds the end result: the first event (09:00 lunch, edited
 * to Bob) stays; the review is deleted. */
static bool final_list(const char *list)
{
	return strstr(list, "2026-11-23  09:00-10:00  Lunch with Bob") &&
	       !strstr(list, "Design review") && !strstr(list, "Lunch with Ana");
}

static bool replica_done(void *arg)
{
	agenda_ls(arg, 4096);
	return final_list(arg);
}

static void test_add_edit_delete(void **state)
{
	(void)state;
	struct e2e_server s;
	char list[4096];
	start(&s);
	/* Saturday 21st: two days on is Monday 23rd */
	assert_int_equal(e2e_client_run(&s,
	                                "launch calendar\nwait-windows 1 30000\n"
	                                "key Right\nkey Right\nkey a\n"
	                                "type 14:30 Design review\nkey Return\n"
	                                "key a\ntype Lunch with Ana\nkey Return\n"
	                                "key e\nkey BackSpace\nkey BackSpace\nkey BackSpace\n"
	                                "type Bob\nkey Return\n"
	                                "key Tab\nkey d\nkey y\nsync\nquit\n",
	                                NULL),
	                 0);
	bool done = proc_until(replica_done, list, 30000);
	printf("%s", list);
	assert_true(done);
	/* and once the app is idle, a client's pixels are the server's */
	struct xr_fb srv;
	assert_int_equal(e2e_server_dump(&s), 0);
	assert_int_equal(e2e_server_window(&s, "main", 1, &srv), 0);
	assert_int_equal(e2e_client_vs_server(&s, 1, srv.w, srv.h, 30000), 0);
	xr_fb_finish(&srv);
	stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_edit_delete),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("xp-calendar end to end", tests, NULL, NULL);
}
