/*
 * wire.c - the primitives every message is built from: growable buffers,
 * LEB128 varints, errors and names.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"
#include "xputil.h"

void xp_buf_init(struct xp_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void xp_buf_finish(struct xp_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int xp_buf_reserve(struct xp_buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return 0;
	/* reclaim consumed space before growing */
	if (b->off > 0) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->cap - b->len >= n)
			return 0;
	}
	if (n > b->max || b->len > b->max - n)
		return -1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	return XU_ARRAY_RESIZE(b->p, b->cap, cap);
}

int xp_buf_append(struct xp_buf *b, const void *data, size_t n)
{
	if (xp_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

void xp_buf_consume(struct xp_buf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len)
		b->off = b->len = 0;
}

size_t xp_put_varint(uint8_t *out, uint64_t v)
{
	size_t i = 0;
	while (v >= 0x80) {
		out[i++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[i++] = (uint8_t)v;
	return i;
}

int xp_get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v, int max_bytes)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	for (int i = 0; i < max_bytes; i++) {
		if (p + i >= end)
			return 0;
		uint8_t byte = p[i];
		r |= (uint64_t)(byte & 0x7f) << (7 * i);
		if (!(byte & 0x80)) {
			*v = r;
			*pp = p + i + 1;
			return 1;
		}
	}
	return -1;
}

const char *xp_err_name(enum xp_err_code code)
{
	switch (code) {
#define XP_E_CASE(n, v, s)                                                                         \
	case XP_ERR_##n:                                                                           \
		return s;
		XP_ERRORS(XP_E_CASE)
#undef XP_E_CASE
	}
	return "unknown error";
}

int xp_error_set(struct xp_error *err, enum xp_err_code code, unsigned about, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	err->code = code;
	err->about = (uint8_t)about;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

struct xp_str xp_str_from(const char *s)
{
	struct xp_str r = {s ? s : "", s ? (uint32_t)strnlen(s, UINT32_MAX) : 0};
	return r;
}

void xp_str_copy(char *dst, size_t cap, struct xp_str s)
{
	if (cap == 0)
		return;
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}
