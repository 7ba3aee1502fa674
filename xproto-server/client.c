/*
 * client.c - messages from thin clients and read-only viewers, through an
 * opcode-indexed table. Keys go to the focused window's app, pointer events
 * to the window under the pointer (or the one holding a button grab); a
 * press focuses and raises. A viewer's input is dropped here, by the server.
 */
#include <stdio.h>

#include "server_int.h"

/* A viewer may only watch: report the first dropped input, count the rest. */
static bool may_act(struct xs_peer *p, uint8_t op)
{
	if (p->role != XP_ROLE_VIEWER)
		return true;
	if (p->dropped_input++ == 0)
		xp_conn_send_error(&p->conn, XP_ERR_READ_ONLY, op,
		                   "read-only viewer: input and launches are ignored");
	return false;
}

static int on_key(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	if (!may_act(p, m->op))
		return 0;
	if (xs_wm_key(p, &m->u.key))
		return 0; /* a window-manager chord */
	if (xs_launcher_chord(&m->u.key)) {
		if (m->u.key.state & XP_KEY_PRESSED)
			xs_launcher_show(p->session);
		return 0;
	}
	if (xs_hold_fenced(p))
		return 0; /* typed for an app that ended before showing a window */
	xs_key_input(p->session, &m->u.key); /* to the focus, or held for a starting app */
	return 0;
}

/* Screen to window coordinates; both come off the network, so no overflow. */
static int32_t rel(int32_t screen, int32_t origin)
{
	int64_t v = (int64_t)screen - origin;
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static int on_motion(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	if (!may_act(p, m->op))
		return 0;
	p->px = m->u.motion.x;
	p->py = m->u.motion.y;
	if (xs_wm_motion(p))
		return 0; /* a frame drag */
	struct xs_window *w = xs_wm_pointer_window(p);
	if (!w)
		return 0;
	struct xp_msg out = {.op = XP_OP_EV_MOTION};
	out.u.ev_motion =
	    (struct xp_msg_ev_motion){w->app_id, rel(p->px, w->x), rel(p->py, w->y), p->buttons};
	xs_peer_send(w->owner, &out);
	return 0;
}

static void focus_and_raise(struct xs_session *se, struct xs_window *w)
{
	xs_arrange_raise(se, w);
	if (!(w->flags & XP_WIN_POPUP)) /* a menu does not take the keyboard */
		xs_session_set_focus(se, w->id);
}

static int on_button(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	uint32_t state = m->u.button.state, button = state >> 1;
	if (!may_act(p, m->op) || button == 0 || button > 31)
		return 0;
	p->px = m->u.button.x;
	p->py = m->u.button.y;
	if (xs_wm_button(p, state))
		return 0; /* the frame's, or an Alt+drag */
	struct xs_window *w = xs_wm_pointer_window(p);
	if (state & 1)
		p->buttons |= 1u << (button - 1);
	else
		p->buttons &= ~(1u << (button - 1));
	if (!w)
		return 0;
	if ((state & 1) && !p->grab)
		focus_and_raise(p->session, w);
	p->grab = p->buttons ? w->id : 0;
	struct xp_msg out = {.op = XP_OP_EV_BUTTON};
	out.u.ev_button =
	    (struct xp_msg_ev_button){w->app_id, state, rel(p->px, w->x), rel(p->py, w->y)};
	xs_peer_send(w->owner, &out);
	return 0;
}

static int on_resize(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	if (may_act(p, m->op))
		xs_session_resize(p->session, m->u.resize.w, m->u.resize.h);
	return 0;
}

static int on_close(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	struct xs_window *w = xs_window_by_id(p->session, m->u.close.win);
	if (!may_act(p, m->op) || !w)
		return 0;
	xs_arrange_close(p->session, w);
	return 0;
}

static int on_launch(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	char app[64];
	pid_t pid;
	if (!may_act(p, m->op))
		return 0;
	xp_str_copy(app, sizeof(app), m->u.app_launch.app);
	if (xs_launch(p->srv, p->session, app, &pid, err) < 0) {
		/* not fatal: the client may ask for another app */
		xp_conn_send_error(&p->conn, err->code, m->op, "%s", err->text);
		return 0;
	}
	struct xp_msg out = {.op = XP_OP_APP_STARTED};
	out.u.app_started = (struct xp_msg_app_started){m->u.app_launch.app, (uint32_t)pid};
	xs_peer_send(p, &out);
	return 0;
}

static int on_ack(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	if (xs_update_ack(p, m->u.ack.serial) < 0)
		return xp_error_set(err, XP_ERR_STATE, m->op, "ACK %u: MARK %u is the latest sent",
		                    m->u.ack.serial, p->mark_sent);
	return 0;
}

static int on_error(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	char text[128];
	xp_str_copy(text, sizeof(text), m->u.error.text);
	return xp_error_set(err, XP_ERR_STATE, m->op, "client reported: %s", text);
}

static const xs_handler_fn handlers[XP_OP_MAX] = {
    [XP_OP_KEY] = on_key,
    [XP_OP_MOTION] = on_motion,
    [XP_OP_BUTTON] = on_button,
    [XP_OP_RESIZE] = on_resize,
    [XP_OP_CLOSE] = on_close,
    [XP_OP_APP_LIST] = xs_on_app_list,
    [XP_OP_APP_LAUNCH] = on_launch,
    [XP_OP_ACK] = on_ack,
    [XP_OP_PING] = xs_on_ping,
    [XP_OP_PONG] = xs_on_ignore,
    [XP_OP_STATS] = xs_on_ignore,
    [XP_OP_ERROR] = on_error,
    [XP_OP_WIN_ARRANGE] = xs_arrange_on_arrange,
    [XP_OP_WIN_LIST] = xs_arrange_on_list,
    [XP_OP_POINTER_WIN] = xs_wm_on_pointer_win,
    [XP_OP_CLIP_OWN] = xs_clip_on_own,
    [XP_OP_CLIP_REQUEST] = xs_clip_on_request,
    [XP_OP_CLIP_DATA] = xs_clip_on_data,
    [XP_OP_SESSION_LIST] = xs_on_session_list,
};

bool xs_client_may_send(const struct xs_peer *p, uint8_t op)
{
	if (!p->session)
		return xs_query_may_send(op);
	return op < XP_OP_MAX && handlers[op];
}

int xs_client_handle(struct xs_peer *p, const struct xp_msg *m)
{
	if (!p->session)
		return xs_query_handle(p, m);
	xs_session_touch(p, m->op);
	return xs_dispatch(p, m, handlers[m->op], "a client");
}
