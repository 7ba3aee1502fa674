/*
 * conn.c - the connection to the server: connect and handshake, reading and
 * applying messages, ACK/PING and the send path, and what happens when the
 * connection ends (drop every piece of remote state; reconnect with
 * exponential backoff or stop).
 */
#include <fcntl.h>
#include <string.h>

#include "thin_int.h"

static void drop_state(struct tc_client *c);

/* HELLO's flags: compression unless local, no new session unless --new,
 * seamless when the user's window manager arranges the windows. */
static int hello_flags(const struct tc_client *c)
{
	unsigned f = (c->opt.no_zlib || c->target.unix_socket) ? 0 : XP_FLAG_ZLIB;
	/* a mistyped session name is an error, not a new session */
	if (!c->opt.new_session)
		f |= XP_FLAG_EXISTING;
	if (c->opt.seamless)
		f |= XP_FLAG_SEAMLESS;
	return (int)f;
}

/* The session to join: --session, else the one in ssh://.../SESSION, else main. */
static const char *session_name(const struct tc_client *c)
{
	if (c->opt.session)
		return c->opt.session;
	return c->target.session[0] ? c->target.session : "main";
}

static int handshake(struct tc_client *c)
{
	struct xp_caps granted, want = {
	                            .flags = (uint32_t)hello_flags(c),
	                            .max_msg = XP_MAX_MSG_DEFAULT,
	                            .screen_w = (uint32_t)c->comp.screen.w,
	                            .screen_h = (uint32_t)c->comp.screen.h,
	                        };
	enum xp_role role = c->opt.read_only ? XP_ROLE_VIEWER : XP_ROLE_CLIENT;
	int ms = c->target.ssh ? TC_SSH_HANDSHAKE_MS : TC_HANDSHAKE_MS;
	if (xp_handshake_client(&c->conn, role, &c->cookie, &want, session_name(c), "thin-client",
	                        &granted, ms) < 0)
		return -1;
	tc_log(c, "connected to %s: zlib %s, max message %u, session screen %ux%u", c->addr,
	       (granted.flags & XP_FLAG_ZLIB) ? "on" : "off", granted.max_msg, granted.screen_w,
	       granted.screen_h);
	if ((granted.flags & XP_FLAG_CREATED) && c->opt.new_session)
		tc_warn("created session '%s'", session_name(c));
	return 0;
}

/* What the user can do about a server's refusal @e. */
static void refusal_hint(struct tc_client *c, const struct xp_error *e)
{
	/* a wrong magic is another program: "another version" would be false */
	bool other = !strncmp(e->text, XP_NOT_XPROTO, strlen(XP_NOT_XPROTO));
	const char *h =
	    e->code == XP_ERR_AUTH
	        ? "the cookie is not this server's: use its file (--cookie, $XPROTO_COOKIE)"
	    : e->code == XP_ERR_VERSION && other
	        ? "another program (not an xproto server) listens there: check the address"
	    : e->code == XP_ERR_VERSION ? "the server speaks another version of xproto"
	    : e->code == XP_ERR_LIMIT   ? "the server is at a limit: try again later"
	                                : "";
	snprintf(c->hint, sizeof(c->hint), "%s", h);
}

/* Why connecting failed, with what ssh said about it when it carried the try
 * (the stream is closed already, so ssh ends), and what to do about it. */
static void connect_failed(struct tc_client *c, const struct xp_error *e)
{
	const char *what = e->text[0] ? e->text : "handshake failed";
	size_t n = strlen(c->addr);
	char why[160];
	/* "connect ADDR: " again after "cannot connect to ADDR: " says nothing */
	if (!strncmp(what, "connect ", 8) && !strncmp(what + 8, c->addr, n) &&
	    !strncmp(what + 8 + n, ": ", 2))
		what += 8 + n + 2;
	tc_ssh_finish(c->ssh_pid, 1000, why, sizeof(why));
	c->ssh_pid = 0;
	const char *hint = e->code == XP_ERR_NO_SESSION ? "; thin-client --new creates it" : "";
	snprintf(c->reason, sizeof(c->reason), "cannot connect to %.120s: %.200s%s%s%.150s%s",
	         c->addr, what, hint, why[0] ? " (" : "", why, why[0] ? ")" : "");
	tc_plain(c->reason); /* a refusal's text is the server's */
	refusal_hint(c, e);
}

int tc_connect(struct tc_client *c)
{
	struct xp_error err;
	int fd = tc_target_open(&c->target, &c->ssh_pid, &err);
	if (fd < 0) {
		connect_failed(c, &err);
		return -1;
	}
	if (xp_conn_init(&c->conn, fd, XP_MAX_MSG_DEFAULT, true) < 0)
		goto err_conn;
	if (handshake(c) < 0)
		goto err_conn;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto err_conn;
	uint64_t now = xp_now_us();
	if (c->stale) /* the last picture goes; the server sends the session again */
		drop_state(c);
	c->stale = false;
	c->connected = true;
	c->connects++;
	c->backoff_ms = TC_BACKOFF_MIN_MS;
	c->last_rx_us = c->last_active_us = now;
	c->last_ping_us = 0; /* the first PING goes out at once */
	c->next_ping_us = now;
	c->reason[0] = c->lost[0] = c->hint[0] = '\0';
	return 0;
err_conn:;
	struct xp_error e = *xp_conn_error(&c->conn);
	xp_conn_finish(&c->conn);
	connect_failed(c, &e);
	return -1;
}

void tc_conn_close(struct tc_client *c, const char *why)
{
	tc_log(c, "disconnected: %s", why);
	tc_clip_reset(c);
	tc_stats_add(&c->total, xp_conn_stats(&c->conn));
	xp_conn_finish(&c->conn);
	xp_conn_init(&c->conn, -1, XP_MAX_MSG_DEFAULT, true); /* not connected */
	/* its stdin is closed: it ends; how, if it ended first, is worth saying */
	tc_ssh_finish(c->ssh_pid, 200, c->ssh_why, sizeof(c->ssh_why));
	c->ssh_pid = 0;
	c->connected = false;
	c->have_mark = false;
	c->nowed = 0; /* the next server has seen none of these presses */
	c->motion_pending = false;
	c->pointer_win = 0; /* sticky state starts again with the connection */
}

/* Stateless: everything shown came from the server and will be resent. */
static void drop_state(struct tc_client *c)
{
	tc_wintable_clear(&c->wins);
	tc_cache_clear(&c->cache);
	tc_cursor_clear(c);
	xd_state_init(&c->ds);
	tc_damage_all(&c->comp);
	tc_title_update(c);
}

void tc_disconnect(struct tc_client *c, const char *why)
{
	if (!c->connected)
		return;
	tc_conn_close(c, why);
	drop_state(c);
}

/* The connection ended: say why, then reconnect later or stop. */
static int lost(struct tc_client *c, const char *msg)
{
	tc_conn_close(c, msg);
	snprintf(c->reason, sizeof(c->reason), "%.300s%s%.160s%s", msg, c->ssh_why[0] ? " (" : "",
	         c->ssh_why, c->ssh_why[0] ? ")" : "");
	snprintf(c->lost, sizeof(c->lost), "%s", c->reason);
	tc_warn("%s", c->reason);
	/* the last picture stays, under a box saying so (status.c), until the
	 * next connection starts again from nothing; or for the exit screenshot */
	c->stale = true;
	if (c->opt.reconnect)
		c->reconnect_us = xp_now_us() + (uint64_t)c->backoff_ms * 1000;
	else if (!c->quit) /* a stop asked for first (Ctrl-C) stays a clean exit */
		tc_give_up(c);
	return -1;
}

/* A violation by the server: tell it (best effort), then drop it. */
static int violation(struct tc_client *c, const struct xp_error *e)
{
	char msg[256];
	if (e->code != XP_ERR_NONE && e->code != XP_ERR_IO) {
		/* the failure is on the input side; the output stream is intact */
		xp_conn_send_error(&c->conn, e->code, e->about, "%s", e->text);
		xp_conn_drain(&c->conn, 200);
		snprintf(msg, sizeof(msg), "connection lost: protocol error: %s", e->text);
	} else if (e->code == XP_ERR_IO) {
		snprintf(msg, sizeof(msg), "connection lost: %s", e->text);
	} else {
		snprintf(msg, sizeof(msg), "%s", e->text);
	}
	return lost(c, msg);
}

int tc_send(struct tc_client *c, const struct xp_msg *m)
{
	if (!c->connected)
		return 0;
	if (c->opt.log) {
		char line[256];
		xp_msg_format(m, line, sizeof(line));
		tc_log(c, "-> %s", line);
	}
	return xp_conn_send(&c->conn, m);
}

/*
 * When the next PING is due: every TC_PING_INTERVAL_US while the session is
 * in use (input sent, or something other than PING/PONG/MARK received within
 * that time), every TC_PING_IDLE_US when it is idle. A PING costs a PONG,
 * and both about 30 bytes with the MARK and ACK they bring: an idle session
 * pinging every 2 s would cost 70 KB an hour for nobody's benefit.
 */
static uint64_t ping_due(const struct tc_client *c, uint64_t now)
{
	bool active = now - c->last_active_us < TC_PING_INTERVAL_US;
	return c->last_ping_us + (active ? TC_PING_INTERVAL_US : TC_PING_IDLE_US);
}

void tc_ping_now(struct tc_client *c, uint64_t now)
{
	if (!c->connected)
		return;
	struct xp_msg m = {.op = XP_OP_PING};
	m.u.ping.seq = ++c->ping_seq;
	m.u.ping.time_us = now;
	tc_send(c, &m);
	c->last_ping_us = now;
	c->next_ping_us = ping_due(c, now);
}

void tc_ping(struct tc_client *c, uint64_t now)
{
	if (!c->connected)
		return;
	if (now >= ping_due(c, now))
		tc_ping_now(c, now);
	c->next_ping_us = ping_due(c, now);
}

/* Apply every complete message buffered so far. */
static int apply_buffered(struct tc_client *c)
{
	struct xp_msg m;
	int r;
	while (c->connected && (r = xp_conn_next(&c->conn, &m)) != 0) {
		if (r < 0)
			return violation(c, xp_conn_error(&c->conn));
		c->last_rx_us = xp_now_us();
		if (m.op != XP_OP_PING && m.op != XP_OP_PONG && m.op != XP_OP_MARK)
			c->last_active_us = c->last_rx_us;
		if (tc_dispatch(c, &m) < 0)
			return violation(c, &c->err);
	}
	return 0;
}

int tc_conn_input(struct tc_client *c)
{
	/* several reads per iteration (bounded, so X input is not starved):
	 * a large image arrives in fewer trips through poll() */
	for (int i = 0; i < TC_READS_PER_ITERATION && c->connected; i++) {
		int r = xp_conn_read(&c->conn);
		if (apply_buffered(c) < 0)
			return -1;
		if (r < 0)
			return violation(c, xp_conn_error(&c->conn));
		if (r == 0)
			break;
	}
	return 0;
}

int tc_conn_output(struct tc_client *c)
{
	if (!c->connected)
		return 0;
	if (c->have_mark) {
		struct xp_msg m = {.op = XP_OP_ACK};
		m.u.ack.serial = c->mark;
		c->have_mark = false;
		tc_send(c, &m);
	}
	if (xp_conn_flush(&c->conn) < 0 || xp_conn_write(&c->conn) < 0)
		return violation(c, xp_conn_error(&c->conn));
	/* a server that sends PINGs but never reads must not grow our memory */
	if (xp_conn_out_pending(&c->conn) > TC_OUT_MAX_BYTES)
		return lost(c, "connection lost: the server does not read what we send");
	return 0;
}
