/*
 * directory.c - the sessions of a server as peers see them: joining one by
 * name (a HELLO with XP_FLAG_EXISTING may not create one, except "main"; one
 * with XP_FLAG_QUERY joins none), SESSION_LIST and its SESSION_ENTRY answer
 * (windows, clients, viewers, idle time), and the few messages a query
 * connection may send.
 */
#include <stdio.h>
#include <string.h>

#include "server_int.h"

#define LIST_NAMES 80 /* bytes of session names an error message lists */

/* "sessions: work, main, ..." into @out: the names a refused peer could
 * have meant, the sessions `thin-client --list` shows; before its first peer
 * created it, "main" is said apart (it can always be joined). */
static void names(const struct xs_server *s, char *out, size_t cap)
{
	const size_t head = (size_t)snprintf(out, cap, "sessions: ");
	size_t len = head;
	bool have_main = false;
	for (const struct xs_session *se = s->sessions; se; se = se->next) {
		size_t n = strlen(se->name);
		have_main |= !strcmp(se->name, "main");
		if (len - head + n + 6 > LIST_NAMES || len + n + 6 > cap) {
			snprintf(out + len, cap - len, "%s...", se != s->sessions ? ", " : "");
			return;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s%s", se != s->sessions ? ", " : "",
		                        se->name);
	}
	if (!s->sessions)
		snprintf(out, cap, "none yet; main is created when joined");
	else if (!have_main)
		snprintf(out + len, cap - len, "; main is created when joined");
}

int xs_session_join(struct xs_peer *p, const char *name, uint32_t flags, bool *created,
                    struct xp_error *err)
{
	struct xs_server *s = p->srv;
	char list[LIST_NAMES + 48];
	*created = false;
	if (flags & XP_FLAG_QUERY)
		return 0; /* no session: it only asks */
	p->session = xs_session_get(s, name, false);
	if (p->session)
		return 0;
	if ((flags & XP_FLAG_EXISTING) && strcmp(name, "main") != 0) {
		names(s, list, sizeof(list));
		return xp_error_set(err, XP_ERR_NO_SESSION, XP_OP_HELLO, "no session '%s' (%s)",
		                    name, list);
	}
	p->session = xs_session_get(s, name, true);
	if (!p->session)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_HELLO,
		                    "cannot create session '%s' (limit %d)", name,
		                    s->opt.max_sessions);
	p->session->active_us = xp_now_us();
	*created = true;
	return 0;
}

/* Fill @e with what a client is told about @se. */
static void describe(const struct xs_session *se, struct xp_msg_session_entry *e)
{
	uint64_t now = xp_now_us();
	e->name = xp_str_from(se->name);
	e->windows = e->clients = e->viewers = 0;
	for (size_t i = 0; i < se->nwin; i++)
		e->windows += se->stack[i]->owner != se->launcher;
	for (const struct xs_peer *c = se->clients; c; c = c->next) {
		if (c->role == XP_ROLE_VIEWER)
			e->viewers++;
		else
			e->clients++;
	}
	uint64_t idle = now > se->active_us ? (now - se->active_us) / 1000000u : 0;
	e->idle_s = idle > UINT32_MAX ? UINT32_MAX : (uint32_t)idle;
}

int xs_on_session_list(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	struct xp_msg out = {.op = XP_OP_SESSION_ENTRY};
	uint32_t i = 0;
	(void)m;
	(void)err;
	if (!p->srv->sessions) {
		out.u.session_entry.flags = XP_SESSION_LAST | XP_SESSION_NONE;
		out.u.session_entry.name = xp_str_from("");
		xs_peer_send(p, &out);
		return 0;
	}
	for (const struct xs_session *se = p->srv->sessions; se && i < XP_SESSION_MAX;
	     se = se->next, i++) {
		describe(se, &out.u.session_entry);
		out.u.session_entry.index = i;
		out.u.session_entry.flags =
		    !se->next || i + 1 == XP_SESSION_MAX ? XP_SESSION_LAST : 0;
		xs_peer_send(p, &out);
	}
	return 0;
}

void xs_session_touch(struct xs_peer *p, uint8_t op)
{
	if (p->session && p->role == XP_ROLE_CLIENT &&
	    (op == XP_OP_KEY || op == XP_OP_BUTTON || op == XP_OP_MOTION))
		p->session->active_us = xp_now_us();
}

static const xs_handler_fn query_handlers[XP_OP_MAX] = {
    [XP_OP_SESSION_LIST] = xs_on_session_list,
    [XP_OP_APP_LIST] = xs_on_app_list,
    [XP_OP_PING] = xs_on_ping,
    [XP_OP_PONG] = xs_on_ignore,
    [XP_OP_STATS] = xs_on_ignore,
    [XP_OP_ERROR] = xs_on_ignore,
    [XP_OP_ACK] = xs_on_ignore,
};

bool xs_query_may_send(uint8_t op)
{
	return op < XP_OP_MAX && query_handlers[op];
}

int xs_query_handle(struct xs_peer *p, const struct xp_msg *m)
{
	return xs_dispatch(p, m, query_handlers[m->op], "a query connection");
}
