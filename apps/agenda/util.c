/*
 * util.c - small helpers shared by the replica and the server: SQLite
 * opening (WAL, synchronous=FULL) and field binding, randomness, clocks
 * and struct ag_event ownership.
 */
#include "agenda_int.h"
#include "xproto.h"

#include <errno.h>
#include <fcntl.h>
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

void ag_db_bind_fields(sqlite3_stmt *st, int first, const struct ag_event *ev)
{
	struct ag_event *e = (struct ag_event *)ev;
	for (int f = 0; f < AG_NFIELDS; f++) {
		if (ag_fields[f].kind == AG_INT) {
			sqlite3_bind_int64(st, first + f, *ag_ev_int(e, f));
			continue;
		}
		const char *s = *ag_ev_str(e, f);
		sqlite3_bind_text(st, first + f, s ? s : "", -1, SQLITE_TRANSIENT);
	}
}

int ag_db_load_fields(sqlite3_stmt *st, int first, struct ag_event *ev)
{
	for (int f = 0; f < AG_NFIELDS; f++) {
		if (ag_fields[f].kind == AG_INT) {
			*ag_ev_int(ev, f) = sqlite3_column_int64(st, first + f);
			continue;
		}
		const unsigned char *s = sqlite3_column_text(st, first + f);
		char *copy = strdup(s ? (const char *)s : "");
		if (!copy)
			return -1;
		free(*ag_ev_str(ev, f));
		*ag_ev_str(ev, f) = copy;
	}
	return 0;
}

int ag_db_open(const char *path, sqlite3 **db, char *err, size_t errlen)
{
	*db = NULL;
	if (sqlite3_open(path, db) != SQLITE_OK)
		goto err_open;
	chmod(path, 0600); /* it holds the user's token */
	sqlite3_busy_timeout(*db, 5000);
	if (ag_db_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                    "PRAGMA foreign_keys=ON;"))
		goto err_open;
	return 0;
err_open:
	snprintf(err, errlen, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
	sqlite3_close(*db);
	*db = NULL;
	return -1;
}

int ag_random_hex(char *out, size_t bytes)
{
	uint8_t raw[64];
	if (bytes > sizeof(raw))
		return -1;
	if (getrandom(raw, bytes, 0) != (ssize_t)bytes)
		return -1;
	return xp_hex_encode(raw, bytes, out, 2 * bytes + 1) < 0 ? -1 : 0;
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

void ag_event_finish(struct ag_event *ev)
{
	if (!ev)
		return;
	for (int f = 0; f < AG_NFIELDS; f++)
		if (ag_fields[f].kind == AG_STR) {
			free(*ag_ev_str(ev, f));
			*ag_ev_str(ev, f) = NULL;
		}
}

int ag_event_copy(struct ag_event *dst, const struct ag_event *src)
{
	*dst = *src;
	for (int f = 0; f < AG_NFIELDS; f++)
		if (ag_fields[f].kind == AG_STR)
			*ag_ev_str(dst, f) = NULL;
	for (int f = 0; f < AG_NFIELDS; f++)
		if (ag_ev_field_copy(dst, src, f))
			goto err_copy;
	return 0;
err_copy:
	ag_event_finish(dst);
	return -1;
}

const char *ag_default_path(const char *env_var, const char *name, char *buf, size_t len)
{
	const char *env = env_var ? getenv(env_var) : NULL;
	const char *home = getenv("HOME") ? getenv("HOME") : ".";
	if (env && *env)
		return env;
	snprintf(buf, len, "%s/.local/share", home);
	mkdir(buf, 0700);
	snprintf(buf, len, "%s/.local/share/xproto", home);
	mkdir(buf, 0700);
	snprintf(buf, len, "%s/.local/share/xproto/%s", home, name);
	return buf;
}
