/*
 * cli_cmd.c - the commands of `agenda`, one function each, reached through
 * the table at the end. Every command works on the local replica; only
 * `sync` talks to agendad. Every refusal is an error on stderr with a
 * non-zero exit; --json prints every result as JSON; counts are true.
 */
#include "agenda_int.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void fill_lists(struct cli_opts *o, const char **adds, const char **dels, const char **cadds,
                       const char **cdels)
{
	for (size_t i = 0; i < o->nlist; i++)
		if (o->list_add[i])
			adds[o->e.n_exdate_add++] = o->list[i];
		else
			dels[o->e.n_exdate_del++] = o->list[i];
	for (size_t i = 0; i < o->ncat; i++)
		if (o->cat_add[i])
			cadds[o->e.n_cat_add++] = o->cat[i];
		else
			cdels[o->e.n_cat_del++] = o->cat[i];
	o->e.exdate_add = adds;
	o->e.exdate_del = dels;
	o->e.cat_add = cadds;
	o->e.cat_del = cdels;
}

static int cmd_init(struct cli *c, struct cli_opts *o)
{
	if (!o->server || !o->user || !o->token || !o->agenda)
		return cli_fail(c, "init needs --server --user --token --agenda");
	if (ag_replica_configure(c->r, o->server, o->user, o->token, o->agenda))
		return cli_fail(c, NULL);
	if (c->json)
		printf("{\"ok\":true}\n");
	else
		printf("replica ready; run `agenda sync`\n");
	return 0;
}

static void print_uid(struct cli *c, const char *uid)
{
	if (c->json) {
		fputs("{\"uid\":", stdout);
		cli_json_str(stdout, uid);
		fputs("}\n", stdout);
	} else {
		printf("%s\n", uid);
	}
}

/* Prints the full uid of the event UID names (a prefix, perhaps). */
static void print_full_uid(struct cli *c, const char *uid)
{
	struct ag_event ev;
	if (ag_event_get(c->r, uid, true, &ev)) {
		print_uid(c, uid);
		return;
	}
	print_uid(c, ev.uid);
	ag_event_finish(&ev);
}

/* True when S is empty or only blanks. */
static bool blank(const char *s)
{
	return !s[strspn(s, " \t\r\n")];
}

static int cmd_add(struct cli *c, struct cli_opts *o)
{
	const char *a[CLI_MAX_LIST], *d[CLI_MAX_LIST], *ca[CLI_MAX_LIST], *cd[CLI_MAX_LIST];
	char *uid;
	if (optind >= c->argc || !o->e.start)
		return cli_fail(c, "usage: agenda add TITLE --start WHEN [options]");
	o->e.title = c->argv[optind];
	if (blank(o->e.title))
		return cli_fail(c, "the title is empty: give the event a title");
	fill_lists(o, a, d, ca, cd);
	if (ag_event_add(c->r, &o->e, &uid))
		return cli_fail(c, NULL);
	print_uid(c, uid);
	free(uid);
	return 0;
}

static int cmd_edit(struct cli *c, struct cli_opts *o)
{
	const char *a[CLI_MAX_LIST], *d[CLI_MAX_LIST], *ca[CLI_MAX_LIST], *cd[CLI_MAX_LIST];
	if (optind >= c->argc)
		return cli_fail(c, "usage: agenda edit UID [options]");
	fill_lists(o, a, d, ca, cd);
	const struct ag_edit *e = &o->e;
	if (!e->title && !e->location && !e->notes && !e->rrule && !e->start && !e->end &&
	    !e->set_duration && !e->tz && e->allday < 0 && !o->nlist && !o->ncat)
		return cli_fail(c, "nothing to change (give --title, --start, ...)");
	if (e->title && blank(e->title))
		return cli_fail(c, "the title cannot be empty");
	if (ag_event_edit(c->r, c->argv[optind], e))
		return cli_fail(c, NULL);
	print_full_uid(c, c->argv[optind]);
	return 0;
}

static int cmd_rm(struct cli *c, struct cli_opts *o)
{
	if (optind >= c->argc)
		return cli_fail(c, "usage: agenda rm UID");
	if (ag_event_delete(c->r, c->argv[optind]))
		return cli_fail(c, NULL);
	print_full_uid(c, c->argv[optind]);
	return 0;
}

static int cmd_undelete(struct cli *c, struct cli_opts *o)
{
	if (optind >= c->argc)
		return cli_fail(c, "usage: agenda undelete UID");
	struct ag_event ev;
	if (ag_event_undelete(c->r, c->argv[optind]))
		return cli_fail(c, NULL);
	print_full_uid(c, c->argv[optind]);
	if (!ag_event_get(c->r, c->argv[optind], false, &ev)) {
		if (!ev.start && !*ev.title) /* a tombstone is all this replica had */
			fprintf(stderr, "agenda: its details arrive with the next sync\n");
		ag_event_finish(&ev);
	}
	return 0;
}

static int cmd_show(struct cli *c, struct cli_opts *o)
{
	struct ag_event ev;
	char *ics = NULL;
	if (optind >= c->argc)
		return cli_fail(c, "usage: agenda show UID");
	if (ag_event_get(c->r, c->argv[optind], true, &ev))
		return cli_fail(c, NULL);
	if (ag_event_ics(c->r, ev.uid, &ics)) {
		ag_event_finish(&ev);
		return cli_fail(c, NULL);
	}
	cli_print_details(stdout, &ev, ics, c->json);
	free(ics);
	ag_event_finish(&ev);
	return 0;
}

/* Local midnight of a typed date; -1 with an error printed. */
static int day_of(struct cli *c, const char *s, int64_t *out)
{
	struct ag_when w;
	char err[200];
	if (ag_parse_when(s, &w, err, sizeof(err)))
		return cli_fail(c, err), -1;
	if (w.has_time && !w.now)
		return cli_fail(c, "ls wants a date, not a time"), -1;
	if (w.now) {
		*out = cli_day_start((int64_t)time(NULL));
		return 0;
	}
	w.has_time = false;
	return ag_when_to_unix(&w, "floating", out);
}

static int range_of(struct cli *c, struct cli_opts *o, int64_t *from, int64_t *to)
{
	struct ag_when w;
	char err[200];
	if (o->from || o->to) {
		if (!o->from || !o->to)
			return cli_fail(c, "ls --from WHEN --to WHEN"), -1;
		if (ag_parse_when(o->from, &w, err, sizeof(err)) ||
		    ag_when_to_unix(&w, "floating", from) ||
		    ag_parse_when(o->to, &w, err, sizeof(err)) ||
		    ag_when_to_unix(&w, "floating", to))
			return cli_fail(c, err), -1;
		return 0;
	}
	const char *span = optind < c->argc ? c->argv[optind] : "week";
	const char *date = optind + 1 < c->argc ? c->argv[optind + 1] : "today";
	if (day_of(c, date, from))
		return -1;
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
		tm.tm_mday = 1;
		tm.tm_mon++;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		*to = (int64_t)mktime(&tm);
	} else {
		return cli_fail(c, "usage: agenda ls [day|week|month] [YYYY-MM-DD]"), -1;
	}
	return 0;
}

static int cmd_ls(struct cli *c, struct cli_opts *o)
{
	struct ag_occurrence *occ;
	size_t n;
	int64_t from, to;
	if (range_of(c, o, &from, &to))
		return 1;
	if (ag_occurrences(c->r, from, to, &occ, &n))
		return cli_fail(c, NULL);
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

static int cmd_sync(struct cli *c, struct cli_opts *o)
{
	struct ag_sync_stats st;
	int rc = ag_sync(c->r, NULL, &st);
	if (rc)
		return cli_fail(c, NULL);
	if (c->json)
		printf("{\"pushed\":%u,\"received\":%u,\"conflicts\":%u,\"refused\":%u,"
		       "\"reset\":%s,\"forked\":%s,\"sent_bytes\":%llu,\"received_bytes\":%llu}\n",
		       st.pushed, st.pulled, st.conflicts, st.rejected, st.reset ? "true" : "false",
		       st.forked ? "true" : "false", (unsigned long long)st.bytes_sent,
		       (unsigned long long)st.bytes_recv);
	else
		printf("pushed %u, received %u, new conflicts %u, refused %u "
		       "(%llu bytes sent, %llu received)\n",
		       st.pushed, st.pulled, st.conflicts, st.rejected,
		       (unsigned long long)st.bytes_sent, (unsigned long long)st.bytes_recv);
	if (st.forked)
		fprintf(stderr,
		        "agenda: this replica file was restored from a backup or copied; it "
		        "now syncs as a new replica (nothing was discarded)\n");
	if (st.reset)
		fprintf(stderr, "agenda: the server sent a full resync (this replica had not "
		                "synced within its retention period)\n");
	if (st.rejected)
		return fprintf(stderr,
		               "agenda: agendad refused %u change(s): read-only membership or "
		               "invalid; the server's copy was fetched back\n",
		               st.rejected),
		       1;
	return 0;
}

static int cmd_conflicts(struct cli *c, struct cli_opts *o)
{
	struct ag_conflict *cs;
	size_t n;
	if (ag_conflicts(c->r, &cs, &n))
		return cli_fail(c, NULL);
	if (c->json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (c->json && i)
			putchar(',');
		cli_print_conflict(stdout, &cs[i], c->json);
	}
	if (c->json)
		puts("]");
	else if (!n)
		puts("(no conflicts)");
	ag_conflicts_free(cs, n);
	return 0;
}

static int cmd_resolve(struct cli *c, struct cli_opts *o)
{
	char *end;
	if (optind >= c->argc || o->keep == o->take)
		return cli_fail(c, "usage: agenda resolve ID (--keep | --take)");
	long long id = strtoll(c->argv[optind], &end, 10);
	if (*end || end == c->argv[optind] || id <= 0)
		return cli_fail(c, "resolve wants a conflict number (see agenda conflicts)");
	if (ag_conflict_resolve(c->r, id, o->take))
		return cli_fail(c, NULL);
	if (c->json)
		printf("{\"resolved\":%lld}\n", id);
	return 0;
}

static void print_import(struct cli *c, const struct ag_import_stats *s)
{
	if (c->json) {
		printf("{\"added\":%u,\"updated\":%u,\"unchanged\":%u,\"overrides\":%u,"
		       "\"refused\":%u,\"skipped_tasks\":%u,\"skipped_journals\":%u,"
		       "\"skipped_other\":%u,\"unknown_zones\":%u}\n",
		       s->added, s->updated, s->unchanged, s->overrides, s->bad, s->tasks,
		       s->journals, s->other, s->unknown_tz);
		return;
	}
	printf("imported %u events (%u new, %u updated, %u unchanged)",
	       s->added + s->updated + s->unchanged, s->added, s->updated, s->unchanged);
	if (s->overrides)
		printf(" and %u moved or changed occurrences", s->overrides);
	printf("\n");
	if (s->tasks || s->journals || s->other)
		printf("skipped %u tasks, %u journal entries, %u other components (not events)\n",
		       s->tasks, s->journals, s->other);
	if (s->unknown_tz)
		printf("%u events use a time zone neither named nor defined in the file: "
		       "their times are floating\n",
		       s->unknown_tz);
}

static int cmd_import(struct cli *c, struct cli_opts *o)
{
	struct ag_import_stats s;
	if (optind >= c->argc)
		return cli_fail(c, "usage: agenda import FILE.ics");
	int rc = ag_import_ics(c->r, c->argv[optind], &s);
	/* after a failure, the counts only if part of the file went in (an
	 * unreadable file prints no "imported 0 events") */
	if (!rc || s.added || s.updated || s.unchanged || s.overrides || s.bad)
		print_import(c, &s);
	return rc ? cli_fail(c, NULL) : 0;
}

static int cmd_export(struct cli *c, struct cli_opts *o)
{
	FILE *f = optind < c->argc ? fopen(c->argv[optind], "w") : stdout;
	char why[4200];
	if (!f) {
		snprintf(why, sizeof(why), "cannot create %s: %s", c->argv[optind],
		         strerror(errno));
		return cli_fail(c, why);
	}
	int rc = ag_export_ics(c->r, f);
	if (f != stdout && fclose(f))
		rc = -1;
	return rc ? cli_fail(c, NULL) : 0;
}

static int cmd_status(struct cli *c, struct cli_opts *o)
{
	static const char *const keys[] = {"server", "user", "agenda", "rights", "anchor"};
	struct ag_conflict *cs;
	size_t nc = 0;
	char v[256];
	if (ag_conflicts(c->r, &cs, &nc))
		return cli_fail(c, NULL);
	ag_conflicts_free(cs, nc);
	if (c->json)
		putchar('{');
	for (int i = 0; i < 5; i++) {
		if (ag_replica_setting(c->r, keys[i], v, sizeof(v)))
			continue;
		if (c->json) {
			printf("\"%s\":", keys[i]);
			cli_json_str(stdout, v);
			putchar(',');
		} else {
			static const char *const rights[] = {"none", "read-only", "read-write"};
			bool r = i == 3 && v[0] >= '0' && v[0] <= '2' && !v[1];
			printf("%-9s %s\n", keys[i], r ? rights[v[0] - '0'] : v);
		}
	}
	if (c->json)
		printf("\"pending\":%d,\"conflicts\":%zu}\n", ag_pending_count(c->r), nc);
	else
		printf("pending   %d\nconflicts %zu\n", ag_pending_count(c->r), nc);
	return 0;
}

static const struct cli_command commands[] = {
    {"init", cmd_init},       {"add", cmd_add},           {"edit", cmd_edit},
    {"rm", cmd_rm},           {"undelete", cmd_undelete}, {"show", cmd_show},
    {"ls", cmd_ls},           {"sync", cmd_sync},         {"conflicts", cmd_conflicts},
    {"resolve", cmd_resolve}, {"import", cmd_import},     {"export", cmd_export},
    {"status", cmd_status},
};

const struct cli_command *cli_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}
