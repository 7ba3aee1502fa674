/*
 * hostile.h - heavy and hostile peers for xproto-server's stress suite and
 * benchmark: an app sending the worst traffic the protocol allows, raw
 * connections in every state of a handshake, and a victim that measures
 * its round trips in another session meanwhile. Each runs in its own
 * process (fork) so the measuring side is never slowed by the attacking one.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "e2e.h"
#include "load.h" /* a process's CPU and memory, the machine's load */

/** The kinds of expensive traffic an app can send (hp_flood). */
enum hp_kind {
	HP_FILL_RECTS,  /* FILL_RECTS, as many rectangles as allowed, each the window */
	HP_ZLIB_IMAGE,  /* IMAGE, zlib: a few KiB that inflate to the largest image */
	HP_BIG_WINDOWS, /* WIN_CREATE / WIN_DESTROY of the largest windows */
	HP_COPY,        /* COPY of the whole largest window */
	HP_TEXT,        /* TEXT, the longest string allowed */
	HP_BITMAP,      /* BITMAP covering the largest window */
	HP_TINY,        /* a stream of the cheapest messages */
	HP_CACHED,      /* IMAGE_CACHED of the largest cacheable image */
	HP_NOISE,       /* IMAGE, raw noise: what clients get compresses slowest */
	HP_RESIZE,      /* WIN_CONFIGURE resizing the largest window, smaller and back */
	HP_MIX,         /* all of the above in turn */
	HP_KINDS
};

/** Name of @k for reports ("fill-rects"). */
const char *hp_kind_name(enum hp_kind k);

/**
 * What a flooding app did, so that a run can prove its attack happened:
 * work the server acknowledged, not only bytes sent.
 */
struct hp_flood_report {
	int status;          /* the flooding process's exit status (proc_wait), -1 if it hung */
	long batches;        /* batches sent (each a few MiB of work, or one largest message) */
	long confirmed;      /* SYNC answers: batches the server had taken when it answered */
	long applied;        /* messages of those batches the server did not refuse: its work */
	long refused;        /* ERROR LIMIT answers (the kind is sent at half the size next) */
	long errors;         /* other ERRORs: work the server did not do */
	bool final_sync;     /* the round trip after the last batch came back */
	bool app_dropped;    /* the server closed the app */
	bool client_dropped; /* ... or the client attached to its session */
	char why[160];       /* the first thing that went wrong, "" if nothing */
};

/** A flooding app running (hp_flood_start). */
struct hp_flood {
	pid_t pid;
	int fd; /* its report comes back on this pipe */
};

/**
 * Fork an app in session @session of @s that sends @k traffic as fast as
 * the server takes it for @seconds, in batches each ended by a SYNC (one
 * batch in flight), with a client attached to that session that reads and
 * acknowledges everything (so drawing is also forwarded); then one more
 * SYNC round trip. Returns 0 or -1 (fork failed).
 */
int hp_flood_start(struct hp_flood *fl, struct e2e_server *s, const char *session, enum hp_kind k,
                   int seconds);
/**
 * Wait up to @timeout_ms for the flooding app's report into @out and reap
 * it. Returns 0 when it ended well (status 0: it finished with the final
 * round trip), -1 otherwise (@out->why says why).
 */
int hp_flood_finish(struct hp_flood *fl, struct hp_flood_report *out, int timeout_ms);

/** Round trips an app measured (hp_victim_*). */
struct hp_rtt {
	int n;                   /* samples */
	double p50, p99, max_ms; /* milliseconds */
};

/** A victim: an app in its own session, timing SYNC round trips. */
struct hp_victim {
	pid_t pid;
	int fd; /* results come back on this pipe */
};

/**
 * Fork the victim: it connects to session @session of @s, makes a window,
 * then times a SYNC round trip every @interval_ms for @seconds. Returns 0
 * once it is in with its window (waiting at most 60 s), or -1.
 */
int hp_victim_start(struct hp_victim *v, struct e2e_server *s, const char *session, int interval_ms,
                    int seconds);
/** Wait for the victim (bounded) and take its figures. Returns 0 or -1. */
int hp_victim_finish(struct hp_victim *v, struct hp_rtt *out);

/**
 * HP_NICE=N (e.g. -10): measure the server, not the machine's other load.
 * The calling process moves into a session of its own (forking once when it
 * leads a process group, the parent only waiting and passing on the exit
 * status) and sets that session's autogroup nice to N, so what it starts
 * competes with other users' sessions at N; hp_prioritize() then sets N on
 * one process (the server, the victim) within it. Returns a line to print
 * saying what was done ("" without HP_NICE). Call it first in main().
 */
const char *hp_priority_begin(void);
/** With HP_NICE, give @pid its priority (see hp_priority_begin). */
void hp_prioritize(pid_t pid);

#endif
