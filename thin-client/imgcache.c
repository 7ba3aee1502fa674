/*
 * imgcache.c - the per-connection cache of decoded images (IMAGE with a
 * cache_id, IMAGE_CACHED, CACHE_DROP).
 *
 * Bounded by TC_CACHE_MAX_BYTES counted as w * h * 4 per image; when a new
 * image does not fit, the oldest inserted entries are evicted first (FIFO,
 * drawing from the cache does not refresh an entry), so a server can model
 * exactly what the client holds. Replacing an id removes the old entry.
 */
#include <stdlib.h>
#include <string.h>

#include "thin_int.h"
#include "xputil.h"

static size_t fb_bytes(const struct xr_fb *fb)
{
	return (size_t)fb->w * (size_t)fb->h * 4;
}

void tc_cache_init(struct tc_cache *k, size_t max_bytes)
{
	memset(k, 0, sizeof(*k));
	k->max = max_bytes;
}

void tc_cache_clear(struct tc_cache *k)
{
	size_t max = k->max;
	for (size_t i = 0; i < k->n; i++)
		xr_fb_finish(&k->v[i].fb);
	free(k->v);
	tc_cache_init(k, max);
}

static void remove_at(struct tc_cache *k, size_t i)
{
	k->bytes -= fb_bytes(&k->v[i].fb);
	xr_fb_finish(&k->v[i].fb);
	memmove(k->v + i, k->v + i + 1, (k->n - i - 1) * sizeof(*k->v));
	k->n--;
}

static size_t find(const struct tc_cache *k, uint32_t id)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].id == id)
			return i;
	return k->n;
}

int tc_cache_put(struct tc_cache *k, uint32_t id, struct xr_fb *fb)
{
	size_t need = fb_bytes(fb);
	tc_cache_drop(k, id);
	if (need > k->max)
		return -1;
	while (k->n > 0 && k->bytes + need > k->max)
		remove_at(k, 0);
	if (XU_ARRAY_RESERVE(k->v, k->cap, k->n + 1) < 0)
		return -1;
	k->v[k->n++] = (struct tc_cache_entry){.id = id, .fb = *fb};
	k->bytes += need;
	memset(fb, 0, sizeof(*fb)); /* ownership moved into the cache */
	return 0;
}

const struct xr_fb *tc_cache_get(const struct tc_cache *k, uint32_t id)
{
	size_t i = find(k, id);
	return i < k->n ? &k->v[i].fb : NULL;
}

void tc_cache_drop(struct tc_cache *k, uint32_t id)
{
	size_t i = find(k, id);
	if (i < k->n)
		remove_at(k, i);
}
