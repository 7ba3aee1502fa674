/*
 * util.c - small helpers shared by the replica and the server: SQLite
 * opening (WAL, synchronous=FULL, files 0600 in folders 0700), randomness
 * (drawn from the kernel in blocks), clocks, hashing, address parsing and
 * hex tokens.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int ag_db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "agenda: sql: %s\n", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int ag_db_prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "agenda: sql: %s\n", sqlite3_errmsg(db));
	*st = NULL;
	return -1;
}

const char *ag_db_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

int ag_mkdirs_for(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = 0;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) && errno != EEXIST ? -1 : 0;
}

/* ag_db_open() with extra sqlite3_open_v2() FLAGS. */
static int open_db(const char *path, int busy_ms, int flags, sqlite3 **db, char *err, size_t errlen)
{
	*db = NULL;
	if (strcmp(path, ":memory:")) {
		/* created 0600 before SQLite sees it: it holds the user's token;
		 * its folder must exist (only the default one is made, by
		 * ag_default_path): a mistyped path is an error, not a new file
		 * in new folders */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			goto err_dir;
		close(fd);
	}
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | flags, NULL) !=
	    SQLITE_OK)
		goto err_open;
	sqlite3_busy_timeout(*db, busy_ms);
	if (ag_db_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                    "PRAGMA journal_size_limit=4194304;"))
		goto err_open;
	return 0;
err_dir:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
err_open:
	snprintf(err, errlen, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
	sqlite3_close(*db);
	*db = NULL;
	return -1;
}

/* Random bytes are drawn from the kernel a block at a time: an import
 * hands out an id per event, and a getrandom() each was a tenth of its
 * system time. The block is per thread; a forked child drops the block it
 * inherited (pthread_atfork), so two processes never hand out the same
 * bytes. Bytes handed out are wiped from the block. 256 bytes: getrandom()
 * never returns short for that much. */
#define RANDOM_BLOCK 256
static _Thread_local struct {
	uint8_t b[RANDOM_BLOCK];
	size_t left;
} pool;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_drop(void)
{
	explicit_bzero(&pool, sizeof(pool));
}

static void pool_init(void)
{
	pthread_atfork(NULL, NULL, pool_drop);
}

/* N (at most RANDOM_BLOCK) random bytes into OUT. 0/-1. */
static int random_bytes(void *out, size_t n)
{
	pthread_once(&pool_once, pool_init);
	if (n > RANDOM_BLOCK)
		return -1;
	if (pool.left < n) {
		if (getrandom(pool.b, RANDOM_BLOCK, 0) != RANDOM_BLOCK)
			return -1;
		pool.left = RANDOM_BLOCK;
	}
	uint8_t *p = pool.b + RANDOM_BLOCK - pool.left;
	memcpy(out, p, n);
	explicit_bzero(p, n);
	pool.left -= n;
	return 0;
}

int ag_db_open(const char *path, int busy_ms, sqlite3 **db, char *err, size_t errlen)
{
	return open_db(path, busy_ms, 0, db, err, errlen);
}

int ag_db_open_nomutex(const char *path, int busy_ms, sqlite3 **db, char *err, size_t errlen)
{
	return open_db(path, busy_ms, SQLITE_OPEN_NOMUTEX, db, err, errlen);
}

int ag_random_hex(char *out, size_t bytes)
{
	uint8_t raw[64];
	if (bytes > sizeof(raw))
		return -1;
	if (random_bytes(raw, bytes))
		return -1;
	return xp_hex_encode(raw, bytes, out, 2 * bytes + 1) < 0 ? -1 : 0;
}

uint64_t ag_random_id(void)
{
	static _Thread_local uint64_t fallback;
	uint64_t id = 0;
	while (id == 0) {
		if (random_bytes(&id, sizeof(id))) {
			/* never expected; still unique within this process */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			id = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ ++fallback;
		}
		id &= INT64_MAX;
	}
	return id;
}

int64_t ag_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ag_hash_hex(const char *s, size_t n, char *out)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

char *ag_strdup(const char *s)
{
	return strdup(s ? s : "");
}

int64_t ag_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ag_hex_decode(const char *hex, uint8_t *out, size_t max)
{
	return (int)xp_hex_decode(hex, strlen(hex), out, max);
}

const char *ag_default_path(const char *env_var, const char *name, char *buf, size_t len)
{
	const char *env = env_var ? getenv(env_var) : NULL;
	const char *home = getenv("HOME") ? getenv("HOME") : ".";
	if (env && *env)
		return env;
	snprintf(buf, len, "%s/.local/share/xproto/%s", home, name);
	ag_mkdirs_for(buf); /* a fresh home has no ~/.local yet */
	return buf;
}
