/*
 * server.h - xproto-server: the session host. One event-driven loop serves
 * apps (Unix socket) and thin clients (TCP); each session keeps its windows'
 * pixels so thin clients can be stateless.
 */
#ifndef XS_SERVER_H
#define XS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Server settings; xs_options_defaults() fills sensible values. */
struct xs_options {
	int display;            /* display :N (0-999): the endpoints' defaults */
	const char *listen;     /* TCP HOST:PORT for thin clients ("" = none, NULL =
	                           127.0.0.1:7100+N) */
	const char *app_socket; /* Unix socket path for apps (NULL: the display's,
	                           /tmp/xproto-UID/N.sock) */
	const char *app_tcp;    /* optional TCP HOST:PORT for apps (NULL = none) */
	const char *cookie;     /* cookie file (created if absent) */
	const char *apps_file;  /* launchable apps, NULL = built-in list */
	const char *bin_dir;    /* where the project's apps live */
	int max_clients;        /* thin clients, all sessions */
	int max_sessions;       /* named sessions (they live until shutdown) */
	int max_apps;           /* app connections, all sessions */
	int max_windows_per_app;
	int max_window_dim;         /* pixels, each side */
	size_t max_session_bytes;   /* window pixels per session */
	size_t max_total_bytes;     /* window and cached pixels, all sessions */
	uint32_t max_msg;           /* largest message accepted */
	size_t client_window_bytes; /* unacknowledged output before "behind" */
	size_t client_hard_limit;   /* queued output that drops a client or an app */
	int stall_timeout_ms;       /* no ACK for this long: drop */
	int keepalive_ms;           /* a client silent this long is sent a MARK */
	int handshake_timeout_ms;   /* from connect to WELCOME, however active */
	int max_handshakes;         /* connections not yet authenticated */
	int screen_w, screen_h;     /* default session screen */
	int log_level;              /* 0 error, 1 info, 2 debug */
	const char *dump_dir;       /* SIGUSR1 writes every window as PNG here */
	bool no_launcher;           /* never show the start screen (tests) */
};

struct xs_server;

/** Fill @o with defaults (display :0, ~/.xproto-cookie, ...). */
void xs_options_defaults(struct xs_options *o);
/**
 * Create a server: load or create the cookie, bind the listeners. Returns
 * NULL and prints why on failure, with errno EADDRINUSE when an endpoint's
 * address is taken (the display is in use). The options' strings must
 * outlive it.
 */
struct xs_server *xs_server_create(const struct xs_options *o);
/** Run the loop until SIGTERM/SIGINT or xs_server_stop(). Returns 0 or -1. */
int xs_server_run(struct xs_server *s);
/**
 * Run one turn of the loop, waiting at most @max_wait_ms for something to
 * happen (tests and fuzzers drive the server this way). Returns 0 or -1.
 */
int xs_server_turn(struct xs_server *s, int max_wait_ms);
/** Ask the loop to stop (async-signal-safe through a pipe is not needed). */
void xs_server_stop(struct xs_server *s);
/** Stop launched apps, close everything, free. Accepts NULL. */
void xs_server_destroy(struct xs_server *s);
/** The TCP port actually bound (useful with port 0). */
int xs_server_port(const struct xs_server *s);

#endif
