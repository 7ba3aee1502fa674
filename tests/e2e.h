/*
 * e2e.h - end-to-end test helpers: run a real xproto-server and real
 * headless thin clients as processes on loopback, in a temporary directory,
 * with bounded waits everywhere (waiting for a process or a file:
 * tests/proc.h, included here).
 */
#ifndef E2E_H
#define E2E_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"
#include "xpapp.h"
#include "xrender.h"

struct e2e_server {
	pid_t pid;
	int port;
	char dir[64]; /* temporary directory, removed by e2e_server_stop */
	char cookie[128];
	char app_socket[128];
	char addr[64]; /* 127.0.0.1:PORT, or :N for e2e_display_start */
	char log[128];
	int display; /* e2e_display_start: the display number, else -1 */
};

/** Path of a built program: $XP_BIN/NAME (default build/bin/NAME). */
const char *e2e_bin(const char *name, char *buf, size_t cap);
/**
 * Start xproto-server with a fresh cookie and socket in a new temporary
 * directory, plus @extra arguments (NULL-terminated, may be NULL). Waits
 * (bounded) until it listens. Returns 0 or -1.
 */
int e2e_server_start(struct e2e_server *s, const char *const *extra);
/**
 * Start xproto-server on a free display :N (its own port 7100+N and socket
 * /tmp/xproto-UID/N.sock, as a user runs it), with a fresh cookie in a new
 * temporary directory and @extra arguments. A display another server holds
 * makes it exit 3, and the next one is tried (at most 64, from a number
 * derived from the pid). Sets s->display and s->addr ":N". Returns 0 or -1.
 */
int e2e_display_start(struct e2e_server *s, const char *const *extra);
/** SIGTERM the server, wait (bounded), remove the directory. */
void e2e_server_stop(struct e2e_server *s);
/** Ask the server to dump its windows (SIGUSR1) and wait for them. */
int e2e_server_dump(struct e2e_server *s);
/** Read the dumped window @id of session @session; 0 or -1. */
int e2e_server_window(struct e2e_server *s, const char *session, uint32_t id, struct xr_fb *out);

/**
 * Connect a raw protocol client (role thin client, screen 800x600) to
 * session @session of @s and do the handshake. @cookie_override replaces the
 * cookie's bytes if not NULL; @rcvbuf > 0 shrinks the socket's receive
 * buffer. Returns 0 or -1 (xp_conn_error(c) says why).
 */
int e2e_raw_client(struct e2e_server *s, struct xp_conn *c, const char *session,
                   const uint8_t *cookie_override, int rcvbuf);
/** Resident memory of process @pid in KiB (from /proc), or -1. */
long e2e_rss_kb(pid_t pid);
/** The pid the server logged for the last launch of @app, or -1. */
pid_t e2e_launched_pid(const struct e2e_server *s, const char *app);
/**
 * Wait up to @timeout_ms until the server has logged that it reaped the
 * app with pid @pid ("app pid N exited ..." or "... killed by signal").
 * A check by pid in /proc could see another process: pids are reused.
 */
bool e2e_app_reaped(const struct e2e_server *s, pid_t pid, int timeout_ms);

/** Connect an in-process app to @s. */
struct xa_display *e2e_app(struct e2e_server *s, const char *session);

/**
 * Start a headless thin client on @s running @script (text, written to a
 * file), with extra arguments @extra (NULL-terminated, may be NULL; a
 * --cookie there replaces the server's), its stderr in @s->dir/client-N.log.
 * Returns the pid or -1.
 */
pid_t e2e_client_spawn(struct e2e_server *s, const char *script, const char *const *extra);
/**
 * Wait up to @timeout_ms until a thin client started by e2e_client_spawn()
 * on @s has run its script's `checkpoint @name` (it logs a line for it).
 * Returns true when one has, false at the deadline.
 */
bool e2e_checkpoint(const struct e2e_server *s, const char *name, int timeout_ms);
/**
 * Run a headless thin client on @s with @script and wait for it (bounded).
 * Returns its exit status, or -1 (it did not start or end in time).
 */
int e2e_client_run(struct e2e_server *s, const char *script, const char *const *extra);
/**
 * Whether a thin client shows what the server holds: once the apps are
 * idle, a fresh client's screenshot (after `sync`) of the @w x @h area at
 * (@x, @y), where the session placed the window, equals the server's
 * window @id of session "main". Tried again until
 * @timeout_ms, as an app may still be drawing its last frame; a client
 * that disagrees with the server never passes. Returns the differing
 * pixel count of the last try (0: equal), or -1 when no try completed.
 */
long e2e_client_vs_server(struct e2e_server *s, uint32_t id, int x, int y, int w, int h,
                          int timeout_ms);
/** True if @a's top-left @w x @h equals @b's. */
bool e2e_fb_region_equal(const struct xr_fb *a, const struct xr_fb *b, int w, int h);
/** Count of pixels that differ in the top-left @w x @h. */
long e2e_fb_diff(const struct xr_fb *a, const struct xr_fb *b, int w, int h);
/**
 * Count of pixels of the @w x @h area at (@x, @y) of @screen that differ
 * from the top-left @w x @h of @win; -1 if either is too small.
 */
long e2e_fb_diff_at(const struct xr_fb *screen, int x, int y, const struct xr_fb *win, int w,
                    int h);
/**
 * Where the session put app window @win: waits until the server processed
 * everything sent (xa_sync), then takes the queued events (others are
 * dropped) and returns the last position a WIN_CONFIGURE gave, or (@x, @y)
 * as asked when the server kept it. Returns 0, or -1 when the sync failed.
 */
int e2e_window_pos(struct xa_display *d, uint32_t win, int32_t *x, int32_t *y);

#endif
