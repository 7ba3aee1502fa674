/*
 * codec.c - the one encoder and the one decoder, generated from xproto.def.
 *
 * Frame: opcode (1 byte), payload length (varint), payload. Each field type
 * has one put_* and one get_*; the per-message functions below are expanded
 * from the table, and dispatch goes through opcode-indexed tables.
 */
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"
#include "xputil.h"

/* ---- upper bounds of each field's encoded size (for one reserve) ---- */
#define MAX_U8(v)    1
#define MAX_UV(v)    5
#define MAX_SV(v)    5
#define MAX_U64(v)   10
#define MAX_RGB(v)   3
#define MAX_STR(v)   (5 + (size_t)(v).n)
#define MAX_BYTES(v) (5 + (size_t)(v).n)
#define MAX_RECTS(v) (5 + (size_t)(v).n * 20)

/* ---- writers: the caller reserved enough room ---- */
static uint8_t *put_U8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}
static uint8_t *put_UV(uint8_t *p, uint32_t v)
{
	return p + xp_put_varint(p, v);
}
static uint8_t *put_SV(uint8_t *p, int32_t v)
{
	return p + xp_put_varint(p, xp_zigzag(v));
}
static uint8_t *put_U64(uint8_t *p, uint64_t v)
{
	return p + xp_put_varint(p, v);
}
static uint8_t *put_RGB(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
	return p + 3;
}
static uint8_t *put_BYTES(uint8_t *p, struct xp_bytes v)
{
	p = put_UV(p, v.n);
	if (v.n)
		memcpy(p, v.p, v.n);
	return p + v.n;
}
static uint8_t *put_STR(uint8_t *p, struct xp_str v)
{
	struct xp_bytes b = {(const uint8_t *)v.p, v.n};
	return put_BYTES(p, b);
}
static uint8_t *put_RECTS(uint8_t *p, struct xp_rects v)
{
	p = put_UV(p, v.n);
	for (uint32_t i = 0; i < v.n; i++) {
		p = put_SV(p, v.v[i].x);
		p = put_SV(p, v.v[i].y);
		p = put_UV(p, v.v[i].w);
		p = put_UV(p, v.v[i].h);
	}
	return p;
}

/* ---- readers: return 0 or -1; never read at or past end ---- */
static int get_U8(const uint8_t **p, const uint8_t *end, uint8_t *v, struct xp_decoder *d)
{
	(void)d;
	if (*p >= end)
		return -1;
	*v = *(*p)++;
	return 0;
}
static int get_U64(const uint8_t **p, const uint8_t *end, uint64_t *v, struct xp_decoder *d)
{
	(void)d;
	return xp_get_varint(p, end, v, 10) == 1 ? 0 : -1;
}
static int get_UV(const uint8_t **p, const uint8_t *end, uint32_t *v, struct xp_decoder *d)
{
	uint64_t r;
	/* fast path: one byte */
	if (*p < end && !(**p & 0x80)) {
		*v = *(*p)++;
		return 0;
	}
	if (xp_get_varint(p, end, &r, 5) != 1 || r > UINT32_MAX)
		return -1;
	(void)d;
	*v = (uint32_t)r;
	return 0;
}
static int get_SV(const uint8_t **p, const uint8_t *end, int32_t *v, struct xp_decoder *d)
{
	uint32_t u;
	if (get_UV(p, end, &u, d) < 0)
		return -1;
	*v = xp_unzigzag(u);
	return 0;
}
static int get_RGB(const uint8_t **p, const uint8_t *end, uint32_t *v, struct xp_decoder *d)
{
	(void)d;
	if (end - *p < 3)
		return -1;
	*v = (uint32_t)(*p)[0] << 16 | (uint32_t)(*p)[1] << 8 | (*p)[2];
	*p += 3;
	return 0;
}
static int get_BYTES(const uint8_t **p, const uint8_t *end, struct xp_bytes *v,
                     struct xp_decoder *d)
{
	uint32_t n;
	if (get_UV(p, end, &n, d) < 0 || (size_t)(end - *p) < n)
		return -1;
	v->p = *p;
	v->n = n;
	*p += n;
	return 0;
}
static int get_STR(const uint8_t **p, const uint8_t *end, struct xp_str *v, struct xp_decoder *d)
{
	struct xp_bytes b;
	if (get_BYTES(p, end, &b, d) < 0 || !xp_utf8_valid((const char *)b.p, b.n))
		return -1;
	v->p = (const char *)b.p;
	v->n = b.n;
	return 0;
}
static int get_RECTS(const uint8_t **p, const uint8_t *end, struct xp_rects *v,
                     struct xp_decoder *d)
{
	uint32_t n;
	/* each rectangle takes at least 4 bytes: this bounds n by the payload */
	if (get_UV(p, end, &n, d) < 0 || (size_t)(end - *p) / 4 < n)
		return -1;
	if (d->max_rects && n > d->max_rects) {
		/* not worth parsing: its receiver refuses it by the count alone
		 * (RECTS is the last field of its message, FILL_RECTS) */
		*p = end;
		*v = (struct xp_rects){n, NULL};
		return 0;
	}
	if (n > d->scratch_cap && XU_ARRAY_RESIZE(d->scratch, d->scratch_cap, n) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct xp_rect *r = &d->scratch[i];
		if (get_SV(p, end, &r->x, d) || get_SV(p, end, &r->y, d) ||
		    get_UV(p, end, &r->w, d) || get_UV(p, end, &r->h, d))
			return -1;
	}
	v->n = n;
	v->v = d->scratch;
	return 0;
}

/* ---- per-message functions, expanded from the table ---- */
#define XP_F(t, n) +MAX_##t(m->n)
#define XP_MSG(N, n, op, dir, fields)                                                              \
	static size_t max_##n(const struct xp_msg_##n *m)                                          \
	{                                                                                          \
		return 0 fields;                                                                   \
	}
#include "xproto.def"
#undef XP_MSG
#undef XP_F

#define XP_F(t, n) p = put_##t(p, m->n);
#define XP_MSG(N, n, op, dir, fields)                                                              \
	static uint8_t *enc_##n(uint8_t *p, const struct xp_msg *msg)                              \
	{                                                                                          \
		const struct xp_msg_##n *m = &msg->u.n;                                            \
		fields return p;                                                                   \
	}                                                                                          \
	static size_t maxsz_##n(const struct xp_msg *msg)                                          \
	{                                                                                          \
		return max_##n(&msg->u.n);                                                         \
	}
#include "xproto.def"
#undef XP_MSG
#undef XP_F

#define XP_F(t, n)                                                                                 \
	if (get_##t(&p, end, &m->n, d) < 0) {                                                      \
		*field = #n;                                                                       \
		return -1;                                                                         \
	}
#define XP_MSG(N, n, op, dir, fields)                                                              \
	static int dec_##n(struct xp_decoder *d, const uint8_t *p, const uint8_t *end,             \
	                   struct xp_msg *msg, const char **field)                                 \
	{                                                                                          \
		struct xp_msg_##n *m = &msg->u.n;                                                  \
		fields return 0;                                                                   \
	}
#include "xproto.def"
#undef XP_MSG
#undef XP_F

typedef uint8_t *(*enc_fn)(uint8_t *p, const struct xp_msg *msg);
typedef size_t (*max_fn)(const struct xp_msg *msg);
typedef int (*dec_fn)(struct xp_decoder *d, const uint8_t *p, const uint8_t *end,
                      struct xp_msg *msg, const char **field);

#define XP_F(t, n)
#define XP_MSG(N, n, op, dir, fields) [op] = enc_##n,
static const enc_fn encoders[XP_OP_MAX] = {
#include "xproto.def"
};
#undef XP_MSG
#define XP_MSG(N, n, op, dir, fields) [op] = maxsz_##n,
static const max_fn max_sizes[XP_OP_MAX] = {
#include "xproto.def"
};
#undef XP_MSG
#define XP_MSG(N, n, op, dir, fields) [op] = dec_##n,
static const dec_fn decoders[XP_OP_MAX] = {
#include "xproto.def"
};
#undef XP_MSG
#define XP_MSG(N, n, op, dir, fields) [op] = #N,
static const char *const names[XP_OP_MAX] = {
#include "xproto.def"
};
#undef XP_MSG
#undef XP_F

const char *xp_op_name(unsigned op)
{
	return op < XP_OP_MAX ? names[op] : NULL;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

ssize_t xp_encode(struct xp_buf *b, const struct xp_msg *m)
{
	if (m->op >= XP_OP_MAX || !encoders[m->op])
		return -1;
	size_t max = max_sizes[m->op](m);
	if (max > UINT32_MAX || xp_buf_reserve(b, 1 + 5 + max) < 0)
		return -1;
	uint8_t *start = b->p + b->len;
	/* write the payload after a one-byte length; move it if that was short */
	uint8_t *payload = start + 2;
	size_t len = (size_t)(encoders[m->op](payload, m) - payload);
	size_t lenlen = varint_len(len);
	if (lenlen > 1)
		memmove(payload + lenlen - 1, payload, len);
	start[0] = m->op;
	xp_put_varint(start + 1, len);
	b->len += 1 + lenlen + len;
	return (ssize_t)(1 + lenlen + len);
}

void xp_decoder_init(struct xp_decoder *d, uint32_t max_msg)
{
	memset(d, 0, sizeof(*d));
	d->max_msg = max_msg;
}

void xp_decoder_finish(struct xp_decoder *d)
{
	free(d->scratch);
	memset(d, 0, sizeof(*d));
}

/* Decode the frame header; 1 ok, 0 need more, -1 error. */
static int decode_header(const struct xp_decoder *d, const uint8_t *buf, size_t len,
                         uint32_t *payload_len, size_t *hdr, struct xp_error *err)
{
	uint8_t op = buf[0];
	if (op >= XP_OP_MAX || !decoders[op])
		return xp_error_set(err, XP_ERR_UNKNOWN_OP, op, "unknown opcode 0x%02x", op);
	const uint8_t *p = buf + 1;
	uint64_t v;
	int r = xp_get_varint(&p, buf + len, &v, 5);
	if (r == 0)
		return 0;
	if (r < 0 || v > UINT32_MAX)
		return xp_error_set(err, XP_ERR_MALFORMED, op, "%s: bad length", names[op]);
	if (v > d->max_msg)
		return xp_error_set(err, XP_ERR_TOO_BIG, op,
		                    "%s: %llu bytes exceeds the %u-byte limit", names[op],
		                    (unsigned long long)v, d->max_msg);
	*payload_len = (uint32_t)v;
	*hdr = (size_t)(p - buf);
	return 1;
}

ssize_t xp_decode(struct xp_decoder *d, const uint8_t *buf, size_t len, struct xp_msg *out,
                  struct xp_error *err)
{
	uint32_t plen = 0;
	size_t hdr = 0;
	if (len == 0)
		return 0;
	int r = decode_header(d, buf, len, &plen, &hdr, err);
	if (r <= 0)
		return r;
	if (len - hdr < plen)
		return 0;
	const char *field = "?";
	out->op = buf[0];
	/* trailing bytes beyond the known fields are allowed (newer minor) */
	if (decoders[buf[0]](d, buf + hdr, buf + hdr + plen, out, &field) < 0)
		return xp_error_set(err, XP_ERR_MALFORMED, buf[0],
		                    "%s: field '%s' truncated or invalid", names[buf[0]], field);
	return (ssize_t)(hdr + plen);
}
