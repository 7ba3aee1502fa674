/*
 * thinrun.h - a real thin client (libxpthin) running in a thread, for the
 * thin-client tests and benchmark: start it, then join it within a bounded
 * time (a client still running then is stopped).
 */
#ifndef THINRUN_H
#define THINRUN_H

#include <pthread.h>

#include "thin.h"

/** One client and its thread. */
struct tr_run {
	struct tc_client *c;
	pthread_t th;
	int status; /* tc_client_run()'s, once joined */
};

/** Create a client from @o and run it in a new thread. Returns 0 or -1. */
int tr_start(struct tr_run *r, const struct tc_options *o);
/**
 * Wait up to @timeout_ms for the client to finish. A client still running
 * then is stopped (tc_client_stop) and joined, and -1 returned; otherwise
 * its exit status.
 */
int tr_join(struct tr_run *r, int timeout_ms);
/** Destroy the client (after tr_join). */
void tr_destroy(struct tr_run *r);

#endif
