/*
 * server_map_test.c - the server's hash map (xproto-server/map.c) against a
 * plain array doing the same operations: puts, replacements, deletions
 * (backward shift), lookups of absent keys, iteration, growth; and the id
 * sets built on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "server_int.h"

enum { KEYS = 4096 };

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_map_matches_reference(void **state)
{
	(void)state;
	static intptr_t ref[KEYS]; /* value per key, 0 = absent */
	struct xs_map m = {0};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t n = 0;
	for (int op = 0; op < 300000; op++) {
		uint64_t r = rnd(&seed);
		/* keys spread over the space but few distinct, so runs collide */
		uint64_t key = (r >> 8) % KEYS * 0x100000001ull;
		size_t k = (size_t)((r >> 8) % KEYS);
		if (r % 3 == 0) {
			void *old = xs_map_del(&m, key);
			assert_ptr_equal(old, ref[k] ? (void *)ref[k] : NULL);
			n -= ref[k] != 0;
			ref[k] = 0;
		} else if (r % 3 == 1) {
			intptr_t v = (intptr_t)(op + 1);
			assert_int_equal(xs_map_put(&m, key, (void *)v), 0);
			n += ref[k] == 0;
			ref[k] = v;
		}
		assert_ptr_equal(xs_map_get(&m, key), ref[k] ? (void *)ref[k] : NULL);
		assert_int_equal(m.n, n);
	}
	for (size_t k = 0; k < KEYS; k++)
		assert_ptr_equal(xs_map_get(&m, k * 0x100000001ull),
		                 ref[k] ? (void *)ref[k] : NULL);
	size_t pos = 0, seen = 0;
	uint64_t key;
	void *val;
	while (xs_map_next(&m, &pos, &key, &val)) {
		assert_true(key % 0x100000001ull == 0);
		assert_ptr_equal(val, (void *)ref[key / 0x100000001ull]);
		seen++;
	}
	assert_int_equal(seen, n);
	assert_true(m.cap >= 2 * m.n); /* at most half full */
	xs_map_finish(&m);
	assert_null(xs_map_get(&m, 0));
}

static void test_map_edges(void **state)
{
	(void)state;
	struct xs_map m = {0};
	assert_null(xs_map_get(&m, 42));
	assert_null(xs_map_del(&m, 42));
	assert_int_equal(xs_map_put(&m, 42, NULL), -1); /* NULL means absent */
	assert_int_equal(xs_map_put(&m, 0, &m), 0);     /* key 0 is a key */
	assert_ptr_equal(xs_map_get(&m, 0), &m);
	assert_int_equal(xs_map_put(&m, UINT64_MAX, &m), 0);
	assert_int_equal(m.n, 2);
	xs_map_clear(&m);
	assert_int_equal(m.n, 0);
	assert_null(xs_map_get(&m, 0));
	xs_map_finish(&m);
	/* two maps hash differently: their seeds are their own */
	struct xs_map a = {0}, b = {0};
	xs_map_put(&a, 1, &a);
	xs_map_put(&b, 1, &b);
	assert_int_not_equal(a.seed, b.seed);
	xs_map_finish(&a);
	xs_map_finish(&b);
}

static void test_idset(void **state)
{
	(void)state;
	struct xs_idset s = {0};
	for (uint32_t id = 1; id <= 100000; id++)
		assert_int_equal(xs_idset_add(&s, id * 7), 0);
	assert_int_equal(xs_idset_add(&s, 7), 0); /* twice is once */
	assert_int_equal(s.map.n, 100000);
	assert_true(xs_idset_has(&s, 700));
	assert_false(xs_idset_has(&s, 701));
	for (uint32_t id = 1; id <= 100000; id += 2)
		xs_idset_del(&s, id * 7);
	assert_int_equal(s.map.n, 50000);
	assert_false(xs_idset_has(&s, 7));
	assert_true(xs_idset_has(&s, 14));
	xs_idset_clear(&s);
	assert_false(xs_idset_has(&s, 14));
	xs_idset_finish(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_matches_reference),
	    cmocka_unit_test(test_map_edges),
	    cmocka_unit_test(test_idset),
	};
	return cmocka_run_group_tests_name("xproto-server hash map", tests, NULL, NULL);
}
