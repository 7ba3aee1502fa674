/*
 * store_sync.c - agendad's group commit without an fsync on the event
 * loop. Once the syncer thread runs, the writer connection commits with
 * synchronous=NORMAL (a COMMIT only appends to the WAL, in the page cache)
 * and the thread fdatasync()s the WAL file behind it: every COMMIT asks
 * for a sync, one fdatasync covers every COMMIT made before it started,
 * and an eventfd tells the loop. The loop releases an answer that tells
 * of a write (an ACK) only once the COMMIT that wrote it is durable, and a
 * pull page only once every sequence number it shows is (SYNC.md I1 and
 * section 7). Without the thread (the fuzzer) every COMMIT is
 * synchronous=FULL and durable when it returns.
 */
#include "agenda_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void *syncer(void *arg)
{
	struct ag_store *s = arg;
	uint64_t one = 1;
	pthread_mutex_lock(&s->sy.mu);
	while (!s->sy.stop) {
		if (s->sy.want == s->sy.done || s->sy.failed) {
			pthread_cond_wait(&s->sy.cv, &s->sy.mu);
			continue;
		}
		uint64_t want = s->sy.want;
		int64_t seq = s->sy.want_seq;
		pthread_mutex_unlock(&s->sy.mu);
		int rc = fdatasync(s->sy.wal_fd); /* covers every COMMIT up to WANT */
		pthread_mutex_lock(&s->sy.mu);
		if (rc) {
			s->sy.failed = true;
			s->sy.err = errno;
		} else {
			s->sy.done = want;
			s->sy.done_seq = seq;
		}
		if (write(s->sy.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			s->sy.failed = true;
	}
	pthread_mutex_unlock(&s->sy.mu);
	return NULL;
}

static int open_wal(struct ag_store *s, const char *path, char *err, size_t errlen)
{
	char wal[4096];
	if (snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
		return snprintf(err, errlen, "%s: path too long", path), -1;
	/* the writer has the database open in WAL mode: the file exists, and
	 * SQLite removes it only when the last connection closes */
	s->sy.wal_fd = open(wal, O_RDONLY | O_CLOEXEC);
	if (s->sy.wal_fd < 0 || fdatasync(s->sy.wal_fd)) /* what a killed agendad left */
		return snprintf(err, errlen, "%s: %s", wal, strerror(errno)), -1;
	s->sy.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->sy.efd < 0)
		return snprintf(err, errlen, "eventfd: %s", strerror(errno)), -1;
	return 0;
}

int ag_store_syncer(struct ag_store *s, const char *path, char *err, size_t errlen)
{
	if (!sqlite3_threadsafe())
		return 0; /* every COMMIT stays synchronous=FULL */
	if (open_wal(s, path, err, errlen))
		goto err_fds;
	if (pthread_mutex_init(&s->sy.mu, NULL))
		goto err_fds;
	if (pthread_cond_init(&s->sy.cv, NULL))
		goto err_mutex;
	if (ag_db_exec(s->db, "PRAGMA synchronous=NORMAL"))
		goto err_cond;
	int rc = pthread_create(&s->sy.thread, NULL, syncer, s);
	if (rc) {
		ag_db_exec(s->db, "PRAGMA synchronous=FULL");
		snprintf(err, errlen, "syncer thread: %s", strerror(rc));
		goto err_cond;
	}
	s->sy.running = true;
	return 0;
err_cond:
	pthread_cond_destroy(&s->sy.cv);
err_mutex:
	pthread_mutex_destroy(&s->sy.mu);
err_fds:
	if (!err[0])
		snprintf(err, errlen, "syncer: cannot start");
	if (s->sy.wal_fd > 0)
		close(s->sy.wal_fd);
	if (s->sy.efd > 0)
		close(s->sy.efd);
	s->sy.wal_fd = s->sy.efd = 0;
	return -1;
}

void ag_store_sync_stop(struct ag_store *s)
{
	if (!s->sy.running)
		return;
	pthread_mutex_lock(&s->sy.mu);
	s->sy.stop = true;
	pthread_cond_signal(&s->sy.cv);
	pthread_mutex_unlock(&s->sy.mu);
	pthread_join(s->sy.thread, NULL);
	pthread_cond_destroy(&s->sy.cv);
	pthread_mutex_destroy(&s->sy.mu);
	close(s->sy.wal_fd);
	close(s->sy.efd);
	s->sy.running = false;
}

void ag_store_committed(struct ag_store *s)
{
	s->commits++;
	if (!s->sy.running) { /* synchronous=FULL: durable already */
		s->durable = s->commits;
		s->durable_seq = s->seq;
		return;
	}
	pthread_mutex_lock(&s->sy.mu);
	s->sy.want = s->commits;
	s->sy.want_seq = s->seq;
	pthread_cond_signal(&s->sy.cv);
	pthread_mutex_unlock(&s->sy.mu);
}

int ag_store_sync_fd(const struct ag_store *s)
{
	return s->sy.running ? s->sy.efd : -1;
}

int ag_store_sync_poll(struct ag_store *s)
{
	uint64_t n;
	if (!s->sy.running)
		return 0;
	if (read(s->sy.efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -1;
	pthread_mutex_lock(&s->sy.mu);
	s->durable = s->sy.done;
	s->durable_seq = s->sy.done_seq;
	int rc = s->sy.failed ? -1 : 0;
	if (rc)
		fprintf(stderr, "agendad: fdatasync of the WAL failed: %s\n", strerror(s->sy.err));
	pthread_mutex_unlock(&s->sy.mu);
	return rc;
}
