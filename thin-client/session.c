/*
 * session.c - handlers of the session messages from the server: ERROR,
 * PING/PONG (round-trip time), MARK (flow control, answered by ACK once
 * presented), BELL and the app launcher's APP_ENTRY / APP_STARTED /
 * APP_EXITED (said on stderr: an app that could not start says why).
 */
#include <stdio.h>
#include <string.h>

#include "thin_int.h"

/* SPEC.md section 8: these errors are reported and the connection goes on */
static bool error_is_fatal(uint32_t code)
{
	return code != XP_ERR_LIMIT && code != XP_ERR_NO_WINDOW && code != XP_ERR_NO_APP &&
	       code != XP_ERR_READ_ONLY;
}

int tc_on_error(struct tc_client *c, const struct xp_msg *m)
{
	char text[200];
	xp_str_copy(text, sizeof(text), m->u.error.text);
	tc_plain(text); /* printed, and a fatal one ends as the exit message */
	if (!error_is_fatal(m->u.error.code)) {
		tc_warn("server error: %s", text);
		if (m->u.error.about == XP_OP_APP_LAUNCH && c->script.s) { /* its launch waits */
			c->script.refused = true;
			snprintf(c->script.refusal, sizeof(c->script.refusal), "%s", text);
		}
		return 0;
	}
	/* code NONE: not a violation by the server, so no ERROR in reply */
	xp_error_set(&c->err, XP_ERR_NONE, m->op, "server error: %s", text);
	return -1;
}

int tc_on_ping(struct tc_client *c, const struct xp_msg *m)
{
	struct xp_msg r = {.op = XP_OP_PONG};
	r.u.pong.seq = m->u.ping.seq;
	r.u.pong.time_us = m->u.ping.time_us;
	return tc_send(c, &r);
}

int tc_on_pong(struct tc_client *c, const struct xp_msg *m)
{
	uint64_t now = xp_now_us();
	/* only our own pings count: a future or stale time is ignored */
	if (m->u.pong.seq > c->ping_seq || m->u.pong.time_us > now)
		return 0;
	if (m->u.pong.seq > c->pong_seq)
		c->pong_seq = m->u.pong.seq;
	tc_rtt_add(&c->rtt, now - m->u.pong.time_us);
	return 0;
}

int tc_on_mark(struct tc_client *c, const struct xp_msg *m)
{
	/* ACK is cumulative: answering the latest MARK covers earlier ones */
	c->have_mark = true;
	c->mark = m->u.mark.serial;
	return 0;
}

int tc_on_bell(struct tc_client *c, const struct xp_msg *m)
{
	if (c->pres->ops->bell)
		c->pres->ops->bell(c->pres);
	return 0;
}

int tc_on_app_entry(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_app_entry *a = &m->u.app_entry;
	char app[128], about[200];
	xp_str_copy(app, sizeof(app), a->app);
	xp_str_copy(about, sizeof(about), a->about);
	tc_plain(app);
	tc_plain(about);
	if (a->flags & XP_APP_NONE)
		tc_warn("no apps to launch");
	else
		tc_warn("app %u: %s - %s%s", a->index, app, about,
		        (a->flags & XP_APP_LAST) ? " (last)" : "");
	return 0;
}

int tc_on_app_started(struct tc_client *c, const struct xp_msg *m)
{
	char app[128];
	xp_str_copy(app, sizeof(app), m->u.app_started.app);
	tc_plain(app);
	tc_warn("app %s started (pid %u)", app, m->u.app_started.pid);
	if (c->script.s) { /* only the client that launched it is told */
		struct tc_script_run *r = &c->script;
		r->launched[r->nlaunched++ % 8] = m->u.app_started.pid;
	}
	return 0;
}

/* A script's launch ended before showing a window: the script fails there,
 * rather than give the keys meant for the app to another window. */
static void script_launch_failed(struct tc_client *c, const struct xp_msg_app_exited *e,
                                 const char *app)
{
	const struct tc_script_run *r = &c->script;
	if (!r->s || r->done || !(e->flags & XP_EXIT_NO_WINDOW))
		return;
	for (unsigned i = 0; i < 8 && i < r->nlaunched; i++) {
		if (r->launched[i] == e->pid) {
			tc_warn("script stopped: app %s, launched by it, did not start", app);
			c->quit = true;
			c->exit_code = TC_EXIT_ERROR;
			return;
		}
	}
}

void tc_plain(char *s)
{
	char *out = s;
	for (const unsigned char *in = (const unsigned char *)s; *in; in++) {
		/* C1 controls (U+0080..U+009F, 0xc2 0x80..0x9f in UTF-8) steer
		 * terminals as C0 ones do: CSI is U+009B */
		if (in[0] == 0xc2 && in[1] >= 0x80 && in[1] <= 0x9f) {
			*out++ = '?';
			in++;
			continue;
		}
		*out++ = *in < 0x20 || *in == 0x7f ? '?' : (char)*in;
	}
	*out = '\0';
}

int tc_on_app_exited(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_app_exited *e = &m->u.app_exited;
	char app[64], reason[XP_EXIT_REASON_MAX + 1];
	xp_str_copy(app, sizeof(app), e->app);
	xp_str_copy(reason, sizeof(reason), e->reason);
	tc_plain(app); /* a server's text must not steer the user's terminal */
	tc_plain(reason);
	tc_warn("app %s (pid %u) %s %s %u%s%s", app, e->pid,
	        (e->flags & XP_EXIT_NO_WINDOW) ? "ended before showing a window," : "ended,",
	        (e->flags & XP_EXIT_SIGNAL) ? "signal" : "status", e->status, reason[0] ? ": " : "",
	        reason);
	script_launch_failed(c, e, app);
	return 0;
}

int tc_on_ignore(struct tc_client *c, const struct xp_msg *m)
{
	return 0;
}
