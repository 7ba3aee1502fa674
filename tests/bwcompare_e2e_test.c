/*
 * bwcompare_e2e_test.c - the tiny workload (bench/bwcompare/workloads/tiny)
 * through both models end to end with the real programs: `bwcompare` must
 * succeed, both models must leave the same events in agendad (and the ones
 * the script typed), every step must be reported for both models, and the
 * relay must have counted exactly the bytes the thin client put on the
 * wire in model (b). Bounded by `timeout`; loopback only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define RUN_B "/runs/b-rtt20-bw10-1"
#define RUN_A "/runs/a-rtt20-bw10-1"

static char out[64];

static const char *bin(void)
{
	const char *b = getenv("XP_BIN");
	return b && *b ? b : "build/bin";
}

/* Reads the file OUT/NAME into one of 4 static buffers, used in turn
 * (NULL if absent), so a failing assertion leaks nothing. */
static char *slurp(const char *name)
{
	static char bufs[4][1 << 18];
	static int next;
	char path[256], *s = bufs[next++ % 4];
	snprintf(path, sizeof(path), "%s%s", out, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(s, 1, sizeof(bufs[0]) - 1, f);
	fclose(f);
	s[n] = '\0';
	return s;
}

static int setup(void **state)
{
	char cmd[1024];
	snprintf(out, sizeof(out), "/tmp/bwc_e2e_test_XXXXXX");
	if (!mkdtemp(out))
		return -1;
	snprintf(cmd, sizeof(cmd),
	         "timeout 240 sh %s/bwcompare --bin %s --workload bench/bwcompare/workloads/tiny "
	         "--rtt 20 --bw 10 --runs 1 --no-chart --sync-every 0 --out %s > %s/stdout 2>&1",
	         bin(), bin(), out, out);
	int rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/stdout", out);
		if (system(cmd) != 0)
			fprintf(stderr, "bwcompare failed (%d)\n", rc);
	}
	*state = (void *)(intptr_t)rc;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_runs(void **state)
{
	assert_int_equal((int)(intptr_t)*state, 0);
}

static void test_same_store(void **state)
{
	char *b = slurp(RUN_B "/store.txt"), *a = slurp(RUN_A "/store.txt");
	assert_non_null(b);
	assert_non_null(a);
	assert_true(strlen(b) > 1000); /* the 200 seeded events */
	assert_string_equal(a, b);
	int lines = 0;
	for (const char *p = b; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 200 + 2 - 1); /* seeded, added, deleted */
	assert_non_null(strstr(b, "(edited)\n"));
}

static void test_every_step_reported(void **state)
{
	static const char *const steps[] = {"open", "create", "edit", "delete"};
	char *csv = slurp("/results.csv"), row[64];
	assert_non_null(csv);
	for (int m = 0; m < 2; m++)
		for (int s = 0; s < 4; s++) {
			snprintf(row, sizeof(row), "\n%s,20,10,%s,1,", m ? "a" : "b", steps[s]);
			assert_non_null(strstr(csv, row));
		}
	char *json = slurp("/results.json"), *table = slurp("/table.txt");
	assert_non_null(json);
	assert_non_null(strstr(json, "\"model\": \"a\""));
	assert_non_null(table);
	assert_non_null(strstr(table, "RTT 20 ms, 10 Mbit/s"));
}

/* (b): the relay's totals are the thin client's wire bytes: exactly what it
 * sent; what it received, plus at most a few bytes the server sent after
 * the client stopped reading (quit). */
static void test_relay_matches_thin_client(void **state)
{
	char *totals = slurp(RUN_B "/relay.totals"), *log = slurp(RUN_B "/10-tiny.log");
	unsigned long long up, down, in, outb;
	assert_non_null(totals);
	assert_non_null(log);
	assert_int_equal(sscanf(totals, "up %llu down %llu", &up, &down), 2);
	const char *w = strstr(log, "wire bytes");
	assert_non_null(w);
	assert_int_equal(sscanf(w, "wire bytes in %llu out %llu", &in, &outb), 2);
	assert_int_equal(up, outb);
	assert_in_range(down, in, in + 64);
	assert_true(up > 0 && down > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runs),
	    cmocka_unit_test(test_same_store),
	    cmocka_unit_test(test_every_step_reported),
	    cmocka_unit_test(test_relay_matches_thin_client),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
