/*
 * xvfb.h - start a private Xvfb for a test: a free display number chosen by
 * the server itself (-displayfd), no TCP listener, a bounded wait for it to
 * come up, no reset when its last client leaves (-noreset), DISPLAY set for
 * the test, and a bounded shutdown. Reusable by any test that needs X.
 */
#ifndef XVFB_H
#define XVFB_H

#include <stdbool.h>
#include <sys/types.h>

struct xvfb {
	pid_t pid;
	int display;
	char name[16]; /* ":N", also put in $DISPLAY */
};

/** True when an Xvfb binary can be found on $PATH. */
bool xvfb_available(void);
/**
 * Start Xvfb with one 24-bit screen of @w x @h and wait up to @timeout_ms
 * until it accepts connections. Sets $DISPLAY. Returns 0 or -1.
 */
int xvfb_start(struct xvfb *x, int w, int h, int timeout_ms);
/** Stop it (SIGTERM, then SIGKILL after 5 s) and unset $DISPLAY. */
void xvfb_stop(struct xvfb *x);

#endif
