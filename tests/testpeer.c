/*
 * testpeer.c - the test server of testpeer.h over a real loopback socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testpeer.h"

int tp_init(struct tp_peer *p)
{
	struct xp_error err;
	memset(p, 0, sizeof(*p));
	xp_conn_init(&p->conn, -1, XP_MAX_MSG_DEFAULT, true); /* no peer yet */
	p->screen_w = 800;
	p->screen_h = 600;
	snprintf(p->dir, sizeof(p->dir), "/tmp/xproto-tp-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->cookie_path, sizeof(p->cookie_path), "%s/cookie", p->dir);
	if (xp_cookie_load(p->cookie_path, true, &p->cookie, &err) < 0)
		return -1;
	p->listen_fd = xp_net_listen_tcp("127.0.0.1:0", XP_NET_CLOEXEC, &p->port, &err);
	if (p->listen_fd < 0)
		return -1;
	snprintf(p->addr, sizeof(p->addr), "127.0.0.1:%d", p->port);
	return 0;
}

void tp_drop(struct tp_peer *p)
{
	if (p->connected)
		xp_conn_finish(&p->conn);
	xp_conn_init(&p->conn, -1, XP_MAX_MSG_DEFAULT, true); /* no peer */
	p->connected = false;
}

int tp_hangup(struct tp_peer *p, int timeout_ms)
{
	char buf[4096];
	int fd = xp_conn_fd(&p->conn), rc = -1;
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	if (!p->connected || tp_flush(p, timeout_ms) < 0 || shutdown(fd, SHUT_WR) < 0) {
		tp_drop(p);
		return -1;
	}
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t now = xp_now_us();
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (now >= deadline || poll(&pf, 1, (int)((deadline - now) / 1000) + 1) != 1)
			break;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			rc = 0;
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
	}
	tp_drop(p);
	return rc;
}

void tp_finish(struct tp_peer *p)
{
	tp_drop(p);
	if (p->listen_fd > 0)
		close(p->listen_fd);
	p->listen_fd = -1;
	if (p->cookie_path[0])
		unlink(p->cookie_path);
	if (p->dir[0])
		rmdir(p->dir);
}

static int welcome(struct tp_peer *p, const struct xp_msg_hello *h, bool zlib)
{
	struct xp_msg m = {.op = XP_OP_WELCOME};
	bool z = zlib && (h->flags & XP_FLAG_ZLIB);
	m.u.welcome.flags = z ? XP_FLAG_ZLIB : 0;
	m.u.welcome.max_msg = h->max_msg < XP_MAX_MSG_DEFAULT ? h->max_msg : XP_MAX_MSG_DEFAULT;
	m.u.welcome.screen_w = p->screen_w;
	m.u.welcome.screen_h = p->screen_h;
	m.u.welcome.conn_id = 1;
	if (xp_conn_send_preamble(&p->conn) < 0 || xp_conn_send(&p->conn, &m) < 0 ||
	    xp_conn_flush(&p->conn) < 0)
		return -1;
	/* compression starts after WELCOME out, after HELLO in */
	if (z && xp_conn_enable_zlib(&p->conn, true, true) < 0)
		return -1;
	return xp_conn_drain(&p->conn, 10000);
}

static int handshake(struct tp_peer *p, bool zlib, int timeout_ms)
{
	struct xp_msg m;
	struct xp_error err;
	if (xp_conn_wait(&p->conn, &m, timeout_ms) != 1 || m.op != XP_OP_HELLO)
		return -1;
	const struct xp_msg_hello *h = &m.u.hello;
	if (p->refuse) { /* the server's own words, as a hostile one picks them */
		err.code = XP_ERR_AUTH;
		snprintf(err.text, sizeof(err.text), "%s", p->refuse);
	}
	if (p->refuse || xp_hello_check(h, &p->cookie, &err) < 0) {
		xp_conn_send_preamble(&p->conn);
		xp_conn_send_error(&p->conn, err.code, XP_OP_HELLO, "%s", err.text);
		xp_conn_drain(&p->conn, 10000);
		return -1;
	}
	p->role = h->role;
	p->flags = h->flags;
	p->hello_w = h->screen_w;
	p->hello_h = h->screen_h;
	xp_str_copy(p->session, sizeof(p->session), h->session);
	return welcome(p, h, zlib);
}

int tp_accept(struct tp_peer *p, bool zlib, int timeout_ms)
{
	struct pollfd pf = {.fd = p->listen_fd, .events = POLLIN};
	tp_drop(p);
	if (poll(&pf, 1, timeout_ms) != 1)
		return -1;
	int fd = xp_net_accept(p->listen_fd, XP_NET_CLOEXEC);
	if (fd < 0 || xp_conn_init(&p->conn, fd, XP_MAX_MSG_DEFAULT, true) < 0)
		return -1;
	p->connected = true;
	if (handshake(p, zlib, timeout_ms) < 0) {
		tp_drop(p);
		return -1;
	}
	return 0;
}

int tp_send(struct tp_peer *p, const struct xp_msg *m)
{
	return p->connected ? xp_conn_send(&p->conn, m) : -1;
}

int tp_flush(struct tp_peer *p, int timeout_ms)
{
	return p->connected ? xp_conn_drain(&p->conn, timeout_ms) : -1;
}

int tp_send_raw(struct tp_peer *p, const void *data, size_t n)
{
	if (tp_flush(p, 10000) < 0)
		return -1;
	return write(xp_conn_fd(&p->conn), data, n) == (ssize_t)n ? 0 : -1;
}

int tp_send_garbage(struct tp_peer *p)
{
	static const uint8_t junk[] = {0xff, 0x13, 0x37, 0x00, 0x42};
	return tp_send_raw(p, junk, sizeof(junk));
}

static int pong(struct tp_peer *p, const struct xp_msg *ping)
{
	struct xp_msg r = {.op = XP_OP_PONG};
	r.u.pong.seq = ping->u.ping.seq;
	r.u.pong.time_us = ping->u.ping.time_us;
	if (tp_send(p, &r) < 0)
		return -1;
	return tp_flush(p, 10000);
}

int tp_next(struct tp_peer *p, struct xp_msg *m, bool skip_pings, int timeout_ms)
{
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	for (int guard = 0; guard < 100000 && p->connected; guard++) {
		uint64_t now = xp_now_us();
		int left = now >= deadline ? 0 : (int)((deadline - now) / 1000) + 1;
		int r = xp_conn_wait(&p->conn, m, left);
		if (r <= 0)
			return r;
		if (!(skip_pings && m->op == XP_OP_PING))
			return 1;
		if (pong(p, m) < 0)
			return -1;
	}
	return p->connected ? 0 : -1;
}

int tp_expect(struct tp_peer *p, uint8_t op, struct xp_msg *m, bool skip_other, int timeout_ms)
{
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t now = xp_now_us();
		int left = now >= deadline ? 0 : (int)((deadline - now) / 1000) + 1;
		int r = tp_next(p, m, true, left);
		if (r <= 0)
			return r;
		if (m->op == op)
			return 1;
		if (!skip_other)
			return -2;
	}
	return 0;
}

int tp_expect_key(struct tp_peer *p, uint32_t state, uint32_t keysym, const char *text,
                  bool skip_other, int timeout_ms)
{
	struct xp_msg m;
	char got[64];
	int r = tp_expect(p, XP_OP_KEY, &m, skip_other, timeout_ms);
	if (r != 1) {
		fprintf(stderr, "testpeer: no KEY (%d)\n", r);
		return -1;
	}
	xp_str_copy(got, sizeof(got), m.u.key.text);
	if (m.u.key.state == state && m.u.key.keysym == keysym && !strcmp(got, text))
		return 0;
	fprintf(stderr, "testpeer: KEY state %#x keysym %#x '%s', want %#x %#x '%s'\n",
	        m.u.key.state, m.u.key.keysym, got, state, keysym, text);
	return -1;
}

int tp_sync(struct tp_peer *p, uint32_t serial, int timeout_ms)
{
	struct xp_msg m = {.op = XP_OP_MARK};
	m.u.mark.serial = serial;
	if (tp_send(p, &m) < 0 || tp_flush(p, timeout_ms) < 0)
		return -1;
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	for (int guard = 0; guard < 1000; guard++) {
		uint64_t now = xp_now_us();
		int left = now >= deadline ? 0 : (int)((deadline - now) / 1000) + 1;
		if (tp_expect(p, XP_OP_ACK, &m, true, left) != 1)
			return -1;
		if (m.u.ack.serial >= serial)
			return 0;
	}
	return -1;
}

int tp_wait_eof(struct tp_peer *p, int timeout_ms)
{
	struct xp_msg m;
	uint64_t deadline = xp_now_us() + (uint64_t)timeout_ms * 1000;
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t now = xp_now_us();
		int left = now >= deadline ? 0 : (int)((deadline - now) / 1000) + 1;
		int r = tp_next(p, &m, true, left);
		if (r < 0)
			return 0;
		if (r == 0)
			return -1;
	}
	return -1;
}
