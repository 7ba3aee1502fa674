/*
 * xpapp.h - libxpapp, the client library apps draw with (prefix xa_): an
 * Xlib-sized API over the xproto protocol. Output is buffered; call
 * xa_flush() once per frame. Drawing state (target window, colours, font,
 * clip) is sent only when it changes, so repeated draws stay small.
 */
#ifndef XPAPP_H
#define XPAPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xproto.h"

struct xa_display;

/** Event kinds delivered by xa_next_event(). */
enum xa_event_type {
	XA_KEY = 1,      /* key press or release in the focused window */
	XA_BUTTON,       /* pointer button press or release */
	XA_MOTION,       /* pointer moved */
	XA_CONFIGURE,    /* the server changed a window's geometry: redraw */
	XA_CLOSE,        /* the user asked to close a window */
	XA_FOCUS,        /* a window gained or lost the keyboard focus */
	XA_APP_EXITED,   /* an app launched in this session ended (launchers) */
	XA_CLIP_OWNER,   /* another peer took (or, DISOWN, dropped) a selection */
	XA_CLIP_REQUEST, /* someone pastes a selection we offered: xa_clip_send() */
	XA_CLIP_DATA,    /* a requested selection arrived whole: xa_clip_take() */
};

/** One input or window event. Strings are copied into the event. */
struct xa_event {
	enum xa_event_type type;
	uint32_t win;
	uint32_t state;   /* KEY/BUTTON: bit 0 pressed, KEY: XP_MOD_* bits; BUTTON: button << 1 */
	uint32_t keysym;  /* KEY */
	char text[64];    /* KEY: UTF-8 produced, NUL-terminated */
	int32_t x, y;     /* BUTTON, MOTION: window coordinates; CONFIGURE: position */
	uint32_t w, h;    /* CONFIGURE: size */
	uint32_t buttons; /* MOTION: held buttons, bit n-1 for button n */
	bool on;          /* FOCUS */
	uint32_t sel;     /* CLIP_OWNER, CLIP_REQUEST: XP_CLIP_CLIPBOARD or _PRIMARY */
	uint32_t req;     /* CLIP_REQUEST, CLIP_DATA: the transfer */
	uint32_t flags;   /* CLIP_OWNER: XP_CLIP_DISOWN; CLIP_DATA: XP_CLIP_* data flags */
	/* APP_EXITED: text = the app's name, state = XP_EXIT_* flags, keysym = its
	 * exit status (or signal), reason = its last stderr line ("" if none) */
	char reason[XP_EXIT_REASON_MAX + 1];
};

/**
 * Connect using the environment the server gives launched apps:
 * XPROTO_DISPLAY (":N": display N's socket on this host; also HOST:PORT
 * or a socket path) or else XPROTO_APP_SOCKET (address), XPROTO_COOKIE
 * (cookie file), XPROTO_SESSION (session name, default "main"; it must
 * exist, except "main": a mistyped name is refused with the server's
 * "no session 'NAME' (sessions: ...)", not a new empty session). @name
 * identifies the app in logs. Returns a display, or NULL with @err set.
 * Free with xa_close().
 */
struct xa_display *xa_open(const char *name, struct xp_error *err);
/**
 * The app endpoint the environment names, as xa_open() uses it: that of
 * XPROTO_DISPLAY (":N" on this host: the display's Unix socket; HOST:PORT
 * or a path as they are), else XPROTO_APP_SOCKET; written into @buf (@cap
 * bytes). Returns @buf, or NULL with @err set when neither is set, or the
 * display is on another host.
 */
const char *xa_app_endpoint(char *buf, size_t cap, struct xp_error *err);
/**
 * Connect to an explicit address (Unix path or HOST:PORT), cookie file and
 * session; unlike xa_open(), a session that does not exist is created.
 */
struct xa_display *xa_open_at(const char *addr, const char *cookie_path, const char *session,
                              const char *name, struct xp_error *err);
/** Flush, disconnect and free. Accepts NULL. */
void xa_close(struct xa_display *d);
/** The socket to poll for readability (events), e.g. in the app's own loop. */
int xa_fd(const struct xa_display *d);
/** The session's screen size from the handshake. */
void xa_screen_size(const struct xa_display *d, uint32_t *w, uint32_t *h);
/**
 * The size a window filling the screen may have: the screen's, at most
 * XP_WIN_MAX_DIM each way (a larger window is refused; a maximized one
 * gets this size). A screen of 0 (no client yet) stays 0.
 */
void xa_window_max_size(const struct xa_display *d, uint32_t *w, uint32_t *h);
/** The last error (sticky once the connection failed). */
const struct xp_error *xa_error(const struct xa_display *d);

/**
 * Create an unmapped window at (@x, @y) of @w x @h, background @bg.
 * @flags: XP_WIN_MAXIMIZED to have the server size it to the screen (an
 * XA_CONFIGURE event then tells the real size). Returns the window id (> 0)
 * or 0 on error.
 */
uint32_t xa_window_create(struct xa_display *d, int32_t x, int32_t y, uint32_t w, uint32_t h,
                          uint32_t flags, uint32_t bg);
/** Destroy window @win (the app's id); the server forgets it. 0, or -1 if sending failed. */
int xa_window_destroy(struct xa_display *d, uint32_t win);
/** Show window @win (WIN_MAP). 0, or -1 if sending failed. */
int xa_window_map(struct xa_display *d, uint32_t win);
/** Hide window @win (WIN_UNMAP); it keeps its pixels. 0, or -1 if sending failed. */
int xa_window_unmap(struct xa_display *d, uint32_t win);
/** Move (XP_CONF_MOVE), resize (XP_CONF_RESIZE) and/or raise (XP_CONF_RAISE). */
int xa_window_configure(struct xa_display *d, uint32_t win, uint32_t mask, int32_t x, int32_t y,
                        uint32_t w, uint32_t h);
/** Set the title (UTF-8, at most 256 bytes). */
int xa_window_title(struct xa_display *d, uint32_t win, const char *title);

/* ---- the session's windows (winlist.c; protocol 1.1, SPEC.md section 12) ---- */

/** One window of the session, from xa_window_list(). */
struct xa_window_info {
	uint32_t id;     /* the session's id: what xa_window_arrange() takes */
	uint32_t state;  /* XP_STATE_*: MINIMIZED, MAXIMIZED, FOCUSED ... */
	char title[257]; /* its title, or its app's name; UTF-8 */
};
/**
 * Ask the server for the session's windows (WIN_LIST), topmost first, the
 * minimised last, and wait up to @timeout_ms for the whole list; events
 * arriving meanwhile are queued. *@list is malloc'd (NULL when empty), the
 * caller frees it. Returns 0, or -1 (timeout, disconnection, bad list).
 */
int xa_window_list(struct xa_display *d, struct xa_window_info **list, size_t *n, int timeout_ms);
/**
 * Arrange session window @win (an id from xa_window_list, any app's) as the
 * user asked: XP_ARR_* @action, geometry (@x, @y, @w, @h) for MOVE/RESIZE.
 */
int xa_window_arrange(struct xa_display *d, uint32_t win, uint32_t action, int32_t x, int32_t y,
                      uint32_t w, uint32_t h);
/** Make @win a dialog (or popup) of @parent, both this app's windows; 0 clears. */
int xa_window_parent(struct xa_display *d, uint32_t win, uint32_t parent);

/* Drawing: all return 0, or -1 if the request could not be queued. */
int xa_fill(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
            uint32_t color);
/** Fill @n rectangles with @color in one message. */
int xa_fill_rects(struct xa_display *d, uint32_t win, const struct xp_rect *r, uint32_t n,
                  uint32_t color);
/** Copy an area within the window (scrolling). */
int xa_copy(struct xa_display *d, uint32_t win, int32_t sx, int32_t sy, uint32_t w, uint32_t h,
            int32_t dx, int32_t dy);
/** 1-bit bitmap, rows padded to bytes, MSB first; @transparent leaves 0 bits alone. */
int xa_bitmap(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
              const uint8_t *bits, size_t len, uint32_t fg, uint32_t bg, bool transparent);
/** UTF-8 text, @y the top of the cell, in @font (XR_FONT_*), @fg on @bg. */
int xa_text(struct xa_display *d, uint32_t win, int32_t x, int32_t y, const char *utf8, size_t len,
            uint32_t font, uint32_t fg, uint32_t bg);
/** An image (XP_IMG_RAW, XP_IMG_ZLIB or XP_IMG_PNG); @data is copied into the queue. */
int xa_image(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
             uint8_t format, const void *data, size_t len);
/**
 * Like xa_image(), and keep the decoded pixels under @cache_id (> 0, the
 * app's own numbering) so that xa_image_cached() can draw them again without
 * sending them. Reusing an id replaces the image.
 */
int xa_image_keep(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t w, uint32_t h,
                  uint8_t format, const void *data, size_t len, uint32_t cache_id);
/** Draw the image kept under @cache_id at (@x, @y) of @win. */
int xa_image_cached(struct xa_display *d, uint32_t win, int32_t x, int32_t y, uint32_t cache_id);
/** Forget the image kept under @cache_id. */
int xa_cache_drop(struct xa_display *d, uint32_t cache_id);
/** Clip later drawing in @win to a rectangle, or remove the clip with @r NULL. */
int xa_clip(struct xa_display *d, uint32_t win, const struct xp_rect *r);
/** Ring the bell. */
int xa_bell(struct xa_display *d, uint32_t win);

/* ---- pointer shapes (cursor.c) ---- */

/** The shapes libxpapp draws itself, for xa_cursor_standard(). */
enum xa_cursor_shape {
	XA_CURSOR_ARROW = 1, /* the usual pointer */
	XA_CURSOR_IBEAM,     /* text: where a click puts the caret */
};
/**
 * Define pointer shape @id (1..XP_CURSOR_IDS, the app's own numbering) from
 * @argb: @w x @h (1..XP_CURSOR_MAX_DIM each) values 0xAARRGGBB, alpha
 * premultiplied (a colour above its alpha is clamped), row by row, read
 * only during the call; (@hot_x, @hot_y) is the pixel that points. Sent as
 * the 1-bit MASK format when that is exact (every pixel opaque or
 * transparent, two colours at most), else as ARGB. Defining an id again
 * replaces it; windows showing the old shape keep it until named again.
 * Returns 0, or -1 for a bad size or hot spot, or if it cannot be queued.
 */
int xa_cursor_argb(struct xa_display *d, uint32_t id, uint32_t w, uint32_t h, uint32_t hot_x,
                   uint32_t hot_y, const uint32_t *argb);
/** Define shape @id as one of libxpapp's own (black, outlined in white). 0 or -1. */
int xa_cursor_standard(struct xa_display *d, uint32_t id, enum xa_cursor_shape shape);
/**
 * Show shape @id (defined before) while the pointer is over window @win; 0
 * for the client's default. The server keeps it for every client, those
 * attaching later included. Returns 0 or -1.
 */
int xa_window_cursor(struct xa_display *d, uint32_t win, uint32_t id);

/* ---- the session clipboard (clip.c, SPEC.md section 14) ---- */

/**
 * Offer clipboard selection @sel (XP_CLIP_CLIPBOARD or XP_CLIP_PRIMARY) to
 * the session; @size is a hint (bytes, 0 unknown). Requests then arrive as
 * XA_CLIP_REQUEST events, until an XA_CLIP_OWNER event says another took it.
 */
int xa_clip_own(struct xa_display *d, uint32_t sel, uint64_t size);
/** Stop offering @sel (only if we still own it). */
int xa_clip_disown(struct xa_display *d, uint32_t sel);
/**
 * Answer request @req with @len bytes of UTF-8 text (copied), in chunks; more
 * than XP_CLIP_MAX bytes are cut and flagged truncated. @data NULL refuses.
 */
int xa_clip_send(struct xa_display *d, uint32_t req, const void *data, size_t len);
/**
 * As xa_clip_send(), for text the caller already cut (the owner had more
 * than @len bytes, e.g. an X selection past XP_CLIP_MAX): the last chunk is
 * flagged truncated whatever @len is.
 */
int xa_clip_send_cut(struct xa_display *d, uint32_t req, const void *data, size_t len);
/**
 * Ask for the contents of selection @sel. Returns the request id (> 0), or 0
 * when too many requests wait or the connection failed. An XA_CLIP_DATA
 * event with this id follows (after at most the server's timeout).
 */
uint32_t xa_clip_request(struct xa_display *d, uint32_t sel);
/**
 * The data of completed request @req: a malloc'd, NUL-terminated buffer the
 * caller frees, @len its length, @flags the XP_CLIP_* data flags (FAILED:
 * nothing came, TRUNCATED: cut at XP_CLIP_MAX). NULL for an unknown or
 * unfinished request. The bytes are as the owner sent them: not checked.
 */
char *xa_clip_take(struct xa_display *d, uint32_t req, size_t *len, uint32_t *flags);

/** Ask the server to start the app named @name in this session (launchers). */
int xa_launch(struct xa_display *d, const char *name);

/** One app the server can launch, from xa_app_list(). */
struct xa_app_info {
	char name[64];   /* UTF-8, NUL-terminated; what xa_launch() takes */
	char about[128]; /* a one-line description (cut at a character) */
};
/**
 * Ask the server (APP_LIST) which apps it can launch and wait up to
 * @timeout_ms for the whole list; events arriving meanwhile are queued for
 * xa_next_event(). On success *@list is a malloc'd array of *@n entries in
 * the server's order (NULL when there is none), which the caller frees with
 * free(). Returns 0, or -1 on timeout, disconnection or a malformed list
 * (xa_error() says which).
 */
int xa_app_list(struct xa_display *d, struct xa_app_info **list, size_t *n, int timeout_ms);

/** Send everything queued. Returns 0, or -1 if the connection failed. */
int xa_flush(struct xa_display *d);
/**
 * Flush and wait until the server has processed everything sent so far
 * (events arriving meanwhile are queued). Returns 0; -1 on timeout, on a
 * closed connection, or when the server refused an earlier request
 * (xa_error() says why; after a non-fatal error such as LIMIT or NO_WINDOW
 * the connection stays usable).
 */
int xa_sync(struct xa_display *d, int timeout_ms);
/**
 * Next event: flushes, then waits up to @timeout_ms (0 = poll, -1 = forever).
 * Returns 1 with @ev filled, 0 on timeout, -1 when disconnected.
 */
int xa_next_event(struct xa_display *d, struct xa_event *ev, int timeout_ms);
/** Bytes this app has sent and received on the wire. */
void xa_wire_bytes(const struct xa_display *d, uint64_t *out, uint64_t *in);

/* ---- character-cell surfaces (grid.c) ---- */

/** Combining marks a cell keeps, drawn over its character. */
#define XA_CELL_COMB 2

/** One character cell: a code point (0 = blank) and its look. */
struct xa_cell {
	uint32_t ch;             /* XA_WIDE_TAIL: right half of a wide character */
	uint32_t fg, bg;         /* 0x00RRGGBB */
	uint8_t bold, underline; /* underline: 0 none, 1 single, 2 double */
	uint8_t italic, strike;
	uint32_t comb[XA_CELL_COMB]; /* combining marks, 0-terminated if fewer */
	uint8_t line; /* DEC line size: 0, XR_FONT_DWL, _DHL_TOP or _DHL_BOTTOM (with a tail) */
};
#define XA_WIDE_TAIL 0xffffffffu

/**
 * A window shown as rows x cols cells of one font size (xr_font_size_name();
 * 0, 6x13, unless xa_grid_set_font() says otherwise). The app builds a full
 * array of cells per frame; xa_grid_paint() sends only what changed since
 * the last frame (a COPY when rows scrolled, text runs otherwise). A cell
 * followed by an XA_WIDE_TAIL cell is a wide character drawn over both in
 * the size's wide font; bold and italic select the font's styles; marks in
 * comb are drawn over the character as transparent bitmaps. A cell with a
 * line size and a tail is a character of a DEC double-width (or -height)
 * line, stretched over both.

 */
struct xa_grid {
	struct xa_display *d;
	uint32_t win, fg, bg;
	int rows, cols, cell_w, cell_h, ascent, font_size;
	uint32_t win_w, win_h;  /* window size in pixels; 0: the cells' */
	struct xa_cell *shadow; /* what the window shows */
	bool valid, detect_scroll;
};
/** Set up @g for window @win; @fg/@bg are the blank cell's colours. 0 or -1. */
int xa_grid_init(struct xa_grid *g, struct xa_display *d, uint32_t win, int rows, int cols,
                 uint32_t fg, uint32_t bg);
/** Free the grid's memory (not the window). */
void xa_grid_finish(struct xa_grid *g);
/** Change the size; the next paint redraws everything. 0 or -1. */
int xa_grid_resize(struct xa_grid *g, int rows, int cols);
/**
 * Use font size @size (0..XR_FONT_SIZES-1) from now on; the cell size
 * changes (read g->cell_w, g->cell_h) and the next paint redraws
 * everything. 0, or -1 for an unknown size.
 */
int xa_grid_set_font(struct xa_grid *g, int size);
/**
 * The window is @w x @h pixels: a full redraw paints the strips the cells
 * do not cover in the blank colour (0 x 0: only the cells' area).
 */
void xa_grid_set_window(struct xa_grid *g, uint32_t w, uint32_t h);
/** Forget what the window shows: the next paint redraws everything. */
void xa_grid_invalidate(struct xa_grid *g);
/** Send the difference between the window and @cells (rows * cols, borrowed). */
void xa_grid_paint(struct xa_grid *g, const struct xa_cell *cells);

#endif
