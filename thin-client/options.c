/*
 * options.c - the thin-client command line and tc_main(), the whole
 * program: parse options, load the script (a bad script exits 2 before
 * connecting), create the client and run it.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "thin_int.h"

static const char usage_text[] =
    "usage: thin-client [options] [DISPLAY]\n"
    "Show the windows of an xproto session and send keyboard and pointer input.\n"
    "DISPLAY is :N or HOST:N (display N: TCP port 7100+N on HOST, default\n"
    "127.0.0.1), HOST:PORT (PORT 1000 and up), a Unix socket path, or\n"
    "ssh://[USER@]HOST[:N][/SESSION]: through your own ssh to display N (default\n"
    "0) on HOST, where xp-ssh-bridge presents that host's cookie ($XPROTO_SSH is\n"
    "the ssh command, default ssh; $XPROTO_SSH_BRIDGE the remote command, default\n"
    "xp-ssh-bridge). Without DISPLAY: $XPROTO_DISPLAY, else :0.\n"
    "In a window, the session's clipboard is bridged with this X display's\n"
    "CLIPBOARD and PRIMARY selections (a read-only viewer pastes, never offers).\n"
    "\n"
    "  --headless           render into memory, no X window (needs no $DISPLAY)\n"
    "  --screenshot FILE    write the screen as PNG at exit and on SIGUSR1\n"
    "  --script FILE        replay input from FILE (see thin-client/README.md),\n"
    "                       exit when it ends\n"
    "  --reconnect          on disconnect retry with backoff (100 ms doubling to 5 s)\n"
    "                       and rebuild the screen from the server\n"
    "  --read-only          join as a viewer: send no input\n"
    "  --seamless           show each remote window as a window of your own desktop,\n"
    "                       moved, resized, minimised and closed by your window\n"
    "                       manager (default: one window showing the session)\n"
    "  --cookie FILE        cookie file (default $XPROTO_COOKIE or ~/.xproto-cookie)\n"
    "  --session NAME       session to join (default main); it must exist\n"
    "  --new                create the session if it does not exist (and say so)\n"
    "  --list               print the server's sessions (name, windows, clients,\n"
    "                       viewers, idle time) and exit\n"
    "  --size WxH           screen size (default: window size, 800x600 headless)\n"
    "  --scale N            show each pixel as N x N (1-4) for HiDPI screens; the\n"
    "                       session and the bytes sent do not change (default: 2\n"
    "                       from 144 dpi, 3 from 240, else 1; headless 1)\n"
    "  --stats              print traffic statistics and round-trip times at exit\n"
    "                       (always printed in headless mode)\n"
    "  --log                log connection events and every message to stderr\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 done (script ended, window closed, SIGINT/SIGTERM), 1 connection\n"
    "failed or lost (without --reconnect), protocol error, or the script failed (a\n"
    "launch refused or ended without a window, a wait-windows, wait-launched, sync or\n"
    "wait-pixel gave up), 2 bad usage or script.\n";

enum {
	OPT_HEADLESS = 256,
	OPT_SHOT,
	OPT_SCRIPT,
	OPT_RECONNECT,
	OPT_RO,
	OPT_COOKIE,
	OPT_SESSION,
	OPT_SIZE,
	OPT_STATS,
	OPT_LOG,
	OPT_SCALE,
	OPT_SEAMLESS,
	OPT_NEW,
	OPT_LIST,
};

static const struct option longopts[] = {
    {"headless", no_argument, NULL, OPT_HEADLESS},
    {"screenshot", required_argument, NULL, OPT_SHOT},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"reconnect", no_argument, NULL, OPT_RECONNECT},
    {"read-only", no_argument, NULL, OPT_RO},
    {"cookie", required_argument, NULL, OPT_COOKIE},
    {"session", required_argument, NULL, OPT_SESSION},
    {"size", required_argument, NULL, OPT_SIZE},
    {"stats", no_argument, NULL, OPT_STATS},
    {"log", no_argument, NULL, OPT_LOG},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"seamless", no_argument, NULL, OPT_SEAMLESS},
    {"new", no_argument, NULL, OPT_NEW},
    {"list", no_argument, NULL, OPT_LIST},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The long name of option @opt (without "--"). */
static const char *long_name(int opt)
{
	for (const struct option *l = longopts; l->name; l++)
		if (l->val == opt)
			return l->name;
	return "?";
}

static int parse_size(const char *s, int *w, int *h)
{
	char tail;
	if (sscanf(s, "%dx%d%c", w, h, &tail) != 2 || *w < 1 || *h < 1 || *w > XR_FB_MAX_DIM ||
	    *h > XR_FB_MAX_DIM)
		return -1;
	return 0;
}

static int usage_error(FILE *out, const char *fmt, const char *arg)
{
	fputs("thin-client: ", out);
	fprintf(out, fmt, arg);
	fputs("\ntry 'thin-client --help'\n", out);
	return -1;
}

static int apply(struct tc_options *o, int opt, const char **script_path, FILE *out)
{
	switch (opt) {
	case OPT_HEADLESS:
		o->headless = true;
		break;
	case OPT_SHOT:
		o->screenshot = optarg;
		break;
	case OPT_SCRIPT:
		*script_path = optarg;
		break;
	case OPT_RECONNECT:
		o->reconnect = true;
		break;
	case OPT_RO:
		o->read_only = true;
		break;
	case OPT_COOKIE:
		o->cookie_path = optarg;
		break;
	case OPT_SESSION:
		o->session = optarg;
		break;
	case OPT_STATS:
		o->stats = true;
		break;
	case OPT_LOG:
		o->log = true;
		break;
	case OPT_SEAMLESS:
		o->seamless = true;
		break;
	case OPT_SCALE:
		if (sscanf(optarg, "%d%c", &o->scale, &(char){0}) != 1 || o->scale < 1 ||
		    o->scale > TC_SCALE_MAX)
			return usage_error(out, "bad --scale '%s' (want 1 to 4)", optarg);
		break;
	case OPT_NEW:
		o->new_session = true;
		break;
	case OPT_LIST:
		o->list = true;
		break;
	case OPT_SIZE:
		if (parse_size(optarg, &o->width, &o->height) < 0)
			return usage_error(out, "bad --size '%s' (want WxH, each 1..16384)",
			                   optarg);
		break;
	default:
		return usage_error(out, "%s", "unknown option");
	}
	return 0;
}

int tc_options_parse(struct tc_options *o, int argc, char **argv, const char **script_path,
                     FILE *out)
{
	int opt;
	uint32_t seen = 0; /* bit opt - OPT_HEADLESS: given already */
	*script_path = NULL;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		/* the word getopt stopped at: argv[optind - 1] (a short option
		 * inside a cluster is reported as the whole word) */
		if (opt == '?')
			return usage_error(out, "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return usage_error(out, "option '%s' needs a value", argv[optind - 1]);
		if (opt == 'h') { /* asked for: the answer, not an error */
			fputs(usage_text, stdout);
			return 1;
		}
		/* a second value would silently win over the first: which was meant? */
		if (opt >= OPT_HEADLESS && opt <= OPT_LIST && (seen & 1u << (opt - OPT_HEADLESS)))
			return usage_error(out, "option '--%s' given twice", long_name(opt));
		if (opt >= OPT_HEADLESS && opt <= OPT_LIST)
			seen |= 1u << (opt - OPT_HEADLESS);
		if (apply(o, opt, script_path, out) < 0)
			return -1;
	}
	if (argc - optind > 1)
		return usage_error(out, "too many arguments: '%s'", argv[optind + 1]);
	const char *env = getenv("XPROTO_DISPLAY");
	o->addr = optind < argc ? argv[optind] : env && *env ? env : TC_DEFAULT_ADDR;
	if (o->seamless && o->headless)
		return usage_error(out, "%s", "--seamless needs an X display: not with --headless");
	if (o->session && (!o->session[0] || strlen(o->session) > 64))
		return usage_error(out, "bad --session '%s' (1-64 bytes)", o->session);
	struct tc_target t;
	char why[300];
	if (tc_target_parse(o->addr, &t, why, sizeof(why)) < 0)
		return usage_error(out, "%s", why);
	if (o->list && (o->session || t.session[0]))
		return usage_error(out, "%s",
		                   "--list lists every session: not with a session to join");
	if (o->session && t.session[0] && strcmp(o->session, t.session)) {
		snprintf(why, sizeof(why), "--session %.64s and %.180s name different sessions",
		         o->session, o->addr);
		return usage_error(out, "%s", why);
	}
	return 0;
}

int tc_main(int argc, char **argv)
{
	struct tc_options o = {.signals = true};
	const char *script_path;
	struct tc_script *script = NULL;
	char err[512];
	int r = tc_options_parse(&o, argc, argv, &script_path, stderr);
	if (r != 0)
		return r > 0 ? TC_EXIT_OK : TC_EXIT_USAGE;
	if (o.list)
		return tc_list_sessions(&o, stdout);
	if (script_path && !(script = tc_script_load(script_path, err, sizeof(err)))) {
		fprintf(stderr, "thin-client: %s\n", err);
		return TC_EXIT_USAGE;
	}
	o.script = script;
	/* a window nobody scripts says why it failed until its user quits */
	o.hold_on_error = !o.headless && !script;
	struct tc_client *c = tc_client_create(&o);
	r = c ? tc_client_run(c) : TC_EXIT_ERROR;
	tc_client_destroy(c);
	tc_script_destroy(script);
	return r;
}
