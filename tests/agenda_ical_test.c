/*
 * agenda_ical_test.c - iCalendar through libical: export then import into a
 * fresh replica gives the same events (all-day, time zones, RRULE, EXDATE,
 * text with commas, semicolons and newlines); a file written by another
 * program imports; re-importing updates instead of duplicating.
 */
#include "agenda_harness.h"

struct world {
	char dir[256];
	struct ag_replica *a, *b;
};

static struct ag_replica *open_replica(struct world *w, const char *name)
{
	char path[300], err[256];
	struct ag_replica *r;
	snprintf(path, sizeof(path), "%s/%s", w->dir, name);
	assert_int_equal(ag_replica_open(path, &r, err, sizeof(err)), 0);
	return r;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/agenda_ical_XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	w->a = open_replica(w, "a.db");
	w->b = open_replica(w, "b.db");
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	ag_replica_close(w->a);
	ag_replica_close(w->b);
	h_rmdir(w->dir);
	free(w);
	return 0;
}

static void add(struct ag_replica *r, struct ag_event ev)
{
	assert_int_equal(ag_event_add(r, &ev), 0);
}

static void test_roundtrip(void **state)
{
	struct world *w = *state;
	char path[300];
	add(w->a,
	    (struct ag_event){
	        .title = "Plain", .start = 1795000000, .end = 1795003600, .location = "Room 1"});
	add(w->a, (struct ag_event){.title = "Holiday",
	                            .start = 1795046400,
	                            .end = 1795046400 + 2 * 86400,
	                            .allday = 1});
	add(w->a, (struct ag_event){.title = "Weekly, sync; with \"quotes\"",
	                            .start = 1795000000,
	                            .end = 1795001800,
	                            .tz = "Europe/Paris",
	                            .notes = "line one\nline two, with; marks",
	                            .rrule = "FREQ=WEEKLY;COUNT=10",
	                            .exdate = "20261125T110640Z"});
	add(w->a, (struct ag_event){.title = "New York",
	                            .start = 1795010000,
	                            .end = 1795013600,
	                            .tz = "America/New_York"});
	snprintf(path, sizeof(path), "%s/out.ics", w->dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ag_export_ics(w->a, f), 0);
	fclose(f);
	int n;
	assert_int_equal(ag_import_ics(w->b, path, &n), 0);
	assert_int_equal(n, 4);
	char *da = h_dump(w->a), *db = h_dump(w->b);
	assert_string_equal(da, db);
	free(db);
	/* importing again updates in place: no duplicates */
	assert_int_equal(ag_import_ics(w->b, path, &n), 0);
	db = h_dump(w->b);
	assert_string_equal(da, db);
	free(da);
	free(db);
	/* expansion agrees on both sides */
	struct ag_occurrence *oa, *ob;
	size_t na, nb;
	assert_int_equal(ag_occurrences(w->a, 1794000000, 1810000000, &oa, &na), 0);
	assert_int_equal(ag_occurrences(w->b, 1794000000, 1810000000, &ob, &nb), 0);
	assert_int_equal(na, nb);
	assert_int_equal(na, 3 + 9);
	for (size_t i = 0; i < na; i++)
		assert_int_equal(oa[i].start, ob[i].start);
	ag_occurrences_free(oa, na);
	ag_occurrences_free(ob, nb);
}

static void test_foreign_file(void **state)
{
	struct world *w = *state;
	char path[300];
	snprintf(path, sizeof(path), "%s/in.ics", w->dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n"
	      "BEGIN:VEVENT\r\nUID:foreign-1@example.com\r\n"
	      "DTSTAMP:20261101T000000Z\r\n"
	      "DTSTART;TZID=Europe/Berlin:20261201T090000\r\n"
	      "DURATION:PT45M\r\nSUMMARY:Dentist\r\n"
	      "RRULE:FREQ=MONTHLY;COUNT=3\r\n"
	      "EXDATE;TZID=Europe/Berlin:20270101T090000\r\n"
	      "END:VEVENT\r\n"
	      "BEGIN:VEVENT\r\nUID:foreign-2@example.com\r\n"
	      "DTSTAMP:20261101T000000Z\r\n"
	      "DTSTART;VALUE=DATE:20261224\r\nSUMMARY:Christmas Eve\r\n"
	      "END:VEVENT\r\nEND:VCALENDAR\r\n",
	      f);
	fclose(f);
	int n;
	assert_int_equal(ag_import_ics(w->a, path, &n), 0);
	assert_int_equal(n, 2);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->a, "foreign-1@example.com", &ev), 0);
	assert_int_equal(ev.start, 1796112000); /* 2026-12-01 08:00 UTC */
	assert_int_equal(ev.end - ev.start, 45 * 60);
	assert_string_equal(ev.tz, "Europe/Berlin");
	ag_event_finish(&ev);
	assert_int_equal(ag_event_get(w->a, "foreign-2", &ev), 0);
	assert_int_equal(ev.allday, 1);
	assert_int_equal(ev.end - ev.start, 86400);
	ag_event_finish(&ev);
	struct ag_occurrence *o;
	size_t no;
	assert_int_equal(ag_occurrences(w->a, 1796000000, 1810000000, &o, &no), 0);
	assert_int_equal(no, 3); /* 2 dentist (January excluded) + Christmas */
	ag_occurrences_free(o, no);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
	};
	alarm(600); /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
