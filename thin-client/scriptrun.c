/*
 * scriptrun.c - the script player. Commands run from the poll loop while
 * the client is connected; a command that has to wait (wait, wait-idle,
 * type with a delay) sets a wake-up time and returns, so the loop keeps
 * serving the server and the X window meanwhile. The keysyms and text sent
 * are the ones a real keyboard would give (see keyboard.c).
 */
#include <stdio.h>
#include <string.h>
#include <xkbcommon/xkbcommon.h>

#include "thin_int.h"

#define IDLE_POLL_US 10000

/* Each runner returns 1 when its command is finished, 0 to be called again. */
typedef int (*runner)(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now);

static void press_release(struct tc_client *c, uint32_t mods, uint32_t keysym, const char *text)
{
	tc_input_key(c, XP_KEY_PRESSED | mods, keysym, text);
	tc_input_key(c, mods, keysym, "");
}

static int run_key(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	char text[16] = "";
	/* Control turns letters into control characters, which carry no text */
	if (!(cmd->mods & XP_MOD_CONTROL) &&
	    xkb_keysym_to_utf8(cmd->keysym, text, sizeof(text)) <= 0)
		text[0] = '\0';
	tc_text_filter(text);
	press_release(c, cmd->mods, cmd->keysym, text);
	return 1;
}

static int run_type(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	struct tc_script_run *r = &c->script;
	size_t len = strlen(cmd->text);
	while (r->sub < len) {
		char text[8] = "";
		uint32_t cp;
		size_t k = xp_utf8_next(cmd->text + r->sub, len - r->sub, &cp);
		memcpy(text, cmd->text + r->sub, k);
		tc_text_filter(text);
		press_release(c, 0, xkb_utf32_to_keysym(cp), text);
		r->sub += k;
		if (r->type_delay_ms > 0 && r->sub < len) {
			r->wake_us = now + (uint64_t)r->type_delay_ms * 1000;
			return 0;
		}
	}
	return 1;
}

static int run_type_delay(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	c->script.type_delay_ms = cmd->a;
	return 1;
}

static int run_click(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_input_motion(c, cmd->a, cmd->b);
	tc_input_button(c, cmd->c, true, cmd->a, cmd->b);
	tc_input_button(c, cmd->c, false, cmd->a, cmd->b);
	return 1;
}

static int run_move(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_input_motion(c, cmd->a, cmd->b);
	tc_input_flush_motion(c);
	return 1;
}

/* press or release alone: the pointer moves there first */
static int run_button(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_input_motion(c, cmd->a, cmd->b);
	tc_input_button(c, cmd->c, cmd->kind == TC_CMD_PRESS, cmd->a, cmd->b);
	return 1;
}

#define DRAG_STEPS 8

/* Press at the start, move there in steps (each sent), release at the end. */
static int run_drag(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_input_motion(c, cmd->a, cmd->b);
	tc_input_button(c, cmd->e, true, cmd->a, cmd->b);
	for (int i = 1; i <= DRAG_STEPS; i++) {
		tc_input_motion(c, cmd->a + (cmd->c - cmd->a) * i / DRAG_STEPS,
		                cmd->b + (cmd->d - cmd->b) * i / DRAG_STEPS);
		tc_input_flush_motion(c);
	}
	tc_input_button(c, cmd->e, false, cmd->c, cmd->d);
	return 1;
}

/* key-down / key-up: one edge of a key, e.g. to hold Alt across commands */
static int run_key_edge(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	char text[16] = "";
	bool down = cmd->kind == TC_CMD_KEY_DOWN;
	if (down && !(cmd->mods & XP_MOD_CONTROL) &&
	    xkb_keysym_to_utf8(cmd->keysym, text, sizeof(text)) <= 0)
		text[0] = '\0';
	tc_text_filter(text);
	tc_input_key(c, cmd->mods | (down ? XP_KEY_PRESSED : 0), cmd->keysym, down ? text : "");
	return 1;
}

static int run_windows(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_win_list(c);
	return 1;
}

static int run_resize(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_input_resize(c, cmd->a, cmd->b);
	return 1;
}

static int run_wait(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	uint64_t end = c->script.start_us + (uint64_t)cmd->a * 1000;
	c->script.wake_us = end;
	return now >= end;
}

/* False until a waiting command's limit (cmd->b ms from its start); until
 * then it is looked at again soon. */
static bool past_limit(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	if (now < c->script.start_us + (uint64_t)cmd->b * 1000) {
		c->script.wake_us = now + IDLE_POLL_US;
		return false;
	}
	return true;
}

/* A waiting command ends at its limit, saying @what did not happen (1);
 * until then it is called again (0). Only for the waits that let things
 * settle (wait-idle, wait-update): a session that never goes quiet (a
 * ticking clock) is no reason to stop. */
static int until_limit(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now,
                       const char *what)
{
	if (!past_limit(c, cmd, now))
		return 0;
	tc_warn("script line %d: %s after %d ms", cmd->line, what, cmd->b);
	return 1;
}

/* As until_limit(), for a wait the commands after it count on (wait-pixel,
 * wait-windows, wait-launched, sync): at its limit the script stops with
 * status 1, since going on would type into the wrong window or end in a
 * success that did not happen. */
static int fail_at_limit(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now,
                         const char *what)
{
	if (!past_limit(c, cmd, now))
		return 0;
	tc_warn("script line %d: %s after %d ms: script stopped", cmd->line, what, cmd->b);
	c->quit = true;
	c->exit_code = TC_EXIT_ERROR;
	return 0;
}

/*
 * Idle: nothing from the server for a while, every MARK acked, all shown.
 * The quiet time counts from the command's start at the earliest, so the
 * answer to input sent just before is waited for.
 */
static int run_wait_idle(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	uint64_t quiet_since =
	    c->last_rx_us > c->script.start_us ? c->last_rx_us : c->script.start_us;
	if (now >= quiet_since + (uint64_t)cmd->a * 1000 && !c->have_mark && c->comp.dmg.n == 0 &&
	    xp_conn_out_pending(&c->conn) == 0)
		return 1;
	return until_limit(c, cmd, now, "wait-idle timed out");
}

/* The screen changed after the command started, then idle as wait-idle. */
static int run_wait_update(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	if (c->last_present_us > c->script.start_us)
		return run_wait_idle(c, cmd, now);
	return until_limit(c, cmd, now, "wait-update saw no change");
}

/* At least cmd->a windows are mapped. */
static int run_wait_windows(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	int mapped = 0;
	char what[96];
	for (size_t i = 0; i < c->wins.n; i++)
		mapped += c->wins.v[i] && c->wins.v[i]->mapped;
	if (mapped >= cmd->a)
		return 1;
	snprintf(what, sizeof(what), "wait-windows %d: only %d of %d windows mapped", cmd->a,
	         mapped, cmd->a);
	return fail_at_limit(c, cmd, now, what);
}

/* The app of the last `launch` before the running command (the parser
 * refuses a wait-launched without one). */
static const char *last_launch(const struct tc_script_run *r)
{
	for (size_t i = r->pc; i-- > 0;)
		if (r->s->v[i].kind == TC_CMD_LAUNCH)
			return r->s->v[i].text;
	return "?";
}

/* A window created after the last `launch` is mapped (the launcher's, there
 * before, does not count); the app ending first stops the script (session.c). */
static int run_wait_launched(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	char what[96];
	for (size_t i = 0; i < c->wins.n; i++)
		if (c->wins.v[i] && c->wins.v[i]->mapped &&
		    c->wins.v[i]->born > c->script.launch_at)
			return 1;
	snprintf(what, sizeof(what), "wait-launched: no window of %.40s mapped",
	         last_launch(&c->script));
	return fail_at_limit(c, cmd, now, what);
}

/*
 * The server answered a PING sent when the command started, and the screen
 * shows everything before it: the server handles a connection's messages
 * in order, so all it had sent us by then has been applied.
 */
static int run_sync(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	struct tc_script_run *r = &c->script;
	if (r->sync_seq == 0) {
		tc_ping_now(c, now); /* whatever the schedule */
		r->sync_seq = c->ping_seq;
	}
	if (c->pong_seq >= r->sync_seq && c->comp.dmg.n == 0)
		return 1;
	return fail_at_limit(c, cmd, now,
	                     c->pong_seq >= r->sync_seq
	                         ? "sync: the server answered, the screen was not all shown"
	                         : "sync: the server did not answer its PING");
}

/* The screen pixel at (a, c) is (or, with '!', is not) the colour. */
static int run_wait_pixel(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	const struct xr_fb *s = &c->comp.screen;
	bool inside = cmd->a < s->w && cmd->c < s->h;
	uint32_t px = inside ? s->px[(size_t)cmd->c * (size_t)s->stride + (size_t)cmd->a] : 0;
	char what[96];
	if (inside && c->comp.dmg.n == 0 && ((px & 0xffffff) != cmd->rgb) == cmd->rgb_differs)
		return 1;
	snprintf(what, sizeof(what), "pixel %d,%d is %06x, not %s%06x", cmd->a, cmd->c,
	         px & 0xffffff, cmd->rgb_differs ? "anything but " : "", cmd->rgb);
	return fail_at_limit(c, cmd, now, what);
}

static int run_screenshot(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	if (tc_screenshot(c, cmd->text) == 0)
		return 1;
	tc_warn("script line %d: screenshot %s failed: script stopped", cmd->line, cmd->text);
	c->quit = true;
	c->exit_code = TC_EXIT_ERROR;
	return 0;
}

/* The script stops here with status 1, saying why (after "launch APP"). */
static int launch_failed(struct tc_client *c, const struct tc_cmd *cmd, const char *why)
{
	tc_warn("script line %d: launch %s %s: script stopped", cmd->line, cmd->text, why);
	c->quit = true;
	c->exit_code = TC_EXIT_ERROR;
	return 0;
}

/*
 * Ask for the app, then wait for the server's answer before the next
 * command: a PING sent after APP_LAUNCH is answered after it, so by its PONG
 * the server has said APP_STARTED or refused (ERROR, session.c). A refusal
 * stops the script with status 1, as an app that ends before showing a
 * window does: the commands after a launch are meant for the app, and going
 * on would type them into whatever window has the focus.
 */
static int run_launch(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	struct tc_script_run *r = &c->script;
	char why[240];
	if (c->opt.read_only)
		return launch_failed(c, cmd, "refused: a read-only viewer launches nothing");
	if (r->sync_seq == 0) {
		r->launch_at = c->wins.created;
		r->refused = false;
		tc_app_launch(c, cmd->text);
		tc_ping_now(c, now);
		r->sync_seq = c->ping_seq;
	}
	if (r->refused) {
		snprintf(why, sizeof(why), "refused: %s", r->refusal);
		return launch_failed(c, cmd, why);
	}
	if (c->pong_seq >= r->sync_seq)
		return 1;
	if (!past_limit(c, cmd, now))
		return 0;
	snprintf(why, sizeof(why), "got no answer after %d ms", cmd->b);
	return launch_failed(c, cmd, why);
}

static int run_apps(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	tc_app_list(c);
	return 1;
}

static int run_quit(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	c->quit = true;
	c->exit_code = TC_EXIT_OK;
	return 1;
}

/*
 * "checkpoint NAME TIME_US PRESENT_US" on stdout: the monotonic clock now
 * and when the screen last changed, so a benchmark can split its traffic by
 * step and tell when the previous step's last update was shown.
 */
static int run_checkpoint(struct tc_client *c, const struct tc_cmd *cmd, uint64_t now)
{
	printf("checkpoint %s %llu %llu\n", cmd->text, (unsigned long long)now,
	       (unsigned long long)c->last_present_us);
	fflush(stdout);
	return 1;
}

static const runner runners[] = {
    [TC_CMD_KEY] = run_key,
    [TC_CMD_TYPE] = run_type,
    [TC_CMD_TYPE_DELAY] = run_type_delay,
    [TC_CMD_CLICK] = run_click,
    [TC_CMD_MOVE] = run_move,
    [TC_CMD_RESIZE] = run_resize,
    [TC_CMD_WAIT] = run_wait,
    [TC_CMD_WAIT_IDLE] = run_wait_idle,
    [TC_CMD_SCREENSHOT] = run_screenshot,
    [TC_CMD_LAUNCH] = run_launch,
    [TC_CMD_APPS] = run_apps,
    [TC_CMD_QUIT] = run_quit,
    [TC_CMD_CHECKPOINT] = run_checkpoint,
    [TC_CMD_WAIT_UPDATE] = run_wait_update,
    [TC_CMD_WAIT_WINDOWS] = run_wait_windows,
    [TC_CMD_PRESS] = run_button,
    [TC_CMD_RELEASE] = run_button,
    [TC_CMD_DRAG] = run_drag,
    [TC_CMD_KEY_DOWN] = run_key_edge,
    [TC_CMD_KEY_UP] = run_key_edge,
    [TC_CMD_WINDOWS] = run_windows,
    [TC_CMD_SYNC] = run_sync,
    [TC_CMD_WAIT_LAUNCHED] = run_wait_launched,
    [TC_CMD_WAIT_PIXEL] = run_wait_pixel,
};

static bool runnable(const struct tc_client *c)
{
	const struct tc_script_run *r = &c->script;
	return r->s && !r->done && c->connected && !c->quit;
}

void tc_script_step(struct tc_client *c)
{
	struct tc_script_run *r = &c->script;
	uint64_t now = xp_now_us();
	while (runnable(c) && now >= r->wake_us) {
		if (r->pc >= r->s->n) {
			tc_log(c, "script finished");
			r->done = true;
			c->quit = true;
			c->exit_code = TC_EXIT_OK;
			return;
		}
		const struct tc_cmd *cmd = &r->s->v[r->pc];
		if (r->start_us == 0) {
			r->start_us = now;
			tc_log(c, "script line %d", cmd->line);
		}
		if (!runners[cmd->kind](c, cmd, now))
			return;
		r->pc++;
		r->sub = 0;
		r->sync_seq = 0;
		r->start_us = 0;
	}
}

uint64_t tc_script_next_us(const struct tc_client *c, uint64_t now)
{
	if (!runnable(c))
		return UINT64_MAX;
	return c->script.wake_us > now ? c->script.wake_us - now : 0;
}
