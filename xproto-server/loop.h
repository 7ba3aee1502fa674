/*
 * loop.h - a small event loop (after redis ae.h): fd callbacks, one-shot and
 * repeating timers, and a before-sleep hook where output is flushed. The
 * epoll backend is in loop.c. Single-threaded; no call blocks.
 */
#ifndef XS_LOOP_H
#define XS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define XS_READABLE 0x1u
#define XS_WRITABLE 0x2u

struct xs_loop;
typedef void (*xs_fd_fn)(struct xs_loop *l, int fd, unsigned events, void *data);
/* return the next interval in ms to repeat, or -1 to stop the timer */
typedef int (*xs_timer_fn)(struct xs_loop *l, uint64_t id, void *data);
typedef void (*xs_hook_fn)(struct xs_loop *l, void *data);

/** Create a loop for up to @max_fds descriptors. NULL on failure. */
struct xs_loop *xs_loop_create(int max_fds);
/** Free the loop (fds are not closed). Accepts NULL. */
void xs_loop_destroy(struct xs_loop *l);
/**
 * Watch @fd for @mask (XS_READABLE|XS_WRITABLE); replaces an earlier watch.
 * Returns 0 or -1 (fd out of range, epoll error).
 */
int xs_loop_watch(struct xs_loop *l, int fd, unsigned mask, xs_fd_fn fn, void *data);
/** epoll_ctl calls made so far (a watch that changes nothing makes none). */
uint64_t xs_loop_ctl_calls(const struct xs_loop *l);
/** Stop watching @fd. */
void xs_loop_unwatch(struct xs_loop *l, int fd);
/** Call @fn after @ms milliseconds; returns a timer id (> 0) or 0. */
uint64_t xs_loop_timer(struct xs_loop *l, int ms, xs_timer_fn fn, void *data);
/** Cancel a timer; unknown ids are ignored. */
void xs_loop_cancel(struct xs_loop *l, uint64_t id);
/** Set the hook run before each wait (flush output there). */
void xs_loop_before_sleep(struct xs_loop *l, xs_hook_fn fn, void *data);
/**
 * One turn: the before-sleep hook, a wait of at most @max_wait_ms (-1: until
 * the next timer or event), the ready callbacks, the due timers. Returns 0,
 * or -1 on an epoll failure.
 */
int xs_loop_turn(struct xs_loop *l, int max_wait_ms);
/** Run until xs_loop_stop(). Returns 0, or -1 on an epoll failure. */
int xs_loop_run(struct xs_loop *l);
/**
 * Work is left for the next turn (from the before-sleep hook): its wait
 * only polls, so other connections' events are taken between the pieces.
 */
void xs_loop_wake(struct xs_loop *l);
/** Make xs_loop_run return after the current iteration. */
void xs_loop_stop(struct xs_loop *l);

#endif
