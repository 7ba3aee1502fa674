/*
 * thinrun.h - a thin client running in a thread of the test, as the thin
 * tests use it: start it with options, join it with a deadline (a client
 * still running then is stopped and the join reports it), destroy it.
 */
#ifndef THINRUN_H
#define THINRUN_H

#include <pthread.h>
#include <stdbool.h>

#include "thin.h"

struct thinrun {
	struct tc_client *c;
	pthread_t th;
	int status;   /* tc_client_run()'s result, once joined */
	bool running; /* the thread was started and not joined yet */
};

/**
 * Create a client from @o and run it in a new thread. Returns 0, or -1 when
 * the client cannot be created or the thread started (nothing to finish).
 */
int thinrun_start(struct thinrun *r, const struct tc_options *o);
/**
 * Join the client thread within @timeout_ms. Returns the client's exit
 * status, or -1 when it was still running at the deadline (it is then
 * stopped and joined, so the caller can fail the test and go on).
 */
int thinrun_join(struct thinrun *r, int timeout_ms);
/** Stop and join the client if it still runs, then destroy it. */
void thinrun_finish(struct thinrun *r);

#endif
