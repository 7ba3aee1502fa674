/*
 * server_int.h - the internals of xproto-server shared by its files.
 */
#ifndef XS_SERVER_INT_H
#define XS_SERVER_INT_H

#include <stdarg.h>
#include <sys/types.h>

#include "loop.h"
#include "server.h"
#include "xdraw.h"
#include "xproto.h"
#include "xrender.h"

struct xs_server;
struct xs_session;
struct xs_cache_entry;
struct xs_cursor;

/*
 * Fairness: the loop is one thread, so the work of each loop turn is
 * bounded, in units of about a nanosecond: a byte decoded or inflated is one
 * unit, a message XS_MSG_COST more, drawing what it touches. The turn's
 * XS_TURN_WORK (about a millisecond: on a loaded machine every millisecond
 * of a turn is many for another session's round trip) is shared by the
 * connections that worked in the last turn (at
 * most XS_TURN_BUDGET, at least XS_MIN_BUDGET each); a peer whose share is
 * spent is not read again until the next turn (peer.c). A message is
 * charged the time it really took when that is more than its estimate.
 * Output is compressed XS_DEFLATE_US a turn, shared the same way: each peer
 * compresses the bytes its output takes that long to (measured; between
 * XS_MIN_DEFLATE and XS_DEFLATE_SLICE).
 */
#define XS_TURN_WORK     (1u << 20)
#define XS_TURN_BUDGET   (256u << 10)
#define XS_MIN_BUDGET    (32u << 10)
#define XS_MSG_COST      128u
#define XS_INFLATE_SLICE (256u << 10)
#define XS_DEFLATE_US    1000u
#define XS_DEFLATE_RATE  (32u << 10) /* bytes compressed a ms, until measured */
#define XS_DEFLATE_SLICE (128u << 10)
#define XS_MIN_DEFLATE   (8u << 10)
#define XS_PIECE_US      250u /* a piece of a large drawing job takes about this */

/* Per-message limits of drawing (SPEC.md section 12): beyond, LIMIT. */
#define XS_MAX_RECTS       4096u       /* rectangles in one FILL_RECTS */
#define XS_MAX_DRAW_PIXELS (64u << 20) /* pixels one FILL_RECTS may touch */
#define XS_MAX_TEXT        16384u      /* bytes of one TEXT */

/* per-connection state machine */
enum xs_state { XS_HANDSHAKE, XS_RUNNING, XS_DRAINING, XS_CLOSED };

/* map.c: a hash map from 64-bit keys to (non-NULL) pointers, O(1) */
struct xs_map_slot {
	uint64_t key;
	void *val; /* NULL: empty slot */
};
/** A map; a zeroed struct is an empty map. */
struct xs_map {
	struct xs_map_slot *slot;
	size_t cap, n; /* cap: 0 or a power of two; n entries */
	uint64_t seed; /* per map, random: peers cannot make ids collide */
};
/** The value stored under @key, or NULL. */
void *xs_map_get(const struct xs_map *m, uint64_t key);
/** Store @val (not NULL) under @key, replacing. Returns 0 or -1 (no memory). */
int xs_map_put(struct xs_map *m, uint64_t key, void *val);
/** Remove @key; returns the value it had, or NULL. */
void *xs_map_del(struct xs_map *m, uint64_t key);
/**
 * Iterate: start with *@pos = 0; each call gives the next entry (@key and
 * @val may be NULL) and returns true, or false at the end. The map must not
 * change during the iteration.
 */
bool xs_map_next(const struct xs_map *m, size_t *pos, uint64_t *key, void **val);
/** Remove everything, keeping the table. */
void xs_map_clear(struct xs_map *m);
/** Free the table; the map is empty and usable again. */
void xs_map_finish(struct xs_map *m);

/** A set of ids (windows a client knows, images it holds), O(1) each. */
struct xs_idset {
	struct xs_map map;
};
/** True when @id is in @s. */
bool xs_idset_has(const struct xs_idset *s, uint32_t id);
/** Add @id; returns 0, or -1 when out of memory. */
int xs_idset_add(struct xs_idset *s, uint32_t id);
/** Remove @id (absent: nothing happens). */
void xs_idset_del(struct xs_idset *s, uint32_t id);
/** Remove every id, keeping the table. */
void xs_idset_clear(struct xs_idset *s);
/** Free the table; the set is empty and usable again. */
void xs_idset_finish(struct xs_idset *s);

/** What the session's window manager keeps about a window (arrange.c). */
struct xs_arrange {
	uint32_t state;       /* XP_STATE_* */
	uint32_t parent;      /* session id of its parent (WIN_PARENT), 0: none */
	bool placed;          /* its first map is done: the server placed it */
	struct xp_rect saved; /* the geometry before a maximise */
};

#define XS_CYCLE_MAX 64 /* windows an Alt+Tab cycle goes through */

/** A client's pointer and keyboard as the window manager sees them (wm.c). */
struct xs_wm_input {
	bool seamless;             /* HELLO XP_FLAG_SEAMLESS: the user's WM arranges */
	uint32_t mods;             /* XP_MOD_* held, from the KEY messages */
	uint32_t pointer_win;      /* POINTER_WIN, 0: hit-test by position */
	uint32_t drag_win;         /* a frame drag (move or resize) runs, 0: none */
	uint32_t drag_button;      /* the button that started it */
	unsigned drag_edges;       /* XP_EDGE_* being resized, 0: a move */
	int32_t drag_px, drag_py;  /* the pointer when it started */
	struct xp_rect drag_start; /* the window's geometry when it started */
	uint32_t press_win;        /* a title-bar button pressed, acts on release */
	int press_part;            /* which (enum xp_frame_part) */
	uint32_t click_win;        /* the last title-bar click, for double-clicks */
	uint64_t click_us;
	uint32_t cycle[XS_CYCLE_MAX]; /* Alt+Tab: the windows when it started */
	int ncycle, cycle_pos;        /* ncycle 0: no cycle runs */
};

/* Keys typed while an app starts (hold.c): bounded in count and time. */
#define XS_HOLD_KEYS 256       /* held per launch, and behind the launcher */
#define XS_HOLD_US   10000000u /* a launch holds keys for at most 10 s */
#define XS_GATE_US   1000000u  /* the launcher answers a key within 1 s */

/** One key held back (hold.c); its text as much as an app event carries. */
struct xs_held_key {
	uint32_t state, keysym;
	char text[64]; /* NUL-terminated UTF-8, cut at a character */
};

/** Held keys in order: at most XS_HOLD_KEYS, allocated at the first. */
struct xs_keyq {
	struct xs_held_key *v;
	size_t n;
	uint32_t dropped; /* keys beyond the bound */
};

/** An app process the server started, until it is reaped (child.c). */
struct xs_child {
	pid_t pid; /* 0: a free slot */
	struct xs_session *session;
	char app[32]; /* the name it was launched by; "" for the launcher */
	uint64_t started_us;
	bool shown;                        /* it has mapped a window */
	int err_fd;                        /* its stderr pipe, -1 once closed */
	char line[256];                    /* the stderr line being read */
	size_t len;                        /* bytes in @line */
	bool line_seen;                    /* this line's start was already kept */
	char last[XP_EXIT_REASON_MAX + 1]; /* the last non-empty stderr line */
	struct xs_keyq held;               /* keys typed for it while it starts */
};

/** Damage a behind client still has to be sent, per window. */
struct xs_damage {
	uint32_t win;
	struct xr_rect r;
};

struct xs_peer {
	struct xs_server *srv;
	struct xs_session *session;
	struct xs_peer *next;     /* in the session's app or client list */
	struct xs_peer *all_next; /* in the server's list */
	enum xs_state state;
	enum xp_role role;
	struct xp_conn conn;
	char name[64];
	uint32_t conn_id;
	uint64_t handshake_timer, drain_timer;
	bool is_tcp, app_endpoint;
	bool counted;                        /* in the server's app or client count (peer.c) */
	bool in_handshakes;                  /* linked in the server's handshake list */
	struct xs_peer *hs_older, *hs_newer; /* that list, oldest first */
	/* app side */
	struct xd_state in; /* what the app set (app-local target id) */
	int windows;
	struct xs_map app_windows; /* the app's window id -> struct xs_window */
	struct xs_map app_images;  /* the app's cache id -> struct xs_cache_entry */
	pid_t pid;                 /* launched by us, or 0 */
	/* client side */
	struct xd_state out;    /* what the client holds */
	struct xs_idset known;  /* windows the client has been told about */
	struct xs_idset cached; /* session cache entries the client holds */
	struct xs_idset stale;  /* unmapped windows whose pixels it has not got */
	uint32_t mark_sent, mark_acked;
	uint64_t plain_at_mark[64]; /* ring: plain bytes queued at MARK n */
	uint64_t last_ack_us, last_mark_us;
	uint64_t last_input_us; /* bytes last arrived (keepalive) */
	int64_t budget;         /* work left this turn (its share of XS_TURN_WORK) */
	uint32_t zrate;         /* bytes of its output compressed a ms (0: not measured) */
	uint32_t repair_ns;     /* what refreshing a pixel for it costs, in ns (update.c) */
	struct xs_job *job;     /* an app's drawing in progress (job.c) */
	uint64_t budget_turn;   /* the turn the budget belongs to */
	bool pending;           /* received input left for the next turn */
	bool sent_since_mark, behind;
	struct xs_damage *damage;
	size_t ndamage, damage_cap;
	uint32_t buttons; /* held pointer buttons */
	uint32_t grab;    /* window receiving pointer while a button is held */
	int32_t px, py;   /* last pointer position */
	uint64_t dropped_input;
	struct xs_wm_input wm;      /* frames, drags, chords (wm.c) */
	pid_t launch_pid;           /* app: the launch it belongs to (child.c), or 0 */
	bool sync_keys;             /* app: answers each key press with SYNC (the launcher) */
	struct xs_cursor **cursors; /* app: its shapes by id 1..64 (cursor.c), or NULL */
	uint64_t *cursor_held;      /* client: the shape (serial) it holds per id, or NULL */
	uint32_t cursor_next;       /* client: the id reused last when all are taken */
	uint32_t key_fence;         /* client: its keys are dropped until it ACKs this MARK
	                             * (a launch it typed for ended, hold.c), or 0 */
};

struct xs_window {
	uint32_t id;     /* session-wide id, used with clients */
	uint32_t app_id; /* the owning app's id */
	struct xs_peer *owner;
	int32_t x, y;
	uint32_t w, h, flags, bg;
	bool mapped;
	bool busy;               /* a job is drawing into it (job.c): not repaired meanwhile */
	uint32_t want_w, want_h; /* a size to take after its app's job (job.c), or 0 */
	char title[257];
	struct xr_fb fb;
	struct xs_cursor *cursor; /* the pointer shape over it, NULL = the default */
	struct xs_arrange arr;    /* placement, frame, minimised, parent (arrange.c) */
};

/* clipboard.c: one transfer from a selection's owner to a requester */
#define XS_CLIP_XFERS          8 /* in flight per session */
#define XS_CLIP_XFERS_PER_PEER 2 /* of which one requester may have */
struct xs_clip_xfer {
	uint32_t id;     /* the id the owner answers to; 0: slot free */
	uint32_t req_id; /* the requester's own id */
	struct xs_peer *owner, *req;
	uint64_t bytes, timer;
};

/** The session's clipboard: each selection's owner, the transfers. */
struct xs_clipboard {
	struct xs_peer *owner[XP_CLIP_COUNT]; /* NULL: nobody offers it */
	uint64_t size[XP_CLIP_COUNT];         /* the owner's size hint */
	struct xs_clip_xfer xfer[XS_CLIP_XFERS];
	uint32_t next_id;
};

struct xs_session {
	struct xs_server *srv;
	struct xs_session *next;
	char name[65];
	struct xs_window **stack; /* bottom to top */
	size_t nwin, wcap;
	struct xs_peer *apps, *clients;
	uint32_t next_win_id, focus;
	uint32_t screen_w, screen_h;
	size_t pixel_bytes;
	struct xs_peer *launcher;     /* the xp-launcher app, if connected */
	struct xs_cache_entry *cache; /* images apps asked to keep */
	struct xs_idset cache_ids;    /* their session-wide ids */
	struct xs_map windows;        /* session id -> struct xs_window */
	size_t cache_bytes;
	uint32_t next_cache_id;
	uint64_t launcher_started_us;
	uint64_t app_launched_us; /* an app is starting: do not cover it */
	uint64_t active_us;       /* last input from a client (idle time), or creation */
	pid_t hold_pid;           /* keys are held for this launch (hold.c), or 0 */
	struct xs_keyq gate;      /* keys behind the launcher's unanswered press */
	bool gated;               /* the launcher has a key press to answer */
	uint64_t gate_us;         /* since when */
	struct xs_clipboard clip;
};

struct xs_app_entry {
	char name[32];
	char about[96];
	char command[512];
};

struct xs_server {
	struct xs_options opt;
	struct xs_loop *loop;
	struct xp_cookie cookie;
	int tcp_fd, unix_fd, app_tcp_fd, sig_fd;
	uint64_t accept_timer; /* accepting paused: out of descriptors (listen.c) */
	uint64_t turn;         /* loop turns so far: budgets are per turn */
	int workers, working;  /* peers that worked in the last turn, and in this one */
	int port;
	struct xs_session *sessions;
	struct xs_peer *peers;
	int nclients, napps, nsessions;
	size_t pixel_bytes;                    /* window and cached-image pixels, all sessions */
	struct xs_release *releases;           /* pixels being given back (release.c) */
	size_t releasing;                      /* ... their bytes, counted in pixel_bytes */
	struct xs_peer *hs_oldest, *hs_newest; /* peers in their handshake */
	int nhandshakes;
	uint32_t next_conn_id;
	struct xs_app_entry *apps;
	size_t napps_known;
	char cookie_path[512];
	char app_socket[108];
	bool stopping;
	char listen_addr[300]; /* the display's TCP endpoint when --listen is not given */
	bool display_socket;   /* the app socket is the display's: apps get XPROTO_DISPLAY */
	bool addr_in_use;      /* an endpoint failed with EADDRINUSE */
};

/* log.c */
/**
 * Print "xproto-server: " (and a timestamp at XS_DEBUG) and the printf-style
 * line @fmt to stderr when @level is at most the server's log level; a NULL
 * @s logs everything.
 */
void xs_log(const struct xs_server *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define XS_ERROR 0
#define XS_INFO  1
#define XS_DEBUG 2

/* display.c: the display number's endpoints, and what apps are told */
/**
 * Fill s->opt.listen and s->app_socket from display :N where the options
 * leave them unset (127.0.0.1:7100+N, /tmp/xproto-UID/N.sock). Never fails.
 */
void xs_display_paths(struct xs_server *s);
/** Create or check the private socket directory when the display's socket is used. 0 or -1. */
int xs_display_prepare(struct xs_server *s);
/** Print "xproto-server: display :N" when the endpoints are the display's. */
void xs_display_announce(const struct xs_server *s);
/**
 * In a launched app (after fork): point it at this server, XPROTO_DISPLAY=:N
 * when the app socket is the display's, else XPROTO_APP_SOCKET=PATH (the
 * other variable is removed, so an inherited one cannot mislead it).
 */
void xs_display_child_env(const struct xs_server *s);

/* listen.c */
/**
 * Open and watch the endpoints: TCP s->opt.listen for clients (if set), the
 * Unix socket s->app_socket for apps, TCP s->opt.app_tcp for apps (if set).
 * Returns 0, or -1 (logged) leaving those opened so far for xs_listen_close().
 */
int xs_listen_all(struct xs_server *s);
/**
 * Stop accepting: cancel the accept pause, close every endpoint and unlink
 * the app socket, but only if this server had opened it.
 */
void xs_listen_close(struct xs_server *s);

/* peer.c: connection lifecycle, and the dispatcher both roles use */
/** A message handler: 0, or -1 with @err set (xs_dispatch() decides what follows). */
typedef int (*xs_handler_fn)(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/**
 * Run handler @fn for @m. No handler (@fn NULL) fails the connection with
 * "X is not allowed from @who"; a handler's fatal error fails it too, a
 * non-fatal one (xs_error_fatal()) is sent as ERROR and the peer goes on.
 * Returns 0 when the handler succeeded, else -1.
 */
int xs_dispatch(struct xs_peer *p, const struct xp_msg *m, xs_handler_fn fn, const char *who);
/** True for the error codes that close the connection (SPEC.md section 8). */
bool xs_error_fatal(enum xp_err_code code);
/** PING: answer PONG with its seq and time; for a client it may need no MARK. Returns 0. */
int xs_on_ping(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/** A handler for messages that are allowed and need nothing done. Returns 0. */
int xs_on_ignore(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/**
 * A new connection on @fd (accepted from TCP when @is_tcp, on an app endpoint
 * when @app_endpoint): send the preamble, start the handshake deadline and
 * add it to s->peers, which owns it. Returns NULL when out of memory or @fd
 * cannot be watched; the caller then closes @fd.
 */
struct xs_peer *xs_peer_create(struct xs_server *s, int fd, bool is_tcp, bool app_endpoint);
/**
 * Fail @p: log and send ERROR @code about opcode @about with the printf-style
 * text @fmt (cut at 159 bytes), leave its session, then drain its output and
 * close it. Does nothing when @p is already closed or draining.
 */
void xs_peer_fail(struct xs_peer *p, enum xp_err_code code, unsigned about, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/**
 * Close @p at once, logging @why: leave its session and stop watching it; it
 * is freed by the next xs_peers_flush(). Does nothing when already closed.
 */
void xs_peer_close(struct xs_peer *p, const char *why);
/**
 * Close the oldest connection still in its handshake at once (its fd too),
 * telling it @why. Returns false when no connection is in its handshake.
 */
bool xs_peer_drop_oldest_handshake(struct xs_server *s, const char *why);
/**
 * Free @p, its timers, its job, its connection (the fd is closed) and its
 * sets; the caller has unlinked it from s->peers. NULL is a no-op.
 */
void xs_peer_destroy(struct xs_peer *p);
/**
 * Before each wait: give busy peers their next piece of work, flush every
 * peer's output, free the closed; keeps the loop polling while work is left.
 */
void xs_peers_flush(struct xs_server *s);
/** The work @p may still do this turn (refilled once per turn). */
int64_t xs_peer_budget(struct xs_peer *p);
/** Charge @units of work to @p's budget for this turn (drawing, refreshes). */
void xs_peer_charge(struct xs_peer *p, uint64_t units);
/**
 * Queue @m to @p (copied). Only a running peer is sent anything but ERROR:
 * returns -1 then, or when the connection fails; else 0.
 */
int xs_peer_send(struct xs_peer *p, const struct xp_msg *m);

/* session.c */
/**
 * The session named @name; when there is none and @create is set, a new one
 * (owned by s->sessions) unless max_sessions are open. NULL when absent, at
 * the limit or out of memory.
 */
struct xs_session *xs_session_get(struct xs_server *s, const char *name, bool create);
/**
 * Add @p to @se: an app joins its apps (and may be its launcher); a client
 * joins its clients and is sent the whole session (xs_update_full()).
 */
void xs_session_attach(struct xs_session *se, struct xs_peer *p);
/**
 * Take @p out of its session, if any: an app's job, cached images and
 * windows go with it, and the launcher may come back.
 */
void xs_session_detach(struct xs_peer *p);
/** Free @se, its windows and its cache; peers must be gone. NULL is a no-op. */
void xs_session_destroy(struct xs_session *se);
/** The window of session id @id, or NULL. */
struct xs_window *xs_window_by_id(struct xs_session *se, uint32_t id);
/** The window @app calls @app_id, or NULL (also when @app is not in @se). */
struct xs_window *xs_window_by_app_id(struct xs_session *se, struct xs_peer *app, uint32_t app_id);
/** Position of @w in the stacking order (0: bottom), or SIZE_MAX if absent. */
size_t xs_window_index(struct xs_session *se, const struct xs_window *w);
/** Move @w to the top of the stacking order; nobody is told. */
void xs_window_raise(struct xs_session *se, struct xs_window *w);
/**
 * Give the focus to window @id (0 or unknown: none): the old and new owners
 * are told; clients hear of the new focus only, never of "none".
 */
void xs_session_set_focus(struct xs_session *se, uint32_t id);
/**
 * Unlink @w from @se and its owner's ids, uncount its pixels (given back
 * through xs_release_fb()) and free it; moves the focus off it. Nobody is
 * told, and the owner's window count is the caller's to lower.
 */
void xs_window_remove(struct xs_session *se, struct xs_window *w);

/* window.c */
/**
 * The window @c (a WIN_CREATE) of @app, full-screen when maximized, black
 * pixels, on top of the stack; owned by the session. NULL with @err set when
 * the id is zero or in use (MALFORMED), or over a limit or out of memory (LIMIT).
 */
struct xs_window *xs_window_create(struct xs_peer *app, const struct xp_msg_win_create *c,
                                   struct xp_error *err);
/** Resize @w to @nw x @nh at once (limits checked). Returns 0, or -1 with @err set. */
int xs_window_resize(struct xs_session *se, struct xs_window *w, uint32_t nw, uint32_t nh,
                     struct xp_error *err);
/*
 * The same in steps, for a job (job.c): _begin checks the limits for the
 * new size and allocates its pixels into *@next (0 or -1, @err set);
 * _rows makes rows [@y0, @y1) of *@next (the old pixels where they were,
 * the background beyond); _end makes *@next, every row made, @w's pixels
 * (taken, zeroed), frees the old ones and counts the new size.
 */
int xs_window_resize_begin(struct xs_session *se, const struct xs_window *w, uint32_t nw,
                           uint32_t nh, struct xr_fb *next, struct xp_error *err);
/** Make rows [@y0, @y1) of *@next from @w's pixels and background (see above). */
void xs_window_resize_rows(const struct xs_window *w, struct xr_fb *next, int y0, int y1);
/** Give *@next (taken, zeroed) to @w, release the old pixels and count the new size. */
void xs_window_resize_end(struct xs_session *se, struct xs_window *w, struct xr_fb *next);
/**
 * Whether the server-wide pixel budget (windows and cached images of every
 * session) allows replacing @old_bytes by @new_bytes; pixels still being
 * given back (release.c) are given back at once if that makes room.
 * Returns 0, or -1 with @err set to LIMIT.
 */
int xs_pixels_check(struct xs_server *s, size_t old_bytes, size_t new_bytes, struct xp_error *err);
/**
 * Send @w's geometry as WIN_CONFIGURE with @mask (XP_CONF_*) to the clients
 * that know it, and to its app (under the app's id) when @to_app.
 */
void xs_window_announce(struct xs_session *se, struct xs_window *w, uint32_t mask, bool to_app);
/**
 * Change the screen size of session @se to @w x @h (a client's RESIZE;
 * 0 or above 16384 is ignored):
 * maximized windows follow it and are announced to clients and owners.
 */
void xs_session_resize(struct xs_session *se, uint32_t w, uint32_t h);
/** Fill @m with the WIN_CREATE that introduces @w (session id) to a client. */
void xs_window_msg_create(const struct xs_window *w, struct xp_msg *m);

/* app.c: messages from apps */
/** Dispatch message @m of app @p (drawing or not) through xs_dispatch(). 0 or -1. */
int xs_app_handle(struct xs_peer *p, const struct xp_msg *m);
/**
 * App @p leaves its session: clients are told its windows are destroyed,
 * they are removed, its cursors dropped, and the focus moves on if it held it.
 */
void xs_app_gone(struct xs_peer *p);

/* client.c: messages from thin clients */
/**
 * Dispatch message @m of client @p through xs_dispatch(); one in no session
 * goes to xs_query_handle(). Input restarts the session's idle clock. 0 or -1.
 */
int xs_client_handle(struct xs_peer *p, const struct xp_msg *m);

/* update.c: what each client is sent */
/**
 * Send window message @m (session ids; its first field is the window) to
 * every live client that knows the window: WIN_CREATE teaches it (a client
 * out of memory fails), WIN_DESTROY makes it forget.
 */
void xs_update_window_msg(struct xs_session *se, const struct xp_msg *m);
/**
 * Forward drawing message @m under state @st to each live client that knows
 * @w and has it shown; a client that is behind, or whose in-flight bytes
 * would pass its window, is sent the pixels of @damage later instead.
 */
void xs_update_draw(struct xs_session *se, struct xs_window *w, const struct xd_state *st,
                    const struct xp_msg *m, struct xr_rect damage);
/**
 * Bring client @c to the parts @parts (XD_*) of app state @st, drawing into
 * window @win (the session id), before a command is sent to it. 0 or -1.
 */
int xs_client_state(struct xs_peer *c, uint32_t win, const struct xd_state *st, unsigned parts);
/** Bring client @c to exactly this state (the refresh encoder's). 0 or -1. */
int xs_set_state(struct xs_peer *c, uint32_t target, uint32_t fg, uint32_t bg, uint32_t font,
                 uint32_t flags, const struct xp_rect *clip);
/**
 * Start client @c afresh (new attach): forget what it held, then send every
 * window, title, frame, cursor and map; the pixels follow a slice per turn.
 * Returns 0, or -1 when @c was failed (out of memory: it would otherwise be
 * left believing it holds windows it was never sent) or its link is gone.
 */
int xs_update_full(struct xs_peer *c);
/** Map @w for the clients; those that never got its pixels get them first. */
void xs_update_map(struct xs_session *se, struct xs_window *w);
/**
 * Before the loop sleeps: send client @c a slice of its repairs, a MARK when
 * enough is unmarked, and fail it (LIMIT) when its queue passes the hard limit.
 */
void xs_update_before_sleep(struct xs_peer *c);
/**
 * What client @c was sent after it had @before plain bytes queued (a PONG)
 * needs no MARK of its own: if nothing before it waits for one, the last
 * MARK is taken to cover it, so an idle client's PING costs no MARK and ACK.
 */
void xs_update_unmarked(struct xs_peer *c, uint64_t before);
/**
 * ACK @serial from client @c (cumulative; a repeat is harmless). Returns 0,
 * or -1 when @serial was never sent.
 */
int xs_update_ack(struct xs_peer *c, uint32_t serial);
/**
 * Follow what was sent to client @c so far with a MARK now (unless too many
 * are unanswered: the next one covers it). Returns the serial whose ACK
 * says @c has processed all of it.
 */
uint32_t xs_update_mark_now(struct xs_peer *c);
/**
 * Periodic: fail (TIMEOUT) client @c when a MARK stays unacknowledged past
 * stall_timeout_ms; a client silent for keepalive_ms with nothing to
 * acknowledge is sent a MARK so a dead link shows.
 */
void xs_update_check_stall(struct xs_peer *c);
/** Client @c no longer knows window @win: its damage and state target go too. */
void xs_client_forget(struct xs_peer *c, uint32_t win);
/** Add @r to the pixels of @win owed to @c (out of memory fails @c). */
void xs_client_damage(struct xs_peer *c, uint32_t win, struct xr_rect r);
/** Stop forwarding drawing to @c: it is sent the pixels of @damage (and more) later. */
void xs_client_behind(struct xs_peer *c, uint32_t win, struct xr_rect damage);
/** True when client @c was sent window @win's WIN_CREATE. */
bool xs_client_knows(const struct xs_peer *c, uint32_t win);
/** Record that @c knows window @win. 0, or -1 when out of memory. */
int xs_client_learn(struct xs_peer *c, uint32_t win);

/* cache.c: images apps keep and draw again by id */
/** One drawing message's use of the session cache by app @app. */
struct xs_cache_use {
	struct xs_peer *app;
	struct xs_cache_entry *entry; /* the entry the message kept or drew, if any */
};
/** The session cache as libxpdraw sees it, for one message of @u->app. */
struct xd_cache xs_cache_for(struct xs_cache_use *u);
/**
 * Tell the clients of @se that the entry @u->entry was drawn into @w by
 * message @m (IMAGE or IMAGE_CACHED) under state @st, changing @damage.
 */
void xs_cache_forward(struct xs_session *se, struct xs_window *w, const struct xd_state *st,
                      const struct xs_cache_use *u, const struct xp_msg *m, struct xr_rect damage);
/** Whether @app may keep image @im (size, cache and server limits). 0 or -1, @err set. */
int xs_cache_check(struct xs_peer *app, const struct xp_msg_image *im, struct xp_error *err);
/**
 * Keep @fb (@im decoded; ownership taken, *@fb zeroed) as @app's image
 * @im->cache_id, already drawn into @w changing @damage, and tell the
 * clients. Returns 0, or -1 with @err set (out of memory; @fb freed).
 */
int xs_cache_add(struct xs_peer *app, struct xs_window *w, const struct xd_state *st,
                 const struct xp_msg_image *im, struct xr_fb *fb, struct xr_rect damage,
                 struct xp_error *err);
/** Drop every image @app keeps in @se's cache and free its id map. */
void xs_cache_app_gone(struct xs_session *se, struct xs_peer *app);
/** Free every entry of @se's cache (the session is going; clients are not told). */
void xs_cache_destroy(struct xs_session *se);

/* cursor.c: pointer shapes, kept per window */
/** CURSOR from app @app: check it and keep it under its id. 0, or -1 with @err. */
int xs_cursor_define(struct xs_peer *app, const struct xp_msg *m, struct xp_error *err);
/** WIN_CURSOR from app @app: the window keeps the shape; clients are told. 0 or -1. */
int xs_cursor_set(struct xs_peer *app, const struct xp_msg *m, struct xp_error *err);
/** Tell client @c which shape window @w shows (its CURSOR first if @c lacks it). */
void xs_cursor_refresh(struct xs_peer *c, const struct xs_window *w);
/** Drop one reference to @cur (a window's or an app's); accepts NULL. */
void xs_cursor_unref(struct xs_cursor *cur);
/** App @app leaves: its ids go (windows still showing a shape keep it). */
void xs_cursor_app_gone(struct xs_peer *app);

/* refresh.c: send the current pixels of a window area */
/**
 * The pixels of @r as an IMAGE payload for @c: raw RGB when its stream is
 * compressed, else zlib. *@data is malloc'd (the caller frees it), *@len and
 * *@format set. 0, or -1 (*@data NULL) when @r is empty or not inside @fb
 * (which is checked) or out of memory.
 */
int xs_image_payload(const struct xs_peer *c, const struct xr_fb *fb, struct xr_rect r,
                     uint8_t **data, size_t *len, uint8_t *format);
/**
 * Send client @c the current pixels of area @r of @w, encoded as fills,
 * bitmaps, text and images (xr_enc_refresh()). 0 or -1.
 */
int xs_refresh_area(struct xs_peer *c, const struct xs_window *w, struct xr_rect r);

/* cost.c: what drawing costs, and its per-message limits */
/** Pixels of (x, y, w, h) inside a @ww x @wh window and @clip (NULL or w 0: none). */
uint64_t xs_clipped_area(uint32_t ww, uint32_t wh, const struct xp_rect *clip, int64_t x, int64_t y,
                         int64_t w, int64_t h);
/**
 * The work units drawing @m into a @ww x @wh window under @clip costs, in
 * *@units. Returns 0, or -1 with @err set to LIMIT when @m is over a
 * per-message limit (then nothing may be drawn).
 */
int xs_draw_cost(uint32_t ww, uint32_t wh, const struct xp_rect *clip, const struct xp_msg *m,
                 uint64_t *units, struct xp_error *err);

/**
 * The rows [*@y0, *@y1) a FILL, FILL_RECTS, COPY, BITMAP or IMAGE @m can touch in a
 * @ww x @wh window under @clip (empty: y0 == y1). Returns 0, or -1 for
 * another message.
 */
int xs_draw_rows(uint32_t ww, uint32_t wh, const struct xp_rect *clip, const struct xp_msg *m,
                 int64_t *y0, int64_t *y1);

/* job.c: drawing too large for one turn, a piece per turn */
struct xs_job;
/**
 * True when drawing that costs @units is worth a job for @app: more than a
 * full share of a turn and more than what is left of it. Smaller drawing
 * is done at once (the peer's next turn pays for an overdraft).
 */
bool xs_job_worth(struct xs_peer *app, uint64_t units);
/** True for the messages a job can split (fills, copies, bitmaps, images). */
bool xs_job_splits(const struct xp_msg *m);
/**
 * Start drawing @m (whose cost is @units) into @w under @st as @app's job:
 * the message is copied, the window marked busy; when done, clients are
 * sent @m if @forward. Returns 0, or -1 with @err set (nothing started).
 */
int xs_job_start(struct xs_peer *app, struct xs_window *w, const struct xd_state *st,
                 const struct xp_msg *m, uint64_t units, bool forward, struct xp_error *err);
/**
 * Work on @app's job while its budget lasts; once complete, tell the
 * clients and free it (a bad image fails the app). Returns true when the
 * job is over.
 */
bool xs_job_run(struct xs_peer *app);
/** Drop @app's job, if any (the app is gone). */
void xs_job_cancel(struct xs_peer *app);
/**
 * Resize @w (of @app) to @nw x @nh: at once when that is cheap, else as
 * @app's job, announced to clients (and to @app if @to_app) when done; if
 * @app has a job already, once it is done. Returns 0 (resized: the caller
 * announces it), 1 (it will be done and announced), or -1 with @err set.
 */
int xs_job_resize(struct xs_peer *app, struct xs_window *w, uint32_t nw, uint32_t nh, bool to_app,
                  struct xp_error *err);
/** Pixel bytes @app's job holds against the server-wide budget (for checks). */
size_t xs_job_reserved(const struct xs_peer *app);

/* release.c: large pixel buffers given back a piece per turn */
struct xs_release;
/**
 * Free @fb's pixels (taken; *@fb zeroed): a large buffer is queued and
 * given back to the kernel a piece per turn, its bytes counted in
 * @s->pixel_bytes until then; a small one is freed now.
 */
void xs_release_fb(struct xs_server *s, struct xr_fb *fb);
/** The same for @bytes of malloc'd @block (taken; NULL is nothing). */
void xs_release(struct xs_server *s, void *block, size_t bytes);
/** Give back pixels for about XS_PIECE_US. Returns true if some are left. */
bool xs_release_some(struct xs_server *s);
/** Free everything queued, at once (the server is stopping). */
void xs_release_all(struct xs_server *s);

/* clipboard.c: CLIP_* from apps and clients, and the peers' comings and goings */
int xs_clip_on_own(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/**
 * CLIP_REQUEST from @p: forwarded to the selection's owner under a server
 * id, or answered at once with a FAILED CLIP_DATA when nobody else owns it
 * or too many transfers wait. 0, or -1 with @err for an unknown selection.
 */
int xs_clip_on_request(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/**
 * CLIP_DATA from the owner @p: a piece of a transfer, passed on to the peer
 * that asked; one for a transfer that is not @p's (timed out, its asker
 * gone) is dropped. A piece over XP_CLIP_CHUNK, or past XP_CLIP_MAX in all,
 * ends the transfer (FAILED to the asker, LIMIT to @p). Always 0.
 */
int xs_clip_on_data(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/** A peer joined the session: tell it who owns what. */
void xs_clip_attach(struct xs_peer *p);
/** A peer leaves: its selections and transfers end. */
void xs_clip_peer_gone(struct xs_peer *p);
/** The session goes: cancel the transfers' timers. */
void xs_clip_finish(struct xs_session *se);

/* launch.c */
/**
 * Fill the list of launchable apps: from the --apps file, or the built-in ones
 * plus xterm and yad's calendar where installed. 0, or -1 (out of memory or
 * a bad apps file).
 */
int xs_launch_init(struct xs_server *s);
/** Free the app list. */
void xs_launch_finish(struct xs_server *s);
/**
 * Start the app named @app in session @se; *@pid gets its pid. Returns 0,
 * or -1 with @err set (NO_APP when unknown, else as xs_launch_command()).
 */
int xs_launch(struct xs_server *s, struct xs_session *se, const char *app, pid_t *pid,
              struct xp_error *err);
/**
 * Fork and run shell command @cmd as an app of @se, its stdout and stderr
 * through a pipe the server reads; *@pid gets its pid. Returns 0, or -1 with @err set
 * (LIMIT: too many running apps; INTERNAL: fork failed).
 */
int xs_launch_command(struct xs_server *s, struct xs_session *se, const char *cmd, pid_t *pid,
                      struct xp_error *err);
/** Reap every exited child without blocking, logging how it ended (on SIGCHLD). */
void xs_launch_reap(struct xs_server *s);
/**
 * APP_LIST from a client, viewer or app (the launcher): answer with one
 * APP_ENTRY per launchable app, the last flagged XP_APP_LAST, or a single
 * XP_APP_LAST | XP_APP_NONE entry when there is none. Never fails.
 */
int xs_on_app_list(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/**
 * SIGTERM every launched app's process group, reap them (bounded, about a
 * second), then SIGKILL what is left. Called once when the server stops.
 */
void xs_launch_stop_all(struct xs_server *s);

/* child.c: the app processes the server started */
/**
 * Track child @pid started in session @se; @err_fd (or -1) is the read end
 * of its stderr pipe, now owned and watched here. 0, or -1 if full.
 */
int xs_child_add(struct xs_server *s, struct xs_session *se, pid_t pid, int err_fd);
/** The tracked child @pid, or NULL. */
struct xs_child *xs_child_find(pid_t pid);
/** Child @ch was launched as app @app: keys are held for it from now on. */
void xs_child_named(struct xs_child *ch, const char *app);
/**
 * Child @pid ended with wait() @status: read the rest of its stderr, drop
 * the keys held for it, and for a named app send APP_EXITED to the
 * session's clients and launcher (the launcher comes back if nothing shows).
 */
void xs_child_exited(struct xs_server *s, pid_t pid, int status);
/** App @p just joined: find the launch it belongs to (its process session). */
void xs_child_claim(struct xs_peer *p);
/** App @p mapped window @w: the first time, its held keys go there. */
void xs_child_shown(struct xs_peer *p, struct xs_window *w);
/** Call @fn for every tracked child. */
void xs_children_each(void (*fn)(struct xs_child *ch, void *data), void *data);
/** Forget every child (the server stops): pipes closed, held keys freed. */
void xs_child_finish_all(struct xs_server *s);

/* hold.c: keys typed while an app starts reach that app */
/** A key from a client of @se: held for a starting app, or routed to the focus. */
void xs_key_input(struct xs_session *se, const struct xp_msg_key *k);
/** Child @ch of @se was just launched: keys are held for it (with the launcher's). */
void xs_hold_launched(struct xs_session *se, struct xs_child *ch);
/** The launcher @app sent SYNC: it has acted on its key; the keys behind go on. */
void xs_hold_synced(struct xs_peer *app);
/** @ch showed its first window @w: its held keys go there, in order. */
void xs_hold_deliver(struct xs_child *ch, struct xs_window *w);
/** @ch will show nothing (@why, for the log): its held keys are dropped. */
void xs_hold_ended(struct xs_child *ch, const char *why);
/**
 * The app keys were held for ended without a window, and @se's clients were
 * just told (APP_EXITED): the keys each sent before it read that were typed
 * for that app, and are dropped too (until it ACKs a MARK sent now).
 */
void xs_hold_fence(struct xs_session *se);
/** True when a key from client @p is to be dropped (see xs_hold_fence()). */
bool xs_hold_fenced(struct xs_peer *p);
/** Every 100 ms: holds past XS_HOLD_US end, a gate past XS_GATE_US opens. */
void xs_hold_tick(struct xs_server *s);
/** Free @q's keys. */
void xs_keyq_finish(struct xs_keyq *q);

/* directory.c: sessions as peers see them */
/**
 * Put peer @p in session @name as HELLO @flags ask: none with
 * XP_FLAG_QUERY; with XP_FLAG_EXISTING only one that exists, or "main";
 * else found or created. *@created tells whether it was created. Returns 0,
 * or -1 with @err (NO_SESSION naming the sessions there are, or LIMIT).
 */
int xs_session_join(struct xs_peer *p, const char *name, uint32_t flags, bool *created,
                    struct xp_error *err);
/** SESSION_LIST: one SESSION_ENTRY per session, the last flagged. Never fails. */
int xs_on_session_list(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/** Input message @op from client @p restarts its session's idle clock. */
void xs_session_touch(struct xs_peer *p, uint8_t op);
/** A message from a connection that joined no session (XP_FLAG_QUERY). */
int xs_query_handle(struct xs_peer *p, const struct xp_msg *m);

/* launcher.c */
/**
 * Show the start screen of @se: map, raise and focus its window, or start
 * xp-launcher when it has none (not twice within the relaunch delay).
 */
void xs_launcher_show(struct xs_session *se);
/** Another app showed a window: unmap the start screen for the clients. */
void xs_launcher_hide(struct xs_session *se);
/**
 * Show the start screen when @se has a client and no mapped window (unless
 * the server stops, --no-launcher, or an app was just launched).
 */
void xs_launcher_check(struct xs_session *se);
/** An app was launched in @se: hold the launcher back, and check again later. */
void xs_launcher_app_started(struct xs_session *se);
/** True for the key chord that brings the start screen back (Ctrl+Shift+L). */
bool xs_launcher_chord(const struct xp_msg_key *k);

/* arrange.c: the session's window manager (SPEC.md section 12) */
/** A new window from an app: decide whether it is framed; tell clients. */
void xs_arrange_created(struct xs_session *se, struct xs_window *w);
/**
 * The app maps @w: on its first map place it (telling clients and the app);
 * raise it, keeping its dialogs and the popups above; clear MINIMIZED.
 */
void xs_arrange_map(struct xs_session *se, struct xs_window *w);
/** Raise @w, then its children, then every popup; clients are told. */
void xs_arrange_raise(struct xs_session *se, struct xs_window *w);
/** Focus the topmost mapped window that takes the keyboard, or none. */
void xs_arrange_refocus(struct xs_session *se);
/** Ask @w's app to close it (CLOSE). */
void xs_arrange_close(struct xs_session *se, struct xs_window *w);
/**
 * Apply the XP_ARR_* @action to @w (geometry @r for MOVE and RESIZE), as
 * WIN_ARRANGE does; clients and the app are told. Returns 0, or -1 with
 * @err set (a size over the limits).
 */
int xs_arrange_apply(struct xs_session *se, struct xs_window *w, uint32_t action, struct xp_rect r,
                     struct xp_error *err);
/** Move and/or resize @w to @r (XP_CONF_* @mask) for the user; clients and app told. */
int xs_arrange_geometry(struct xs_session *se, struct xs_window *w, uint32_t mask, struct xp_rect r,
                        struct xp_error *err);
/** Send @w's WIN_STATE to client @c (a full refresh), if it has one to send. */
void xs_arrange_refresh(struct xs_peer *c, const struct xs_window *w);
/** The session's screen changed size: maximised windows follow. */
void xs_arrange_screen_resized(struct xs_session *se);
/** True when @w is a window the user arranges (not a popup, not server-sized). */
bool xs_arrange_managed(const struct xs_window *w);
/** WIN_ARRANGE from a client or an app (the launcher's window list). */
int xs_arrange_on_arrange(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/** WIN_LIST: answer with WIN_ENTRY messages. */
int xs_arrange_on_list(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/** WIN_PARENT from an app. */
int xs_arrange_on_parent(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);

/* place.c: where a new window goes */
/**
 * Choose the position of framed window @w (content geometry) on its first
 * map: where it asked if its frame fits and covers nothing, else the free
 * spot nearest the top left, else a cascade from the topmost window.
 */
void xs_place(struct xs_session *se, struct xs_window *w);

/* wm.c: the window manager's pointer and keyboard (desktop-mode clients) */
/** POINTER_WIN from a client. */
int xs_wm_on_pointer_win(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err);
/** The window pointer events of @p go to (grab, POINTER_WIN, or what is under it). */
struct xs_window *xs_wm_pointer_window(struct xs_peer *p);
/** A KEY from @p: true if it was a window-manager chord (not for the app). */
bool xs_wm_key(struct xs_peer *p, const struct xp_msg_key *k);
/** A BUTTON from @p at p->px, p->py: true if the frame or a chord took it. */
bool xs_wm_button(struct xs_peer *p, uint32_t state);
/** A MOTION from @p: true if a drag or the frame under it took it. */
bool xs_wm_motion(struct xs_peer *p);
/** Window @win is going away: end drags and cycles of every client on it. */
void xs_wm_forget(struct xs_session *se, uint32_t win);

/* the role check (SPEC section 1), which comes before a message's body is judged */
/** Whether an app may send opcode @op (app.c). */
bool xs_app_may_send(uint8_t op);
/** Whether client or viewer @p (joined or only asking) may send opcode @op (client.c). */
bool xs_client_may_send(const struct xs_peer *p, uint8_t op);
/** Whether a connection that joined no session may send opcode @op (directory.c). */
bool xs_query_may_send(uint8_t op);

#endif
