/*
 * conn.c - one connection: the receive path (read, inflate, preamble,
 * frames) and the send path (encode, compress, write), with statistics and
 * a sticky error. Works on blocking and non-blocking fds alike.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "proto_int.h"

static int conn_fail(struct xp_conn *c)
{
	c->failed = true;
	return -1;
}

/* Input may hold one whole frame plus a read chunk, never more. */
static size_t input_max(uint32_t max_msg)
{
	size_t chunk = max_msg < XP_READ_CHUNK ? max_msg : XP_READ_CHUNK;
	return (size_t)max_msg + XP_FRAME_HEADER_MAX + chunk;
}

void xp_conn_set_max_msg(struct xp_conn *c, uint32_t max_msg)
{
	c->dec.max_msg = max_msg;
	c->in_raw.max = c->in_plain.max = input_max(max_msg);
}

int xp_conn_init(struct xp_conn *c, int fd, uint32_t max_msg, bool expect_preamble)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->got_preamble = !expect_preamble;
	xp_decoder_init(&c->dec, max_msg);
	xp_buf_init(&c->in_raw, input_max(max_msg));
	xp_buf_init(&c->in_plain, input_max(max_msg));
	/* output is bounded by the owner's flow control, not here */
	xp_buf_init(&c->out_plain, SIZE_MAX / 4);
	xp_buf_init(&c->out_wire, SIZE_MAX / 4);
	return 0;
}

void xp_conn_finish(struct xp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	xp_decoder_finish(&c->dec);
	xp_buf_finish(&c->in_raw);
	xp_buf_finish(&c->in_plain);
	xp_buf_finish(&c->out_plain);
	xp_buf_finish(&c->out_wire);
	xp_zstate_destroy(c->zin);
	xp_zstate_destroy(c->zout);
	c->zin = c->zout = NULL;
}

int xp_conn_enable_zlib(struct xp_conn *c, bool in, bool out)
{
	if (in && !c->zin) {
		c->zin = xp_zstate_create(false);
		if (!c->zin)
			return conn_fail(c);
		/* bytes read past the handshake are already compressed */
		size_t n = xp_buf_pending(&c->in_plain);
		if (n && xp_buf_append(&c->in_raw, xp_buf_data(&c->in_plain), n) < 0)
			return conn_fail(c);
		xp_buf_consume(&c->in_plain, n);
	}
	if (out && !c->zout) {
		if (xp_conn_flush(c) < 0)
			return -1;
		c->zout = xp_zstate_create(true);
		if (!c->zout)
			return conn_fail(c);
	}
	return 0;
}

int xp_conn_feed(struct xp_conn *c, const void *data, size_t n)
{
	struct xp_buf *dst = c->zin ? &c->in_raw : &c->in_plain;
	c->st.wire_in += n;
	if (xp_buf_append(dst, data, n) < 0) {
		xp_error_set(&c->err, XP_ERR_TOO_BIG, 0, "input buffer full");
		return conn_fail(c);
	}
	return 0;
}

int xp_conn_read(struct xp_conn *c)
{
	struct xp_buf *dst = c->zin ? &c->in_raw : &c->in_plain;
	if (c->failed || c->eof)
		return -1;
	if (xp_buf_pending(dst) >= dst->max)
		return 0;
	size_t room = dst->max - xp_buf_pending(dst);
	if (room > XP_READ_CHUNK)
		room = XP_READ_CHUNK;
	if (xp_buf_reserve(dst, room) < 0)
		return 0;
	ssize_t n = read(c->fd, dst->p + dst->len, room);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* not sticky: frames already buffered can still be taken */
		c->eof = true;
		xp_error_set(&c->err, XP_ERR_IO, 0, "%s",
		             n == 0 ? "connection closed by peer" : strerror(errno));
		return -1;
	}
	dst->len += (size_t)n;
	c->st.wire_in += (uint64_t)n;
	return 1;
}

static int take_preamble(struct xp_conn *c)
{
	if (xp_buf_pending(&c->in_plain) < XP_PREAMBLE_LEN)
		return 0;
	if (xp_preamble_check(xp_buf_data(&c->in_plain), &c->err) < 0)
		return conn_fail(c);
	c->peer_minor = xp_buf_data(&c->in_plain)[5];
	xp_buf_consume(&c->in_plain, XP_PREAMBLE_LEN);
	c->st.plain_in += XP_PREAMBLE_LEN;
	c->got_preamble = true;
	return 1;
}

int xp_conn_next(struct xp_conn *c, struct xp_msg *m)
{
	size_t inflated = 0, slice = c->inflate_slice ? c->inflate_slice : SIZE_MAX;
	if (c->failed)
		return -1;
	for (;;) {
		if (!c->got_preamble && take_preamble(c) <= 0)
			return c->failed ? -1 : 0;
		ssize_t n = c->got_preamble ? xp_decode(&c->dec, xp_buf_data(&c->in_plain),
		                                        xp_buf_pending(&c->in_plain), m, &c->err)
		                            : 0;
		if (n < 0)
			return conn_fail(c);
		if (n > 0) {
			/* the message borrows the bytes: consuming only moves off */
			xp_buf_consume(&c->in_plain, (size_t)n);
			c->st.plain_in += (uint64_t)n;
			c->st.msgs_in++;
			c->st.ops_in[m->op]++;
			return 1;
		}
		size_t before = xp_buf_pending(&c->in_plain);
		if (!c->zin || xp_buf_pending(&c->in_raw) == 0 || inflated >= slice)
			return 0;
		if (xp_zstate_inflate(c->zin, &c->in_raw, &c->in_plain, slice - inflated) < 0) {
			xp_error_set(&c->err, XP_ERR_ZLIB, 0, "compressed stream corrupt");
			return conn_fail(c);
		}
		size_t got = xp_buf_pending(&c->in_plain) - before;
		if (got == 0)
			return 0;
		inflated += got;
		c->st.inflated += got;
	}
}

bool xp_conn_input_pending(const struct xp_conn *c)
{
	return c->zin && xp_buf_pending(&c->in_raw) > 0 && !c->failed;
}

/* Encode @m into the staging buffer, failed connection or not. */
static int queue_msg(struct xp_conn *c, const struct xp_msg *m)
{
	ssize_t n = xp_encode(&c->out_plain, m);
	if (n < 0 || (size_t)n > (size_t)c->dec.max_msg + XP_FRAME_HEADER_MAX) {
		if (n > 0) /* take the frame back off the end */
			c->out_plain.len -= (size_t)n;
		xp_error_set(&c->err, n < 0 ? XP_ERR_INTERNAL : XP_ERR_TOO_BIG, m->op,
		             "cannot send %s (%zd bytes)", xp_op_name(m->op), n);
		return -1; /* not sticky: the connection is still usable */
	}
	c->st.msgs_out++;
	c->st.ops_out[m->op]++;
	c->st.bytes_out_by_op[m->op] += (uint64_t)n;
	return 0;
}

int xp_conn_send(struct xp_conn *c, const struct xp_msg *m)
{
	return c->failed ? -1 : queue_msg(c, m);
}

int xp_conn_send_preamble(struct xp_conn *c)
{
	uint8_t pre[XP_PREAMBLE_LEN];
	xp_preamble_write(pre);
	return xp_buf_append(&c->out_plain, pre, sizeof(pre));
}

int xp_conn_send_error(struct xp_conn *c, enum xp_err_code code, unsigned about, const char *fmt,
                       ...)
{
	char text[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct xp_msg m = {.op = XP_OP_ERROR};
	m.u.error.code = code;
	m.u.error.about = (uint8_t)about;
	m.u.error.text = xp_str_from(text);
	return queue_msg(c, &m);
}

int xp_conn_flush(struct xp_conn *c)
{
	size_t n = xp_buf_pending(&c->out_plain);
	if (n == 0)
		return 0;
	/* a slice ends without a sync point: the rest follows on the next flush */
	bool all = !c->zout || !c->deflate_slice || n <= c->deflate_slice;
	if (!all)
		n = c->deflate_slice;
	c->st.plain_out += n;
	int r = c->zout
	            ? xp_zstate_deflate(c->zout, xp_buf_data(&c->out_plain), n, &c->out_wire, all)
	            : xp_buf_append(&c->out_wire, xp_buf_data(&c->out_plain), n);
	xp_buf_consume(&c->out_plain, n);
	if (r < 0) {
		xp_error_set(&c->err, XP_ERR_INTERNAL, 0, "output buffer: out of memory");
		return conn_fail(c);
	}
	return 0;
}

int xp_conn_write(struct xp_conn *c)
{
	while (xp_buf_pending(&c->out_wire) > 0) {
		ssize_t n = write(c->fd, xp_buf_data(&c->out_wire), xp_buf_pending(&c->out_wire));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			xp_error_set(&c->err, XP_ERR_IO, 0, "write: %s", strerror(errno));
			return conn_fail(c);
		}
		xp_buf_consume(&c->out_wire, (size_t)n);
		c->st.wire_out += (uint64_t)n;
	}
	return 1;
}

size_t xp_conn_out_pending(const struct xp_conn *c)
{
	return xp_buf_pending(&c->out_plain) + xp_buf_pending(&c->out_wire);
}

int xp_conn_drain(struct xp_conn *c, int timeout_ms)
{
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (xp_buf_pending(&c->out_plain) > 0) /* all of it, slice by slice */
		if (xp_conn_flush(c) < 0)
			return -1;
	for (;;) {
		int r = xp_conn_write(c);
		if (r != 0)
			return r < 0 ? -1 : 0;
		struct pollfd p = {.fd = c->fd, .events = POLLOUT};
		int ms = xp_ms_until(deadline);
		if (ms == 0 || poll(&p, 1, ms) == 0) {
			xp_error_set(&c->err, XP_ERR_TIMEOUT, 0, "write timed out");
			return -1;
		}
	}
}

int xp_conn_wait(struct xp_conn *c, struct xp_msg *m, int timeout_ms)
{
	uint64_t deadline = xp_now_us() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000;
	for (bool polled = false;; polled = true) {
		int r = xp_conn_next(c, m);
		if (r != 0)
			return r;
		if (c->eof)
			return -1;
		/* even a zero timeout looks at the socket once */
		int ms = xp_ms_until(deadline);
		if (ms == 0 && polled)
			return 0;
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int r2 = poll(&p, 1, ms) > 0 ? xp_conn_read(c) : 0;
		if (c->failed)
			return -1;
		if (r2 == 0 && ms == 0)
			return 0; /* on EOF (r2 < 0) the loop hands out what is left, then -1 */
	}
}

int xp_conn_fd(const struct xp_conn *c)
{
	return c->fd;
}

int xp_conn_release_fd(struct xp_conn *c)
{
	int fd = c->fd;
	c->fd = -1;
	return fd;
}

const struct xp_error *xp_conn_error(const struct xp_conn *c)
{
	return &c->err;
}

bool xp_conn_failed(const struct xp_conn *c)
{
	return c->failed;
}

bool xp_conn_eof(const struct xp_conn *c)
{
	return c->eof;
}

size_t xp_conn_unflushed(const struct xp_conn *c)
{
	return xp_buf_pending(&c->out_plain);
}

void xp_conn_set_max_rects(struct xp_conn *c, uint32_t max)
{
	c->dec.max_rects = max;
}

void xp_conn_set_slices(struct xp_conn *c, size_t inflate, size_t deflate)
{
	c->inflate_slice = inflate;
	c->deflate_slice = deflate;
}

const struct xp_conn_stats *xp_conn_stats(const struct xp_conn *c)
{
	return &c->st;
}

uint64_t xp_conn_plain_queued(const struct xp_conn *c)
{
	return c->st.plain_out + xp_buf_pending(&c->out_plain);
}

bool xp_conn_zlib_out(const struct xp_conn *c)
{
	return c->zout != NULL;
}

unsigned xp_conn_peer_minor(const struct xp_conn *c)
{
	return c->peer_minor;
}

int xp_conn_send_raw(struct xp_conn *c, const void *data, size_t n)
{
	return xp_buf_append(&c->out_plain, data, n);
}
