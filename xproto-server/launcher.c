/*
 * launcher.c - the start screen. A session that has clients but no mapped
 * window shows the launcher app (xp-launcher); Ctrl+Shift+L brings it back.
 * The server starts it when needed and maps its window itself when it is
 * already running.
 */
#include <string.h>

#include "server_int.h"

#define RELAUNCH_US 3000000u /* do not start a second one while the first boots */

static struct xs_window *launcher_window(struct xs_session *se)
{
	if (!se->launcher)
		return NULL;
	for (size_t i = 0; i < se->nwin; i++)
		if (se->stack[i]->owner == se->launcher)
			return se->stack[i];
	return NULL;
}

/* Another app showed a window: the start screen steps aside. */
void xs_launcher_hide(struct xs_session *se)
{
	struct xs_window *w = launcher_window(se);
	if (!w || !w->mapped)
		return;
	w->mapped = false;
	struct xp_msg m = {.op = XP_OP_WIN_UNMAP};
	m.u.win_unmap.win = w->id;
	xs_update_window_msg(se, &m);
}

void xs_launcher_show(struct xs_session *se)
{
	struct xs_window *w = launcher_window(se);
	struct xp_error err;
	pid_t pid;
	if (w) {
		bool was = w->mapped;
		w->mapped = true;
		xs_window_raise(se, w);
		if (!was) {
			xs_update_map(se, w);
		} else {
			xs_window_announce(se, w, XP_CONF_RAISE, false);
		}
		xs_session_set_focus(se, w->id);
		return;
	}
	uint64_t now = xp_now_us();
	if (se->launcher ||
	    (se->launcher_started_us && now - se->launcher_started_us < RELAUNCH_US))
		return;
	se->launcher_started_us = now;
	if (xs_launch_command(se->srv, se, "exec \"$XPROTO_BIN/xp-launcher\"", &pid, &err) < 0)
		xs_log(se->srv, XS_ERROR, "cannot start the launcher: %s", err.text);
}

static int recheck(struct xs_loop *l, uint64_t id, void *data)
{
	struct xs_session *se = data;
	(void)l;
	(void)id;
	xs_launcher_check(se);
	return -1;
}

void xs_launcher_app_started(struct xs_session *se)
{
	se->app_launched_us = xp_now_us();
	xs_loop_timer(se->srv->loop, RELAUNCH_US / 1000 + 100, recheck, se);
}

void xs_launcher_check(struct xs_session *se)
{
	if (!se->clients || se->srv->stopping || se->srv->opt.no_launcher)
		return;
	if (se->app_launched_us && xp_now_us() - se->app_launched_us < RELAUNCH_US)
		return; /* the app just started will show a window */
	for (size_t i = 0; i < se->nwin; i++)
		if (se->stack[i]->mapped)
			return;
	xs_launcher_show(se);
}

bool xs_launcher_chord(const struct xp_msg_key *k)
{
	uint32_t mods = XP_MOD_CONTROL | XP_MOD_SHIFT;
	return (k->state & mods) == mods && (k->keysym == 'L' || k->keysym == 'l');
}
