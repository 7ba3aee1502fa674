/*
 * thin_int.h - internals shared by the files of libxpthin.
 *
 * The client is split into parts that know little of each other:
 *   conn.c / loop.c    the connection, the poll loop, reconnect
 *   dispatch.c         opcode-indexed table of message handlers
 *   session.c          session messages (PING, MARK, ERROR, APP_*)
 *   windows.c          the window table (WIN_* messages, stacking)
 *   draw.c, imgcache.c drawing (libxpdraw) into window framebuffers, the
 *                      image cache
 *   composite.c        damage tracking and composition into the screen
 *   headless.c, x11.c  presenters: where the screen goes
 *   keyboard.c         xkbcommon translation of X key events
 *   clip.c, xsel.c     the session clipboard, bridged with the X selections
 *   input.c            input messages to the server (from X or the script)
 *   script.c, scriptrun.c   the input script: parser and player
 *   stats.c            statistics
 * Desktop mode composes every remote window into one screen; a seamless
 * mode would replace composite.c + the presenter by one presenter per
 * remote window, fed by the same window table and damage.
 */
#ifndef THIN_INT_H
#define THIN_INT_H

#include <stdarg.h>
#include <sys/types.h>

#include "thin.h"
#include "xdraw.h"
#include "xproto.h"
#include "xrender.h"
#include "xsel.h"

#define TC_DESKTOP_BG          0x202428u
#define TC_WIN_MAX_DIM         8192
#define TC_MAX_WINDOWS         1024
#define TC_WIN_PIXELS_MAX      (256ull << 20) /* 1 GiB of window pixels */
#define TC_CACHE_MAX_BYTES     (64u << 20)    /* decoded bytes, w * h * 4 each */
#define TC_DAMAGE_MAX          16
#define TC_PING_INTERVAL_US    2000000ull  /* while the session is in use */
#define TC_PING_IDLE_US        30000000ull /* while it is idle */
#define TC_BACKOFF_MIN_MS      100
#define TC_BACKOFF_MAX_MS      5000
#define TC_HANDSHAKE_MS        5000
#define TC_SSH_HANDSHAKE_MS    60000 /* ssh may ask for a password first */
#define TC_TITLE_MAX           256
#define TC_STATUS_LINE         200         /* bytes of a line of the connection's state box */
#define TC_OUT_MAX_BYTES       (16u << 20) /* unsent output before giving up */
#define TC_READS_PER_ITERATION 16          /* of up to 64 KiB each */
#define TC_KEYS_OWED           32          /* keys held down at once, tracked */

/* ---- pointer shapes (cursor.c) ---- */
/** A shape from the server, shared by the windows showing it. */
struct tc_cursor {
	int refs;
	uint32_t w, h, hot_x, hot_y;
	uint32_t argb[]; /* w * h, 0xAARRGGBB premultiplied */
};

/* ---- window table (windows.c) ---- */
struct tc_win {
	uint32_t id;
	int x, y, w, h; /* content top-left in screen coordinates */
	uint32_t flags, bg;
	uint32_t state, parent; /* WIN_STATE: XP_STATE_*, the parent's id */
	bool mapped;
	char title[TC_TITLE_MAX + 1];
	struct xr_fb fb;
	struct tc_cursor *cursor; /* the pointer shape over it, NULL = the default */
	struct xr_rect dirty;     /* window-local damage not yet shown (seamless) */
	uint64_t born;            /* the table's `created` when it was created */
};

/** All windows, v[0] at the bottom of the stacking order. */
struct tc_wintable {
	struct tc_win **v;
	size_t n, cap;
	uint64_t pixels;
	uint32_t focused;
	uint64_t created; /* WIN_CREATEs so far (wait-launched) */
};

/** The window of server id @id, or NULL; still owned by @t. */
struct tc_win *tc_win_find(const struct tc_wintable *t, uint32_t id);
/** Free every window and the array; @t is empty and usable again. */
void tc_wintable_clear(struct tc_wintable *t);
/** Screen rectangle covered by @w's content. */
struct xr_rect tc_win_rect(const struct tc_win *w);
/** True when desktop mode draws a frame around @w (WIN_STATE FRAMED). */
bool tc_win_framed(const struct tc_win *w);

/* ---- frames (decor.c): desktop mode draws what the server manages ---- */
#define TC_FRAME_FOCUSED   0x3d6fa8u /* title bar and border of the focused window */
#define TC_FRAME_UNFOCUSED 0x4a5058u
/**
 * Draw the frame of @w (title bar, border, buttons; SPEC.md section 12) into
 * @fb, clipped to @clip. @focused: it has the keyboard focus.
 */
void tc_decor_draw(struct xr_fb *fb, const struct xr_rect *clip, const struct tc_win *w,
                   bool focused);

/* ---- image cache (imgcache.c) ---- */
struct tc_cache_entry {
	uint32_t id;
	struct xr_fb fb;
};
/** Decoded images in insertion order (v[0] oldest), bounded in bytes. */
struct tc_cache {
	struct tc_cache_entry *v;
	size_t n, cap, bytes, max;
};
/** An empty cache of at most @max_bytes of pixels; allocates nothing. */
void tc_cache_init(struct tc_cache *k, size_t max_bytes);
/** Free every image and the array; @k is empty, its limit kept. */
void tc_cache_clear(struct tc_cache *k);
/** Take ownership of @fb under @id (replacing, evicting the oldest). */
int tc_cache_put(struct tc_cache *k, uint32_t id, struct xr_fb *fb);
/** Image @id (still owned by @k, valid until it changes), or NULL. */
const struct xr_fb *tc_cache_get(const struct tc_cache *k, uint32_t id);
/** Free image @id (absent: nothing happens). */
void tc_cache_drop(struct tc_cache *k, uint32_t id);

/* ---- damage and composition (composite.c) ---- */
struct tc_damage {
	struct xr_rect r[TC_DAMAGE_MAX];
	int n;
};
struct tc_compositor {
	struct xr_fb screen;
	struct tc_damage dmg;
	uint32_t desktop_bg;
};
/** A @w x @h screen filled with the desktop colour, all damaged. 0, or -1 (out of memory). */
int tc_comp_init(struct tc_compositor *k, int w, int h);
/** Free the screen's pixels and drop the damage. */
void tc_comp_finish(struct tc_compositor *k);
/**
 * Resize the screen to @w x @h (new area in the desktop colour), all damaged.
 * 0, or -1 (out of memory; the old screen is kept).
 */
int tc_comp_resize(struct tc_compositor *k, int w, int h);
/** Add screen rectangle @r (clipped to the screen) to the damage. */
void tc_damage_add(struct tc_compositor *k, struct xr_rect r);
/** Add window-local @r offset by (@dx, @dy), computed without overflow. */
void tc_damage_add_offset(struct tc_compositor *k, struct xr_rect r, int dx, int dy);
/** Damage the whole screen (the damage becomes that one rectangle). */
void tc_damage_all(struct tc_compositor *k);
/** Recompose the damaged area from @t; moves the damage into @out. */
void tc_comp_update(struct tc_compositor *k, const struct tc_wintable *t, struct tc_damage *out);
/* ---- presenters (headless.c, x11.c) ---- */
struct tc_client;
struct tc_presenter;
struct tc_presenter_ops {
	const char *name;
	/** Descriptor to poll for events, or -1. */
	int (*fd)(struct tc_presenter *p);
	/** Handle pending events (input goes to tc_input_*). 0 or -1. */
	int (*events)(struct tc_presenter *p, struct tc_client *c);
	/** Show the damaged rectangles of @screen. 0 or -1. */
	int (*present)(struct tc_presenter *p, const struct xr_fb *screen,
	               const struct tc_damage *d);
	/** The screen was resized to @screen's size. 0 or -1. */
	int (*resized)(struct tc_presenter *p, const struct xr_fb *screen);
	void (*set_title)(struct tc_presenter *p, const char *title);
	void (*bell)(struct tc_presenter *p);
	uint32_t (*window)(struct tc_presenter *p);
	/** Show pointer shape @cur over the screen, NULL for the default. */
	void (*cursor)(struct tc_presenter *p, const struct tc_cursor *cur);
	void (*destroy)(struct tc_presenter *p);
	/**
	 * Seamless: bring the presenter's own windows up to the window table
	 * (create, map, move, title) and show their damage. Called every loop
	 * turn; returns 1 if something was shown. NULL: not needed.
	 */
	int (*sync)(struct tc_presenter *p, struct tc_client *c);
	/** The X selection bridge, or NULL (headless). May be NULL itself. */
	struct tc_xsel *(*xsel)(struct tc_presenter *p);
};
struct tc_presenter {
	const struct tc_presenter_ops *ops;
};
/** A presenter that shows nothing (--headless: render into memory). NULL if out of memory. */
struct tc_presenter *tc_headless_create(void);

/* seamless.c */
/**
 * Open a seamless display: one X window per remote window, managed by the
 * user's window manager. @w, @h receive the session screen
 * (the X screen in logical pixels, unless the options set it), *@scale the
 * scale. NULL after a message.
 */
struct tc_presenter *tc_seamless_create(const struct tc_options *o, int *w, int *h, int *scale);

/**
 * Open the X window; @w, @h: the screen in logical pixels, 0 for the
 * default (updated to what was chosen); *@scale receives the scale (the
 * option's, else the screen's DPI's). NULL after a message.
 */
struct tc_presenter *tc_x11_create(const struct tc_options *o, int *w, int *h, int *scale);
struct xcb_connection_t;
struct xcb_screen_t;
/** The X screen's resolution in dots per inch (Xft.dpi, else its size). */
double tc_x11_dpi(struct xcb_connection_t *xc, const struct xcb_screen_t *scr);

/* ---- scaling (scale.c): logical pixels shown N x N (--scale) ---- */
#define TC_SCALE_MAX 4
/**
 * Write the logical rectangle @r of @src, each pixel as an @s x @s block,
 * into the 32-bit pixels @dst (@dst_stride pixels a row) at physical
 * (@dx, @dy). @r must lie inside @src and the result inside @dst.
 */
void tc_scale_copy(const struct xr_fb *src, struct xr_rect r, int s, uint32_t *dst,
                   size_t dst_stride, int dx, int dy);
/** @src scaled by @s into a new @dst (xr_fb_finish it). 0 or -1. */
int tc_scale_fb(const struct xr_fb *src, int s, struct xr_fb *dst);
/** The logical rectangle covering physical rectangle @phys at scale @s. */
struct xr_rect tc_scale_down(struct xr_rect phys, int s);
/** The scale for a screen of @dpi dots per inch: 1, 2 from 144, 3 from 240. */
int tc_scale_for_dpi(double dpi);

/* ---- X display helpers for the X presenters (xdisp.c) ---- */
#define TC_XPUT_CHUNK (4u << 20) /* bytes of one PutImage at most; scratch size */
struct xcb_connection_t;
struct xcb_screen_t;
struct tc_xdisp {
	struct xcb_connection_t *xc;
	struct xcb_screen_t *scr;
	size_t max_req_bytes;
};
/** Connect to $DISPLAY and check its visual (XRGB8888). 0, or -1 after a message. */
int tc_xdisp_open(struct tc_xdisp *d);
/** The atom named @name (interned), or 0. */
uint32_t tc_xatom(struct xcb_connection_t *xc, const char *name);
/**
 * Push the logical rectangle @r of @fb, scaled by @k, to @drawable at
 * physical (@dx + r.x * k, @dy + r.y * k) with PutImage, in bands below the
 * request limit; @scratch holds TC_XPUT_CHUNK bytes.
 */
void tc_xput(const struct tc_xdisp *d, uint32_t drawable, uint32_t gc, const struct xr_fb *fb,
             struct xr_rect r, int k, uint8_t *scratch, int dx, int dy);
/** Pointer shapes on an X display: Render's 32-bit ARGB picture format. */
struct tc_xcursor {
	uint32_t argb32; /* 0: the X server has no Render, shapes are not shown */
	bool warned;     /* said so once */
};
/** Find @xcur's picture format on @xc (a round trip or two). */
void tc_xcursor_init(struct tc_xcursor *xcur, struct xcb_connection_t *xc);
/**
 * Show pointer shape @cur (NULL: the desktop's default) over X window @win
 * of display @d, each of its pixels a @k x @k block and its hot spot scaled
 * to match, as a Render cursor. @cur is only read; the window holds the X
 * cursor. Does not flush. Returns 0, or -1 (no Render, out of memory) with
 * the window's cursor unchanged, after a warning the first time.
 */
int tc_xcursor_set(const struct tc_xdisp *d, struct tc_xcursor *xcur, uint32_t win,
                   const struct tc_cursor *cur, int k);

/* ---- the seamless presenter (seamless.c, seamless_input.c) ---- */
#define TC_SW_REQS 8
/** One remote window shown as a top-level X window. */
struct tc_sw {
	uint32_t id, xid;
	struct xp_rect srv;             /* the server's geometry X was last given */
	struct xp_rect req[TC_SW_REQS]; /* geometries the user's WM asked for, newest first */
	int nreq;
	uint32_t parent;     /* WM_TRANSIENT_FOR is set for this remote id */
	bool popup;          /* override-redirect: placed by us, not the WM */
	bool mapped;         /* we want it shown (NormalState) */
	bool iconic;         /* minimised (IconicState) */
	bool seen;           /* still in the window table (sync) */
	int pending;         /* TC_SW_MINIMIZING, TC_SW_RESTORING: asked, not yet the session's */
	uint64_t pending_us; /* when: a request the server ignored is given up on */
	bool gone;           /* its X window was destroyed by another X client (xid 0) */
	uint64_t gone_us;    /* when: a window the app keeps is shown again later */
	char title[TC_TITLE_MAX + 1];
	struct tc_cursor *cursor; /* the shape X shows over it (a reference), NULL = default */
};
enum { TC_SW_IDLE, TC_SW_MINIMIZING, TC_SW_RESTORING };
#define TC_SW_PENDING_US 3000000u
struct tc_kbd;
struct tc_seamless {
	struct tc_presenter base;
	struct tc_xdisp d;
	struct tc_kbd *kbd;
	uint32_t gc, root;
	uint8_t *scratch; /* TC_XPUT_CHUNK bytes */
	int scale;
	struct tc_xcursor xcur; /* pointer shapes */
	struct tc_sw *v;
	size_t n, cap;
	uint32_t status_xid; /* the connection's state, over the desktop */
	char status_line[2][TC_STATUS_LINE];
	struct {
		uint32_t wm_protocols, wm_delete, wm_state, wm_change_state, net_wm_name, utf8;
	} atom;
};
/** The record of remote window @id, or NULL. */
struct tc_sw *tc_sw_find(struct tc_seamless *s, uint32_t id);
/** The record of X window @xid, or NULL. */
struct tc_sw *tc_sw_by_xid(struct tc_seamless *s, uint32_t xid);
/** Handle pending X events: the user's WM and input become messages. 0 or -1. */
int tc_seamless_events(struct tc_presenter *p, struct tc_client *c);

/* ---- keyboard (keyboard.c) ---- */
struct tc_kbd;
struct xcb_connection_t;
/**
 * Follow the keyboard of @xc through XKB (keymap, state, change events).
 * NULL after a warning when the server has no XKB or the keymap cannot be
 * read; free it with tc_kbd_destroy().
 */
struct tc_kbd *tc_kbd_create(struct xcb_connection_t *xc);
/** Free @k and its keymap and state (not the X connection); NULL is a no-op. */
void tc_kbd_destroy(struct tc_kbd *k);
/** Handle an XKB event (an xcb_generic_event_t: keymap changes). True if
 * @ev was one. */
bool tc_kbd_event(struct tc_kbd *k, const void *ev);
/** Reload the keymap after a mapping change. */
int tc_kbd_reload(struct tc_kbd *k);
/**
 * Translate key @keycode with core modifier state @xstate: fills @keysym,
 * @mods (XP_MOD_*) and, for presses, @text (UTF-8, control chars dropped).
 */
void tc_kbd_translate(struct tc_kbd *k, uint8_t keycode, uint16_t xstate, bool pressed,
                      uint32_t *keysym, uint32_t *mods, char *text, size_t cap);
/** Keep only printable text: "" if @text holds control characters. */
void tc_text_filter(char *text);

/* ---- X selections: xsel.h (shared with the X bridge) ---- */

/* clip.c */
/** Session data asked for one selection, for local X clients. */
struct tc_clip_in {
	uint32_t req; /* our CLIP_REQUEST id, 0: none */
	char *buf;
	size_t len, cap; /* XU_ARRAY_RESERVE */
};
struct tc_clip {
	bool announced[XP_CLIP_COUNT]; /* we offered a local selection */
	struct tc_clip_in in[XP_CLIP_COUNT];
	uint32_t next_req;
};
extern const struct tc_xsel_ops tc_clip_xsel_ops;
/** The connection ended: drop transfers, give up the X selections held for it. */
void tc_clip_reset(struct tc_client *c);

/* ---- script (script.c, scriptrun.c) ---- */
enum tc_cmd_kind {
	TC_CMD_KEY,
	TC_CMD_TYPE,
	TC_CMD_TYPE_DELAY,
	TC_CMD_CLICK,
	TC_CMD_MOVE,
	TC_CMD_RESIZE,
	TC_CMD_WAIT,
	TC_CMD_WAIT_IDLE,
	TC_CMD_SCREENSHOT,
	TC_CMD_LAUNCH,
	TC_CMD_APPS,
	TC_CMD_QUIT,
	TC_CMD_CHECKPOINT,
	TC_CMD_WAIT_UPDATE,
	TC_CMD_WAIT_WINDOWS,
	TC_CMD_PRESS,
	TC_CMD_RELEASE,
	TC_CMD_DRAG,
	TC_CMD_KEY_DOWN,
	TC_CMD_KEY_UP,
	TC_CMD_WINDOWS,
	TC_CMD_SYNC,
	TC_CMD_WAIT_PIXEL,
	TC_CMD_WAIT_LAUNCHED,
};
struct tc_cmd {
	enum tc_cmd_kind kind;
	int line;
	uint32_t keysym, mods;
	int a, b, c;
	int d, e;         /* DRAG: the end point is (c, d), the button e */
	char *text;       /* TYPE text, SCREENSHOT path, LAUNCH app */
	uint32_t rgb;     /* WAIT_PIXEL colour */
	bool rgb_differs; /* WAIT_PIXEL: wait until the pixel is not rgb */
};
struct tc_script {
	struct tc_cmd *v;
	size_t n, cap;
};
struct tc_script_run {
	const struct tc_script *s;
	size_t pc, sub;    /* command, byte offset inside TYPE text */
	uint64_t wake_us;  /* do nothing before this time */
	uint64_t start_us; /* when the current command started */
	int type_delay_ms;
	uint32_t sync_seq; /* SYNC: the PING it waits to see answered */
	bool done;
	uint64_t launch_at;   /* c->wins.created when its last launch ran */
	uint32_t launched[8]; /* pids of its last launches (APP_STARTED), a ring */
	unsigned nlaunched;   /* launches so far */
	bool refused;         /* the server refused its launch (ERROR about APP_LAUNCH) */
	char refusal[200];    /* what the server said then */
};
#define TC_WAIT_IDLE_MS         300
#define TC_WAIT_IDLE_TIMEOUT_MS 10000
/** Run script commands until one has to wait. */
void tc_script_step(struct tc_client *c);
/** Microseconds until the script wants to run again (UINT64_MAX: never). */
uint64_t tc_script_next_us(const struct tc_client *c, uint64_t now);

/* ---- where the server is (transport.c) ---- */
/** A parsed target: a direct address or an ssh host and display. */
struct tc_target {
	char shown[256];    /* as the user wrote it, for messages */
	char addr[300];     /* direct: HOST:PORT or a socket path */
	bool unix_socket;   /* direct, to a Unix socket */
	bool ssh;           /* through ssh to display @display of @ssh_host */
	char ssh_user[64];  /* "" = ssh's default */
	char ssh_host[256]; /* as ssh takes it (a ~/.ssh/config alias works) */
	int display;        /* on the ssh host */
	char session[65];   /* ssh://.../SESSION, "" if none */
};
/**
 * Parse @name (":N", "HOST:N", HOST:PORT, a socket path, or
 * ssh://[USER@]HOST[:N][/SESSION]) into @t. 0, or -1 with why in @err.
 */
int tc_target_parse(const char *name, struct tc_target *t, char *err, size_t cap);
/**
 * Open a byte stream to @t: a connected socket, or for ssh a socketpair
 * whose other end is the stdin/stdout of a new `ssh HOST xp-ssh-bridge :N`
 * (its pid in *@pid, else 0; the command is $XPROTO_SSH, default ssh, and
 * $XPROTO_SSH_BRIDGE, default xp-ssh-bridge). Returns the fd (the caller
 * owns it) or -1 with @err set.
 */
int tc_target_open(const struct tc_target *t, pid_t *pid, struct xp_error *err);
/**
 * End ssh process @pid (0: nothing): wait up to @grace_ms for it to exit by
 * itself (its stdin closed), then SIGTERM, then SIGKILL; always reaped.
 * When it exited by itself, @why (if not NULL) says how ("ssh exited with
 * status 255"), else it is "".
 */
void tc_ssh_finish(pid_t pid, int grace_ms, char *why, size_t cap);

/* ---- statistics (stats.c) ---- */
struct tc_rtt {
	uint64_t last, min, max, sum, n;
};
/** Add the counters of @s (one connection's) to @total (across reconnects). */
void tc_stats_add(struct xp_conn_stats *total, const struct xp_conn_stats *s);
/** Count one round trip of @us microseconds in @r (last, min, max, mean). */
void tc_rtt_add(struct tc_rtt *r, uint64_t us);
/** Print the byte, message and round-trip figures of @s and @r, and per-opcode rows, to @out. */
void tc_stats_print(FILE *out, const struct xp_conn_stats *s, const struct tc_rtt *r);

/* ---- the connection's state on screen (status.c) ---- */
struct tc_status {
	bool shown;
	char line[2][TC_STATUS_LINE]; /* what the box says */
	struct xr_rect box;           /* where it is on the screen */
};
/** Decide what the box says now; damages the screen where it changes. */
void tc_status_update(struct tc_client *c);
/** After composition: draw the box where @d repainted, adding it to @d. */
void tc_status_draw(struct tc_client *c, struct tc_damage *d);
/** Draw the box (c->status.box's size) into @fb with its top left at (@x, @y). */
void tc_status_paint(const struct tc_client *c, struct xr_fb *fb, int x, int y);
/** Microseconds until the box's countdown changes (UINT64_MAX: never). */
uint64_t tc_status_next_us(const struct tc_client *c, uint64_t now);

/* ---- the client ---- */
struct tc_client {
	struct tc_options opt;
	char addr[256];          /* the target as given, for messages */
	struct tc_target target; /* where it leads */
	pid_t ssh_pid;           /* the ssh carrying the connection, or 0 */
	char ssh_why[160];       /* how the last ssh ended, if it did by itself */
	struct xp_cookie cookie;
	struct xp_conn conn;
	bool connected;
	unsigned connects;
	struct xp_conn_stats total; /* of finished connections */
	struct tc_wintable wins;
	struct xd_state ds; /* the server's drawing state on this connection */
	struct tc_cache cache;
	struct tc_compositor comp;
	struct tc_presenter *pres;
	int sigfd;
	int wake[2]; /* tc_client_stop() writes to wake[1] */
	bool quit;
	int exit_code;
	bool have_mark;
	uint32_t mark;
	uint64_t last_rx_us, next_ping_us, last_ping_us;
	uint64_t last_active_us;  /* input sent or display received (ping_due) */
	uint64_t last_present_us; /* last time the screen changed (checkpoint) */
	uint32_t ping_seq;
	uint32_t pong_seq; /* the latest of our PINGs the server answered */
	struct tc_rtt rtt;
	bool motion_pending;
	int motion_x, motion_y;
	uint32_t owed[TC_KEYS_OWED]; /* keysyms pressed whose release must be sent */
	int nowed;
	bool pointer_known;                           /* the pointer was seen over the screen */
	int pointer_x, pointer_y;                     /* where, in screen coordinates */
	struct tc_cursor *cursors[XP_CURSOR_IDS + 1]; /* shapes by the server's id */
	struct tc_cursor *cursor_shown;               /* what the presenter shows */
	uint32_t pointer_win; /* the last POINTER_WIN sent on this connection */
	int backoff_ms;
	int scale;         /* physical pixels per logical pixel (--scale) */
	unsigned attempts; /* reconnect attempts since the last handshake */
	uint64_t reconnect_us;
	struct tc_script_run script;
	struct tc_status status; /* the box shown while not connected */
	bool stale;              /* the picture is from a lost connection */
	bool lingering;          /* failed (hold_on_error): showing why until the user quits */
	struct tc_clip clip;
	struct xp_error err; /* set by a handler that rejects a message */
	char reason[512];    /* why the last connect failed or the connection ended */
	char lost[512];      /* why the connection shown ended ("" if none was) */
	char hint[160];      /* what to do about a refusal ("" if nothing) */
};

/* dispatch.c */
typedef int (*tc_handler)(struct tc_client *c, const struct xp_msg *m);
/** Apply one message from the server. 0, or -1 with c->err set. */
int tc_dispatch(struct tc_client *c, const struct xp_msg *m);

/* handlers: session.c */
/**
 * ERROR from the server: a non-fatal one is warned about (0); a fatal one
 * sets c->err with code NONE (no ERROR in reply) and returns -1. Either way
 * its text loses its control characters (tc_plain).
 */
int tc_on_error(struct tc_client *c, const struct xp_msg *m);
/** PING: answer PONG with its seq and time. 0, or -1 as tc_send(). */
int tc_on_ping(struct tc_client *c, const struct xp_msg *m);
/** PONG: count the round trip of one of our own pings (others ignored). 0. */
int tc_on_pong(struct tc_client *c, const struct xp_msg *m);
/** MARK: remember its serial; the next output sends ACK for it. 0. */
int tc_on_mark(struct tc_client *c, const struct xp_msg *m);
/** BELL: ring through the presenter, if it can. 0. */
int tc_on_bell(struct tc_client *c, const struct xp_msg *m);
/**
 * APP_ENTRY: one launchable app (or "no apps to launch"), told on stderr
 * (control characters replaced). 0.
 */
int tc_on_app_entry(struct tc_client *c, const struct xp_msg *m);
/** APP_STARTED: the app and its pid, told on stderr. 0. */
int tc_on_app_started(struct tc_client *c, const struct xp_msg *m);
/** APP_EXITED: how an app ended, told on stderr (control characters replaced). 0. */
int tc_on_app_exited(struct tc_client *c, const struct xp_msg *m);
/**
 * Make @s (text from a server, for a terminal; NUL-terminated, changed in
 * place) plain: each control character, C0, DEL or C1 (U+0080..U+009F),
 * becomes one '?'.
 */
void tc_plain(char *s);
/** A handler for messages that are allowed and need nothing done. 0. */
int tc_on_ignore(struct tc_client *c, const struct xp_msg *m);
/* handlers: windows.c */
/**
 * WIN_CREATE: a new window filled with its background, on top, unmapped.
 * -1 with c->err when the id exists (STATE), the size or count is over a
 * limit (LIMIT) or out of memory (INTERNAL).
 */
int tc_on_win_create(struct tc_client *c, const struct xp_msg *m);
/** WIN_DESTROY: damage, unlink and free the window (and its focus). 0, or -1 if unknown. */
int tc_on_win_destroy(struct tc_client *c, const struct xp_msg *m);
/** WIN_MAP: show and raise the window. 0, or -1 if unknown. */
int tc_on_win_map(struct tc_client *c, const struct xp_msg *m);
/** WIN_UNMAP: hide the window (its pixels are kept). 0, or -1 if unknown. */
int tc_on_win_unmap(struct tc_client *c, const struct xp_msg *m);
/**
 * WIN_CONFIGURE: resize (limits checked), move and/or raise as its mask says.
 * 0, or -1 with c->err (unknown window, size over a limit, out of memory).
 */
int tc_on_win_configure(struct tc_client *c, const struct xp_msg *m);
/** WIN_TITLE: keep the title; the X title and frame follow. 0, or -1 if unknown. */
int tc_on_win_title(struct tc_client *c, const struct xp_msg *m);
/** WIN_FOCUS: the window gains (or loses) the focus; frames and title follow. 0 or -1. */
int tc_on_win_focus(struct tc_client *c, const struct xp_msg *m);

/* cursor.c: handlers and the rest */
/**
 * CURSOR: check the shape and keep it under its id (replacing one; windows
 * showing the old shape keep it). 0, or -1 with c->err (malformed, out of memory).
 */
int tc_on_cursor(struct tc_client *c, const struct xp_msg *m);
/**
 * WIN_CURSOR: the window shows the shape of the given id (0: the default).
 * 0, or -1 with c->err when the window (NO_WINDOW) or shape (MALFORMED) is unknown.
 */
int tc_on_win_cursor(struct tc_client *c, const struct xp_msg *m);
/** Drop one reference to @cur; accepts NULL. */
void tc_cursor_unref(struct tc_cursor *cur);
/** Take one more reference to @cur (drop it with tc_cursor_unref()); NULL
 * gives NULL. Returns @cur. */
struct tc_cursor *tc_cursor_ref(struct tc_cursor *cur);
/** Forget every shape the server defined (windows keep theirs). */
void tc_cursor_clear(struct tc_client *c);
/** Give the presenter the shape of the window under the pointer, if it changed. */
void tc_cursor_sync(struct tc_client *c);

/* handlers: windows.c */
/** WIN_STATE: a window's arrangement (minimised, maximised, framed, parent). 0 or -1. */
int tc_on_win_state(struct tc_client *c, const struct xp_msg *m);
/** WIN_ENTRY: one row of a WIN_LIST answer (the script's `windows`), told on stderr; 0. */
int tc_on_win_entry(struct tc_client *c, const struct xp_msg *m);
/* handlers: draw.c */
/** Any message libxpdraw knows (TARGET, GC, CLIP, drawing). 0, or -1 with c->err. */
int tc_on_drawing(struct tc_client *c, const struct xp_msg *m);
/* handlers: clip.c */
/**
 * CLIP_OWN: another peer owns a selection now (or nobody: DISOWN); the
 * desktop's X selection follows, and a paste still waiting for the old
 * owner is dropped (its late answer is ignored). 0.
 */
int tc_on_clip_own(struct tc_client *c, const struct xp_msg *m);
/** CLIP_REQUEST: the session pastes what we own; the desktop's text is fetched and sent. 0. */
int tc_on_clip_request(struct tc_client *c, const struct xp_msg *m);
/** CLIP_DATA: a piece of a paste we asked for; handed to the X requestor when complete. 0. */
int tc_on_clip_data(struct tc_client *c, const struct xp_msg *m);

/* windows.c */
/**
 * Damage window-local rectangle @local of @w: it joins @w's dirty area
 * (clipped to @w) and, when @w is mapped, the screen's damage.
 */
void tc_win_damage(struct tc_client *c, struct tc_win *w, struct xr_rect local);
/** Set the X title: the focused window's title, then "— thin-client". */
void tc_title_update(struct tc_client *c);

/* conn.c */
/**
 * Connect to the target (TCP or ssh) and shake hands; a stale picture is
 * dropped, the ping clock restarts. 0, or -1 with c->reason (and a hint)
 * saying why; a started ssh is ended then.
 */
int tc_connect(struct tc_client *c);
/** Close the connection but keep what is shown; @why for the log. */
void tc_conn_close(struct tc_client *c, const char *why);
/** Close the connection, drop all remote state; @why for the log. */
void tc_disconnect(struct tc_client *c, const char *why);
/** Queue @m (dropped when not connected). 0 or -1. */
int tc_send(struct tc_client *c, const struct xp_msg *m);
/** When connected, send PING if one is due at @now (µs), and set c->next_ping_us. */
void tc_ping(struct tc_client *c, uint64_t now);
/**
 * Send a PING at once, whatever the schedule (a script's `sync` waits for
 * its PONG: the server answers it after everything sent before it).
 */
void tc_ping_now(struct tc_client *c, uint64_t now);
/** Read and apply what the server sent. 0, or -1 when the connection ended. */
int tc_conn_input(struct tc_client *c);
/** Send ACK for the last MARK, flush and write. 0 or -1. */
int tc_conn_output(struct tc_client *c);

/* input.c: input messages; all are dropped in read-only mode */
/**
 * KEY @keysym with @state (XP_KEY_PRESSED, modifiers) and @text (NULL: "");
 * a release goes only if the focused app takes releases or its press went
 * out. A press ends a client lingering after a failure.
 */
void tc_input_key(struct tc_client *c, uint32_t state, uint32_t keysym, const char *text);
/** The pointer moved to @x, @y: kept and sent as one MOTION later (coalesced). */
void tc_input_motion(struct tc_client *c, int x, int y);
/** The pointer is at @x, @y of the screen (for its shape); sends nothing. */
void tc_input_pointer_seen(struct tc_client *c, int x, int y);
/** BUTTON @button pressed or released at @x, @y (pending motion first). */
void tc_input_button(struct tc_client *c, int button, bool pressed, int x, int y);
/**
 * The screen is now @w x @h: resize the compositor and presenter (warning on
 * failure), then send RESIZE. Nothing when the size did not change.
 */
void tc_input_resize(struct tc_client *c, int w, int h);
/** Send the pending MOTION, if any. */
void tc_input_flush_motion(struct tc_client *c);
/** APP_LAUNCH of the app named @app (not in read-only mode). */
void tc_app_launch(struct tc_client *c, const char *app);
/** APP_LIST (read-only viewers may ask too); the entries are told on stderr. */
void tc_app_list(struct tc_client *c);
/** Ask for the session's window list (WIN_LIST); the entries are logged. */
void tc_win_list(struct tc_client *c);
/** WIN_ARRANGE: the user arranged window @win (XP_ARR_* @action, geometry @r). */
void tc_input_arrange(struct tc_client *c, uint32_t win, uint32_t action, struct xp_rect r);
/** POINTER_WIN: the pointer is now over window @win (sent when it changes). */
void tc_input_pointer_win(struct tc_client *c, uint32_t win);
/** CLOSE: the user asked to close window @win. */
void tc_input_close(struct tc_client *c, uint32_t win);
/** The user closed the window: clean detach. */
void tc_input_quit(struct tc_client *c);

/* loop.c */
/**
 * The connection failed for good (no --reconnect): exit with status 1, at
 * once, or (hold_on_error, a window) once the user has read why.
 */
void tc_give_up(struct tc_client *c);
/** Write the composited screen to @path. 0 or -1 (logged). */
int tc_screenshot(struct tc_client *c, const char *path);
/** Recompose and present the damage now. */
void tc_present(struct tc_client *c);

/* logging: tc_log only with --log; tc_warn always; both to stderr */
/** Print "thin-client: " and the printf-style line @fmt to stderr, only with --log. */
void tc_log(const struct tc_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Print "thin-client: " and the printf-style line @fmt to stderr. */
void tc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Set c->err (the message handler failed); returns -1. */
int tc_fail(struct tc_client *c, enum xp_err_code code, unsigned op, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* THIN_INT_H */
