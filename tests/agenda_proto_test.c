/*
 * agenda_proto_test.c - the sync message codec and the server's handling of
 * hostile bytes: every message round-trips; every truncation, bad count,
 * overlong varint, NUL in a string, unknown bit or type is refused; a live
 * agendad answers malformed or oversized messages with ERROR, closes only
 * that connection, keeps serving others and leaves its database unchanged.
 */
#include "agenda_harness.h"
#include "xproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static struct ag_msg sample_push(struct ag_change *ch)
{
	memset(ch, 0, 2 * sizeof(*ch));
	ch[0].kind = AG_CH_EVENT;
	ch[0].id = 0x1122334455667788ull;
	ch[0].uid = strdup("abc");
	ch[0].base = 300;
	ch[0].mtime = 1700000000123;
	ch[0].nparents = 1;
	ch[0].parents[0] = 42;
	ag_kvs_put(&ch[0].entries, "SUMMARY", "SUMMARY:hello", 0);
	ag_kvs_put(&ch[0].entries, "DTSTART", "DTSTART:20261201T090000Z", 0);
	ch[0].entries.v[0].mtime = 1700000000123;
	ch[0].entries.v[1].mtime = 1700000000100;
	ag_kvs_put(&ch[0].stale, "LOCATION", "", 77);
	ch[1].kind = AG_CH_RESOLVE;
	ch[1].id = 9;
	ch[1].conflict = 12;
	struct ag_msg m = {.type = AG_MSG_PUSH};
	m.u.push.ch = ch;
	m.u.push.n = 2;
	return m;
}

static void test_roundtrip(void **state)
{
	struct ag_buf b = {0};
	struct ag_change ch[2];
	struct ag_msg in = sample_push(ch), out;
	const char *why;
	assert_int_equal(ag_msg_encode(&b, &in), 0);
	assert_int_equal(ag_msg_decode(b.data, b.len, &out, &why), 0);
	assert_int_equal(out.u.push.n, 2);
	struct ag_change *c = &out.u.push.ch[0];
	assert_string_equal(c->uid, "abc");
	assert_int_equal(c->id, 0x1122334455667788ull);
	assert_string_equal(ag_kvs_value(&c->entries, "SUMMARY"), "SUMMARY:hello");
	assert_int_equal(ag_kvs_find(&c->entries, "DTSTART")->mtime, 1700000000100);
	assert_int_equal(ag_kvs_find(&c->stale, "LOCATION")->seq, 77);
	assert_int_equal(c->base, 300);
	assert_int_equal(c->parents[0], 42);
	assert_int_equal(out.u.push.ch[1].conflict, 12);
	ag_msg_finish(&out);
	/* every shorter body is refused, whatever its header says */
	size_t body = b.len - 2;
	for (size_t k = 0; k < body; k++) {
		uint8_t frame[512] = {AG_MSG_PUSH, (uint8_t)k};
		memcpy(frame + 2, b.data + 2, k);
		assert_int_equal(ag_msg_decode(frame, k + 2, &out, &why), -1);
		ag_msg_finish(&out);
	}
	ag_buf_finish(&b);
	ag_change_finish(&ch[0]);
	ag_change_finish(&ch[1]);
}

static void test_page_roundtrip(void **state)
{
	struct ag_record rec[2];
	struct ag_msg m = {.type = AG_MSG_PAGE}, out;
	const char *why;
	struct ag_buf b = {0};
	memset(rec, 0, sizeof(rec));
	rec[0].kind = AG_REC_EVENT;
	rec[0].uid = strdup("u1");
	rec[0].flags = AG_REC_WHOLE;
	ag_kvs_put(&rec[0].entries, "LOCATION", "LOCATION:x", 99);
	ag_kvs_put(&rec[0].entries, AG_DELETED, "1", 100);
	rec[1].kind = AG_REC_CONFLICT;
	rec[1].id = 4;
	rec[1].uid = strdup("u1");
	rec[1].key = strdup("DESCRIPTION");
	rec[1].value = strdup("DESCRIPTION:old");
	rec[1].loser = strdup("bob");
	m.u.page.rec = rec;
	m.u.page.n = 2;
	m.u.page.anchor = 1234;
	m.u.page.flags = AG_PAGE_MORE;
	assert_int_equal(ag_msg_encode(&b, &m), 0);
	assert_int_equal(ag_msg_decode(b.data, b.len, &out, &why), 0);
	assert_int_equal(out.u.page.n, 2);
	assert_int_equal(ag_kvs_find(&out.u.page.rec[0].entries, AG_DELETED)->seq, 100);
	assert_int_equal(out.u.page.rec[0].flags, AG_REC_WHOLE);
	assert_string_equal(out.u.page.rec[1].value, "DESCRIPTION:old");
	assert_string_equal(out.u.page.rec[1].loser, "bob");
	assert_int_equal(out.u.page.anchor, 1234);
	ag_msg_finish(&out);
	/* random corruption never crashes (ASan/UBSan watch this) */
	srand(7);
	for (int i = 0; i < 20000; i++) {
		uint8_t copy[512];
		memcpy(copy, b.data, b.len);
		copy[2 + rand() % (b.len - 2)] ^= (uint8_t)(1 + rand() % 255);
		ag_msg_decode(copy, b.len, &out, &why);
		ag_msg_finish(&out);
	}
	ag_buf_finish(&b);
	ag_record_finish(&rec[0]);
	ag_record_finish(&rec[1]);
}

static const char *expect_refused(const uint8_t *frame, size_t len)
{
	struct ag_msg out;
	const char *why = NULL;
	assert_int_equal(ag_msg_decode(frame, len, &out, &why), -1);
	assert_non_null(why);
	ag_msg_finish(&out);
	return why;
}

static void test_hostile_frames(void **state)
{
	size_t hdr, body;
	/* a count of 2^60 changes in a 10-byte body */
	static const uint8_t huge_count[] = {AG_MSG_PUSH, 10,   0x80, 0x80, 0x80, 0x80,
	                                     0x80,        0x80, 0x80, 0x80, 0x10, 0};
	/* an 11-byte varint */
	static const uint8_t long_varint[] = {AG_MSG_ERROR, 12,   0xff, 0xff, 0xff, 0xff, 0xff,
	                                      0xff,         0xff, 0xff, 0xff, 0xff, 0x01, 0};
	/* a string longer than the body */
	static const uint8_t long_str[] = {AG_MSG_ERROR, 3, 1, 100, 'x'};
	/* a NUL byte inside a string */
	static const uint8_t nul_str[] = {AG_MSG_ERROR, 4, 1, 2, 'x', 0};
	/* a key with a control character */
	static const uint8_t bad_key[] = {AG_MSG_PUSH, 22,  1, 0, 1, 0, 0, 0, 0,   0, 0, 0,
	                                  1,           'u', 0, 0, 0, 0, 1, 2, 'A', 1, 0, 0};
	static const uint8_t unknown[] = {0x55, 0};
	static const uint8_t trailing[] = {AG_MSG_WELCOME, 2, 1, 1};
	expect_refused(huge_count, sizeof(huge_count));
	expect_refused(long_varint, sizeof(long_varint));
	expect_refused(long_str, sizeof(long_str));
	expect_refused(nul_str, sizeof(nul_str));
	assert_string_equal(expect_refused(bad_key, sizeof(bad_key)), "bad key");
	expect_refused(unknown, sizeof(unknown));
	expect_refused(trailing, sizeof(trailing));
	/* a header announcing 1 GiB is refused before anything is buffered */
	static const uint8_t big[] = {AG_MSG_PUSH, 0x80, 0x80, 0x80, 0x80, 0x04};
	assert_int_equal(ag_frame_peek(big, sizeof(big), AG_MAX_FRAME, &hdr, &body), -1);
	/* before HELLO, 513 bytes are already too many */
	static const uint8_t pre[] = {AG_MSG_HELLO, 0x81, 0x04};
	assert_int_equal(ag_frame_peek(pre, sizeof(pre), AG_PREAUTH_FRAME, &hdr, &body), -1);
}

/* ---- against a live agendad -------------------------------------------------- */

static int raw_connect(int port)
{
	char addr[32];
	struct xp_error err;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	int fd = xp_net_connect(addr, XP_NET_CLOEXEC, &err);
	assert_true(fd >= 0);
	return fd;
}

/* Reads until EOF (at most 30 s); returns the first message type seen. */
static int read_until_close(int fd)
{
	uint8_t buf[4096];
	int first = -1;
	int64_t end = ag_now_ms() + 30000;
	for (int64_t left = 30000; left > 0; left = end - ag_now_ms()) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return first;
		if (first < 0)
			first = buf[0];
	}
	fail_msg("server kept a bad connection open");
	return first;
}

static void send_all(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void hello_frame(struct ag_buf *b, const char *token_hex)
{
	struct ag_msg m = {.type = AG_MSG_HELLO};
	m.u.hello.version = AG_PROTO_VERSION;
	m.u.hello.user = "alice";
	m.u.hello.agenda = "team";
	m.u.hello.replica = 77;
	m.u.hello.generation = 0;
	m.u.hello.token_len = (size_t)ag_hex_decode(token_hex, m.u.hello.token, AG_MAX_TOKEN);
	assert_int_equal(ag_msg_encode(b, &m), 0);
}

static void bad_session(int port, const uint8_t *bytes, size_t n, const char *token, int want_first)
{
	struct ag_buf b = {0};
	int fd = raw_connect(port);
	if (token)
		hello_frame(&b, token);
	ag_buf_bytes(&b, bytes, n);
	send_all(fd, b.data, b.len);
	int first = read_until_close(fd);
	assert_int_equal(first, want_first);
	close(fd);
	ag_buf_finish(&b);
}

static int srv_setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	h_setup(h);
	*state = h;
	return 0;
}

static int srv_teardown(void **state)
{
	h_teardown(*state);
	free(*state);
	return 0;
}

static void test_server_refuses_garbage(void **state)
{
	struct harness *hp = *state, h;
	char tok[33], u[64], bad_tok[33] = "00000000000000000000000000000000";
	h_user(hp, "alice", AG_RIGHT_RW, tok);
	h_start(hp);
	h = *hp;
	struct ag_replica *a = h_replica(&h, "a.db", "alice", tok);
	h_add(a, "keep me", 1795000000, u);
	h_sync(a);
	char *before = h_dump(a);
	/* a half-sent frame held open must not block anyone */
	int idle = raw_connect(h.port);
	send_all(idle, "\x01\x40", 2);

	static const uint8_t unknown[] = {0x55, 0};
	static const uint8_t big[] = {AG_MSG_PUSH, 0x80, 0x80, 0x80, 0x80, 0x04};
	static const uint8_t early_push[] = {AG_MSG_PUSH, 1, 0};
	static const uint8_t trunc_push[] = {AG_MSG_PUSH, 6, 1, 0, 1, 3, 'u', 'i'};
	/* a 4 MiB PUSH announced before HELLO: refused on its first byte */
	static const uint8_t early_big[] = {AG_MSG_PUSH, 0x80, 0x80, 0x80, 0x02};
	static const uint8_t reply[] = {AG_MSG_PAGE, 2, 0, 0};
	bad_session(h.port, unknown, sizeof(unknown), NULL, AG_MSG_ERROR);
	bad_session(h.port, big, sizeof(big), NULL, AG_MSG_ERROR);
	bad_session(h.port, early_push, sizeof(early_push), NULL, AG_MSG_ERROR);
	bad_session(h.port, early_big, sizeof(early_big), NULL, AG_MSG_ERROR);
	bad_session(h.port, NULL, 0, bad_tok, AG_MSG_ERROR); /* wrong token: ERROR */
	bad_session(h.port, trunc_push, sizeof(trunc_push), tok, AG_MSG_WELCOME);
	bad_session(h.port, reply, sizeof(reply), tok, AG_MSG_WELCOME);
	struct ag_buf junk = {0};
	for (int i = 0; i < 5000; i++)
		ag_buf_u8(&junk, (uint8_t)(i * 37));
	bad_session(h.port, junk.data, junk.len, tok, AG_MSG_WELCOME);
	ag_buf_finish(&junk);

	/* others are still served, and nothing changed */
	struct ag_replica *c = h_replica(&h, "c.db", "alice", tok);
	h_sync(c);
	char *after = h_dump(c);
	assert_string_equal(before, after);
	h_sync(a);
	free(after);
	after = h_dump(a);
	assert_string_equal(before, after);
	free(before);
	free(after);
	close(idle);
	ag_replica_close(a);
	ag_replica_close(c);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Change ids come from a block of kernel randomness: a forked child must
 * not hand out what its parent drew into the block before the fork. */
static void test_random_ids_across_fork(void **state)
{
	(void)state;
	enum { N = 100 };
	uint64_t ids[2 * N + 1];
	int fds[2];
	ids[0] = ag_random_id(); /* the block is filled before the fork */
	assert_int_equal(pipe(fds), 0);
	pid_t kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		uint64_t mine[N];
		for (int i = 0; i < N; i++)
			mine[i] = ag_random_id();
		_exit(write(fds[1], mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	close(fds[1]);
	for (int i = 1; i <= N; i++)
		ids[i] = ag_random_id();
	size_t got = 0;
	while (got < N * sizeof(uint64_t)) {
		ssize_t n = read(fds[0], (char *)(ids + N + 1) + got, N * sizeof(uint64_t) - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(kid, &status, 0), kid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	qsort(ids, 2 * N + 1, sizeof(*ids), cmp_u64);
	for (int i = 0; i < 2 * N + 1; i++) {
		assert_true(ids[i] != 0 && ids[i] <= INT64_MAX);
		if (i)
			assert_true(ids[i] != ids[i - 1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_page_roundtrip),
	    cmocka_unit_test(test_hostile_frames),
	    cmocka_unit_test(test_random_ids_across_fork),
	    cmocka_unit_test_setup_teardown(test_server_refuses_garbage, srv_setup, srv_teardown),
	};
	alarm(600); /* a deadline for a hang, far above a slow run */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
