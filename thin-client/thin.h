/*
 * thin.h - libxpthin, the stateless thin client (public API, prefix tc_).
 *
 * A thin client connects to an xproto server, keeps a table of the remote
 * windows with their pixels (rebuilt from the server after every connect,
 * nothing survives a run), composes them into one screen framebuffer
 * ("desktop mode") and presents it either in an X11 window or in memory
 * (headless). It sends keyboard and pointer input back, optionally replays
 * an input script, and reconnects with backoff when asked to.
 *
 * The program thin-client is tc_main(); tests drive a client in-process
 * through tc_client_create() / tc_client_run() and look at its pixels with
 * tc_screen() and tc_window_fb().
 */
#ifndef THIN_H
#define THIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xrender.h"

#define TC_DEFAULT_ADDR ":0" /* display 0: 127.0.0.1:7100 */
#define TC_DEFAULT_W    800
#define TC_DEFAULT_H    600

struct tc_script;
struct tc_client;

/** How a client runs. Zero-initialise, then set what you need. */
struct tc_options {
	const char *addr;               /* :N, HOST:N, HOST:PORT, a socket path or
	                                   ssh://[USER@]HOST[:N][/SESSION]; NULL:
	                                   TC_DEFAULT_ADDR */
	const char *cookie_path;        /* NULL: xp_cookie_default_path() */
	const char *session;            /* NULL: "main" */
	const char *screenshot;         /* PNG written at exit and on SIGUSR1, or NULL */
	const struct tc_script *script; /* borrowed; must outlive the client */
	int width, height;              /* screen size; 0: X window size or 800x600 */
	bool headless;                  /* render into memory, no X connection */
	bool reconnect;                 /* retry with backoff instead of exiting */
	bool read_only;                 /* connect as a viewer, send no input */
	bool stats;                     /* print statistics at exit */
	bool log;                       /* log connection events and every message */
	bool signals;                   /* handle SIGUSR1/SIGINT/SIGTERM (programs only) */
	bool no_shm;                    /* X11: never use MIT-SHM (tests) */
	bool no_zlib;                   /* do not ask for compression */
	int scale; /* 1..4: each pixel shown N x N; 0: from the X screen's DPI (1 headless) */
	bool hold_on_error; /* failed: keep the window saying why until the user quits */
	bool seamless;      /* one X window per remote window, arranged by the user's WM */
	bool new_session;   /* create the session if it does not exist */
	bool list;          /* tc_main: print the server's sessions, exit */
};

/** Exit statuses of tc_client_run() and tc_main(). */
enum tc_exit {
	TC_EXIT_OK = 0,    /* script done, quit, window closed, SIGINT/SIGTERM */
	TC_EXIT_ERROR = 1, /* connection lost, refused, protocol error */
	TC_EXIT_USAGE = 2, /* bad command line or script */
};

/**
 * tc_options_parse - fill @o from the command line (argv[0] is skipped).
 * @script_path: receives the --script argument (borrowed from argv) or NULL.
 * @out: where usage errors are printed (--help's text goes to stdout).
 * Return: 0 to run, 1 when --help was printed, -1 on a usage error.
 */
int tc_options_parse(struct tc_options *o, int argc, char **argv, const char **script_path,
                     FILE *out);

/**
 * tc_script_load - read and parse the script file @path completely.
 * @err: receives "FILE:LINE: message" on failure (@cap bytes).
 * Return: a new script (free with tc_script_destroy()) or NULL.
 */
struct tc_script *tc_script_load(const char *path, char *err, size_t cap);

/**
 * tc_script_parse - parse script text @text (NUL-terminated); @name is used
 * in error messages. Return and @err as tc_script_load().
 */
struct tc_script *tc_script_parse(const char *text, const char *name, char *err, size_t cap);

/** tc_script_length - number of commands in @s. */
size_t tc_script_length(const struct tc_script *s);

/** tc_script_destroy - free @s; accepts NULL. */
void tc_script_destroy(struct tc_script *s);

/**
 * tc_client_create - set up a client: loads the cookie, opens the X window
 * (unless headless) or the in-memory screen. Does not connect yet.
 * @o: copied; its strings and script are borrowed and must outlive the client.
 * Return: the client, or NULL after printing why to stderr.
 */
struct tc_client *tc_client_create(const struct tc_options *o);

/**
 * tc_client_run - connect and run the event loop until the script ends, the
 * user quits or closes the window, a signal asks to stop, or the connection
 * is lost without --reconnect.
 * Return: an enum tc_exit value.
 */
int tc_client_run(struct tc_client *c);

/**
 * tc_client_stop - ask a running client to finish (exit status 0) soon.
 * Safe to call from another thread or a signal handler.
 */
void tc_client_stop(struct tc_client *c);

/** tc_client_destroy - disconnect and free everything; accepts NULL. */
void tc_client_destroy(struct tc_client *c);

/** tc_screen - the composited screen (owned by @c, valid until destroy). */
const struct xr_fb *tc_screen(const struct tc_client *c);

/**
 * tc_window_fb - the pixels of remote window @id, or NULL if there is no
 * such window. Owned by @c; valid until the window changes.
 */
const struct xr_fb *tc_window_fb(const struct tc_client *c, uint32_t id);

/** tc_window_count - number of remote windows @c currently knows. */
size_t tc_window_count(const struct tc_client *c);

/** A pointer shape as a client shows it (tc_cursor_shown). */
struct tc_cursor_image {
	uint32_t w, h, hot_x, hot_y;
	const uint32_t *argb; /* w * h values 0xAARRGGBB, premultiplied, row by row */
};

/**
 * tc_cursor_shown - the pointer shape @c shows now: the one of the remote
 * window under the pointer (where the last pointer input was). Return: true
 * with @out filled (@out->argb owned by @c, valid until it runs again),
 * false when it shows the default one (no shape set there, no window, or
 * no pointer input yet).
 */
bool tc_cursor_shown(const struct tc_client *c, struct tc_cursor_image *out);

/** tc_x11_window - the X window id in window mode, 0 when headless. */
uint32_t tc_x11_window(const struct tc_client *c);

/** tc_last_error - why the client stopped ("" if it did not fail). */
const char *tc_last_error(const struct tc_client *c);

/** tc_connects - number of successful handshakes so far. */
unsigned tc_connects(const struct tc_client *c);

/**
 * tc_main - the thin-client program: parse @argv, load the script, run.
 * Return: the process exit status (enum tc_exit).
 */
int tc_main(int argc, char **argv);

/**
 * tc_list_sessions - connect to @o->addr without joining a session
 * (XP_FLAG_QUERY), ask for the server's sessions (SESSION_LIST) and print
 * them to @out as a table: name, windows, clients, viewers, idle time.
 * Return: TC_EXIT_OK, or TC_EXIT_ERROR after printing why to stderr.
 */
int tc_list_sessions(const struct tc_options *o, FILE *out);

#endif /* THIN_H */
