/*
 * utf8.c - the one UTF-8 codec of the project (RFC 3629, strict): the wire
 * decoder's STR check, text drawing, the terminal's keyboard input, the
 * script player and every place that cuts text to a size use it.
 *
 * Overlong forms, surrogates (U+D800-U+DFFF), code points above U+10FFFF,
 * stray continuation bytes and truncated sequences are invalid. A decoder
 * that replaces them gives one U+FFFD per maximal subpart (Unicode 3.9,
 * the WHATWG practice), so a truncated sequence costs one replacement and
 * the byte after it is decoded afresh.
 */
#include "xproto.h"

/* Sequence length announced by lead byte @b, 0 when it cannot start one. */
static size_t seq_len(uint8_t b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/* Allowed range of the byte after @lead: narrower than 80..BF after E0
 * (overlongs), ED (surrogates), F0 (overlongs) and F4 (> U+10FFFF). */
static bool second_ok(uint8_t lead, uint8_t b)
{
	uint8_t lo = 0x80, hi = 0xbf;
	if (lead == 0xe0)
		lo = 0xa0;
	else if (lead == 0xed)
		hi = 0x9f;
	else if (lead == 0xf0)
		lo = 0x90;
	else if (lead == 0xf4)
		hi = 0x8f;
	return b >= lo && b <= hi;
}

/*
 * Decode at @u (@len > 0 bytes). Returns the bytes consumed: the whole
 * sequence with *ok true, or its maximal invalid subpart (at least 1) with
 * *ok false and *cp U+FFFD.
 */
static size_t decode(const uint8_t *u, size_t len, uint32_t *cp, bool *ok)
{
	size_t n = seq_len(u[0]);
	*ok = false;
	*cp = XP_UTF8_REPLACEMENT;
	if (n == 0)
		return 1;
	uint32_t c = n == 1 ? u[0] : u[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if (i >= len || (i == 1 ? !second_ok(u[0], u[1]) : (u[i] & 0xc0) != 0x80))
			return i;
		c = c << 6 | (u[i] & 0x3fu);
	}
	*ok = true;
	*cp = c;
	return n;
}

size_t xp_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	bool ok;
	if (len == 0)
		return 0;
	return decode((const uint8_t *)s, len, cp, &ok);
}

size_t xp_utf8_valid_prefix(const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;
	while (i < n) {
		if (u[i] < 0x80) { /* text is mostly ASCII: skip the decoder */
			i++;
			continue;
		}
		uint32_t cp;
		bool ok;
		size_t k = decode(u + i, n - i, &cp, &ok);
		if (!ok)
			return i;
		i += k;
	}
	return n;
}

bool xp_utf8_valid(const char *s, size_t n)
{
	return xp_utf8_valid_prefix(s, n) == n;
}

size_t xp_utf8_put(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	size_t n = cp < 0x10000 ? 3 : 4;
	out[0] = (char)(n == 3 ? 0xe0 | cp >> 12 : 0xf0 | cp >> 18);
	for (size_t i = 1; i < n; i++)
		out[i] = (char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3f));
	return n;
}

size_t xp_utf8_fit(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	/* back off over at most 3 continuation bytes: s[max] starts a character */
	for (int i = 0; i < 3 && max > 0 && ((uint8_t)s[max] & 0xc0) == 0x80; i++)
		max--;
	return max;
}
