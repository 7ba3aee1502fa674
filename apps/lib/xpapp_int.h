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

int xa_send(struct xa_display *d, const struct xp_msg *m);
int xa_take(struct xa_display *d, const struct xp_msg *m, uint32_t want_sync);
/* clip.c: turn a CLIP_* message into an event (false: none yet); free state */
bool xa_clip_event(struct xa_display *d, const struct xp_msg *m, struct xa_event *ev);
void xa_clip_free(struct xa_display *d);

#endif
