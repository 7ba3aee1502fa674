/*
 * loop.c - the epoll backend of the event loop, with a small timer list.
 * Timers are few (handshake deadlines, flow-control checks), so a linear
 * scan for the nearest one is simpler and fast enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "xproto.h"
#include "xputil.h"

struct watch {
	unsigned mask;
	xs_fd_fn fn;
	void *data;
};

struct timer {
	uint64_t id, when_us;
	xs_timer_fn fn;
	void *data;
	struct timer *next;
};

struct xs_loop {
	int epfd, max_fds;
	bool stop, wake;       /* wake: work is left, the next wait must not block */
	struct watch *watches; /* indexed by fd, grown as fds appear */
	size_t nwatches;
	struct timer *timers;
	uint64_t next_timer_id;
	uint64_t ctl_calls; /* epoll_ctl calls, for tests */
	xs_hook_fn before_sleep;
	void *before_sleep_data;
};

struct xs_loop *xs_loop_create(int max_fds)
{
	struct xs_loop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->max_fds = max_fds;
	return l;
}

void xs_loop_destroy(struct xs_loop *l)
{
	if (!l)
		return;
	while (l->timers) {
		struct timer *t = l->timers;
		l->timers = t->next;
		free(t);
	}
	close(l->epfd);
	free(l->watches);
	free(l);
}

int xs_loop_watch(struct xs_loop *l, int fd, unsigned mask, xs_fd_fn fn, void *data)
{
	if (fd < 0 || fd >= l->max_fds)
		return -1;
	if ((size_t)fd >= l->nwatches) {
		size_t old = l->nwatches;
		if (XU_ARRAY_RESERVE(l->watches, l->nwatches, (size_t)fd + 1) < 0)
			return -1;
		memset(l->watches + old, 0, (l->nwatches - old) * sizeof(*l->watches));
	}
	struct watch *w = &l->watches[fd];
	/* the kernel is asked only when the interest changes, not every turn */
	if (!w->fn || w->mask != mask) {
		struct epoll_event ev = {.data.fd = fd};
		ev.events =
		    (mask & XS_READABLE ? EPOLLIN : 0u) | (mask & XS_WRITABLE ? EPOLLOUT : 0u);
		l->ctl_calls++;
		if (epoll_ctl(l->epfd, w->fn ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
			return -1;
	}
	*w = (struct watch){mask, fn, data};
	return 0;
}

uint64_t xs_loop_ctl_calls(const struct xs_loop *l)
{
	return l->ctl_calls;
}

void xs_loop_unwatch(struct xs_loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nwatches || !l->watches[fd].fn)
		return;
	l->ctl_calls++;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->watches[fd] = (struct watch){0};
}

uint64_t xs_loop_timer(struct xs_loop *l, int ms, xs_timer_fn fn, void *data)
{
	struct timer *t = malloc(sizeof(*t));
	if (!t)
		return 0;
	*t = (struct timer){++l->next_timer_id, xp_now_us() + (uint64_t)ms * 1000, fn, data,
	                    l->timers};
	l->timers = t;
	return t->id;
}

void xs_loop_cancel(struct xs_loop *l, uint64_t id)
{
	for (struct timer **p = &l->timers; *p; p = &(*p)->next) {
		if ((*p)->id == id) {
			struct timer *t = *p;
			*p = t->next;
			free(t);
			return;
		}
	}
}

void xs_loop_before_sleep(struct xs_loop *l, xs_hook_fn fn, void *data)
{
	l->before_sleep = fn;
	l->before_sleep_data = data;
}

void xs_loop_wake(struct xs_loop *l)
{
	l->wake = true;
}

void xs_loop_stop(struct xs_loop *l)
{
	l->stop = true;
}

/* Milliseconds until the nearest timer, or -1 for none. */
static int next_timeout(const struct xs_loop *l)
{
	uint64_t now = xp_now_us(), best = UINT64_MAX;
	for (const struct timer *t = l->timers; t; t = t->next)
		if (t->when_us < best)
			best = t->when_us;
	if (best == UINT64_MAX)
		return -1;
	return best <= now ? 0 : (int)((best - now + 999) / 1000);
}

/* Run one due timer; returns true if one ran (the list may have changed). */
static bool run_one_timer(struct xs_loop *l, uint64_t now)
{
	for (struct timer **p = &l->timers; *p; p = &(*p)->next) {
		struct timer *t = *p;
		if (t->when_us > now)
			continue;
		*p = t->next;
		int again = t->fn(l, t->id, t->data);
		if (again >= 0) {
			t->when_us = xp_now_us() + (uint64_t)again * 1000;
			t->next = l->timers;
			l->timers = t;
		} else {
			free(t);
		}
		return true;
	}
	return false;
}

static void run_timers(struct xs_loop *l)
{
	uint64_t now = xp_now_us();
	/* bounded: a timer re-armed with 0 ms runs again next iteration */
	for (int i = 0; i < 1000 && run_one_timer(l, now); i++)
		;
}

int xs_loop_turn(struct xs_loop *l, int max_wait_ms)
{
	struct epoll_event evs[64];
	if (l->before_sleep)
		l->before_sleep(l, l->before_sleep_data);
	int wait = l->wake ? 0 : next_timeout(l);
	if (max_wait_ms >= 0 && (wait < 0 || wait > max_wait_ms))
		wait = max_wait_ms;
	l->wake = false;
	int n = epoll_wait(l->epfd, evs, 64, wait);
	if (n < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		if ((size_t)fd >= l->nwatches)
			continue;
		struct watch w = l->watches[fd];
		unsigned mask =
		    (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR) ? XS_READABLE : 0u) |
		    (evs[i].events & EPOLLOUT ? XS_WRITABLE : 0u);
		/* a callback may unwatch fds later in this batch */
		if (w.fn && l->watches[fd].fn)
			w.fn(l, fd, mask, w.data);
	}
	run_timers(l);
	return 0;
}

int xs_loop_run(struct xs_loop *l)
{
	l->stop = false;
	while (!l->stop)
		if (xs_loop_turn(l, -1) < 0)
			return -1;
	return 0;
}
