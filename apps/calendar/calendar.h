/*
 * calendar.h - xp-calendar, the calendar UI: month and week views of an
 * agenda replica (libagenda), keyboard navigation, add/edit/delete dialogs.
 * It draws as a character-cell grid through libxpapp, so the same program
 * runs under a remote xproto-server (remote display model) or a local one
 * over a local replica (application-level model).
 */
#ifndef XP_CALENDAR_H
#define XP_CALENDAR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "agenda.h"
#include "xpapp.h"

enum cal_view { CAL_MONTH, CAL_WEEK };
enum cal_mode { CAL_BROWSE, CAL_ADD, CAL_EDIT, CAL_CONFIRM_DELETE, CAL_CONFLICTS };
/* The fields of the edit form, in Tab order. */
enum cal_field { CAL_F_TITLE, CAL_F_DATE, CAL_F_TIME, CAL_F_MINUTES, CAL_F_REPEAT, CAL_NFIELDS };

#define CAL_INPUT_MAX 120

struct cal {
	struct xa_display *d;
	uint32_t win;
	struct xa_grid grid;
	struct xa_cell *cells;
	int rows, cols;
	struct ag_replica *rep;
	bool can_sync;
	enum cal_view view;
	enum cal_mode mode;
	int64_t today, day;        /* midnight (local time) of today and of the selected day */
	int sel;                   /* selected event on the selected day, -1 none */
	struct ag_occurrence *occ; /* occurrences of the visible range */
	size_t nocc;
	int64_t range_from, range_to;
	char input[CAL_INPUT_MAX + 1]; /* the add dialog's line */
	size_t input_len;
	/* the edit form: its fields as typed and as they were opened */
	char field[CAL_NFIELDS][CAL_INPUT_MAX + 1], orig[CAL_NFIELDS][CAL_INPUT_MAX + 1];
	int focus;
	char *edit_uid;
	/* the conflicts panel */
	struct ag_conflict *conf;
	size_t nconf;
	int conf_sel;
	char status[160];
	int sync_every_s;
	uint64_t last_sync_us;
	/* the background sync (sync.c) */
	const char *db_path;
	pthread_t sync_thread;
	pthread_mutex_t sync_lock;
	int sync_req[2], sync_done[2];
	bool sync_running, sync_busy, sync_again;
	unsigned sync_count;
	int sync_rc; /* under sync_lock */
	struct ag_sync_stats sync_stats;
	char sync_err[256];
};

/* model.c */
/** Local midnight that starts the day of the time @t (seconds since the epoch). */
int64_t cal_midnight(int64_t t);
/** Local midnight @n days (may be negative) after @day's date; DST-safe through mktime(). */
int64_t cal_add_days(int64_t day, int n);
/**
 * The same day of the month @n months (may be negative) after @day, clamped to the
 * last day of a shorter month (31 Jan + 1 = 28 or 29 Feb). Keeps @day's time of day,
 * so pass a midnight to get one.
 */
int64_t cal_add_months(int64_t day, int n);
/** The first day shown by the current view (a Monday). */
int64_t cal_view_start(const struct cal *c);
/** Reload the occurrences of the visible range from the replica. */
int cal_reload(struct cal *c);
/** Occurrences on @day, as indexes into c->occ (at most @max). */
int cal_day_events(const struct cal *c, int64_t day, int *idx, int max);
/* sync.c */
/** Start the sync worker if the replica has a server. 0 or -1. */
int cal_sync_start(struct cal *c);
/** Stop the worker (waits for a sync in progress). */
void cal_sync_stop(struct cal *c);
/** Ask for a sync in the background; sets c->status. */
void cal_sync(struct cal *c);
/** The worker finished a sync (c->sync_done[0] readable): show the result. */
void cal_sync_done(struct cal *c);

/* view.c */
/** Draw the whole UI into c->cells and paint the difference. */
void cal_draw(struct cal *c);

/* input.c */
/** Handle a key press; returns false to quit. */
bool cal_key(struct cal *c, const struct xa_event *ev);
/** The replica changed here: reload the view and sync. */
void cal_changed(struct cal *c);
/** The selected occurrence, or NULL. */
const struct ag_occurrence *cal_selected(const struct cal *c);

/* dialog.c */
/** Saves the add dialog's "HH:MM title"; false (status set) when refused. */
bool cal_add_commit(struct cal *c);
/** Opens the edit form on occurrence O. */
void cal_edit_open(struct cal *c, const struct ag_occurrence *o);
/** Saves the edit form; false (status set, form kept) when refused. */
bool cal_edit_commit(struct cal *c);
/** Reloads the unresolved conflicts (and the count in the status line). */
void cal_conflicts_reload(struct cal *c);
/** Resolves the selected conflict, keeping or taking the other value. */
void cal_conflict_resolve(struct cal *c, bool take);
/** Labels of the edit form's fields. */
extern const char *const cal_field_names[CAL_NFIELDS];

#endif
