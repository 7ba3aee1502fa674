/*
 * proto_fuzz.c - libFuzzer target for the libxproto receive path: preamble,
 * handshake check, frames, zlib, the dumper, and re-encoding of whatever
 * decodes (which must decode again to the same bytes).
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60)
 */
#include <stdlib.h>
#include <string.h>

#include "xproto.h"

static void check_reencode(const struct xp_msg *m)
{
	struct xp_buf a, b;
	struct xp_decoder d;
	struct xp_msg again;
	struct xp_error err;
	xp_buf_init(&a, 1u << 26);
	xp_buf_init(&b, 1u << 26);
	xp_decoder_init(&d, 1u << 26);
	ssize_t n = xp_encode(&a, m);
	if (n <= 0)
		abort();
	if (xp_decode(&d, a.p, a.len, &again, &err) != n)
		abort();
	if (xp_encode(&b, &again) != n || memcmp(a.p, b.p, (size_t)n) != 0)
		abort();
	xp_buf_finish(&a);
	xp_buf_finish(&b);
	xp_decoder_finish(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* first byte picks the mode: preamble or not, zlib or not, split point */
	uint8_t mode = data[0];
	data++;
	size--;
	struct xp_conn c;
	struct xp_msg m;
	struct xp_cookie ck = {.len = 16};
	struct xp_error err;
	char line[512];
	xp_conn_init(&c, -1, 1u << 16, mode & 1);
	if (mode & 2)
		xp_conn_enable_zlib(&c, true, false);
	size_t split = size ? (mode >> 2) % (size + 1) : 0;
	const uint8_t *parts[2] = {data, data + split};
	size_t lens[2] = {split, size - split};
	for (int i = 0; i < 2 && !xp_conn_failed(&c); i++) {
		if (xp_conn_feed(&c, parts[i], lens[i]) < 0)
			break;
		int r;
		for (int k = 0; k < 100000 && (r = xp_conn_next(&c, &m)) > 0; k++) {
			xp_msg_format(&m, line, sizeof(line));
			if (m.op == XP_OP_HELLO)
				xp_hello_check(&m.u.hello, &ck, &err);
			check_reencode(&m);
		}
	}
	xp_conn_finish(&c);
	return 0;
}
