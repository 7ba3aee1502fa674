/*
 * main.c - xp-calendar: options, the replica, the window and the loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "xrender.h"

static const char usage[] =
    "usage: xp-calendar [--db PATH] [--create] [--today YYYY-MM-DD] [--week]\n"
    "                   [--sync-every SEC] [--size COLSxROWS]\n"
    "The shared calendar for xproto: month and week views of an agenda replica.\n"
    "Runs wherever an xproto-server gives it $XPROTO_APP_SOCKET: on the server\n"
    "host (remote display model) or on your machine with a local server\n"
    "(application-level model). It syncs with the agendad configured in the\n"
    "replica (`agenda init`) after each change and every --sync-every seconds.\n"
    "  --db PATH          replica (default $AGENDA_DB, else\n"
    "                     ~/.local/share/xproto/agenda.db); it must exist\n"
    "  --create           create the replica when there is none: a local agenda,\n"
    "                     no server (said on stderr)\n"
    "  --today DATE       pretend today is DATE (reproducible workloads)\n"
    "  --week             start in the week view\n"
    "  --sync-every SEC   periodic sync, 0 = only after changes (default 30)\n"
    "  --size COLSxROWS   window size in cells (default: the whole screen)\n"
    "Keys: arrows move by day/week, PgUp/PgDn by month (week), m/w views,\n"
    "t today, Tab next event, a add (\"HH:MM title\"), e edit (title, date, time,\n"
    "minutes, repeat; Tab moves between them), d delete, c conflicts (k keeps, t takes\n"
    "the other value), s sync, q quit.\n";

struct opts {
	const char *db, *today;
	bool week, create;
	int sync_every, cols, rows;
};

/* Say what is wrong with option @a (unknown, or its value missing or bad): -1. */
static int bad_option(const char *a)
{
	static const char *const valued[] = {"--db", "--today", "--sync-every", "--size"};
	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (!strcmp(a, valued[i]))
			return fprintf(stderr, "xp-calendar: %s needs a value%s\n", a,
			               i == 3 ? " (COLSxROWS)" : ""),
			       -1;
	fprintf(stderr, "xp-calendar: unknown option '%s'\n", a);
	return -1;
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){NULL, NULL, false, false, 30, 0, 0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--db") && v)
			o->db = argv[++i];
		else if (!strcmp(a, "--today") && v)
			o->today = argv[++i];
		else if (!strcmp(a, "--week"))
			o->week = true;
		else if (!strcmp(a, "--create"))
			o->create = true;
		else if (!strcmp(a, "--sync-every") && v)
			o->sync_every = atoi(argv[++i]);
		else if (!strcmp(a, "--size") && v &&
		         sscanf(argv[++i], "%dx%d", &o->cols, &o->rows) == 2)
			;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return fputs(usage, stdout), exit(0), 0;
		else
			return bad_option(a);
	}
	return 0;
}

static int64_t parse_today(const char *s)
{
	struct tm tm = {0};
	if (!s || sscanf(s, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return cal_midnight((int64_t)time(NULL));
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12; /* noon: safe from DST edges */
	tm.tm_isdst = -1;
	return cal_midnight((int64_t)mktime(&tm));
}

static int setup_window(struct cal *c, const struct opts *o)
{
	uint32_t sw, sh;
	int cw, ch;
	xr_font_cell(XR_FONT_FIXED, &cw, &ch, NULL);
	xa_window_max_size(c->d, &sw, &sh);
	c->cols = o->cols > 0 ? o->cols : (int)sw / cw;
	c->rows = o->rows > 0 ? o->rows : (int)sh / ch;
	if (c->cols < 40 || c->rows < 20)
		c->cols = c->cols < 40 ? 40 : c->cols, c->rows = c->rows < 20 ? 20 : c->rows;
	uint32_t flags = XP_WIN_NO_KEY_RELEASE | (o->cols > 0 ? 0 : XP_WIN_MAXIMIZED);
	c->win = xa_window_create(c->d, 0, 0, (uint32_t)(c->cols * cw), (uint32_t)(c->rows * ch),
	                          flags, 0x1e2430);
	c->cells = calloc((size_t)c->rows * (size_t)c->cols, sizeof(*c->cells));
	if (!c->win || !c->cells)
		return -1;
	if (xa_sync(c->d, 30000) < 0) /* refused (too large, a limit): say why, end */
		return fprintf(stderr, "xp-calendar: no window: %s\n", xa_error(c->d)->text), -1;
	xa_window_title(c->d, c->win, "calendar");
	return xa_grid_init(&c->grid, c->d, c->win, c->rows, c->cols, 0xd8dee9, 0x1e2430);
}

static void on_configure(struct cal *c, const struct xa_event *ev)
{
	int cols = (int)ev->w / c->grid.cell_w, rows = (int)ev->h / c->grid.cell_h;
	if (cols < 40 || rows < 20 || (cols == c->cols && rows == c->rows))
		return;
	struct xa_cell *cells = calloc((size_t)rows * (size_t)cols, sizeof(*cells));
	if (!cells || xa_grid_resize(&c->grid, rows, cols) < 0) {
		free(cells);
		return;
	}
	free(c->cells);
	c->cells = cells;
	c->rows = rows;
	c->cols = cols;
}

/* Handle every event that is ready; false to quit, -1 on disconnect. */
static int handle_events(struct cal *c)
{
	struct xa_event ev;
	int r;
	while ((r = xa_next_event(c->d, &ev, 0)) == 1) {
		if (ev.type == XA_CLOSE || (ev.type == XA_KEY && !cal_key(c, &ev)))
			return 0;
		if (ev.type == XA_CONFIGURE)
			on_configure(c, &ev);
	}
	return r < 0 ? -1 : 1;
}

static int run(struct cal *c)
{
	for (;;) {
		cal_draw(c);
		if (xa_flush(c->d) < 0)
			return -1;
		int timeout = -1;
		if (c->can_sync && c->sync_every_s > 0)
			timeout =
			    xp_ms_until(c->last_sync_us + (uint64_t)c->sync_every_s * 1000000u);
		struct pollfd p[2] = {{xa_fd(c->d), POLLIN, 0},
		                      {c->sync_running ? c->sync_done[0] : -1, POLLIN, 0}};
		int n = poll(p, 2, timeout);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n == 0) {
			cal_sync(c);
			continue;
		}
		if (p[1].revents)
			cal_sync_done(c);
		if (p[0].revents) {
			int r = handle_events(c);
			if (r <= 0)
				return r;
		}
	}
}

/*
 * Whether the replica at @db is there: 0 yes, 1 no but @create makes it,
 * -1 no (said). A missing file is an error unless @create: a mistyped --db
 * must not start an empty agenda, as `agenda` refuses it too.
 */
static int check_replica(const char *db, bool create)
{
	struct stat st;
	if (!stat(db, &st))
		return 0;
	if (errno == ENOENT && create)
		return 1;
	if (errno == ENOENT)
		fprintf(stderr,
		        "xp-calendar: no replica at %s: run `agenda init` first, or start "
		        "xp-calendar with --create for a local agenda\n",
		        db);
	else
		fprintf(stderr, "xp-calendar: %s: %s\n", db, strerror(errno));
	return -1;
}

/* Open (with @create, make) the replica at @db into @rep. 0, or -1 said. */
static int open_replica(const char *db, bool create, struct ag_replica **rep)
{
	char err[256];
	if (ag_replica_open(db, rep, err, sizeof(err)) < 0) {
		fprintf(stderr, "xp-calendar: %s: %s\n", db, err);
		return -1;
	}
	if (create)
		fprintf(stderr, "xp-calendar: created a local agenda at %s (no server)\n", db);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct cal c = {.sel = -1};
	struct xp_error err;
	char dbbuf[512], server[128] = "";
	if (parse(argc, argv, &o) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	const char *db =
	    o.db && *o.db ? o.db : ag_default_path("AGENDA_DB", "agenda.db", dbbuf, sizeof(dbbuf));
	int missing = check_replica(db, o.create);
	if (missing < 0)
		return 1;
	if (!(c.d = xa_open("xp-calendar", &err))) {
		fprintf(stderr, "xp-calendar: %s\n", err.text);
		return 1;
	}
	if (open_replica(db, missing, &c.rep) < 0)
		return 1;
	c.can_sync = ag_replica_setting(c.rep, "server", server, sizeof(server)) == 0 && server[0];
	c.sync_every_s = o.sync_every;
	c.view = o.week ? CAL_WEEK : CAL_MONTH;
	c.today = c.day = parse_today(o.today);
	snprintf(c.status, sizeof(c.status), "%s",
	         c.can_sync ? "connecting" : "local agenda (no server)");
	if (setup_window(&c, &o) < 0) {
		fprintf(stderr, "xp-calendar: cannot create the window\n");
		return 1;
	}
	c.db_path = db;
	if (cal_sync_start(&c) < 0)
		snprintf(c.status, sizeof(c.status), "cannot start syncing: %s", strerror(errno));
	cal_sync(&c);
	cal_reload(&c);
	int idx[1];
	c.sel = cal_day_events(&c, c.day, idx, 1) > 0 ? 0 : -1;
	cal_draw(&c);
	xa_window_map(c.d, c.win);
	int r = run(&c);
	cal_sync_stop(&c); /* a sync in progress completes first */
	xa_window_destroy(c.d, c.win);
	xa_close(c.d);
	ag_occurrences_free(c.occ, c.nocc);
	ag_conflicts_free(c.conf, c.nconf);
	free(c.edit_uid);
	xa_grid_finish(&c.grid);
	free(c.cells);
	ag_replica_close(c.rep);
	return r < 0 ? 1 : 0;
}
