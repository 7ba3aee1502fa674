/*
 * scroll.c - find a vertical scroll between what a receiver holds and the
 * new pixels, so that it costs one COPY instead of resending the rows.
 *
 * As xpra's scroll encoding does, every pixel row of the area is hashed in
 * the old and in the new pixels; each changed new row that equals some old
 * row votes for the distance between them (rows of one colour match
 * anywhere and do not vote). The distance with the most votes wins, and the
 * longest block of rows that moved by exactly that distance (checked pixel
 * for pixel, not only by hash) is sent as one COPY and applied to the old
 * pixels. What the scroll did not explain is left to the tile encoder.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

#define MIN_VOTES  4          /* rows that must agree on a distance */
#define MIN_BLOCK  XR_GLYPH_H /* a COPY must move at least a text line */
#define MAX_CHOICE 4          /* old rows with one hash a new row may vote for */

struct row {
	uint64_t hash;
	int y;
	bool flat; /* a single colour */
};

static struct row hash_row(const struct xr_fb *fb, struct xr_rect r, int y)
{
	const uint32_t *p = fb->px + (size_t)y * (size_t)fb->stride + r.x;
	uint64_t h = 0xcbf29ce484222325u;
	bool flat = true;
	for (int x = 0; x < r.w; x++) {
		h = (h ^ (p[x] & XR_COLOR_MASK)) * 0x100000001b3u;
		flat &= p[x] == p[0];
	}
	return (struct row){h, y, flat};
}

static int by_hash(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->y - y->y;
}

static bool rows_equal(const struct xr_fb *a, int ya, const struct xr_fb *b, int yb,
                       struct xr_rect r)
{
	return memcmp(a->px + (size_t)ya * (size_t)a->stride + r.x,
	              b->px + (size_t)yb * (size_t)b->stride + r.x, (size_t)r.w * 4) == 0;
}

/* First index in the sorted @old with hash @h, or @n. */
static int lower(const struct row *old, int n, uint64_t h)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (old[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The distance (new y - old y) most changed rows agree on, or 0. */
static int vote(const struct row *nw, const struct row *old_sorted, const struct row *old_at,
                struct xr_rect r, int *votes)
{
	int best = 0, best_n = 0;
	memset(votes, 0, sizeof(*votes) * (size_t)(2 * r.h + 1));
	for (int i = 0; i < r.h; i++) {
		if (nw[i].flat || nw[i].hash == old_at[i].hash)
			continue;
		int k = lower(old_sorted, r.h, nw[i].hash);
		for (int c = 0; c < MAX_CHOICE && k < r.h && old_sorted[k].hash == nw[i].hash;
		     c++, k++) {
			int d = nw[i].y - old_sorted[k].y, v = ++votes[d + r.h];
			if (v > best_n)
				best = d, best_n = v;
		}
	}
	return best_n >= MIN_VOTES ? best : 0;
}

/* The longest block of rows of @r that moved by @d: [*y0, *y1). */
static void longest(const struct xr_fb *shadow, const struct xr_fb *now, const struct row *nw,
                    const struct row *old_at, struct xr_rect r, int d, int *y0, int *y1)
{
	int start = -1;
	*y0 = *y1 = 0;
	for (int i = 0; i <= r.h; i++) {
		int src = i - d;
		bool ok = i < r.h && src >= 0 && src < r.h && nw[i].hash == old_at[src].hash &&
		          rows_equal(now, r.y + i, shadow, r.y + src, r);
		if (ok && start < 0)
			start = i;
		if (!ok && start >= 0) {
			if (i - start > *y1 - *y0)
				*y0 = start, *y1 = i;
			start = -1;
		}
	}
	*y0 += r.y, *y1 += r.y;
}

static int scroll_once(struct xr_fb *shadow, const struct xr_fb *now, struct xr_rect r,
                       const struct xr_emit *e, struct row *buf, int *votes)
{
	struct row *nw = buf, *old_at = buf + r.h, *old_sorted = buf + 2 * r.h;
	for (int i = 0; i < r.h; i++) {
		nw[i] = hash_row(now, r, r.y + i);
		old_at[i] = old_sorted[i] = hash_row(shadow, r, r.y + i);
	}
	qsort(old_sorted, (size_t)r.h, sizeof(*old_sorted), by_hash);
	int d = vote(nw, old_sorted, old_at, r, votes), y0, y1;
	if (d == 0)
		return 0;
	longest(shadow, now, nw, old_at, r, d, &y0, &y1);
	if (y1 - y0 < MIN_BLOCK)
		return 0;
	struct xr_rect src = {r.x, y0 - d, r.w, y1 - y0};
	if (e->copy(e->ctx, src, r.x, y0) < 0)
		return -1;
	xr_copy(shadow, NULL, src.x, src.y, src.w, src.h, r.x, y0);
	return 1;
}

int xr_enc_scroll(struct xr_fb *shadow, const struct xr_fb *now, struct xr_rect r,
                  const struct xr_emit *e)
{
	if (r.h < 2 * MIN_BLOCK)
		return 0;
	struct row *buf = malloc(sizeof(*buf) * 3 * (size_t)r.h);
	int *votes = malloc(sizeof(*votes) * (size_t)(2 * r.h + 1));
	int rc = buf && votes ? 0 : -1;
	/* a second pass finds a second block (e.g. a status line kept in place) */
	for (int pass = 0; rc == 0 && pass < 2; pass++) {
		rc = scroll_once(shadow, now, r, e, buf, votes);
		rc = rc > 0 ? 0 : rc < 0 ? -1 : 1;
	}
	free(buf);
	free(votes);
	return rc < 0 ? -1 : 0;
}
