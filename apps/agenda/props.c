/*
 * props.c - an event's iCalendar content as registers (SYNC.md section 1)
 * and back: a VEVENT's lines become one register per single-valued
 * property, one per member of a multi-valued one (EXDATE, RDATE,
 * CATEGORIES by value, ATTENDEE by address, anything repeated by its hash),
 * one per alarm and one per RECURRENCE-ID override; the export writes them
 * back as VEVENTs. Lines are kept verbatim (only the property name is put
 * in upper case), so nothing a file said is lost on the way.
 */
#include "agenda_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Properties a VEVENT has at most once (RFC 5545 section 3.6.1, 7986). */
static const char *const single_props[] = {
    "CLASS",    "CREATED",  "DESCRIPTION", "DTSTART", "GEO",    "LOCATION", "ORGANIZER",
    "PRIORITY", "SEQUENCE", "STATUS",      "SUMMARY", "TRANSP", "URL",      "RECURRENCE-ID",
    "RRULE",    "DTEND",    "DURATION",    "COLOR",   NULL};
/* Properties that may occur many times: always set members. */
static const char *const multi_props[] = {
    "ATTACH",     "ATTENDEE",  "CATEGORIES",     "COMMENT", "CONTACT",    "EXDATE", "RDATE",
    "RELATED-TO", "RESOURCES", "REQUEST-STATUS", "IMAGE",   "CONFERENCE", NULL};
/* Written by every program anew: derived on export, never merged. */
static const char *const derived_props[] = {"UID", "DTSTAMP", "LAST-MODIFIED", NULL};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/* LINE with its property name in upper case (malloc'd). */
static char *canonical_line(const char *line, const struct ag_line *l)
{
	size_t nl = strlen(l->name);
	char *s = strdup(line);
	if (s)
		memcpy(s, l->name, nl);
	return s;
}

static char *hashed_key(const char *name, const char *line)
{
	char h[17], *k = malloc(strlen(name) + 18);
	ag_hash_hex(line, strlen(line), h);
	if (k)
		sprintf(k, "%s#%s", name, h);
	return k;
}

char *ag_props_member_key(const char *name, const struct ag_line *l, const char *line)
{
	char tzid[128];
	struct ag_buf b = {0};
	ag_buf_puts(&b, name);
	ag_buf_u8(&b, '#');
	if (!strcmp(name, "ATTENDEE")) {
		for (const char *v = l->value; *v; v++)
			ag_buf_u8(&b, (uint8_t)tolower((unsigned char)*v));
	} else if (!strcmp(name, "EXDATE") || !strcmp(name, "RDATE") ||
	           !strcmp(name, "CATEGORIES")) {
		if (ag_line_param(l, "TZID", tzid, sizeof(tzid))) {
			ag_buf_puts(&b, tzid);
			ag_buf_u8(&b, ':');
		}
		ag_buf_puts(&b, l->value);
	} else {
		ag_buf_finish(&b);
		return hashed_key(name, line);
	}
	char *k = ag_buf_steal(&b);
	if (k && (strlen(k) > AG_MAX_KEY || !ag_key_valid(k))) {
		free(k);
		return hashed_key(name, line);
	}
	return k;
}

/* Splits a multi-value line (EXDATE:a,b or CATEGORIES:x,y) into one
 * register per value. */
static int add_members(struct ag_kvs *out, const struct ag_line *l)
{
	bool text = !strcmp(l->name, "CATEGORIES");
	const char *v = l->value;
	int rc = 0;
	while (!rc) {
		const char *e = v;
		while (*e && *e != ',')
			e += text && *e == '\\' && e[1] ? 2 : 1;
		struct ag_buf b = {0};
		ag_buf_puts(&b, l->name);
		ag_buf_bytes(&b, l->params, l->params_len);
		ag_buf_u8(&b, ':');
		ag_buf_bytes(&b, v, (size_t)(e - v));
		char *line = ag_buf_steal(&b);
		struct ag_line one;
		if (!line || ag_line_parse(line, &one)) {
			free(line);
			return -1;
		}
		if (*one.value)
			rc = ag_kvs_put_own(out, ag_props_member_key(l->name, &one, line), line, 0);
		else
			free(line);
		if (!*e)
			break;
		v = e + 1;
	}
	return rc;
}

static int add_property(struct ag_kvs *out, const char *line, char **uid)
{
	struct ag_line l;
	if (ag_line_parse(line, &l))
		return 0; /* not a content line: nothing a reader could use */
	if (!strcmp(l.name, "UID")) {
		free(*uid);
		*uid = strdup(l.value);
		return *uid ? 0 : -1;
	}
	if (in_list(derived_props, l.name))
		return 0;
	if (!strcmp(l.name, "EXDATE") || !strcmp(l.name, "RDATE") || !strcmp(l.name, "CATEGORIES"))
		return add_members(out, &l);
	char *copy = canonical_line(line, &l);
	if (!copy)
		return -1;
	bool single = in_list(single_props, l.name) ||
	              (!in_list(multi_props, l.name) && !ag_kvs_find(out, l.name));
	if (single && ag_kvs_find(out, l.name))
		single = false; /* a second DESCRIPTION in a broken file: kept */
	char *key = single ? strdup(l.name) : ag_props_member_key(l.name, &l, copy);
	return ag_kvs_put_own(out, key, copy, 0);
}

/* Index of the END line closing the BEGIN at I, or N. */
static size_t block_end(const struct ag_comp *c, size_t i)
{
	int depth = 0;
	for (; i < c->n; i++) {
		if (!strncasecmp(c->lines[i], "BEGIN:", 6))
			depth++;
		else if (!strncasecmp(c->lines[i], "END:", 4) && --depth == 0)
			return i;
	}
	return c->n;
}

static int add_block(struct ag_kvs *out, const struct ag_comp *c, size_t from, size_t to)
{
	char name[32];
	snprintf(name, sizeof(name), "%s", c->lines[from] + 6);
	for (char *p = name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	char *text = ag_comp_text(c, from, to + 1);
	if (!text)
		return -1;
	char *key = hashed_key(name, text);
	if (key && !ag_key_valid(key)) {
		free(key);
		key = hashed_key("X-COMPONENT", text);
	}
	return ag_kvs_put_own(out, key, text, 0);
}

/* "@" + the RECURRENCE-ID, with its TZID: the key of an override. */
static char *override_key(const struct ag_comp *c)
{
	char tzid[128];
	for (size_t i = 0; i < c->n; i++) {
		struct ag_line l;
		if (strncasecmp(c->lines[i], "RECURRENCE-ID", 13) ||
		    ag_line_parse(c->lines[i], &l) || strcmp(l.name, "RECURRENCE-ID"))
			continue;
		struct ag_buf b = {0};
		ag_buf_u8(&b, '@');
		if (ag_line_param(&l, "TZID", tzid, sizeof(tzid))) {
			ag_buf_puts(&b, tzid);
			ag_buf_u8(&b, ':');
		}
		ag_buf_puts(&b, l.value);
		char *k = ag_buf_steal(&b);
		if (k && (strlen(k) > AG_MAX_KEY || !ag_key_valid(k))) {
			free(k);
			k = hashed_key("@X", c->lines[i]);
		}
		return k;
	}
	return NULL;
}

static int add_override(struct ag_kvs *out, const struct ag_comp *c, char *key, char **uid)
{
	for (size_t i = 0; i < c->n; i++) {
		struct ag_line l;
		if (!ag_line_parse(c->lines[i], &l) && !strcmp(l.name, "UID")) {
			free(*uid);
			if (!(*uid = strdup(l.value)))
				break;
		}
	}
	return ag_kvs_put_own(out, key, ag_comp_text(c, 0, c->n), 0);
}

int ag_props_from_vevent(const struct ag_comp *c, struct ag_kvs *out, char **uid)
{
	char *okey = override_key(c);
	if (okey)
		return add_override(out, c, okey, uid);
	for (size_t i = 0; i < c->n; i++) {
		int rc;
		if (!strncasecmp(c->lines[i], "BEGIN:", 6)) {
			size_t end = block_end(c, i);
			rc = add_block(out, c, i, end);
			i = end;
		} else {
			rc = add_property(out, c->lines[i], uid);
		}
		if (rc)
			return -1;
	}
	return 0;
}

int ag_props_add_tz(struct ag_kvs *out, const char *tzid, const char *vtimezone)
{
	struct ag_buf k = {0};
	ag_buf_puts(&k, "TZ#");
	ag_buf_puts(&k, tzid);
	char *key = ag_buf_steal(&k);
	if (key && !ag_key_valid(key)) {
		free(key);
		return 0;
	}
	return ag_kvs_put_own(out, key, strdup(vtimezone), 0);
}

/* ---- export ------------------------------------------------------------------------ */

static void put_lines(struct ag_buf *out, const char *text)
{
	while (*text) {
		const char *e = strchr(text, '\n');
		size_t n = e ? (size_t)(e - text) : strlen(text);
		char *line = strndup(text, n);
		if (line)
			ag_ics_fold(out, line);
		else
			out->oom = true;
		free(line);
		text += n + (e ? 1 : 0);
	}
}

static const char *const first_keys[] = {"DTSTART", "DTEND", "DURATION", "RRULE", "SUMMARY", NULL};

/* 0-4 the first keys, 10 other properties, 30 overrides, 40 never exported */
static int key_rank(const char *k)
{
	for (int i = 0; first_keys[i]; i++)
		if (!strcmp(k, first_keys[i]))
			return i;
	return k[0] == '@' ? 30 : !strncmp(k, "TZ#", 3) || !strcmp(k, AG_DELETED) ? 40 : 10;
}

static bool is_block(const char *value)
{
	return !strncasecmp(value, "BEGIN:", 6);
}

static void put_master(const struct ag_kvs *kvs, const char *uid, int64_t mtime, struct ag_buf *out)
{
	char stamp[32];
	time_t t = (time_t)(mtime / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	ag_buf_puts(out, "BEGIN:VEVENT\r\n");
	struct ag_buf line = {0};
	ag_buf_puts(&line, "UID:");
	ag_buf_puts(&line, uid);
	char *u = ag_buf_steal(&line);
	if (u)
		ag_ics_fold(out, u);
	free(u);
	ag_buf_puts(out, "DTSTAMP:");
	ag_buf_puts(out, stamp);
	ag_buf_puts(out, "\r\nLAST-MODIFIED:");
	ag_buf_puts(out, stamp);
	ag_buf_puts(out, "\r\n");
	for (int i = 0; first_keys[i]; i++) {
		const char *v = ag_kvs_value(kvs, first_keys[i]);
		if (v)
			put_lines(out, v);
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < kvs->n; i++) {
			const struct ag_kv *kv = &kvs->v[i];
			if (*kv->value && key_rank(kv->key) == 10 &&
			    is_block(kv->value) == (pass == 1))
				put_lines(out, kv->value);
		}
	ag_buf_puts(out, "END:VEVENT\r\n");
}

void ag_props_to_ics(const struct ag_kvs *kvs, const char *uid, int64_t mtime, struct ag_buf *out)
{
	bool master = false;
	for (size_t i = 0; i < kvs->n && !master; i++)
		master = *kvs->v[i].value && key_rank(kvs->v[i].key) < 30;
	if (master)
		put_master(kvs, uid, mtime, out);
	for (size_t i = 0; i < kvs->n; i++) {
		if (kvs->v[i].key[0] != '@' || !*kvs->v[i].value)
			continue;
		ag_buf_puts(out, "BEGIN:VEVENT\r\n");
		put_lines(out, kvs->v[i].value);
		ag_buf_puts(out, "END:VEVENT\r\n");
	}
}

/* ---- labels for people ------------------------------------------------------------- */

char *ag_props_key_label(const char *key)
{
	static const char *const names[][2] = {
	    {"SUMMARY", "title"},    {"LOCATION", "location"},   {"DESCRIPTION", "notes"},
	    {"DTSTART", "start"},    {"DTEND", "end"},           {"DURATION", "duration"},
	    {"RRULE", "recurrence"}, {AG_DELETED, "deleted"},    {"EXDATE", "exception"},
	    {"RDATE", "extra date"}, {"CATEGORIES", "category"}, {"ATTENDEE", "attendee"},
	    {"VALARM", "alarm"}};
	const char *hash = strchr(key, '#');
	size_t nl = hash ? (size_t)(hash - key) : strlen(key);
	struct ag_buf b = {0};
	if (key[0] == '@') {
		ag_buf_puts(&b, "occurrence ");
		ag_buf_puts(&b, key + 1);
		return ag_buf_steal(&b);
	}
	const char *label = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i][0]) == nl && !strncmp(key, names[i][0], nl))
			label = names[i][1];
	if (label) {
		ag_buf_puts(&b, label);
	} else {
		for (size_t i = 0; i < nl; i++)
			ag_buf_u8(&b, (uint8_t)tolower((unsigned char)key[i]));
	}
	if (hash && strcmp(label ? label : "", "alarm")) {
		ag_buf_u8(&b, ' ');
		ag_buf_puts(&b, hash + 1);
	}
	return ag_buf_steal(&b);
}

char *ag_props_value_label(const char *key, const char *value)
{
	struct ag_line l;
	if (!strcmp(key, AG_DELETED))
		return strdup(*value ? "deleted" : "not deleted");
	if (!*value || is_block(value) || ag_line_parse(value, &l))
		return strdup(*value ? "(component)" : "");
	if (!strcmp(l.name, "SUMMARY") || !strcmp(l.name, "LOCATION") ||
	    !strcmp(l.name, "DESCRIPTION") || !strcmp(l.name, "CATEGORIES"))
		return ag_text_unescape(l.value);
	return strdup(l.value);
}
