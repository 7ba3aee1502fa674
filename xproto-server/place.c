/*
 * place.c - where a new framed window goes on its first map (SPEC.md
 * section 12): where its app asked when its frame fits on the screen and
 * covers no other app's window (an app may put a window over its own: a
 * palette, a menu); else the free spot nearest the top left, tried at
 * the corners other frames leave (their right and bottom edges); else a
 * cascade from the topmost window, so no older title bar is hidden. A
 * dialog is centred over its parent. All in 64 bits: app geometry is
 * hostile.
 */
#include <stdlib.h>

#include "server_int.h"

#define OTHERS_MAX 32 /* the topmost frames placement looks at */
#define CASCADE    24

struct box {
	int64_t x, y, w, h;
};

static struct box outer_box(const struct xs_window *w)
{
	struct xp_rect o = xp_frame_outer((struct xp_rect){w->x, w->y, w->w, w->h});
	return (struct box){o.x, o.y, o.w, o.h};
}

static int64_t overlap(struct box a, struct box b)
{
	int64_t x0 = a.x > b.x ? a.x : b.x, y0 = a.y > b.y ? a.y : b.y;
	int64_t x1 = a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w;
	int64_t y1 = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;
	return x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0;
}

/*
 * The frames of the other mapped windows the user arranges, topmost first;
 * with @foreign, only other apps' windows.
 */
static int others(struct xs_session *se, const struct xs_window *w, bool foreign, struct box *out)
{
	int n = 0;
	for (size_t i = se->nwin; i-- > 0 && n < OTHERS_MAX;) {
		const struct xs_window *o = se->stack[i];
		/* the launcher steps aside when another window is shown */
		if (o != w && o->mapped && !(o->flags & XP_WIN_POPUP) &&
		    !(se->launcher && o->owner == se->launcher) &&
		    !(foreign && o->owner == w->owner))
			out[n++] = (o->arr.state & XP_STATE_FRAMED)
			               ? outer_box(o)
			               : (struct box){o->x, o->y, o->w, o->h};
	}
	return n;
}

static int64_t covered(struct box b, const struct box *o, int n)
{
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += overlap(b, o[i]);
	return sum;
}

static bool fits(struct box b, const struct xs_session *se)
{
	return b.x >= 0 && b.y >= 0 && b.x + b.w <= se->screen_w && b.y + b.h <= se->screen_h;
}

/* Candidate coordinates along one axis: 0 and the edges of the others. */
static int axis(const struct box *o, int n, bool horizontal, int64_t *out)
{
	int k = 0;
	out[k++] = 0;
	for (int i = 0; i < n; i++) {
		out[k++] = horizontal ? o[i].x + o[i].w : o[i].y + o[i].h;
		out[k++] = horizontal ? o[i].x : o[i].y;
	}
	return k;
}

/* The free spot nearest the top left (fewest rows, then columns); false if none. */
static bool free_spot(const struct xs_session *se, struct box *b, const struct box *o, int n)
{
	int64_t xs[2 * OTHERS_MAX + 1], ys[2 * OTHERS_MAX + 1];
	int nx = axis(o, n, true, xs), ny = axis(o, n, false, ys);
	bool found = false;
	struct box best = *b;
	for (int j = 0; j < ny; j++) {
		for (int i = 0; i < nx; i++) {
			struct box c = {xs[i], ys[j], b->w, b->h};
			if (!fits(c, se) || covered(c, o, n) != 0)
				continue;
			if (!found || c.y < best.y || (c.y == best.y && c.x < best.x))
				best = c;
			found = true;
		}
	}
	*b = best;
	return found;
}

/* Down and right of the topmost frame, or the first step of a cascade from
 * the top left that starts no other frame. */
static void cascade(const struct xs_session *se, struct box *b, const struct box *o, int n)
{
	struct box c = {n ? o[0].x + CASCADE : 0, n ? o[0].y + CASCADE : 0, b->w, b->h};
	for (int k = 0; !fits(c, se) && k < 64; k++) {
		c.x = c.y = (int64_t)k * CASCADE;
		for (int i = 0; i < n; i++)
			if (o[i].x == c.x && o[i].y == c.y)
				c.x = -1; /* taken: try the next step */
	}
	if (!fits(c, se))
		c.x = c.y = 0;
	*b = c;
}

/* A dialog: centred over its parent, pulled onto the screen. */
static bool over_parent(struct xs_session *se, struct xs_window *w)
{
	const struct xs_window *p = w->arr.parent ? xs_window_by_id(se, w->arr.parent) : NULL;
	if (!p)
		return false;
	int64_t x = (int64_t)p->x + ((int64_t)p->w - w->w) / 2;
	int64_t y = (int64_t)p->y + ((int64_t)p->h - w->h) / 2;
	struct box b = outer_box(w);
	int64_t dx = x - w->x, dy = y - w->y;
	b.x += dx, b.y += dy;
	if (b.x + b.w > se->screen_w)
		b.x = (int64_t)se->screen_w - b.w;
	if (b.y + b.h > se->screen_h)
		b.y = (int64_t)se->screen_h - b.h;
	b.x = b.x < 0 ? 0 : b.x;
	b.y = b.y < 0 ? 0 : b.y;
	w->x = (int32_t)(b.x + XP_FRAME_BORDER);
	w->y = (int32_t)(b.y + XP_FRAME_TITLE);
	return true;
}

void xs_place(struct xs_session *se, struct xs_window *w)
{
	struct box o[OTHERS_MAX], b = outer_box(w);
	int n = others(se, w, true, o);
	if (over_parent(se, w))
		return;
	if (fits(b, se) && (w->owner == se->launcher || covered(b, o, n) == 0))
		return; /* where the app asked */
	n = others(se, w, false, o);
	if (b.w > se->screen_w || b.h > se->screen_h)
		b.x = b.y = 0; /* larger than the screen: its top left shows */
	else if (!free_spot(se, &b, o, n))
		cascade(se, &b, o, n);
	w->x = (int32_t)(b.x + XP_FRAME_BORDER);
	w->y = (int32_t)(b.y + XP_FRAME_TITLE);
	xs_log(se->srv, XS_DEBUG, "window %u placed at %d,%d (%d others)", w->id, w->x, w->y, n);
}
