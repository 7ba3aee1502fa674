/*
 * xpapp_int.h - internals of libxpapp.
 */
#ifndef XPAPP_INT_H
#define XPAPP_INT_H

#include <unistd.h>

#include "xdraw.h"
#include "xpapp.h"

#define XA_QUEUE 256

struct xa_display {
	struct xp_conn conn;
	uint32_t screen_w, screen_h, max_msg;
	uint32_t next_win, sync_serial;
	struct xd_state sent;         /* the drawing state the server holds for us */
	struct xp_error server_error; /* the last ERROR the server sent */
	uint32_t server_errors;       /* ERRORs received so far (xa_sync) */
	struct xa_event queue[XA_QUEUE];
	size_t qlen;
	struct xa_clipstate *clip; /* clip.c, allocated on first use */
	bool sync_keys;            /* the server wants a SYNC once each key press is acted on */
	bool owe_sync;             /* the last event returned was such a key press */
};

/**
 * Queue @m for the server; more than 256 KiB queued is flushed at once.
 * Returns 0, or -1 when the connection failed.
 */
int xa_send(struct xa_display *d, const struct xp_msg *m);
/** Copy list entry @m (APP_ENTRY, WIN_ENTRY) into @slot, an element of the list. */
typedef void (*xa_fill_fn)(const struct xp_msg *m, void *slot);
/**
 * Send @req_op (APP_LIST, WIN_LIST) and collect its @entry_op answers into
 * *@list, a malloc'd array of *@n elements of @size bytes (at most @max;
 * NULL when empty), @fill copying each; other messages are taken as events.
 * Waits up to @timeout_ms. Returns 0, or -1 (timeout, disconnection, a bad
 * list: the display's error says which).
 */
int xa_collect(struct xa_display *d, uint8_t req_op, uint8_t entry_op, size_t size, size_t max,
               xa_fill_fn fill, void **list, size_t *n, int timeout_ms);
/**
 * Handle @m, which arrived while waiting for something else: an event (or
 * clipboard event) is queued, a PING answered, an ERROR recorded in
 * d->server_error. Returns 1 if @m is the SYNC @want_sync, else 0.
 */
int xa_take(struct xa_display *d, const struct xp_msg *m, uint32_t want_sync);
/* clip.c: turn a CLIP_* message into an event (false: none yet); free state */
bool xa_clip_event(struct xa_display *d, const struct xp_msg *m, struct xa_event *ev);
/** Free @d's clipboard state (pending requests and their buffers); NULL-safe. */
void xa_clip_free(struct xa_display *d);

#endif
