/*
 * utf8.c - strict UTF-8 decoding for text drawing.
 *
 * Overlong forms, surrogates and code points above U+10FFFF are invalid.
 * An invalid sequence is replaced by U+FFFD per maximal subpart (the
 * Unicode / WHATWG practice), so a truncated sequence costs one cell and the
 * byte after it is decoded afresh.
 */
#include "render_int.h"

/* Sequence length for lead byte @b, 0 when it cannot start a sequence. */
static int seq_len(uint8_t b)
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

/* Allowed range of the second byte, which excludes overlongs, surrogates and
 * code points above U+10FFFF. */
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

size_t xr_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const uint8_t *u = (const uint8_t *)s;
	int n;
	uint32_t c;

	if (len == 0)
		return 0;
	n = seq_len(u[0]);
	if (n == 1) {
		*cp = u[0];
		return 1;
	}
	*cp = 0xfffd;
	if (n == 0)
		return 1;
	c = u[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= len)
			return (size_t)i;
		if (i == 1 ? !second_ok(u[0], u[1]) : (u[i] & 0xc0) != 0x80)
			return (size_t)i;
		c = c << 6 | (u[i] & 0x3f);
	}
	*cp = c;
	return (size_t)n;
}
