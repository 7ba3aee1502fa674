/*
 * xsel.h - X selections (CLIPBOARD, PRIMARY) bridged with the session
 * clipboard (SPEC.md section 14), against one X connection. Used by the
 * thin client (the user's desktop, thin-client/clip.c) and by the X bridge
 * xp-x11 (its private Xvfb, apps/x11/clip.c); both link it from libxpthin.
 * It needs only xcb, XFixes and xproto.h; the user of the module moves the
 * CLIP_* messages.
 */
#ifndef TC_XSEL_H
#define TC_XSEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xcb_connection_t;

struct tc_xsel;
/** What the bridge tells its user (the thin client's clip.c, the X bridge's clip.c). */
struct tc_xsel_ops {
	/** A local X client now owns @sel (XP_CLIP_*): offer it to the session. */
	void (*owned_locally)(void *user, uint32_t sel);
	/** Nobody owns @sel locally any more. */
	void (*disowned_locally)(void *user, uint32_t sel);
	/** A local client pastes @sel: fetch the session's data, then tc_xsel_supply(). */
	void (*wanted)(void *user, uint32_t sel);
	/** The text of tc_xsel_fetch(@id) (UTF-8, borrowed), or NULL when there was none. */
	void (*fetched)(void *user, uint32_t id, const char *data, size_t len, bool truncated);
};
/**
 * The atoms called @names[0..@n) on @xc (interned if new) into @out, 0
 * (XCB_ATOM_NONE) where X did not answer; one round trip for up to 32.
 */
void tc_x11_atoms(struct xcb_connection_t *xc, const char *const *names, size_t n, uint32_t *out);
/** Bridge the selections of @xc through our window @win (it must get PropertyNotify). */
struct tc_xsel *tc_xsel_create(struct xcb_connection_t *xc, uint32_t win,
                               const struct tc_xsel_ops *ops, void *user);
/** Free bridge @x: transfers in flight and cached texts; NULL-safe. */
void tc_xsel_destroy(struct tc_xsel *x);
/** Pass @user to @x's callbacks from now on. */
void tc_xsel_set_user(struct tc_xsel *x, void *user);
/**
 * The session this bridge serves ("HOST:PORT/SESSION"), put on our window
 * as XPROTO_CLIP_SOURCE: a selection owned by a window with the same value
 * is another client of the same session and is not offered back to it.
 */
void tc_xsel_set_source(struct tc_xsel *x, const char *source);

/** Handle @ev (an xcb_generic_event_t) if it is about selections; true if it was. */
bool tc_xsel_event(struct tc_xsel *x, const void *ev);
/** The session has an owner for @sel: own it in X (@only_if_free: unless taken). */
void tc_xsel_take(struct tc_xsel *x, uint32_t sel, bool only_if_free);
/** The session has no owner for @sel: give the X selection up if we hold it. */
void tc_xsel_release(struct tc_xsel *x, uint32_t sel);
/** The session's data for @sel (NULL: none), for the clients that wait. */
void tc_xsel_supply(struct tc_xsel *x, uint32_t sel, const char *data, size_t len);
/** Read the local X selection @sel for the session; the answer via fetched(@id). */
void tc_xsel_fetch(struct tc_xsel *x, uint32_t sel, uint32_t id);
/** Give up on whatever has waited too long. */
void tc_xsel_tick(struct tc_xsel *x, uint64_t now);
/**
 * Milliseconds from @now (µs, xp_now_us()) until tc_xsel_tick() has
 * something to give up, 0 if already due, -1 when nothing waits: a loop
 * that sleeps in poll() uses it as its timeout instead of waking regularly.
 */
int tc_xsel_due(const struct tc_xsel *x, uint64_t now);

#endif
