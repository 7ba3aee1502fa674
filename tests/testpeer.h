/*
 * testpeer.h - a tiny xproto server for tests: listens on 127.0.0.1 (port
 * chosen by the kernel), owns a fresh cookie file, accepts one peer at a
 * time, does the server side of the handshake (preamble, HELLO check,
 * WELCOME, zlib when asked) and then sends and receives whatever the test
 * scripts. Every wait is bounded by a timeout. Reusable by any module.
 */
#ifndef TESTPEER_H
#define TESTPEER_H

#include <stdbool.h>

#include "xproto.h"

struct tp_peer {
	int listen_fd;
	int port;
	char addr[32]; /* "127.0.0.1:PORT" for the client */
	char dir[64];  /* temporary folder holding the cookie */
	char cookie_path[96];
	struct xp_cookie cookie;
	struct xp_conn conn; /* the accepted peer (xp_conn_fd() < 0 when none) */
	bool connected;
	uint32_t screen_w, screen_h; /* the size WELCOME announces */
	/* from the last HELLO */
	uint8_t role;
	uint32_t flags, hello_w, hello_h;
	char session[65];
	/* when set, HELLO is answered with ERROR AUTH and this text, no WELCOME */
	const char *refuse;
};

/** Listen on 127.0.0.1:0 and create a cookie file. Returns 0 or -1. */
int tp_init(struct tp_peer *p);
/** Close everything and remove the cookie file; accepts a zeroed struct. */
void tp_finish(struct tp_peer *p);
/**
 * Accept one connection within @timeout_ms and do the handshake: check the
 * preamble and HELLO (cookie included), send WELCOME (zlib if the HELLO asks
 * for it and @zlib is true). Returns 0, or -1 (connection closed again,
 * as it is after a refusal: see @p->refuse).
 */
int tp_accept(struct tp_peer *p, bool zlib, int timeout_ms);
/** Queue a message. Returns 0 or -1. */
int tp_send(struct tp_peer *p, const struct xp_msg *m);
/** Flush and write everything queued within @timeout_ms. Returns 0 or -1. */
int tp_flush(struct tp_peer *p, int timeout_ms);
/** Write raw bytes (after flushing), bypassing framing and compression. */
int tp_send_raw(struct tp_peer *p, const void *data, size_t n);
/**
 * Write five bytes that are no message (tp_send_raw): an unknown opcode
 * first, or, on a zlib connection, a corrupt compressed stream. Returns 0
 * or -1.
 */
int tp_send_garbage(struct tp_peer *p);
/**
 * Wait up to @timeout_ms for the next message, answering and skipping the
 * peer's PINGs when @skip_pings. Returns 1, 0 on timeout, -1 on EOF/error.
 */
int tp_next(struct tp_peer *p, struct xp_msg *m, bool skip_pings, int timeout_ms);
/**
 * Wait for a message with opcode @op, skipping PINGs (answered) and, when
 * @skip_other, any other message. Returns 1, 0 on timeout, -1 on EOF, or -2
 * when another opcode came first and @skip_other is false.
 */
int tp_expect(struct tp_peer *p, uint8_t op, struct xp_msg *m, bool skip_other, int timeout_ms);
/**
 * Wait for a KEY as tp_expect() does and check its @state, @keysym and
 * @text. Returns 0 if it came and matches; otherwise prints what came (or
 * that nothing did) and returns -1.
 */
int tp_expect_key(struct tp_peer *p, uint32_t state, uint32_t keysym, const char *text,
                  bool skip_other, int timeout_ms);
/** Send MARK @serial and wait for ACK >= @serial. Returns 0 or -1. */
int tp_sync(struct tp_peer *p, uint32_t serial, int timeout_ms);
/** Wait until the peer closes the connection. Returns 0 or -1 (timeout). */
int tp_wait_eof(struct tp_peer *p, int timeout_ms);
/** Close the accepted connection (the listener stays). */
void tp_drop(struct tp_peer *p);
/**
 * End the accepted connection as a peer that stops sending does: what is
 * queued goes out, then the end of the stream (FIN); what the client still
 * sends is read and dropped until it closes, up to @timeout_ms; then
 * tp_drop(). The client sees the end of the stream, never a reset: closing
 * a socket with unread input (a PING the client sent on its own) makes the
 * kernel answer with RST. Returns 0 when the client closed, -1 otherwise.
 */
int tp_hangup(struct tp_peer *p, int timeout_ms);

#endif
