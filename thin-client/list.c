/*
 * list.c - `thin-client --list`: connect without joining a session
 * (XP_FLAG_QUERY), ask for the sessions (SESSION_LIST) and print one line
 * per SESSION_ENTRY. Works over every transport, ssh:// included.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "thin_int.h"

#define LIST_WAIT_MS 10000

/* "45s", "12m", "3h05m", "2d04h": how long a session has been idle. */
static void idle_text(uint32_t s, char *out, size_t cap)
{
	if (s < 60)
		snprintf(out, cap, "%us", s);
	else if (s < 3600)
		snprintf(out, cap, "%um", s / 60);
	else if (s < 86400)
		snprintf(out, cap, "%uh%02um", s / 3600, s / 60 % 60);
	else
		snprintf(out, cap, "%ud%02uh", s / 86400, s / 3600 % 24);
}

/* Print entry @e; 1 after the last one, 0 for more, -1 for one out of order. */
static int print_entry(const struct xp_msg_session_entry *e, uint32_t want, const char *addr,
                       FILE *out)
{
	char name[65], idle[32];
	if (e->flags & XP_SESSION_NONE) {
		fprintf(out,
		        "no sessions on %s yet ('main' is created by the first client or app "
		        "that joins it)\n",
		        addr);
		return 1;
	}
	if (e->index != want || want >= XP_SESSION_MAX)
		return -1;
	if (want == 0)
		fprintf(out, "%-24s %7s %7s %7s  %s\n", "SESSION", "WINDOWS", "CLIENTS", "VIEWERS",
		        "IDLE");
	xp_str_copy(name, sizeof(name), e->name);
	tc_plain(name);
	idle_text(e->idle_s, idle, sizeof(idle));
	fprintf(out, "%-24s %7u %7u %7u  %s\n", name, e->windows, e->clients, e->viewers, idle);
	return (e->flags & XP_SESSION_LAST) ? 1 : 0;
}

/* Ask on @conn and print the answer; 0, or -1 with why in @err. */
static int ask(struct xp_conn *conn, const char *addr, FILE *out, struct xp_error *err)
{
	struct xp_msg m = {.op = XP_OP_SESSION_LIST}, in;
	uint32_t n = 0;
	int r = 0;
	if (xp_conn_send(conn, &m) < 0 || xp_conn_drain(conn, LIST_WAIT_MS) < 0)
		return *err = *xp_conn_error(conn), -1;
	uint64_t deadline = xp_now_us() + (uint64_t)LIST_WAIT_MS * 1000;
	while (r == 0) {
		int w = xp_conn_wait(conn, &in, xp_ms_until(deadline));
		if (w <= 0)
			return w < 0 ? (*err = *xp_conn_error(conn), -1)
			             : xp_error_set(err, XP_ERR_TIMEOUT, 0,
			                            "no session list in time");
		if (in.op == XP_OP_ERROR) {
			char text[160];
			xp_str_copy(text, sizeof(text), in.u.error.text);
			tc_plain(text);
			return xp_error_set(err, (enum xp_err_code)in.u.error.code, 0,
			                    "server error: %s", text);
		}
		if (in.op == XP_OP_SESSION_ENTRY)
			r = print_entry(&in.u.session_entry, n++, addr, out);
	}
	if (r < 0)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_SESSION_ENTRY,
		                    "SESSION_ENTRY out of order");
	return 0;
}

/* Load the cookie @o names (none for ssh://: the bridge presents it). */
static int cookie(const struct tc_options *o, const struct tc_target *t, struct xp_cookie *ck,
                  struct xp_error *err)
{
	char buf[512];
	const char *path = o->cookie_path;
	memset(ck, 0, sizeof(*ck));
	if (t->ssh && !path)
		return 0;
	if (!path && !(path = xp_cookie_default_path(buf, sizeof(buf))))
		return xp_error_set(err, XP_ERR_AUTH, 0,
		                    "cookie: no home directory for ~/.xproto-cookie");
	return xp_cookie_load(path, false, ck, err);
}

int tc_list_sessions(const struct tc_options *o, FILE *out)
{
	struct tc_target t;
	struct xp_cookie ck;
	struct xp_error err = {0};
	struct xp_conn conn;
	struct xp_caps got, want = {XP_FLAG_QUERY, XP_MAX_MSG_DEFAULT, 0, 0};
	char why[300];
	const char *addr = o->addr ? o->addr : TC_DEFAULT_ADDR;
	pid_t pid = 0;
	int r = -1;
	if (tc_target_parse(addr, &t, why, sizeof(why)) < 0)
		return tc_warn("%s", why), TC_EXIT_ERROR;
	if (cookie(o, &t, &ck, &err) < 0)
		return tc_warn(
		           "%s (the server writes it as it starts; --cookie FILE names another)",
		           err.text),
		       TC_EXIT_ERROR;
	want.flags |= t.unix_socket ? 0 : XP_FLAG_ZLIB;
	signal(SIGPIPE, SIG_IGN); /* ssh gone before our HELLO: an error, not a signal */
	int fd = tc_target_open(&t, &pid, &err);
	if (fd >= 0) {
		xp_conn_init(&conn, fd, XP_MAX_MSG_DEFAULT, true);
		if (xp_handshake_client(&conn, XP_ROLE_VIEWER, &ck, &want, "main",
		                        "thin-client --list", &got,
		                        t.ssh ? TC_SSH_HANDSHAKE_MS : TC_HANDSHAKE_MS) < 0)
			err = *xp_conn_error(&conn);
		else
			r = ask(&conn, addr, out, &err);
		xp_conn_finish(&conn);
	}
	tc_ssh_finish(pid, 1000, why, sizeof(why));
	tc_plain(err.text); /* a refusal's text is the server's */
	if (r < 0)
		tc_warn("cannot list the sessions of %s: %s%s%s%s", addr, err.text,
		        why[0] ? " (" : "", why, why[0] ? ")" : "");
	return r < 0 ? TC_EXIT_ERROR : TC_EXIT_OK;
}
