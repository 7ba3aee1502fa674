/*
 * x11run.h - the X bridge under test, shared by the X bridge's end-to-end
 * tests: a real xproto-server (no launcher), xp-x11 --display-only with its
 * own Xvfb, real X programs on its display, and finding their windows. The
 * start-up asserts (cmocka): a test that cannot start the bridge fails.
 */
#ifndef X11RUN_H
#define X11RUN_H

#include <stdbool.h>
#include <sys/types.h>
#include <xcb/xcb.h>

#include "e2e.h"

/** A server, its bridge and the X programs a test started on the bridge. */
struct br_bridge {
	struct e2e_server s;
	pid_t pid;        /* xp-x11 */
	char display[16]; /* its X display, ":N" */
	char log[192];    /* its stderr */
	pid_t progs[8];
	int nprogs;
	bool ok; /* the test got to its end: else br_stop shows the logs */
};

/** True when @prog is on $PATH. */
bool br_have(const char *prog);
/**
 * Start xproto-server (--no-launcher) and xp-x11 --display-only (plus the
 * option @extra, or NULL) in session main; read its DISPLAY (20 s at most).
 * Skips the test (cmocka skip()) when Xvfb, xterm or xlogo is missing.
 */
void br_start(struct br_bridge *br, const char *extra);
/**
 * Kill the programs, stop the bridge and the server (bounded); accepts a
 * stopped one. Shows the server's, bridge's and clients' logs unless br->ok.
 */
void br_stop(struct br_bridge *br);
/** Run @argv on the bridge's display (stdio to /dev/null, PS1='$ '). Its pid. */
pid_t br_run(struct br_bridge *br, const char *const *argv);
/** xterm -fn 6x13 -geometry @geometry +sb running bash --norc, titled "xterm". */
pid_t br_xterm(struct br_bridge *br, const char *geometry);
/**
 * A real thin-client window (--size @size, "WxH") on X display @display
 * (the user's desktop), attached to the bridge's session; its stderr in
 * the server's directory as client-N.log (shown when the test fails).
 * Its pid.
 */
pid_t br_thin_client(struct br_bridge *br, const char *display, const char *size);
/** The viewable top-level on @c whose title contains @title, waiting up to @timeout_ms; 0 if none.
 */
xcb_window_t br_xfind(xcb_connection_t *c, const char *title, int timeout_ms);

#endif
