/*
 * xsel.c - a bridge between the session clipboard and X selections
 * (ICCCM section 2), in both directions, for CLIPBOARD and PRIMARY.
 *
 * Session -> X: when the session has an owner, we own the X selection. A
 * local client's SelectionRequest for TARGETS or TIMESTAMP is answered at
 * once; one for text (UTF8_STRING, STRING in Latin-1, TEXT) waits until the
 * session's data arrives (asked for once per owner, then cached), and more
 * than INCR_CHUNK bytes go by INCR: the property is refilled each time the
 * requestor deletes it, then emptied.
 * X -> session: XFixes reports every change of a selection's owner; a new
 * local owner is offered to the session. When the session pastes it, we
 * ConvertSelection to UTF8_STRING, then STRING, then TEXT, read the property
 * (following INCR if the owner uses it) and hand over the text.
 *
 * Everything is bounded: XP_CLIP_MAX bytes per transfer (more is cut and
 * flagged), a fixed number of waiting requests, INCR transfers and fetches,
 * each with a deadline. The module needs only xcb and a window of its own
 * (xsel.h): the X bridge (xp-x11) uses it as it is against its X server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>
#include <xcb/xfixes.h>

#include "xproto.h"
#include "xputil.h"
#include "xsel.h"

#define WAITING     16
#define INCR_OUT    8
#define FETCHES     8
#define INCR_CHUNK  (256u << 10)
#define DEADLINE_US (20u * 1000000u)

enum { A_CLIPBOARD, A_TARGETS, A_UTF8, A_TEXT, A_INCR, A_TIMESTAMP, A_SOURCE, A_COUNT };
static const char *const atom_names[A_COUNT] = {
    "CLIPBOARD", "TARGETS", "UTF8_STRING", "TEXT", "INCR", "TIMESTAMP", "XPROTO_CLIP_SOURCE"};

struct waiting { /* a local client asked for text the session has to send */
	bool used;
	uint32_t sel;
	xcb_window_t requestor;
	xcb_atom_t target, property;
	xcb_timestamp_t time;
	uint64_t deadline;
};

struct incr_out { /* a large answer, one property at a time */
	bool used;
	xcb_window_t requestor;
	xcb_atom_t property, type;
	char *data;
	size_t len, off;
	uint64_t deadline;
};

struct fetch { /* reading a local selection for the session */
	bool used, incr;
	uint32_t id, sel;
	int step; /* target tried: 0 UTF8_STRING, 1 STRING, 2 TEXT */
	xcb_atom_t property;
	char *buf;
	size_t len, cap; /* XU_ARRAY_RESERVE */
	bool truncated;
	uint64_t deadline;
};

struct tc_xsel {
	xcb_connection_t *xc;
	xcb_window_t win;
	const struct tc_xsel_ops *ops;
	void *user;
	xcb_atom_t a[A_COUNT], prop[FETCHES];
	uint8_t xfixes_event;
	bool xfixes;
	bool own[XP_CLIP_COUNT];     /* we are the X owner */
	bool session[XP_CLIP_COUNT]; /* for the session's owner, whose data we fetch */
	char *cache[XP_CLIP_COUNT];
	size_t cache_len[XP_CLIP_COUNT];
	bool asked[XP_CLIP_COUNT];
	char source[256]; /* the session we bridge, "HOST:PORT/SESSION" */

	struct waiting wait[WAITING];
	struct incr_out out[INCR_OUT];
	struct fetch fetch[FETCHES];
};

void tc_x11_atoms(xcb_connection_t *xc, const char *const *names, size_t n, uint32_t *out)
{
	enum { BATCH = 32 };
	xcb_intern_atom_cookie_t ck[BATCH];
	for (size_t at = 0; at < n; at += BATCH) { /* the requests, then the replies */
		size_t k = n - at < BATCH ? n - at : BATCH;
		for (size_t i = 0; i < k; i++)
			ck[i] =
			    xcb_intern_atom(xc, 0, (uint16_t)strlen(names[at + i]), names[at + i]);
		for (size_t i = 0; i < k; i++) {
			xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(xc, ck[i], NULL);
			out[at + i] = r ? r->atom : XCB_ATOM_NONE;
			free(r);
		}
	}
}

static xcb_atom_t sel_atom(const struct tc_xsel *x, uint32_t sel)
{
	return sel == XP_CLIP_PRIMARY ? XCB_ATOM_PRIMARY : x->a[A_CLIPBOARD];
}

static int sel_of(const struct tc_xsel *x, xcb_atom_t atom)
{
	return atom == XCB_ATOM_PRIMARY    ? (int)XP_CLIP_PRIMARY
	       : atom == x->a[A_CLIPBOARD] ? (int)XP_CLIP_CLIPBOARD
	                                   : -1;
}

/* ---- answering local clients -------------------------------------------- */

static void notify(struct tc_xsel *x, xcb_window_t requestor, xcb_atom_t selection,
                   xcb_atom_t target, xcb_atom_t property, xcb_timestamp_t time)
{
	xcb_selection_notify_event_t ev = {.response_type = XCB_SELECTION_NOTIFY,
	                                   .time = time,
	                                   .requestor = requestor,
	                                   .selection = selection,
	                                   .target = target,
	                                   .property = property};
	xcb_send_event(x->xc, 0, requestor, XCB_EVENT_MASK_NO_EVENT, (const char *)&ev);
}

/* UTF-8 to Latin-1 for STRING: what Latin-1 lacks becomes '?'. */
static char *to_latin1(const char *s, size_t len, size_t *out_len)
{
	char *o = malloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; o && i < len;) {
		uint32_t cp;
		i += xp_utf8_next(s + i, len - i, &cp);
		o[n++] = (char)(cp < 0x100 ? cp : '?');
	}
	*out_len = n;
	return o;
}

/*
 * Follow @win's property changes (INCR), keeping what else this connection
 * selects there: event masks are per client, and the X bridge selects more
 * on the windows it manages and on the root (SubstructureRedirect: it is the
 * window manager), which a paste may name as its requestor. The selection
 * stays after the transfer; other property changes there are not ours and
 * pass by.
 */
static void watch_properties(struct tc_xsel *x, xcb_window_t win)
{
	xcb_get_window_attributes_reply_t *a =
	    xcb_get_window_attributes_reply(x->xc, xcb_get_window_attributes(x->xc, win), NULL);
	if (a && !(a->your_event_mask & XCB_EVENT_MASK_PROPERTY_CHANGE)) {
		uint32_t mask = a->your_event_mask | XCB_EVENT_MASK_PROPERTY_CHANGE;
		xcb_change_window_attributes(x->xc, win, XCB_CW_EVENT_MASK, &mask);
	}
	free(a); /* no reply: the window is gone, and so is the transfer */
}

/* Send @len bytes of type @type to a requestor: at once, or by INCR. */
static bool put_data(struct tc_xsel *x, const struct waiting *w, xcb_atom_t type, char *data,
                     size_t len)
{
	if (len <= INCR_CHUNK) {
		xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, w->requestor, w->property, type,
		                    8, (uint32_t)len, data);
		free(data);
		return true;
	}
	for (int i = 0; i < INCR_OUT; i++) {
		struct incr_out *o = &x->out[i];
		if (o->used)
			continue;
		uint32_t size = (uint32_t)len;
		*o = (struct incr_out){true, w->requestor, w->property, type,
		                       data, len,          0,           xp_now_us() + DEADLINE_US};
		watch_properties(x, w->requestor);
		xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, w->requestor, w->property,
		                    x->a[A_INCR], 32, 1, &size);
		return true;
	}
	free(data);
	return false;
}

/* Answer a waiting text request from the cache (or refuse it). */
static void answer(struct tc_xsel *x, const struct waiting *w, bool ok)
{
	const char *text = x->cache[w->sel];
	size_t len = x->cache_len[w->sel];
	char *data = NULL;
	xcb_atom_t type = x->a[A_UTF8];
	if (ok && text && w->target == XCB_ATOM_STRING) {
		data = to_latin1(text, len, &len);
		type = XCB_ATOM_STRING;
	} else if (ok && text && (data = malloc(len + 1))) {
		memcpy(data, text, len);
	}
	ok = data && put_data(x, w, type, data, len);
	notify(x, w->requestor, sel_atom(x, w->sel), w->target, ok ? w->property : XCB_ATOM_NONE,
	       w->time);
}

static void queue_request(struct tc_xsel *x, uint32_t sel, const xcb_selection_request_event_t *r,
                          xcb_atom_t property)
{
	struct waiting w = {
	    true, sel, r->requestor, r->target, property, r->time, xp_now_us() + DEADLINE_US};
	if (x->cache[sel]) {
		answer(x, &w, true);
		return;
	}
	for (int i = 0; i < WAITING; i++) {
		if (x->wait[i].used)
			continue;
		x->wait[i] = w;
		if (!x->asked[sel]) {
			x->asked[sel] = true;
			x->ops->wanted(x->user, sel);
		}
		return;
	}
	notify(x, r->requestor, r->selection, r->target, XCB_ATOM_NONE, r->time);
}

static void on_request(struct tc_xsel *x, const xcb_selection_request_event_t *r)
{
	int sel = sel_of(x, r->selection);
	/* obsolete clients name no property: the target is used (ICCCM 2.2) */
	xcb_atom_t prop = r->property ? r->property : r->target;
	if (sel < 0 || !x->session[sel] || r->owner != x->win) {
		notify(x, r->requestor, r->selection, r->target, XCB_ATOM_NONE, r->time);
	} else if (r->target == x->a[A_TARGETS]) {
		xcb_atom_t t[] = {x->a[A_TARGETS], x->a[A_TIMESTAMP], x->a[A_UTF8], XCB_ATOM_STRING,
		                  x->a[A_TEXT]};
		xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, r->requestor, prop, XCB_ATOM_ATOM,
		                    32, 5, t);
		notify(x, r->requestor, r->selection, r->target, prop, r->time);
	} else if (r->target == x->a[A_TIMESTAMP]) {
		uint32_t now = XCB_CURRENT_TIME;
		xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, r->requestor, prop,
		                    XCB_ATOM_INTEGER, 32, 1, &now);
		notify(x, r->requestor, r->selection, r->target, prop, r->time);
	} else if (r->target == x->a[A_UTF8] || r->target == XCB_ATOM_STRING ||
	           r->target == x->a[A_TEXT]) {
		queue_request(x, (uint32_t)sel, r, prop);
	} else {
		notify(x, r->requestor, r->selection, r->target, XCB_ATOM_NONE, r->time);
	}
}

/* A requestor deleted the property of an INCR answer: the next chunk. */
static bool incr_next(struct tc_xsel *x, const xcb_property_notify_event_t *p)
{
	for (int i = 0; i < INCR_OUT; i++) {
		struct incr_out *o = &x->out[i];
		if (!o->used || o->requestor != p->window || o->property != p->atom ||
		    p->state != XCB_PROPERTY_DELETE)
			continue;
		size_t n = o->len - o->off > INCR_CHUNK ? INCR_CHUNK : o->len - o->off;
		xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, o->requestor, o->property,
		                    o->type, 8, (uint32_t)n, o->data + o->off);
		o->off += n;
		o->deadline = xp_now_us() + DEADLINE_US;
		if (n == 0) { /* the empty property ended it */
			free(o->data);
			*o = (struct incr_out){0};
		}

		return true;
	}
	return false;
}

/* ---- reading local selections ------------------------------------------- */

static void fetch_done(struct tc_xsel *x, struct fetch *f, bool ok)
{
	x->ops->fetched(x->user, f->id, ok ? f->buf : NULL, ok ? f->len : 0, f->truncated);
	free(f->buf);
	*f = (struct fetch){0};
}

static bool fetch_convert(struct tc_xsel *x, struct fetch *f)
{
	static const int targets[] = {A_UTF8, -1, A_TEXT};
	if (f->step > 2)
		return false;
	xcb_atom_t t = targets[f->step] < 0 ? XCB_ATOM_STRING : x->a[targets[f->step]];
	xcb_convert_selection(x->xc, x->win, sel_atom(x, f->sel), t, f->property, XCB_CURRENT_TIME);
	return true;
}

/* Append property data of @type to the fetch, as UTF-8. */
static void fetch_append(struct tc_xsel *x, struct fetch *f, xcb_atom_t type, const uint8_t *p,
                         size_t n)
{
	bool latin1 = type == XCB_ATOM_STRING;
	size_t room = XP_CLIP_MAX - f->len, need = latin1 ? 2 * n : n;
	if (need > room) {
		f->truncated = true;
		need = room;
		n = latin1 ? room / 2 : room;
	}
	if (XU_ARRAY_RESERVE(f->buf, f->cap, f->len + need + 1) < 0) {
		f->truncated = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (latin1 && p[i] >= 0x80) {
			f->buf[f->len++] = (char)(0xc0 | p[i] >> 6);
			f->buf[f->len++] = (char)(0x80 | (p[i] & 0x3f));
		} else {
			f->buf[f->len++] = (char)p[i];
		}
	}
	f->buf[f->len] = '\0';
}

/* Read (and delete) the fetch's property; -1 error, 0 empty, 1 data. */
static int fetch_read(struct tc_xsel *x, struct fetch *f, xcb_atom_t *type)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    x->xc,
	    xcb_get_property(x->xc, 1, x->win, f->property, XCB_GET_PROPERTY_TYPE_ANY, 0,
	                     (XP_CLIP_MAX + 3) / 4),
	    NULL);
	if (!r)
		return -1;
	int n = xcb_get_property_value_length(r);
	*type = r->type;
	if (r->type == x->a[A_INCR]) {
		free(r);
		return 2;
	}
	if (r->bytes_after)
		f->truncated = true;
	if (n > 0 && r->format == 8 &&
	    (r->type == x->a[A_UTF8] || r->type == XCB_ATOM_STRING || r->type == x->a[A_TEXT]))
		fetch_append(x, f, r->type, xcb_get_property_value(r), (size_t)n);
	free(r);
	return n > 0 ? 1 : 0;
}

static struct fetch *fetch_by_prop(struct tc_xsel *x, xcb_atom_t prop)
{
	for (int i = 0; i < FETCHES; i++)
		if (x->fetch[i].used && x->fetch[i].property == prop)
			return &x->fetch[i];
	return NULL;
}

static void on_notify(struct tc_xsel *x, const xcb_selection_notify_event_t *n)
{
	struct fetch *f = NULL;
	xcb_atom_t type;
	for (int i = 0; n->requestor == x->win && !f && i < FETCHES; i++) {
		struct fetch *k = &x->fetch[i];
		/* a refusal names no property: it is the pending one of that selection */
		if (k->used && !k->incr &&
		    (n->property ? k->property == n->property
		                 : sel_atom(x, k->sel) == n->selection))
			f = k;
	}
	if (!f)
		return;
	if (!n->property) { /* refused: try the next target */
		f->step++;
		if (!fetch_convert(x, f))
			fetch_done(x, f, false);
		return;
	}
	int r = fetch_read(x, f, &type);
	if (r == 2) /* INCR: the data comes as new values of the property */
		f->incr = true;
	else
		fetch_done(x, f, r >= 0);
}

static bool incr_in(struct tc_xsel *x, const xcb_property_notify_event_t *p)
{
	struct fetch *f = p->window == x->win ? fetch_by_prop(x, p->atom) : NULL;
	xcb_atom_t type;
	if (!f || !f->incr || p->state != XCB_PROPERTY_NEW_VALUE)
		return f != NULL;
	f->deadline = xp_now_us() + DEADLINE_US;
	int r = fetch_read(x, f, &type);
	if (r <= 0 || f->len >= XP_CLIP_MAX)
		fetch_done(x, f, r == 0 || f->len >= XP_CLIP_MAX);
	return true;
}

/* ---- the interface -------------------------------------------------------- */

struct tc_xsel *tc_xsel_create(xcb_connection_t *xc, uint32_t win, const struct tc_xsel_ops *ops,
                               void *user)
{
	struct tc_xsel *x = calloc(1, sizeof(*x));
	char prop_names[FETCHES][16];
	const char *names[A_COUNT + FETCHES];
	uint32_t atoms[A_COUNT + FETCHES];
	if (!x)
		return NULL;
	*x = (struct tc_xsel){.xc = xc, .win = win, .ops = ops, .user = user};
	for (int i = 0; i < A_COUNT; i++)
		names[i] = atom_names[i];
	for (int i = 0; i < FETCHES; i++) {
		snprintf(prop_names[i], sizeof(prop_names[i]), "XPROTO_SEL_%d", i);
		names[A_COUNT + i] = prop_names[i];
	}
	tc_x11_atoms(xc, names, A_COUNT + FETCHES, atoms);
	memcpy(x->a, atoms, sizeof(x->a));
	memcpy(x->prop, atoms + A_COUNT, sizeof(x->prop));
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(xc, &xcb_xfixes_id);
	xcb_xfixes_query_version_reply_t *v =
	    ext && ext->present
	        /* selection events are XFixes 1.0, but X keeps the version a client
	         * asked for last: asking less would take the cursor requests of
	         * XFixes 2+ from a program that uses them on the same connection */
	        ? xcb_xfixes_query_version_reply(xc, xcb_xfixes_query_version(xc, 5, 0), NULL)
	        : NULL;
	if (v) {
		uint32_t mask = XCB_XFIXES_SELECTION_EVENT_MASK_SET_SELECTION_OWNER |
		                XCB_XFIXES_SELECTION_EVENT_MASK_SELECTION_WINDOW_DESTROY |
		                XCB_XFIXES_SELECTION_EVENT_MASK_SELECTION_CLIENT_CLOSE;
		x->xfixes = true;
		x->xfixes_event = ext->first_event;
		for (uint32_t s = 0; s < XP_CLIP_COUNT; s++)
			xcb_xfixes_select_selection_input(xc, win, sel_atom(x, s), mask);
	}
	free(v);
	return x;
}

void tc_xsel_destroy(struct tc_xsel *x)
{
	if (!x)
		return;
	for (int i = 0; i < INCR_OUT; i++)
		free(x->out[i].data);
	for (int i = 0; i < FETCHES; i++)
		free(x->fetch[i].buf);
	for (uint32_t s = 0; s < XP_CLIP_COUNT; s++)
		free(x->cache[s]);
	free(x);
}

void tc_xsel_set_user(struct tc_xsel *x, void *user)
{
	x->user = user;
}

/* A local client owns @sel now (None: nobody). */
/* @win is a bridge of the same session (XPROTO_CLIP_SOURCE says so). */
static bool same_source(struct tc_xsel *x, xcb_window_t win)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    x->xc, xcb_get_property(x->xc, 0, win, x->a[A_SOURCE], XCB_ATOM_STRING, 0, 64), NULL);
	size_t n = r ? (size_t)xcb_get_property_value_length(r) : 0;
	bool same = r && x->source[0] && n == strlen(x->source) &&
	            !memcmp(xcb_get_property_value(r), x->source, n);
	free(r);
	return same;
}

/*
 * The owner of @sel changed. The event may be stale (two takes in a row
 * arrive after both happened), so the X server is asked who owns it now.
 */
static void owner_changed(struct tc_xsel *x, int sel)
{
	xcb_get_selection_owner_reply_t *r;
	xcb_window_t owner;
	if (sel < 0)
		return;
	r = xcb_get_selection_owner_reply(x->xc, xcb_get_selection_owner(x->xc, sel_atom(x, sel)),
	                                  NULL);
	owner = r ? r->owner : XCB_NONE;
	free(r);
	x->own[sel] = owner == x->win;
	if (owner == x->win)
		return;
	if (owner == XCB_NONE)
		x->ops->disowned_locally(x->user, (uint32_t)sel);
	else if (!same_source(x, owner)) /* another client of this session shows its data */
		x->ops->owned_locally(x->user, (uint32_t)sel);
}

void tc_xsel_set_source(struct tc_xsel *x, const char *source)
{
	if (!x || !strncmp(x->source, source, sizeof(x->source) - 1))
		return;
	snprintf(x->source, sizeof(x->source), "%s", source);
	xcb_change_property(x->xc, XCB_PROP_MODE_REPLACE, x->win, x->a[A_SOURCE], XCB_ATOM_STRING,
	                    8, (uint32_t)strlen(x->source), x->source);
	xcb_flush(x->xc);
}

bool tc_xsel_event(struct tc_xsel *x, const void *event)
{
	const xcb_generic_event_t *ev = event;
	uint8_t type = ev->response_type & 0x7f;
	if (x->xfixes && type == x->xfixes_event + XCB_XFIXES_SELECTION_NOTIFY) {
		const xcb_xfixes_selection_notify_event_t *s = event;
		owner_changed(x, sel_of(x, s->selection));
		return true;
	}
	switch (type) {
	case XCB_SELECTION_REQUEST:
		on_request(x, event);
		break;
	case XCB_SELECTION_NOTIFY:
		on_notify(x, event);
		break;
	case XCB_SELECTION_CLEAR: {
		const xcb_selection_clear_event_t *c = event;
		int sel = sel_of(x, c->selection);
		if (sel >= 0)
			x->own[sel] = false;
		if (sel >= 0 && !x->xfixes) /* without XFixes this is all we learn */
			x->ops->owned_locally(x->user, (uint32_t)sel);
		break;
	}
	case XCB_PROPERTY_NOTIFY:
		if (!incr_next(x, event) && !incr_in(x, event))
			return false;
		break;

	default:
		return false;
	}
	xcb_flush(x->xc);
	return true;
}

/* Drop the cache and refuse whoever waits for @sel. */
static void forget(struct tc_xsel *x, uint32_t sel)
{
	for (int i = 0; i < WAITING; i++)
		if (x->wait[i].used && x->wait[i].sel == sel) {
			answer(x, &x->wait[i], false);
			x->wait[i].used = false;
		}
	free(x->cache[sel]);
	x->cache[sel] = NULL;
	x->asked[sel] = false;
}

void tc_xsel_take(struct tc_xsel *x, uint32_t sel, bool only_if_free)
{
	if (!x)
		return;
	if (sel >= XP_CLIP_COUNT)
		return;
	if (only_if_free) {
		xcb_get_selection_owner_reply_t *r = xcb_get_selection_owner_reply(
		    x->xc, xcb_get_selection_owner(x->xc, sel_atom(x, sel)), NULL);
		bool taken = r && r->owner != XCB_NONE && r->owner != x->win;
		free(r);
		if (taken)
			return;
	}
	forget(x, sel);
	if (!x->own[sel]) /* taking it again would tell the others it changed hands */
		xcb_set_selection_owner(x->xc, x->win, sel_atom(x, sel), XCB_CURRENT_TIME);
	x->own[sel] = true;
	x->session[sel] = true;
	xcb_flush(x->xc);
}

void tc_xsel_release(struct tc_xsel *x, uint32_t sel)
{
	if (!x)
		return;
	if (sel >= XP_CLIP_COUNT || !x->session[sel])
		return;
	forget(x, sel);
	if (x->own[sel])
		xcb_set_selection_owner(x->xc, XCB_NONE, sel_atom(x, sel), XCB_CURRENT_TIME);
	x->own[sel] = false;
	x->session[sel] = false;
	xcb_flush(x->xc);
}

void tc_xsel_supply(struct tc_xsel *x, uint32_t sel, const char *data, size_t len)
{
	if (!x)
		return;
	if (sel >= XP_CLIP_COUNT)
		return;
	free(x->cache[sel]);
	x->cache[sel] = data ? malloc(len + 1) : NULL;
	if (x->cache[sel]) {
		memcpy(x->cache[sel], data, len);
		x->cache[sel][len] = '\0';
	}
	x->cache_len[sel] = x->cache[sel] ? len : 0;
	for (int i = 0; i < WAITING; i++)
		if (x->wait[i].used && x->wait[i].sel == sel) {
			answer(x, &x->wait[i], x->cache[sel] != NULL);
			x->wait[i].used = false;
		}
	x->asked[sel] = false;
	if (!x->cache[sel]) /* a failed fetch is not kept: the next paste asks again */
		x->cache_len[sel] = 0;
	xcb_flush(x->xc);
}

void tc_xsel_fetch(struct tc_xsel *x, uint32_t sel, uint32_t id)
{
	for (int i = 0; x && sel < XP_CLIP_COUNT && i < FETCHES; i++) {
		if (x->fetch[i].used)
			continue;
		x->fetch[i] = (struct fetch){.used = true,
		                             .id = id,
		                             .sel = sel,
		                             .property = x->prop[i],
		                             .deadline = xp_now_us() + DEADLINE_US};
		fetch_convert(x, &x->fetch[i]);
		xcb_flush(x->xc);
		return;
	}
	if (x)
		x->ops->fetched(x->user, id, NULL, 0, false);
}

void tc_xsel_tick(struct tc_xsel *x, uint64_t now)
{
	for (int i = 0; i < WAITING; i++)
		if (x->wait[i].used && now > x->wait[i].deadline) {
			answer(x, &x->wait[i], false);
			x->wait[i].used = false;
			x->asked[x->wait[i].sel] = false;
		}
	for (int i = 0; i < INCR_OUT; i++)
		if (x->out[i].used && now > x->out[i].deadline) {
			free(x->out[i].data);
			x->out[i] = (struct incr_out){0};
		}
	for (int i = 0; i < FETCHES; i++)
		if (x->fetch[i].used && now > x->fetch[i].deadline)
			fetch_done(x, &x->fetch[i], false);
}

/* Keep the earlier of @due and @deadline (µs; 0: none yet). */
static uint64_t earlier(uint64_t due, bool used, uint64_t deadline)
{
	return used && (!due || deadline < due) ? deadline : due;
}

int tc_xsel_due(const struct tc_xsel *x, uint64_t now)
{
	uint64_t due = 0;
	for (int i = 0; x && i < WAITING; i++)
		due = earlier(due, x->wait[i].used, x->wait[i].deadline);
	for (int i = 0; x && i < INCR_OUT; i++)
		due = earlier(due, x->out[i].used, x->out[i].deadline);
	for (int i = 0; x && i < FETCHES; i++)
		due = earlier(due, x->fetch[i].used, x->fetch[i].deadline);
	if (!due)
		return -1;
	/* tick gives up strictly after the deadline: one ms past it */
	return due < now ? 0 : (int)((due - now) / 1000 + 1);
}
