/*
 * agenda.h - public API of libagenda: the local replica of a shared agenda.
 *
 * A replica is one SQLite file on the user's device. Every change made
 * through this API is applied locally at once (the agenda works offline) and
 * queued as a pending change; ag_sync() pushes the queue to agendad and pulls
 * what other replicas changed. The same calls serve the `agenda` command line
 * and a graphical calendar: list occurrences in a range (recurrences
 * expanded), add/edit/delete, sync, list and resolve conflicts.
 *
 * Times are Unix seconds (UTC). All-day events start at 00:00 UTC of their
 * date. Strings are UTF-8, owned by the struct that holds them.
 */
#ifndef AGENDA_H
#define AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Event fields, in wire order; bit i of a field mask is field i. */
enum ag_field {
	AG_F_TITLE,
	AG_F_START,
	AG_F_END,
	AG_F_ALLDAY,
	AG_F_TZ,
	AG_F_LOCATION,
	AG_F_NOTES,
	AG_F_RRULE,
	AG_F_EXDATE,
	AG_F_DELETED,
	AG_NFIELDS
};
#define AG_MASK(f)  (1u << (f))
#define AG_MASK_ALL ((1u << AG_NFIELDS) - 1u)

/* One event. Strings may be NULL (= empty). */
struct ag_event {
	char uid[128];
	char *title;
	int64_t start, end; /* Unix seconds, end exclusive */
	int64_t allday;     /* 0 or 1 */
	char *tz;           /* IANA zone name used for display/recurrence */
	char *location, *notes;
	char *rrule;     /* RFC 5545 RRULE value, e.g. "FREQ=WEEKLY;COUNT=4" */
	char *exdate;    /* comma-separated UTC times YYYYMMDDTHHMMSSZ */
	int64_t deleted; /* tombstone: 0 or 1 */
	int64_t version; /* server sequence number this copy is based on */
	int64_t mtime;   /* last modification, Unix milliseconds */
};

/* One occurrence of an event inside a listed range. */
struct ag_occurrence {
	struct ag_event ev; /* owned copy of the event */
	int64_t start, end; /* this occurrence */
};

/* A same-field conflict kept for the user. */
struct ag_conflict {
	int64_t id;
	char uid[128];
	enum ag_field field;
	char *value;         /* losing value, as text (numbers in decimal) */
	uint64_t loser;      /* replica id that wrote the losing value */
	int64_t loser_mtime; /* Unix milliseconds */
	char *title;         /* current title of the event (for display) */
};

/* Options of one sync run. */
struct ag_sync_opts {
	long cut_after; /* test hook: drop the connection after this many
	                   bytes (sent + received); <= 0: never */
	int timeout_ms; /* per socket operation; 0: 10000 */
	unsigned page;  /* records per pull page; 0: 1000 */
};

/* What one sync run did, counted on the socket. */
struct ag_sync_stats {
	uint64_t bytes_sent, bytes_recv;
	unsigned pushed, pulled, conflicts, rejected, pages;
};

struct ag_replica;

/* Opens (creating if needed) the replica file at PATH into *OUT.
 * Returns 0, or -1 with a message in ERR (size ERRLEN). Caller closes. */
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

/* Adds EV (uid generated when EV->uid is empty, written back). 0/-1. */
int ag_event_add(struct ag_replica *r, struct ag_event *ev);
/* Sets the fields of MASK of event UID to the values in EV. 0/-1. */
int ag_event_edit(struct ag_replica *r, const char *uid, const struct ag_event *ev, unsigned mask);
/* Deletes event UID (keeps a tombstone until synced). 0/-1. */
int ag_event_delete(struct ag_replica *r, const char *uid);
/* Loads event UID (or a unique prefix of it) into OUT; 0, or -1 if absent
 * or ambiguous. Release with ag_event_finish(). */
int ag_event_get(struct ag_replica *r, const char *uid, struct ag_event *out);
/* Frees the strings of EV (not EV itself). */
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
/* Lists every live event (no expansion), sorted by start. Free with
 * ag_events_free(). 0/-1. */
int ag_events_all(struct ag_replica *r, struct ag_event **out, size_t *n);
/* Frees an array returned by ag_events_all(). */
void ag_events_free(struct ag_event *evs, size_t n);

/* Number of local changes not yet acknowledged by the server. */
int ag_pending_count(struct ag_replica *r);

/* Lists unresolved conflicts. Free with ag_conflicts_free(). 0/-1. */
int ag_conflicts(struct ag_replica *r, struct ag_conflict **out, size_t *n);
/* Frees an array returned by ag_conflicts(). */
void ag_conflicts_free(struct ag_conflict *c, size_t n);
/* Resolves conflict ID: TAKE_LOSER applies the losing value as a new edit,
 * otherwise the current value is kept. Marks it resolved everywhere on the
 * next sync. 0/-1. */
int ag_conflict_resolve(struct ag_replica *r, int64_t id, bool take_loser);

/* Pushes pending changes and pulls remote ones from the configured server.
 * OPTS may be NULL; STATS (may be NULL) receives byte counts. 0/-1; a failed
 * sync can simply be retried. */
int ag_sync(struct ag_replica *r, const struct ag_sync_opts *opts, struct ag_sync_stats *stats);

/* Imports the VEVENTs of the iCalendar file PATH as new local changes;
 * events whose UID already exists are updated. *COUNT gets the number
 * imported. 0/-1. */
int ag_import_ics(struct ag_replica *r, const char *path, int *count);
/* Writes all live events as one VCALENDAR to OUT. 0/-1. */
int ag_export_ics(struct ag_replica *r, FILE *out);

/* The default path of a data file NAME ("agenda.db"): $ENV_VAR if set and
 * not empty, else ~/.local/share/xproto/NAME (the folders are created 0700).
 * Written into BUF (LEN bytes); returns BUF or the variable's value. */
const char *ag_default_path(const char *env_var, const char *name, char *buf, size_t len);

/* Name of field F ("title", ...), or "?" */
const char *ag_field_name(enum ag_field f);

#endif
