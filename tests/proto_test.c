/*
 * proto_test.c - libxproto: round trips of every message, golden bytes,
 * truncation, garbage, limits, version and cookie checks, compression, a
 * real socketpair with partial reads and writes, and the connection's
 * accessors. As libxproto's own test it also looks inside struct xp_conn's
 * buffers where no accessor is meant to (the in-memory transport, limits).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "xproto.h"

/* ---- sample values for every field type, from the table ---- */
static const struct xp_rect sample_rects[3] = {
    {-5, 7, 100, 20}, {0, 0, 1, 1}, {8000, -8000, 65535, 3}};
static uint32_t field_seed;

static void fill_U8(uint8_t *v)
{
	*v = (uint8_t)(field_seed++ * 37 + 1);
}
static void fill_UV(uint32_t *v)
{
	uint32_t s = field_seed++;
	*v = (s * 2654435761u) >> (s % 32);
}
static void fill_SV(int32_t *v)
{
	uint32_t s = field_seed++;
	*v = (int32_t)(s * 2654435761u) >> (s % 31);
}
static void fill_U64(uint64_t *v)
{
	*v = (uint64_t)(field_seed++) * 0x9e3779b97f4a7c15ull;
}
static void fill_RGB(uint32_t *v)
{
	*v = (field_seed++ * 0x123457u) & 0xffffff;
}
static void fill_STR(struct xp_str *v)
{
	*v = xp_str_from(field_seed++ % 2 ? "héllo ─ wörld" : "");
}
static void fill_BYTES(struct xp_bytes *v)
{
	static const uint8_t b[5] = {0, 0xff, 0x80, 7, 0};
	v->p = b;
	v->n = field_seed++ % 2 ? 5 : 0;
}
static void fill_RECTS(struct xp_rects *v)
{
	v->v = sample_rects;
	v->n = field_seed++ % 2 ? 3 : 0;
}

static void eq_U8(uint8_t a, uint8_t b)
{
	assert_int_equal(a, b);
}
static void eq_UV(uint32_t a, uint32_t b)
{
	assert_int_equal(a, b);
}
static void eq_SV(int32_t a, int32_t b)
{
	assert_int_equal(a, b);
}
static void eq_U64(uint64_t a, uint64_t b)
{
	assert_true(a == b);
}
static void eq_RGB(uint32_t a, uint32_t b)
{
	assert_int_equal(a, b);
}
static void eq_STR(struct xp_str a, struct xp_str b)
{
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.p, b.p, a.n);
}
static void eq_BYTES(struct xp_bytes a, struct xp_bytes b)
{
	assert_int_equal(a.n, b.n);
	if (a.n)
		assert_memory_equal(a.p, b.p, a.n);
}
static void eq_RECTS(struct xp_rects a, struct xp_rects b)
{
	assert_int_equal(a.n, b.n);
	for (uint32_t i = 0; i < a.n; i++) {
		assert_int_equal(a.v[i].x, b.v[i].x);
		assert_int_equal(a.v[i].y, b.v[i].y);
		assert_int_equal(a.v[i].w, b.v[i].w);
		assert_int_equal(a.v[i].h, b.v[i].h);
	}
}

/* Build a sample of every message kind: returns the count written. */
static size_t make_samples(struct xp_msg *out, size_t cap, uint32_t seed)
{
	size_t n = 0;
	field_seed = seed;
#define XP_F(t, f) fill_##t(&mm->f);
#define XP_MSG(N, nm, opc, dir, fields)                                                            \
	if (n < cap) {                                                                             \
		struct xp_msg *m = &out[n++];                                                      \
		memset(m, 0, sizeof(*m));                                                          \
		m->op = XP_OP_##N;                                                                 \
		struct xp_msg_##nm *mm = &m->u.nm;                                                 \
		fields                                                                             \
	}
#include "xproto.def"
#undef XP_F
#undef XP_MSG
	return n;
}

static void check_equal(const struct xp_msg *a, const struct xp_msg *b)
{
	assert_int_equal(a->op, b->op);
#define XP_F(t, f) eq_##t(x->f, y->f);
#define XP_MSG(N, nm, opc, dir, fields)                                                            \
	if (a->op == XP_OP_##N) {                                                                  \
		const struct xp_msg_##nm *x = &a->u.nm, *y = &b->u.nm;                             \
		fields                                                                             \
	}
#include "xproto.def"
#undef XP_F
#undef XP_MSG
}

#define MAX_SAMPLES 64

static void test_round_trip_every_message(void **state)
{
	(void)state;
	struct xp_msg in[MAX_SAMPLES], out;
	struct xp_decoder d;
	struct xp_error err;
	xp_decoder_init(&d, XP_MAX_MSG_DEFAULT);
	for (uint32_t seed = 0; seed < 40; seed++) {
		size_t n = make_samples(in, MAX_SAMPLES, seed);
		assert_true(n > 30);
		for (size_t i = 0; i < n; i++) {
			struct xp_buf b;
			xp_buf_init(&b, 1 << 20);
			ssize_t len = xp_encode(&b, &in[i]);
			assert_true(len > 1);
			assert_int_equal(xp_decode(&d, b.p, b.len, &out, &err), len);
			check_equal(&in[i], &out);
			xp_buf_finish(&b);
		}
	}
	xp_decoder_finish(&d);
}

/* ---- golden byte vectors ---- */
static void expect_bytes(const struct xp_msg *m, const uint8_t *want, size_t n)
{
	struct xp_buf b;
	xp_buf_init(&b, 1 << 16);
	assert_int_equal(xp_encode(&b, m), (ssize_t)n);
	assert_memory_equal(b.p, want, n);
	xp_buf_finish(&b);
}

static void test_golden_vectors(void **state)
{
	(void)state;
	uint8_t pre[XP_PREAMBLE_LEN];
	static const uint8_t pre_want[] = {'x', 'p', 'r', 'o', 1, 2};
	xp_preamble_write(pre);
	assert_memory_equal(pre, pre_want, sizeof(pre));

	struct xp_msg m = {.op = XP_OP_FILL};
	m.u.fill = (struct xp_msg_fill){.x = 10, .y = -1, .w = 200, .h = 13};
	static const uint8_t fill[] = {0x23, 0x05, 0x14, 0x01, 0xc8, 0x01, 0x0d};
	expect_bytes(&m, fill, sizeof(fill));

	m = (struct xp_msg){.op = XP_OP_KEY};
	m.u.key =
	    (struct xp_msg_key){.state = XP_KEY_PRESSED, .keysym = 'a', .text = xp_str_from("a")};
	static const uint8_t key[] = {0x30, 0x04, 0x01, 0x61, 0x01, 0x61};
	expect_bytes(&m, key, sizeof(key));

	m = (struct xp_msg){.op = XP_OP_MOTION};
	m.u.motion = (struct xp_msg_motion){.x = 300, .y = 2};
	static const uint8_t motion[] = {0x31, 0x03, 0xd8, 0x04, 0x04};
	expect_bytes(&m, motion, sizeof(motion));

	m = (struct xp_msg){.op = XP_OP_TEXT};
	m.u.text = (struct xp_msg_text){.x = 6, .y = 13, .text = xp_str_from("ls")};
	static const uint8_t text[] = {0x27, 0x05, 0x0c, 0x1a, 0x02, 'l', 's'};
	expect_bytes(&m, text, sizeof(text));

	m = (struct xp_msg){.op = XP_OP_COPY};
	m.u.copy = (struct xp_msg_copy){.sx = 0, .sy = 13, .w = 480, .h = 299, .dx = 0, .dy = 0};
	static const uint8_t copy[] = {0x25, 0x08, 0x00, 0x1a, 0xe0, 0x03, 0xab, 0x02, 0x00, 0x00};
	expect_bytes(&m, copy, sizeof(copy));

	m = (struct xp_msg){.op = XP_OP_HELLO};
	static const uint8_t cookie[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	m.u.hello = (struct xp_msg_hello){.role = XP_ROLE_CLIENT,
	                                  .cookie = {cookie, 16},
	                                  .flags = XP_FLAG_ZLIB,
	                                  .max_msg = 4u << 20,
	                                  .screen_w = 800,
	                                  .screen_h = 600,
	                                  .session = xp_str_from("main"),
	                                  .name = xp_str_from("tc")};
	static const uint8_t hello[] = {0x01, 0x23, 0x02, 0x10, 1,    2,    3,    4,    5,    6,
	                                7,    8,    9,    10,   11,   12,   13,   14,   15,   16,
	                                0x01, 0x80, 0x80, 0x80, 0x02, 0xa0, 0x06, 0xd8, 0x04, 0x04,
	                                'm',  'a',  'i',  'n',  0x02, 't',  'c'};
	expect_bytes(&m, hello, sizeof(hello));
}

/* A long payload gets a two-byte length: the payload moves, nothing lost. */
static void test_long_payload_length(void **state)
{
	(void)state;
	char text[300];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	struct xp_msg m = {.op = XP_OP_TEXT}, out;
	m.u.text = (struct xp_msg_text){.x = 1, .y = 2, .text = xp_str_from(text)};
	struct xp_buf b;
	struct xp_decoder d;
	struct xp_error err;
	xp_buf_init(&b, 1 << 16);
	xp_decoder_init(&d, 1 << 16);
	assert_int_equal(xp_encode(&b, &m), 1 + 2 + 1 + 1 + 2 + 299);
	assert_int_equal(xp_decode(&d, b.p, b.len, &out, &err), (ssize_t)b.len);
	check_equal(&m, &out);
	xp_buf_finish(&b);
	xp_decoder_finish(&d);
}

static void test_truncation_every_boundary(void **state)
{
	(void)state;
	struct xp_msg in[MAX_SAMPLES], out;
	struct xp_decoder d;
	struct xp_error err;
	xp_decoder_init(&d, XP_MAX_MSG_DEFAULT);
	size_t n = make_samples(in, MAX_SAMPLES, 7);
	for (size_t i = 0; i < n; i++) {
		struct xp_buf b;
		xp_buf_init(&b, 1 << 20);
		ssize_t len = xp_encode(&b, &in[i]);
		for (ssize_t k = 0; k < len; k++) {
			/* a copy of exactly k bytes, so ASan sees any over-read */
			uint8_t *cut = malloc(k ? (size_t)k : 1);
			memcpy(cut, b.p, (size_t)k);
			assert_int_equal(xp_decode(&d, cut, (size_t)k, &out, &err), 0);
			free(cut);
		}
		xp_buf_finish(&b);
	}
	xp_decoder_finish(&d);
}

/* Cut inside the declared payload: the fields run out -> MALFORMED. */
static void test_short_payload_is_malformed(void **state)
{
	(void)state;
	static const uint8_t fill_short[] = {0x23, 0x02, 0x14, 0x01};
	static const uint8_t str_over[] = {0x27, 0x04, 0x00, 0x00, 0x09, 'a'};
	static const uint8_t bad_utf8[] = {0x27, 0x05, 0x00, 0x00, 0x02, 0xc0, 0xaf};
	static const uint8_t rects_huge[] = {0x24, 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
	static const uint8_t varint_long[] = {0x23, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00};
	const struct {
		const uint8_t *p;
		size_t n;
	} cases[] = {{fill_short, sizeof(fill_short)},
	             {str_over, sizeof(str_over)},
	             {bad_utf8, sizeof(bad_utf8)},
	             {rects_huge, sizeof(rects_huge)},
	             {varint_long, sizeof(varint_long)}};
	struct xp_decoder d;
	struct xp_msg out;
	struct xp_error err;
	xp_decoder_init(&d, XP_MAX_MSG_DEFAULT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(xp_decode(&d, cases[i].p, cases[i].n, &out, &err), -1);
		assert_int_equal(err.code, XP_ERR_MALFORMED);
		/* the error names the message */
		assert_non_null(strstr(err.text, xp_op_name(cases[i].p[0])));
	}
	xp_decoder_finish(&d);
}

static void test_oversized_and_unknown(void **state)
{
	(void)state;
	struct xp_decoder d;
	struct xp_msg out;
	struct xp_error err;
	xp_decoder_init(&d, 4096);
	static const uint8_t big[] = {0x27, 0x81, 0x20}; /* 4097 bytes */
	assert_int_equal(xp_decode(&d, big, sizeof(big), &out, &err), -1);
	assert_int_equal(err.code, XP_ERR_TOO_BIG);
	assert_non_null(strstr(err.text, "TEXT"));
	static const uint8_t huge[] = {0x27, 0xff, 0xff, 0xff, 0xff, 0x7f};
	assert_int_equal(xp_decode(&d, huge, sizeof(huge), &out, &err), -1);
	static const uint8_t unknown[] = {0x3f, 0x00};
	assert_int_equal(xp_decode(&d, unknown, sizeof(unknown), &out, &err), -1);
	assert_int_equal(err.code, XP_ERR_UNKNOWN_OP);
	static const uint8_t unknown2[] = {0xee};
	assert_int_equal(xp_decode(&d, unknown2, 1, &out, &err), -1);
	xp_decoder_finish(&d);
}

/* Trailing bytes from a newer minor version are skipped, not an error. */
static void test_trailing_fields_ignored(void **state)
{
	(void)state;
	static const uint8_t fill_plus[] = {0x23, 0x06, 0x14, 0x01, 0xc8, 0x01, 0x0d, 0x55};
	struct xp_decoder d;
	struct xp_msg out;
	struct xp_error err;
	xp_decoder_init(&d, 4096);
	assert_int_equal(xp_decode(&d, fill_plus, sizeof(fill_plus), &out, &err), 8);
	assert_int_equal(out.u.fill.h, 13);
	xp_decoder_finish(&d);
}

static void test_random_garbage(void **state)
{
	(void)state;
	struct xp_decoder d;
	struct xp_msg out;
	struct xp_error err;
	char line[256];
	xp_decoder_init(&d, 1 << 16);
	srand(1234);
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)(rand() % 64) + 1;
		uint8_t *buf = malloc(n);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rand();
		buf[0] = (uint8_t)(rand() % 0x42); /* mostly valid opcodes */
		ssize_t r = xp_decode(&d, buf, n, &out, &err);
		assert_true(r >= -1 && r <= (ssize_t)n);
		if (r > 0)
			xp_msg_format(&out, line, sizeof(line));
		free(buf);
	}
	xp_decoder_finish(&d);
}

static void test_version_mismatch(void **state)
{
	(void)state;
	struct xp_error err;
	uint8_t pre[XP_PREAMBLE_LEN];
	xp_preamble_write(pre);
	assert_int_equal(xp_preamble_check(pre, &err), 0);
	pre[5] = 9; /* newer minor: compatible */
	assert_int_equal(xp_preamble_check(pre, &err), 0);
	pre[4] = 2;
	assert_int_equal(xp_preamble_check(pre, &err), -1);
	assert_int_equal(err.code, XP_ERR_VERSION);
	assert_non_null(strstr(err.text, "2.9"));
	assert_non_null(strstr(err.text, "we speak 1.2"));
	memcpy(pre, "X11\0", 4);
	assert_int_equal(xp_preamble_check(pre, &err), -1);
	assert_non_null(strstr(err.text, "magic"));
}

static void test_cookie_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/xproto-test-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cookie", dir);
	struct xp_cookie a, b;
	struct xp_error err;
	assert_int_equal(xp_cookie_load(path, false, &a, &err), -1); /* absent, no create */
	assert_int_equal(xp_cookie_load(path, true, &a, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(xp_cookie_load(path, false, &b, &err), 0);
	assert_int_equal(a.len, 32);
	assert_true(xp_cookie_equal(&a, b.data, b.len));
	uint8_t wrong[32];
	memcpy(wrong, a.data, 32);
	wrong[31] ^= 1;
	assert_false(xp_cookie_equal(&a, wrong, 32));
	assert_false(xp_cookie_equal(&a, a.data, 31));
	chmod(path, 0644); /* others may read: refused */
	assert_int_equal(xp_cookie_load(path, false, &b, &err), -1);
	assert_non_null(strstr(err.text, "chmod 600"));
	unlink(path);
	rmdir(dir);
}

/* xp_cookie_load(@path) in a child, bounded: 0/-1 as it returned, -2 if it hung. */
static int load_bounded(const char *path, bool create, char *why, size_t cap)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct xp_cookie c;
		struct xp_error err = {0};
		int r = xp_cookie_load(path, create, &c, &err);
		ssize_t w = write(pfd[1], err.text, strlen(err.text) + 1);
		_exit(r == 0 && w > 0 ? 0 : 1);
	}
	close(pfd[1]);
	/* proc_wait kills it at the deadline (-1): a hang */
	int status = proc_wait(pid, 10000), rc = status == 0 ? 0 : status < 0 ? -2 : -1;
	ssize_t n = read(pfd[0], why, cap - 1);
	why[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	return rc;
}

/*
 * Only a regular file owned by us is a cookie: a FIFO at the cookie path hung
 * the server's start-up, and another user's file was accepted.
 */
static void test_cookie_file_kind_and_owner(void **state)
{
	(void)state;
	char dir[] = "/tmp/xproto-test-XXXXXX", path[64], why[200];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cookie", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(load_bounded(path, false, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
	assert_int_equal(load_bounded(path, true, why, sizeof(why)), -1);
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(load_bounded(path, true, why, sizeof(why)), -1);
	rmdir(path);
	assert_int_equal(load_bounded(path, true, why, sizeof(why)), 0); /* created */
	if (geteuid() == 0) { /* only root can give a file to someone else */
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(load_bounded(path, false, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "owned by"));
	}
	unlink(path);
	rmdir(dir);
}

static void test_hello_check(void **state)
{
	(void)state;
	struct xp_cookie ck = {.len = 16};
	memset(ck.data, 0xab, 16);
	struct xp_msg_hello h = {
	    .role = XP_ROLE_CLIENT, .cookie = {ck.data, 16}, .session = xp_str_from("main")};
	struct xp_error err;
	assert_int_equal(xp_hello_check(&h, &ck, &err), 0);
	uint8_t bad[16];
	memset(bad, 0xab, 16);
	bad[0] = 0;
	h.cookie.p = bad;
	assert_int_equal(xp_hello_check(&h, &ck, &err), -1);
	assert_int_equal(err.code, XP_ERR_AUTH);
	h.cookie.p = ck.data;
	/* session names reach file names and environments: plain ones only */
	static const char *const bad_names[] = {"",    "../etc", ".hidden",     "-x",
	                                        "a/b", "a b",    "caf\xc3\xa9", "x\n"};
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		h.session = xp_str_from(bad_names[i]);
		assert_int_equal(xp_hello_check(&h, &ck, &err), -1);
		assert_int_equal(err.code, XP_ERR_MALFORMED);
	}
	h.session = xp_str_from("work-2.team_a");
	assert_int_equal(xp_hello_check(&h, &ck, &err), 0);
	h.role = 9;
	assert_int_equal(xp_hello_check(&h, &ck, &err), -1);
}

/* Many messages over many flushes through one zlib stream each way. */
static void test_compression_many_flushes(void **state)
{
	(void)state;
	struct xp_conn tx, rx;
	struct xp_msg in[MAX_SAMPLES], out;
	xp_conn_init(&tx, -1, XP_MAX_MSG_DEFAULT, false);
	xp_conn_init(&rx, -1, XP_MAX_MSG_DEFAULT, false);
	xp_conn_enable_zlib(&tx, false, true);
	xp_conn_enable_zlib(&rx, true, false);
	size_t n = make_samples(in, MAX_SAMPLES, 3);
	for (int flush = 0; flush < 500; flush++) {
		const struct xp_msg *m = &in[(size_t)flush % n];
		assert_int_equal(xp_conn_send(&tx, m), 0);
		assert_int_equal(xp_conn_flush(&tx), 0);
		/* each flush point is decodable on its own */
		size_t k = xp_buf_pending(&tx.out_wire);
		assert_int_equal(xp_conn_feed(&rx, xp_buf_data(&tx.out_wire), k), 0);
		xp_buf_consume(&tx.out_wire, k);
		assert_int_equal(xp_conn_next(&rx, &out), 1);
		check_equal(m, &out);
		assert_int_equal(xp_conn_next(&rx, &out), 0);
	}
	assert_true(xp_conn_stats(&tx)->plain_out > 0);
	xp_conn_finish(&tx);
	xp_conn_finish(&rx);
}

static void test_corrupt_zlib(void **state)
{
	(void)state;
	struct xp_conn rx;
	struct xp_msg out;
	xp_conn_init(&rx, -1, 4096, false);
	xp_conn_enable_zlib(&rx, true, false);
	static const uint8_t junk[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
	xp_conn_feed(&rx, junk, sizeof(junk));
	assert_int_equal(xp_conn_next(&rx, &out), -1);
	assert_int_equal(xp_conn_error(&rx)->code, XP_ERR_ZLIB);
	/* sticky */
	assert_int_equal(xp_conn_next(&rx, &out), -1);
	xp_conn_finish(&rx);
}

/* A zlib bomb never grows the input buffer past its limit. */
static void test_zlib_bomb_bounded(void **state)
{
	(void)state;
	struct xp_conn tx, rx;
	struct xp_msg out;
	xp_conn_init(&tx, -1, XP_MAX_MSG_DEFAULT, false);
	xp_conn_init(&rx, -1, 4096, false);
	xp_conn_enable_zlib(&tx, false, true);
	xp_conn_enable_zlib(&rx, true, false);
	/* 1 MB of zeros compresses to ~1 KB: an opcode-0 stream (invalid) */
	uint8_t *zeros = calloc(1, 1 << 20);
	xp_conn_send_raw(&tx, zeros, 1 << 20);
	xp_conn_flush(&tx);
	xp_conn_feed(&rx, xp_buf_data(&tx.out_wire), xp_buf_pending(&tx.out_wire));
	assert_int_equal(xp_conn_next(&rx, &out), -1);
	assert_true(rx.in_plain.cap <= rx.in_plain.max);
	free(zeros);
	xp_conn_finish(&tx);
	xp_conn_finish(&rx);
}

/*
 * Work slices: a server bounds the bytes it inflates per xp_conn_next() and
 * compresses per xp_conn_flush(), and the stream stays intact across them.
 */
static void test_zlib_slices(void **state)
{
	(void)state;
	struct xp_conn tx, rx;
	struct xp_msg m = {.op = XP_OP_IMAGE}, out;
	enum { N = 1 << 20, SLICE = 64 << 10 };
	uint8_t *pix = malloc(N);
	for (size_t i = 0; i < N; i++)
		pix[i] = (uint8_t)(i * 2654435761u >> 13); /* compresses poorly */
	xp_conn_init(&tx, -1, XP_MAX_MSG_DEFAULT, false);
	xp_conn_init(&rx, -1, XP_MAX_MSG_DEFAULT, false);
	xp_conn_enable_zlib(&tx, false, true);
	xp_conn_enable_zlib(&rx, true, false);
	xp_conn_set_slices(&tx, 0, SLICE);
	xp_conn_set_slices(&rx, SLICE, 0);
	m.u.image = (struct xp_msg_image){1, 2, 1024, 341, XP_IMG_RAW, 0, {pix, N}};
	for (int i = 0; i < 3; i++)
		assert_int_equal(xp_conn_send(&tx, &m), 0);
	int flushes = 0;
	while (xp_conn_unflushed(&tx) > 0 && flushes < 1000) {
		size_t before = xp_conn_unflushed(&tx);
		assert_int_equal(xp_conn_flush(&tx), 0);
		assert_true(before - xp_conn_unflushed(&tx) <= SLICE);
		flushes++;
	}
	assert_true(flushes >= 3 * N / SLICE);
	xp_conn_feed(&rx, xp_buf_data(&tx.out_wire), xp_buf_pending(&tx.out_wire));
	int got = 0, calls = 0;
	for (; calls < 10000 && got < 3; calls++) {
		uint64_t before = xp_conn_stats(&rx)->inflated;
		int r = xp_conn_next(&rx, &out);
		assert_true(xp_conn_stats(&rx)->inflated - before <= SLICE);
		if (r == 1) {
			assert_int_equal(out.op, XP_OP_IMAGE);
			assert_int_equal(out.u.image.data.n, N);
			assert_memory_equal(out.u.image.data.p, pix, N);
			got++;
		} else {
			assert_int_equal(r, 0);
			assert_true(xp_conn_input_pending(&rx));
		}
	}
	assert_int_equal(got, 3);
	assert_true(calls > 3 * N / SLICE);
	assert_false(xp_conn_input_pending(&rx));
	free(pix);
	xp_conn_finish(&tx);
	xp_conn_finish(&rx);
}

/* More rectangles than the receiver takes are counted, not parsed. */
static void test_max_rects(void **state)
{
	(void)state;
	static struct xp_rect rs[10];
	struct xp_buf b;
	struct xp_decoder d;
	struct xp_msg m = {.op = XP_OP_FILL_RECTS}, out;
	struct xp_error err;
	for (int i = 0; i < 10; i++)
		rs[i] = (struct xp_rect){i, -i, 3, 4};
	xp_buf_init(&b, 1 << 16);
	xp_decoder_init(&d, 1 << 16);
	d.max_rects = 4;
	m.u.fill_rects.rects = (struct xp_rects){3, rs};
	ssize_t n = xp_encode(&b, &m);
	assert_int_equal(xp_decode(&d, xp_buf_data(&b), (size_t)n, &out, &err), n);
	assert_int_equal(out.u.fill_rects.rects.n, 3);
	assert_int_equal(out.u.fill_rects.rects.v[2].y, -2);
	xp_buf_consume(&b, (size_t)n);
	m.u.fill_rects.rects.n = 10;
	n = xp_encode(&b, &m);
	assert_int_equal(xp_decode(&d, xp_buf_data(&b), (size_t)n, &out, &err), n);
	assert_int_equal(out.u.fill_rects.rects.n, 10);
	assert_null(out.u.fill_rects.rects.v);
	char line[256];
	xp_msg_format(&out, line, sizeof(line)); /* the dumper copes with it */
	assert_non_null(strstr(line, "10{"));
	/* a count the payload cannot hold is still malformed */
	static const uint8_t bad[] = {XP_OP_FILL_RECTS, 0x02, 0x7f, 0x00};
	assert_int_equal(xp_decode(&d, bad, sizeof(bad), &out, &err), -1);
	xp_buf_finish(&b);
	xp_decoder_finish(&d);
}

/* Real socketpair, tiny buffers: partial writes, byte-by-byte reads. */
static void test_socketpair_partial_io(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int small = 1024;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	struct xp_conn tx, rx;
	xp_conn_init(&tx, sv[0], XP_MAX_MSG_DEFAULT, true);
	xp_conn_init(&rx, sv[1], XP_MAX_MSG_DEFAULT, true);
	struct xp_msg in[MAX_SAMPLES], out;
	size_t n = make_samples(in, MAX_SAMPLES, 11), got = 0, total = 2000;
	assert_int_equal(xp_conn_send_preamble(&tx), 0);
	for (size_t i = 0; i < total; i++)
		assert_int_equal(xp_conn_send(&tx, &in[i % n]), 0);
	assert_int_equal(xp_conn_flush(&tx), 0);
	int partial = 0;
	for (int iter = 0; iter < 1000000 && got < total; iter++) {
		int w = xp_conn_write(&tx);
		assert_true(w >= 0);
		partial += w == 0;
		uint8_t b[7]; /* read in odd small pieces */
		ssize_t r = read(sv[1], b, (size_t)(iter % 7) + 1);
		if (r > 0)
			assert_int_equal(xp_conn_feed(&rx, b, (size_t)r), 0);
		while (xp_conn_next(&rx, &out) == 1) {
			check_equal(&in[got % n], &out);
			got++;
		}
	}
	assert_int_equal(got, total);
	assert_true(partial > 0); /* the send buffer really filled up */
	assert_int_equal(xp_conn_stats(&rx)->wire_in, xp_conn_stats(&tx)->wire_out);
	xp_conn_finish(&tx);
	xp_conn_finish(&rx);
}

/* Full client handshake against a forked peer playing the server. */
static void serve_one(int fd, bool refuse, int major)
{
	struct xp_conn s;
	struct xp_msg m;
	xp_conn_init(&s, fd, XP_MAX_MSG_DEFAULT, true);
	uint8_t pre[XP_PREAMBLE_LEN];
	xp_preamble_write(pre);
	pre[4] = (uint8_t)major;
	xp_conn_send_raw(&s, pre, sizeof(pre));
	if (xp_conn_wait(&s, &m, 10000) != 1 || m.op != XP_OP_HELLO)
		_exit(3);
	if (refuse) {
		xp_conn_send_error(&s, XP_ERR_AUTH, XP_OP_HELLO, "HELLO: wrong cookie");
	} else {
		struct xp_msg w = {.op = XP_OP_WELCOME};
		w.u.welcome = (struct xp_msg_welcome){.flags = m.u.hello.flags & XP_FLAG_ZLIB,
		                                      .max_msg = 65536,
		                                      .screen_w = 640,
		                                      .screen_h = 480,
		                                      .conn_id = 1};
		xp_conn_send(&s, &w);
		xp_conn_enable_zlib(&s, true, true);
		struct xp_msg t = {.op = XP_OP_TEXT};
		t.u.text = (struct xp_msg_text){.x = 1, .y = 2, .text = xp_str_from("after")};
		xp_conn_send(&s, &t);
	}
	xp_conn_drain(&s, 10000);
	/* wait for the client to close */
	xp_conn_wait(&s, &m, 10000);
	xp_conn_finish(&s);
	_exit(0);
}

static int run_client(bool refuse, int major, struct xp_conn *c, struct xp_caps *got)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		serve_one(sv[1], refuse, major);
	}
	close(sv[1]);
	xp_conn_init(c, sv[0], XP_MAX_MSG_DEFAULT, true);
	struct xp_cookie ck = {.len = 16};
	struct xp_caps want = {XP_FLAG_ZLIB, XP_MAX_MSG_DEFAULT, 800, 600};
	return xp_handshake_client(c, XP_ROLE_CLIENT, &ck, &want, "main", "test", got, 10000);
}

static void test_handshake_over_socket(void **state)
{
	(void)state;
	struct xp_conn c;
	struct xp_caps got;
	struct xp_msg m;
	assert_int_equal(run_client(false, XP_VERSION_MAJOR, &c, &got), 0);
	assert_int_equal(got.flags, XP_FLAG_ZLIB);
	assert_int_equal(got.max_msg, 65536);
	assert_int_equal(xp_conn_wait(&c, &m, 10000), 1);
	assert_int_equal(m.op, XP_OP_TEXT);
	assert_int_equal(m.u.text.text.n, 5);
	xp_conn_finish(&c);

	assert_int_equal(run_client(true, XP_VERSION_MAJOR, &c, &got), -1);
	assert_int_equal(xp_conn_error(&c)->code, XP_ERR_AUTH);
	assert_non_null(strstr(xp_conn_error(&c)->text, "wrong cookie"));
	xp_conn_finish(&c);

	assert_int_equal(run_client(false, 7, &c, &got), -1);
	assert_int_equal(xp_conn_error(&c)->code, XP_ERR_VERSION);
	assert_non_null(strstr(xp_conn_error(&c)->text, "peer speaks 7."));
	xp_conn_finish(&c);
}

/* SPEC.md documents every opcode the code defines. */
/* What owners may know of a connection, through functions only; and an
 * ERROR still goes out after the input failed. */
static void test_conn_accessors(void **state)
{
	(void)state;
	int sv[2];
	struct xp_conn a, b;
	struct xp_msg m, ping = {.op = XP_OP_PING};
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	xp_conn_init(&a, sv[0], 4096, false);
	xp_conn_init(&b, sv[1], 4096, false);
	assert_int_equal(xp_conn_fd(&a), sv[0]);
	assert_false(xp_conn_zlib_out(&a));
	assert_int_equal(xp_conn_error(&a)->code, XP_ERR_NONE);
	/* a frame over the size b accepts, then b is told to accept it */
	static uint8_t big[6000];
	m.op = XP_OP_TEXT;
	m.u.text = (struct xp_msg_text){0, 0, {(const char *)big, 5000}};
	memset(big, 'x', sizeof(big));
	xp_conn_set_max_msg(&a, 8192);
	assert_int_equal(xp_conn_send(&a, &m), 0);
	assert_int_equal(xp_conn_plain_queued(&a), xp_conn_out_pending(&a));
	assert_int_equal(xp_conn_drain(&a, 10000), 0);
	assert_int_equal(xp_conn_stats(&a)->wire_out, xp_conn_plain_queued(&a));
	xp_conn_set_max_msg(&b, 8192);
	assert_int_equal(xp_conn_wait(&b, &m, 10000), 1);
	assert_int_equal(m.u.text.text.n, 5000);
	/* garbage fails b for good: no more sends, but an ERROR still goes out */
	static const uint8_t junk[] = {0x3f, 0x00};
	assert_int_equal(xp_conn_send_raw(&a, junk, sizeof(junk)), 0);
	assert_int_equal(xp_conn_drain(&a, 10000), 0);
	assert_int_equal(xp_conn_wait(&b, &m, 10000), -1);
	assert_true(xp_conn_failed(&b));
	assert_int_equal(xp_conn_error(&b)->code, XP_ERR_UNKNOWN_OP);
	assert_int_equal(xp_conn_send(&b, &ping), -1);
	assert_int_equal(xp_conn_send_error(&b, XP_ERR_UNKNOWN_OP, 0x3f, "go away"), 0);
	assert_int_equal(xp_conn_drain(&b, 10000), 0);
	assert_int_equal(xp_conn_wait(&a, &m, 10000), 1);
	assert_int_equal(m.op, XP_OP_ERROR);
	assert_int_equal(m.u.error.code, XP_ERR_UNKNOWN_OP);
	/* released, the fd survives finish */
	int fd = xp_conn_release_fd(&b);
	assert_int_equal(fd, sv[1]);
	assert_int_equal(xp_conn_fd(&b), -1);
	xp_conn_finish(&b);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	close(fd);
	xp_conn_finish(&a);
}

static void test_spec_names_every_opcode(void **state)
{
	(void)state;
	FILE *f = fopen("protocol/SPEC.md", "r");
	assert_non_null(f);
	static char spec[1 << 20];
	size_t n = fread(spec, 1, sizeof(spec) - 1, f);
	spec[n] = '\0';
	fclose(f);
	for (unsigned op = 0; op < XP_OP_MAX; op++) {
		const char *name = xp_op_name(op);
		if (!name)
			continue;
		char want[64];
		snprintf(want, sizeof(want), "0x%02x `%s`", op, name);
		if (!strstr(spec, want))
			fail_msg("SPEC.md does not document opcode %s", want);
	}
	for (unsigned code = 0; code <= XP_ERR_ZLIB; code++) {
		char want[64];
		snprintf(want, sizeof(want), "| %u | %s", code, xp_err_name(code));
		if (!strstr(spec, want))
			fail_msg("SPEC.md does not document error %s", want);
	}
}

static void test_format_lines(void **state)
{
	(void)state;
	struct xp_msg m = {.op = XP_OP_TEXT};
	char line[128];
	m.u.text = (struct xp_msg_text){.x = 6, .y = 13, .text = xp_str_from("a\"b\n")};
	xp_msg_format(&m, line, sizeof(line));
	assert_string_equal(line, "TEXT x=6 y=13 text=\"a\\\"b\\x0a\"");
	m.op = 0x3e;
	xp_msg_format(&m, line, sizeof(line));
	assert_string_equal(line, "UNKNOWN(0x3e)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_every_message),
	    cmocka_unit_test(test_golden_vectors),
	    cmocka_unit_test(test_long_payload_length),
	    cmocka_unit_test(test_truncation_every_boundary),
	    cmocka_unit_test(test_short_payload_is_malformed),
	    cmocka_unit_test(test_oversized_and_unknown),
	    cmocka_unit_test(test_trailing_fields_ignored),
	    cmocka_unit_test(test_random_garbage),
	    cmocka_unit_test(test_version_mismatch),
	    cmocka_unit_test(test_cookie_file),
	    cmocka_unit_test(test_hello_check),
	    cmocka_unit_test(test_compression_many_flushes),
	    cmocka_unit_test(test_corrupt_zlib),
	    cmocka_unit_test(test_zlib_bomb_bounded),
	    cmocka_unit_test(test_zlib_slices),
	    cmocka_unit_test(test_max_rects),
	    cmocka_unit_test(test_socketpair_partial_io),
	    cmocka_unit_test(test_handshake_over_socket),
	    cmocka_unit_test(test_conn_accessors),
	    cmocka_unit_test(test_spec_names_every_opcode),
	    cmocka_unit_test(test_format_lines),
	    cmocka_unit_test(test_cookie_file_kind_and_owner),
	};
	return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
