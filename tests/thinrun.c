/*
 * thinrun.c - see thinrun.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "thinrun.h"

/* The thread: run the client until it stops, keep its status. */
static void *run_thread(void *arg)
{
	struct tr_run *r = arg;
	r->status = tc_client_run(r->c);
	return NULL;
}

int tr_start(struct tr_run *r, const struct tc_options *o)
{
	memset(r, 0, sizeof(*r));
	r->c = tc_client_create(o);
	if (!r->c)
		return -1;
	if (pthread_create(&r->th, NULL, run_thread, r) != 0) {
		tc_client_destroy(r->c);
		r->c = NULL;
		return -1;
	}
	return 0;
}

int tr_join(struct tr_run *r, int timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(r->th, NULL, &ts) == 0)
		return r->status;
	fprintf(stderr, "thinrun: client did not finish within %d ms: stopped\n", timeout_ms);
	tc_client_stop(r->c);
	pthread_join(r->th, NULL);
	return -1;
}

void tr_destroy(struct tr_run *r)
{
	tc_client_destroy(r->c);
	r->c = NULL;
}
