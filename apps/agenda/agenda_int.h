/*
 * agenda_int.h - internals of libagenda shared between its files: the byte
 * buffers, the sync messages (described once in AG_MESSAGES), the field
 * table, the server store and the server loop.
 */
#ifndef AGENDA_INT_H
#define AGENDA_INT_H

#include "agenda.h"

#include <sqlite3.h>

#define AG_PROTO_VERSION 1
#define AG_MAX_FRAME     (4u << 20) /* largest message body accepted */
#define AG_MAX_STR       (1u << 20) /* largest string field */
#define AG_MAX_UID       127
#define AG_MAX_TOKEN     64
#define AG_MAX_REFETCH   256        /* uids per PULL */
#define AG_PUSH_CHUNK    256        /* changes per PUSH */
#define AG_CHUNK_BYTES   (1u << 20) /* soft size limit of a PUSH or PAGE */
#define AG_MAX_EVENT     (3u << 20) /* largest event (sum of its strings) */
#define AG_DEFAULT_PORT  7311

/* ---- field table ------------------------------------------------------ */
enum ag_kind { AG_STR, AG_INT };
/* X(enum, column name, kind) in wire order (see agenda.h enum ag_field) */
#define AG_FIELDS(X)                                                                               \
	X(AG_F_TITLE, title, AG_STR)                                                               \
	X(AG_F_START, start, AG_INT)                                                               \
	X(AG_F_END, end, AG_INT)                                                                   \
	X(AG_F_ALLDAY, allday, AG_INT)                                                             \
	X(AG_F_TZ, tz, AG_STR)                                                                     \
	X(AG_F_LOCATION, location, AG_STR)                                                         \
	X(AG_F_NOTES, notes, AG_STR)                                                               \
	X(AG_F_RRULE, rrule, AG_STR)                                                               \
	X(AG_F_EXDATE, exdate, AG_STR)                                                             \
	X(AG_F_DELETED, deleted, AG_INT)

struct ag_field_info {
	const char *name;
	enum ag_kind kind;
	size_t offset; /* of the member in struct ag_event */
};
extern const struct ag_field_info ag_fields[AG_NFIELDS];
/* Pointer to the char * of string field F of EV. */
char **ag_ev_str(struct ag_event *ev, int f);
/* Pointer to the int64_t of integer field F of EV. */
int64_t *ag_ev_int(struct ag_event *ev, int f);
/* True when field F holds the same value in A and B. */
bool ag_ev_field_eq(const struct ag_event *a, const struct ag_event *b, int f);
/* Copies field F from SRC to DST (string duplicated). 0/-1. */
int ag_ev_field_copy(struct ag_event *dst, const struct ag_event *src, int f);
/* Comma-separated column list "title,start,..." of all fields. */
const char *ag_field_columns(void);

/* ---- byte buffers ----------------------------------------------------- */
/* Growable output buffer; a failed allocation sets OOM (sticky). */
struct ag_buf {
	uint8_t *data;
	size_t len, cap;
	bool oom;
};
void ag_buf_finish(struct ag_buf *b);
void ag_buf_bytes(struct ag_buf *b, const void *p, size_t n);
void ag_buf_u8(struct ag_buf *b, uint8_t v);
void ag_buf_u64le(struct ag_buf *b, uint64_t v);
void ag_buf_varint(struct ag_buf *b, uint64_t v);
void ag_buf_svarint(struct ag_buf *b, int64_t v);
void ag_buf_str(struct ag_buf *b, const char *s); /* NULL = "" */
/* Drops the first N bytes. */
void ag_buf_consume(struct ag_buf *b, size_t n);

/* Bounded reader over untrusted bytes; the first failure sets ERR (sticky)
 * and every later read returns 0/NULL. */
struct ag_rd {
	const uint8_t *p;
	size_t len, pos;
	const char *err;
};
uint8_t ag_rd_u8(struct ag_rd *r);
uint64_t ag_rd_u64le(struct ag_rd *r);
uint64_t ag_rd_varint(struct ag_rd *r);
int64_t ag_rd_svarint(struct ag_rd *r);
/* Reads a length-prefixed string of at most MAX bytes without NUL bytes;
 * returns a malloc'd NUL-terminated copy (or NULL on error). */
char *ag_rd_str(struct ag_rd *r, size_t max);
/* Reads a length-prefixed byte string of at most MAX bytes into OUT. */
size_t ag_rd_bytes(struct ag_rd *r, uint8_t *out, size_t max);
void ag_rd_fail(struct ag_rd *r, const char *why);

/* ---- sync messages ---------------------------------------------------- */
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
	AG_ST_DUP = 1,      /* already applied earlier (retried push) */
	AG_ST_CONFLICT = 2, /* applied in part; refetch the event */
	AG_ST_REJECTED = 3, /* not allowed (read-only); refetch */
	AG_ST_INVALID = 4   /* unusable (e.g. unknown conflict); dropped */
};
enum ag_rec_kind { AG_REC_EVENT = 0, AG_REC_CONFLICT = 1 };
enum ag_err_code {
	AG_E_PROTOCOL = 1,
	AG_E_AUTH = 2,
	AG_E_TOO_BIG = 3,
	AG_E_SERVER = 4,
	AG_E_BUSY = 5
};

struct ag_change {
	uint8_t kind;        /* enum ag_change_kind */
	uint64_t counter;    /* per-replica change id, increasing */
	uint64_t base;       /* server version the change is based on */
	int64_t mtime;       /* client clock, ms */
	unsigned mask;       /* fields carried in EV */
	struct ag_event ev;  /* uid + values */
	int64_t conflict_id; /* AG_CH_RESOLVE */
};

struct ag_conflict_rec {
	int64_t id;
	char uid[AG_MAX_UID + 1];
	uint8_t field;
	struct ag_event val; /* value in field FIELD */
	uint64_t loser;
	int64_t loser_mtime;
	uint8_t resolved;
};

struct ag_record {
	uint8_t kind;                /* enum ag_rec_kind */
	unsigned mask;               /* AG_REC_EVENT: fields present */
	struct ag_event ev;          /* uid, version, mtime, values */
	struct ag_conflict_rec conf; /* AG_REC_CONFLICT */
};

struct ag_msg_hello {
	uint64_t version;
	char *user;
	uint8_t token[AG_MAX_TOKEN];
	size_t token_len;
	uint64_t replica;
	char *agenda;
};
struct ag_msg_push {
	struct ag_change *ch;
	size_t n;
};
struct ag_msg_pull {
	uint64_t anchor, page;
	char **uids;
	size_t n;
};
struct ag_msg_welcome {
	uint8_t rights;
};
struct ag_ack {
	uint64_t counter;
	uint8_t status;
};
struct ag_msg_ack {
	struct ag_ack *a;
	size_t n;
};
struct ag_msg_page {
	struct ag_record *rec;
	size_t n;
	uint64_t anchor;
	uint8_t more;
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

/* Looks at the start of IN (LEN bytes) for a frame [type u8][len varint]
 * [body]. Returns 1 with *HDR and *BODY set when complete, 0 when more
 * bytes are needed, -1 on an oversized or malformed header. */
int ag_frame_peek(const uint8_t *in, size_t len, size_t *hdr, size_t *body);
/* Decodes one complete frame (header included) into MSG. Returns 0, or -1
 * with a static reason in *WHY; MSG must be released with ag_msg_finish()
 * in both cases. */
int ag_msg_decode(const uint8_t *frame, size_t len, struct ag_msg *msg, const char **why);
/* Appends MSG as one frame to OUT. 0/-1 (allocation failure). */
int ag_msg_encode(struct ag_buf *out, const struct ag_msg *msg);
/* Frees what MSG owns. */
void ag_msg_finish(struct ag_msg *msg);
/* Name of message type TYPE, or "unknown". */
const char *ag_msg_name(uint8_t type);
/* Encodes/decodes the fields of MASK of EV (shared by changes, records). */
void ag_fields_encode(struct ag_buf *b, unsigned mask, const struct ag_event *ev);
void ag_fields_decode(struct ag_rd *r, unsigned mask, struct ag_event *ev);
/* Upper bound of the encoded size of the fields of MASK of EV. */
size_t ag_fields_size(unsigned mask, const struct ag_event *ev);
void ag_change_finish(struct ag_change *c);
void ag_record_finish(struct ag_record *rec);

/* ---- sqlite helpers ----------------------------------------------------- */
/* Runs SQL (no rows). 0/-1. */
int ag_db_exec(sqlite3 *db, const char *sql);
/* Binds the fields of EV to STMT from parameter FIRST on. */
void ag_db_bind_fields(sqlite3_stmt *st, int first, const struct ag_event *ev);
/* Loads the fields of EV from STMT columns FIRST.. */
int ag_db_load_fields(sqlite3_stmt *st, int first, struct ag_event *ev);
/* Opens DB with WAL, synchronous=FULL, busy timeout. 0/-1 (ERR set). */
int ag_db_open(const char *path, sqlite3 **db, char *err, size_t errlen);
/* 128 random bits as 32 hex characters in OUT (33 bytes). 0/-1. */
int ag_random_hex(char *out, size_t bytes);
/* Now in Unix milliseconds. */
int64_t ag_now_ms(void);

/* ---- server store ------------------------------------------------------- */
struct ag_store;
/* Opens the server database PATH. 0/-1. */
int ag_store_open(const char *path, struct ag_store **out, char *err, size_t errlen);
void ag_store_close(struct ag_store *s);
/* Creates user NAME (or renews its token) and prints its token into TOKEN
 * (33 bytes). 0/-1. */
int ag_store_adduser(struct ag_store *s, const char *name, char *token);
/* Grants USER RIGHTS on AGENDA. 0/-1. */
int ag_store_grant(struct ag_store *s, const char *user, const char *agenda, int rights);
/* Checks USER's token; returns the rights on AGENDA (AG_RIGHT_NONE when
 * unknown, wrong token or no membership). */
int ag_store_auth(struct ag_store *s, const char *user, const uint8_t *token, size_t token_len,
                  const char *agenda);
/* Opens a group transaction (one fsync for every push until commit). */
int ag_store_begin(struct ag_store *s);
/* Commits it (synchronous=FULL); on failure rolls everything back. 0/-1. */
int ag_store_commit(struct ag_store *s);
/* Applies the changes of PUSH from REPLICA as one unit (a savepoint: inside
 * ag_store_begin/commit, or its own transaction otherwise) and fills ACKS
 * (PUSH->n items). 0, or -1 (nothing of this push applied). Durable only
 * once the enclosing transaction committed. */
int ag_store_push(struct ag_store *s, const char *agenda, int rights, uint64_t replica,
                  const struct ag_msg_push *push, struct ag_ack *acks);
/* Fills PAGE with at most MAX records changed after ANCHOR (for REPLICA;
 * its own writes are left out), the refetched UIDS first. 0/-1. */
int ag_store_page(struct ag_store *s, const char *agenda, uint64_t replica, uint64_t anchor,
                  unsigned max, char **uids, size_t nuids, struct ag_msg_page *page);

/* ---- server loop -------------------------------------------------------- */
struct ag_server_opts {
	const char *listen; /* "127.0.0.1:7311" */
	const char *db;
	const char *port_file; /* write the bound port here (tests) */
	unsigned max_clients;  /* 0: 512 */
	int idle_timeout_ms;   /* 0: 120000 */
};
/* Runs agendad until SIGINT/SIGTERM. Returns the exit status. */
int ag_server_run(const struct ag_server_opts *opts);

/* ---- replica internals -------------------------------------------------- */
struct ag_replica {
	sqlite3 *db;
	char err[256];
};
/* Sets R's error message (printf style) and returns -1. */
int ag_fail(struct ag_replica *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads/writes an integer setting. */
int64_t ag_meta_int(struct ag_replica *r, const char *key, int64_t dflt);
int ag_meta_set_int(struct ag_replica *r, const char *key, int64_t v);
int ag_meta_set(struct ag_replica *r, const char *key, const char *v);
/* Loads up to MAX pending changes (oldest first) into OUT. */
int ag_pending_load(struct ag_replica *r, struct ag_change *out, size_t max, size_t *n);
/* Marks pending changes up to COUNTER as sent (frozen). */
int ag_pending_mark_sent(struct ag_replica *r, uint64_t counter);
/* Applies an ACK: drops acknowledged changes, queues refetches. */
int ag_pending_acked(struct ag_replica *r, const struct ag_msg_ack *ack,
                     const struct ag_change *sent, size_t n, struct ag_sync_stats *st);
/* Loads up to MAX uids queued for refetch. */
int ag_refetch_load(struct ag_replica *r, char ***uids, size_t *n);
/* Applies one pulled page in one transaction (with its anchor). */
int ag_page_apply(struct ag_replica *r, const struct ag_msg_page *page, char **refetched,
                  size_t nref);
/* Applies MASK of VALS onto event CUR, stores it and queues the change;
 * the caller holds a transaction. 0/-1. */
int ag_edit_locked(struct ag_replica *r, struct ag_event *cur, const struct ag_event *vals,
                   unsigned mask);
/* Checks the time zone and RRULE of EV; NULL if fine, else the reason. */
const char *ag_ical_check(const struct ag_event *ev);
/* Expands the recurrences of EV over [FROM, TO), appending to *OUT. */
int ag_expand(const struct ag_event *ev, int64_t from, int64_t to, struct ag_occurrence **out,
              size_t *n, size_t *cap);
/* Converts a hex token to bytes. Returns the byte count or -1. */
int ag_hex_decode(const char *hex, uint8_t *out, size_t max);

/* ---- command line helpers (cli_fmt.c, linked into `agenda` only) ----------- */
/* Parses "YYYY-MM-DD[ HH:MM]", "today", "tomorrow", "now" in zone TZ (NULL
 * or "": local time); ALLDAY dates are 00:00 UTC. 0/-1. */
int cli_parse_time(const char *s, const char *tz, bool allday, int64_t *out);
int64_t cli_day_start(int64_t t);
int64_t cli_add_days(int64_t t, int days);
void cli_json_str(FILE *out, const char *s);
/* One line (or JSON object) for an occurrence START..END of EV. */
void cli_print_event(FILE *out, const struct ag_event *ev, int64_t start, int64_t end, bool json);
/* Every field of EV. */
void cli_print_details(FILE *out, const struct ag_event *ev, bool json);

#endif
