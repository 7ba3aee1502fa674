/*
 * agenda_engine_test.c - agendad's protocol engine (server_conn.c) driven
 * in-process over a real SQLite store, turn by turn as the I/O loop drives
 * it, to check how it spreads the largest PUSH the protocol allows (SYNC.md
 * section 8): the PUSH is decoded a piece per turn, then applied at most a
 * slice per turn; another member's sync is answered between the pieces;
 * the ACK leaves only once everything it acknowledges is durable, and
 * pages never show what is not durable yet. The incremental decoder is
 * checked against the one-piece decoder, valid and invalid bodies alike.
 */
#include "agenda_frames.h"
#include "agenda_harness.h"

#define BIG_CHANGES AG_MAX_CHANGES
#define NOTES       3960 /* bytes of notes per change: a frame just under 4 MiB */

struct eng {
	char dir[64], db[128];
	struct ag_store *store;
	struct ag_srv *srv;
	char tok_a[33], tok_b[33];
	int64_t now;
};

static int eng_setup(void **state)
{
	struct eng *e = calloc(1, sizeof(*e));
	char err[256];
	snprintf(e->dir, sizeof(e->dir), "/tmp/agenda_engine_XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof(e->db), "%s/server.db", e->dir);
	assert_int_equal(ag_store_open(e->db, &e->store, err, sizeof(err)), 0);
	assert_int_equal(ag_store_adduser(e->store, "alice", e->tok_a), 0);
	assert_int_equal(ag_store_adduser(e->store, "bob", e->tok_b), 0);
	assert_int_equal(ag_store_grant(e->store, "alice", "team", AG_RIGHT_RW), 0);
	assert_int_equal(ag_store_grant(e->store, "bob", "team", AG_RIGHT_RW), 0);
	struct ag_server_opts o = {.quiet = true};
	e->srv = ag_srv_create(e->store, &o);
	assert_non_null(e->srv);
	e->now = 1000;
	*state = e;
	return 0;
}

static int eng_teardown(void **state)
{
	struct eng *e = *state;
	char cmd[128];
	ag_srv_destroy(e->srv);
	ag_store_close(e->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static void hello(struct ag_buf *b, const char *user, const char *tok, uint64_t replica)
{
	assert_int_equal(agenda_hello(b, user, tok, replica), 0);
}

/* A PUSH of N new events "UIDBASE-i", each with NOTES_LEN bytes of notes. */
static void push(struct ag_buf *b, size_t n, size_t notes_len, const char *uidbase)
{
	struct ag_change *ch = calloc(n, sizeof(*ch));
	char *notes = malloc(notes_len + 16), uid[64];
	snprintf(notes, notes_len + 16, "DESCRIPTION:");
	memset(notes + 12, 'n', notes_len);
	notes[12 + notes_len] = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(uid, sizeof(uid), "%s-%zu", uidbase, i);
		ch[i].kind = AG_CH_EVENT;
		ch[i].id = ag_random_id();
		ch[i].uid = strdup(uid);
		ch[i].mtime = 1700000000000;
		ag_kvs_put(&ch[i].entries, "SUMMARY", "SUMMARY:engine", 0);
		ag_kvs_put(&ch[i].entries, "DESCRIPTION", notes, 0);
		ag_kvs_sort(&ch[i].entries);
	}
	struct ag_msg m = {.type = AG_MSG_PUSH};
	m.u.push.ch = ch;
	m.u.push.n = n;
	assert_int_equal(ag_msg_encode(b, &m), 0);
	for (size_t i = 0; i < n; i++)
		ag_change_finish(&ch[i]);
	free(ch);
	free(notes);
}

static void pull(struct ag_buf *b)
{
	struct ag_msg m = {.type = AG_MSG_PULL};
	assert_int_equal(ag_msg_encode(b, &m), 0);
}

/* Hands C as much of B as it takes now; returns how much is left. */
static size_t feed(struct ag_conn *c, struct ag_buf *b)
{
	size_t n = ag_srv_conn_room(c);
	n = n < b->len ? n : b->len;
	ag_srv_conn_input(c, b->data, n);
	ag_buf_consume(b, n);
	return b->len;
}

/* What a connection received, frame by frame. */
struct seen {
	bool welcome, ack, last_page, error;
	uint64_t ack_max_seq, page_anchor;
	size_t page_records, pages, max_frame, whole;
};

static void drain(struct ag_conn *c, struct seen *w)
{
	size_t len, hdr, body;
	const uint8_t *out;
	while ((out = ag_srv_conn_output(c, &len)) && len) {
		struct ag_msg m;
		const char *why;
		assert_int_equal(ag_frame_peek(out, len, AG_MAX_FRAME, &hdr, &body), 1);
		assert_int_equal(ag_msg_decode(out, hdr + body, &m, &why), 0);
		w->max_frame = hdr + body > w->max_frame ? hdr + body : w->max_frame;
		w->welcome |= m.type == AG_MSG_WELCOME;
		w->error |= m.type == AG_MSG_ERROR;
		if (m.type == AG_MSG_ACK) {
			w->ack = true;
			for (size_t i = 0; i < m.u.ack.n; i++)
				if (m.u.ack.a[i].seq > w->ack_max_seq)
					w->ack_max_seq = m.u.ack.a[i].seq;
		}
		if (m.type == AG_MSG_PAGE) {
			w->page_records += m.u.page.n;
			w->pages++;
			for (size_t i = 0; i < m.u.page.n; i++)
				w->whole += (m.u.page.rec[i].flags & AG_REC_WHOLE) != 0;
			w->page_anchor = m.u.page.anchor;
			w->last_page = !(m.u.page.flags & AG_PAGE_MORE);
		}
		ag_msg_finish(&m);
		ag_srv_conn_sent(c, hdr + body);
	}
}

/* CPU time of this thread in ms (a turn's own work, whatever the load). */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One turn as server.c runs it: the turn, what may leave before the
 * COMMIT, the COMMIT, what it released. */
static void turn(struct eng *e, struct ag_conn *a, struct seen *sa, struct ag_conn *b,
                 struct seen *sb)
{
	e->now += 1;
	ag_srv_turn(e->srv, e->now);
	drain(a, sa);
	if (b)
		drain(b, sb);
	ag_srv_commit(e->srv);
	drain(a, sa);
	if (b)
		drain(b, sb);
}

/* A new connection FD of USER (replica REPLICA) whose HELLO was answered. */
static struct ag_conn *greeted(struct eng *e, int fd, const char *user, const char *tok,
                               uint64_t replica, struct seen *w)
{
	struct ag_buf in = {0};
	struct ag_conn *c = ag_srv_conn_new(e->srv, fd, e->now);
	hello(&in, user, tok, replica);
	assert_int_equal(feed(c, &in), 0);
	turn(e, c, w, NULL, NULL);
	assert_true(w->welcome);
	ag_buf_finish(&in);
	return c;
}

/* A new connection FD of USER (replica REPLICA) with its HELLO and a PULL
 * from 0 handed in, for the next turn. */
static struct ag_conn *pulling(struct eng *e, int fd, const char *user, const char *tok,
                               uint64_t replica)
{
	struct ag_buf in = {0};
	struct ag_conn *c = ag_srv_conn_new(e->srv, fd, e->now);
	hello(&in, user, tok, replica);
	pull(&in);
	assert_int_equal(feed(c, &in), 0);
	ag_buf_finish(&in);
	return c;
}

/* Alice's PUSH of 1,024 changes (~4 MiB): decoded in pieces (no change
 * applied in the first turns), then at most a slice (16 changes) a turn,
 * each slice committed; bob's sync started in the middle is answered in
 * the next turn, long before alice's ACK. */
static void test_big_push_spread_over_turns(void **state)
{
	struct eng *e = *state;
	struct ag_buf in = {0};
	struct seen sa = {0}, sb = {0};
	struct ag_conn *a = greeted(e, 10, "alice", e->tok_a, 1, &sa);
	push(&in, BIG_CHANGES, NOTES, "big");
	assert_true(in.len > AG_MAX_FRAME - 64 * 1024); /* the largest frame, near enough */
	assert_int_equal(feed(a, &in), 0);
	int64_t seq0 = e->store->seq;
	int turns = 0, decode_turns = 0, slice_turns = 0, bob_done = 0;
	double longest = 0;
	struct ag_conn *b = NULL;
	while (!sa.ack && turns < 10000) {
		bool bob_now = !b && e->store->seq - seq0 >= 512; /* halfway: bob syncs */
		if (bob_now)
			b = pulling(e, 11, "bob", e->tok_b, 2);
		int64_t before = e->store->seq;
		double t0 = cpu_ms();
		turn(e, a, &sa, b, &sb);
		double ms = cpu_ms() - t0;
		longest = ms > longest ? ms : longest;
		turns++;
		int64_t applied = e->store->seq - before;
		assert_true(applied <= 16); /* at most one slice a turn */
		decode_turns += e->store->seq == seq0;
		slice_turns += applied > 0;
		if (bob_now)
			assert_true(sb.welcome && sb.page_records > 0); /* answered at once */
		if (b && sb.last_page && !bob_done)
			bob_done = turns; /* its pull: ~2 MiB, a page a turn */
	}
	assert_true(bob_done > 0 && bob_done < turns);
	assert_true(sa.ack);
	assert_false(sa.error);
	assert_int_equal(e->store->seq - seq0, BIG_CHANGES);
	/* 4 MiB decoded 256 KiB a turn, then 1,024 changes 16 a turn */
	assert_true(decode_turns >= 12);
	assert_true(slice_turns >= BIG_CHANGES / 16);
	/* the ACK left once everything it acknowledges was durable */
	assert_true(ag_store_durable(e->store) >= sa.ack_max_seq);
	assert_false(ag_store_lazy_pending(e->store));
	print_message("a 4 MiB PUSH: %d turns decoding, %d turns applying (%d in all); bob's "
	              "sync done at turn %d; the longest turn took %.1f ms of CPU\n",
	              decode_turns, slice_turns, turns, bob_done, longest);
	ag_buf_finish(&in);
}

/* Slices of a PUSH still going on are committed without an fsync; a pull
 * meanwhile shows none of them (pages show durable data only, SYNC.md I1),
 * and everything once the PUSH was acknowledged. */
static void test_pages_show_durable_data_only(void **state)
{
	struct eng *e = *state;
	struct ag_buf in = {0};
	struct seen sa = {0}, sb = {0};
	struct ag_conn *a = greeted(e, 10, "alice", e->tok_a, 1, &sa);
	push(&in, 200, 100, "lazy");
	assert_int_equal(feed(a, &in), 0);
	for (int i = 0; i < 2; i++) /* two slices */
		turn(e, a, &sa, NULL, NULL);
	assert_false(sa.ack);
	assert_true(e->store->seq > 0);
	assert_true(ag_store_lazy_pending(e->store)); /* no fsync per slice */
	assert_int_equal(ag_store_durable(e->store), 0);
	struct ag_conn *b = pulling(e, 11, "bob", e->tok_b, 2);
	turn(e, a, &sa, b, &sb);
	assert_true(sb.last_page);
	assert_int_equal(sb.page_records, 0);
	assert_true(sb.page_anchor <= ag_store_durable(e->store));
	for (int i = 0; i < 1000 && !sa.ack; i++)
		turn(e, a, &sa, b, &sb);
	assert_true(sa.ack);
	struct seen sc = {0};
	struct ag_conn *c = pulling(e, 12, "bob", e->tok_b, 3);
	turn(e, a, &sa, c, &sc);
	assert_true(sc.last_page);
	assert_int_equal(sc.page_records, 200);
	assert_int_equal(sc.page_anchor, e->store->seq);
	ag_buf_finish(&in);
}

/* A PUSH whose changes are fine until the last one is refused whole:
 * decoding ends before anything is applied, whatever the pieces. */
static void test_bad_big_push_changes_nothing(void **state)
{
	struct eng *e = *state;
	struct ag_buf in = {0};
	struct seen sa = {0};
	struct ag_conn *a = greeted(e, 10, "alice", e->tok_a, 1, &sa);
	push(&in, 300, 1000, "bad");
	in.data[in.len - 5] = 0; /* a NUL inside the last change's last value */
	assert_int_equal(feed(a, &in), 0);
	for (int i = 0; i < 100 && !sa.error; i++)
		turn(e, a, &sa, NULL, NULL);
	assert_true(sa.error);
	assert_false(sa.ack);
	assert_int_equal(e->store->seq, 0);
	ag_buf_finish(&in);
}

/* Bob syncing back to back (a HELLO, which writes, and a PULL from his
 * last anchor, on a new connection each time) while alice pushes FRAMES of
 * the largest PUSH, with the checkpointer thread running as in agendad.
 * Every HELLO commits, so the thread never catches up alone: the event
 * loop copies its last frames itself (ag_store_wal_catch_up), the WAL
 * starts over, and alice's pushes are not held back for good. Before,
 * they waited for a pause in bob's writes that never came, while the WAL
 * grew past 50 MiB. */
static void test_wal_starts_over_under_constant_syncs(void **state)
{
	enum { FRAMES = 3, MAX_TURNS = 50000 };
	struct eng *e = *state;
	char err[256];
	assert_int_equal(ag_store_checkpointer(e->store, e->db, err, sizeof(err)), 0);
	struct ag_buf in = {0}, bin = {0};
	struct seen sa = {0}, sb = {0};
	struct ag_conn *a = greeted(e, 10, "alice", e->tok_a, 1, &sa), *b = NULL;
	int turns = 0, pushed = 0, acks = 0, restarts = 0, syncs = 0, wal_max = 0, wal_last = 0;
	int64_t deadline = ag_mono_ms() + 120000;
	for (; acks < FRAMES && turns < MAX_TURNS && ag_mono_ms() < deadline; turns++) {
		if (pushed == acks) { /* the next frame once the last one was acknowledged */
			char base[16];
			snprintf(base, sizeof(base), "w%d", pushed++);
			push(&in, BIG_CHANGES, NOTES, base);
			assert_int_equal(feed(a, &in), 0);
		}
		if (!b) {
			b = ag_srv_conn_new(e->srv, 11, e->now);
			hello(&bin, "bob", e->tok_b, 2);
			struct ag_msg m = {.type = AG_MSG_PULL};
			m.u.pull.anchor = sb.page_anchor;
			assert_int_equal(ag_msg_encode(&bin, &m), 0);
			assert_int_equal(feed(b, &bin), 0);
			sb.last_page = false;
		}
		turn(e, a, &sa, b, &sb);
		assert_false(sa.error || sb.error);
		if (sa.ack) {
			acks++;
			sa.ack = false;
		}
		if (sb.last_page) {
			ag_srv_conn_close(e->srv, b);
			b = NULL;
			syncs++;
		}
		int wal = e->store->wal_pages;
		restarts += wal < wal_last;
		wal_last = wal;
		wal_max = wal > wal_max ? wal : wal_max;
	}
	print_message("%d frames of 4 MiB pushed in %d turns beside %d syncs of bob's; the WAL "
	              "started over %d times, at most %d pages (%.1f MiB)\n",
	              acks, turns, syncs, restarts, wal_max, wal_max / 256.0);
	assert_int_equal(acks, FRAMES);
	assert_true(syncs > 100);
	assert_true(restarts >= 1);
	/* the WAL stays near AG_WAL_HARD: it grew past 13,000 pages before */
	assert_true(wal_max < 3 * AG_WAL_HARD);
	ag_buf_finish(&in);
	ag_buf_finish(&bin);
}

/* A PUSH of one change to event UID: keys X-0..X-(N-1), each LEN bytes of
 * FILL, at MTIME, knowing nothing (base 0, no parents). */
static void push_wide(struct ag_buf *b, const char *uid, int n, size_t len, char fill,
                      int64_t mtime)
{
	struct ag_change ch = {.kind = AG_CH_EVENT, .id = ag_random_id(), .mtime = mtime};
	char *v = malloc(len + 16), key[16];
	ch.uid = strdup(uid);
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "X-%d", i);
		snprintf(v, len + 16, "%s:", key);
		memset(v + strlen(v), fill, len);
		v[len] = 0;
		ag_kvs_put(&ch.entries, key, v, 0);
	}
	ag_kvs_sort(&ch.entries);
	struct ag_msg m = {.type = AG_MSG_PUSH};
	m.u.push.ch = &ch;
	m.u.push.n = 1;
	assert_int_equal(ag_msg_encode(b, &m), 0);
	ag_change_finish(&ch);
	free(v);
}

/* One member's whole sync on a new connection: HELLO, the PUSH in IN (if
 * any), a PULL from 0 refetching the N UIDS, turns until its last page;
 * what it saw in W. */
static void sync_once(struct eng *e, const char *user, const char *tok, uint64_t replica,
                      struct ag_buf *in, char **uids, size_t n, struct seen *w)
{
	struct ag_buf b = {0};
	struct ag_conn *c = ag_srv_conn_new(e->srv, 12, e->now);
	hello(&b, user, tok, replica);
	ag_buf_bytes(&b, in->data, in->len);
	in->len = 0;
	struct ag_msg m = {.type = AG_MSG_PULL};
	m.u.pull.uids = uids;
	m.u.pull.n = n;
	assert_int_equal(ag_msg_encode(&b, &m), 0);
	for (int i = 0; i < 2000 && !w->last_page && !w->error && !ag_srv_conn_done(c); i++) {
		feed(c, &b);
		turn(e, c, w, NULL, NULL);
	}
	ag_srv_conn_close(e->srv, c);
	ag_buf_finish(&b);
}

/* The largest events (3 MiB), with conflicts: a page holds at most one
 * sequence number past its 128 KiB, so it always fits in a frame. */
static void test_largest_events_fit_pages(void **state)
{
	struct eng *e = *state;
	struct ag_buf in = {0};
	struct seen sa = {0}, sb = {0}, sc = {0};
	push_wide(&in, "wide", 3, 1000000, 'a', 1700000000000);
	sync_once(e, "alice", e->tok_a, 1, &in, NULL, 0, &sa);
	assert_true(sa.ack && !sa.error);
	push_wide(&in, "wide", 3, 1000000, 'b', 1700000001000); /* concurrent: 3 conflicts */
	sync_once(e, "bob", e->tok_b, 2, &in, NULL, 0, &sb);
	assert_true(sb.ack && !sb.error);
	sync_once(e, "bob", e->tok_b, 3, &in, NULL, 0, &sc);
	assert_true(sc.last_page && !sc.error);
	assert_int_equal(sc.page_records, 4); /* the event and its 3 conflicts */
	assert_true(sc.max_frame <= AG_MAX_FRAME);
	ag_buf_finish(&in);
}

/* A PULL refetching 12 events of 1 MiB (and 2 the server never had): the
 * refetches are spread over pages like everything else, each page fits
 * in a frame and agendad never builds more than one such page. Before, all
 * refetches went into the first page: 12 MiB built in one turn, then
 * refused by the encoder, and the member's connection closed without a
 * word at every sync (with 256 refetches of 3 MiB events: 768 MiB). */
static void test_refetches_spread_over_pages(void **state)
{
	enum { N = 12 };
	struct eng *e = *state;
	struct ag_buf in = {0};
	struct seen sa = {0}, sb = {0};
	char *uids[N + 2], uid[32];
	for (int i = 0; i < N; i++) {
		snprintf(uid, sizeof(uid), "big-%d", i);
		uids[i] = strdup(uid);
		push_wide(&in, uid, 1, 1000000, 'a', 1700000000000);
	}
	uids[N] = strdup("never-pushed-1");
	uids[N + 1] = strdup("never-pushed-2");
	sync_once(e, "alice", e->tok_a, 1, &in, NULL, 0, &sa);
	assert_true(sa.ack && !sa.error);
	sync_once(e, "bob", e->tok_b, 2, &in, uids, N + 2, &sb);
	print_message("refetch of %d events of 1 MiB: %zu pages, the largest frame %zu bytes\n", N,
	              sb.pages, sb.max_frame);
	assert_true(sb.last_page && !sb.error);
	assert_true(sb.pages >= N / 2);
	assert_true(sb.max_frame <= AG_PAGE_BYTES + 2 * 1000000 + 4096);
	/* every refetch came whole, then the scan brought the 12 events again */
	assert_int_equal(sb.whole, N + 2);
	assert_int_equal(sb.page_records, N + 2 + N);
	for (int i = 0; i < N + 2; i++)
		free(uids[i]);
	ag_buf_finish(&in);
}

/* ---- the incremental decoder ------------------------------------------------- */

/* Decodes the PUSH frame F in pieces of BUDGET bytes; returns the result
 * of the last step, the message in *OUT. */
static int decode_in_pieces(const struct ag_buf *f, size_t budget, struct ag_msg *out,
                            const char **why)
{
	size_t hdr, body;
	struct ag_push_dec d;
	assert_int_equal(ag_frame_peek(f->data, f->len, AG_MAX_FRAME, &hdr, &body), 1);
	int rc = ag_push_dec_begin(&d, f->data + hdr, body, why);
	for (int steps = 0; rc == 0 && steps < 100000; steps++)
		rc = ag_push_dec_step(&d, f->data + hdr, budget, why);
	*out = d.m;
	return rc;
}

static void test_decoder_in_pieces(void **state)
{
	(void)state;
	struct ag_buf f = {0}, again = {0}, once = {0};
	push(&f, 100, 300, "dec");
	static const size_t budgets[] = {0, 1, 500, 4096, 1u << 30};
	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		struct ag_msg m;
		const char *why = NULL;
		assert_int_equal(decode_in_pieces(&f, budgets[i], &m, &why), 1);
		assert_int_equal(m.u.push.n, 100);
		assert_int_equal(ag_msg_encode(&again, &m), 0);
		assert_memory_equal(again.data, f.data, f.len); /* the same message */
		assert_int_equal(again.len, f.len);
		again.len = 0;
		ag_msg_finish(&m);
	}
	/* the same refusals as the one-piece decoder */
	struct ag_msg m;
	const char *why = NULL, *why1 = NULL;
	ag_buf_bytes(&once, f.data, f.len);
	once.data[once.len - 5] = 0; /* a NUL inside the last change's notes */
	assert_int_equal(decode_in_pieces(&once, 700, &m, &why), -1);
	ag_msg_finish(&m);
	assert_int_equal(ag_msg_decode(once.data, once.len, &m, &why1), -1);
	ag_msg_finish(&m);
	assert_string_equal(why, why1);
	once.data[1]++; /* a trailing byte (the body length grows by one) */
	ag_buf_finish(&once);
	ag_buf_bytes(&once, f.data, f.len);
	ag_buf_u8(&once, 0);
	size_t hdr, body;
	assert_int_equal(ag_frame_peek(f.data, f.len, AG_MAX_FRAME, &hdr, &body), 1);
	struct ag_buf t = {0};
	ag_buf_u8(&t, AG_MSG_PUSH);
	ag_buf_varint(&t, body + 1);
	ag_buf_bytes(&t, f.data + hdr, body);
	ag_buf_u8(&t, 0);
	assert_int_equal(decode_in_pieces(&t, 1000, &m, &why), -1);
	assert_string_equal(why, "trailing bytes");
	ag_msg_finish(&m);
	ag_buf_finish(&t);
	ag_buf_finish(&f);
	ag_buf_finish(&again);
	ag_buf_finish(&once);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decoder_in_pieces),
	    cmocka_unit_test_setup_teardown(test_big_push_spread_over_turns, eng_setup,
	                                    eng_teardown),
	    cmocka_unit_test_setup_teardown(test_pages_show_durable_data_only, eng_setup,
	                                    eng_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_big_push_changes_nothing, eng_setup,
	                                    eng_teardown),
	    cmocka_unit_test_setup_teardown(test_wal_starts_over_under_constant_syncs, eng_setup,
	                                    eng_teardown),
	    cmocka_unit_test_setup_teardown(test_largest_events_fit_pages, eng_setup, eng_teardown),
	    cmocka_unit_test_setup_teardown(test_refetches_spread_over_pages, eng_setup,
	                                    eng_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
