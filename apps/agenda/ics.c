/*
 * ics.c - iCalendar text at the level of content lines (RFC 5545 section
 * 3.1): a streaming reader that unfolds lines and cuts components out of a
 * file one at a time (so an import holds one event, not the file), the
 * split of a line into name, parameters and value, TEXT escaping, and
 * folding on output. What the values mean is libical's job (tz.c, view.c).
 */
#include "agenda_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- reading ---------------------------------------------------------------- */

/* Bytes read from the file at a time: lines are cut out of this buffer
 * with memchr() rather than a character at a time. */
#define ICS_CHUNK 65536

/* Refills RD's read buffer. >0 bytes read, 0 end of file (or a read error:
 * what was read stays imported, as before). */
static size_t refill(struct ag_ics_reader *rd)
{
	rd->in_pos = 0;
	rd->in_len = fread(rd->in, 1, ICS_CHUNK, rd->f);
	return rd->in_len;
}

/* Reads one physical line (without CR LF) into B. 1 read, 0 EOF, -1 too
 * long (the rest of the line is skipped) or out of memory. */
static int read_physical(struct ag_ics_reader *rd, struct ag_buf *b)
{
	bool got = false, too_long = false;
	b->len = 0;
	if (!rd->in && !(rd->in = malloc(ICS_CHUNK)))
		return -1;
	while (rd->in_pos < rd->in_len || refill(rd)) {
		const char *p = rd->in + rd->in_pos;
		size_t avail = rd->in_len - rd->in_pos;
		const char *nl = memchr(p, '\n', avail);
		size_t n = nl ? (size_t)(nl - p) : avail;
		size_t room = b->len < rd->max_line ? rd->max_line - b->len : 0;
		got = true;
		if (n > room)
			too_long = true;
		ag_buf_bytes(b, p, n < room ? n : room);
		rd->in_pos += n + (nl != NULL);
		if (nl)
			break;
	}
	if (!got)
		return 0;
	rd->lineno++;
	if (b->len && b->data[b->len - 1] == '\r')
		b->len--;
	return too_long || b->oom ? -1 : 1;
}

/* The next physical line that is not empty (some writers put blank lines
 * between a line and its continuation). */
static int fill_next(struct ag_ics_reader *rd)
{
	int rc;
	do
		rc = read_physical(rd, &rd->next);
	while (rc == 1 && rd->next.len == 0);
	rd->have_next = rc != 0;
	if (rc == 0)
		rd->eof = true;
	return rc;
}

int ag_ics_next(struct ag_ics_reader *rd, const char **line)
{
	if (!rd->max_line)
		rd->max_line = AG_MAX_VALUE + 4096;
	if (!rd->have_next && !rd->eof && fill_next(rd) < 0)
		return -1;
	for (;;) {
		if (!rd->have_next)
			return 0;
		struct ag_buf t = rd->cur;
		rd->cur = rd->next;
		rd->next = t;
		int rc = fill_next(rd);
		while (rc > 0 && rd->next.len &&
		       (rd->next.data[0] == ' ' || rd->next.data[0] == '\t')) {
			if (rd->cur.len + rd->next.len > rd->max_line)
				return -1;
			ag_buf_bytes(&rd->cur, rd->next.data + 1, rd->next.len - 1);
			rc = fill_next(rd);
		}
		if (rc < 0)
			return -1;
		ag_buf_u8(&rd->cur, 0);
		if (rd->cur.oom)
			return -1;
		rd->cur.len--;
		const char *s = (const char *)rd->cur.data;
		if (rd->lineno <= 2 && !memcmp(s, "\xef\xbb\xbf", 3))
			s += 3; /* a byte order mark */
		if (*s) {
			*line = s;
			return 1;
		}
	}
}

void ag_ics_reader_finish(struct ag_ics_reader *rd)
{
	ag_buf_finish(&rd->cur);
	ag_buf_finish(&rd->next);
	free(rd->in);
	rd->in = NULL;
	rd->in_pos = rd->in_len = 0;
}

int ag_comp_add(struct ag_comp *c, const char *line)
{
	char *copy = strdup(line);
	if (!copy || ag_grow(&c->lines, &c->cap, c->n + 1, sizeof(*c->lines))) {
		free(copy);
		return -1;
	}
	c->lines[c->n++] = copy;
	c->bytes += strlen(line) + 1;
	return 0;
}

void ag_comp_finish(struct ag_comp *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

static bool is_marker(const char *line, const char *what, const char *name)
{
	size_t n = strlen(what);
	return !strncasecmp(line, what, n) && (!name || !strcasecmp(line + n, name));
}

int ag_comp_read(struct ag_ics_reader *rd, const char *name, size_t max_bytes, struct ag_comp *out)
{
	const char *line;
	int depth = 0, rc;
	bool too_big = false;
	snprintf(out->name, sizeof(out->name), "%s", name);
	while ((rc = ag_ics_next(rd, &line)) == 1) {
		if (is_marker(line, "BEGIN:", NULL))
			depth++;
		else if (is_marker(line, "END:", NULL) && depth-- == 0)
			return too_big ? -2 : 0;
		if (out->bytes + strlen(line) > max_bytes)
			too_big = true;
		else if (ag_comp_add(out, line))
			return -1;
	}
	return -1;
}

int ag_comp_skip(struct ag_ics_reader *rd)
{
	const char *line;
	int depth = 0;
	while (ag_ics_next(rd, &line) == 1) {
		if (is_marker(line, "BEGIN:", NULL))
			depth++;
		else if (is_marker(line, "END:", NULL) && depth-- == 0)
			return 0;
	}
	return -1;
}

char *ag_comp_text(const struct ag_comp *c, size_t from, size_t to)
{
	struct ag_buf b = {0};
	for (size_t i = from; i < to && i < c->n; i++) {
		if (i > from)
			ag_buf_u8(&b, '\n');
		ag_buf_puts(&b, c->lines[i]);
	}
	return ag_buf_steal(&b);
}

/* ---- content lines ------------------------------------------------------------- */

int ag_line_parse(const char *line, struct ag_line *out)
{
	size_t i = 0;
	bool quoted = false;
	while (isalnum((unsigned char)line[i]) || line[i] == '-') {
		if (i + 1 >= sizeof(out->name))
			return -1;
		out->name[i] = (char)toupper((unsigned char)line[i]);
		i++;
	}
	out->name[i] = 0;
	if (i == 0 || (line[i] != ';' && line[i] != ':'))
		return -1;
	out->params = line + i;
	for (; line[i]; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == ':' && !quoted)
			break;
	}
	if (line[i] != ':')
		return -1;
	out->params_len = (size_t)(line + i - out->params);
	out->value = line + i + 1;
	return 0;
}

const char *ag_line_param(const struct ag_line *l, const char *name, char *buf, size_t len)
{
	const char *p = l->params, *end = l->params + l->params_len;
	size_t nl = strlen(name);
	while (p < end && *p == ';') {
		const char *eq = p + 1;
		while (eq < end && *eq != '=' && *eq != ';')
			eq++;
		const char *v = eq < end && *eq == '=' ? eq + 1 : eq, *ve = v;
		bool quoted = false;
		while (ve < end && (quoted || *ve != ';')) {
			if (*ve == '"')
				quoted = !quoted;
			ve++;
		}
		if ((size_t)(eq - p - 1) == nl && !strncasecmp(p + 1, name, nl)) {
			size_t o = 0;
			for (const char *q = v; q < ve && o + 1 < len; q++)
				if (*q != '"')
					buf[o++] = *q;
			buf[o] = 0;
			return buf;
		}
		p = ve;
	}
	return NULL;
}

char *ag_text_unescape(const char *v)
{
	char *out = malloc(strlen(v) + 1), *o = out;
	if (!out)
		return NULL;
	for (; *v; v++) {
		if (*v != '\\' || !v[1]) {
			*o++ = *v;
			continue;
		}
		v++;
		*o++ = *v == 'n' || *v == 'N' ? '\n' : *v;
	}
	*o = 0;
	return out;
}

char *ag_text_escape(const char *s)
{
	struct ag_buf b = {0};
	for (; s && *s; s++) {
		if (*s == '\n') {
			ag_buf_puts(&b, "\\n");
			continue;
		}
		if (*s == '\r')
			continue;
		if (*s == '\\' || *s == ';' || *s == ',')
			ag_buf_u8(&b, '\\');
		ag_buf_u8(&b, (uint8_t)*s);
	}
	return ag_buf_steal(&b);
}

void ag_ics_fold(struct ag_buf *out, const char *line)
{
	size_t n = strlen(line), col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		size_t clen = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
		if (clen && col + clen > 75) {
			ag_buf_puts(out, "\r\n ");
			col = 1;
		}
		ag_buf_u8(out, (uint8_t)line[i]);
		col++;
	}
	ag_buf_puts(out, "\r\n");
}
