/*
 * format.c - one-line, human-readable rendering of any message, generated
 * from xproto.def (used by xproto-dump and by debug logs).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto_int.h"

struct out {
	char *p;
	size_t cap, len;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	if (o->len >= o->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
	if (o->len >= o->cap)
		o->len = o->cap - 1;
}

static void fmt_U8(struct out *o, const char *name, uint8_t v)
{
	emit(o, " %s=%u", name, v);
}
static void fmt_UV(struct out *o, const char *name, uint32_t v)
{
	emit(o, " %s=%u", name, v);
}
static void fmt_SV(struct out *o, const char *name, int32_t v)
{
	emit(o, " %s=%d", name, v);
}
static void fmt_RGB(struct out *o, const char *name, uint32_t v)
{
	emit(o, " %s=#%06x", name, v);
}
static void fmt_U64(struct out *o, const char *name, uint64_t v)
{
	emit(o, " %s=%llu", name, (unsigned long long)v);
}

/* Strings are shown quoted, escaped, cut at 64 bytes. */
static void fmt_STR(struct out *o, const char *name, struct xp_str v)
{
	emit(o, " %s=\"", name);
	for (uint32_t i = 0; i < v.n && i < 64; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (c == '"' || c == '\\')
			emit(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			emit(o, "\\x%02x", c);
		else
			emit(o, "%c", c);
	}
	emit(o, v.n > 64 ? "\"...(%u bytes)" : "\"", v.n);
}

static void fmt_BYTES(struct out *o, const char *name, struct xp_bytes v)
{
	emit(o, " %s=[%u bytes", name, v.n);
	for (uint32_t i = 0; i < v.n && i < 8; i++)
		emit(o, " %02x", v.p[i]);
	emit(o, v.n > 8 ? " ...]" : "]");
}

static void fmt_RECTS(struct out *o, const char *name, struct xp_rects v)
{
	emit(o, " %s=%u{", name, v.n);
	for (uint32_t i = 0; v.v && i < v.n && i < 8; i++) /* v is NULL when not parsed */
		emit(o, "%s%d,%d %ux%u", i ? " " : "", v.v[i].x, v.v[i].y, v.v[i].w, v.v[i].h);
	emit(o, v.n > 8 ? " ...}" : "}");
}

#define XP_F(t, n) fmt_##t(o, #n, m->n);
#define XP_MSG(N, n, op, dir, fields)                                                              \
	static void show_##n(struct out *o, const struct xp_msg *msg)                              \
	{                                                                                          \
		const struct xp_msg_##n *m = &msg->u.n;                                            \
		emit(o, "%s", #N);                                                                 \
		fields                                                                             \
	}
#include "xproto.def"
#undef XP_MSG
#undef XP_F

typedef void (*show_fn)(struct out *o, const struct xp_msg *msg);
#define XP_F(t, n)
#define XP_MSG(N, n, op, dir, fields) [op] = show_##n,
static const show_fn shows[XP_OP_MAX] = {
#include "xproto.def"
};
#undef XP_MSG
#undef XP_F

void xp_msg_format(const struct xp_msg *m, char *buf, size_t cap)
{
	struct out o = {buf, cap, 0};
	if (cap == 0)
		return;
	buf[0] = '\0';
	if (m->op < XP_OP_MAX && shows[m->op])
		shows[m->op](&o, m);
	else
		emit(&o, "UNKNOWN(0x%02x)", m->op);
}
