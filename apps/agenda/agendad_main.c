/*
 * agendad_main.c - the agendad program: option parsing, user and membership
 * management, then the server loop of server.c.
 */
#include "agenda_int.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: agendad [serve] [--listen ADDR:PORT] [--db PATH] [--detach] [--port-file FILE]\n"
    "               [--max-clients N] [--max-handshakes N] [--max-per-user N]\n"
    "               [--handshake-ms MS] [--retention SECONDS]\n"
    "       agendad adduser NAME [--agenda A (--rw | --ro)] [--db PATH]\n"
    "       agendad grant NAME --agenda A (--rw | --ro) [--db PATH]\n"
    "\n"
    "The shared agenda sync server. Listens on 127.0.0.1:7311 by default;\n"
    "reach it from other hosts through an SSH tunnel. Users and grants may be\n"
    "added while it runs.\n"
    "  adduser           creates NAME (or renews its token) and prints the token\n"
    "  grant             gives NAME read-only (--ro) or read-write (--rw) access;\n"
    "                    an agenda that does not exist yet is created, and\n"
    "                    \"created agenda 'A'\" printed on stderr (so a typo shows)\n"
    "  NAME, A           1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit\n"
    "  --db              database file (default $AGENDAD_DB or\n"
    "                    ~/.local/share/xproto/agendad.db)\n"
    "  --detach          run in the background once listening (prints its pid)\n"
    "  --max-clients     connections at once (512); when full, the member's\n"
    "                    connection idle the longest is closed to admit a new one\n"
    "  --max-handshakes  connections that have not sent HELLO yet (64)\n"
    "  --max-per-user    connections of one user at once (64)\n"
    "  --handshake-ms    time a connection has to send HELLO (5000)\n"
    "  --retention       seconds deleted events and resolved conflicts are kept\n"
    "                    before replicas that old get a full resync (90 days)\n";

struct args {
	const char *cmd, *name, *agenda, *db;
	int rights;
	struct ag_server_opts srv;
};

static const char *default_db(char *buf, size_t len)
{
	return ag_default_path("AGENDAD_DB", "agendad.db", buf, len);
}

/* A whole number in [MIN, MAX] into *OUT, or an error naming OPT. */
static int number(const char *opt, const char *s, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "agendad: %s wants a number from %lld to %lld, not '%s'\n", opt,
		        min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_number(int c, const char *arg, struct args *a)
{
	long long v;
	switch (c) {
	case 'm':
		if (number("--max-clients", arg, 1, 100000, &v))
			return -1;
		a->srv.max_clients = (unsigned)v;
		return 0;
	case 'H':
		if (number("--max-handshakes", arg, 1, 100000, &v))
			return -1;
		a->srv.max_handshakes = (unsigned)v;
		return 0;
	case 'U':
		if (number("--max-per-user", arg, 1, 100000, &v))
			return -1;
		a->srv.max_per_user = (unsigned)v;
		return 0;
	case 'T':
		if (number("--handshake-ms", arg, 1, 600000, &v))
			return -1;
		a->srv.handshake_ms = (int)v;
		return 0;
	default:
		if (number("--retention", arg, 1, 100LL * 366 * 86400, &v))
			return -1;
		a->srv.retention_s = v;
		return 0;
	}
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"listen", required_argument, NULL, 'l'},
	                                     {"db", required_argument, NULL, 'd'},
	                                     {"port-file", required_argument, NULL, 'p'},
	                                     {"max-clients", required_argument, NULL, 'm'},
	                                     {"max-handshakes", required_argument, NULL, 'H'},
	                                     {"max-per-user", required_argument, NULL, 'U'},
	                                     {"handshake-ms", required_argument, NULL, 'T'},
	                                     {"retention", required_argument, NULL, 'R'},
	                                     {"detach", no_argument, NULL, 'D'},
	                                     {"agenda", required_argument, NULL, 'a'},
	                                     {"rw", no_argument, NULL, 'w'},
	                                     {"ro", no_argument, NULL, 'r'},
	                                     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			a->srv.listen = optarg;
			break;
		case 'd':
			a->db = optarg;
			break;
		case 'p':
			a->srv.port_file = optarg;
			break;
		case 'm':
		case 'H':
		case 'U':
		case 'T':
		case 'R':
			if (parse_number(c, optarg, a))
				exit(2);
			break;
		case 'D':
			a->srv.detach = true;
			break;
		case 'a':
			a->agenda = optarg;
			break;
		case 'w':
			a->rights = AG_RIGHT_RW;
			break;
		case 'r':
			a->rights = AG_RIGHT_READ;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc)
		a->cmd = argv[optind++];
	if (optind < argc)
		a->name = argv[optind++];
	return optind == argc ? 0 : -1;
}

/* True when NAME follows the rule of the usage text: 1 to AG_MAX_NAME of
 * A-Z a-z 0-9 . _ -, the first a letter or digit. */
static bool valid_name(const char *name)
{
	static const char ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t n = strlen(name);
	return n >= 1 && n <= AG_MAX_NAME && strspn(name, ok) == n && !strchr("._-", name[0]);
}

/* What is missing or wrong in an adduser/grant command line, or NULL. */
static const char *manage_problem(const struct args *a)
{
	if (!a->name)
		return "the user NAME is missing";
	if (!strcmp(a->cmd, "grant") && !a->agenda)
		return "grant needs --agenda A";
	if (a->agenda && !a->rights)
		return "--agenda needs --rw (read-write) or --ro (read-only)";
	return NULL;
}

/* Refuses (said, -1) a user or agenda name outside the rule of the usage. */
static int check_names(const struct args *a)
{
	const char *bad = !valid_name(a->name)                  ? a->name
	                  : a->agenda && !valid_name(a->agenda) ? a->agenda
	                                                        : NULL;
	if (!bad)
		return 0;
	fprintf(stderr,
	        "agendad: '%s' is not a valid name: user and agenda names are 1 to %d of "
	        "A-Z a-z 0-9 . _ -, starting with a letter or digit\n",
	        bad, AG_MAX_NAME);
	return -1;
}

/* True when agenda NAME is already in S. */
static bool agenda_exists(struct ag_store *s, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM agendas WHERE name=?1", -1, &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Grants A's user its rights on A's agenda, saying when that created it. */
static int grant(struct ag_store *s, const struct args *a)
{
	bool existed = agenda_exists(s, a->agenda);
	if (ag_store_grant(s, a->name, a->agenda, a->rights))
		return -1;
	if (!existed)
		fprintf(stderr, "agendad: created agenda '%s'\n", a->agenda);
	return 0;
}

static int manage(struct args *a)
{
	struct ag_store *s;
	char err[512], token[33];
	const char *problem = manage_problem(a);
	if (problem) {
		fprintf(stderr, "agendad: %s\n%s", problem, usage);
		return 2;
	}
	if (check_names(a))
		return 2;
	if (ag_store_open(a->db, &s, err, sizeof(err))) {
		fprintf(stderr, "agendad: %s\n", err);
		return 1;
	}
	int rc = 0;
	if (!strcmp(a->cmd, "adduser")) {
		rc = ag_store_adduser(s, a->name, token);
		if (!rc) /* the token first, before any note on stderr */
			rc = printf("%s\n", token) < 0 || fflush(stdout) ? -1 : 0;
	}
	if (!rc && a->agenda)
		rc = grant(s, a);
	if (rc)
		fprintf(stderr, "agendad: %s %s failed\n", a->cmd, a->name);
	ag_store_close(s);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct args a = {.cmd = "serve"};
	char dbbuf[4096];
	if (parse(argc, argv, &a)) {
		fputs(usage, stderr);
		return 2;
	}
	if (!a.db)
		a.db = default_db(dbbuf, sizeof(dbbuf));
	if (!strcmp(a.cmd, "adduser") || !strcmp(a.cmd, "grant"))
		return manage(&a);
	if (strcmp(a.cmd, "serve") || a.name) {
		fputs(usage, stderr);
		return 2;
	}
	struct stat st;
	if (stat(a.db, &st)) { /* only adduser and grant create the store */
		fprintf(stderr,
		        "agendad: no store at %s (%s): create it with 'agendad adduser NAME "
		        "--agenda A --rw%s%s', or name the right one with --db\n",
		        a.db, strerror(errno), a.db == dbbuf ? "" : " --db ",
		        a.db == dbbuf ? "" : a.db);
		return 1;
	}
	if (!a.srv.listen)
		a.srv.listen = "127.0.0.1:7311";
	a.srv.db = a.db;
	return ag_server_run(&a.srv);
}
