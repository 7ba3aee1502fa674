/*
 * dispatch.c - the opcode-indexed table of handlers for messages from the
 * server. Drawing messages have no rows: they all go to tc_on_drawing, and
 * libxpdraw's table knows them. Another opcode with no entry is one a
 * server never sends to a thin client (HELLO, input, EV_*): a protocol
 * error.
 */
#include "thin_int.h"

static const tc_handler handlers[XP_OP_MAX] = {
    [XP_OP_ERROR] = tc_on_error,
    [XP_OP_PING] = tc_on_ping,
    [XP_OP_PONG] = tc_on_pong,
    [XP_OP_MARK] = tc_on_mark,
    [XP_OP_STATS] = tc_on_ignore,
    [XP_OP_BELL] = tc_on_bell,
    [XP_OP_APP_ENTRY] = tc_on_app_entry,
    [XP_OP_APP_STARTED] = tc_on_app_started,
    [XP_OP_SYNC] = tc_on_ignore,
    [XP_OP_WIN_CREATE] = tc_on_win_create,
    [XP_OP_WIN_DESTROY] = tc_on_win_destroy,
    [XP_OP_WIN_MAP] = tc_on_win_map,
    [XP_OP_WIN_UNMAP] = tc_on_win_unmap,
    [XP_OP_WIN_CONFIGURE] = tc_on_win_configure,
    [XP_OP_WIN_TITLE] = tc_on_win_title,
    [XP_OP_WIN_FOCUS] = tc_on_win_focus,
    [XP_OP_CURSOR] = tc_on_cursor,
    [XP_OP_WIN_CURSOR] = tc_on_win_cursor,
    [XP_OP_WIN_STATE] = tc_on_win_state,
    [XP_OP_WIN_ENTRY] = tc_on_win_entry,
    [XP_OP_CLOSE] = tc_on_ignore,
    [XP_OP_CLIP_OWN] = tc_on_clip_own,
    [XP_OP_CLIP_REQUEST] = tc_on_clip_request,
    [XP_OP_CLIP_DATA] = tc_on_clip_data,
    [XP_OP_APP_EXITED] = tc_on_app_exited,
    [XP_OP_SESSION_ENTRY] = tc_on_ignore,
};

int tc_dispatch(struct tc_client *c, const struct xp_msg *m)
{
	tc_handler h = m->op < XP_OP_MAX ? handlers[m->op] : NULL;
	if (xd_kind(m->op) != XD_NOT_DRAWING)
		h = tc_on_drawing; /* libxpdraw's table knows every drawing message */
	if (c->opt.log) {
		char line[256];
		xp_msg_format(m, line, sizeof(line));
		tc_log(c, "<- %s", line);
	}
	if (!h)
		return tc_fail(c, XP_ERR_STATE, m->op, "%s is not allowed from a server",
		               xp_op_name(m->op) ? xp_op_name(m->op) : "unknown message");
	return h(c, m);
}
