/*
 * agenda_server_fuzz.c - libFuzzer target for agendad's protocol engine and
 * store, driven through its dispatch (server_conn.c) exactly as the I/O loop
 * drives it, with several peers at once: an anonymous one, alice
 * (read-write), a reader and a member of another agenda. The first byte
 * chooses the input's form: raw bytes per peer (the decoder and the
 * pre-authentication rules), or a script of operations the harness encodes
 * as valid PUSH/PULL messages (the merge rules, conflicts, deletes and
 * revivals, slices, pages, trimming). After every input: every byte agendad
 * sent must decode, and no register may sit above the committed sequence.
 *
 * Build and run: make fuzz (fuzz/agenda.fuzzmk lists the sources).
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PEERS 4

static struct ag_store *store;
static char tokens[PEERS][33];
static const char *const users[PEERS] = {"anon", "alice", "reader", "mallory"};
static const char *const agendas[PEERS] = {"team", "team", "team", "other"};

struct fz {
	struct ag_srv *srv;
	struct ag_conn *c[PEERS];
	int64_t now;
	const uint8_t *p;
	size_t left;
	uint64_t ids[16]; /* change ids used so far: parents point at them */
};

static uint8_t take(struct fz *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->p++;
}

static void setup_store(void)
{
	char dir[] = "/tmp/agenda_fuzz_XXXXXX", path[64], err[256];
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/server.db", dir);
	if (ag_store_open(path, &store, err, sizeof(err)))
		abort();
	store->no_fsync = true; /* nothing here must survive a crash */
	for (int i = 0; i < PEERS; i++)
		if (ag_store_adduser(store, users[i], tokens[i]) ||
		    ag_store_grant(store, users[i], agendas[i],
		                   i == 2 ? AG_RIGHT_READ : AG_RIGHT_RW))
			abort();
}

static void reset_store(void)
{
	if (ag_db_exec(store->db, "DELETE FROM events; DELETE FROM entries; DELETE FROM conflicts;"
	                          "DELETE FROM seen; DELETE FROM replicas;"
	                          "UPDATE state SET v=0"))
		abort();
	store->seq = store->horizon = 0;
}

static void send_msg(struct fz *f, int peer, const struct ag_msg *m)
{
	struct ag_buf b = {0};
	if (f->c[peer] && ag_msg_encode(&b, m) == 0)
		ag_srv_conn_input(f->c[peer], b.data, b.len);
	ag_buf_finish(&b);
}

static void connect_peer(struct fz *f, int peer)
{
	f->c[peer] = ag_srv_conn_new(f->srv, 100 + peer, f->now);
	if (peer == 0 || !f->c[peer])
		return; /* peer 0 never says hello */
	struct ag_msg m = {.type = AG_MSG_HELLO};
	m.u.hello.version = AG_PROTO_VERSION;
	m.u.hello.user = (char *)users[peer];
	m.u.hello.agenda = (char *)agendas[peer];
	m.u.hello.replica = 7; /* the same id for everyone: it must not matter */
	m.u.hello.token_len = (size_t)ag_hex_decode(tokens[peer], m.u.hello.token, AG_MAX_TOKEN);
	send_msg(f, peer, &m);
}

/* Reads and checks everything agendad sent to PEER. */
static void drain(struct fz *f, int peer)
{
	size_t len, hdr, body;
	const uint8_t *out;
	while (f->c[peer] && (out = ag_srv_conn_output(f->c[peer], &len)) && len) {
		int rc = ag_frame_peek(out, len, AG_MAX_FRAME, &hdr, &body);
		if (rc != 1)
			abort(); /* agendad sends whole frames */
		struct ag_msg m;
		const char *why;
		if (ag_msg_decode(out, hdr + body, &m, &why))
			abort(); /* and only frames that decode */
		ag_msg_finish(&m);
		ag_srv_conn_sent(f->c[peer], hdr + body);
	}
	if (f->c[peer] && ag_srv_conn_done(f->c[peer])) {
		ag_srv_conn_close(f->srv, f->c[peer]);
		f->c[peer] = NULL;
	}
}

static void turn(struct fz *f)
{
	f->now += 37;
	ag_srv_turn(f->srv, f->now);
	for (int i = 0; i < PEERS; i++)
		drain(f, i);
	ag_srv_commit(f->srv);
	for (int i = 0; i < PEERS; i++)
		drain(f, i);
}

/* ---- scripted operations ------------------------------------------------------------ */

static const char *const keys[] = {"SUMMARY", "LOCATION", AG_DELETED, "EXDATE#1", "@2026", "X-A"};
static const char *const values[] = {"", "1", "SUMMARY:a", "LOCATION:b", "X-A:c", "EXDATE:x"};

static void fuzz_change(struct fz *f, struct ag_change *c, int i)
{
	char uid[8];
	snprintf(uid, sizeof(uid), "u%d", take(f) % 4);
	c->kind = take(f) % 8 == 0 ? AG_CH_RESOLVE : AG_CH_EVENT;
	c->id = take(f) % 24 + 1;
	f->ids[i % 16] = c->id;
	c->conflict = take(f) % 8;
	c->uid = strdup(uid);
	c->mtime = take(f);
	c->base = take(f) % 64;
	c->nparents = take(f) % 3;
	for (size_t k = 0; k < c->nparents; k++)
		c->parents[k] = f->ids[take(f) % 16];
	unsigned n = take(f) % 4 + 1;
	for (unsigned k = 0; k < n; k++) {
		const char *key = keys[take(f) % 6];
		if (!ag_kvs_find(&c->entries, key))
			ag_kvs_put(&c->entries, key, values[take(f) % 6], 0);
	}
	if (take(f) % 4 == 0)
		ag_kvs_put(&c->stale, keys[take(f) % 6], "", take(f) % 64);
	ag_kvs_sort(&c->entries);
	ag_kvs_sort(&c->stale);
}

static void op_push(struct fz *f, int peer)
{
	struct ag_change ch[8];
	struct ag_msg m = {.type = AG_MSG_PUSH};
	size_t n = take(f) % 8 + 1;
	memset(ch, 0, sizeof(ch));
	for (size_t i = 0; i < n; i++)
		fuzz_change(f, &ch[i], (int)i);
	m.u.push.ch = ch;
	m.u.push.n = n;
	send_msg(f, peer, &m);
	for (size_t i = 0; i < n; i++)
		ag_change_finish(&ch[i]);
}

static void op_pull(struct fz *f, int peer)
{
	char *uids[2] = {"u1", "u9"};
	struct ag_msg m = {.type = AG_MSG_PULL};
	m.u.pull.anchor = take(f) % 64;
	m.u.pull.page = take(f) % 4;
	m.u.pull.flags = take(f) & 1;
	m.u.pull.n = take(f) % 3;
	m.u.pull.uids = uids;
	send_msg(f, peer, &m);
}

static void op_raw(struct fz *f, int peer)
{
	size_t n = take(f);
	if (n > f->left)
		n = f->left;
	if (f->c[peer])
		ag_srv_conn_input(f->c[peer], f->p, n);
	f->p += n;
	f->left -= n;
}

static void script(struct fz *f)
{
	for (int ops = 0; f->left && ops < 64; ops++) {
		uint8_t op = take(f);
		int peer = (op >> 4) % PEERS;
		switch (op % 7) {
		case 0:
			op_push(f, peer);
			break;
		case 1:
			op_pull(f, peer);
			break;
		case 2:
			turn(f);
			break;
		case 3:
			if (f->c[peer])
				ag_srv_conn_close(f->srv, f->c[peer]);
			connect_peer(f, peer);
			break;
		case 4:
			if (!ag_store_begin(store)) {
				ag_store_trim(store, ag_now_ms() + 1000, 0, 50);
				ag_store_commit(store);
			}
			break;
		case 5:
			op_raw(f, peer);
			break;
		default:
			f->now += 6000; /* deadlines pass */
			break;
		}
	}
}

static void raw(struct fz *f)
{
	while (f->left) {
		int peer = take(f) % PEERS;
		op_raw(f, peer);
		turn(f);
	}
}

static void check_store(void)
{
	sqlite3_stmt *st;
	if (ag_db_prep(store->db,
	               "SELECT count(*) FROM entries WHERE seq > (SELECT v FROM state WHERE"
	               " k='seq')",
	               &st))
		abort();
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 0)
		abort(); /* a register above the committed sequence */
	sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* tiny slices: pushes are decoded and applied in pieces across turns */
	struct ag_server_opts o = {
	    .handshake_ms = 5000, .slice_changes = 3, .slice_bytes = 96, .quiet = true};
	if (!store)
		setup_store();
	reset_store();
	struct fz f = {.p = data + (size > 0), .left = size ? size - 1 : 0, .now = 1000};
	f.srv = ag_srv_create(store, &o);
	for (int i = 0; i < PEERS; i++)
		connect_peer(&f, i);
	if (size && data[0] & 1)
		script(&f);
	else
		raw(&f);
	for (int i = 0; i < 20; i++)
		turn(&f);
	ag_srv_destroy(f.srv);
	check_store();
	return 0;
}
