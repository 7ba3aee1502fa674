/*
 * script.c - the input script parser. A script is parsed completely before
 * the client connects, so a bad line stops the program with "FILE:LINE:
 * message" and nothing is sent. The format is in thin-client/README.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon.h>

#include "thin_int.h"
#include "xputil.h"

#define MAX_ARGS         4
#define SCRIPT_MAX_BYTES (1u << 20)

struct parse {
	const char *name;
	int line;
	char *err;
	size_t cap;
};

struct cmd_def {
	const char *name;
	enum tc_cmd_kind kind;
	int min_args, max_args;
	int (*parse)(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest);
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->cap, "%s:%d: ", p->name, p->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->cap)
		vsnprintf(p->err + n, p->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_int(struct parse *p, const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return perr(p, "'%s' is not a number in %ld..%ld", s, lo, hi);
	*out = (int)v;
	return 0;
}

static int parse_mods(struct parse *p, char *s, uint32_t *mods)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {{"shift", XP_MOD_SHIFT}, {"ctrl", XP_MOD_CONTROL}, {"control", XP_MOD_CONTROL},
	             {"alt", XP_MOD_ALT},     {"super", XP_MOD_SUPER},  {"logo", XP_MOD_SUPER}};
	*mods = 0;
	for (char *save, *tok = strtok_r(s, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		size_t i = 0;
		while (i < sizeof(names) / sizeof(names[0]) && strcasecmp(names[i].name, tok))
			i++;
		if (i == sizeof(names) / sizeof(names[0]))
			return perr(p, "unknown modifier '%s' (want shift, ctrl, alt, super)", tok);
		*mods |= names[i].bit;
	}
	return 0;
}

static int parse_key(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	xkb_keysym_t ks = xkb_keysym_from_name(argv[0], XKB_KEYSYM_NO_FLAGS);
	if (ks == XKB_KEY_NoSymbol)
		return perr(p, "unknown keysym '%s'", argv[0]);
	cmd->keysym = ks;
	return argc > 1 ? parse_mods(p, argv[1], &cmd->mods) : 0;
}

/* Text must be valid UTF-8 and every character must have a keysym. */
static int parse_type(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	size_t n = strlen(rest), ok = xp_utf8_valid_prefix(rest, n);
	if (ok < n)
		return perr(p, "invalid UTF-8 in text at byte %zu", ok);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = xp_utf8_next(rest + i, n - i, &cp);
		if (xkb_utf32_to_keysym(cp) == XKB_KEY_NoSymbol)
			return perr(p, "no keysym for character U+%04X", cp);
		i += k;
	}
	cmd->text = strdup(rest);
	return cmd->text ? 0 : perr(p, "out of memory");
}

static int parse_ints(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, long lo, long hi)
{
	int *dst[3] = {&cmd->a, &cmd->b, &cmd->c};
	for (int i = 0; i < argc && i < 3; i++)
		if (parse_int(p, argv[i], lo, hi, dst[i]) < 0)
			return -1;
	return 0;
}

static int parse_delay(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	return parse_ints(p, cmd, argc, argv, 0, 3600000);
}

static int parse_xy(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	cmd->c = 1;
	if (parse_ints(p, cmd, argc < 2 ? argc : 2, argv, -16384, 16384) < 0)
		return -1;
	return argc > 2 ? parse_int(p, argv[2], 1, 31, &cmd->c) : 0;
}

/* drag X1 Y1 X2 Y2 [BUTTON] */
static int parse_drag(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	int *dst[4] = {&cmd->a, &cmd->b, &cmd->c, &cmd->d};
	cmd->e = 1;
	for (int i = 0; i < 4; i++)
		if (parse_int(p, argv[i], -16384, 16384, dst[i]) < 0)
			return -1;
	return argc > 4 ? parse_int(p, argv[4], 1, 31, &cmd->e) : 0;
}

static int parse_size(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	return parse_ints(p, cmd, argc, argv, 1, XR_FB_MAX_DIM);
}

static int parse_wait_idle(struct parse *p, struct tc_cmd *cmd, int argc, char **argv,
                           const char *rest)
{
	cmd->a = TC_WAIT_IDLE_MS;
	cmd->b = TC_WAIT_IDLE_TIMEOUT_MS;
	return parse_ints(p, cmd, argc, argv, 0, 3600000);
}

static int parse_wait_windows(struct parse *p, struct tc_cmd *cmd, int argc, char **argv,
                              const char *rest)
{
	cmd->b = TC_WAIT_IDLE_TIMEOUT_MS;
	return parse_ints(p, cmd, argc, argv, 0, 3600000);
}

static int parse_sync(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	cmd->b = TC_WAIT_IDLE_TIMEOUT_MS;
	return argc > 0 ? parse_int(p, argv[0], 0, 3600000, &cmd->b) : 0;
}

/* "X Y RRGGBB [TIMEOUT]", the colour with a leading '!' for "not": x in a,
 * y in c, the time limit in b (as every wait-* command). */
static int parse_wait_pixel(struct parse *p, struct tc_cmd *cmd, int argc, char **argv,
                            const char *rest)
{
	const char *hex = argv[2];
	char *end;
	cmd->b = TC_WAIT_IDLE_TIMEOUT_MS;
	if (parse_int(p, argv[0], 0, XR_FB_MAX_DIM - 1, &cmd->a) < 0 ||
	    parse_int(p, argv[1], 0, XR_FB_MAX_DIM - 1, &cmd->c) < 0 ||
	    (argc > 3 && parse_int(p, argv[3], 0, 3600000, &cmd->b) < 0))
		return -1;
	cmd->rgb_differs = hex[0] == '!';
	hex += cmd->rgb_differs;
	errno = 0;
	unsigned long v = strtoul(hex, &end, 16);
	if (errno || strlen(hex) != 6 || *end || hex[0] == '+' || hex[0] == '-')
		return perr(p, "'%s' is not a colour RRGGBB (or !RRGGBB)", argv[2]);
	cmd->rgb = (uint32_t)v;
	return 0;
}

static int parse_word(struct parse *p, struct tc_cmd *cmd, int argc, char **argv, const char *rest)
{
	cmd->text = strdup(argv[0]);
	return cmd->text ? 0 : perr(p, "out of memory");
}

/* launch APP: the app, and how long its answer may take (b, as waits have) */
static int parse_launch(struct parse *p, struct tc_cmd *cmd, int argc, char **argv,
                        const char *rest)
{
	cmd->b = TC_WAIT_IDLE_TIMEOUT_MS;
	return parse_word(p, cmd, argc, argv, rest);
}

static const struct cmd_def cmds[] = {
    {"key", TC_CMD_KEY, 1, 2, parse_key},
    {"type", TC_CMD_TYPE, 1, 1000, parse_type},
    {"type-delay", TC_CMD_TYPE_DELAY, 1, 1, parse_delay},
    {"click", TC_CMD_CLICK, 2, 3, parse_xy},
    {"move", TC_CMD_MOVE, 2, 2, parse_xy},
    {"resize", TC_CMD_RESIZE, 2, 2, parse_size},
    {"wait", TC_CMD_WAIT, 1, 1, parse_delay},
    {"wait-idle", TC_CMD_WAIT_IDLE, 0, 2, parse_wait_idle},
    {"screenshot", TC_CMD_SCREENSHOT, 1, 1, parse_word},
    {"launch", TC_CMD_LAUNCH, 1, 1, parse_launch},
    {"apps", TC_CMD_APPS, 0, 0, NULL},
    {"quit", TC_CMD_QUIT, 0, 0, NULL},
    {"checkpoint", TC_CMD_CHECKPOINT, 1, 1, parse_word},
    {"wait-update", TC_CMD_WAIT_UPDATE, 0, 2, parse_wait_idle},
    {"wait-windows", TC_CMD_WAIT_WINDOWS, 1, 2, parse_wait_windows},
    {"press", TC_CMD_PRESS, 2, 3, parse_xy},
    {"release", TC_CMD_RELEASE, 2, 3, parse_xy},
    {"drag", TC_CMD_DRAG, 4, 5, parse_drag},
    {"key-down", TC_CMD_KEY_DOWN, 1, 2, parse_key},
    {"key-up", TC_CMD_KEY_UP, 1, 2, parse_key},
    {"windows", TC_CMD_WINDOWS, 0, 0, NULL},
    {"sync", TC_CMD_SYNC, 0, 1, parse_sync},
    {"wait-pixel", TC_CMD_WAIT_PIXEL, 3, 4, parse_wait_pixel},
    {"wait-launched", TC_CMD_WAIT_LAUNCHED, 0, 1, parse_sync},
};

static const struct cmd_def *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int append(struct parse *p, struct tc_script *s, const struct tc_cmd *cmd)
{
	if (XU_ARRAY_RESERVE(s->v, s->cap, s->n + 1) < 0)
		return perr(p, "out of memory");
	s->v[s->n++] = *cmd;
	return 0;
}

/* Split @line into words; @rest gets the text after the command word. */
static int split(char *line, char **argv, const char **rest)
{
	int argc = 0;
	char *save, *tok = strtok_r(line, " \t", &save);
	if (!tok)
		return 0;
	argv[argc++] = tok;
	*rest = save ? save : "";
	while (argc < MAX_ARGS + 1 && (tok = strtok_r(NULL, " \t", &save)))
		argv[argc++] = tok;
	return tok && strtok_r(NULL, " \t", &save) ? MAX_ARGS + 2 : argc;
}

/* The text after the first word and one separator, spaces kept. */
static const char *text_after_word(const char *line)
{
	line += strspn(line, " \t");
	line += strcspn(line, " \t");
	return *line ? line + 1 : line;
}

/* Whether @s has a launch yet (wait-launched waits for the last one's window). */
static bool has_launch(const struct tc_script *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == TC_CMD_LAUNCH)
			return true;
	return false;
}

static int parse_line(struct parse *p, struct tc_script *s, char *line)
{
	char *argv[MAX_ARGS + 1], copy[4096];
	const char *rest = "";
	snprintf(copy, sizeof(copy), "%s", line);
	int argc = split(line, argv, &rest);
	if (argc == 0 || argv[0][0] == '#')
		return 0;
	const struct cmd_def *d = find_cmd(argv[0]);
	if (!d)
		return perr(p, "unknown command '%s'", argv[0]);
	if (d->kind == TC_CMD_TYPE)
		rest = text_after_word(copy);
	if (argc - 1 < d->min_args || (d->kind != TC_CMD_TYPE && argc - 1 > d->max_args))
		return perr(p, "%s takes %d to %d arguments", d->name, d->min_args, d->max_args);
	if (d->kind == TC_CMD_WAIT_LAUNCHED && !has_launch(s))
		return perr(p, "wait-launched without a launch before it");
	struct tc_cmd cmd = {.kind = d->kind, .line = p->line};
	if (d->parse && d->parse(p, &cmd, argc - 1, argv + 1, rest) < 0)
		return -1;
	if (append(p, s, &cmd) < 0) {
		free(cmd.text);
		return -1;
	}
	return 0;
}

struct tc_script *tc_script_parse(const char *text, const char *name, char *err, size_t cap)
{
	struct parse p = {.name = name, .err = err, .cap = cap};
	struct tc_script *s = calloc(1, sizeof(*s));
	char line[4096];
	if (!s)
		return NULL;
	for (const char *q = text; *q;) {
		size_t n = strcspn(q, "\n");
		p.line++;
		if (n >= sizeof(line)) {
			perr(&p, "line longer than %zu bytes", sizeof(line) - 1);
			goto err_script;
		}
		memcpy(line, q, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (parse_line(&p, s, line) < 0)
			goto err_script;
		q += n + (q[n] == '\n');
	}
	return s;
err_script:
	tc_script_destroy(s);
	return NULL;
}

struct tc_script *tc_script_load(const char *path, char *err, size_t cap)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	struct tc_script *s = NULL;
	if (!f) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return NULL;
	}
	text = malloc(SCRIPT_MAX_BYTES + 1);
	size_t n = text ? fread(text, 1, SCRIPT_MAX_BYTES + 1, f) : 0;
	if (!text || ferror(f) || n > SCRIPT_MAX_BYTES || memchr(text, '\0', n)) {
		snprintf(err, cap, "%s: unreadable, binary or larger than %u bytes", path,
		         SCRIPT_MAX_BYTES);
		goto out;
	}
	text[n] = '\0';
	s = tc_script_parse(text, path, err, cap);
out:
	free(text);
	fclose(f);
	return s;
}

size_t tc_script_length(const struct tc_script *s)
{
	return s ? s->n : 0;
}

void tc_script_destroy(struct tc_script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].text);
	free(s->v);
	free(s);
}
