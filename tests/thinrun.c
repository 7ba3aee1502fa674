/*
 * thinrun.c - see thinrun.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "thinrun.h"

static void *run_thread(void *arg)
{
	struct thinrun *r = arg;
	r->status = tc_client_run(r->c);
	return NULL;
}

int thinrun_start(struct thinrun *r, const struct tc_options *o)
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
	r->running = true;
	return 0;
}

int thinrun_join(struct thinrun *r, int timeout_ms)
{
	struct timespec ts;
	if (!r->running)
		return r->status;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	int err = pthread_timedjoin_np(r->th, NULL, &ts);
	if (err == 0) {
		r->running = false;
		return r->status;
	}
	fprintf(stderr, "thinrun: client still running after %d ms (%s): stopped\n", timeout_ms,
	        strerror(err));
	tc_client_stop(r->c);
	pthread_join(r->th, NULL);
	r->running = false;
	return -1;
}

void thinrun_finish(struct thinrun *r)
{
	if (r->running) {
		tc_client_stop(r->c);
		pthread_join(r->th, NULL);
		r->running = false;
	}
	tc_client_destroy(r->c);
	r->c = NULL;
}
