/*
 * agenda.h - public API of libagenda: the local replica of a shared agenda.
 *
 * A replica is one SQLite file on the user's device. An event is its whole
 * iCalendar content (SYNC.md section 1); this API shows it as a struct
 * ag_event view and changes it through struct ag_edit. Every change is
 * applied locally at once (the agenda works offline) and queued; ag_sync()
 * pushes the queue to agendad and pulls what other replicas changed. The
 * same calls serve the `agenda` command line and the xp-calendar UI.
 *
 * Times are Unix seconds. Floating times and all-day dates are shown in the
 * viewer's zone (the process's local time zone, $TZ). Strings are UTF-8,
 * owned by the struct that holds them.
 */
#ifndef AGENDA_H
#define AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A date or date-time as a person typed it (ag_parse_when). */
struct ag_when {
	int y, mo, d, h, mi, s;
	bool has_time; /* false: a date */
	bool utc;      /* typed with a trailing Z */
	bool now;      /* "now": the current instant, whatever the zone */
};

/* One event as the user sees it: a view of its iCalendar content. */
struct ag_event {
	char *uid;
	char *title, *location, *notes;
	int64_t start, end; /* first occurrence, Unix seconds (end exclusive) */
	bool allday;        /* DTSTART is a date */
	bool floating;      /* DTSTART is a local time without zone */
	char *tz;           /* zone of DTSTART: IANA name when known, else the
	                       TZID; "" for UTC, floating and dates */
	char *rrule;        /* RRULE value, "" if none */
	char *exdate;       /* EXDATE values, comma separated */
	char *rdate;        /* RDATE values, comma separated */
	char *categories;   /* comma separated */
	int overrides;      /* RECURRENCE-ID overrides */
	bool override;      /* this is an occurrence an override replaced (in an
	                       ag_occurrence: its title, location and notes
	                       are the override's own) */
	bool deleted;
	int conflicts; /* unresolved conflict records of this event */
	int64_t version, mtime;
};

/* One occurrence of an event inside a listed range. */
struct ag_occurrence {
	struct ag_event ev; /* owned copy (title etc. of an override) */
	int64_t start, end; /* this occurrence */
};

/* A change to make: NULL / false members are left as they are. */
struct ag_edit {
	const char *title, *location, *notes; /* "" removes */
	const char *rrule;                    /* "" removes the recurrence */
	const struct ag_when *start;          /* in the zone below */
	const struct ag_when *end;            /* exclusive; a date: inclusive */
	int64_t duration;                     /* seconds, > 0 (or set_duration) */
	bool set_duration;                    /* duration may be 0 */
	int allday;                           /* 1 date, 0 time, -1 unchanged */
	const char *tz;                       /* IANA zone, "UTC", "floating"; NULL: the event's
	                                         (a new event: the user's zone, ag_user_zone) */
	const char *const *exdate_add, *const *exdate_del; /* typed times */
	size_t n_exdate_add, n_exdate_del;
	const char *const *cat_add, *const *cat_del;
	size_t n_cat_add, n_cat_del;
};

/* A same-key conflict kept for the user. */
struct ag_conflict {
	int64_t id;
	char *uid;
	char *key;           /* register key, e.g. "SUMMARY", ":deleted" */
	char *what;          /* human name: "title", "deleted", "category Work" */
	char *value;         /* losing value, readable; "" = a removal */
	char *loser;         /* user who wrote the losing value */
	int64_t loser_mtime; /* Unix milliseconds */
	char *title;         /* current title of the event (for display) */
};

/* Options of one sync run. */
struct ag_sync_opts {
	long cut_after; /* test hook: drop the connection after this many
	                   bytes (sent + received); <= 0: never */
	int timeout_ms; /* per socket operation; 0: 10000 */
	unsigned page;  /* records per pull page; 0: 1000 */
	/* test hook: called between the push and the pull (stage 0) and after
	   each applied page (stage 1) */
	void (*hook)(void *arg, int stage);
	void *hook_arg;
};

/* What one sync run did. */
struct ag_sync_stats {
	uint64_t bytes_sent, bytes_recv;
	unsigned pushed;    /* changes acknowledged */
	unsigned pulled;    /* event updates received and applied */
	unsigned conflicts; /* new conflict records received */
	unsigned rejected;  /* changes refused (read-only) or invalid */
	unsigned pages;
	bool reset;  /* the server sent a full resync */
	bool forked; /* this file was restored or copied: new replica id */
};

/* What one import did. */
struct ag_import_stats {
	unsigned added, updated, unchanged; /* events (their master VEVENT) */
	unsigned overrides;                 /* RECURRENCE-ID VEVENTs (moved occurrences) */
	unsigned tasks, journals, other;    /* components skipped */
	unsigned bad;                       /* events refused (first reason in the error) */
	unsigned unknown_tz;                /* events with an unknown TZID (floating) */
};

struct ag_replica;

/* Opens (creating it 0600, and its folder 0700) the replica file at PATH
 * into *OUT. Returns 0, or -1 with a message in ERR (size ERRLEN). A
 * handle is used by one thread at a time (a thread that syncs in the
 * background opens a handle of its own). */
int ag_replica_open(const char *path, struct ag_replica **out, char *err, size_t errlen);
/* Closes a replica; accepts NULL. */
void ag_replica_close(struct ag_replica *r);
/* Last error message of R (valid until the next call on R). */
const char *ag_replica_error(const struct ag_replica *r);
/* Stores the server address HOST:PORT, user, hex token and agenda name.
 * Returns 0/-1. */
int ag_replica_configure(struct ag_replica *r, const char *server, const char *user,
                         const char *token, const char *agenda);
/* Reads a setting ("server", "user", "agenda", "rights", "anchor",
 * "replica") into BUF. Returns 0, or -1 if unset. */
int ag_replica_setting(struct ag_replica *r, const char *key, char *buf, size_t len);

/* Adds an event from E (start required). The new uid is written to
 * UID_OUT (malloc'd, may be NULL). 0/-1. */
int ag_event_add(struct ag_replica *r, const struct ag_edit *e, char **uid_out);
/* Applies E to event UID (or a unique prefix). 0/-1. */
int ag_event_edit(struct ag_replica *r, const char *uid, const struct ag_edit *e);
/* Deletes event UID (a change like any other, synced). 0/-1. */
int ag_event_delete(struct ag_replica *r, const char *uid);
/* Brings back deleted event UID with all its content. 0/-1. */
int ag_event_undelete(struct ag_replica *r, const char *uid);
/* Loads event UID (exact, else a unique prefix; deleted ones only when
 * ANY) into OUT; 0, or -1 if absent or ambiguous. ag_event_finish(). */
int ag_event_get(struct ag_replica *r, const char *uid, bool any, struct ag_event *out);
/* The iCalendar text of event UID (master, alarms, overrides) into *TEXT
 * (malloc'd). 0/-1. */
int ag_event_ics(struct ag_replica *r, const char *uid, char **text);
/* Frees the strings of EV (not EV itself); accepts NULL. */
void ag_event_finish(struct ag_event *ev);
/* Deep-copies SRC into DST (DST must be finished by the caller). 0/-1. */
int ag_event_copy(struct ag_event *dst, const struct ag_event *src);

/* Lists the occurrences overlapping [FROM, TO) with recurrences expanded,
 * sorted by start, into a malloc'd array *OUT of *N items.
 * Free with ag_occurrences_free(). 0/-1. */
int ag_occurrences(struct ag_replica *r, int64_t from, int64_t to, struct ag_occurrence **out,
                   size_t *n);
/* Frees an array returned by ag_occurrences(). */
void ag_occurrences_free(struct ag_occurrence *occ, size_t n);
/* Lists every live event (DELETED: also the deleted ones), sorted by uid.
 * Free with ag_events_free(). 0/-1. */
int ag_events_all(struct ag_replica *r, bool deleted, struct ag_event **out, size_t *n);
/* Frees an array returned by ag_events_all(). */
void ag_events_free(struct ag_event *evs, size_t n);

/* Number of local changes not yet acknowledged by the server, or -1. */
int ag_pending_count(struct ag_replica *r);

/* Lists unresolved conflicts. Free with ag_conflicts_free(). 0/-1. */
int ag_conflicts(struct ag_replica *r, struct ag_conflict **out, size_t *n);
/* Frees an array returned by ag_conflicts(). */
void ag_conflicts_free(struct ag_conflict *c, size_t n);
/* Resolves conflict ID: TAKE_LOSER writes the losing value as a new
 * change, otherwise the current value is kept. Read-only members cannot.
 * Marks it resolved everywhere on the next sync. 0/-1. */
int ag_conflict_resolve(struct ag_replica *r, int64_t id, bool take_loser);

/* Pushes pending changes and pulls remote ones from the configured server.
 * OPTS may be NULL; STATS (may be NULL) receives what happened. 0, or -1
 * with the reason (the server's words when it refused) in the error; a
 * failed sync can simply be retried. */
int ag_sync(struct ag_replica *r, const struct ag_sync_opts *opts, struct ag_sync_stats *stats);

/* Imports the events of the iCalendar file PATH (several VCALENDARs or bare
 * VEVENTs; read as a stream, memory per event) as local changes: new UIDs
 * are added, known ones set to the file's content. ST (may be NULL) gets the
 * counts. 0, or -1 when the file could not be read or events were refused
 * (the others are imported). */
int ag_import_ics(struct ag_replica *r, const char *path, struct ag_import_stats *st);
/* Writes all live events as one VCALENDAR to OUT. 0/-1. */
int ag_export_ics(struct ag_replica *r, FILE *out);

/* Parses a date or time as typed: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (or
 * with T), YYYYMMDD[THHMMSS[Z]], today, tomorrow, yesterday, now; every
 * field checked (2026-02-30 and 25:61 are refused). 0, or -1 with the
 * reason in ERR. */
int ag_parse_when(const char *s, struct ag_when *out, char *err, size_t errlen);
/* Parses a whole number of minutes (0..10 years); "abc", "-30", "" are
 * refused. 0/-1 with the reason in ERR. */
int ag_parse_minutes(const char *s, int64_t *out, char *err, size_t errlen);
/* The user's time zone: $TZ or /etc/localtime as an IANA name, else
 * "UTC". Written into BUF. */
const char *ag_user_zone(char *buf, size_t len);
/* Unix time of W in zone TZ (IANA, "UTC", "floating"/NULL = local time).
 * 0, or -1 for an unknown zone. */
int ag_when_to_unix(const struct ag_when *w, const char *tz, int64_t *out);

/* The default path of a data file NAME ("agenda.db"): $ENV_VAR if set and
 * not empty, else ~/.local/share/xproto/NAME (folders created 0700).
 * Written into BUF (LEN bytes); returns BUF or the variable's value. */
const char *ag_default_path(const char *env_var, const char *name, char *buf, size_t len);

#endif
