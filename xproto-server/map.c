/*
 * map.c - a hash map from 64-bit keys to pointers, for the lookups a peer
 * can make hot: windows and cached images by id, the ids a client holds.
 * Open addressing with linear probing, at most half full, deletion by
 * backward shift (no tombstones). Keys come from the network, so each map
 * hashes with its own random seed: a peer cannot pick ids that collide.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "server_int.h"

#define MIN_CAP 8u

/* splitmix64's finaliser: every key bit moves every hash bit */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t new_seed(void)
{
	static uint64_t base, counter;
	if (!base && getrandom(&base, sizeof(base), 0) != (ssize_t)sizeof(base))
		base = xp_now_us() ^ (uint64_t)(uintptr_t)&base;
	return mix(base + ++counter);
}

static size_t home(const struct xs_map *m, uint64_t key)
{
	return (size_t)mix(key ^ m->seed) & (m->cap - 1);
}

void *xs_map_get(const struct xs_map *m, uint64_t key)
{
	if (m->n == 0)
		return NULL;
	for (size_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slot[i].val)
			return NULL;
		if (m->slot[i].key == key)
			return m->slot[i].val;
	}
}

/* Move every entry into a table of @cap slots (a power of two). */
static int rehash(struct xs_map *m, size_t cap)
{
	struct xs_map_slot *old = m->slot;
	size_t old_cap = m->cap;
	struct xs_map_slot *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	if (!m->seed)
		m->seed = new_seed();
	m->slot = slot;
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].val)
			continue;
		size_t k = home(m, old[i].key);
		while (slot[k].val)
			k = (k + 1) & (cap - 1);
		slot[k] = old[i];
	}
	free(old);
	return 0;
}

int xs_map_put(struct xs_map *m, uint64_t key, void *val)
{
	if (!val)
		return -1;
	if ((m->n + 1) * 2 > m->cap) {
		if (m->cap > SIZE_MAX / 2 / sizeof(*m->slot))
			return -1;
		if (rehash(m, m->cap ? m->cap * 2 : MIN_CAP) < 0)
			return -1;
	}
	size_t i = home(m, key);
	while (m->slot[i].val && m->slot[i].key != key)
		i = (i + 1) & (m->cap - 1);
	m->n += !m->slot[i].val;
	m->slot[i] = (struct xs_map_slot){key, val};
	return 0;
}

void *xs_map_del(struct xs_map *m, uint64_t key)
{
	if (m->n == 0)
		return NULL;
	size_t i = home(m, key), mask = m->cap - 1;
	while (m->slot[i].val && m->slot[i].key != key)
		i = (i + 1) & mask;
	void *val = m->slot[i].val;
	if (!val)
		return NULL;
	/* backward shift: pull later entries of the run into the hole */
	for (size_t j = (i + 1) & mask; m->slot[j].val; j = (j + 1) & mask) {
		size_t h = home(m, m->slot[j].key);
		/* j may move to i only if its home is not in (i, j] (cyclically) */
		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i] = (struct xs_map_slot){0, NULL};
	m->n--;
	return val;
}

bool xs_map_next(const struct xs_map *m, size_t *pos, uint64_t *key, void **val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->slot[*pos].val) {
			if (key)
				*key = m->slot[*pos].key;
			if (val)
				*val = m->slot[*pos].val;
			(*pos)++;
			return true;
		}
	}
	return false;
}

void xs_map_clear(struct xs_map *m)
{
	if (m->slot)
		memset(m->slot, 0, m->cap * sizeof(*m->slot));
	m->n = 0;
}

void xs_map_finish(struct xs_map *m)
{
	free(m->slot);
	*m = (struct xs_map){0};
}

/* ---- id sets: a map whose values only say "present" ---- */

static char present;

bool xs_idset_has(const struct xs_idset *s, uint32_t id)
{
	return xs_map_get(&s->map, id) != NULL;
}

int xs_idset_add(struct xs_idset *s, uint32_t id)
{
	return xs_map_put(&s->map, id, &present);
}

void xs_idset_del(struct xs_idset *s, uint32_t id)
{
	xs_map_del(&s->map, id);
}

void xs_idset_clear(struct xs_idset *s)
{
	xs_map_clear(&s->map);
}

void xs_idset_finish(struct xs_idset *s)
{
	xs_map_finish(&s->map);
}
