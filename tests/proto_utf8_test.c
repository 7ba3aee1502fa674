/*
 * proto_utf8_test.c - libxproto's one UTF-8 codec (utf8.c) against a table
 * modelled on Markus Kuhn's UTF-8 decoder stress test: correct text, the
 * first and last sequence of each length, other boundaries, stray and
 * lonely bytes, missing continuation bytes, impossible bytes, overlongs,
 * surrogates and values above U+10FFFF. Each row gives the code points a
 * replacing decoder must yield (U+FFFD per maximal subpart) and the valid
 * prefix length. Then exhaustive checks of every 1-, 2- and 3-byte input
 * and every 4-byte lead/second-byte pair against an independent rule, the
 * encoder over every Unicode scalar value, and cutting text to a size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xproto.h"

#define R XP_UTF8_REPLACEMENT

struct row {
	const char *what;
	const char *s;
	size_t n;        /* bytes of s */
	size_t valid;    /* xp_utf8_valid_prefix() */
	uint32_t cps[8]; /* what xp_utf8_next() yields, in order */
	size_t ncps;
};

#define ROW(what, lit, valid, ...)                                                                 \
	{                                                                                          \
		what, lit, sizeof(lit) - 1, valid, {__VA_ARGS__},                                  \
		    sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)                           \
	}

static const struct row rows[] = {
    /* 1 correct text */
    ROW("Greek kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, 0x3ba, 0x1f79, 0x3c3,
        0x3bc, 0x3b5),
    ROW("ASCII", "a~\x7f", 3, 'a', '~', 0x7f),
    ROW("NUL is a character", "\x00", 1, 0),
    /* 2.1 first sequence of each length */
    ROW("first 2-byte U+0080", "\xc2\x80", 2, 0x80),
    ROW("first 3-byte U+0800", "\xe0\xa0\x80", 3, 0x800),
    ROW("first 4-byte U+10000", "\xf0\x90\x80\x80", 4, 0x10000),
    ROW("old 5-byte form", "\xf8\x88\x80\x80\x80", 0, R, R, R, R, R),
    ROW("old 6-byte form", "\xfc\x84\x80\x80\x80\x80", 0, R, R, R, R, R, R),
    /* 2.2 last sequence of each length */
    ROW("last 1-byte U+007F", "\x7f", 1, 0x7f),
    ROW("last 2-byte U+07FF", "\xdf\xbf", 2, 0x7ff),
    ROW("last 3-byte U+FFFF", "\xef\xbf\xbf", 3, 0xffff),
    ROW("last 4-byte U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 0x10ffff),
    ROW("U+1FFFFF is too high", "\xf7\xbf\xbf\xbf", 0, R, R, R, R),
    /* 2.3 other boundaries */
    ROW("U+D7FF", "\xed\x9f\xbf", 3, 0xd7ff),
    ROW("U+E000", "\xee\x80\x80", 3, 0xe000),
    ROW("U+FFFD itself is valid", "\xef\xbf\xbd", 3, 0xfffd),
    ROW("U+110000", "\xf4\x90\x80\x80", 0, R, R, R, R),
    /* 3.1 unexpected continuation bytes */
    ROW("first continuation", "\x80", 0, R),
    ROW("last continuation", "\xbf", 0, R),
    ROW("two continuations", "\x80\xbf", 0, R, R),
    ROW("continuation after text", "ab\x80", 2, 'a', 'b', R),
    /* 3.2 lonely start characters */
    ROW("lonely 2-byte start", "\xc3 ", 0, R, ' '),
    ROW("lonely 3-byte start", "\xe1 ", 0, R, ' '),
    ROW("lonely 4-byte start", "\xf1 ", 0, R, ' '),
    ROW("lonely 5-byte start", "\xf8 ", 0, R, ' '),
    /* 3.3 sequences with the last continuation byte missing */
    ROW("2-byte cut", "\xc3", 0, R),
    ROW("3-byte cut", "\xe2\x82", 0, R),
    ROW("3-byte cut before text",
        "\xe2\x82"
        "A",
        0, R, 'A'),
    ROW("4-byte cut", "\xf0\x90\x80", 0, R),
    ROW("U+10FFFF cut", "\xf4\x8f\xbf", 0, R),
    /* 3.4 concatenated cut sequences: one replacement each */
    ROW("cut after cut", "\xc3\xe2\x82\xf0\x90\x80", 0, R, R, R),
    /* 3.5 impossible bytes */
    ROW("FE", "\xfe", 0, R),
    ROW("FF", "\xff", 0, R),
    ROW("FE FE FF FF", "\xfe\xfe\xff\xff", 0, R, R, R, R),
    ROW("text, FF, text",
        "a\xff"
        "b",
        1, 'a', R, 'b'),
    /* 4.1 overlong ASCII '/' */
    ROW("overlong / in 2", "\xc0\xaf", 0, R, R),
    ROW("overlong / in 3", "\xe0\x80\xaf", 0, R, R, R),
    ROW("overlong / in 4", "\xf0\x80\x80\xaf", 0, R, R, R, R),
    /* 4.2 maximum overlongs */
    ROW("overlong U+007F", "\xc1\xbf", 0, R, R),
    ROW("overlong U+07FF", "\xe0\x9f\xbf", 0, R, R, R),
    ROW("overlong U+FFFF", "\xf0\x8f\xbf\xbf", 0, R, R, R, R),
    /* 4.3 overlong NUL */
    ROW("overlong NUL in 2", "\xc0\x80", 0, R, R),
    ROW("overlong NUL in 3", "\xe0\x80\x80", 0, R, R, R),
    /* 5.1 single surrogates */
    ROW("U+D800", "\xed\xa0\x80", 0, R, R, R),
    ROW("U+DB7F", "\xed\xad\xbf", 0, R, R, R),
    ROW("U+DC00", "\xed\xb0\x80", 0, R, R, R),
    ROW("U+DFFF", "\xed\xbf\xbf", 0, R, R, R),
    /* 5.2 paired surrogates (CESU-8) */
    ROW("U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", 0, R, R, R, R, R, R),
    /* 5.3 noncharacters are valid scalar values */
    ROW("U+FFFE", "\xef\xbf\xbe", 3, 0xfffe),
    ROW("U+FDD0", "\xef\xb7\x90", 3, 0xfdd0),
    /* a valid character after an invalid one decodes afresh */
    ROW("bad then euro", "\xe2\x28\xe2\x82\xac", 0, R, '(', 0x20ac),
    ROW("euro then bad", "\xe2\x82\xac\xc0", 3, 0x20ac, R),
};

static void test_table(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const struct row *t = &rows[r];
		size_t i = 0, k = 0;
		while (i < t->n) {
			uint32_t cp;
			size_t step = xp_utf8_next(t->s + i, t->n - i, &cp);
			if (step == 0 || k >= t->ncps || cp != t->cps[k])
				fail_msg("%s: code point %zu is U+%04X (step %zu), want U+%04X",
				         t->what, k, cp, step, k < t->ncps ? t->cps[k] : 0);
			i += step;
			k++;
		}
		if (k != t->ncps)
			fail_msg("%s: %zu code points, want %zu", t->what, k, t->ncps);
		if (xp_utf8_valid_prefix(t->s, t->n) != t->valid)
			fail_msg("%s: valid prefix %zu, want %zu", t->what,
			         xp_utf8_valid_prefix(t->s, t->n), t->valid);
		assert_int_equal(xp_utf8_valid(t->s, t->n), t->valid == t->n);
	}
	uint32_t cp = 1;
	assert_int_equal(xp_utf8_next("", 0, &cp), 0);
	assert_true(xp_utf8_valid("", 0));
}

/* The independent rule: the value @b0..@b[n-1] encodes, or -1 if those
 * bytes are not exactly one valid sequence (by RFC 3629's definition:
 * the shortest form of a scalar value). */
static long reference(const uint8_t *b, int n)
{
	static const uint8_t lead_mask[5] = {0, 0x80, 0xe0, 0xf0, 0xf8};
	static const uint8_t lead_bits[5] = {0, 0x00, 0xc0, 0xe0, 0xf0};
	static const long min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if ((b[0] & lead_mask[n]) != lead_bits[n])
		return -1;
	long v = b[0] & (n == 1 ? 0x7f : 0x3f >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return -1;
		v = v << 6 | (b[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	return v;
}

/* Decoding the @n bytes at @b agrees with the reference: one valid
 * sequence decodes whole; otherwise the decoder yields a shorter valid
 * sequence or a replacement, never another value. */
static void check_one(const uint8_t *b, int n)
{
	long want = reference(b, n);
	uint32_t cp;
	size_t step = xp_utf8_next((const char *)b, (size_t)n, &cp);
	bool ok;
	if (want >= 0)
		ok = step == (size_t)n && cp == (uint32_t)want;
	else if (step == (size_t)n)
		ok = cp == R;
	else
		ok = step >= 1 && (cp == R || reference(b, (int)step) == (long)cp);
	if (!ok)
		fail_msg("%d bytes %02x %02x %02x %02x: decoder says U+%04X in %zu, reference %ld",
		         n, b[0], n > 1 ? b[1] : 0, n > 2 ? b[2] : 0, n > 3 ? b[3] : 0, cp, step,
		         want);
}

static void test_exhaustive(void **state)
{
	(void)state;
	uint8_t b[4];
	for (int x = 0; x < 0x100; x++) {
		b[0] = (uint8_t)x;
		check_one(b, 1);
		for (int y = 0; y < 0x100; y++) {
			b[1] = (uint8_t)y;
			check_one(b, 2);
			for (int z = 0; z < 0x100; z++) {
				b[2] = (uint8_t)z;
				check_one(b, 3);
			}
			/* 4 bytes: every lead and second byte, the edges of the rest */
			static const uint8_t tail[] = {0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff};
			for (size_t i = 0; i < sizeof(tail) * sizeof(tail); i++) {
				b[2] = tail[i / sizeof(tail)];
				b[3] = tail[i % sizeof(tail)];
				check_one(b, 4);
			}
		}
	}
}

static void test_encoder(void **state)
{
	(void)state;
	char out[4];
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t n = xp_utf8_put(cp, out);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		uint32_t back;
		size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (n != want || xp_utf8_next(out, n, &back) != n || back != cp)
			fail_msg("U+%04X: %zu bytes, decoded back as U+%04X", cp, n, back);
	}
	assert_int_equal(xp_utf8_put(0x110000, out), 0);
	assert_int_equal(xp_utf8_put(0xffffffffu, out), 0);
	assert_int_equal(xp_utf8_put(0x20ac, out), 3);
	assert_memory_equal(out, "\xe2\x82\xac", 3);
}

static void test_fit(void **state)
{
	(void)state;
	static const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* a é € 😀 */
	size_t n = sizeof(s) - 1;
	static const size_t want[11] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10};
	for (size_t max = 0; max <= n; max++) {
		size_t k = xp_utf8_fit(s, n, max);
		if (k != want[max] || !xp_utf8_valid(s, k))
			fail_msg("fit to %zu: %zu, want %zu", max, k, want[max]);
	}
	assert_int_equal(xp_utf8_fit(s, n, 100), n);
	/* dropping the last character: the longest prefix one byte shorter */
	assert_int_equal(xp_utf8_fit(s, 6, 5), 3);
	assert_int_equal(xp_utf8_fit("ab", 2, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_exhaustive),
	    cmocka_unit_test(test_encoder),
	    cmocka_unit_test(test_fit),
	};
	return cmocka_run_group_tests_name("libxproto UTF-8 codec", tests, NULL, NULL);
}
