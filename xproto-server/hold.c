/*
 * hold.c - keys typed while an app starts reach that app. After a launch
 * (APP_LAUNCH) the keys a session's clients type are held for the new app,
 * at most XS_HOLD_KEYS of them for at most XS_HOLD_US, and delivered to its
 * first window when it is mapped; if it ends or shows nothing in time they
 * are dropped (and logged), never given to another window, nor are the keys
 * a client sent before it read that the app ended (xs_hold_fence). The launcher's
 * keyboard is synchronous: after a key press reaches it, further keys wait
 * until it answers with SYNC (libxpapp does, when WELCOME grants
 * XP_FLAG_SYNC_KEYS), so the keys typed right after Enter belong to the app
 * Enter launched, not to the launcher. A launcher that does not answer within
 * XS_GATE_US gets them anyway.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

/* Append key @k to @q (allocated at its first key); false when full. */
static bool keyq_push(struct xs_keyq *q, const struct xp_msg_key *k)
{
	if (!q->v && !(q->v = calloc(XS_HOLD_KEYS, sizeof(*q->v))))
		return false;
	if (q->n == XS_HOLD_KEYS) {
		q->dropped++;
		return false;
	}
	struct xs_held_key *h = &q->v[q->n++];
	size_t n = xp_utf8_fit(k->text.p, k->text.n, sizeof(h->text) - 1);
	h->state = k->state;
	h->keysym = k->keysym;
	memcpy(h->text, k->text.p, n);
	h->text[n] = '\0';
	return true;
}

void xs_keyq_finish(struct xs_keyq *q)
{
	free(q->v);
	*q = (struct xs_keyq){0};
}

/* The app being launched in @se that keys are held for now, or NULL. */
static struct xs_child *holder(struct xs_session *se)
{
	return se->hold_pid ? xs_child_find(se->hold_pid) : NULL;
}

/* Send key @k to window @w's app (a release only if it takes them). */
static void send_key(struct xs_window *w, uint32_t state, uint32_t keysym, struct xp_str text)
{
	if (!(state & XP_KEY_PRESSED) && (w->flags & XP_WIN_NO_KEY_RELEASE))
		return;
	struct xp_msg out = {.op = XP_OP_EV_KEY};
	out.u.ev_key = (struct xp_msg_ev_key){w->app_id, state, keysym, text};
	xs_peer_send(w->owner, &out);
}

/* Route @k to the focused window; a press to a synchronous launcher shuts the gate. */
static void route(struct xs_session *se, const struct xp_msg_key *k)
{
	struct xs_window *w = xs_window_by_id(se, se->focus);
	xs_log(se->srv, XS_DEBUG, "key %#x state %#x -> window %u", k->keysym, k->state,
	       w ? w->id : 0);
	if (!w)
		return;
	send_key(w, k->state, k->keysym, k->text);
	if (w->owner == se->launcher && w->owner->sync_keys && (k->state & XP_KEY_PRESSED)) {
		se->gated = true;
		se->gate_us = xp_now_us();
	}
}

void xs_key_input(struct xs_session *se, const struct xp_msg_key *k)
{
	struct xs_child *ch = holder(se);
	if (se->gated) {
		if (!keyq_push(&se->gate, k))
			xs_log(se->srv, XS_INFO, "key dropped: %d keys wait for the launcher",
			       XS_HOLD_KEYS);
		return;
	}
	if (ch && xp_now_us() - ch->started_us < XS_HOLD_US) {
		if (!keyq_push(&ch->held, k) && ch->held.dropped == 1)
			xs_log(se->srv, XS_INFO, "more than %d keys typed while %s starts: dropped",
			       XS_HOLD_KEYS, ch->app);
		return;
	}
	route(se, k);
}

void xs_hold_launched(struct xs_session *se, struct xs_child *ch)
{
	se->hold_pid = ch->pid;
	if (!se->gated)
		return;
	/* the keys typed after the launcher's Enter are this app's */
	ch->held = se->gate;
	se->gate = (struct xs_keyq){0};
}

/* Open the gate and route what waited behind it, until it shuts again. */
static void open_gate(struct xs_session *se)
{
	struct xs_keyq q = se->gate;
	size_t i = 0;
	se->gate = (struct xs_keyq){0};
	se->gated = false;
	for (; i < q.n && !se->gated; i++) {
		struct xp_msg_key k = {q.v[i].state, q.v[i].keysym, xp_str_from(q.v[i].text)};
		xs_key_input(se, &k);
	}
	for (; i < q.n; i++) { /* shut again: the rest waits, in order */
		struct xp_msg_key k = {q.v[i].state, q.v[i].keysym, xp_str_from(q.v[i].text)};
		keyq_push(&se->gate, &k);
	}
	xs_keyq_finish(&q);
}

void xs_hold_synced(struct xs_peer *app)
{
	struct xs_session *se = app->session;
	if (se && se->launcher == app && se->gated)
		open_gate(se);
}

void xs_hold_deliver(struct xs_child *ch, struct xs_window *w)
{
	struct xs_session *se = ch->session;
	if (ch->held.n)
		xs_log(se->srv, XS_INFO, "%zu keys typed while %s started go to its window",
		       ch->held.n, ch->app);
	for (size_t i = 0; i < ch->held.n; i++)
		send_key(w, ch->held.v[i].state, ch->held.v[i].keysym,
		         xp_str_from(ch->held.v[i].text));
	xs_keyq_finish(&ch->held);
	if (se->hold_pid == ch->pid)
		se->hold_pid = 0;
}

void xs_hold_ended(struct xs_child *ch, const char *why)
{
	struct xs_session *se = ch->session;
	if (ch->held.n || ch->held.dropped)
		xs_log(se->srv, XS_INFO, "%zu keys typed for %s dropped: %s", ch->held.n,
		       ch->app[0] ? ch->app : "an app", why);
	xs_keyq_finish(&ch->held);
	if (se && se->hold_pid == ch->pid)
		se->hold_pid = 0;
}

void xs_hold_fence(struct xs_session *se)
{
	for (struct xs_peer *c = se->clients; c; c = c->next)
		if (c->state == XS_RUNNING && c->role == XP_ROLE_CLIENT)
			c->key_fence = xs_update_mark_now(c);
}

bool xs_hold_fenced(struct xs_peer *p)
{
	if (!p->key_fence)
		return false;
	if (p->mark_acked >= p->key_fence) {
		p->key_fence = 0; /* it has read APP_EXITED: its keys are meant */
		return false;
	}
	xs_log(p->srv, XS_DEBUG, "%s: key typed for an app that ended dropped", p->name);
	return true;
}

/* One child's and its session's time limits. */
static void tick_child(struct xs_child *ch, void *data)
{
	uint64_t now = *(const uint64_t *)data;
	if (ch->session->hold_pid == ch->pid && now - ch->started_us >= XS_HOLD_US)
		xs_hold_ended(ch, "it showed no window in time");
}

void xs_hold_tick(struct xs_server *s)
{
	uint64_t now = xp_now_us();
	xs_children_each(tick_child, &now);
	for (struct xs_session *se = s->sessions; se; se = se->next)
		if (se->gated && now - se->gate_us >= XS_GATE_US)
			open_gate(se); /* the launcher did not answer: keys go on */
}
