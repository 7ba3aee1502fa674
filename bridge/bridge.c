/*
 * bridge.c - xp-ssh-bridge, the server-side half of `thin-client ssh://HOST`.
 * ssh runs it on the server host with the thin client's byte stream as its
 * stdin and stdout. It reads the client's preamble and HELLO, puts this
 * host's cookie in the HELLO (so the cookie never crosses the network and
 * the client needs none), connects to the display's thin-client endpoint on
 * loopback and from then on copies bytes both ways, compressed or not,
 * without looking at them. When it cannot reach the server it answers the
 * client itself with an ERROR that says why, and exits 1.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xproto.h"

#define HELLO_MAX   4096u  /* a HELLO is a cookie, two short names and numbers */
#define HELLO_MS    30000  /* for the client's preamble and HELLO */
#define SPLICE_BUF  65536u /* bytes moved per read */
#define EXIT_USAGE  2
#define EXIT_FAILED 1

static const char usage[] =
    "usage: xp-ssh-bridge [--cookie FILE] [DISPLAY]\n"
    "Run by `thin-client ssh://HOST[:N]` through ssh on the server host: joins the\n"
    "thin client on stdin/stdout to display DISPLAY here (:N, default :0, or\n"
    "HOST:PORT), presenting this host's cookie (--cookie, else $XPROTO_COOKIE,\n"
    "else ~/.xproto-cookie), so the cookie never crosses the network.\n";

/* Read into @b from @fd until a whole preamble and one frame are there. */
static int read_hello(int fd, struct xp_buf *b, struct xp_msg *m, size_t *frame,
                      struct xp_error *err)
{
	struct xp_decoder dec;
	uint64_t end = xp_now_us() + (uint64_t)HELLO_MS * 1000;
	ssize_t r = 0;
	xp_decoder_init(&dec, HELLO_MAX);
	for (;;) {
		size_t have = xp_buf_pending(b);
		if (have >= XP_PREAMBLE_LEN) {
			if (xp_preamble_check(xp_buf_data(b), err) < 0)
				goto done;
			r = xp_decode(&dec, xp_buf_data(b) + XP_PREAMBLE_LEN,
			              have - XP_PREAMBLE_LEN, m, err);
			if (r != 0)
				goto done;
		}
		struct pollfd p = {fd, POLLIN, 0};
		uint8_t chunk[1024];
		if (poll(&p, 1, xp_ms_until(end)) <= 0) {
			r = xp_error_set(err, XP_ERR_TIMEOUT, 0, "no HELLO from the thin client");
			goto done;
		}
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n <= 0 || xp_buf_append(b, chunk, (size_t)n) < 0) {
			r = xp_error_set(err, XP_ERR_IO, 0, "the thin client went away");
			goto done;
		}
	}
done:
	xp_decoder_finish(&dec);
	*frame = r > 0 ? (size_t)r : 0;
	return r > 0 ? 0 : -1;
}

/* Write all @n bytes of @p to @fd. 0 or -1. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* This machine's name, for messages the user reads on another one. */
static const char *host(void)
{
	static char name[128];
	if (!name[0] && gethostname(name, sizeof(name) - 1) < 0)
		snprintf(name, sizeof(name), "the server host");
	return name;
}

/* Tell the thin client why, as a server would: preamble and ERROR. */
static int refuse(enum xp_err_code code, const char *text)
{
	struct xp_buf out;
	struct xp_msg m = {.op = XP_OP_ERROR};
	uint8_t pre[XP_PREAMBLE_LEN];
	m.u.error = (struct xp_msg_error){code, XP_OP_HELLO, xp_str_from(text)};
	xp_preamble_write(pre);
	xp_buf_init(&out, 1u << 16);
	xp_buf_append(&out, pre, sizeof(pre));
	xp_encode(&out, &m);
	write_all(1, xp_buf_data(&out), xp_buf_pending(&out));
	xp_buf_finish(&out);
	fprintf(stderr, "xp-ssh-bridge: %s\n", text);
	return EXIT_FAILED;
}

/* The HELLO @m with this host's cookie @ck, after the client's preamble. */
static int forward_hello(int srv, const uint8_t *pre, struct xp_msg *m, const struct xp_cookie *ck)
{
	struct xp_buf out;
	xp_buf_init(&out, HELLO_MAX * 2);
	m->u.hello.cookie = (struct xp_bytes){ck->data, (uint32_t)ck->len};
	int r = xp_buf_append(&out, pre, XP_PREAMBLE_LEN) < 0 || xp_encode(&out, m) < 0
	            ? -1
	            : write_all(srv, xp_buf_data(&out), xp_buf_pending(&out));
	xp_buf_finish(&out);
	return r;
}

/* Copy what @from has to @to; false when @from ended or @to failed. */
static bool pump(int from, int to, uint8_t *buf)
{
	ssize_t n = read(from, buf, SPLICE_BUF);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	return n > 0 && write_all(to, buf, (size_t)n) == 0;
}

/* Copy stdin to @srv and @srv to stdout until either side ends. */
static int splice(int srv)
{
	static uint8_t buf[SPLICE_BUF];
	struct pollfd p[2] = {{0, POLLIN, 0}, {srv, POLLIN, 0}};
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return EXIT_FAILED;
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(0, srv, buf))
			return 0;
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(srv, 1, buf))
			return 0;
	}
}

static int bridge(const char *display, const char *cookie_path)
{
	struct xp_buf in;
	struct xp_msg m;
	struct xp_error err;
	struct xp_display d;
	struct xp_cookie ck;
	char buf[512], why[300];
	size_t frame;
	xp_buf_init(&in, HELLO_MAX + 1024);
	if (read_hello(0, &in, &m, &frame, &err) < 0 || m.op != XP_OP_HELLO) {
		fprintf(stderr, "xp-ssh-bridge: not an xproto thin client: %s\n",
		        m.op != XP_OP_HELLO ? "no HELLO" : err.text);
		return EXIT_FAILED;
	}
	if (xp_display_parse(display, &d, &err) < 0 || !d.tcp[0]) {
		snprintf(why, sizeof(why), "%s: %s", host(), d.tcp[0] ? err.text : "not a display");
		return refuse(XP_ERR_IO, why);
	}
	if (!cookie_path)
		cookie_path = xp_cookie_default_path(buf, sizeof(buf));
	if (!cookie_path || xp_cookie_load(cookie_path, false, &ck, &err) < 0) {
		snprintf(why, sizeof(why), "no cookie on %s: %s", host(),
		         cookie_path ? err.text : "no home directory");
		return refuse(XP_ERR_AUTH, why);
	}
	int srv = xp_net_connect(d.tcp, XP_NET_CLOEXEC, &err);
	if (srv < 0) {
		snprintf(why, sizeof(why), "no xproto server on display %s of %s (%s)", display,
		         host(), err.text);
		return refuse(XP_ERR_IO, why);
	}
	if (forward_hello(srv, xp_buf_data(&in), &m, &ck) < 0 ||
	    write_all(srv, xp_buf_data(&in) + XP_PREAMBLE_LEN + frame,
	              xp_buf_pending(&in) - XP_PREAMBLE_LEN - frame) < 0)
		return fprintf(stderr, "xp-ssh-bridge: the server went away\n"), EXIT_FAILED;
	xp_buf_finish(&in);
	return splice(srv);
}

int main(int argc, char **argv)
{
	const char *display = ":0", *cookie = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cookie") && i + 1 < argc) {
			cookie = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (argv[i][0] != '-' && i + 1 == argc) {
			display = argv[i];
		} else {
			fprintf(stderr, "xp-ssh-bridge: %s '%s'\n%s",
			        !strcmp(argv[i], "--cookie") ? "no value for"
			        : argv[i][0] == '-'          ? "unknown option"
			                                     : "one DISPLAY only, not also",
			        argv[i], usage);
			return EXIT_USAGE;
		}
	}
	return bridge(display, cookie);
}
