/*
 * agenda_ical_test.c - real calendars through libical and the replica:
 * import -> export keeps every property (ATTENDEE, ORGANIZER, VALARM,
 * CATEGORIES, URL, STATUS, SEQUENCE, X-), several VCALENDARs and bare
 * VEVENTs in one file, RDATE, RECURRENCE-ID overrides, long UIDs, tasks
 * reported not dropped; time zones by IANA name, Windows name (CLDR) and
 * VTIMEZONE, floating times and all-day dates in the viewer's zone, UNTIL
 * in UTC east of Greenwich, and an export other programs read right (a
 * TZID time has no Z). Every test sets the zone it needs ($TZ). An import
 * killed (-9) midway leaves a consistent replica that a new import
 * completes.
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

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/agenda_ical_XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	w->a = open_replica(w, "a.db");
	w->b = open_replica(w, "b.db");
	set_tz("UTC");
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

/* Writes TEXT (LF line ends become CRLF) to DIR/NAME; path into OUT. */
static void write_ics(struct world *w, const char *name, const char *text, char *out)
{
	snprintf(out, 300, "%s/%s", w->dir, name);
	FILE *f = fopen(out, "w");
	assert_non_null(f);
	for (const char *p = text; *p; p++)
		fputs(*p == '\n' ? "\r\n" : (char[]){*p, 0}, f);
	fclose(f);
}

static char *export_text(struct ag_replica *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(ag_export_ics(r, f), 0);
	fclose(f);
	return buf;
}

static const char rich[] =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\n"
    "X-WR-CALNAME:Team\nBEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20261201T090000\n"
    "DTEND;TZID=Europe/Berlin:20261201T100000\nRRULE:FREQ=WEEKLY;COUNT=5\n"
    "RDATE;TZID=Europe/Berlin:20261203T150000\n"
    "EXDATE;TZID=Europe/Berlin:20261208T090000,20261215T090000\n"
    "UID:rich-1@example.com\nSUMMARY:Design\\, review\nLOCATION:Room 4\n"
    "ORGANIZER;CN=Ann:mailto:ann@example.com\n"
    "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\n"
    "ATTENDEE;CN=Cy;PARTSTAT=NEEDS-ACTION:mailto:cy@example.com\n"
    "CATEGORIES:Work,Review\nURL:https://example.com/r\nSTATUS:CONFIRMED\nSEQUENCE:3\n"
    "X-GOOGLE-CONFERENCE:https://meet.example.com/abc\nCOMMENT:first\nCOMMENT:second\n"
    "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:soon\nTRIGGER:-PT10M\nEND:VALARM\n"
    "END:VEVENT\nBEGIN:VEVENT\nUID:rich-1@example.com\n"
    "RECURRENCE-ID;TZID=Europe/Berlin:20261222T090000\n"
    "DTSTART;TZID=Europe/Berlin:20261222T140000\nDTEND;TZID=Europe/Berlin:20261222T150000\n"
    "SUMMARY:Design review (moved)\nEND:VEVENT\nBEGIN:VTODO\nUID:task-1\nSUMMARY:a task\n"
    "END:VTODO\nEND:VCALENDAR\n";

static void test_keeps_everything(void **state)
{
	struct world *w = *state;
	char path[300];
	struct ag_import_stats st;
	write_ics(w, "rich.ics", rich, path);
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.tasks, 1); /* reported, not dropped silently */
	char *out = export_text(w->a);
	const char *must[] = {"ORGANIZER;CN=Ann:mailto:ann@example.com",
	                      "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com",
	                      "ATTENDEE;CN=Cy;PARTSTAT=NEEDS-ACTION:mailto:cy@example.com",
	                      "CATEGORIES:Work",
	                      "CATEGORIES:Review",
	                      "URL:https://example.com/r",
	                      "STATUS:CONFIRMED",
	                      "SEQUENCE:3",
	                      "X-GOOGLE-CONFERENCE:https://meet.example.com/abc",
	                      "COMMENT:first",
	                      "COMMENT:second",
	                      "BEGIN:VALARM",
	                      "TRIGGER:-PT10M",
	                      "RECURRENCE-ID;TZID=Europe/Berlin:20261222T090000",
	                      "SUMMARY:Design review (moved)",
	                      "RDATE;TZID=Europe/Berlin:20261203T150000",
	                      "EXDATE;TZID=Europe/Berlin:20261215T090000",
	                      "DTSTART;TZID=Europe/Berlin:20261201T090000\r\n",
	                      "SUMMARY:Design\\, review"};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(out, must[i]))
			fail_msg("export lost '%s':\n%s", must[i], out);
	assert_null(strstr(out, "T090000Z")); /* a TZID time never has a Z */
	/* the export imports to the same registers elsewhere */
	char again[300];
	snprintf(again, sizeof(again), "%s/again.ics", w->dir);
	FILE *f = fopen(again, "w");
	fputs(out, f);
	fclose(f);
	assert_int_equal(ag_import_ics(w->b, again, &st), 0);
	char *da = h_dump(w->a), *db = h_dump(w->b);
	assert_string_equal(da, db);
	free(da);
	free(db);
	free(out);
	/* occurrences: Dec 1 09:00, Dec 3 15:00 (RDATE), Dec 22 14:00 (moved),
	 * Dec 29 09:00; Dec 8 and 15 excluded. Berlin is UTC+1 in winter. */
	struct ag_occurrence *o;
	size_t n;
	assert_int_equal(ag_occurrences(w->a, 1795000000, 1800000000, &o, &n), 0);
	int64_t want[] = {1796112000, 1796306400, 1797944400, 1798531200};
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(o[i].start, want[i]);
	assert_string_equal(o[2].ev.title, "Design review (moved)");
	ag_occurrences_free(o, n);
}

static void test_several_calendars_and_bare_events(void **state)
{
	struct world *w = *state;
	char path[300], uid[1100];
	memset(uid, 'u', 1000);
	uid[1000] = 0;
	char text[4000];
	snprintf(text, sizeof(text),
	         "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:one\nDTSTART:20261201T090000Z\nSUMMARY:1\n"
	         "END:VEVENT\nEND:VCALENDAR\nBEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:two\n"
	         "DTSTART:20261202T090000Z\nSUMMARY:2\nEND:VEVENT\nBEGIN:VJOURNAL\nUID:j\n"
	         "END:VJOURNAL\nEND:VCALENDAR\nBEGIN:VEVENT\nUID:%sA\nDTSTART:20261203T090000Z\n"
	         "SUMMARY:long uid A\nEND:VEVENT\nBEGIN:VEVENT\nUID:%sB\n"
	         "DTSTART:20261203T090000Z\nSUMMARY:long uid B\nEND:VEVENT\n",
	         uid, uid);
	write_ics(w, "multi.ics", text, path);
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	assert_int_equal(st.added, 4); /* the two long UIDs do not collide */
	assert_int_equal(st.journals, 1);
	assert_int_equal(h_count(w->a), 4);
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	assert_int_equal(st.unchanged, 4); /* importing again duplicates nothing */
	write_ics(w, "empty.ics", "BEGIN:VCALENDAR\nEND:VCALENDAR\n", path);
	assert_int_equal(ag_import_ics(w->a, path, &st), -1); /* not silently 0 */
}

static const char outlook[] =
    "BEGIN:VCALENDAR\nPRODID:Microsoft Exchange Server 2010\nVERSION:2.0\n"
    "BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\nBEGIN:STANDARD\n"
    "DTSTART:16010101T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\nBEGIN:DAYLIGHT\n"
    "DTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
    "BEGIN:VTIMEZONE\nTZID:Customland\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
    "TZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE\n"
    "BEGIN:VEVENT\nUID:win-1\nSUMMARY:weekly in Windows zone\n"
    "DTSTART;TZID=W. Europe Standard Time:20270301T090000\n"
    "DTEND;TZID=W. Europe Standard Time:20270301T093000\nRRULE:FREQ=WEEKLY;COUNT=6\n"
    "END:VEVENT\nBEGIN:VEVENT\nUID:custom-1\nSUMMARY:custom zone\n"
    "DTSTART;TZID=Customland:20270301T100000\nEND:VEVENT\nEND:VCALENDAR\n";

static void test_windows_and_custom_zones(void **state)
{
	struct world *w = *state;
	char path[300];
	write_ics(w, "outlook.ics", outlook, path);
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	assert_int_equal(st.unknown_tz, 0);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->a, "win-1", false, &ev), 0);
	assert_string_equal(ev.tz, "Europe/Berlin"); /* CLDR windowsZones.xml */
	ag_event_finish(&ev);
	struct ag_occurrence *o;
	size_t n;
	assert_int_equal(ag_occurrences(w->a, 1803600000, 1807000000, &o, &n), 0);
	/* 09:00 Berlin stays 09:00 across the DST change of 2027-03-28 */
	assert_int_equal(n, 7);
	assert_int_equal(o[0].start, 1803875400); /* custom +05:30: Mar 1 04:30 UTC */
	assert_int_equal(o[1].start, 1803888000); /* Mar 1 09:00 Berlin, 08:00 UTC */
	assert_int_equal(o[6].start, 1806908400); /* Apr 5 09:00 Berlin, 07:00 UTC */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(o[i].ev.uid, "win-1"))
			continue;
		struct tm tm;
		time_t t = (time_t)o[i].start;
		set_tz("Europe/Berlin");
		localtime_r(&t, &tm);
		set_tz("UTC");
		assert_int_equal(tm.tm_hour, 9);
	}
	ag_occurrences_free(o, n);
}

static void test_floating_and_all_day(void **state)
{
	struct world *w = *state;
	char path[300];
	write_ics(w, "f.ics",
	          "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:float\nDTSTART:20261201T090000\n"
	          "SUMMARY:floating\nEND:VEVENT\nBEGIN:VEVENT\nUID:day\n"
	          "DTSTART;VALUE=DATE:20261224\nSUMMARY:holiday\nEND:VEVENT\nEND:VCALENDAR\n",
	          path);
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	const char *zones[] = {"UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"};
	for (int z = 0; z < 4; z++) {
		set_tz(zones[z]);
		struct ag_occurrence *o;
		size_t n;
		assert_int_equal(ag_occurrences(w->a, 1795000000, 1800000000, &o, &n), 0);
		assert_int_equal(n, 2);
		struct tm tm;
		time_t t = (time_t)o[0].start;
		localtime_r(&t, &tm); /* floating: 09:00 wherever the viewer is */
		assert_int_equal(tm.tm_hour, 9);
		assert_true(o[1].ev.allday);
		t = (time_t)o[1].start;
		localtime_r(&t, &tm); /* the date, in the viewer's zone: one day */
		assert_int_equal(tm.tm_mday, 24);
		assert_int_equal(tm.tm_hour, 0);
		assert_int_equal(o[1].end - o[1].start, 86400);
		ag_occurrences_free(o, n);
	}
	set_tz("UTC");
}

static void test_until_east_of_greenwich(void **state)
{
	struct world *w = *state;
	char path[300];
	/* 10:00 in Tokyo is 01:00 UTC; UNTIL is the last one's UTC instant */
	write_ics(w, "u.ics",
	          "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:tokyo\n"
	          "DTSTART;TZID=Asia/Tokyo:20261201T100000\n"
	          "RRULE:FREQ=DAILY;UNTIL=20261203T010000Z\nSUMMARY:daily\nEND:VEVENT\n"
	          "END:VCALENDAR\n",
	          path);
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	struct ag_occurrence *o;
	size_t n;
	assert_int_equal(ag_occurrences(w->a, 1795000000, 1800000000, &o, &n), 0);
	assert_int_equal(n, 3); /* Dec 1, 2 and 3: the last is not dropped */
	assert_int_equal(o[2].start, 1796259600);
	ag_occurrences_free(o, n);
}

/* Occurrences far from the start: a MINUTELY event still has every one of
 * a day 11 months later, and an HOURLY one 16 years later, in Berlin (DST
 * both ways). Before, expansion counted from DTSTART and stopped at
 * 100,000 instances: both silently vanished after 70 days and 11.4
 * years. */
static void test_far_from_the_start(void **state)
{
	struct world *w = *state;
	char path[300];
	write_ics(w, "far.ics",
	          "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:minutely\n"
	          "DTSTART;TZID=Europe/Berlin:20260101T090000\n"
	          "DTEND;TZID=Europe/Berlin:20260101T090000\n"
	          "RRULE:FREQ=MINUTELY\nSUMMARY:m\nEND:VEVENT\n"
	          "BEGIN:VEVENT\nUID:hourly\nDTSTART;TZID=Europe/Berlin:20100101T093000\n"
	          "DTEND;TZID=Europe/Berlin:20100101T093000\n"
	          "RRULE:FREQ=HOURLY;INTERVAL=2\nSUMMARY:h\nEND:VEVENT\nEND:VCALENDAR\n",
	          path);
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(w->a, path, &st), 0);
	/* 2026-12-20 00:00 to 2026-12-21 00:00 in Berlin (UTC+1) */
	int64_t day = 1797721200;
	struct ag_occurrence *o;
	size_t n, m = 0, h = 0;
	assert_int_equal(ag_occurrences(w->a, day, day + 86400, &o, &n), 0);
	for (size_t i = 0; i < n; i++) {
		m += !strcmp(o[i].ev.uid, "minutely");
		h += !strcmp(o[i].ev.uid, "hourly");
	}
	ag_occurrences_free(o, n);
	assert_int_equal(m, 1440);
	assert_int_equal(h, 12);
	/* 2026-07-01 in Berlin (UTC+2): the hourly one at 01:30, 03:30, ... wall time */
	day = 1782856800;
	assert_int_equal(ag_occurrences(w->a, day, day + 86400, &o, &n), 0);
	for (size_t i = 0, k = 0; i < n; i++)
		if (!strcmp(o[i].ev.uid, "hourly"))
			assert_int_equal(o[i].start, day + 5400 + 7200 * (int64_t)k++);
	ag_occurrences_free(o, n);
}

static void test_add_defaults_to_user_zone(void **state)
{
	struct world *w = *state;
	set_tz("America/New_York");
	struct ag_when start;
	char err[100], *uid;
	assert_int_equal(ag_parse_when("2026-11-02 09:00", &start, err, sizeof(err)), 0);
	const char *rule = "FREQ=WEEKLY;COUNT=3";
	struct ag_edit e = {
	    .title = "standup", .start = &start, .duration = 900, .rrule = rule, .allday = -1};
	assert_int_equal(ag_event_add(w->a, &e, &uid), 0);
	struct ag_event ev;
	assert_int_equal(ag_event_get(w->a, uid, false, &ev), 0);
	assert_string_equal(ev.tz, "America/New_York");
	ag_event_finish(&ev);
	/* 09:00 before (EDT, Oct 26) and after (EST) the change of Nov 1 */
	struct ag_occurrence *o;
	size_t n;
	assert_int_equal(ag_occurrences(w->a, 1793000000, 1796000000, &o, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		struct tm tm;
		time_t t = (time_t)o[i].start;
		localtime_r(&t, &tm);
		assert_int_equal(tm.tm_hour, 9);
	}
	ag_occurrences_free(o, n);
	free(uid);
	set_tz("UTC");
}

static void test_bad_input_refused(void **state)
{
	struct world *w = *state;
	struct ag_when t;
	char err[200];
	int64_t m;
	assert_int_equal(ag_parse_when("2026-02-30 25:61", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "February 2026 has 28 days"));
	assert_int_equal(ag_parse_when("2026-02-28 25:00", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "hour 25"));
	assert_int_equal(ag_parse_when("2026-99-99", &t, err, sizeof(err)), -1);
	assert_int_equal(ag_parse_when("2026-12-01 09:60", &t, err, sizeof(err)), -1);
	assert_int_equal(ag_parse_when("2028-02-29", &t, err, sizeof(err)), 0);
	assert_int_equal(ag_parse_minutes("abc", &m, err, sizeof(err)), -1);
	assert_int_equal(ag_parse_minutes("-30", &m, err, sizeof(err)), -1);
	assert_int_equal(ag_parse_minutes("", &m, err, sizeof(err)), -1);
	assert_int_equal(ag_parse_minutes("90", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 90);
	char *uid;
	assert_int_equal(ag_parse_when("2026-12-01 09:00", &t, err, sizeof(err)), 0);
	struct ag_edit bad_rule = {
	    .title = "x", .start = &t, .rrule = "FREQ=SOMETIMES", .allday = -1};
	assert_int_equal(ag_event_add(w->a, &bad_rule, &uid), -1);
	struct ag_edit bad_zone = {.title = "x", .start = &t, .tz = "Mars/Olympus", .allday = -1};
	assert_int_equal(ag_event_add(w->a, &bad_zone, &uid), -1);
	const char *ex[] = {"2026-13-01"};
	struct ag_edit bad_ex = {
	    .title = "x", .start = &t, .exdate_add = ex, .n_exdate_add = 1, .allday = -1};
	assert_int_equal(ag_event_add(w->a, &bad_ex, &uid), -1);
	assert_int_equal(h_count(w->a), 0);
}

/* One integer from SQL on DB (-1 on error). */
static int64_t sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every listed event has registers and a queued change with entries, and
 * nothing else is there: what a whole number of imported events leaves. */
static int64_t check_consistent(const char *path)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	int64_t n = sql_int(db, "SELECT count(*) FROM events");
	assert_int_equal(sql_int(db, "SELECT count(*) FROM pending"), n);
	assert_int_equal(sql_int(db, "SELECT count(DISTINCT uid) FROM entries"), n);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM events v WHERE NOT EXISTS (SELECT 1 FROM"
	                             " pending p WHERE p.uid=v.uid)"),
	                 0);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM pending p WHERE (SELECT count(*) FROM"
	                             " pending_entries e WHERE e.pid=p.id) != (SELECT count(*) FROM"
	                             " entries e WHERE e.uid=p.uid)"),
	                 0);
	sqlite3_close(db);
	return n;
}

/* Writes N events to PATH. */
static void write_many(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", f);
	for (int i = 0; i < n; i++)
		fprintf(f,
		        "BEGIN:VEVENT\r\nUID:k%d@example.com\r\nDTSTART:20260301T%02d0000Z\r\n"
		        "SUMMARY:Event %d\r\nLOCATION:Room %d\r\nEND:VEVENT\r\n",
		        i, i % 24, i, i % 40);
	fputs("END:VCALENDAR\r\n", f);
	assert_int_equal(fclose(f), 0);
}

/* Imports ICS into DB in a child killed (-9) once its first transaction
 * is committed (a reader sees events). True when it was still importing. */
/* proc_until() condition: the replica at ARG (a path) has an event */
static bool has_events(void *arg)
{
	sqlite3 *rd;
	int64_t seen = 0;
	if (sqlite3_open_v2(arg, &rd, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
		seen = sql_int(rd, "SELECT count(*) FROM events");
	sqlite3_close(rd);
	return seen > 0;
}

/* Imports ICS into DB in a child and kills it (-9) once its first commit
 * shows: true when the kill stopped the import (it had not yet exited). */
static bool import_and_kill(const char *ics, const char *db)
{
	pid_t kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		struct ag_replica *r;
		char err[256];
		_exit(ag_replica_open(db, &r, err, sizeof(err)) || ag_import_ics(r, ics, NULL) ? 1
		                                                                               : 0);
	}
	bool seen = proc_until(has_events, (void *)db, 120000);
	kill(kid, SIGKILL);
	int status;
	assert_int_equal(waitpid(kid, &status, 0), kid);
	assert_true(seen);
	return WIFSIGNALED(status);
}

static void test_import_killed_midway(void **state)
{
	struct world *w = *state;
	char ics[300], db[300];
	int n = 30000;
	bool killed = false;
	snprintf(ics, sizeof(ics), "%s/big.ics", w->dir);
	snprintf(db, sizeof(db), "%s/killed.db", w->dir);
	/* a file large enough that the import outlasts its first commit (1 s)
	 * on this machine: twice as large while it does not */
	for (int attempt = 0; attempt < 4 && !killed; attempt++) {
		n *= 2;
		write_many(ics, n);
		static const char *const sfx[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			char p[320];
			snprintf(p, sizeof(p), "%s%s", db, sfx[i]);
			unlink(p);
		}
		/* the kill may land after the last commit, before the exit: then
		 * nothing was cut, so that try does not count either */
		killed = import_and_kill(ics, db) && check_consistent(db) < n;
	}
	assert_true(killed);
	int64_t kept = check_consistent(db);
	assert_true(kept > 0 && kept < n);
	/* importing again completes it, keeping what was there */
	struct ag_replica *r = open_replica(w, "killed.db");
	struct ag_import_stats st;
	assert_int_equal(ag_import_ics(r, ics, &st), 0);
	ag_replica_close(r);
	assert_int_equal(st.unchanged, kept);
	assert_int_equal(st.added, n - kept);
	assert_int_equal(check_consistent(db), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_keeps_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_several_calendars_and_bare_events, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_windows_and_custom_zones, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_floating_and_all_day, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_until_east_of_greenwich, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_far_from_the_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_defaults_to_user_zone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_input_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_killed_midway, setup, teardown),
	};
	alarm(600); /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
