/*
 * x11.h - internals of xp-x11, the X bridge (prefix xb_).
 *
 * xp-x11 runs a private X display (Xvfb), is its window manager, and shows
 * every top-level X window as an xproto window. Each X client gets its own
 * xproto app connection, so the server's per-app limits, and a crash, cost
 * only that client. Pixels: Composite keeps each top-level in its own
 * pixmap, DAMAGE says what changed, MIT-SHM reads it, and the renderer's
 * encoder sends only the tiles that differ from what the server holds.
 * Input from the session goes back through XTEST.
 *
 *   xserver.c  Xvfb: start with -displayfd, the session's display file
 *   xconn.c    the X connection: extensions, atoms, the SHM segment
 *   wm.c       window management: map, configure, titles, close, focus
 *   mirror.c   the xproto side: a connection per X client, its windows
 *   pixels.c   damage -> read -> encode -> send, and the frame pacing
 *   input.c    KEY/BUTTON/MOTION -> XTEST, keysyms -> keycodes
 *   cursor.c   the pointer shape X shows (XFIXES) -> CURSOR, WIN_CURSOR
 *   clip.c     CLIPBOARD, PRIMARY <-> the session clipboard (thin-client/xsel.c)
 *   main.c     options, the event loop
 */
#ifndef XB_X11_H
#define XB_X11_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <xcb/xcb.h>

#include "xpapp.h"
#include "xrender.h"

/** Largest window side the bridge mirrors (xproto-server's default limit). */
#define XB_MAX_DIM 4096
/** Windows one X client may show (xproto-server's default per-app limit). */
#define XB_MAX_WINDOWS 64
/** A close the program ignores for this long kills it. */
#define XB_CLOSE_GRACE_MS 3000
/** Session events handled per program connection per pass of the main loop. */
#define XB_EVENTS_PER_PASS 256

/** The atoms the bridge uses, interned once. */
struct xb_atoms {
	xcb_atom_t wm_protocols, wm_delete_window, wm_take_focus, wm_state, wm_transient_for;
	xcb_atom_t net_wm_name, utf8_string, net_supported, net_supporting_wm_check;
	xcb_atom_t net_active_window, net_wm_window_type, net_wm_pid, net_client_list;
};

struct xb;
struct tc_xsel;

/** The session clipboard bridged with the display's selections (clip.c). */
struct xb_clip {
	struct xa_display *ctl;        /* the bridge's own connection: it owns for X */
	struct tc_xsel *xsel;          /* the selection protocol, NULL: not bridged */
	xcb_window_t win;              /* owns the X selections for the session */
	bool announced[XP_CLIP_COUNT]; /* an X client's selection is offered */
	uint32_t req[XP_CLIP_COUNT];   /* our paste of the session's selection, 0 none */
};

/** One X client: one xproto app connection, shared by its windows. */
struct xb_client {
	struct xb *b;
	uint32_t base; /* X resource-id base of the client */
	struct xa_display *d;
	int nwin;            /* windows shown through d */
	bool failed, warned; /* d is gone / the window limit was reported */
	bool more;           /* the last pass stopped at its bound: events may wait in d's buffer */
	uint32_t cursor_serial[XP_CURSOR_IDS + 1]; /* XFIXES shape d holds per id */
	uint32_t cursor_next;                      /* the id reused last */
	struct xb_client *next;
};

/** One top-level X window (managed or override-redirect). */
struct xb_win {
	xcb_window_t xid;
	struct xb_client *cl;
	uint32_t id;    /* xproto window id, 0 while not shown */
	int x, y, w, h; /* outer geometry: the border is part of the picture */
	int bw;         /* X border width */
	bool override, viewable, refused;
	bool resend;    /* the shadow cannot be trusted: send the whole window */
	bool maximized; /* the session sizes it (--maximize) */
	xcb_window_t transient_for;
	uint32_t damage;      /* xcb_damage_damage_t, 0 = none */
	uint32_t pixmap;      /* the Composite pixmap holding its contents, 0 = none */
	struct xr_rect dirty; /* damaged since the last frame */
	uint64_t dirty_since; /* µs when dirty became non-empty */
	uint64_t last_damage; /* µs of the last DAMAGE event */
	struct xr_fb shadow;  /* what the server holds for the window */
	struct xr_enc enc;
	char title[257];
	bool delete_protocol;    /* WM_DELETE_WINDOW supported */
	bool cursor_sent;        /* its pointer shape was sent: cursor_serial */
	uint32_t cursor_serial;  /* XFIXES serial of the shape the session has */
	uint64_t close_deadline; /* a close was asked: kill after this (µs), 0 none */
	struct xb_win *next;
};

/** The bridge. */
struct xb {
	xcb_connection_t *xc;
	xcb_screen_t *screen;
	xcb_window_t root, check_win;
	struct xb_atoms atom;
	uint8_t damage_event;
	uint32_t id_mask; /* the X server's resource-id mask */
	/* MIT-SHM segment the window contents are read into */
	uint32_t seg;
	int shmid;
	uint8_t *shm;
	size_t shm_size;
	struct xb_win *wins;
	int nwins;
	struct xb_client *clients;
	xcb_window_t focus;        /* X window holding the keyboard focus */
	xcb_window_t pointer_xid;  /* the window the session's pointer went to last */
	uint8_t cursor_event;      /* XFIXES CursorNotify */
	xcb_atom_t default_cursor; /* the name of the root's arrow (cursor.c) */
	bool cursor_warned;        /* a shape too large was reported */
	struct xb_input *in;
	struct xb_clip clip;
	/* the xproto side */
	const char *addr, *cookie, *session;
	uint32_t screen_w, screen_h;
	uint64_t last_frame_us;
	bool maximize; /* main windows take the session's size */
	bool quit;
	uint64_t frames, bytes_read; /* statistics */
};

/* xserver.c */

/** A private X server (Xvfb) started by the bridge. */
struct xb_xserver {
	pid_t pid;
	int display;
	char name[16]; /* ":N" */
};
/**
 * xb_xserver_start - start Xvfb -displayfd -noreset with one 24-bit screen
 * of @w x @h, without TCP, and wait (at most @timeout_ms) until it is ready.
 * Return: 0, or -1 with a message on stderr.
 */
int xb_xserver_start(struct xb_xserver *x, int w, int h, int timeout_ms);
/** xb_xserver_stop - SIGTERM it, wait (bounded), SIGKILL if needed. */
void xb_xserver_stop(struct xb_xserver *x);
/**
 * xb_display_file - path of the file naming the display of session
 * @session's shared bridge (xp-x11 --display-only) of the server whose app
 * endpoint is @sock: beside that socket, SOCKET.x11-SESSION.display. Into
 * @buf. Return: @buf, or NULL when it does not fit.
 */
char *xb_display_file(const char *sock, const char *session, char *buf, size_t cap);

/* xconn.c */

/**
 * xb_x_open - connect to display @name, check and set up the extensions
 * (Composite, DAMAGE, MIT-SHM, XTEST, XFIXES), intern the atoms, become the
 * window manager and redirect every top-level. Return: 0, or -1 with a
 * message on stderr.
 */
int xb_x_open(struct xb *b, const char *name);
/** xb_x_close - release the SHM segment and the connection. */
void xb_x_close(struct xb *b);
/**
 * xb_x_read - read the @r area of window @w into the SHM segment, laid out
 * as @fb: the window's size, one row of w pixels after another.
 * Return: 0, or -1 (window gone, no memory).
 */
int xb_x_read(struct xb *b, const struct xb_win *w, struct xr_rect r, struct xr_fb *fb);

/* wm.c */

/** xb_wm_adopt - manage the windows that exist already (at start). */
void xb_wm_adopt(struct xb *b);
/** xb_wm_event - handle one X event (not DAMAGE); false if not ours. */
bool xb_wm_event(struct xb *b, xcb_generic_event_t *ev);
/** xb_win_find - the top-level with X id @xid, or NULL. */
struct xb_win *xb_win_find(struct xb *b, xcb_window_t xid);
/** xb_wm_close - ask window @w to close (WM_DELETE_WINDOW, else kill). */
void xb_wm_close(struct xb *b, struct xb_win *w);
/** xb_wm_focus - give @w the X keyboard focus and raise it. */
void xb_wm_focus(struct xb *b, struct xb_win *w);
/** xb_wm_resize - the session resized @w: configure the X window. */
void xb_wm_resize(struct xb *b, struct xb_win *w, uint32_t width, uint32_t height);
/** xb_wm_timers - kill programs that ignored a close; ms until the next, -1. */
int xb_wm_timers(struct xb *b);

/* mirror.c */

/**
 * xb_mirror_show - make @w visible in the session: connect its client if
 * needed, create the xproto window (size checked against the limits) and
 * map it. A refusal is logged once and leaves the X window unshown.
 */
void xb_mirror_show(struct xb *b, struct xb_win *w);
/** xb_mirror_hide - unmap @w's xproto window. */
void xb_mirror_hide(struct xb *b, struct xb_win *w);
/** xb_mirror_forget - destroy @w's xproto window (the X window is gone). */
void xb_mirror_forget(struct xb *b, struct xb_win *w);
/** xb_mirror_geometry - @w moved or changed size in X: tell the session. */
void xb_mirror_geometry(struct xb *b, struct xb_win *w);
/** xb_mirror_title - @w's title changed. */
void xb_mirror_title(struct xb *b, struct xb_win *w);
/**
 * xb_mirror_fds - fill @fds (room for @cap) with the clients' sockets.
 * Return: how many.
 */
int xb_mirror_fds(struct xb *b, struct pollfd *fds, int cap);
/**
 * xb_mirror_events - read and handle events of every client with input, at
 * most XB_EVENTS_PER_PASS per client (a flood from one cannot starve the
 * rest); a client stopped at that bound is served on the next pass even
 * without new data (see xb_mirror_busy).
 */
void xb_mirror_events(struct xb *b);
/**
 * xb_mirror_busy - true when some client has events left from the last
 * pass (already read, so poll() would not wake up for them): the main loop
 * must not sleep before the next xb_mirror_events().
 */
bool xb_mirror_busy(const struct xb *b);
/** xb_mirror_flush - flush every client's output. */
void xb_mirror_flush(struct xb *b);
/** xb_mirror_finish - close every client connection. */
void xb_mirror_finish(struct xb *b);

/* pixels.c */

/** xb_pixels_track - start DAMAGE on @w (when it becomes viewable). */
void xb_pixels_track(struct xb *b, struct xb_win *w);
/** xb_pixels_untrack - stop DAMAGE on @w. */
void xb_pixels_untrack(struct xb *b, struct xb_win *w);
/** xb_pixels_damage - a DAMAGE event; false if @ev is not one. */
bool xb_pixels_damage(struct xb *b, xcb_generic_event_t *ev);
/** xb_pixels_due - ms until the next frame should go, 0 now, -1 nothing. */
int xb_pixels_due(struct xb *b);
/** xb_pixels_frame - send every window's changes. */
void xb_pixels_frame(struct xb *b);
/** xb_pixels_all - mark the whole of @w damaged (after a resize or map). */
void xb_pixels_all(struct xb *b, struct xb_win *w);

/* input.c */

/** xb_input_create - read the keymap, find spare keycodes. NULL on error. */
struct xb_input *xb_input_create(struct xb *b);
/** xb_input_destroy - release every key still held. Accepts NULL. */
void xb_input_destroy(struct xb *b, struct xb_input *in);
/** xb_input_mapping - the keyboard mapping changed: read it again. */
void xb_input_mapping(struct xb *b, struct xb_input *in);
/** xb_input_key - a KEY from the session for window @w. */
void xb_input_key(struct xb *b, struct xb_win *w, const struct xa_event *ev);
/** xb_input_pointer - a BUTTON or MOTION from the session for @w. */
void xb_input_pointer(struct xb *b, struct xb_win *w, const struct xa_event *ev);

/* cursor.c */

/**
 * xb_cursor_init - give the root the arrow (named, so windows showing it get
 * the session's default) and ask XFIXES for cursor changes. 0 or -1.
 */
int xb_cursor_init(struct xb *b);
/**
 * xb_cursor_update - send the window under the X pointer the shape X shows
 * now, if the session does not have it yet (defining it first).
 */
void xb_cursor_update(struct xb *b);
/** xb_cursor_event - an XFIXES CursorNotify; false if @ev is not one. */
bool xb_cursor_event(struct xb *b, xcb_generic_event_t *ev);

/* clip.c */

/**
 * xb_clip_init - bridge CLIPBOARD and PRIMARY of the display with the
 * session clipboard over @ctl, the bridge's own session connection
 * (borrowed: it must outlive xb_clip_finish). Return: 0, or -1 (logged;
 * the bridge runs on without a clipboard).
 */
int xb_clip_init(struct xb *b, struct xa_display *ctl);
/** xb_clip_finish - free the selection state (the X side goes with the display). */
void xb_clip_finish(struct xb *b);
/** xb_clip_xevent - an X event about selections; false if @ev is not one. */
bool xb_clip_xevent(struct xb *b, xcb_generic_event_t *ev);
/** xb_clip_session - an XA_CLIP_OWNER, XA_CLIP_REQUEST or XA_CLIP_DATA on ctl. */
void xb_clip_session(struct xb *b, const struct xa_event *ev);
/**
 * xb_clip_timers - give up transfers past their deadline.
 * Return: ms until the next deadline, -1 none.
 */
int xb_clip_timers(struct xb *b);

/** xb_log - print a line on stderr prefixed "xp-x11: ". */
void xb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
