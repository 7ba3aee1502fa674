/*
 * windows.c - the table of remote windows, keyed by the server's window id,
 * in stacking order (v[0] at the bottom), and the WIN_* message handlers.
 *
 * Lookups are linear: a session has tens of windows, the table is capped at
 * TC_MAX_WINDOWS, and drawing looks its target up once per message. Every
 * change that alters what the screen shows adds screen damage.
 */
#include <stdlib.h>
#include <string.h>

#include "thin_int.h"
#include "xputil.h"

struct tc_win *tc_win_find(const struct tc_wintable *t, uint32_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->id == id)
			return t->v[i];
	return NULL;
}

static size_t win_index(const struct tc_wintable *t, const struct tc_win *w)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] == w)
			return i;
	return t->n;
}

static void win_free(struct tc_win *w)
{
	if (!w)
		return;
	xr_fb_finish(&w->fb);
	tc_cursor_unref(w->cursor);
	free(w);
}

void tc_wintable_clear(struct tc_wintable *t)
{
	for (size_t i = 0; i < t->n; i++)
		win_free(t->v[i]);
	free(t->v);
	uint64_t created = t->created; /* counts on over reconnects (wait-launched) */
	memset(t, 0, sizeof(*t));
	t->created = created;
}

struct xr_rect tc_win_rect(const struct tc_win *w)
{
	return (struct xr_rect){w->x, w->y, w->w, w->h};
}

bool tc_win_framed(const struct tc_win *w)
{
	return w->state & XP_STATE_FRAMED;
}

void tc_win_damage(struct tc_client *c, struct tc_win *w, struct xr_rect local)
{
	struct xr_rect r = xr_rect_intersect(local, (struct xr_rect){0, 0, w->w, w->h});
	if (!xr_rect_empty(r))
		w->dirty = xr_rect_empty(w->dirty) ? r : xr_rect_union(w->dirty, r);
	if (w->mapped)
		tc_damage_add_offset(&c->comp, local, w->x, w->y);
}

/* The window and, in desktop mode, its frame. */
static void damage_whole(struct tc_client *c, struct tc_win *w)
{
	if (!w->mapped)
		return;
	tc_damage_add_offset(&c->comp, (struct xr_rect){0, 0, w->w, w->h}, w->x, w->y);
	if (!tc_win_framed(w))
		return;
	struct xp_rect o =
	    xp_frame_outer((struct xp_rect){w->x, w->y, (uint32_t)w->w, (uint32_t)w->h});
	tc_damage_add_offset(&c->comp, (struct xr_rect){0, 0, (int)o.w, (int)o.h}, o.x, o.y);
}

/* Move @w to the top of the stacking order. */
static void raise_win(struct tc_wintable *t, struct tc_win *w)
{
	size_t i = win_index(t, w);
	memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof(*t->v));
	t->v[t->n - 1] = w;
}

static int check_size(struct tc_client *c, unsigned op, uint32_t w, uint32_t h)
{
	if (w < 1 || h < 1 || w > TC_WIN_MAX_DIM || h > TC_WIN_MAX_DIM)
		return tc_fail(c, XP_ERR_LIMIT, op, "%s: window size %ux%u outside 1..%d",
		               xp_op_name(op), w, h, TC_WIN_MAX_DIM);
	return 0;
}

static struct tc_win *find_or_fail(struct tc_client *c, uint32_t id, unsigned op)
{
	struct tc_win *w = tc_win_find(&c->wins, id);
	if (!w)
		tc_fail(c, XP_ERR_NO_WINDOW, op, "%s: no window %u", xp_op_name(op), id);
	return w;
}

static int check_room(struct tc_client *c, uint64_t add)
{
	struct tc_wintable *t = &c->wins;
	if (t->n >= TC_MAX_WINDOWS)
		return tc_fail(c, XP_ERR_LIMIT, XP_OP_WIN_CREATE,
		               "WIN_CREATE: more than %d windows", TC_MAX_WINDOWS);
	if (t->pixels + add > TC_WIN_PIXELS_MAX)
		return tc_fail(c, XP_ERR_LIMIT, XP_OP_WIN_CREATE,
		               "WIN_CREATE: window memory limit");
	if (XU_ARRAY_RESERVE(t->v, t->cap, t->n + 1) < 0)
		return tc_fail(c, XP_ERR_INTERNAL, XP_OP_WIN_CREATE, "out of memory");
	return 0;
}

int tc_on_win_create(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_win_create *a = &m->u.win_create;
	if (tc_win_find(&c->wins, a->win))
		return tc_fail(c, XP_ERR_STATE, m->op, "WIN_CREATE: window %u exists", a->win);
	if (check_size(c, m->op, a->w, a->h) < 0 || check_room(c, (uint64_t)a->w * a->h) < 0)
		return -1;
	struct tc_win *w = calloc(1, sizeof(*w));
	if (!w || xr_fb_init(&w->fb, (int)a->w, (int)a->h) < 0) {
		free(w);
		return tc_fail(c, XP_ERR_INTERNAL, m->op, "WIN_CREATE: out of memory");
	}
	*w = (struct tc_win){.id = a->win,
	                     .born = ++c->wins.created,
	                     .x = a->x,
	                     .y = a->y,
	                     .w = (int)a->w,
	                     .h = (int)a->h,
	                     .flags = a->flags,
	                     .bg = a->bg,
	                     .fb = w->fb};
	xr_fill(&w->fb, NULL, 0, 0, w->w, w->h, w->bg);
	c->wins.v[c->wins.n++] = w;
	c->wins.pixels += (uint64_t)a->w * a->h;
	return 0;
}

int tc_on_win_destroy(struct tc_client *c, const struct xp_msg *m)
{
	struct tc_win *w = find_or_fail(c, m->u.win_destroy.win, m->op);
	if (!w)
		return -1;
	damage_whole(c, w);
	size_t i = win_index(&c->wins, w);
	memmove(c->wins.v + i, c->wins.v + i + 1, (c->wins.n - i - 1) * sizeof(*c->wins.v));
	c->wins.n--;
	c->wins.pixels -= (uint64_t)w->w * (uint64_t)w->h;
	if (c->wins.focused == w->id) {
		c->wins.focused = 0;
		tc_title_update(c);
	}
	win_free(w);
	return 0;
}

int tc_on_win_map(struct tc_client *c, const struct xp_msg *m)
{
	struct tc_win *w = find_or_fail(c, m->u.win_map.win, m->op);
	if (!w)
		return -1;
	w->mapped = true;
	raise_win(&c->wins, w);
	damage_whole(c, w);
	return 0;
}

int tc_on_win_unmap(struct tc_client *c, const struct xp_msg *m)
{
	struct tc_win *w = find_or_fail(c, m->u.win_unmap.win, m->op);
	if (!w)
		return -1;
	damage_whole(c, w);
	w->mapped = false;
	return 0;
}

static int resize_win(struct tc_client *c, struct tc_win *w, uint32_t nw, uint32_t nh)
{
	uint64_t old = (uint64_t)w->w * (uint64_t)w->h, add = (uint64_t)nw * nh;
	if (add > old && c->wins.pixels + (add - old) > TC_WIN_PIXELS_MAX)
		return tc_fail(c, XP_ERR_LIMIT, XP_OP_WIN_CONFIGURE, "WIN_CONFIGURE: memory limit");
	if (xr_fb_resize(&w->fb, (int)nw, (int)nh, w->bg) < 0)
		return tc_fail(c, XP_ERR_INTERNAL, XP_OP_WIN_CONFIGURE, "out of memory");
	c->wins.pixels = c->wins.pixels - old + add;
	w->w = (int)nw;
	w->h = (int)nh;
	return 0;
}

int tc_on_win_configure(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_win_configure *a = &m->u.win_configure;
	struct tc_win *w = find_or_fail(c, a->win, m->op);
	if (!w)
		return -1;
	if ((a->mask & XP_CONF_RESIZE) && check_size(c, m->op, a->w, a->h) < 0)
		return -1;
	damage_whole(c, w);
	if ((a->mask & XP_CONF_RESIZE) && resize_win(c, w, a->w, a->h) < 0)
		return -1;
	if (a->mask & XP_CONF_MOVE) {
		w->x = a->x;
		w->y = a->y;
	}
	if (a->mask & XP_CONF_RAISE)
		raise_win(&c->wins, w);
	damage_whole(c, w);
	return 0;
}

/* Copy at most TC_TITLE_MAX bytes, cutting at a character boundary. */
static void copy_title(char *dst, struct xp_str s)
{
	size_t n = xp_utf8_fit(s.p, s.n, TC_TITLE_MAX);
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

int tc_on_win_title(struct tc_client *c, const struct xp_msg *m)
{
	struct tc_win *w = find_or_fail(c, m->u.win_title.win, m->op);
	if (!w)
		return -1;
	copy_title(w->title, m->u.win_title.title);
	if (c->wins.focused == w->id)
		tc_title_update(c);
	if (tc_win_framed(w))
		damage_whole(c, w); /* the title bar shows it */
	return 0;
}

int tc_on_win_focus(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_win_focus *a = &m->u.win_focus;
	struct tc_win *w = find_or_fail(c, a->win, m->op), *old;
	if (!w)
		return -1;
	old = tc_win_find(&c->wins, c->wins.focused);
	if (a->on)
		c->wins.focused = a->win;
	else if (c->wins.focused == a->win)
		c->wins.focused = 0;
	if (old && tc_win_framed(old)) /* title bars change colour */
		damage_whole(c, old);
	if (tc_win_framed(w))
		damage_whole(c, w);
	tc_title_update(c);
	return 0;
}

int tc_on_win_state(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_win_state *a = &m->u.win_state;
	struct tc_win *w = find_or_fail(c, a->win, m->op);
	if (!w)
		return -1;
	damage_whole(c, w);
	w->state = a->state;
	w->parent = a->parent;
	damage_whole(c, w);
	return 0;
}

/* The window list is for apps and logs; a client only reports it. */
int tc_on_win_entry(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_win_entry *a = &m->u.win_entry;
	char title[TC_TITLE_MAX + 1];
	xp_str_copy(title, sizeof(title), a->title);
	tc_plain(title); /* an app's title, for the user's terminal */
	if (a->flags & XP_LIST_NONE)
		tc_warn("no windows");
	else
		tc_warn("window %u: %s%s%s", a->win, title,
		        (a->state & XP_STATE_MINIMIZED) ? " (minimised)" : "",
		        (a->state & XP_STATE_FOCUSED) ? " (focused)" : "");
	return 0;
}

void tc_title_update(struct tc_client *c)
{
	char title[TC_TITLE_MAX + 32];
	const struct tc_win *w = tc_win_find(&c->wins, c->wins.focused);
	if (!c->pres)
		return;
	if (w && w->title[0])
		snprintf(title, sizeof(title), "%s \xe2\x80\x94 thin-client", w->title);
	else
		snprintf(title, sizeof(title), "thin-client");
	if (c->pres->ops->set_title)
		c->pres->ops->set_title(c->pres, title);
}
