/*
 * handshake.c - the preamble (magic and version) and the client side of the
 * HELLO / WELCOME exchange. The server side lives in xproto-server, which
 * checks roles, cookies and sessions.
 */
#include <string.h>

#include "proto_int.h"

void xp_preamble_write(uint8_t out[XP_PREAMBLE_LEN])
{
	memcpy(out, XP_MAGIC, 4);
	out[4] = XP_VERSION_MAJOR;
	out[5] = XP_VERSION_MINOR;
}

int xp_preamble_check(const uint8_t in[XP_PREAMBLE_LEN], struct xp_error *err)
{
	if (memcmp(in, XP_MAGIC, 4) != 0)
		return xp_error_set(err, XP_ERR_VERSION, 0,
		                    XP_NOT_XPROTO " (bad magic %02x %02x %02x %02x)", in[0], in[1],
		                    in[2], in[3]);
	if (in[4] != XP_VERSION_MAJOR)
		return xp_error_set(err, XP_ERR_VERSION, 0,
		                    "protocol version mismatch: peer speaks %u.%u, we speak %u.%u",
		                    in[4], in[5], XP_VERSION_MAJOR, XP_VERSION_MINOR);
	return 0;
}

struct xp_caps xp_caps_negotiate(const struct xp_caps *offer, const struct xp_caps *server)
{
	struct xp_caps r = *server;
	r.flags = offer->flags & server->flags;
	r.max_msg = offer->max_msg < server->max_msg ? offer->max_msg : server->max_msg;
	if (r.max_msg < XP_MAX_MSG_MIN)
		r.max_msg = XP_MAX_MSG_MIN;
	return r;
}

static int send_hello(struct xp_conn *c, enum xp_role role, const struct xp_cookie *ck,
                      const struct xp_caps *want, const char *session, const char *name)
{
	struct xp_msg m = {.op = XP_OP_HELLO};
	m.u.hello.role = (uint8_t)role;
	m.u.hello.cookie.p = ck ? ck->data : NULL;
	m.u.hello.cookie.n = ck ? (uint32_t)ck->len : 0;
	m.u.hello.flags = want->flags;
	m.u.hello.max_msg = want->max_msg;
	m.u.hello.screen_w = want->screen_w;
	m.u.hello.screen_h = want->screen_h;
	m.u.hello.session = xp_str_from(session ? session : "main");
	m.u.hello.name = xp_str_from(name ? name : "");
	if (xp_conn_send_preamble(c) < 0 || xp_conn_send(c, &m) < 0)
		return -1;
	return 0;
}

int xp_handshake_client(struct xp_conn *c, enum xp_role role, const struct xp_cookie *ck,
                        const struct xp_caps *want, const char *session, const char *name,
                        struct xp_caps *granted, int timeout_ms)
{
	struct xp_msg m;
	if (send_hello(c, role, ck, want, session, name) < 0 || xp_conn_drain(c, timeout_ms) < 0)
		return -1;
	int r = xp_conn_wait(c, &m, timeout_ms);
	if (r == 0)
		return xp_error_set(&c->err, XP_ERR_TIMEOUT, 0, "no answer to HELLO");
	if (r < 0)
		return -1;
	if (m.op == XP_OP_ERROR) {
		char text[128];
		xp_str_copy(text, sizeof(text), m.u.error.text);
		c->failed = true;
		return xp_error_set(&c->err, (enum xp_err_code)m.u.error.code, XP_OP_HELLO,
		                    "server refused: %s", text);
	}
	if (m.op != XP_OP_WELCOME) {
		c->failed = true;
		return xp_error_set(&c->err, XP_ERR_STATE, m.op, "expected WELCOME, got %s",
		                    xp_op_name(m.op));
	}
	granted->flags = m.u.welcome.flags;
	granted->max_msg = m.u.welcome.max_msg;
	granted->screen_w = m.u.welcome.screen_w;
	granted->screen_h = m.u.welcome.screen_h;
	c->dec.max_msg = granted->max_msg < want->max_msg ? granted->max_msg : want->max_msg;
	bool z = granted->flags & XP_FLAG_ZLIB;
	return z ? xp_conn_enable_zlib(c, true, true) : 0;
}

/* Session names end up in logs, environments and file names: keep them plain. */
static bool session_name_ok(struct xp_str n)
{
	if (n.n == 0 || n.n > 64 || n.p[0] == '.' || n.p[0] == '-')
		return false;
	for (uint32_t i = 0; i < n.n; i++) {
		char c = n.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int xp_hello_check(const struct xp_msg_hello *h, const struct xp_cookie *ck, struct xp_error *err)
{
	if (h->role < XP_ROLE_APP || h->role > XP_ROLE_VIEWER)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_HELLO, "HELLO: unknown role %u",
		                    h->role);
	if (!xp_cookie_equal(ck, h->cookie.p, h->cookie.n))
		return xp_error_set(err, XP_ERR_AUTH, XP_OP_HELLO, "HELLO: wrong cookie");
	if (!session_name_ok(h->session))
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_HELLO,
		                    "HELLO: session name must be 1-64 of A-Z a-z 0-9 . _ - "
		                    "(not starting with . or -)");
	if (h->screen_w > 16384 || h->screen_h > 16384)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_HELLO, "HELLO: screen %ux%u too large",
		                    h->screen_w, h->screen_h);
	return 0;
}
