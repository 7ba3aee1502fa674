/*
 * zstream.c - one zlib stream per connection direction. Output is flushed
 * with Z_SYNC_FLUSH at every flush point so the peer can decode everything
 * sent so far; input is inflated only while the plain buffer has room, so a
 * compressed bomb cannot grow memory past the buffer's limit.
 */
#include <stdlib.h>
#include <zlib.h>

#include "proto_int.h"

struct xp_zstate {
	z_stream z;
	bool deflate;
};

struct xp_zstate *xp_zstate_create(bool deflate)
{
	struct xp_zstate *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->deflate = deflate;
	/* level 6 with the default window: the usual speed/size balance */
	int r = deflate ? deflateInit(&s->z, 6) : inflateInit(&s->z);
	if (r != Z_OK) {
		free(s);
		return NULL;
	}
	return s;
}

void xp_zstate_destroy(struct xp_zstate *s)
{
	if (!s)
		return;
	if (s->deflate)
		deflateEnd(&s->z);
	else
		inflateEnd(&s->z);
	free(s);
}

int xp_zstate_deflate(struct xp_zstate *s, const uint8_t *in, size_t n, struct xp_buf *out,
                      bool sync)
{
	s->z.next_in = (Bytef *)in;
	s->z.avail_in = (uInt)n;
	for (;;) {
		size_t room = deflateBound(&s->z, s->z.avail_in) + 64;
		if (xp_buf_reserve(out, room) < 0)
			return -1;
		s->z.next_out = out->p + out->len;
		s->z.avail_out = (uInt)(out->cap - out->len);
		int r = deflate(&s->z, sync ? Z_SYNC_FLUSH : Z_NO_FLUSH);
		out->len = out->cap - s->z.avail_out;
		if (r != Z_OK && r != Z_BUF_ERROR)
			return -1;
		/* done when all input is used and zlib had output space left */
		if (s->z.avail_in == 0 && s->z.avail_out > 0)
			return 0;
	}
}

int xp_zstate_inflate(struct xp_zstate *s, struct xp_buf *in, struct xp_buf *out, size_t max_out)
{
	while (xp_buf_pending(in) > 0 && max_out > 0) {
		size_t pending = xp_buf_pending(out);
		size_t want = pending < out->max ? out->max - pending : 0;
		if (want > XP_READ_CHUNK)
			want = XP_READ_CHUNK;
		if (want > max_out)
			want = max_out;
		if (want == 0 || xp_buf_reserve(out, want) < 0)
			return 0; /* full: decode what we have first */
		s->z.next_in = (Bytef *)xp_buf_data(in);
		s->z.avail_in = (uInt)xp_buf_pending(in);
		s->z.next_out = out->p + out->len;
		s->z.avail_out = (uInt)want;
		int r = inflate(&s->z, Z_SYNC_FLUSH);
		xp_buf_consume(in, xp_buf_pending(in) - s->z.avail_in);
		out->len += want - s->z.avail_out;
		max_out -= want - s->z.avail_out;
		if (r == Z_BUF_ERROR && s->z.avail_out > 0)
			return 0; /* needs more input */
		if (r != Z_OK && r != Z_BUF_ERROR)
			return -1; /* corrupt, or a stream end we never send */
		if (s->z.avail_out > 0)
			return 0;
	}
	return 0;
}
