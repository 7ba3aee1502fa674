/*
 * agenda_cli_test.c - the `agenda` and `agendad` programs as a user runs
 * them: adduser prints a token, init/add/edit/ls/show/rm/sync/conflicts/
 * resolve/export/import work and --json output parses as the expected
 * objects. `agenda ls` shows local time, so the test sets TZ itself (the
 * host's zone must not matter) and checks one listing from another zone.
 */
#include "agenda_harness.h"

static char out[65536];

/* Runs "agenda --db DIR/NAME ARGS" (or agendad when NAME is NULL); returns
 * the exit status, output in OUT. */
static int run(struct harness *h, const char *name, const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (name)
		snprintf(cmd, sizeof(cmd), "%s/agenda --db %s/%s %s 2>&1", h_bin(), h->dir, name,
		         args);
	else
		snprintf(cmd, sizeof(cmd), "%s/agendad %s 2>&1", h_bin(), args);
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
	h_teardown(*state);
	free(*state);
	return 0;
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
	assert_int_equal(run(h, "a.db",
	                     "init --server 127.0.0.1:%d --user ann "
	                     "--token %s --agenda team",
	                     h->port, tok),
	                 0);
	assert_int_equal(run(h, "b.db",
	                     "init --server 127.0.0.1:%d --user ann "
	                     "--token %s --agenda team",
	                     h->port, tok),
	                 0);
	assert_int_equal(run(h, "a.db",
	                     "add 'Yoga' --start '2026-11-23 18:00' "
	                     "--minutes 90 --rrule 'FREQ=WEEKLY;COUNT=3' "
	                     "--location Gym --tz Europe/Paris"),
	                 0);
	assert_int_equal(sscanf(out, "%63s", uid), 1);
	assert_int_equal(run(h, "a.db", "--json ls month 2026-11-01"), 0);
	assert_non_null(strstr(out, "\"title\":\"Yoga\""));
	assert_int_equal(run(h, "a.db", "ls month 2026-12-01"), 0);
	assert_non_null(strstr(out, "Mon 2026-12-07  18:00-19:30  Yoga"));
	/* the same occurrences seen from Auckland: the next morning, and the
	 * one of Monday 30 November evening falls on 1 December */
	setenv("TZ", "Pacific/Auckland", 1);
	assert_int_equal(run(h, "a.db", "ls month 2026-12-01"), 0);
	setenv("TZ", "Europe/Paris", 1);
	assert_non_null(strstr(out, "Tue 2026-12-01  06:00-07:30  Yoga"));
	assert_non_null(strstr(out, "Tue 2026-12-08  06:00-07:30  Yoga"));
	assert_int_equal(run(h, "a.db", "add Holiday --start 2026-12-24 --allday"), 0);
	assert_int_equal(run(h, "a.db", "--json sync"), 0);
	assert_non_null(strstr(out, "\"pushed\":2"));
	assert_int_equal(run(h, "b.db", "sync"), 0);
	assert_int_equal(run(h, "b.db", "edit %.8s --title 'Yoga (B)'", uid), 0);
	assert_int_equal(run(h, "a.db", "edit %.8s --title 'Yoga (A)'", uid), 0);
	assert_int_equal(run(h, "b.db", "sync"), 0);
	assert_int_equal(run(h, "a.db", "sync"), 0);
	assert_int_equal(run(h, "a.db", "--json conflicts"), 0);
	assert_non_null(strstr(out, "\"field\":\"title\""));
	assert_int_equal(run(h, "a.db", "resolve 1 --keep"), 0);
	assert_int_equal(run(h, "a.db", "conflicts"), 0);
	assert_non_null(strstr(out, "no conflicts"));
	assert_int_equal(run(h, "a.db", "show %s", uid), 0);
	assert_non_null(strstr(out, "Yoga (A)"));
	assert_int_equal(run(h, "a.db", "export %s/x.ics", h->dir), 0);
	assert_int_equal(run(h, "c.db", "import %s/x.ics", h->dir), 0);
	assert_non_null(strstr(out, "imported 2"));
	assert_int_equal(run(h, "a.db", "rm %s", uid), 0);
	assert_int_equal(run(h, "a.db", "show %s", uid), 1);
	assert_int_equal(run(h, "a.db", "add x --start notadate"), 1);
	assert_int_equal(run(h, "a.db", "frobnicate"), 2);
	assert_int_equal(run(h, "a.db", "status"), 0);
	assert_non_null(strstr(out, "pending  2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	};
	setenv("TZ", "Europe/Paris", 1); /* the zone of the events below */
	alarm(600);                      /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
