/*
 * cli.c - the `agenda` program: a thin command line over libagenda. Every
 * command works on the local replica (offline); only `sync` talks to
 * agendad. Commands are dispatched through a table.
 */
#include "agenda_int.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
    "usage: agenda [--db PATH] [--json] COMMAND [ARGS]\n"
    "  init --server HOST:PORT --user U --token T --agenda A\n"
    "  add TITLE --start WHEN [--end WHEN | --minutes N] [--allday]\n"
    "      [--tz ZONE] [--location L] [--notes N] [--rrule R] [--exdate LIST]\n"
    "  edit UID [--title T] [any option of add]\n"
    "  rm UID            show UID\n"
    "  ls [day|week|month] [DATE]   (recurrences expanded)\n"
    "  sync              push local changes, pull the others\n"
    "  conflicts         resolve ID (--keep | --take)\n"
    "  import FILE.ics   export [FILE.ics]\n"
    "  status\n"
    "WHEN: YYYY-MM-DD[ HH:MM], today, tomorrow, now. UID: a unique prefix.\n"
    "Replica: --db, else $AGENDA_DB, else ~/.local/share/xproto/agenda.db\n";

struct cli {
	struct ag_replica *r;
	bool json;
	int argc;
	char **argv;
};

/* Event options shared by add and edit. */
struct ev_opts {
	struct ag_event ev;
	unsigned mask;
	const char *start, *end, *server, *user, *token, *agenda;
	long minutes;
	bool keep, take;
};

static int fail(struct cli *c, const char *what)
{
	fprintf(stderr, "agenda: %s\n", what ? what : ag_replica_error(c->r));
	return 1;
}

static void set_str(struct ev_opts *o, int f, const char *v)
{
	char **p = ag_ev_str(&o->ev, f);
	free(*p);
	*p = strdup(v);
	o->mask |= AG_MASK(f);
}

static int parse_opts(struct cli *c, struct ev_opts *o)
{
	static const struct option opts[] = {
	    {"title", 1, NULL, 'T'},    {"start", 1, NULL, 's'},  {"end", 1, NULL, 'e'},
	    {"minutes", 1, NULL, 'm'},  {"allday", 0, NULL, 'a'}, {"tz", 1, NULL, 'z'},
	    {"location", 1, NULL, 'l'}, {"notes", 1, NULL, 'n'},  {"rrule", 1, NULL, 'r'},
	    {"exdate", 1, NULL, 'x'},   {"server", 1, NULL, 'S'}, {"user", 1, NULL, 'U'},
	    {"token", 1, NULL, 'K'},    {"agenda", 1, NULL, 'A'}, {"keep", 0, NULL, 'k'},
	    {"take", 0, NULL, 't'},     {NULL, 0, NULL, 0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(c->argc, c->argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'T':
			set_str(o, AG_F_TITLE, optarg);
			break;
		case 's':
			o->start = optarg;
			break;
		case 'e':
			o->end = optarg;
			break;
		case 'm':
			o->minutes = atol(optarg);
			break;
		case 'a':
			o->ev.allday = 1;
			o->mask |= AG_MASK(AG_F_ALLDAY);
			break;
		case 'z':
			set_str(o, AG_F_TZ, optarg);
			break;
		case 'l':
			set_str(o, AG_F_LOCATION, optarg);
			break;
		case 'n':
			set_str(o, AG_F_NOTES, optarg);
			break;
		case 'r':
			set_str(o, AG_F_RRULE, optarg);
			break;
		case 'x':
			set_str(o, AG_F_EXDATE, optarg);
			break;
		case 'S':
			o->server = optarg;
			break;
		case 'U':
			o->user = optarg;
			break;
		case 'K':
			o->token = optarg;
			break;
		case 'A':
			o->agenda = optarg;
			break;
		case 'k':
			o->keep = true;
			break;
		case 't':
			o->take = true;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Turns --start/--end/--minutes into times, relative to BASE for edits. */
static int resolve_times(struct ev_opts *o, const struct ag_event *base)
{
	bool allday = o->mask & AG_MASK(AG_F_ALLDAY) ? o->ev.allday : base && base->allday;
	const char *tz = o->mask & AG_MASK(AG_F_TZ) ? o->ev.tz : base ? base->tz : NULL;
	int64_t len = base ? base->end - base->start : allday ? 86400 : 3600;
	o->ev.start = base ? base->start : 0;
	if (o->start && cli_parse_time(o->start, tz, allday, &o->ev.start))
		return -1;
	o->ev.end = o->ev.start + len;
	if (o->minutes > 0)
		o->ev.end = o->ev.start + 60 * o->minutes;
	if (o->end && cli_parse_time(o->end, tz, allday, &o->ev.end))
		return -1;
	if (allday && o->end && !strchr(o->end, ':'))
		o->ev.end += 86400; /* an all-day end date is inclusive */
	if (o->start || o->end || o->minutes)
		o->mask |= AG_MASK(AG_F_START) | AG_MASK(AG_F_END);
	return 0;
}

/* ---- commands ---------------------------------------------------------------- */

static int cmd_init(struct cli *c, struct ev_opts *o)
{
	if (!o->server || !o->user || !o->token || !o->agenda)
		return fail(c, "init needs --server --user --token --agenda");
	if (ag_replica_configure(c->r, o->server, o->user, o->token, o->agenda))
		return fail(c, NULL);
	printf("replica ready; run `agenda sync`\n");
	return 0;
}

static int cmd_add(struct cli *c, struct ev_opts *o)
{
	if (optind >= c->argc || !o->start)
		return fail(c, "usage: agenda add TITLE --start WHEN ...");
	set_str(o, AG_F_TITLE, c->argv[optind]);
	if (resolve_times(o, NULL))
		return fail(c, "cannot read the date (want YYYY-MM-DD[ HH:MM])");
	if (ag_event_add(c->r, &o->ev))
		return fail(c, NULL);
	if (c->json)
		printf("{\"uid\":\"%s\"}\n", o->ev.uid);
	else
		printf("%s\n", o->ev.uid);
	return 0;
}

static int cmd_edit(struct cli *c, struct ev_opts *o)
{
	struct ag_event cur;
	if (optind >= c->argc)
		return fail(c, "usage: agenda edit UID [options]");
	if (ag_event_get(c->r, c->argv[optind], &cur))
		return fail(c, NULL);
	int rc = resolve_times(o, &cur);
	if (!rc && !o->mask)
		rc = fail(c, "nothing to change");
	else if (rc)
		rc = fail(c, "cannot read the date");
	else if (ag_event_edit(c->r, cur.uid, &o->ev, o->mask))
		rc = fail(c, NULL);
	ag_event_finish(&cur);
	return rc;
}

static int cmd_rm(struct cli *c, struct ev_opts *o)
{
	if (optind >= c->argc)
		return fail(c, "usage: agenda rm UID");
	return ag_event_delete(c->r, c->argv[optind]) ? fail(c, NULL) : 0;
}

static int cmd_show(struct cli *c, struct ev_opts *o)
{
	struct ag_event ev;
	if (optind >= c->argc)
		return fail(c, "usage: agenda show UID");
	if (ag_event_get(c->r, c->argv[optind], &ev))
		return fail(c, NULL);
	cli_print_details(stdout, &ev, c->json);
	ag_event_finish(&ev);
	return 0;
}

static int range_of(struct cli *c, int64_t *from, int64_t *to)
{
	const char *span = optind < c->argc ? c->argv[optind] : "week";
	const char *date = optind + 1 < c->argc ? c->argv[optind + 1] : "today";
	int64_t t;
	if (cli_parse_time(date, NULL, false, &t))
		return -1;
	*from = cli_day_start(t);
	struct tm tm;
	time_t tt = (time_t)*from;
	localtime_r(&tt, &tm);
	if (!strcmp(span, "day")) {
		*to = cli_add_days(*from, 1);
	} else if (!strcmp(span, "week")) {
		*from = cli_add_days(*from, -((tm.tm_wday + 6) % 7));
		*to = cli_add_days(*from, 7);
	} else if (!strcmp(span, "month")) {
		*from = cli_add_days(*from, 1 - tm.tm_mday);
		localtime_r(&tt, &tm);
		tm.tm_mday = 1;
		tm.tm_mon++;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		*to = (int64_t)mktime(&tm);
	} else {
		return -1;
	}
	return 0;
}

static int cmd_ls(struct cli *c, struct ev_opts *o)
{
	struct ag_occurrence *occ;
	size_t n;
	int64_t from, to;
	if (range_of(c, &from, &to))
		return fail(c, "usage: agenda ls [day|week|month] [YYYY-MM-DD]");
	if (ag_occurrences(c->r, from, to, &occ, &n))
		return fail(c, NULL);
	if (c->json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (c->json && i)
			putchar(',');
		cli_print_event(stdout, &occ[i].ev, occ[i].start, occ[i].end, c->json);
	}
	if (c->json)
		puts("]");
	else if (!n)
		puts("(no events)");
	ag_occurrences_free(occ, n);
	return 0;
}

static int cmd_sync(struct cli *c, struct ev_opts *o)
{
	struct ag_sync_stats st;
	if (ag_sync(c->r, NULL, &st))
		return fail(c, NULL);
	if (c->json)
		printf("{\"pushed\":%u,\"pulled\":%u,\"conflicts\":%u,"
		       "\"rejected\":%u,\"sent\":%llu,\"received\":%llu}\n",
		       st.pushed, st.pulled, st.conflicts, st.rejected,
		       (unsigned long long)st.bytes_sent, (unsigned long long)st.bytes_recv);
	else
		printf("pushed %u, pulled %u, conflicts %u, rejected %u "
		       "(%llu bytes sent, %llu received)\n",
		       st.pushed, st.pulled, st.conflicts, st.rejected,
		       (unsigned long long)st.bytes_sent, (unsigned long long)st.bytes_recv);
	return 0;
}

static int cmd_conflicts(struct cli *c, struct ev_opts *o)
{
	struct ag_conflict *cs;
	size_t n;
	if (ag_conflicts(c->r, &cs, &n))
		return fail(c, NULL);
	if (c->json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (c->json) {
			printf("%s{\"id\":%lld,\"uid\":\"%s\",\"field\":\"%s\","
			       "\"value\":",
			       i ? "," : "", (long long)cs[i].id, cs[i].uid,
			       ag_field_name(cs[i].field));
			cli_json_str(stdout, cs[i].value);
			printf(",\"title\":");
			cli_json_str(stdout, cs[i].title);
			putchar('}');
			continue;
		}
		if (cs[i].field == AG_F_DELETED)
			printf("%lld  %.8s  \"%s\"  kept although deleted "
			       "elsewhere (--take deletes it)\n",
			       (long long)cs[i].id, cs[i].uid, cs[i].title);
		else
			printf("%lld  %.8s  \"%s\"  %s: other value \"%s\"\n", (long long)cs[i].id,
			       cs[i].uid, cs[i].title, ag_field_name(cs[i].field), cs[i].value);
	}
	if (c->json)
		puts("]");
	else if (!n)
		puts("(no conflicts)");
	ag_conflicts_free(cs, n);
	return 0;
}

static int cmd_resolve(struct cli *c, struct ev_opts *o)
{
	if (optind >= c->argc || o->keep == o->take)
		return fail(c, "usage: agenda resolve ID (--keep | --take)");
	if (ag_conflict_resolve(c->r, atoll(c->argv[optind]), o->take))
		return fail(c, NULL);
	return 0;
}

static int cmd_import(struct cli *c, struct ev_opts *o)
{
	int n;
	if (optind >= c->argc)
		return fail(c, "usage: agenda import FILE.ics");
	int rc = ag_import_ics(c->r, c->argv[optind], &n);
	printf("imported %d events\n", n);
	return rc ? fail(c, NULL) : 0;
}

static int cmd_export(struct cli *c, struct ev_opts *o)
{
	FILE *f = optind < c->argc ? fopen(c->argv[optind], "w") : stdout;
	if (!f)
		return fail(c, "cannot create the output file");
	int rc = ag_export_ics(c->r, f);
	if (f != stdout)
		rc |= fclose(f);
	return rc ? fail(c, NULL) : 0;
}

static int cmd_status(struct cli *c, struct ev_opts *o)
{
	const char *keys[] = {"server", "user", "agenda", "rights", "anchor", "replica"};
	char v[256];
	for (int i = 0; i < 6; i++)
		if (!ag_replica_setting(c->r, keys[i], v, sizeof(v)))
			printf("%-8s %s\n", keys[i], v);
	printf("pending  %d\n", ag_pending_count(c->r));
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *c, struct ev_opts *o);
} commands[] = {
    {"init", cmd_init},       {"add", cmd_add},
    {"edit", cmd_edit},       {"rm", cmd_rm},
    {"show", cmd_show},       {"ls", cmd_ls},
    {"sync", cmd_sync},       {"conflicts", cmd_conflicts},
    {"resolve", cmd_resolve}, {"import", cmd_import},
    {"export", cmd_export},   {"status", cmd_status},
};

static const char *default_db(char *buf, size_t len)
{
	return ag_default_path("AGENDA_DB", "agenda.db", buf, len);
}

/* Pulls --db/--json/--help out of ARGV; returns the command index. */
static int global_opts(int argc, char **argv, const char **db, bool *json)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = true;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			*db = argv[++i];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return -2;
		else
			return -1;
	}
	return i < argc ? i : -1;
}

static int run(struct cli *c, const char *name)
{
	struct ev_opts o = {0};
	int rc = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name))
			continue;
		rc = parse_opts(c, &o) ? (fputs(usage, stderr), 2) : commands[i].fn(c, &o);
		break;
	}
	if (rc == -1)
		rc = (fputs(usage, stderr), 2);
	ag_event_finish(&o.ev);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	const char *db = NULL;
	char buf[4096], err[512];
	int cmd = global_opts(argc, argv, &db, &c.json);
	if (cmd == -2 || (cmd > 0 && !strcmp(argv[cmd], "help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (cmd < 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (ag_replica_open(db ? db : default_db(buf, sizeof(buf)), &c.r, err, sizeof(err))) {
		fprintf(stderr, "agenda: %s\n", err);
		return 1;
	}
	c.argc = argc - cmd;
	c.argv = argv + cmd;
	int rc = run(&c, argv[cmd]);
	ag_replica_close(c.r);
	return rc;
}
