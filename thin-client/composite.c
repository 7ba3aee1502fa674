/*
 * composite.c - desktop-mode composition: damage tracking in screen
 * coordinates and recomposing the damaged area from the window table.
 *
 * The screen is the desktop colour with every mapped window copied on top in
 * stacking order, clipped to the screen; a window the server manages gets
 * its frame drawn first (decor.c). Damage
 * is a short list of rectangles; when it is full, a new rectangle is merged
 * into the entry whose bounding box grows least.
 */
#include <string.h>

#include "thin_int.h"

int tc_comp_init(struct tc_compositor *k, int w, int h)
{
	memset(k, 0, sizeof(*k));
	k->desktop_bg = TC_DESKTOP_BG;
	if (xr_fb_init(&k->screen, w, h) < 0)
		return -1;
	xr_fill(&k->screen, NULL, 0, 0, w, h, k->desktop_bg);
	tc_damage_all(k);
	return 0;
}

void tc_comp_finish(struct tc_compositor *k)
{
	xr_fb_finish(&k->screen);
	k->dmg.n = 0;
}

int tc_comp_resize(struct tc_compositor *k, int w, int h)
{
	if (xr_fb_resize(&k->screen, w, h, k->desktop_bg) < 0)
		return -1;
	tc_damage_all(k);
	return 0;
}

void tc_damage_all(struct tc_compositor *k)
{
	k->dmg.n = 1;
	k->dmg.r[0] = (struct xr_rect){0, 0, k->screen.w, k->screen.h};
}

static long long area(struct xr_rect r)
{
	return xr_rect_empty(r) ? 0 : (long long)r.w * r.h;
}

static bool contains(struct xr_rect outer, struct xr_rect r)
{
	struct xr_rect i = xr_rect_intersect(outer, r);
	return i.x == r.x && i.y == r.y && i.w == r.w && i.h == r.h;
}

static struct xr_rect clip64(long long x, long long y, long long w, long long h, struct xr_rect b);

void tc_damage_add(struct tc_compositor *k, struct xr_rect r)
{
	tc_damage_add_offset(k, r, 0, 0);
}

void tc_damage_add_offset(struct tc_compositor *k, struct xr_rect r, int dx, int dy)
{
	struct tc_damage *d = &k->dmg;
	if (xr_rect_empty(r))
		return;
	r = clip64((long long)r.x + dx, (long long)r.y + dy, r.w, r.h,
	           (struct xr_rect){0, 0, k->screen.w, k->screen.h});
	if (xr_rect_empty(r))
		return;
	for (int i = 0; i < d->n; i++)
		if (contains(d->r[i], r))
			return;
	if (d->n < TC_DAMAGE_MAX) {
		d->r[d->n++] = r;
		return;
	}
	int best = 0;
	long long best_growth = -1;
	for (int i = 0; i < d->n; i++) {
		long long g = area(xr_rect_union(d->r[i], r)) - area(d->r[i]);
		if (best_growth < 0 || g < best_growth) {
			best = i;
			best_growth = g;
		}
	}
	d->r[best] = xr_rect_union(d->r[best], r);
}

/* Intersection in 64 bits: window positions may be near INT_MIN/INT_MAX. */
static struct xr_rect clip64(long long x, long long y, long long w, long long h, struct xr_rect b)
{
	long long x0 = x > b.x ? x : b.x, y0 = y > b.y ? y : b.y;
	long long x1 = x + w < (long long)b.x + b.w ? x + w : (long long)b.x + b.w;
	long long y1 = y + h < (long long)b.y + b.h ? y + h : (long long)b.y + b.h;
	if (x1 <= x0 || y1 <= y0)
		return (struct xr_rect){0, 0, 0, 0};
	return (struct xr_rect){(int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0)};
}

static void compose_rect(struct tc_compositor *k, const struct tc_wintable *t, struct xr_rect r)
{
	xr_fill(&k->screen, NULL, r.x, r.y, r.w, r.h, k->desktop_bg);
	for (size_t i = 0; i < t->n; i++) {
		const struct tc_win *w = t->v[i];
		if (!w->mapped)
			continue;
		if (tc_win_framed(w))
			tc_decor_draw(&k->screen, &r, w, w->id == t->focused);
		xr_blit(&k->screen, &r, w->x, w->y, &w->fb);
	}
}

void tc_comp_update(struct tc_compositor *k, const struct tc_wintable *t, struct tc_damage *out)
{
	for (int i = 0; i < k->dmg.n; i++)
		compose_rect(k, t, k->dmg.r[i]);
	*out = k->dmg;
	k->dmg.n = 0;
}
