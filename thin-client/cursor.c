/*
 * cursor.c - pointer shapes from the server (CURSOR, WIN_CURSOR; SPEC.md
 * 0x1b, 0x1c). Shapes are kept by id, decoded once to premultiplied ARGB; a
 * window holds a counted reference to the shape it was given. After each
 * batch of messages and input, the shape of the window under the pointer
 * goes to the presenter (X: a Render cursor on the real window; headless:
 * just kept, for tc_cursor_shown()). The seamless presenter has no one
 * window under the pointer: it gives each of its X windows its own
 * window's shape (seamless.c) and X shows the one under the pointer. Like everything else, shapes
 * are dropped on disconnect and come back with the server's refresh.
 */
#include <stdlib.h>

#include "thin_int.h"

void tc_cursor_unref(struct tc_cursor *cur)
{
	if (cur && --cur->refs == 0)
		free(cur);
}

struct tc_cursor *tc_cursor_ref(struct tc_cursor *cur)
{
	if (cur)
		cur->refs++;
	return cur;
}

void tc_cursor_clear(struct tc_client *c)
{
	for (uint32_t k = 0; k <= XP_CURSOR_IDS; k++) {
		tc_cursor_unref(c->cursors[k]);
		c->cursors[k] = NULL;
	}
}

int tc_on_cursor(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_cursor *d = &m->u.cursor;
	if (xp_cursor_check(d, &c->err) < 0)
		return -1;
	struct tc_cursor *cur = malloc(sizeof(*cur) + (size_t)d->w * d->h * sizeof(uint32_t));
	if (!cur)
		return tc_fail(c, XP_ERR_INTERNAL, m->op, "CURSOR: out of memory");
	*cur = (struct tc_cursor){1, d->w, d->h, d->hot_x, d->hot_y};
	xp_cursor_argb(d, cur->argb);
	tc_cursor_unref(c->cursors[d->id]); /* a window showing it keeps its shape */
	c->cursors[d->id] = cur;
	return 0;
}

int tc_on_win_cursor(struct tc_client *c, const struct xp_msg *m)
{
	const struct xp_msg_win_cursor *wc = &m->u.win_cursor;
	struct tc_win *w = tc_win_find(&c->wins, wc->win);
	struct tc_cursor *cur = NULL;
	if (!w)
		return tc_fail(c, XP_ERR_NO_WINDOW, m->op, "WIN_CURSOR: no window %u", wc->win);
	if (wc->cursor && (wc->cursor > XP_CURSOR_IDS || !(cur = c->cursors[wc->cursor])))
		return tc_fail(c, XP_ERR_MALFORMED, m->op,
		               "WIN_CURSOR: cursor %u was never defined", wc->cursor);
	tc_cursor_unref(w->cursor);
	w->cursor = tc_cursor_ref(cur);
	return 0;
}

/* The shape over the screen at the pointer: the topmost mapped window's. */
static struct tc_cursor *under_pointer(const struct tc_client *c)
{
	if (!c->pointer_known)
		return NULL;
	for (size_t i = c->wins.n; i-- > 0;) {
		const struct tc_win *w = c->wins.v[i];
		if (w->mapped && c->pointer_x >= w->x && c->pointer_y >= w->y &&
		    c->pointer_x - w->x < w->w && c->pointer_y - w->y < w->h)
			return w->cursor;
	}
	return NULL;
}

void tc_cursor_sync(struct tc_client *c)
{
	struct tc_cursor *cur = under_pointer(c);
	if (cur == c->cursor_shown)
		return;
	if (c->opt.log) {
		if (cur)
			tc_log(c, "cursor: %ux%u, hot spot %u,%u", cur->w, cur->h, cur->hot_x,
			       cur->hot_y);
		else
			tc_log(c, "cursor: the default");
	}
	if (c->pres->ops->cursor)
		c->pres->ops->cursor(c->pres, cur);
	tc_cursor_unref(c->cursor_shown);
	c->cursor_shown = tc_cursor_ref(cur);
}

bool tc_cursor_shown(const struct tc_client *c, struct tc_cursor_image *out)
{
	const struct tc_cursor *cur = c->cursor_shown;
	if (!cur)
		return false;
	*out = (struct tc_cursor_image){cur->w, cur->h, cur->hot_x, cur->hot_y, cur->argb};
	return true;
}
