/*
 * cli.c - the `agenda` program: options, the one place where typed dates,
 * times and minutes are checked (through ag_parse_when/ag_parse_minutes:
 * a bad value is an error with a clear message, never a guess), and the
 * command table. The commands themselves are in cli_cmd.c.
 */
#include "agenda_int.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: agenda [--db PATH] [--json] COMMAND [ARGS]\n"
    "  init --server HOST:PORT --user U --token T --agenda A\n"
    "  add TITLE --start WHEN [--end WHEN | --minutes N] [--allday] [--tz ZONE | --floating]\n"
    "      [--location L] [--notes N] [--rrule R] [--exdate WHEN,...] [--category C]\n"
    "  edit UID [--title T] [any option of add] [--timed] [--rm-exdate WHEN,...]\n"
    "      [--rm-category C]          (\"\" clears a text or --rrule)\n"
    "  rm UID      undelete UID      show UID\n"
    "  ls [day|week|month] [DATE]      ls --from WHEN --to WHEN\n"
    "  sync              push local changes, pull the others\n"
    "  conflicts         resolve ID (--keep | --take)\n"
    "  import FILE.ics   export [FILE.ics]\n"
    "  status\n"
    "WHEN: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], today, tomorrow, now; times are in the\n"
    "event's zone: --tz, else the event's, else yours ($TZ or /etc/localtime).\n"
    "UID: any unique prefix. --json prints every result as JSON, and a failure as\n"
    "{\"error\": MESSAGE} (the message also goes to stderr).\n"
    "Replica: --db, else $AGENDA_DB, else ~/.local/share/xproto/agenda.db; only\n"
    "init creates it, every other command refuses a replica that does not exist.\n";

int cli_fail(struct cli *c, const char *what)
{
	const char *msg = what ? what : ag_replica_error(c->r);
	fprintf(stderr, "agenda: %s\n", msg);
	if (c->json) {
		fputs("{\"error\":", stdout);
		cli_json_str(stdout, msg);
		fputs("}\n", stdout);
	}
	return 1;
}

static int when_opt(struct cli *c, const char *s, struct ag_when *w, const struct ag_when **dst)
{
	char err[200];
	if (ag_parse_when(s, w, err, sizeof(err)))
		return cli_fail(c, err), -1;
	*dst = w;
	return 0;
}

/* Splits a comma-separated list of typed times into O's array; -1, said,
 * when there are more than CLI_MAX_LIST or memory runs out. */
static int list_opt(struct cli *c, struct cli_opts *o, const char *s, bool add)
{
	char *copy = strdup(s), *save = NULL, why[80];
	if (!copy)
		return cli_fail(c, "out of memory"), -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (o->nlist >= CLI_MAX_LIST) {
			snprintf(why, sizeof(why), "more than %d dates in --exdate / --rm-exdate",
			         CLI_MAX_LIST);
			goto err_fail;
		}
		if (!(o->list[o->nlist] = strdup(t))) {
			snprintf(why, sizeof(why), "out of memory");
			goto err_fail;
		}
		o->list_add[o->nlist++] = add;
	}
	free(copy);
	return 0;
err_fail:
	free(copy);
	return cli_fail(c, why), -1;
}

static int cat_opt(struct cli_opts *o, const char *s, bool add)
{
	if (o->ncat >= CLI_MAX_LIST)
		return -1;
	o->cat[o->ncat] = s;
	o->cat_add[o->ncat++] = add;
	return 0;
}

static const struct option long_opts[] = {
    {"title", 1, NULL, 'T'},     {"start", 1, NULL, 's'},    {"end", 1, NULL, 'e'},
    {"minutes", 1, NULL, 'm'},   {"allday", 0, NULL, 'a'},   {"timed", 0, NULL, 'i'},
    {"tz", 1, NULL, 'z'},        {"floating", 0, NULL, 'f'}, {"location", 1, NULL, 'l'},
    {"notes", 1, NULL, 'n'},     {"rrule", 1, NULL, 'r'},    {"exdate", 1, NULL, 'x'},
    {"rm-exdate", 1, NULL, 'X'}, {"category", 1, NULL, 'c'}, {"rm-category", 1, NULL, 'C'},
    {"server", 1, NULL, 'S'},    {"user", 1, NULL, 'U'},     {"token", 1, NULL, 'K'},
    {"agenda", 1, NULL, 'A'},    {"keep", 0, NULL, 'k'},     {"take", 0, NULL, 't'},
    {"from", 1, NULL, 'F'},      {"to", 1, NULL, 'O'},       {NULL, 0, NULL, 0}};

/* The options that describe an event. 1 when CH was not one. */
static int event_opt(struct cli *c, struct cli_opts *o, int ch)
{
	char err[200];
	switch (ch) {
	case 'T':
		o->e.title = optarg;
		return 0;
	case 's':
		return when_opt(c, optarg, &o->start, &o->e.start);
	case 'e':
		return when_opt(c, optarg, &o->end, &o->e.end);
	case 'm':
		if (ag_parse_minutes(optarg, &o->e.duration, err, sizeof(err)))
			return cli_fail(c, err), -1;
		o->e.duration *= 60;
		o->e.set_duration = true;
		return 0;
	case 'a':
	case 'i':
		o->e.allday = ch == 'a';
		return 0;
	case 'z':
	case 'f':
		o->e.tz = ch == 'f' ? "floating" : optarg;
		return 0;
	case 'l':
		o->e.location = optarg;
		return 0;
	case 'n':
		o->e.notes = optarg;
		return 0;
	case 'r':
		o->e.rrule = optarg;
		return 0;
	case 'x':
	case 'X':
		return list_opt(c, o, optarg, ch == 'x');
	case 'c':
	case 'C':
		return cat_opt(o, optarg, ch == 'c') ? (cli_fail(c, "too many categories"), -1) : 0;
	}
	return 1;
}

static int other_opt(struct cli_opts *o, int ch)
{
	const char **dst[] = {&o->server, &o->user, &o->token, &o->agenda, &o->from, &o->to};
	const char keys[] = "SUKAFO";
	const char *k = strchr(keys, ch);
	if (k && ch) {
		*dst[k - keys] = optarg;
		return 0;
	}
	if (ch == 'k' || ch == 't') {
		*(ch == 'k' ? &o->keep : &o->take) = true;
		return 0;
	}
	return -1;
}

int cli_parse_opts(struct cli *c, struct cli_opts *o)
{
	int ch;
	optind = 1;
	o->e.allday = -1;
	while ((ch = getopt_long(c->argc, c->argv, "", long_opts, NULL)) != -1) {
		int rc = event_opt(c, o, ch);
		if (rc == 1)
			rc = other_opt(o, ch) ? 2 : 0;
		if (rc)
			return rc < 0 ? 1 : 2;
	}
	return 0;
}

void cli_opts_finish(struct cli_opts *o)
{
	for (size_t i = 0; i < o->nlist; i++)
		free(o->list[i]);
}

static const char *default_db(char *buf, size_t len)
{
	return ag_default_path("AGENDA_DB", "agenda.db", buf, len);
}

/* True, said, when no replica file is at PATH: every command but init
 * works on an existing replica (a typed --db must not start an empty one). */
static bool missing_replica(struct cli *c, const char *path)
{
	struct stat st;
	char msg[4200];
	if (!stat(path, &st))
		return false;
	if (errno == ENOENT)
		snprintf(msg, sizeof(msg), "no replica at %s: run `agenda init` first", path);
	else
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
	cli_fail(c, msg);
	return true;
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
			return fprintf(stderr, "agenda: %s '%s'\n",
			               strcmp(argv[i], "--db") ? "unknown option" : "no value for",
			               argv[i]),
			       -1;
	}
	if (i == argc)
		fputs("agenda: no command given\n", stderr);
	return i < argc ? i : -1;
}

static int run(struct cli *c, const char *name)
{
	struct cli_opts o = {0};
	const struct cli_command *cmd = cli_command(name);
	if (!cmd) {
		fprintf(stderr, "agenda: no command '%s'\n%s", name, usage);
		return 2;
	}
	int rc = cli_parse_opts(c, &o);
	if (rc == 2)
		fputs(usage, stderr);
	if (!rc)
		rc = cmd->fn(c, &o);
	cli_opts_finish(&o);
	return rc;
}

/* Removes the replica file PATH with its -wal and -shm. */
static void remove_replica(const char *path)
{
	char side[4200];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
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
	if (!cli_command(argv[cmd])) {
		fprintf(stderr, "agenda: no command '%s'\n%s", argv[cmd], usage);
		return 2;
	}
	if (!db)
		db = default_db(buf, sizeof(buf));
	bool init = !strcmp(argv[cmd], "init"), fresh = init && access(db, F_OK);
	if (!init && missing_replica(&c, db))
		return 1;
	if (ag_replica_open(db, &c.r, err, sizeof(err))) {
		cli_fail(&c, err);
		return 1;
	}
	c.argc = argc - cmd;
	c.argv = argv + cmd;
	int rc = run(&c, argv[cmd]);
	ag_replica_close(c.r);
	if (rc && fresh) /* a failed init leaves no half-made replica behind */
		remove_replica(db);
	return rc;
}
