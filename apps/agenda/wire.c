/*
 * wire.c - byte-level building blocks of the sync protocol: a growable
 * output buffer, a bounded reader for untrusted input (every read checks the
 * remaining length; the first failure is sticky), LEB128 varints, and
 * ag_grow(), the agenda's name for the project's growable-array helper.
 */
#include "agenda_int.h"
#include "xputil.h"

#include <stdlib.h>
#include <string.h>

int ag_grow(void *ptr, size_t *cap, size_t need, size_t size)
{
	return xu_array_reserve(ptr, cap, need, size);
}

/* ---- output buffer ---------------------------------------------------- */

void ag_buf_finish(struct ag_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static bool buf_reserve(struct ag_buf *b, size_t n)
{
	if (b->oom)
		return false;
	if (n > SIZE_MAX - b->len || XU_ARRAY_RESERVE(b->data, b->cap, b->len + n) < 0) {
		b->oom = true;
		return false;
	}
	return true;
}

void ag_buf_bytes(struct ag_buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void ag_buf_u8(struct ag_buf *b, uint8_t v)
{
	ag_buf_bytes(b, &v, 1);
}

void ag_buf_u64le(struct ag_buf *b, uint64_t v)
{
	uint8_t t[8];
	for (int i = 0; i < 8; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	ag_buf_bytes(b, t, 8);
}

void ag_buf_varint(struct ag_buf *b, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;
	do {
		t[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	ag_buf_bytes(b, t, n);
}

void ag_buf_svarint(struct ag_buf *b, int64_t v)
{
	/* zigzag: small negative numbers stay short */
	ag_buf_varint(b, ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0));
}

void ag_buf_str(struct ag_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	ag_buf_varint(b, n);
	ag_buf_bytes(b, s, n);
}

void ag_buf_puts(struct ag_buf *b, const char *s)
{
	ag_buf_bytes(b, s, strlen(s));
}

char *ag_buf_steal(struct ag_buf *b)
{
	ag_buf_u8(b, 0);
	if (b->oom) {
		ag_buf_finish(b);
		return NULL;
	}
	char *s = (char *)b->data;
	memset(b, 0, sizeof(*b));
	return s;
}

void ag_buf_consume(struct ag_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* ---- bounded reader ----------------------------------------------------- */

void ag_rd_fail(struct ag_rd *r, const char *why)
{
	if (!r->err)
		r->err = why;
}

static bool rd_need(struct ag_rd *r, size_t n)
{
	if (r->err)
		return false;
	if (r->len - r->pos < n) {
		ag_rd_fail(r, "truncated");
		return false;
	}
	return true;
}

uint8_t ag_rd_u8(struct ag_rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return r->p[r->pos++];
}

uint64_t ag_rd_u64le(struct ag_rd *r)
{
	uint64_t v = 0;
	if (!rd_need(r, 8))
		return 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->p[r->pos + i] << (8 * i);
	r->pos += 8;
	return v;
}

uint64_t ag_rd_varint(struct ag_rd *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t byte = ag_rd_u8(r);
		if (r->err)
			return 0;
		if (shift == 63 && byte > 1) {
			ag_rd_fail(r, "varint overflow");
			return 0;
		}
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
	}
	ag_rd_fail(r, "varint too long");
	return 0;
}

int64_t ag_rd_svarint(struct ag_rd *r)
{
	uint64_t u = ag_rd_varint(r);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

size_t ag_rd_left(const struct ag_rd *r)
{
	return r->err ? 0 : r->len - r->pos;
}

char *ag_rd_str(struct ag_rd *r, size_t min, size_t max)
{
	uint64_t n = ag_rd_varint(r);
	if (r->err)
		return NULL;
	if (n > max) {
		ag_rd_fail(r, "string too long");
		return NULL;
	}
	if (n < min) {
		ag_rd_fail(r, "empty string");
		return NULL;
	}
	if (!rd_need(r, (size_t)n))
		return NULL;
	if (memchr(r->p + r->pos, 0, (size_t)n)) {
		ag_rd_fail(r, "NUL byte in string");
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		ag_rd_fail(r, "out of memory");
		return NULL;
	}
	memcpy(s, r->p + r->pos, (size_t)n);
	s[n] = 0;
	r->pos += (size_t)n;
	return s;
}

size_t ag_rd_bytes(struct ag_rd *r, uint8_t *out, size_t max)
{
	uint64_t n = ag_rd_varint(r);
	if (r->err)
		return 0;
	if (n > max) {
		ag_rd_fail(r, "byte string too long");
		return 0;
	}
	if (!rd_need(r, (size_t)n))
		return 0;
	memcpy(out, r->p + r->pos, (size_t)n);
	r->pos += (size_t)n;
	return (size_t)n;
}

int ag_frame_peek(const uint8_t *in, size_t len, size_t max, size_t *hdr, size_t *body)
{
	struct ag_rd r = {.p = in, .len = len};

	*hdr = 0;
	if (len < 2)
		return 0;
	ag_rd_u8(&r);
	uint64_t n = ag_rd_varint(&r);
	if (r.err)
		return len >= 6 ? -1 : 0; /* a 4 MiB length needs 4 bytes */
	if (n > max)
		return -1;
	*hdr = r.pos;
	*body = (size_t)n;
	return len - r.pos >= n ? 1 : 0;
}
