/*
 * input.c - input messages to the server, from the X window or the script:
 * KEY, MOTION (coalesced: at most one per loop iteration), BUTTON, RESIZE,
 * APP_LIST and APP_LAUNCH. A read-only viewer sends none of them but
 * APP_LIST.
 */
#include <string.h>

#include "thin_int.h"

static bool may_send(const struct tc_client *c)
{
	return c->connected && !c->opt.read_only;
}

/* Whether the focused window's app takes key releases (an unknown one does). */
static bool focus_takes_releases(const struct tc_client *c)
{
	const struct tc_win *w = tc_win_find(&c->wins, c->wins.focused);
	return !w || !(w->flags & XP_WIN_NO_KEY_RELEASE);
}

/*
 * Whether the press or release of @keysym goes to the server. A release
 * does when the focused window takes releases, or when the press went out
 * while one that does had the focus (it is owed, wherever the focus went);
 * xp-term and the other apps that asked for none cost no release per key.
 */
static bool key_wanted(struct tc_client *c, bool pressed, uint32_t keysym)
{
	bool takes = focus_takes_releases(c);
	for (int i = 0; i < c->nowed; i++) {
		if (c->owed[i] == keysym) {
			if (!pressed)
				c->owed[i] = c->owed[--c->nowed];
			return true;
		}
	}
	if (pressed && takes && c->nowed < TC_KEYS_OWED)
		c->owed[c->nowed++] = keysym;
	return pressed || takes || c->nowed == TC_KEYS_OWED;
}

/* Lingering after a failure: any press ends the client. */
static bool linger_done(struct tc_client *c, bool pressed)
{
	if (c->lingering && pressed)
		c->quit = true;
	return c->lingering;
}

void tc_input_key(struct tc_client *c, uint32_t state, uint32_t keysym, const char *text)
{
	if (linger_done(c, state & XP_KEY_PRESSED) || !may_send(c) ||
	    !key_wanted(c, state & XP_KEY_PRESSED, keysym))
		return;
	tc_input_flush_motion(c);
	struct xp_msg m = {.op = XP_OP_KEY};
	m.u.key.state = state;
	m.u.key.keysym = keysym;
	m.u.key.text = xp_str_from(text ? text : "");
	tc_send(c, &m);
	c->last_active_us = xp_now_us();
}

void tc_input_motion(struct tc_client *c, int x, int y)
{
	tc_input_pointer_seen(c, x, y); /* a viewer sees pointer shapes too */
	if (!may_send(c))
		return;
	c->motion_pending = true;
	c->motion_x = x;
	c->motion_y = y;
}

void tc_input_pointer_seen(struct tc_client *c, int x, int y)
{
	c->pointer_known = true;
	c->pointer_x = x;
	c->pointer_y = y;
}

void tc_input_flush_motion(struct tc_client *c)
{
	if (!c->motion_pending)
		return;
	c->motion_pending = false;
	if (!may_send(c))
		return;
	struct xp_msg m = {.op = XP_OP_MOTION};
	m.u.motion.x = c->motion_x;
	m.u.motion.y = c->motion_y;
	tc_send(c, &m);
	c->last_active_us = xp_now_us();
}

void tc_input_button(struct tc_client *c, int button, bool pressed, int x, int y)
{
	tc_input_pointer_seen(c, x, y);
	if (linger_done(c, pressed) || !may_send(c))
		return;
	tc_input_flush_motion(c);
	struct xp_msg m = {.op = XP_OP_BUTTON};
	m.u.button.state = XP_BUTTON_STATE(button, pressed);
	m.u.button.x = x;
	m.u.button.y = y;
	tc_send(c, &m);
	c->last_active_us = xp_now_us();
}

void tc_input_resize(struct tc_client *c, int w, int h)
{
	if (w == c->comp.screen.w && h == c->comp.screen.h)
		return;
	if (tc_comp_resize(&c->comp, w, h) < 0) {
		tc_warn("cannot resize the screen to %dx%d", w, h);
		return;
	}
	if (c->pres->ops->resized && c->pres->ops->resized(c->pres, &c->comp.screen) < 0)
		tc_warn("cannot resize the presenter to %dx%d", w, h);
	if (!may_send(c))
		return;
	struct xp_msg m = {.op = XP_OP_RESIZE};
	m.u.resize.w = (uint32_t)w;
	m.u.resize.h = (uint32_t)h;
	tc_send(c, &m);
}

void tc_app_list(struct tc_client *c)
{
	struct xp_msg m = {.op = XP_OP_APP_LIST};
	if (c->connected) /* a question, not input: viewers may ask too */
		tc_send(c, &m);
}

/* Window management (1.1): only to a server that speaks it. */
static bool may_arrange(const struct tc_client *c)
{
	return may_send(c) && xp_conn_peer_minor(&c->conn) >= XP_MINOR_WM;
}

void tc_input_arrange(struct tc_client *c, uint32_t win, uint32_t action, struct xp_rect r)
{
	struct xp_msg m = {.op = XP_OP_WIN_ARRANGE};
	if (!may_arrange(c))
		return;
	tc_input_flush_motion(c);
	m.u.win_arrange = (struct xp_msg_win_arrange){win, action, r.x, r.y, r.w, r.h};
	tc_send(c, &m);
}

void tc_input_pointer_win(struct tc_client *c, uint32_t win)
{
	struct xp_msg m = {.op = XP_OP_POINTER_WIN};
	if (!may_arrange(c) || c->pointer_win == win)
		return;
	tc_input_flush_motion(c); /* motion so far was over the other window */
	m.u.pointer_win.win = win;
	if (tc_send(c, &m) == 0)
		c->pointer_win = win;
}

void tc_input_close(struct tc_client *c, uint32_t win)
{
	struct xp_msg m = {.op = XP_OP_CLOSE};
	if (!may_send(c))
		return;
	m.u.close.win = win;
	tc_send(c, &m);
}

void tc_win_list(struct tc_client *c)
{
	struct xp_msg m = {.op = XP_OP_WIN_LIST};
	if (c->connected && xp_conn_peer_minor(&c->conn) >= XP_MINOR_WM)
		tc_send(c, &m);
}

void tc_app_launch(struct tc_client *c, const char *app)
{
	struct xp_msg m = {.op = XP_OP_APP_LAUNCH};
	m.u.app_launch.app = xp_str_from(app);
	if (may_send(c))
		tc_send(c, &m);
}

void tc_input_quit(struct tc_client *c)
{
	tc_log(c, "window closed: detaching");
	c->quit = true;
	c->exit_code = TC_EXIT_OK;
}
