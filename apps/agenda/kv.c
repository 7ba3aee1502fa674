/*
 * kv.c - registers: an event is a map from keys to values (SYNC.md
 * section 1). struct ag_kvs is that map in memory: a growable array kept in
 * insertion order until ag_kvs_sort() orders it by key, after which lookups
 * are binary searches (a hostile change may carry thousands of keys).
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct ag_kv *)a)->key, ((const struct ag_kv *)b)->key);
}

struct ag_kv *ag_kvs_find(const struct ag_kvs *s, const char *key)
{
	if (s->sorted && s->n > 8) {
		struct ag_kv probe = {.key = (char *)key};
		return bsearch(&probe, s->v, s->n, sizeof(*s->v), cmp_kv);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].key, key))
			return &s->v[i];
	return NULL;
}

const char *ag_kvs_value(const struct ag_kvs *s, const char *key)
{
	const struct ag_kv *kv = ag_kvs_find(s, key);
	return kv && kv->value && *kv->value ? kv->value : NULL;
}

int ag_kvs_put_own(struct ag_kvs *s, char *key, char *value, int64_t seq)
{
	if (!key || !value)
		goto err_free;
	struct ag_kv *kv = ag_kvs_find(s, key);
	if (kv) {
		free(kv->value);
		free(key);
		kv->value = value;
		kv->seq = seq;
		return 0;
	}
	if (ag_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)))
		goto err_free;
	s->v[s->n++] = (struct ag_kv){key, value, seq, 0};
	s->sorted = false;
	return 0;
err_free:
	free(key);
	free(value);
	return -1;
}

int ag_kvs_put(struct ag_kvs *s, const char *key, const char *value, int64_t seq)
{
	return ag_kvs_put_own(s, strdup(key), strdup(value ? value : ""), seq);
}

void ag_kvs_del(struct ag_kvs *s, const char *key)
{
	struct ag_kv *kv = ag_kvs_find(s, key);
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	size_t i = (size_t)(kv - s->v);
	memmove(kv, kv + 1, (s->n - i - 1) * sizeof(*kv));
	s->n--;
}

void ag_kvs_sort(struct ag_kvs *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_kv);
	s->sorted = true;
}

size_t ag_kvs_size(const struct ag_kvs *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += strlen(s->v[i].key) + strlen(s->v[i].value);
	return n;
}

void ag_kvs_finish(struct ag_kvs *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].value);
	}
	if (s) {
		free(s->v);
		memset(s, 0, sizeof(*s));
	}
}

static bool name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool ag_key_valid(const char *key)
{
	size_t n = strlen(key), i = 0;
	if (n == 0 || n > AG_MAX_KEY)
		return false;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)key[k] < 0x20 || key[k] == 0x7f)
			return false;
	if (!strcmp(key, AG_DELETED))
		return true;
	if (key[0] == '@')
		return n > 1;
	while (i < n && name_char(key[i]))
		i++;
	if (i == 0)
		return false;
	return i == n || (key[i] == '#' && i + 1 < n);
}
