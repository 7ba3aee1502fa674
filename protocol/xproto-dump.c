/*
 * xproto-dump - decode a captured xproto byte stream (one direction) into
 * one line per message, as xtrace does for X11.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xproto.h"

static const char usage[] =
    "usage: xproto-dump [--zlib|--no-zlib] [--raw] [FILE]\n"
    "Decode a captured xproto stream (one direction; FILE or stdin) into one\n"
    "line per message: byte offset, frame size, message and fields.\n"
    "  --zlib     the stream is compressed from its first frame\n"
    "  --no-zlib  never switch to zlib, even after HELLO/WELCOME grants it\n"
    "  --raw      the stream has no preamble (starts with a frame)\n"
    "By default a preamble is expected and compression follows the\n"
    "HELLO/WELCOME flags seen in the stream.\n";

enum zmode { Z_FOLLOW, Z_ALWAYS, Z_NEVER };

static void maybe_switch(struct xp_conn *c, const struct xp_msg *m, enum zmode z)
{
	uint32_t flags = 0;
	if (m->op == XP_OP_HELLO)
		flags = m->u.hello.flags;
	else if (m->op == XP_OP_WELCOME)
		flags = m->u.welcome.flags;
	else
		return;
	if (z == Z_FOLLOW && (flags & XP_FLAG_ZLIB))
		xp_conn_enable_zlib(c, true, false);
}

static int dump(FILE *f, enum zmode z, bool raw)
{
	struct xp_conn c;
	struct xp_msg m;
	char line[512], buf[65536];
	uint64_t count = 0, off = raw ? 0 : XP_PREAMBLE_LEN;
	xp_conn_init(&c, -1, UINT32_MAX / 2, !raw);
	if (z == Z_ALWAYS)
		xp_conn_enable_zlib(&c, true, false);
	size_t n;
	int r = 0;
	while (r >= 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		xp_conn_feed(&c, buf, n);
		while ((r = xp_conn_next(&c, &m)) > 0) {
			uint64_t end = c.st.plain_in;
			xp_msg_format(&m, line, sizeof(line));
			printf("%8llu %6llu %s\n", (unsigned long long)off,
			       (unsigned long long)(end - off), line);
			off = end;
			count++;
			maybe_switch(&c, &m, z);
		}
	}
	/* a cut or unreadable capture is not a whole one: the status says so */
	bool cut = r >= 0 && (xp_buf_pending(&c.in_plain) || xp_buf_pending(&c.in_raw));
	if (r < 0)
		fprintf(stderr, "xproto-dump: at byte %llu: %s\n", (unsigned long long)off,
		        c.err.text);
	else if (ferror(f))
		fprintf(stderr, "xproto-dump: cannot read the stream after byte %llu: %s\n",
		        (unsigned long long)c.st.wire_in, strerror(errno));
	else if (cut)
		fprintf(stderr, "xproto-dump: stream ends inside a %s (at byte %llu)\n",
		        raw || c.got_preamble ? "message" : "preamble",
		        (unsigned long long)(raw || c.got_preamble ? off : 0));
	fprintf(stderr, "xproto-dump: %llu messages, %llu bytes on the wire, %llu decoded\n",
	        (unsigned long long)count, (unsigned long long)c.st.wire_in,
	        (unsigned long long)c.st.plain_in);
	int bad = r < 0 || ferror(f) || cut;
	xp_conn_finish(&c);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum zmode z = Z_FOLLOW;
	bool raw = false;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--zlib"))
			z = Z_ALWAYS;
		else if (!strcmp(argv[i], "--no-zlib"))
			z = Z_NEVER;
		else if (!strcmp(argv[i], "--raw"))
			raw = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "xproto-dump: unknown option %s\n%s", argv[i], usage);
			return 2;
		} else if (path) {
			fprintf(stderr, "xproto-dump: one FILE only, not %s and %s\n%s", path,
			        argv[i], usage);
			return 2;
		} else
			path = argv[i];
	}
	FILE *f = path && strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "xproto-dump: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int r = dump(f, z, raw);
	if (f != stdin)
		fclose(f);
	return r;
}
