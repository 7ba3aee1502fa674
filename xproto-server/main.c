/*
 * main.c - xproto-server command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
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
    "                         the display is taken (try another N)\n"
    "  --listen HOST:PORT     thin-client endpoint instead (an empty HOST is\n"
    "                         127.0.0.1, PORT 0 any free port; reach it from\n"
    "                         elsewhere with thin-client ssh://HOST:N)\n"
    "  --app-socket PATH      app endpoint instead of the display's socket\n"
    "  --app-tcp HOST:PORT    also accept apps over TCP (default: off)\n"
    "  --cookie FILE          cookie file, created 0600 if absent\n"
    "                         (default $XPROTO_COOKIE or ~/.xproto-cookie)\n"
    "  --apps FILE            launchable apps, lines 'name | description | command'\n"
    "                         (default: terminal, clock, calendar from --bin)\n"
    "  --bin DIR              where the project's apps are (default: next to\n"
    "                         this program)\n"
    "  --max-clients N        thin clients in all sessions (default 256)\n"
    "  --max-sessions N       named sessions (default 1024)\n"
    "  --max-windows N        windows per app (default 64)\n"
    "  --max-session-mb N     window pixels per session in MiB (default 256)\n"
    "  --screen WxH           screen size of a new session (default 800x600;\n"
    "                         the first client's window size wins)\n"
    "  --stall-timeout MS     drop a client that acknowledges nothing for MS\n"
    "                         (default 15000)\n"
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

static int parse_log(const char *s)
{
	return !strcmp(s, "error") ? 0 : !strcmp(s, "debug") ? 2 : 1;
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

static int parse_opts(int argc, char **argv, struct xs_options *o)
{
	static const struct option longs[] = {
	    {"listen", 1, 0, 'l'},       {"app-socket", 1, 0, 'a'},
	    {"app-tcp", 1, 0, 'T'},      {"cookie", 1, 0, 'c'},
	    {"apps", 1, 0, 'A'},         {"bin", 1, 0, 'b'},
	    {"max-clients", 1, 0, 'm'},  {"max-windows", 1, 0, 'w'},
	    {"max-sessions", 1, 0, 'S'}, {"max-session-mb", 1, 0, 'M'},
	    {"screen", 1, 0, 's'},       {"stall-timeout", 1, 0, 't'},
	    {"log", 1, 0, 'L'},          {"dump-dir", 1, 0, 'D'},
	    {"no-launcher", 0, 0, 'N'},  {"detach", 0, 0, 'B'},
	    {"help", 0, 0, 'h'},         {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'a':
			o->app_socket = optarg;
			break;
		case 'T':
			o->app_tcp = optarg;
			break;
		case 'c':
			o->cookie = optarg;
			break;
		case 'A':
			o->apps_file = optarg;
			break;
		case 'b':
			o->bin_dir = optarg;
			break;
		case 'm':
			o->max_clients = atoi(optarg);
			break;
		case 'w':
			o->max_windows_per_app = atoi(optarg);
			break;
		case 'S':
			o->max_sessions = atoi(optarg);
			break;
		case 'M':
			o->max_session_bytes = (size_t)atoi(optarg) << 20;
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &o->screen_w, &o->screen_h) != 2)
				return -1;
			break;
		case 't':
			o->stall_timeout_ms = atoi(optarg);
			break;
		case 'L':
			o->log_level = parse_log(optarg);
			break;
		case 'D':
			o->dump_dir = optarg;
			break;
		case 'N':
			o->no_launcher = true;
			break;
		case 'B':
			detach = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc && parse_display(argv[optind], o) == 0)
		optind++;
	return optind == argc ? 0 : -1;
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
		fprintf(stderr,
		        "xproto-server: display :%d is taken (another server uses its "
		        "address); try another :N\n",
		        o.display);
	if (ready >= 0)
		detach_ready(ready, (unsigned char)status);
	if (!s)
		return status;
	int r = xs_server_run(s);
	xs_server_destroy(s);
	return r < 0 ? 1 : 0;
}
