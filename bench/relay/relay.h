/*
 * relay.h - librelay (prefix rl_), the one measuring TCP relay of the
 * benchmarks: `xp-relay` (bench/peers, make bench-peers) and `bwc-relay`
 * (apps/bwcompare, make compare) are thin front ends over it.
 *
 * Every connection accepted on the listening address is connected to the
 * target (TCP HOST:PORT or a Unix socket path) and its bytes forwarded both
 * ways. The relay counts what it reads: bytes each way, messages (bursts)
 * and round trips, and hands every chunk it reads to the owner's hooks,
 * which log, trace, compress or capture as they like. Optionally it
 * emulates a link in user space (latency, bandwidth) and can go offline.
 *
 * Counting (when the relay reads the bytes from their sender):
 *   bytes    TCP payload; TCP/IP headers are not included;
 *   message  a burst in one direction on one connection: a read starts a new
 *            message when the previous read on that connection went the
 *            other way, or when more than msg_gap_ms passed since the last
 *            read in this direction;
 *   round trip  a turn from up (the connecting side speaking) to down (the
 *            target answering) on one connection, plus one per connection
 *            set up (the TCP handshake).
 *
 * Link emulation: each direction delays data by rtt/2, and a new connection
 * first pays one RTT (the TCP handshake) before its first byte arrives; one
 * pacer per direction, shared by all connections, sends a segment (at most
 * 1448 bytes) when the direction is free and takes len * 8 / mbit us; each
 * connection's order is kept. Offline: every connection is closed at once
 * and new ones are accepted and closed at once (a refused sync fails fast).
 *
 * Times are CLOCK_MONOTONIC microseconds (xp_now_us(), the clock of
 * thin-client's `checkpoint`).
 */
#ifndef RELAY_H
#define RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xproto.h"

/** Directions: up from the side that connected to the relay, down back. */
enum rl_dir { RL_UP = 0, RL_DOWN = 1 };

/** One chunk the relay read, as its hooks see it (borrowed until return). */
struct rl_chunk {
	unsigned conn;    /* connection id, from 1 in accept order */
	enum rl_dir dir;  /* who sent it */
	const uint8_t *p; /* the bytes */
	size_t n;
	uint64_t t_us;   /* when they were read */
	bool new_msg;    /* this read starts a message */
	bool round_trip; /* this read turns the conversation around (up -> down) */
};

/** Counters of the whole relay since it started. */
struct rl_totals {
	uint64_t bytes[2];    /* indexed by enum rl_dir */
	uint64_t messages;    /* bursts, both directions */
	uint64_t round_trips; /* turns, plus one per connection set up */
	uint64_t connections; /* relayed (refused ones not counted) */
};

/**
 * What the relay tells its owner; every hook is optional (NULL). @ctx is
 * passed back to each. Per-connection @state is whatever open() stored.
 */
struct rl_hooks {
	void *ctx;
	/**
	 * Connection @conn is relayed from @t_us on. May store per-connection
	 * data in *@state (handed to data() and close()). Returns 0, or -1 to
	 * refuse the connection (it is then closed without refused()).
	 */
	int (*open)(void *ctx, unsigned conn, uint64_t t_us, void **state);
	/** Connection @conn was closed at @t_us: offline, full, or the target said @why. */
	void (*refused)(void *ctx, unsigned conn, uint64_t t_us, const char *why);
	/** A chunk was read (before any emulated delay). */
	void (*data)(void *ctx, void *state, const struct rl_chunk *c);
	/**
	 * Connection @conn ended at @t_us after @bytes[RL_UP] and @bytes[RL_DOWN]
	 * were read; the owner frees @state here.
	 */
	void (*close)(void *ctx, void *state, unsigned conn, uint64_t t_us,
	              const uint64_t bytes[2]);
	/** The relay went offline (@offline) or back online at @t_us. */
	void (*link)(void *ctx, bool offline, uint64_t t_us);
};

/** How to relay; zero values take the defaults named. */
struct rl_options {
	const char *listen; /* "HOST:PORT" to accept on; NULL: 127.0.0.1:0 */
	const char *target; /* "HOST:PORT" or a Unix socket path (required) */
	double rtt_ms;      /* added round-trip time, half per direction (0: none) */
	double mbit;        /* bandwidth per direction in Mbit/s (0: unlimited) */
	double msg_gap_ms;  /* a longer pause starts a new message (0: 10) */
	size_t read_max;    /* bytes per read, so per chunk (0: 16384) */
	unsigned max_conns; /* connections at once; more are refused (0: 64) */
	struct rl_hooks hooks;
};

struct rl_relay;

/**
 * Listen on @o->listen and get ready to relay to @o->target. Returns the
 * relay (free with rl_destroy), or NULL with @err naming the bad option or
 * the address that could not be listened on. @o is copied; its strings are
 * borrowed for the relay's life.
 */
struct rl_relay *rl_create(const struct rl_options *o, struct xp_error *err);
/** Close every connection (calling the close hook) and free @r. Accepts NULL. */
void rl_destroy(struct rl_relay *r);
/** The TCP port the relay listens on (the one picked when asked for port 0). */
int rl_port(const struct rl_relay *r);
/** The counters so far. */
struct rl_totals rl_totals(const struct rl_relay *r);
/**
 * Go offline (@offline true: close every connection now, refuse new ones at
 * once) or back online.
 */
void rl_set_offline(struct rl_relay *r, bool offline);
/**
 * One round of the relay: wait up to @max_wait_ms (-1: until something
 * happens) for readable or writable sockets, new connections or data due
 * on the emulated link, then move what can be moved. Returns 0, or -1 if
 * polling failed.
 */
int rl_step(struct rl_relay *r, int max_wait_ms);
/**
 * Relay until SIGTERM or SIGINT; SIGUSR1 goes offline, SIGUSR2 online.
 * Those signals are blocked and read through a signalfd, and SIGPIPE is
 * ignored. Returns 0 on a stop signal, -1 on an error.
 */
int rl_run(struct rl_relay *r);

#endif
