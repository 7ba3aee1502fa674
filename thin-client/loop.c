/*
 * loop.c - the client's single poll() loop: the server socket, the X
 * connection, a signalfd and timers (ping, script, reconnect). Each
 * iteration reads and applies what arrived, runs the script, recomposes and
 * presents the damage, then answers MARKs (ACK after presenting) and
 * flushes.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "thin_int.h"

#define MAX_WAIT_MS 1000

int tc_screenshot(struct tc_client *c, const char *path)
{
	char tmp[4096];
	struct xr_fb big = {0};
	const struct xr_fb *shot = &c->comp.screen;
	tc_present(c);
	/* what the user sees: at --scale N, every pixel N x N */
	if (c->scale > 1 && tc_scale_fb(&c->comp.screen, c->scale, &big) == 0)
		shot = &big;
	/* written aside and renamed: a reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int r = xr_png_write_file(shot, tmp) < 0 || rename(tmp, path) < 0 ? -1 : 0;
	int e = errno;
	xr_fb_finish(&big);
	if (r < 0) {
		unlink(tmp);
		tc_warn("cannot write screenshot %s: %s", path, strerror(e));
		return -1;
	}
	tc_log(c, "screenshot written to %s", path);
	return 0;
}

void tc_present(struct tc_client *c)
{
	struct tc_damage d;
	tc_status_update(c);
	if (c->pres->ops->sync && c->pres->ops->sync(c->pres, c) > 0)
		c->last_present_us = xp_now_us();
	if (c->comp.dmg.n == 0)
		return;
	tc_comp_update(&c->comp, &c->wins, &d);
	tc_status_draw(c, &d);
	c->last_present_us = xp_now_us();
	if (c->pres->ops->present(c->pres, &c->comp.screen, &d) < 0)
		tc_warn("cannot present the screen");
}

static void on_signals(struct tc_client *c)
{
	for (int sig; (sig = xp_signal_next(c->sigfd)) > 0;) {
		if (sig == SIGUSR1 && c->opt.screenshot) {
			tc_screenshot(c, c->opt.screenshot);
		} else if (sig == SIGINT || sig == SIGTERM) {
			tc_log(c, "signal %d: detaching", sig);
			c->quit = true;
			c->exit_code = TC_EXIT_OK;
		}
	}
}

/* Exponential backoff: 100 ms doubling to 5 s, reset by a handshake. */
static void schedule_retry(struct tc_client *c, uint64_t now)
{
	tc_warn("%s; next attempt in %d ms", c->reason, c->backoff_ms);
	c->reconnect_us = now + (uint64_t)c->backoff_ms * 1000;
	c->backoff_ms =
	    c->backoff_ms * 2 > TC_BACKOFF_MAX_MS ? TC_BACKOFF_MAX_MS : c->backoff_ms * 2;
}

static void try_reconnect(struct tc_client *c, uint64_t now)
{
	if (c->connected || !c->opt.reconnect || c->quit || now < c->reconnect_us)
		return;
	tc_warn("reconnecting to %s (attempt %u)", c->addr, ++c->attempts);
	if (tc_connect(c) == 0) {
		tc_warn("reconnected to %s", c->addr);
		c->attempts = 0;
		return;
	}
	schedule_retry(c, xp_now_us());
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int poll_timeout(const struct tc_client *c, uint64_t now)
{
	uint64_t until = (uint64_t)MAX_WAIT_MS * 1000;
	if (c->comp.dmg.n > 0 || c->motion_pending)
		return 0;
	if (c->connected)
		until = min_u64(until, c->next_ping_us > now ? c->next_ping_us - now : 0);
	else if (c->opt.reconnect)
		until = min_u64(until, c->reconnect_us > now ? c->reconnect_us - now : 0);
	until = min_u64(until, tc_script_next_us(c, now));
	until = min_u64(until, tc_status_next_us(c, now));
	return (int)((until + 999) / 1000);
}

static void wait_events(struct tc_client *c)
{
	struct pollfd p[4];
	int n = 0, pfd = c->pres->ops->fd ? c->pres->ops->fd(c->pres) : -1;
	if (c->connected) {
		short ev = POLLIN | (xp_conn_out_pending(&c->conn) ? POLLOUT : 0);
		p[n++] = (struct pollfd){.fd = xp_conn_fd(&c->conn), .events = ev};
	}
	if (pfd >= 0)
		p[n++] = (struct pollfd){.fd = pfd, .events = POLLIN};
	if (c->sigfd >= 0)
		p[n++] = (struct pollfd){.fd = c->sigfd, .events = POLLIN};
	p[n++] = (struct pollfd){.fd = c->wake[0], .events = POLLIN};
	if (poll(p, (nfds_t)n, poll_timeout(c, xp_now_us())) < 0 && errno != EINTR)
		tc_warn("poll: %s", strerror(errno));
}

static void on_wake(struct tc_client *c)
{
	char buf[16];
	if (read(c->wake[0], buf, sizeof(buf)) > 0) {
		tc_log(c, "stop requested");
		c->quit = true;
		c->exit_code = TC_EXIT_OK;
	}
}

static void iterate(struct tc_client *c)
{
	wait_events(c);
	on_wake(c);
	if (c->sigfd >= 0)
		on_signals(c);
	if (c->pres->ops->events && c->pres->ops->events(c->pres, c) < 0) {
		snprintf(c->reason, sizeof(c->reason), "X connection lost");
		tc_warn("%s", c->reason);
		c->quit = true;
		c->exit_code = TC_EXIT_ERROR;
		return;
	}
	tc_conn_input(c);
	try_reconnect(c, xp_now_us());
	tc_script_step(c);
	tc_input_flush_motion(c);
	tc_cursor_sync(c);
	tc_present(c);
	tc_ping(c, xp_now_us());
	tc_conn_output(c);
}

static void finish(struct tc_client *c)
{
	if (c->connected) {
		tc_input_flush_motion(c);
		tc_conn_output(c);
		if (c->connected)
			xp_conn_drain(&c->conn, 1000);
	}
	if (c->opt.screenshot && tc_screenshot(c, c->opt.screenshot) < 0)
		c->exit_code = TC_EXIT_ERROR; /* the picture asked for is not there */
	if ((c->opt.stats || c->opt.headless) && c->connects > 0) { /* a session to count */
		struct xp_conn_stats st = c->total;
		if (c->connected)
			tc_stats_add(&st, xp_conn_stats(&c->conn));
		tc_stats_print(stderr, &st, &c->rtt);
	}
	if (c->connected) /* detach now; the picture stays for tc_screen() */
		tc_conn_close(c, "client finished");
}

void tc_give_up(struct tc_client *c)
{
	c->exit_code = TC_EXIT_ERROR;
	if (c->opt.hold_on_error && !c->opt.headless && !c->quit) {
		c->lingering = true; /* the window says why until the user quits */
		return;
	}
	c->quit = true;
}

int tc_client_run(struct tc_client *c)
{
	c->quit = false;
	c->exit_code = TC_EXIT_OK;
	if (tc_connect(c) < 0) {
		if (!c->opt.reconnect) {
			tc_warn("%s", c->reason);
			if (c->hint[0])
				tc_warn("%s", c->hint);
			tc_give_up(c);
		} else {
			schedule_retry(c, xp_now_us());
		}
	}
	while (!c->quit)
		iterate(c);
	finish(c);
	return c->lingering ? TC_EXIT_ERROR : c->exit_code;
}
