/*
 * main.c - xproto-server command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "xproto.h"

static const char usage[] =
    "usage: xproto-server [:N] [options]\n"
    "Host xproto sessions: apps connect on a Unix socket, thin clients on TCP.\n"
    "  :N                     display number N (0-999, default 0): thin clients on\n"
    "                         127.0.0.1:7100+N, apps on /tmp/xproto-UID/N.sock; apps\n"
    "                         it starts get XPROTO_DISPLAY=:N. Exit status 3 when\n"
    "                         the display (or an address given below) is taken\n"
    "  --listen HOST:PORT     thin-client endpoint instead (an empty HOST is\n"
    "                         127.0.0.1, PORT 0 any free port; reach it from\n"
    "                         elsewhere with thin-client ssh://HOST:N)\n"
    "  --app-socket PATH      app endpoint instead of the display's socket\n"
    "  --app-tcp HOST:PORT    also accept apps over TCP (default: off)\n"
    "  --cookie FILE          cookie file, created 0600 if absent\n"
    "                         (default $XPROTO_COOKIE or ~/.xproto-cookie)\n"
    "  --apps FILE            launchable apps, lines 'name | description | command'\n"
    "                         (default: terminal, clock, calendar from --bin,\n"
    "                         and xterm and gtk-calendar through the X bridge\n"
    "                         when /usr/bin/xterm and /usr/bin/yad are there)\n"
    "  --bin DIR              where the project's apps are (default: next to\n"
    "                         this program)\n"
    "  --max-clients N        thin clients in all sessions (default 256)\n"
    "  --max-sessions N       named sessions (default 1024)\n"
    "  --max-apps N           app connections in all sessions (default 512)\n"
    "  --max-windows N        windows per app (default 64)\n"
    "  --max-session-mb N     window pixels per session in MiB (default 256)\n"
    "  --max-total-mb N       window and cached-image pixels of all sessions\n"
    "                         together, in MiB (default 1024)\n"
    "  --max-queued-mb N      output queued for a peer that does not read\n"
    "                         before it is dropped, in MiB (default 32)\n"
    "  --screen WxH           screen size of a new session (default 800x600;\n"
    "                         the first client's window size wins)\n"
    "  --stall-timeout MS     drop a client that acknowledges nothing for MS\n"
    "                         (default 15000)\n"
    "  --keepalive MS         a client silent for MS is sent a MARK, and dropped\n"
    "                         if it does not answer it in time (default 20000)\n"
    "  --handshake-timeout MS drop a connection not authenticated MS after it\n"
    "                         connected, however active (default 5000)\n"
    "  --max-handshakes N     connections in their handshake at once; a new one\n"
    "                         beyond N drops the oldest (default 128)\n"
    "  --log LEVEL            error, info (default) or debug\n"
    "  --no-launcher          do not show the start screen in empty sessions\n"
    "  --detach               once listening, run in the background (its log still\n"
    "                         goes to stderr) and give the shell back\n"
    "  --dump-dir DIR         on SIGUSR1 write every window as DIR/SESSION-ID.png\n"
    "  -h, --help             this text\n";

static bool detach; /* --detach */

/*
 * --detach: fork first (the server's signalfd must be the serving process's
 * own), then the parent waits for the child's word through a pipe and exits
 * with it: 0 once the child listens, else the child's exit status. Returns
 * in the child only, with the pipe's write end in *@ready.
 */
static void fork_detached(int *ready)
{
	int p[2];
	unsigned char status = 1;
	if (pipe(p) < 0) {
		perror("xproto-server: --detach");
		exit(1);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("xproto-server: --detach");
		exit(1);
	}
	if (pid == 0) {
		close(p[0]);
		setsid();
		*ready = p[1];
		return;
	}
	close(p[1]);
	if (read(p[0], &status, 1) == 1 && status == 0)
		printf("xproto-server: running in the background (pid %d)\n", (int)pid);
	exit(status);
}

/* Tell the waiting parent how starting went; a served child lets go of the terminal. */
static void detach_ready(int ready, unsigned char status)
{
	fflush(stdout);
	if (write(ready, &status, 1) != 1)
		perror("xproto-server: --detach");
	close(ready);
	int null = open("/dev/null", O_RDWR);
	if (status == 0 && null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	if (null >= 0)
		close(null);
}

/* ":N" into o->display; -1 (with a message) if @arg is not one. */
static int parse_display(const char *arg, struct xs_options *o)
{
	struct xp_display d;
	struct xp_error err;
	if (arg[0] != ':' || xp_display_parse(arg, &d, &err) < 0 || d.number < 0) {
		fprintf(stderr, "xproto-server: '%s' is not a display (want :N, N 0-%d)\n", arg,
		        XP_DISPLAY_MAX);
		return -1;
	}
	o->display = d.number;
	return 0;
}

/* How each option's argument is stored in struct xs_options. */
enum opt_kind { OPT_STR, OPT_INT, OPT_MB, OPT_FLAG, OPT_LOG, OPT_SCREEN, OPT_DETACH };

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t off; /* of the field in struct xs_options */
};

#define OFF(field) offsetof(struct xs_options, field)
static const struct opt opts[] = {
    {"listen", OPT_STR, OFF(listen)},
    {"app-socket", OPT_STR, OFF(app_socket)},
    {"app-tcp", OPT_STR, OFF(app_tcp)},
    {"cookie", OPT_STR, OFF(cookie)},
    {"apps", OPT_STR, OFF(apps_file)},
    {"bin", OPT_STR, OFF(bin_dir)},
    {"max-clients", OPT_INT, OFF(max_clients)},
    {"max-windows", OPT_INT, OFF(max_windows_per_app)},
    {"max-sessions", OPT_INT, OFF(max_sessions)},
    {"max-apps", OPT_INT, OFF(max_apps)},
    {"max-session-mb", OPT_MB, OFF(max_session_bytes)},
    {"max-total-mb", OPT_MB, OFF(max_total_bytes)},
    {"max-queued-mb", OPT_MB, OFF(client_hard_limit)},
    {"screen", OPT_SCREEN, 0},
    {"stall-timeout", OPT_INT, OFF(stall_timeout_ms)},
    {"keepalive", OPT_INT, OFF(keepalive_ms)},
    {"handshake-timeout", OPT_INT, OFF(handshake_timeout_ms)},
    {"max-handshakes", OPT_INT, OFF(max_handshakes)},
    {"log", OPT_LOG, OFF(log_level)},
    {"dump-dir", OPT_STR, OFF(dump_dir)},
    {"no-launcher", OPT_FLAG, OFF(no_launcher)},
    {"detach", OPT_DETACH, 0},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* A whole positive decimal number up to @max, or -1. */
static long long positive(const char *s, long long max)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return end == s || *end || v <= 0 || v > max ? -1 : v;
}

/* Store @arg for @op into @o. Returns 0, or -1 after saying why. */
static int set_opt(const struct opt *op, const char *arg, struct xs_options *o)
{
	char *field = (char *)o + op->off;
	long long v = 0;
	switch (op->kind) {
	case OPT_STR:
		*(const char **)field = arg;
		return 0;
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_DETACH:
		detach = true;
		return 0;
	case OPT_LOG:
		v = !strcmp(arg, "error")   ? 0
		    : !strcmp(arg, "info")  ? 1
		    : !strcmp(arg, "debug") ? 2
		                            : -1;
		*(int *)field = (int)v;
		break;
	case OPT_SCREEN:
		if (sscanf(arg, "%dx%d", &o->screen_w, &o->screen_h) != 2 || o->screen_w <= 0 ||
		    o->screen_h <= 0 || o->screen_w > 16384 || o->screen_h > 16384)
			v = -1;
		break;
	case OPT_INT:
		if ((v = positive(arg, INT32_MAX)) > 0)
			*(int *)field = (int)v;
		break;
	case OPT_MB:
		if ((v = positive(arg, (long long)(SIZE_MAX >> 21))) > 0)
			*(size_t *)field = (size_t)v << 20;
		break;
	}
	if (v >= 0)
		return 0;
	fprintf(stderr, "xproto-server: --%s: '%s' is not a valid value\n", op->name, arg);
	return -1;
}

static int parse_opts(int argc, char **argv, struct xs_options *o)
{
	struct option longs[NOPTS + 2] = {{"help", 0, 0, 'h'}};
	for (size_t i = 0; i < NOPTS; i++)
		longs[i + 1] = (struct option){
		    opts[i].name, opts[i].kind != OPT_FLAG && opts[i].kind != OPT_DETACH, 0,
		    256 + (int)i};
	int c;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		if (c < 256 || set_opt(&opts[c - 256], optarg, o) < 0)
			return -1;
	}
	if (optind < argc && parse_display(argv[optind], o) == 0)
		optind++;
	return optind == argc ? 0 : -1;
}

/*
 * An address was in use (the log above names it): a display only when
 * every address was the display's, else the options that chose them.
 */
static void say_in_use(const struct xs_options *o)
{
	char what[96] = "";
	bool display = !o->listen || !o->app_socket;
	if (!o->listen && !o->app_socket && !o->app_tcp) {
		fprintf(stderr,
		        "xproto-server: display :%d is taken (another server uses its "
		        "address); try another :N\n",
		        o->display);
		return;
	}
	snprintf(what, sizeof(what), "%s%s%s%s%s%s", display ? ":N" : "",
	         display && o->listen ? " or " : "", o->listen ? "--listen" : "",
	         (display || o->listen) && o->app_socket ? " or " : "",
	         o->app_socket ? "--app-socket" : "", o->app_tcp ? " or --app-tcp" : "");
	fprintf(stderr, "xproto-server: address in use (named above); try another %s\n", what);
}

int main(int argc, char **argv)
{
	struct xs_options o;
	static char exe[4096];
	xs_options_defaults(&o);
	if (parse_opts(argc, argv, &o) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (!o.bin_dir && n > 0) {
		exe[n] = '\0';
		o.bin_dir = dirname(exe);
	}
	int ready = -1;
	if (detach)
		fork_detached(&ready);
	struct xs_server *s = xs_server_create(&o);
	int status = s ? 0 : errno == EADDRINUSE ? 3 : 1;
	if (status == 3)
		say_in_use(&o);
	if (ready >= 0)
		detach_ready(ready, (unsigned char)status);
	if (!s)
		return status;
	int r = xs_server_run(s);
	xs_server_destroy(s);
	return r < 0 ? 1 : 0;
}
