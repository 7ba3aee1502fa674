/*
 * agenda_int.h - internals of libagenda shared between its files: byte
 * buffers and the bounded reader, registers (key/value maps), iCalendar
 * lines, time zones and the event view, the sync messages (described once
 * in AG_MESSAGES), the server store and its connection state machine, and
 * the replica's bookkeeping. SYNC.md describes the model and the bytes.
 */
#ifndef AGENDA_INT_H
#define AGENDA_INT_H

#include "agenda.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>

#define AG_PROTO_VERSION 2
#define AG_MAX_FRAME     (4u << 20) /* largest message body accepted */
#define AG_PREAUTH_FRAME 512        /* largest frame before HELLO succeeded */
#define AG_MAX_VALUE     (1u << 20) /* largest register value */
#define AG_MAX_UID       1024
#define AG_MAX_KEY       1024
#define AG_MAX_NAME      64 /* user and agenda names */
#define AG_MAX_TOKEN     64
#define AG_MAX_REFETCH   256  /* uids per PULL */
#define AG_MAX_CHANGES   1024 /* changes per PUSH */
#define AG_MAX_PARENTS   16
#define AG_MAX_ENTRIES   1024         /* keys per change */
#define AG_EVENT_KEYS    4096         /* registers per event */
#define AG_PUSH_CHUNK    256          /* changes per PUSH sent by a replica */
#define AG_CHUNK_BYTES   (1u << 20)   /* soft size limit of a PUSH a replica sends */
#define AG_PAGE_BYTES    (128u << 10) /* soft size limit of a PAGE: ~2 ms to build */
#define AG_MAX_EVENT     (3u << 20)   /* largest event (keys + values) */
#define AG_DEFAULT_PORT  7311
#define AG_DELETED       ":deleted"

/* ---- growable arrays and byte buffers (wire.c) -------------------------- */
/* Makes room for NEED items of SIZE bytes in the array *PTR of capacity
 * *CAP: xu_array_reserve() of util/xputil.h (doubling, overflow checked;
 * pointer and *CAP change together, on success only). 0/-1. New code may
 * call XU_ARRAY_RESERVE() directly. */
int ag_grow(void *ptr, size_t *cap, size_t need, size_t size);

/* Growable output buffer; a failed allocation sets OOM (sticky). */
struct ag_buf {
	uint8_t *data;
	size_t len, cap;
	bool oom;
};
/* Frees the data of B and zeroes it (B itself is the caller's). */
void ag_buf_finish(struct ag_buf *b);
/* Appends N bytes at P; after a failed allocation (OOM set) appends nothing. */
void ag_buf_bytes(struct ag_buf *b, const void *p, size_t n);
/* Appends the byte V. */
void ag_buf_u8(struct ag_buf *b, uint8_t v);
/* Appends V as 8 bytes, little-endian. */
void ag_buf_u64le(struct ag_buf *b, uint64_t v);
/* Appends V as a LEB128 varint (7 bits a byte, 1 to 10 bytes). */
void ag_buf_varint(struct ag_buf *b, uint64_t v);
/* Appends V zigzag-encoded as a varint (small negatives stay short). */
void ag_buf_svarint(struct ag_buf *b, int64_t v);
/* Appends S as a varint length and its bytes (no NUL); NULL is "". */
void ag_buf_str(struct ag_buf *b, const char *s);
/* Appends S (NUL-terminated) without a length. */
void ag_buf_puts(struct ag_buf *b, const char *s);
/* Drops the first N bytes. */
void ag_buf_consume(struct ag_buf *b, size_t n);
/* Returns the contents as a NUL-terminated malloc'd string (the buffer
 * is emptied), or NULL after an allocation failure. */
char *ag_buf_steal(struct ag_buf *b);

/* Bounded reader over untrusted bytes; the first failure sets ERR (sticky)
 * and every later read returns 0/NULL. */
struct ag_rd {
	const uint8_t *p;
	size_t len, pos;
	const char *err;
};
/* Reads one byte; 0 and ERR "truncated" when none is left. */
uint8_t ag_rd_u8(struct ag_rd *r);
/* Reads 8 bytes little-endian; 0 and ERR "truncated" when fewer are left. */
uint64_t ag_rd_u64le(struct ag_rd *r);
/* Reads a LEB128 varint; 0 and ERR set when truncated or over 64 bits. */
uint64_t ag_rd_varint(struct ag_rd *r);
/* Reads a zigzag varint (as ag_buf_svarint() writes); 0 on error. */
int64_t ag_rd_svarint(struct ag_rd *r);
/* Reads a length-prefixed string of MIN..MAX bytes without NUL bytes;
 * returns a malloc'd NUL-terminated copy (or NULL on error). */
char *ag_rd_str(struct ag_rd *r, size_t min, size_t max);
/* Reads a length-prefixed byte string of at most MAX bytes into OUT. */
size_t ag_rd_bytes(struct ag_rd *r, uint8_t *out, size_t max);
/* Bytes not read yet. */
size_t ag_rd_left(const struct ag_rd *r);
/* Sets ERR to WHY (a static string, not copied) unless an error is already set. */
void ag_rd_fail(struct ag_rd *r, const char *why);

/* ---- registers: key -> value maps (kv.c) ---------------------------------- */
struct ag_kv {
	char *key, *value;
	int64_t seq;   /* server sequence number (0: local, not yet known) */
	int64_t mtime; /* in a change: when this key was edited (author clock) */
};
struct ag_kvs {
	struct ag_kv *v;
	size_t n, cap;
	bool sorted; /* by key: lookups are binary searches */
};
/* Sets KEY to VALUE (copies; "" is a removal), replacing an existing
 * entry. 0/-1. */
int ag_kvs_put(struct ag_kvs *s, const char *key, const char *value, int64_t seq);
/* Like ag_kvs_put() but takes ownership of KEY and VALUE (freed on error). */
int ag_kvs_put_own(struct ag_kvs *s, char *key, char *value, int64_t seq);
/* The entry of KEY, or NULL. */
struct ag_kv *ag_kvs_find(const struct ag_kvs *s, const char *key);
/* The non-empty value of KEY, or NULL. */
const char *ag_kvs_value(const struct ag_kvs *s, const char *key);
/* Removes KEY (no-op when absent). */
void ag_kvs_del(struct ag_kvs *s, const char *key);
/* Sorts by key (the order export and comparisons use). */
void ag_kvs_sort(struct ag_kvs *s);
/* Bytes of keys and non-empty values. */
size_t ag_kvs_size(const struct ag_kvs *s);
/* Frees every key, value and the array, and zeroes S; NULL is a no-op. */
void ag_kvs_finish(struct ag_kvs *s);
/* True when KEY is a register key agendad accepts (SYNC.md section 1). */
bool ag_key_valid(const char *key);

/* ---- iCalendar text (ics.c) -------------------------------------------- */
/* A content line split in place: NAME (upper case), PARAMS (";..." or ""),
 * VALUE. */
struct ag_line {
	char name[64];
	const char *params; /* points into the line, up to the ':' */
	size_t params_len;
	const char *value;
};
/* Splits LINE; 0, or -1 when it is not "name[;params]:value". */
int ag_line_parse(const char *line, struct ag_line *out);
/* Copies the value of parameter NAME of L into BUF (quotes removed).
 * Returns BUF, or NULL when absent. */
const char *ag_line_param(const struct ag_line *l, const char *name, char *buf, size_t len);
/* Unescapes an iCalendar TEXT value (\n \, \; \\) into a malloc'd string. */
char *ag_text_unescape(const char *v);
/* Escapes S as a TEXT value (malloc'd). */
char *ag_text_escape(const char *s);
/* Appends LINE folded at 75 octets (never inside a UTF-8 sequence), CRLF. */
void ag_ics_fold(struct ag_buf *out, const char *line);

/* Streaming reader of unfolded content lines. */
struct ag_ics_reader {
	FILE *f;
	struct ag_buf cur, next; /* the line being built, the lookahead */
	bool have_next, eof;
	unsigned long lineno;
	size_t max_line;
	char *in; /* what was read from F and not cut into lines yet */
	size_t in_pos, in_len;
};
/* Reads the next unfolded content line into *LINE (valid until the next
 * call). 1 a line, 0 end of file, -1 a line over the limit. */
int ag_ics_next(struct ag_ics_reader *rd, const char **line);
/* Frees the line buffers of RD; does not close RD->f (the caller's). */
void ag_ics_reader_finish(struct ag_ics_reader *rd);

/* One component's lines (its own BEGIN/END excluded, nested ones kept). */
struct ag_comp {
	char name[32];
	char **lines;
	size_t n, cap;
	size_t bytes;
};
/* Reads the lines up to the END matching BEGIN:NAME (already read). 0, -1
 * on a truncated or oversized component. */
int ag_comp_read(struct ag_ics_reader *rd, const char *name, size_t max_bytes, struct ag_comp *out);
/* Reads past the END matching BEGIN:NAME (already read) without keeping
 * anything. 0, -1 on a truncated component or a line over the limit. */
int ag_comp_skip(struct ag_ics_reader *rd);
/* Adds one line (copied). 0/-1. */
int ag_comp_add(struct ag_comp *c, const char *line);
/* Frees every line of C and the array, and zeroes C. */
void ag_comp_finish(struct ag_comp *c);
/* Joins lines [FROM, TO) of C with "\n". malloc'd. */
char *ag_comp_text(const struct ag_comp *c, size_t from, size_t to);

/* ---- event content (props.c) --------------------------------------------- */
/* Adds the registers of one VEVENT (lines of C) to OUT: the master's
 * properties and alarms, or, when C has a RECURRENCE-ID, one override
 * register. *UID gets the UID (malloc'd, NULL if missing). 0/-1. */
int ag_props_from_vevent(const struct ag_comp *c, struct ag_kvs *out, char **uid);
/* Adds the VTIMEZONE text of TZID to OUT as register TZ#TZID. 0/-1. */
int ag_props_add_tz(struct ag_kvs *out, const char *tzid, const char *vtimezone);
/* Appends event KVS (uid UID, last change MTIME ms) as VEVENT text,
 * overrides included, folded. */
void ag_props_to_ics(const struct ag_kvs *kvs, const char *uid, int64_t mtime, struct ag_buf *out);
/* Register key of one value of a multi-valued property NAME ("EXDATE",
 * "CATEGORIES", "ATTENDEE" ...) written as LINE; malloc'd. */
char *ag_props_member_key(const char *name, const struct ag_line *l, const char *line);
/* A readable name for register KEY ("title", "category Work"), malloc'd. */
char *ag_props_key_label(const char *key);
/* A readable form of register VALUE (the text of a SUMMARY, ...), malloc'd. */
char *ag_props_value_label(const char *key, const char *value);

/* ---- time zones (tz.c) ----------------------------------------------------- */
/* The zone named TZID: an IANA name (also behind a /vendor/ prefix), a
 * Windows name through CLDR, else the VTIMEZONE text given (may be NULL).
 * IANA (may be NULL) receives the IANA name when there is one. Returns a
 * zone owned by libical or by tz.c's cache, or NULL when unknown. */
icaltimezone *ag_tz_lookup(const char *tzid, const char *vtimezone, char *iana, size_t len);
/* The IANA name of Windows zone NAME (CLDR windowsZones.xml), or NULL. */
const char *ag_tz_windows(const char *name);
/* Wall time of Unix time T in zone Z (libical's own
 * icaltime_from_timet_with_zone() labels local time UTC in 3.0.16). */
struct icaltimetype ag_tz_from_unix(int64_t t, icaltimezone *z);
/* Unix time of wall time T in zone Z; Z NULL: floating, in local time. */
int64_t ag_tz_to_unix(struct icaltimetype t, icaltimezone *z);

/* ---- the event view and recurrences (view.c, recur.c) --------------------- */
enum ag_tkind { AG_T_UTC, AG_T_ZONE, AG_T_FLOATING, AG_T_DATE };

/* A parsed DATE / DATE-TIME property value. */
struct ag_dt {
	struct icaltimetype t; /* wall time (zone set for UTC/ZONE) */
	enum ag_tkind kind;
	icaltimezone *zone;
	char tzid[128];
	bool unknown_tz; /* a TZID we could not resolve: floating */
};
/* Parses DATE/DATE-TIME line L (one value; the first of a list) using the
 * event's TZ# registers in KVS. 0/-1. */
int ag_dt_parse(const struct ag_line *l, const struct ag_kvs *kvs, struct ag_dt *out);
/* Unix time of D (floating and dates in the local zone). */
int64_t ag_dt_unix(const struct ag_dt *d);

/* Everything needed to list an event. */
struct ag_view {
	bool has_start;
	struct ag_dt start;
	int64_t dur;    /* seconds (dates: whole days * 86400) */
	char *rrule;    /* RRULE value or NULL (points into KVS) */
	int64_t lo, hi; /* UTC bounds of every possible occurrence */
	bool recurs;    /* RRULE, RDATE or overrides */
};
/* Builds the view of event KVS. 0/-1 (no usable DTSTART and no override). */
int ag_view_build(const struct ag_kvs *kvs, struct ag_view *v);
/* Fills the public view EV of event UID from KVS (strings malloc'd). 0/-1. */
int ag_view_event(const struct ag_kvs *kvs, const char *uid, struct ag_event *ev);

/* Growable list of occurrences. */
struct ag_occ_list {
	struct ag_occurrence *v;
	size_t n, cap;
};
/* Appends the occurrences of event KVS (view V, public view EV) that
 * overlap [FROM, TO) to OUT. 0/-1. */
int ag_expand(const struct ag_kvs *kvs, const struct ag_view *v, const struct ag_event *ev,
              int64_t from, int64_t to, struct ag_occ_list *out);

/* ---- sync messages (sync_proto.c) ------------------------------------------ */
/* X(enum, type byte, name, body struct member) */
#define AG_MESSAGES(X)                                                                             \
	X(AG_MSG_HELLO, 0x01, "HELLO", hello)                                                      \
	X(AG_MSG_PUSH, 0x02, "PUSH", push)                                                         \
	X(AG_MSG_PULL, 0x03, "PULL", pull)                                                         \
	X(AG_MSG_WELCOME, 0x81, "WELCOME", welcome)                                                \
	X(AG_MSG_ACK, 0x82, "ACK", ack)                                                            \
	X(AG_MSG_PAGE, 0x83, "PAGE", page)                                                         \
	X(AG_MSG_ERROR, 0xFF, "ERROR", error)

enum ag_msg_type {
#define X(e, v, n, m) e = v,
	AG_MESSAGES(X)
#undef X
};

enum ag_rights { AG_RIGHT_NONE = 0, AG_RIGHT_READ = 1, AG_RIGHT_RW = 2 };
enum ag_change_kind { AG_CH_EVENT = 0, AG_CH_RESOLVE = 1 };
enum ag_status {
	AG_ST_OK = 0,       /* applied */
	AG_ST_CONFLICT = 1, /* a value lost, a delete refused, a revival: refetch */
	AG_ST_REJECTED = 2, /* not allowed (read-only): refetch */
	AG_ST_INVALID = 3   /* unusable: dropped, refetch */
};
enum ag_rec_kind { AG_REC_EVENT = 0, AG_REC_CONFLICT = 1 };
enum ag_rec_flags { AG_REC_WHOLE = 1, AG_REC_UNKNOWN = 2 };
enum ag_page_flags { AG_PAGE_MORE = 1, AG_PAGE_RESET = 2 };
enum ag_welcome_flags { AG_WELCOME_FORKED = 1 };
enum ag_err_code {
	AG_E_PROTOCOL = 1,
	AG_E_AUTH = 2,
	AG_E_TOO_BIG = 3,
	AG_E_SERVER = 4,
	AG_E_BUSY = 5,
	AG_E_TIMEOUT = 6
};

struct ag_change {
	uint8_t kind;     /* enum ag_change_kind */
	uint64_t id;      /* random change id */
	int64_t conflict; /* AG_CH_RESOLVE: conflict id */
	char *uid;
	int64_t mtime; /* author clock, ms */
	uint64_t base; /* the replica's anchor when the change was made */
	uint64_t parents[AG_MAX_PARENTS];
	size_t nparents;
	struct ag_kvs stale;   /* key -> seq actually seen (value unused) */
	struct ag_kvs entries; /* key -> new value */
	int64_t pid;           /* replica side: pending row */
};

struct ag_record {
	uint8_t kind;  /* enum ag_rec_kind */
	char *uid;     /* both kinds */
	uint8_t flags; /* event: enum ag_rec_flags */
	int64_t mtime;
	struct ag_kvs entries; /* event: key, value, seq */
	/* conflict */
	int64_t id;
	char *key, *value, *loser;
	int64_t loser_mtime;
	uint8_t resolved;
};

struct ag_msg_hello {
	uint64_t version;
	char *user;
	uint8_t token[AG_MAX_TOKEN];
	size_t token_len;
	uint64_t replica, generation;
	char *agenda;
};
struct ag_msg_push {
	struct ag_change *ch;
	size_t n;
};
struct ag_msg_pull {
	uint64_t anchor, page;
	uint8_t flags; /* bit 0: continuing a full resync */
	char **uids;
	size_t n;
};
struct ag_msg_welcome {
	uint8_t rights, flags;
	uint64_t generation;
};
struct ag_ack {
	uint8_t status;
	uint64_t seq;
};
struct ag_msg_ack {
	struct ag_ack *a;
	size_t n;
};
struct ag_msg_page {
	struct ag_record *rec;
	size_t n, cap;
	uint64_t anchor;
	uint8_t flags;
};
struct ag_msg_error {
	uint64_t code;
	char *text;
};

struct ag_msg {
	uint8_t type;
	union {
#define X(e, v, n, m) struct ag_msg_##m m;
		AG_MESSAGES(X)
#undef X
	} u;
};

/* wire.c */
/* Looks at the start of IN (LEN bytes) for a frame [type u8][len varint]
 * [body] of at most MAX body bytes. Returns 1 with *HDR and *BODY set when
 * complete, 0 when more bytes are needed (*HDR set once the header is
 * complete, else 0), -1 on an oversized or malformed header. */
int ag_frame_peek(const uint8_t *in, size_t len, size_t max, size_t *hdr, size_t *body);

/* Decodes one complete frame (header included) into MSG. Returns 0, or -1
 * with a static reason in *WHY; MSG must be released with ag_msg_finish()
 * in both cases. */
int ag_msg_decode(const uint8_t *frame, size_t len, struct ag_msg *msg, const char **why);
/* Appends MSG as one frame to OUT. 0/-1 (allocation failure, too big). */
int ag_msg_encode(struct ag_buf *out, const struct ag_msg *msg);
/* Frees what MSG owns. */
void ag_msg_finish(struct ag_msg *msg);
/* A PUSH body decoded a piece at a time, with the checks of ag_msg_decode()
 * (agendad spreads a large PUSH over loop turns, SYNC.md section 8). */
struct ag_push_dec {
	struct ag_rd r;  /* over the body; its bytes are passed again at each step */
	uint64_t n;      /* changes announced */
	struct ag_msg m; /* the PUSH so far; the caller frees it (ag_msg_finish) */
};
/* Starts decoding the PUSH body BODY (LEN bytes): reads its count and
 * allocates its changes. 0, or -1 with *WHY (D->m must still be finished). */
int ag_push_dec_begin(struct ag_push_dec *d, const uint8_t *body, size_t len, const char **why);
/* Decodes the next changes of the body, which the caller passes again as
 * BODY (the same bytes, perhaps moved), until BUDGET more bytes of it were
 * read (at least one change) or the changes are complete. Returns 1 when
 * the PUSH is complete and the body consumed exactly, 0 when changes are
 * left, -1 with *WHY when the body is invalid. */
int ag_push_dec_step(struct ag_push_dec *d, const uint8_t *body, size_t budget, const char **why);
/* Name of message type TYPE, or "unknown". */
const char *ag_msg_name(uint8_t type);
/* Frees the uid and registers C owns and zeroes C (C itself is the caller's). */
void ag_change_finish(struct ag_change *c);
/* Frees the strings and registers REC owns and zeroes REC. */
void ag_record_finish(struct ag_record *rec);
/* Upper bound of the encoded size of change C. */
size_t ag_change_size(const struct ag_change *c);
/* Upper bound of the encoded size of record REC (a conflict's key, value and
 * loser must be set). */
size_t ag_record_size(const struct ag_record *rec);

/* ---- sqlite and small helpers (util.c) ------------------------------------- */
/* Runs SQL (no rows). 0/-1. */
int ag_db_exec(sqlite3 *db, const char *sql);
/* Creates PATH 0600 if missing (and its parent folder 0700), then opens it
 * with WAL, synchronous=FULL and a busy timeout of BUSY_MS. 0/-1 (ERR). */
int ag_db_open(const char *path, int busy_ms, sqlite3 **db, char *err, size_t errlen);
/* ag_db_open() for a connection used by one thread at a time (SQLite's
 * multi-thread mode: no mutex taken on every call). */
int ag_db_open_nomutex(const char *path, int busy_ms, sqlite3 **db, char *err, size_t errlen);
/* Prepares SQL, or logs why. 0/-1. */
int ag_db_prep(sqlite3 *db, const char *sql, sqlite3_stmt **st);
/* Text column I of ST, never NULL. */
const char *ag_db_text(sqlite3_stmt *st, int i);
/* Creates the folders of PATH (mkdir -p, 0700). 0/-1. */
int ag_mkdirs_for(const char *path);
/* BYTES random bytes as hex in OUT (2 * BYTES + 1). 0/-1. */
int ag_random_hex(char *out, size_t bytes);
/* A random non-zero 64-bit number (63 bits, so it fits SQLite integers). */
uint64_t ag_random_id(void);
/* Now in Unix milliseconds. */
int64_t ag_now_ms(void);
/* Monotonic milliseconds. */
int64_t ag_mono_ms(void);
/* Converts a hex token to bytes. Returns the byte count or -1. */
int ag_hex_decode(const char *hex, uint8_t *out, size_t max);
/* FNV-1a 64 of S as 16 hex digits in OUT (17 bytes). */
void ag_hash_hex(const char *s, size_t n, char *out);
/* strdup() that accepts NULL (gives ""); NULL only when out of memory. */
char *ag_strdup(const char *s);

/* ---- server store (store.c, store_push.c, store_page.c) ---------------------- */
/* Prepared statements of the store, on the writer (W) or the reader (R). */
enum ag_stmt {
	AG_S_EVENT_GET,    /* W */
	AG_S_EVENT_NEW,    /* W */
	AG_S_EVENT_SET,    /* W */
	AG_S_REG_GET,      /* W */
	AG_S_REG_ALL,      /* W */
	AG_S_REG_PUT,      /* W */
	AG_S_SEEN_GET,     /* W */
	AG_S_SEEN_PUT,     /* W */
	AG_S_SEEN_ADD,     /* W */
	AG_S_SEQ_SET,      /* W */
	AG_S_CONF_ADD,     /* W */
	AG_S_CONF_RESOLVE, /* W */
	AG_S_AUTH,         /* R */
	AG_S_TOP,          /* R */
	AG_S_SCAN_REG,     /* R */
	AG_S_SCAN_CONF,    /* R */
	AG_S_R_EVENT,      /* R */
	AG_S_R_REGS,       /* R */
	AG_S_COUNT
};
struct ag_store {
	sqlite3 *db; /* writer: pushes, trimming, administration */
	sqlite3 *rd; /* reader: authentication and pull pages (committed data) */
	sqlite3_stmt *st[AG_S_COUNT];
	int64_t seq;     /* last sequence number handed out */
	int64_t horizon; /* largest sequence number trimmed */
	int64_t durable; /* every sequence number up to it is on disk */
	bool in_txn;
	bool txn_durable;  /* the open transaction's COMMIT fsyncs the WAL */
	bool lazy_pending; /* a commit since the last durable one was not fsynced */
	int sync_level;    /* the writer's PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL */
	bool no_fsync;     /* tests and fuzzers only: every commit OFF, nothing durable */
	int wal_pages;     /* WAL size after the last commit */
	/* the checkpointer thread (agendad only): its own connection folds the
	 * WAL back while the event loop goes on */
	struct {
		sqlite3 *db;
		pthread_t thread;
		bool running;
		atomic_bool stop;
		atomic_int pages;      /* WAL pages after the writer's last commit */
		atomic_int backfilled; /* WAL frames the last checkpoint copied */
		atomic_llong commits;  /* the writer's commits so far */
		atomic_llong last_ms;  /* monotonic time of the last one */
	} ck;
};
/* Statement ID, reset and unbound, ready to bind. */
sqlite3_stmt *ag_store_stmt(struct ag_store *s, enum ag_stmt id);
/* Opens the server database PATH (writer and reader connections). 0/-1. */
int ag_store_open(const char *path, struct ag_store **out, char *err, size_t errlen);
/* Stops and joins the checkpointer thread if it runs, finalizes the statements,
 * closes both connections and frees S; NULL is a no-op. */
void ag_store_close(struct ag_store *s);
/* WAL pages (4 KiB) past which the checkpointer copies the WAL back, and
 * past which push slices wait until it has caught up (SYNC.md section 8). */
#define AG_WAL_SOFT 1024
#define AG_WAL_HARD 2048
/* Starts the checkpointer thread on database PATH (after any fork). While
 * it runs, ag_store_checkpoint() does nothing: the thread checkpoints
 * (PASSIVE) whenever the WAL is over AG_WAL_SOFT pages and truncates it once
 * writes have stopped for a second. 0/-1. */
int ag_store_checkpointer(struct ag_store *s, const char *path, char *err, size_t errlen);
/* True while the WAL is over AG_WAL_HARD pages and not all of it was copied
 * back yet: bulk writes (push slices) should wait a turn; the next write
 * after the copy (ag_store_wal_catch_up) starts the WAL over. */
bool ag_store_wal_full(struct ag_store *s);
/* WAL pages the event loop copies back itself (ag_store_wal_catch_up). */
#define AG_WAL_TAIL 128
/* Between transactions, while ag_store_wal_full(S): when the checkpointer
 * has copied all but at most AG_WAL_TAIL pages, the caller copies the rest
 * (a PASSIVE checkpoint on the writer's connection, so that no write can
 * come in between), and the next write starts the WAL over. Without it,
 * writes that never pause for the length of a checkpoint (a member syncing
 * back to back: every HELLO writes) keep the thread a few frames behind,
 * the WAL never starts over and large pushes wait for good. 1 caught up,
 * 0 not now (busy, a reader needs the tail, or too far behind), -1 error. */
int ag_store_wal_catch_up(struct ag_store *s);
/* Creates user NAME (or renews its token) and writes its token into TOKEN
 * (33 bytes). 0/-1. */
int ag_store_adduser(struct ag_store *s, const char *name, char *token);
/* Grants USER RIGHTS on AGENDA. 0/-1 (unknown user). */
int ag_store_grant(struct ag_store *s, const char *user, const char *agenda, int rights);
/* Who is connected: fixed for a connection once HELLO succeeded. */
struct ag_push_ctx {
	char agenda[AG_MAX_NAME + 1], user[AG_MAX_NAME + 1];
	int64_t aid, user_id;
	int rights;
	uint64_t session;
	int64_t now_ms;
};
/* Checks USER's token and membership of AGENDA (the committed state, so
 * users added while agendad runs are seen). Fills X (rights AG_RIGHT_NONE
 * when unknown, wrong token or not a member). 0, -1 on a database error. */
int ag_store_auth(struct ag_store *s, const char *user, const uint8_t *token, size_t token_len,
                  const char *agenda, struct ag_push_ctx *x);
/* Inside a transaction: checks and rotates the generation of replica
 * REPLICA of X's user on X's agenda (SYNC.md I5). *NEXT gets the new
 * generation (0 when forked), *FORKED whether GEN was stale. The new
 * generation is derived from the row, so it may be handed out before the
 * transaction is durable: if the rotation is lost, the next HELLO with it
 * is still recognised. 0/-1. */
int ag_store_generation(struct ag_store *s, const struct ag_push_ctx *x, uint64_t replica,
                        uint64_t gen, uint64_t *next, bool *forked);
/* Opens a group transaction. DURABLE: its COMMIT returns once it is on
 * disk (synchronous=FULL: the fsync of the WAL, which makes every earlier
 * commit durable too); otherwise the COMMIT only appends to the WAL
 * (synchronous=NORMAL): it survives kill -9 (the page cache has it) and
 * stays consistent, but a power cut may lose it until the next durable
 * commit (SYNC.md I1). 0/-1. */
int ag_store_begin_as(struct ag_store *s, bool durable);
/* ag_store_begin_as(S, true). */
int ag_store_begin(struct ag_store *s);
/* Commits the open transaction; on failure rolls everything back. 0/-1. */
int ag_store_commit(struct ag_store *s);
/* The last sequence number known durable (every commit up to the last
 * durable one, or what the store held when opened). */
uint64_t ag_store_durable(const struct ag_store *s);
/* True when a commit since the last durable one was not fsynced. */
bool ag_store_lazy_pending(const struct ag_store *s);
/* Makes every commit so far durable (a durable commit that changes a
 * counter row, so that the WAL is fsynced); nothing to do when none is
 * pending. Outside a transaction. 0/-1. */
int ag_store_sync(struct ag_store *s);
/* Applies change C (inside ag_store_begin/commit; its own savepoint) and
 * fills ACK. 0, or -1 on a database error (nothing of C applied). */
int ag_store_apply(struct ag_store *s, const struct ag_push_ctx *x, const struct ag_change *c,
                   struct ag_ack *ack);
/* One page of a pull stream. */
struct ag_page_req {
	int64_t aid;
	uint64_t session; /* registers this session wrote are left out */
	uint64_t from;    /* the PULL's anchor */
	uint64_t cursor;  /* scan position: records above it */
	bool full;        /* deleted events' content left out */
	bool sweep;       /* a full resync: the replica drops what it is not sent,
	                     so its own session's writes are sent too */
	uint64_t upto;    /* records above it are not sent (not durable yet) */
	unsigned max;     /* records */
	char **uids;      /* refetched first, whole, over as many pages as needed */
	size_t nuids;
};
/* Fills PAGE from the committed state (reader connection): refetches of
 * REQ's uids first, as many as fit in AG_PAGE_BYTES (at least one), the
 * number taken in *TAKEN; the scan only once every uid was taken (until
 * then the page has MORE and REQ's cursor as its anchor). 0/-1. */
int ag_store_page(struct ag_store *s, const struct ag_page_req *req, struct ag_msg_page *page,
                  size_t *taken);
/* The largest sequence number trimmed away (SYNC.md I8). */
uint64_t ag_store_horizon(struct ag_store *s);
/* Inside a transaction: trims at most MAX_ROWS rows older than RETENTION_MS
 * (tombstones, resolved conflicts, duplicate marks). Returns the number of
 * rows trimmed, or -1. */
int ag_store_trim(struct ag_store *s, int64_t now_ms, int64_t retention_ms, int max_rows);
/* Checkpoints and truncates the WAL when no transaction is open. 0/-1. */
int ag_store_checkpoint(struct ag_store *s);

/* ---- agendad's connection state machine (server_conn.c) --------------------- */
struct ag_server_opts {
	const char *listen; /* "127.0.0.1:7311" */
	const char *db;
	const char *port_file;   /* write the bound port here (tests) */
	unsigned max_clients;    /* 0: 512 */
	unsigned max_handshakes; /* 0: 64 */
	unsigned max_per_user;   /* authenticated connections of one user; 0: 64 */
	int handshake_ms;        /* 0: 5000, absolute */
	int idle_timeout_ms;     /* 0: 120000 */
	int64_t retention_s;     /* 0: 90 days */
	unsigned slice_changes;  /* per connection and turn; 0: 16 */
	size_t slice_bytes;      /* per connection and turn; 0: 64 KiB (a PUSH
	                            frame larger than it is decoded in pieces) */
	bool detach;             /* fork once listening (agendad --detach) */
	bool quiet;              /* no log lines on stderr (the fuzzer) */
};
struct ag_srv;
struct ag_conn;
/* Creates the protocol engine over STORE (not owned) with OPTS (copied,
 * defaults filled in). NULL when out of memory. */
struct ag_srv *ag_srv_create(struct ag_store *store, const struct ag_server_opts *opts);
/* Destroys it and its connections; accepts NULL. */
void ag_srv_destroy(struct ag_srv *s);
/* A new connection (FD is only a label for logs); may close the oldest
 * handshake when too many are open. NULL when out of memory or full. */
struct ag_conn *ag_srv_conn_new(struct ag_srv *s, int fd, int64_t now_ms);
/* How many bytes C may take from its socket now (0: do not read). */
size_t ag_srv_conn_room(const struct ag_conn *c);
/* Hands DATA (at most ag_srv_conn_room() bytes) read from C's socket. */
void ag_srv_conn_input(struct ag_conn *c, const uint8_t *data, size_t len);
/* The bytes C may send now (*LEN of them). */
const uint8_t *ag_srv_conn_output(const struct ag_conn *c, size_t *len);
/* Drops N bytes that were sent. */
void ag_srv_conn_sent(struct ag_conn *c, size_t n);
/* True when C wants to read / has more work ready without input. */
bool ag_srv_conn_wants_read(const struct ag_conn *c);
/* True when C is finished (error sent, or timed out) and may be closed
 * once its output is empty. */
bool ag_srv_conn_done(const struct ag_conn *c);
/* The socket of C was closed or failed: forget C. */
void ag_srv_conn_close(struct ag_srv *s, struct ag_conn *c);
/* One turn: processes every connection's input, applies push slices,
 * produces pull pages, enforces deadlines. What it read may be sent at
 * once; what it wrote waits for ag_srv_commit(). Returns the milliseconds
 * until the next deadline or work (0: more work is ready). */
int ag_srv_turn(struct ag_srv *s, int64_t now_ms);
/* Ends the turn: the group COMMIT, then the answers it held are released
 * (or replaced by ERROR if it failed); expired rows are trimmed and the WAL
 * checkpointed now and then. */
void ag_srv_commit(struct ag_srv *s);
/* The connection to give up when out of file descriptors: the oldest one
 * still in its handshake, or NULL. */
struct ag_conn *ag_srv_shed(struct ag_srv *s);
/* When the table of connections is full: the authenticated connection
 * idle the longest (waiting for its next request, nothing in or out),
 * after an ERROR 5 was queued on it, for the caller to send and close so
 * that a new connection can come in; NULL when none is idle. With
 * DRY_RUN, only says whether there is one (nothing queued). */
struct ag_conn *ag_srv_make_room(struct ag_srv *s, bool dry_run);
/* The label (fd) of connection C. */
int ag_srv_conn_fd(const struct ag_conn *c);
/* Number of connections of S (for the I/O loop). */
size_t ag_srv_nconns(const struct ag_srv *s);
/* Connection I (< ag_srv_nconns()) of S; still owned by S. */
struct ag_conn *ag_srv_conn_at(const struct ag_srv *s, size_t i);

/* server.c */
/* Runs agendad until SIGINT/SIGTERM. Returns the exit status. */
int ag_server_run(const struct ag_server_opts *opts);

/* ---- replica internals (replica.c, replica_edit.c, replica_sync.c) ------------ */
#define AG_STMT_CACHE 64
struct ag_replica {
	sqlite3 *db;
	char err[512];
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[AG_STMT_CACHE];
	int ncache;
};
/* A prepared statement for SQL (a string literal: cached by its address),
 * reset and unbound. Never finalize it; reset it once its rows are read.
 * NULL on error (with R's error set). */
sqlite3_stmt *ag_rstmt(struct ag_replica *r, const char *sql);
/* Sets R's error message (printf style) and returns -1. */
int ag_fail(struct ag_replica *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The integer setting KEY of the meta table, or DFLT when absent or on error. */
int64_t ag_meta_int(struct ag_replica *r, const char *key, int64_t dflt);
/* Stores the integer setting KEY = V. 0, or -1 with R's error set. */
int ag_meta_set_int(struct ag_replica *r, const char *key, int64_t v);
/* Stores the text setting KEY = V (copied by SQLite). 0, or -1 with R's error set. */
int ag_meta_set(struct ag_replica *r, const char *key, const char *v);
/* BEGIN IMMEDIATE. 0, or -1 with R's error "replica busy: ..." set. */
int ag_txn_begin(struct ag_replica *r);
/* COMMIT when RC is 0, else (or when COMMIT fails) ROLLBACK. Returns 0 only
 * when committed; -1 otherwise, without setting R's error. */
int ag_txn_end(struct ag_replica *r, int rc);
/* Loads the registers of UID (with seqs) into OUT. 1 found, 0 absent, -1. */
int ag_entries_load(struct ag_replica *r, const char *uid, struct ag_kvs *out);
/* What ag_entries_with() passes the registers KVS of UID to, with ARG. */
typedef int ag_entries_fn(struct ag_replica *r, const char *uid, const struct ag_kvs *kvs,
                          const void *arg);
/* Loads the registers of UID (ag_entries_load: none is an empty KVS), passes
 * them to FN with ARG and frees them. FN's result, or -1 when they could not
 * be loaded. */
int ag_entries_with(struct ag_replica *r, const char *uid, ag_entries_fn *fn, const void *arg);
/* Finds UID exactly or as a unique prefix (deleted ones when ANY); the full
 * uid into *FULL (malloc'd). 0/-1 with an error. */
int ag_event_find(struct ag_replica *r, const char *uid, bool any, char **full);
/* Recomputes the listing row of UID from its registers (drops the row when
 * it has none). 0/-1. */
int ag_index_update(struct ag_replica *r, const char *uid, int64_t mtime);
/* Like ag_index_update() from registers KVS already in memory (what the
 * entries of UID now hold; none: the row is dropped). 0/-1. */
int ag_index_put(struct ag_replica *r, const char *uid, const struct ag_kvs *kvs, int64_t mtime);
/* Writes the local changes KV (key -> value) to UID and queues them
 * (merged into an unsent change of UID when there is one). Caller holds a
 * transaction. 1 something changed, 0 nothing did, -1 error. */
int ag_local_change(struct ag_replica *r, const char *uid, const struct ag_kvs *kv);
/* ag_local_change() when the caller has just loaded UID's registers into
 * CUR with ag_entries_load() (in the same transaction): saves loading them
 * again. */
int ag_local_change_cur(struct ag_replica *r, const char *uid, const struct ag_kvs *cur,
                        const struct ag_kvs *kv);
/* Loads up to MAX pending changes (oldest first) into OUT and marks them
 * sent, in one transaction. */
int ag_pending_take(struct ag_replica *r, struct ag_change *out, size_t max, size_t *n);
/* Applies the ACK of the N changes SENT. */
int ag_pending_acked(struct ag_replica *r, const struct ag_msg_ack *ack,
                     const struct ag_change *sent, size_t n, struct ag_sync_stats *st);
/* Loads up to AG_MAX_REFETCH uids queued for refetch. */
int ag_refetch_load(struct ag_replica *r, char ***uids, size_t *n);
/* Applies one pulled page in one transaction (with its anchor); a uid
 * queued for refetch leaves the queue once its whole record is applied. */
int ag_page_apply(struct ag_replica *r, const struct ag_msg_page *page, struct ag_sync_stats *st);
/* Starts a full resync (the server said reset): marks everything unseen. */
int ag_full_begin(struct ag_replica *r);
/* Ends it: drops what the server did not send, except pending keys. */
int ag_full_end(struct ag_replica *r);

/* edit.c */
/* Builds the registers an edit E makes to event CUR (NULL: a new event)
 * into OUT. 0/-1 with an error in R. */
int ag_edit_kvs(struct ag_replica *r, const struct ag_kvs *cur, const struct ag_edit *e,
                struct ag_kvs *out);

/* ---- the command line (cli.c, cli_cmd.c, cli_fmt.c: `agenda` only) ----------- */
#define CLI_MAX_LIST 64
struct cli {
	struct ag_replica *r;
	bool json;
	int argc;
	char **argv;
};
/* What the options of one command said. */
struct cli_opts {
	struct ag_edit e;
	struct ag_when start, end;
	char *list[CLI_MAX_LIST]; /* --exdate / --rm-exdate values */
	bool list_add[CLI_MAX_LIST];
	size_t nlist;
	const char *cat[CLI_MAX_LIST];
	bool cat_add[CLI_MAX_LIST];
	size_t ncat;
	const char *server, *user, *token, *agenda, *from, *to;
	bool keep, take;
};
struct cli_command {
	const char *name;
	int (*fn)(struct cli *c, struct cli_opts *o);
};
/* The command NAME, or NULL. */
const struct cli_command *cli_command(const char *name);
/* Parses C's options into O. 0, 1 (an error was printed) or 2 (usage). */
int cli_parse_opts(struct cli *c, struct cli_opts *o);
/* Frees the --exdate / --rm-exdate copies in O (O itself is the caller's). */
void cli_opts_finish(struct cli_opts *o);
/* Prints "agenda: WHAT" (NULL: the replica's error) and returns 1. */
int cli_fail(struct cli *c, const char *what);
/* Writes S (NULL: "") to OUT as a quoted JSON string, escaping '"', '\\' and
 * control characters. */
void cli_json_str(FILE *out, const char *s);
/* One line (or JSON object) for an occurrence START..END of EV. */
void cli_print_event(FILE *out, const struct ag_event *ev, int64_t start, int64_t end, bool json);
/* Every field of EV, then its iCalendar text ICS (may be NULL). */
void cli_print_details(FILE *out, const struct ag_event *ev, const char *ics, bool json);
/* A conflict as one line or a JSON object. */
void cli_print_conflict(FILE *out, const struct ag_conflict *c, bool json);
/* Local midnight that starts the day of time T (seconds since the epoch). */
int64_t cli_day_start(int64_t t);
/* T moved by DAYS calendar days in local time, keeping the time of day (DST-safe
 * through mktime()). */
int64_t cli_add_days(int64_t t, int days);

#endif
