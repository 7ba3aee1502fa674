/*
 * util_test.c - the growable-array helper of util/xputil.h: capacity always
 * matches the block realloc gave (checked with malloc_usable_size, so an
 * in-place growth with a stale capacity would show), overflow is refused,
 * and a failure leaves the array untouched.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "xputil.h"

/* under ASan, an impossible allocation must fail like malloc does, not abort */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

struct item {
	uint64_t a, b;
	uint32_t c;
};

static void test_append_many(void **state)
{
	(void)state;
	struct item *v = NULL;
	size_t n = 0, cap = 0, grown = 0, in_place = 0;
	for (uint32_t i = 0; i < 200000; i++) {
		struct item *before = v;
		size_t cap_before = cap;
		assert_int_equal(XU_ARRAY_RESERVE(v, cap, n + 1), 0);
		assert_true(cap >= n + 1);
		assert_true(malloc_usable_size(v) >= cap * sizeof(*v));
		if (cap != cap_before) {
			grown++;
			in_place += before && before == v;
		}
		v[n++] = (struct item){i, (uint64_t)i * 3, i ^ 0x5a5a};
	}
	for (uint32_t i = 0; i < n; i++)
		assert_true(v[i].a == i && v[i].b == (uint64_t)i * 3 && v[i].c == (i ^ 0x5a5a));
	/* geometric: a few dozen growths, not one per append */
	assert_true(grown < 40);
	printf("    %zu growths, %zu of them in place\n", grown, in_place);
	free(v);
}

/* Grow the newest block, the case where glibc extends it in place. */
static void test_in_place_growth_keeps_capacity(void **state)
{
	(void)state;
	for (int round = 0; round < 50; round++) {
		uint32_t *v = NULL;
		size_t cap = 0;
		for (size_t need = 1; need < 5000; need += 7) {
			assert_int_equal(XU_ARRAY_RESERVE(v, cap, need), 0);
			assert_true(malloc_usable_size(v) >= cap * sizeof(*v));
			v[need - 1] = (uint32_t)need; /* the last element is writable */
		}
		free(v);
	}
}

static void test_overflow_refused(void **state)
{
	(void)state;
	struct item *v = NULL;
	size_t cap = 0;
	assert_int_equal(XU_ARRAY_RESERVE(v, cap, 4), 0);
	struct item *keep = v;
	size_t keep_cap = cap;
	assert_int_equal(XU_ARRAY_RESERVE(v, cap, SIZE_MAX / sizeof(*v) + 1), -1);
	assert_int_equal(XU_ARRAY_RESERVE(v, cap, SIZE_MAX), -1);
	assert_int_equal(XU_ARRAY_RESIZE(v, cap, SIZE_MAX / 2), -1);
	assert_ptr_equal(v, keep);
	assert_int_equal(cap, keep_cap);
	/* out of memory (a block no allocator gives) also leaves it untouched */
	assert_int_equal(XU_ARRAY_RESIZE(v, cap, (SIZE_MAX / 4) / sizeof(*v)), -1);
	assert_ptr_equal(v, keep);
	assert_int_equal(cap, keep_cap);
	free(v);
}

static void test_resize_exact_and_free(void **state)
{
	(void)state;
	uint8_t *v = NULL;
	size_t cap = 0;
	assert_int_equal(XU_ARRAY_RESIZE(v, cap, 1000), 0);
	assert_int_equal(cap, 1000);
	assert_true(malloc_usable_size(v) >= 1000);
	memset(v, 0xab, cap);
	assert_int_equal(XU_ARRAY_RESIZE(v, cap, 10), 0);
	assert_int_equal(cap, 10);
	assert_int_equal(v[9], 0xab);
	assert_int_equal(XU_ARRAY_RESIZE(v, cap, 0), 0);
	assert_null(v);
	assert_int_equal(cap, 0);
	/* reserving what is there already allocates nothing */
	assert_int_equal(XU_ARRAY_RESERVE(v, cap, 0), 0);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_many),
	    cmocka_unit_test(test_in_place_growth_keeps_capacity),
	    cmocka_unit_test(test_overflow_refused),
	    cmocka_unit_test(test_resize_exact_and_free),
	};
	return cmocka_run_group_tests_name("growable arrays (util)", tests, NULL, NULL);
}
