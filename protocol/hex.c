/*
 * hex.c - the one hex codec of the project: bytes to lowercase hex digits
 * and back (cookie files, agenda tokens and ids, font bitmap rows). The
 * decoder takes either case and refuses anything else: no spaces, no "0x",
 * no odd digit count, never more bytes than the caller has room for.
 */
#include "xproto.h"

static const char digits[] = "0123456789abcdef";

/* Value of hex digit @c, or -1. */
static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t xp_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	if (n > (SIZE_MAX - 1) / 2 || cap < 2 * n + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
	return (ssize_t)(2 * n);
}

ssize_t xp_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap)
{
	if (len % 2 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = digit_value(hex[2 * i]), lo = digit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)(len / 2);
}
