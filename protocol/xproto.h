/*
 * xproto.h - libxproto, the xproto wire protocol: message types generated
 * from xproto.def, one encoder and one decoder, framing, the handshake,
 * cookies, per-direction zlib compression and a message dumper.
 *
 * Ownership: decoded messages point into the buffer they were decoded from
 * (strings and byte blobs are not copied) and stay valid until the next call
 * on the same decoder or connection.
 */
#ifndef XPROTO_H
#define XPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define XP_MAGIC         "xpro"
#define XP_VERSION_MAJOR 1
#define XP_VERSION_MINOR 2
#define XP_PREAMBLE_LEN  6 /* magic[4] major minor */

/* how xp_preamble_check()'s VERSION error begins when the magic is wrong */
#define XP_NOT_XPROTO "not an xproto peer"

#define XP_MAX_MSG_DEFAULT (4u << 20) /* 4 MiB */
#define XP_MAX_MSG_MIN     4096u
#define XP_COOKIE_MIN      16
#define XP_COOKIE_MAX      32

/* roles in HELLO */
enum xp_role { XP_ROLE_APP = 1, XP_ROLE_CLIENT = 2, XP_ROLE_VIEWER = 3 };

/* HELLO / WELCOME flags */
#define XP_FLAG_ZLIB     0x1u /* both: compression (granted if both ask) */
#define XP_FLAG_EXISTING 0x2u /* HELLO: join only a session that exists (or "main") */
#define XP_FLAG_QUERY    0x4u /* HELLO: join no session, only ask (SESSION_LIST, APP_LIST) */
#define XP_FLAG_CREATED  0x8u /* WELCOME: this HELLO created the session */
#define XP_FLAG_SYNC_KEYS                                                                          \
	0x10u                  /* app: answers each key press with SYNC (granted                   \
	                          to the launcher: its keyboard is synchronous) */
#define XP_FLAG_SEAMLESS 0x20u /* the user's window manager arranges windows (1.1) */

/* WIN_CONFIGURE mask */
#define XP_CONF_MOVE   0x1u
#define XP_CONF_RESIZE 0x2u
#define XP_CONF_RAISE  0x4u

/* WIN_CREATE flags */
#define XP_WIN_MAXIMIZED 0x1u /* the server sizes it to the screen (at most XP_WIN_MAX_DIM) */
#define XP_WIN_POPUP     0x2u /* override-redirect: a menu or tooltip, shown as placed (1.1) */
#define XP_WIN_NO_KEY_RELEASE                                                                      \
	0x4u /* the app takes no key releases: clients need not send them (1.2) */

/* a window's width and height at most (SPEC section 12): larger is refused */
#define XP_WIN_MAX_DIM 4096u

/* CURSOR (1.2): a pointer shape, kept by the receiver under an id */
#define XP_CURSOR_IDS     64u /* ids 1..64 per connection; 0 = the default */
#define XP_CURSOR_MAX_DIM 64u /* width and height at most */
enum xp_cursor_format {
	XP_CURSOR_ARGB = 0, /* 4 bytes a pixel: A, R, G, B, premultiplied */
	XP_CURSOR_MASK = 1, /* two 1-bit planes (colour, shape) and fg/bg */
};

/* WIN_STATE / WIN_ENTRY state (1.1): what the session's window manager holds */
#define XP_STATE_FRAMED    0x1u /* managed: desktop-mode clients draw its frame */
#define XP_STATE_MINIMIZED 0x2u /* minimised by the user (also unmapped) */
#define XP_STATE_MAXIMIZED 0x4u /* maximised by the user (geometry saved) */
#define XP_STATE_FOCUSED   0x8u /* WIN_ENTRY only: it has the keyboard focus */

/* WIN_LIST flags / WIN_ENTRY flags */
#define XP_LIST_LAST 0x1u /* the last entry of the list */
#define XP_LIST_NONE 0x2u /* the list is empty: this entry names no window */

/* WIN_ARRANGE actions (1.1); the first three are the XP_CONF_* bits */
#define XP_ARR_MOVE       0x1u
#define XP_ARR_RESIZE     0x2u
#define XP_ARR_RAISE      0x4u
#define XP_ARR_FOCUS      0x8u
#define XP_ARR_MINIMIZE   0x10u
#define XP_ARR_RESTORE    0x20u
#define XP_ARR_MAXIMIZE   0x40u
#define XP_ARR_UNMAXIMIZE 0x80u
#define XP_ARR_CLOSE      0x100u
#define XP_ARR_ALL        0x1ffu

/* minor version that introduced window management (WIN_STATE ... POINTER_WIN) */
#define XP_MINOR_WM 1

/* APP_ENTRY flags */
#define XP_APP_LAST 0x1u /* the last entry of the list */
#define XP_APP_NONE 0x2u /* the list is empty: this entry names no app */

/* APP_EXITED flags */
#define XP_EXIT_NO_WINDOW  0x1u /* it ended before it showed a window */
#define XP_EXIT_SIGNAL     0x2u /* status is the signal that killed it */
#define XP_EXIT_REASON_MAX 200  /* bytes of the last stderr line kept */

/* SESSION_ENTRY flags */
#define XP_SESSION_LAST 0x1u /* the last entry of the list */
#define XP_SESSION_NONE 0x2u /* the server has no session: this entry names none */
#define XP_SESSION_MAX  1024 /* entries a server sends at most (its session limit) */

/* GC flags */
#define XP_GC_TRANSPARENT 0x1u /* bitmaps and text leave bg pixels alone */

/* CLIP_* selections: the session's clipboard, as X has them */
#define XP_CLIP_CLIPBOARD 0u /* explicit copy (Ctrl+C, Ctrl+Shift+C) */
#define XP_CLIP_PRIMARY   1u /* the current text selection (middle click) */
#define XP_CLIP_COUNT     2u
/* CLIP_OWN flags */
#define XP_CLIP_DISOWN  0x1u /* the sender no longer offers the selection */
#define XP_CLIP_CURRENT 0x2u /* server -> peer on attach: the owner now, not a change */
/* CLIP_DATA flags */
#define XP_CLIP_LAST      0x1u       /* the last chunk of this transfer */
#define XP_CLIP_FAILED    0x2u       /* no data: no owner, refused, aborted or timed out */
#define XP_CLIP_TRUNCATED 0x4u       /* the owner had more than XP_CLIP_MAX bytes */
#define XP_CLIP_CHUNK     4000u      /* largest CLIP_DATA payload: below any max_msg */
#define XP_CLIP_MAX       (8u << 20) /* largest transfer, all chunks */
/* minor version that introduced the clipboard and font ids above 1 */
#define XP_MINOR_CLIPBOARD 1

/* IMAGE formats */
enum xp_image_format { XP_IMG_RAW = 0, XP_IMG_ZLIB = 1, XP_IMG_PNG = 2 };

/* KEY / EV_KEY state: bit 0 pressed, modifiers above */
#define XP_KEY_PRESSED 0x1u
#define XP_MOD_SHIFT   (1u << 1)
#define XP_MOD_CONTROL (1u << 2)
#define XP_MOD_ALT     (1u << 3)
#define XP_MOD_SUPER   (1u << 4)
/* BUTTON / EV_BUTTON state: bit 0 pressed, button number above */
#define XP_BUTTON_STATE(button, pressed) (((uint32_t)(button) << 1) | ((pressed) ? 1u : 0u))

/* error codes carried by ERROR and struct xp_error */
#define XP_ERRORS(E)                                                                               \
	E(NONE, 0, "no error")                                                                     \
	E(MALFORMED, 1, "malformed message")                                                       \
	E(VERSION, 2, "protocol version mismatch")                                                 \
	E(AUTH, 3, "authentication failed")                                                        \
	E(TOO_BIG, 4, "message too big")                                                           \
	E(UNKNOWN_OP, 5, "unknown opcode")                                                         \
	E(LIMIT, 6, "resource limit exceeded")                                                     \
	E(NO_WINDOW, 7, "no such window")                                                          \
	E(NO_APP, 8, "no such app")                                                                \
	E(STATE, 9, "message not allowed in this state")                                           \
	E(READ_ONLY, 10, "read-only connection")                                                   \
	E(IO, 11, "connection error")                                                              \
	E(TIMEOUT, 12, "timed out")                                                                \
	E(INTERNAL, 13, "internal error")                                                          \
	E(ZLIB, 14, "compressed stream corrupt")                                                   \
	E(NO_SESSION, 15, "no such session")

enum xp_err_code {
#define XP_E_ENUM(n, v, s) XP_ERR_##n = v,
	XP_ERRORS(XP_E_ENUM)
#undef XP_E_ENUM
};

/** An error: a code and a human-readable message naming its cause. */
struct xp_error {
	enum xp_err_code code;
	uint8_t about; /* opcode concerned, 0 if none */
	char text[160];
};

struct xp_str {
	const char *p;
	uint32_t n;
};
struct xp_bytes {
	const uint8_t *p;
	uint32_t n;
};
struct xp_rect {
	int32_t x, y;
	uint32_t w, h;
};
struct xp_rects {
	uint32_t n;
	const struct xp_rect *v;
};

/* generated: opcodes, per-message structs and the message union */
enum xp_op {
#define XP_F(t, n)
#define XP_MSG(N, n, op, dir, fields) XP_OP_##N = op,
#include "xproto.def"
#undef XP_MSG
	XP_OP_MAX = 0x50
};

#define XP_CTYPE_U8    uint8_t
#define XP_CTYPE_UV    uint32_t
#define XP_CTYPE_SV    int32_t
#define XP_CTYPE_U64   uint64_t
#define XP_CTYPE_RGB   uint32_t
#define XP_CTYPE_STR   struct xp_str
#define XP_CTYPE_BYTES struct xp_bytes
#define XP_CTYPE_RECTS struct xp_rects
#undef XP_F
#define XP_F(t, n) XP_CTYPE_##t n;
#define XP_MSG(N, n, op, dir, fields)                                                              \
	struct xp_msg_##n {                                                                        \
		fields                                                                             \
	};
#include "xproto.def"
#undef XP_MSG
#undef XP_F

/** One decoded (or to-be-encoded) message. */
struct xp_msg {
	uint8_t op; /* enum xp_op */
	union {
#define XP_F(t, n)
#define XP_MSG(N, n, op, dir, fields) struct xp_msg_##n n;
#include "xproto.def"
#undef XP_MSG
#undef XP_F
	} u;
};

/* ---- strings, names ---- */

/** Name of opcode @op ("FILL"), or NULL if unknown. */
const char *xp_op_name(unsigned op);
/** Text for an error code ("authentication failed"). */
const char *xp_err_name(enum xp_err_code code);
/** Fill @err with @code, @about and a printf-style message; returns -1. */
int xp_error_set(struct xp_error *err, enum xp_err_code code, unsigned about, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/** Make a struct xp_str from a NUL-terminated string (borrowed). */
struct xp_str xp_str_from(const char *s);
/** Copy @s into @dst (size @cap, NUL-terminated, truncated). */
void xp_str_copy(char *dst, size_t cap, struct xp_str s);

/* ---- cursors (cursor.c) ---- */

/** Bytes of CURSOR data for @format at @w x @h (0 for an unknown format). */
size_t xp_cursor_data_len(uint8_t format, uint32_t w, uint32_t h);
/**
 * Check a CURSOR's meaning (SPEC.md, CURSOR): id 1..XP_CURSOR_IDS, size
 * 1..XP_CURSOR_MAX_DIM each way, the hot spot inside, a known format, data
 * of exactly the right length and, for ARGB, no colour above its alpha.
 * Returns 0, or -1 with @err set (MALFORMED, naming the field).
 */
int xp_cursor_check(const struct xp_msg_cursor *c, struct xp_error *err);
/**
 * Write the pixels of checked cursor @c into @argb (@c->w * @c->h values
 * 0xAARRGGBB, premultiplied, row by row): what X's XFIXES reports for the
 * same shape.
 */
void xp_cursor_argb(const struct xp_msg_cursor *c, uint32_t *argb);

/* ---- hex (hex.c) ---- */

/**
 * Write the @n bytes at @in as 2 * @n lowercase hex digits and a NUL into
 * @out (room for @cap chars). Returns the digit count, or -1 (and writes
 * nothing) when @cap < 2 * @n + 1.
 */
ssize_t xp_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/**
 * Decode exactly @len hex digits (either case, nothing else) at @hex into
 * @out (room for @cap bytes). Returns the byte count (@len / 2), or -1 for
 * an odd @len, a character that is not a hex digit, or more than @cap bytes.
 */
ssize_t xp_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap);

/* ---- UTF-8 (utf8.c): strict RFC 3629, the project's one codec ---- */

#define XP_UTF8_REPLACEMENT 0xfffdu /* U+FFFD, what invalid input decodes to */

/**
 * Decode one code point from @s (@len bytes, not NUL-terminated). Returns
 * the bytes consumed, 1-4 (0 only when @len is 0). @cp receives the code
 * point, or XP_UTF8_REPLACEMENT for an invalid or truncated sequence, of
 * which only the maximal invalid subpart is consumed (an overlong, a
 * surrogate, above U+10FFFF, a stray continuation byte, a missing one).
 */
size_t xp_utf8_next(const char *s, size_t len, uint32_t *cp);
/** Length of the longest valid UTF-8 prefix of [@s, @s + @n): @n if all valid. */
size_t xp_utf8_valid_prefix(const char *s, size_t n);
/** True if [@s, @s + @n) is valid UTF-8 (an empty string is). */
bool xp_utf8_valid(const char *s, size_t n);
/**
 * Encode @cp into @out. Returns 1-4 bytes written, or 0 (nothing written)
 * for a surrogate or a value above U+10FFFF.
 */
size_t xp_utf8_put(uint32_t cp, char out[4]);
/**
 * The longest prefix of valid UTF-8 [@s, @s + @n) that is at most @max bytes
 * and does not cut a character: @n if it fits, else @max backed off to the
 * start of the character it would cut.
 */
size_t xp_utf8_fit(const char *s, size_t n, size_t max);

/* ---- growable byte buffer ---- */

/** A byte buffer: bytes [off, len) are pending; grows up to @max. */
struct xp_buf {
	uint8_t *p;
	size_t off, len, cap, max;
};
/** Initialise an empty buffer that may grow to @max bytes. */
void xp_buf_init(struct xp_buf *b, size_t max);
/** Free the buffer's memory. */
void xp_buf_finish(struct xp_buf *b);
/** Make room for @n more bytes; returns 0, or -1 if over max or no memory. */
int xp_buf_reserve(struct xp_buf *b, size_t n);
/** Append @n bytes; returns 0 or -1. */
int xp_buf_append(struct xp_buf *b, const void *data, size_t n);
/** Drop @n pending bytes from the front. */
void xp_buf_consume(struct xp_buf *b, size_t n);
/** Number of pending bytes. */
static inline size_t xp_buf_pending(const struct xp_buf *b)
{
	return b->len - b->off;
}
/** Pointer to the first pending byte. */
static inline const uint8_t *xp_buf_data(const struct xp_buf *b)
{
	return b->p ? b->p + b->off : b->p;
}

/* ---- varints ---- */

/** Append an unsigned LEB128 varint to @out; returns bytes written (1-10). */
size_t xp_put_varint(uint8_t *out, uint64_t v);
/**
 * Read a varint of at most @max_bytes from [*p, end). Returns 1 and advances
 * *p on success, 0 if more bytes are needed, -1 if it is over-long.
 */
int xp_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v, int max_bytes);
static inline uint32_t xp_zigzag(int32_t v)
{
	return ((uint32_t)v << 1) ^ (v < 0 ? 0xffffffffu : 0u);
}
static inline int32_t xp_unzigzag(uint32_t v)
{
	return (int32_t)(v >> 1) ^ -(int32_t)(v & 1);
}

/* ---- messages ---- */

/**
 * Append @m, framed (opcode, varint payload length, payload), to @b.
 * Returns the frame size, or -1 (buffer limit, invalid op, RECTS count).
 */
ssize_t xp_encode(struct xp_buf *b, const struct xp_msg *m);

/** Decoder state: the maximum message size and scratch for arrays. */
struct xp_decoder {
	uint32_t max_msg;
	uint32_t max_rects; /* 0: any; more rectangles are not parsed (v NULL) */
	struct xp_rect *scratch;
	size_t scratch_cap;
};
/** Initialise @d for messages up to @max_msg payload bytes. */
void xp_decoder_init(struct xp_decoder *d, uint32_t max_msg);
/** Free the decoder's scratch memory. */
void xp_decoder_finish(struct xp_decoder *d);
/**
 * Decode one frame from [buf, buf+len). Returns the frame size (> 0) with
 * @out filled, 0 if more bytes are needed, or -1 with @err set (unknown
 * opcode, over-size, malformed payload). @out borrows from @buf and from the
 * decoder's scratch until the next call.
 */
ssize_t xp_decode(struct xp_decoder *d, const uint8_t *buf, size_t len, struct xp_msg *out,
                  struct xp_error *err);

/** Write one human-readable line for @m (no newline) into @out (size @cap). */
void xp_msg_format(const struct xp_msg *m, char *out, size_t cap);

/* ---- preamble, cookie ---- */

/** Write the 6-byte preamble (magic, major, minor) into @out. */
void xp_preamble_write(uint8_t out[XP_PREAMBLE_LEN]);
/**
 * Check a peer's preamble. Returns 0 if compatible (same major), -1 with
 * @err naming both versions otherwise.
 */
int xp_preamble_check(const uint8_t in[XP_PREAMBLE_LEN], struct xp_error *err);

/** A cookie: 16-32 random bytes shared through a 0600 file. */
struct xp_cookie {
	uint8_t data[XP_COOKIE_MAX];
	size_t len;
};
/**
 * Load the cookie from @path (hex text). If the file is absent and @create
 * is true, generate 32 random bytes and write them with mode 0600. Refuses
 * anything but a regular file owned by the effective user and unreadable by
 * group and others (a FIFO is refused without waiting for a writer).
 * Returns 0 or -1 with @err set.
 */
int xp_cookie_load(const char *path, bool create, struct xp_cookie *c, struct xp_error *err);
/** Compare a presented cookie with @c in constant time; true if equal. */
bool xp_cookie_equal(const struct xp_cookie *c, const uint8_t *p, size_t n);
/** Default cookie path: $XPROTO_COOKIE, else ~/.xproto-cookie. */
const char *xp_cookie_default_path(char *buf, size_t cap);

/* ---- connections: framing, buffering, compression, statistics ---- */

/** Byte and message counters for one connection. */
struct xp_conn_stats {
	uint64_t wire_in, wire_out;   /* bytes on the socket */
	uint64_t plain_in, plain_out; /* bytes before compression */
	uint64_t msgs_in, msgs_out;
	uint64_t inflated; /* bytes inflated from the compressed input */
	uint64_t ops_in[XP_OP_MAX], ops_out[XP_OP_MAX];
	uint64_t bytes_out_by_op[XP_OP_MAX];
};

struct xp_zstate;

/**
 * One protocol connection over a socket. It owns the fd (closed by
 * xp_conn_finish). Input: read() -> [inflate] -> frames. Output: send()
 * encodes into a staging buffer; flush() compresses it (Z_PARTIAL_FLUSH) into
 * the wire buffer; write() drains the wire buffer. Errors are sticky.
 *
 * The struct is public only so that owners can embed it; its fields are
 * libxproto's own. Everything else goes through the xp_conn_* functions
 * (xp_conn_fd, xp_conn_error, xp_conn_stats, ...).
 */
struct xp_conn {
	int fd;
	bool got_preamble, eof, failed;
	uint8_t peer_minor; /* the peer's minor version, from its preamble */
	struct xp_error err;
	struct xp_decoder dec;
	struct xp_buf in_raw, in_plain, out_plain, out_wire;
	struct xp_zstate *zin, *zout;
	struct xp_conn_stats st;
	size_t inflate_slice, deflate_slice; /* xp_conn_set_slices */
};

/**
 * Initialise @c on @fd (may be -1 for feed-only use, e.g. a dumper) for
 * messages up to @max_msg bytes; the peer's preamble is expected first
 * unless @expect_preamble is false. Returns 0 or -1 (no memory).
 */
int xp_conn_init(struct xp_conn *c, int fd, uint32_t max_msg, bool expect_preamble);
/** Close the fd and free all buffers. Accepts a zeroed struct. */
void xp_conn_finish(struct xp_conn *c);
/**
 * Accept messages up to @max_msg bytes from now on, and let the input
 * buffers hold one such message plus a read chunk (a server starts a peer
 * with a small limit and raises it once the peer has authenticated). Input
 * already buffered beyond a lowered limit stays until it is consumed.
 */
void xp_conn_set_max_msg(struct xp_conn *c, uint32_t max_msg);
/**
 * Switch on zlib for the input and/or output direction from now on. Input
 * already buffered past the current message is treated as compressed.
 * Returns 0 or -1.
 */
int xp_conn_enable_zlib(struct xp_conn *c, bool in, bool out);
/**
 * read() once from the fd. Returns 1 if bytes arrived, 0 if it would block
 * or the input buffer is full (decode first), -1 on EOF or error (c->err,
 * c->eof). Frames received before EOF can still be taken with next().
 */
int xp_conn_read(struct xp_conn *c);
/** Feed @n received wire bytes as if read from the fd. Returns 0 or -1. */
int xp_conn_feed(struct xp_conn *c, const void *data, size_t n);
/**
 * Take the next message. Returns 1 with @m filled (borrowing from @c until
 * the next call), 0 if more bytes are needed or the inflate slice is used
 * up (see xp_conn_input_pending), -1 on a protocol error (c->err names the
 * message and the cause).
 */
int xp_conn_next(struct xp_conn *c, struct xp_msg *m);
/** True when received compressed bytes are still waiting to be inflated. */
bool xp_conn_input_pending(const struct xp_conn *c);
/** Queue @m for sending (encoded, not yet flushed). Returns 0 or -1. */
int xp_conn_send(struct xp_conn *c, const struct xp_msg *m);
/** Queue the preamble (sent uncompressed, before anything else). */
int xp_conn_send_preamble(struct xp_conn *c);
/**
 * Queue an ERROR message with @code, @about and a formatted text. Unlike
 * xp_conn_send() it queues even after an input-side failure, so a peer that
 * broke the protocol still learns why it is dropped (flush and write next).
 */
int xp_conn_send_error(struct xp_conn *c, enum xp_err_code code, unsigned about, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
/**
 * Move queued messages to the wire buffer (compressing; at most
 * deflate_slice bytes when set: call again while xp_buf_pending(&out_plain)).
 * Returns 0 or -1.
 */
int xp_conn_flush(struct xp_conn *c);
/**
 * write() the wire buffer. Returns 1 when it is empty, 0 if bytes remain
 * (would block), -1 on error.
 */
int xp_conn_write(struct xp_conn *c);
/** Flush and write until everything is sent, polling up to @timeout_ms. */
int xp_conn_drain(struct xp_conn *c, int timeout_ms);
/**
 * Block (poll) up to @timeout_ms for the next message. Returns 1, 0 on
 * timeout, -1 on error or EOF.
 */
int xp_conn_wait(struct xp_conn *c, struct xp_msg *m, int timeout_ms);
/** Bytes queued or waiting on the wire. */
size_t xp_conn_out_pending(const struct xp_conn *c);
/** The socket (-1 when none), e.g. to poll it in the owner's loop. */
int xp_conn_fd(const struct xp_conn *c);
/**
 * Take the fd back: the connection forgets it, so xp_conn_finish() will not
 * close it. Returns the fd (the caller owns it now).
 */
int xp_conn_release_fd(struct xp_conn *c);
/** The last error (code XP_ERR_NONE if none); sticky once the connection failed. */
const struct xp_error *xp_conn_error(const struct xp_conn *c);
/** True once reading, decoding or writing failed for good (see xp_conn_error). */
bool xp_conn_failed(const struct xp_conn *c);
/** True once the peer closed its side; messages buffered before can still be taken. */
bool xp_conn_eof(const struct xp_conn *c);
/** Plain bytes queued and not yet flushed (compressed) to the wire buffer. */
size_t xp_conn_unflushed(const struct xp_conn *c);
/**
 * Bound the work of one call (0 = none): at most @inflate bytes inflated per
 * xp_conn_next() and @deflate bytes compressed per xp_conn_flush(); the
 * rest waits for the next call (see xp_conn_input_pending, xp_conn_unflushed).
 */
void xp_conn_set_slices(struct xp_conn *c, size_t inflate, size_t deflate);
/**
 * A RECTS field with more than @max rectangles (0: no limit) is not parsed:
 * it decodes with its count and v = NULL, for a receiver that refuses it by
 * the count (parsing 700,000 rectangles to refuse them is the cost to avoid).
 */
void xp_conn_set_max_rects(struct xp_conn *c, uint32_t max);
/** Byte and message counters since xp_conn_init(). */
const struct xp_conn_stats *xp_conn_stats(const struct xp_conn *c);
/**
 * Plain (uncompressed) bytes queued since xp_conn_init(), whether already
 * flushed or not: the measure flow control counts in.
 */
uint64_t xp_conn_plain_queued(const struct xp_conn *c);
/** True if output is compressed (zlib switched on for it). */
bool xp_conn_zlib_out(const struct xp_conn *c);
/** The peer's minor version from its preamble (0 until it arrived). */
unsigned xp_conn_peer_minor(const struct xp_conn *c);
/**
 * Queue @n raw bytes as they are, in order with the messages (tests use it
 * to send garbage). Returns 0, or -1 if out of memory.
 */
int xp_conn_send_raw(struct xp_conn *c, const void *data, size_t n);

/* ---- handshake helpers ---- */

/** What a peer offers or the server grants in HELLO / WELCOME. */
struct xp_caps {
	uint32_t flags, max_msg, screen_w, screen_h;
};
/**
 * Client side: connect() is done; send preamble + HELLO, wait for the
 * server's preamble and WELCOME (or ERROR), switch on compression if granted.
 * Blocking, up to @timeout_ms. Returns 0 with @granted filled, or -1 with
 * c->err set (version mismatch, refused with the server's text).
 */
int xp_handshake_client(struct xp_conn *c, enum xp_role role, const struct xp_cookie *ck,
                        const struct xp_caps *want, const char *session, const char *name,
                        struct xp_caps *granted, int timeout_ms);
/**
 * Server side: check a HELLO's role, cookie (constant time), session name
 * (1-64 of A-Z a-z 0-9 . _ -, not starting with . or -) and screen size. Returns 0, or -1 with @err
 * set (AUTH for a bad cookie).
 */
int xp_hello_check(const struct xp_msg_hello *h, const struct xp_cookie *ck, struct xp_error *err);
/** Negotiate: the smaller max_msg, compression only if both want it. */
struct xp_caps xp_caps_negotiate(const struct xp_caps *offer, const struct xp_caps *server);

/* ---- sockets (net.c): every listen and connect in the project ---- */

#define XP_NET_CLOEXEC  0x1u /* the fd is closed in programs we exec */
#define XP_NET_NONBLOCK 0x2u /* the fd is non-blocking (event loops) */

/**
 * Listen on TCP @addr, "HOST:PORT" or "[IPV6]:PORT". An empty HOST (":PORT")
 * or a NULL @addr ("127.0.0.1:0") means loopback; PORT 0 picks a free port.
 * @flags (XP_NET_*) apply to the listening fd. SO_REUSEADDR, backlog 128.
 * Returns the fd (the caller closes it) with the bound port in *@port (if
 * not NULL), or -1 with @err naming the address and the cause (errno is
 * kept: EADDRINUSE for a port someone listens on).
 */
int xp_net_listen_tcp(const char *addr, unsigned flags, int *port, struct xp_error *err);
/**
 * Listen on the Unix socket @path ("@name": abstract namespace). A stale
 * socket file at @path (nobody answers on it) is removed first; one a
 * server still answers on is left alone and refused (errno EADDRINUSE).
 * The socket is created with mode 0600 (umask 077), so only this user may
 * connect. Returns the fd or -1 with @err set. The caller unlinks @path
 * when done.
 */
int xp_net_listen_unix(const char *path, unsigned flags, struct xp_error *err);
/**
 * Accept one connection on listening @lfd, the new fd getting @flags
 * (XP_NET_*) and, on TCP, TCP_NODELAY. Returns the fd, or -1 with errno set
 * (EAGAIN: nobody waits on a non-blocking @lfd).
 */
int xp_net_accept(int lfd, unsigned flags);
/**
 * Connect to "HOST:PORT" (TCP, TCP_NODELAY; an empty HOST is 127.0.0.1) or
 * to a Unix socket path (see xp_net_is_unix). The connect itself blocks,
 * so a refused peer fails here; XP_NET_NONBLOCK makes the fd non-blocking
 * afterwards. Returns the fd (the caller closes it) or -1 with @err set.
 */
int xp_net_connect(const char *addr, unsigned flags, struct xp_error *err);
/** True if @addr names a Unix socket: it starts with '/', '.' or '@'. */
bool xp_net_is_unix(const char *addr);
/**
 * Check that @addr is a well-formed "HOST:PORT" or Unix socket path without
 * resolving or connecting. Returns 0, or -1 with @err saying what is wrong.
 */
int xp_net_check(const char *addr, struct xp_error *err);
/* ---- display names (display.c) ---- */

#define XP_DISPLAY_PORT_BASE 7100 /* display N: thin clients on TCP 7100 + N */
#define XP_DISPLAY_MAX       999

/** Where a display name leads (xp_display_parse). */
struct xp_display {
	int number;       /* 0-XP_DISPLAY_MAX, or -1: the name was an address */
	bool local;       /* on this host: no HOST, localhost, 127.0.0.1, ::1 or unix */
	char tcp[280];    /* "HOST:PORT" for thin clients ("" for a socket path) */
	char socket[108]; /* the app socket on this host ("" when not local) */
};
/**
 * Parse @name: ":N" or "HOST:N" with N 0-999 is display N (TCP port 7100 + N
 * on HOST, default 127.0.0.1, and on this host the Unix socket
 * xp_display_socket(N)); "HOST:PORT" with PORT 1000-65535 is that address;
 * a path ('/', '.', '@') is a Unix socket. Returns 0 with @d filled, or -1
 * with @err saying what is wrong. Nothing is resolved or connected.
 */
int xp_display_parse(const char *name, struct xp_display *d, struct xp_error *err);
/** The app socket of display @n for this user, /tmp/xproto-UID/N.sock, in @buf. */
const char *xp_display_socket(int n, char *buf, size_t cap);
/** This user's socket directory, /tmp/xproto-UID, in @buf. */
const char *xp_display_socket_dir(char *buf, size_t cap);
/**
 * Create directory @dir (mode 0700), or check that the one there is a
 * directory (not a link) owned by this user that no one else may enter:
 * the socket directory of this user's displays. Returns 0, or -1 with @err
 * naming what is wrong.
 */
int xp_private_dir(const char *dir, struct xp_error *err);

/* ---- signals (sig.c) ---- */

/**
 * Block the @n signals @sigs (they stay pending instead of interrupting)
 * and return a non-blocking, close-on-exec signalfd that reports them, so
 * an event loop takes them in order with its other fds. SIGPIPE is ignored
 * too: a closed socket is an error, not a signal. Programs started later
 * inherit the blocked mask: unblock it in the child before exec. Returns
 * the fd (the caller closes it) or -1 with errno set.
 */
int xp_signal_fd(const int *sigs, size_t n);
/** The next signal waiting on @fd (from xp_signal_fd), or 0 when none is. */
int xp_signal_next(int fd);

/* ---- window frames (frame.c): the geometry SPEC.md section 12 defines ---- */

/*
 * A framed window (XP_STATE_FRAMED) has a title bar of XP_FRAME_TITLE rows
 * above its content (the top XP_FRAME_BORDER of them a resize edge) and a
 * border of XP_FRAME_BORDER pixels left, right and below. The server hit-tests
 * the pointer against this geometry; desktop-mode clients draw it.
 */
#define XP_FRAME_BORDER 4
#define XP_FRAME_TITLE  22
#define XP_FRAME_BTN_W  16 /* title-bar buttons: close, maximise, minimise from the right */
#define XP_FRAME_BTN_H  14
#define XP_FRAME_CORNER 16 /* an edge this close to a corner resizes both ways */

/** What a point of a framed window is. */
enum xp_frame_part {
	XP_PART_NONE,    /* outside the window and its frame */
	XP_PART_CONTENT, /* the app's pixels */
	XP_PART_TITLE,   /* the title bar: drag to move */
	XP_PART_CLOSE,   /* title-bar buttons */
	XP_PART_MAXIMIZE,
	XP_PART_MINIMIZE,
	XP_PART_EDGE, /* a border: drag to resize the XP_EDGE_* sides */
};
#define XP_EDGE_LEFT   0x1u
#define XP_EDGE_RIGHT  0x2u
#define XP_EDGE_TOP    0x4u
#define XP_EDGE_BOTTOM 0x8u

/**
 * The frame's outer rectangle around content @content (session pixels),
 * computed in 64 bits and clamped to the int32 range.
 */
struct xp_rect xp_frame_outer(struct xp_rect content);
/**
 * The rectangle of title-bar button @part (XP_PART_CLOSE, _MAXIMIZE or
 * _MINIMIZE) of a window with content @content; w == 0 when the window is
 * too narrow to show that button.
 */
struct xp_rect xp_frame_button(struct xp_rect content, enum xp_frame_part part);
/**
 * Which part of a framed window with content @content the point (@px, @py)
 * is on; for XP_PART_EDGE *@edges (may be NULL) receives the XP_EDGE_* sides.
 */
enum xp_frame_part xp_frame_hit(struct xp_rect content, int32_t px, int32_t py, unsigned *edges);

/** Microseconds on the monotonic clock. */
uint64_t xp_now_us(void);
/** Whole milliseconds left until @deadline_us (monotonic), 0 once it passed. */
int xp_ms_until(uint64_t deadline_us);

#endif
