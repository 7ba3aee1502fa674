/*
 * sync.c - syncing in the background. A worker thread with its own handle
 * on the replica (SQLite in WAL mode lets both write) runs ag_sync() when
 * asked, so the UI never waits for the network: a change shows at once and
 * reaches the server a few round trips later; a sync asked for while one
 * runs is run right after it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"

static void *worker(void *arg)
{
	struct cal *c = arg;
	struct ag_replica *r = NULL;
	char cmd, err[256];
	if (ag_replica_open(c->db_path, &r, err, sizeof(err)) < 0)
		r = NULL;
	while (read(c->sync_req[0], &cmd, 1) == 1 && cmd == 's') {
		struct ag_sync_stats st = {0};
		struct ag_sync_opts opts = {0};
		int rc = r ? ag_sync(r, &opts, &st) : -1;
		pthread_mutex_lock(&c->sync_lock);
		c->sync_rc = rc;
		c->sync_stats = st;
		snprintf(c->sync_err, sizeof(c->sync_err), "%s", r ? ag_replica_error(r) : err);
		pthread_mutex_unlock(&c->sync_lock);
		if (write(c->sync_done[1], "d", 1) != 1)
			break;
	}
	ag_replica_close(r);
	return NULL;
}

int cal_sync_start(struct cal *c)
{
	if (!c->can_sync)
		return 0;
	if (pipe(c->sync_req) < 0 || pipe(c->sync_done) < 0)
		return -1;
	pthread_mutex_init(&c->sync_lock, NULL);
	if (pthread_create(&c->sync_thread, NULL, worker, c) != 0)
		return -1;
	c->sync_running = true;
	return 0;
}

void cal_sync_stop(struct cal *c)
{
	if (!c->sync_running)
		return;
	if (write(c->sync_req[1], "q", 1) != 1)
		close(c->sync_req[1]); /* EOF stops the worker as well */
	pthread_join(c->sync_thread, NULL);
	close(c->sync_req[0]);
	close(c->sync_req[1]);
	close(c->sync_done[0]);
	close(c->sync_done[1]);
	pthread_mutex_destroy(&c->sync_lock);
	c->sync_running = false;
}

void cal_sync(struct cal *c)
{
	if (!c->sync_running)
		return;
	c->last_sync_us = xp_now_us();
	if (c->sync_busy) {
		c->sync_again = true;
		return;
	}
	if (write(c->sync_req[1], "s", 1) == 1) {
		c->sync_busy = true;
		snprintf(c->status, sizeof(c->status), "syncing (#%u)", ++c->sync_count);
	}
}

void cal_sync_done(struct cal *c)
{
	char b;
	if (read(c->sync_done[0], &b, 1) != 1)
		return;
	pthread_mutex_lock(&c->sync_lock);
	struct ag_sync_stats st = c->sync_stats;
	int rc = c->sync_rc;
	if (rc < 0)
		snprintf(c->status, sizeof(c->status), "offline: %.80s (%d changes kept) #%u",
		         c->sync_err, ag_pending_count(c->rep), c->sync_count);
	else
		snprintf(c->status, sizeof(c->status), "synced #%u: %u sent, %u received%s",
		         c->sync_count, st.pushed, st.pulled,
		         st.conflicts ? ", conflicts kept" : "");
	pthread_mutex_unlock(&c->sync_lock);
	c->sync_busy = false;
	if (rc == 0 && (st.pulled || st.conflicts))
		cal_reload(c);
	if (c->sync_again) {
		c->sync_again = false;
		cal_sync(c);
	}
}
