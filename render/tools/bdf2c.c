/*
 * bdf2c.c - build-time converter from a character-cell BDF font to a C glyph
 * table (struct xr_font_data, see render/render_int.h).
 *
 * Usage: bdf2c SYMBOL IN.bdf OUT.c
 *
 * Every glyph is placed in the font's cell (FONTBOUNDINGBOX width by
 * FONT_ASCENT + FONT_DESCENT) so the renderer only copies rows. The input is
 * validated: line length, keywords and their numbers, hex rows, glyph boxes
 * that stay inside the cell, a single advance width, unique code points in
 * 0..U+10FFFF and the CHARS count. Any problem is an error with a line
 * number, and no output file is left behind.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xputil.h"

#include "xproto.h"

#include "symbol.h"

#define MAX_W        32
#define MAX_H        64
#define MAX_GLYPHS   65534
#define LINE_MAX_LEN 512

struct glyph {
	uint32_t cp;
	uint8_t rows[MAX_H * 4];
};

struct bdf {
	FILE *in;
	const char *path;
	long line_no;
	char line[LINE_MAX_LEN];
	char name[LINE_MAX_LEN];
	int fbb_w, fbb_h, fbb_x, fbb_y;
	int ascent, descent; /* -1 until known */
	long default_char;   /* -1 when absent */
	long chars;          /* CHARS count, -1 until seen */
	long seen;           /* STARTCHAR count */
	int cell_w, cell_h, bpr;
	struct glyph *g;
	size_t n, cap;
};

static int fail(struct bdf *b, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bdf2c: %s:%ld: ", b->path, b->line_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Read the next line without its newline; 1 = line, 0 = EOF, -1 = error. */
static int next_line(struct bdf *b)
{
	size_t n;

	if (!fgets(b->line, sizeof(b->line), b->in))
		return ferror(b->in) ? fail(b, "read error") : 0;
	b->line_no++;
	n = strlen(b->line);
	if (n == sizeof(b->line) - 1 && b->line[n - 1] != '\n')
		return fail(b, "line too long");
	while (n > 0 && (b->line[n - 1] == '\n' || b->line[n - 1] == '\r'))
		b->line[--n] = '\0';
	return 1;
}

/* If the line starts with keyword @kw, return its argument text. */
static const char *keyword(const struct bdf *b, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(b->line, kw, n) != 0)
		return NULL;
	if (b->line[n] != '\0' && b->line[n] != ' ' && b->line[n] != '\t')
		return NULL;
	return b->line + n;
}

/* Parse exactly @count integers within [lo, hi] from @s. */
static int ints(struct bdf *b, const char *s, int count, long *out, long lo, long hi)
{
	for (int i = 0; i < count; i++) {
		char *end;

		out[i] = strtol(s, &end, 10);
		if (end == s || out[i] < lo || out[i] > hi)
			return fail(b, "bad number in '%s'", b->line);
		s = end;
	}
	while (isspace((unsigned char)*s))
		s++;
	return *s ? fail(b, "trailing text in '%s'", b->line) : 0;
}

static int header_line(struct bdf *b)
{
	const char *a;
	long v[4];

	if ((a = keyword(b, "FONT"))) {
		snprintf(b->name, sizeof(b->name), "%s", a + (*a == ' '));
	} else if ((a = keyword(b, "FONTBOUNDINGBOX"))) {
		if (ints(b, a, 4, v, -MAX_H, MAX_H) < 0)
			return -1;
		b->fbb_w = (int)v[0], b->fbb_h = (int)v[1];
		b->fbb_x = (int)v[2], b->fbb_y = (int)v[3];
	} else if ((a = keyword(b, "FONT_ASCENT"))) {
		if (ints(b, a, 1, v, 0, MAX_H) < 0)
			return -1;
		b->ascent = (int)v[0];
	} else if ((a = keyword(b, "FONT_DESCENT"))) {
		if (ints(b, a, 1, v, 0, MAX_H) < 0)
			return -1;
		b->descent = (int)v[0];
	} else if ((a = keyword(b, "DEFAULT_CHAR"))) {
		if (ints(b, a, 1, v, 0, 0x10ffff) < 0)
			return -1;
		b->default_char = v[0];
	}
	return 0;
}

/* Fix the cell size once the header is complete. */
static int set_cell(struct bdf *b)
{
	if (b->ascent < 0 || b->descent < 0) {
		b->ascent = b->fbb_h + b->fbb_y;
		b->descent = -b->fbb_y;
	}
	b->cell_w = b->fbb_w;
	b->cell_h = b->ascent + b->descent;
	if (b->cell_w < 1 || b->cell_w > MAX_W || b->cell_h < 1 || b->cell_h > MAX_H ||
	    b->ascent < 0 || b->descent < 0)
		return fail(b, "bad cell %dx%d", b->cell_w, b->cell_h);
	if (!b->name[0])
		return fail(b, "no FONT line");
	b->bpr = (b->cell_w + 7) / 8;
	return 0;
}

/* Parse one hex bitmap row of @w pixels into bits left-aligned in a
 * uint32_t. */
static int hex_row(struct bdf *b, int w, uint32_t *bits)
{
	size_t digits = (size_t)(w + 7) / 8 * 2;
	uint8_t row[4] = {0};
	uint32_t v = 0;

	if (strlen(b->line) < digits || xp_hex_decode(b->line, digits, row, sizeof(row)) < 0)
		return fail(b, "bad hex row '%s'", b->line);
	for (const char *p = b->line + digits; *p; p++)
		if (!isspace((unsigned char)*p))
			return fail(b, "bad hex row '%s'", b->line);
	for (size_t i = 0; i < sizeof(row); i++)
		v |= (uint32_t)row[i] << (24 - 8 * i);
	*bits = v & (w ? ~0u << (32 - w) : 0);
	return 0;
}

/* Place row @j of a glyph with box @bbx into the cell rows of @g. */
static int place_row(struct bdf *b, struct glyph *g, const long *bbx, int j, uint32_t bits)
{
	long row = b->ascent - bbx[3] - bbx[1] + j;

	for (int i = 0; i < bbx[0]; i++) {
		long col = bbx[2] + i;

		if (!(bits & (0x80000000u >> i)))
			continue;
		if (col < 0 || col >= b->cell_w || row < 0 || row >= b->cell_h)
			return fail(b, "glyph pixel outside the cell");
		g->rows[row * b->bpr + col / 8] |= (uint8_t)(0x80 >> (col % 8));
	}
	return 0;
}

static int read_bitmap(struct bdf *b, struct glyph *g, const long *bbx)
{
	uint32_t bits = 0;

	for (int j = 0; j < bbx[1]; j++) {
		if (next_line(b) != 1)
			return fail(b, "truncated BITMAP");
		if (hex_row(b, (int)bbx[0], &bits) < 0 || place_row(b, g, bbx, j, bits) < 0)
			return -1;
	}
	if (next_line(b) != 1 || !keyword(b, "ENDCHAR"))
		return fail(b, "expected ENDCHAR");
	return 0;
}

/* Read the lines of one glyph after STARTCHAR into @g; *keep = encoded. */
static int read_glyph(struct bdf *b, struct glyph *g, int *keep)
{
	long enc[1] = {-2}, bbx[4] = {0}, dw[2];
	const char *a;
	int have_bbx = 0;

	memset(g, 0, sizeof(*g));
	while (next_line(b) == 1) {
		if ((a = keyword(b, "ENCODING"))) {
			char *end;

			enc[0] = strtol(a, &end, 10);
			if (end == a || enc[0] < -1 || enc[0] > 0x10ffff)
				return fail(b, "bad ENCODING");
		} else if ((a = keyword(b, "DWIDTH"))) {
			if (ints(b, a, 2, dw, -1000, 1000) < 0)
				return -1;
			if (dw[0] != b->cell_w || dw[1] != 0)
				return fail(b, "not a character-cell font");
		} else if ((a = keyword(b, "BBX"))) {
			if (ints(b, a, 4, bbx, -MAX_H, MAX_H) < 0)
				return -1;
			if (bbx[0] < 0 || bbx[0] > MAX_W || bbx[1] < 0)
				return fail(b, "bad BBX");
			have_bbx = 1;
		} else if (keyword(b, "BITMAP")) {
			if (enc[0] == -2 || !have_bbx)
				return fail(b, "BITMAP before ENCODING/BBX");
			g->cp = (uint32_t)enc[0];
			*keep = enc[0] >= 0;
			return read_bitmap(b, g, bbx);
		}
	}
	return fail(b, "truncated glyph");
}

static int add_glyph(struct bdf *b)
{
	int keep = 0;

	if (XU_ARRAY_RESERVE(b->g, b->cap, b->n + 1) < 0)
		return fail(b, "out of memory");
	if (read_glyph(b, &b->g[b->n], &keep) < 0)
		return -1;
	if (keep && ++b->n > MAX_GLYPHS)
		return fail(b, "too many glyphs");
	return 0;
}

static int parse(struct bdf *b)
{
	int r;
	long v[1];
	const char *a;

	if (next_line(b) != 1 || !keyword(b, "STARTFONT"))
		return fail(b, "not a BDF file");
	while ((r = next_line(b)) == 1) {
		if ((a = keyword(b, "CHARS"))) {
			if (b->chars >= 0 || ints(b, a, 1, v, 0, MAX_GLYPHS) < 0)
				return fail(b, "bad CHARS");
			b->chars = v[0];
			if (set_cell(b) < 0)
				return -1;
		} else if (keyword(b, "STARTCHAR")) {
			if (b->chars < 0 || ++b->seen > b->chars)
				return fail(b, "glyph outside CHARS");
			if (add_glyph(b) < 0)
				return -1;
		} else if (keyword(b, "ENDFONT")) {
			break;
		} else if (b->chars < 0 && header_line(b) < 0) {
			return -1;
		}
	}
	if (r != 1 || b->seen != b->chars || b->n == 0)
		return fail(b, "missing ENDFONT, glyphs or CHARS mismatch");
	return 0;
}

static int cmp_glyph(const void *pa, const void *pb)
{
	const struct glyph *a = pa, *b = pb;

	return a->cp < b->cp ? -1 : a->cp > b->cp;
}

/* Sort, reject duplicates and find the default glyph's index. */
static int finish(struct bdf *b, size_t *def)
{
	qsort(b->g, b->n, sizeof(*b->g), cmp_glyph);
	*def = SIZE_MAX;
	for (size_t i = 0; i < b->n; i++) {
		if (i > 0 && b->g[i].cp == b->g[i - 1].cp)
			return fail(b, "duplicate code point U+%04X", (unsigned)b->g[i].cp);
		if ((long)b->g[i].cp == b->default_char ||
		    (b->default_char < 0 && b->g[i].cp == 0xfffd))
			*def = i;
	}
	if (*def == SIZE_MAX)
		return fail(b, "no DEFAULT_CHAR (or U+FFFD) glyph");
	return 0;
}

static void put_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (isprint((unsigned char)*s))
			fputc(*s, out);
	}
	fputc('"', out);
}

static void emit_tables(const struct bdf *b, FILE *out)
{
	size_t nb = (size_t)b->cell_h * (size_t)b->bpr;

	fprintf(out, "static const uint32_t cps[%zu] = {", b->n);
	for (size_t i = 0; i < b->n; i++)
		fprintf(out, "%s0x%04x,", i % 8 ? " " : "\n\t", (unsigned)b->g[i].cp);
	fprintf(out, "\n};\n\nstatic const uint8_t rows[%zu] = {", b->n * nb);
	for (size_t i = 0; i < b->n; i++) {
		fprintf(out, "\n\t/* U+%04X */", (unsigned)b->g[i].cp);
		for (size_t j = 0; j < nb; j++)
			fprintf(out, "%s0x%02x,", j % 13 ? " " : "\n\t", b->g[i].rows[j]);
	}
	fprintf(out, "\n};\n\nstatic const uint16_t low[256] = {");
	for (unsigned c = 0, i = 0; c < 256; c++) {
		while (i < b->n && b->g[i].cp < c)
			i++;
		fprintf(out, "%s%u,", c % 8 ? " " : "\n\t",
		        i < b->n && b->g[i].cp == c ? i : 0xffffu);
	}
	fprintf(out, "\n};\n\n");
}

static void emit(const struct bdf *b, const char *sym, size_t def, FILE *out)
{
	fprintf(out,
	        "/* %s - generated by render/tools/bdf2c from %s;"
	        " do not edit. */\n",
	        sym, b->path);
	fprintf(out, "#include \"render_int.h\"\n\n");
	emit_tables(b, out);
	fprintf(out, "const struct xr_font_data %s = {\n\t.name = ", sym);
	put_escaped(out, b->name);
	fprintf(out, ",\n\t.cell_w = %d,\n\t.cell_h = %d,\n\t.ascent = %d,\n", b->cell_w, b->cell_h,
	        b->ascent);
	fprintf(out, "\t.bytes_per_row = %d,\n\t.nglyphs = %zu,\n", b->bpr, b->n);
	fprintf(out,
	        "\t.default_glyph = %zu,\n\t.cps = cps,\n\t.rows = rows,\n"
	        "\t.low = low,\n};\n",
	        def);
}

static int convert(struct bdf *b, const char *sym, const char *out_path)
{
	size_t def;
	FILE *out;

	if (parse(b) < 0 || finish(b, &def) < 0)
		return -1;
	out = fopen(out_path, "w");
	if (!out)
		return fail(b, "cannot write %s", out_path);
	emit(b, sym, def, out);
	if (ferror(out) | fclose(out)) {
		remove(out_path);
		return fail(b, "write error on %s", out_path);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bdf b = {.ascent = -1, .descent = -1, .default_char = -1, .chars = -1};
	int ret;

	if (argc != 4 || !xr_tool_symbol_ok(argv[1])) {
		fprintf(stderr, "usage: bdf2c SYMBOL IN.bdf OUT.c\n");
		return 2;
	}
	b.path = argv[2];
	b.in = fopen(argv[2], "r");
	if (!b.in) {
		perror(argv[2]);
		return 1;
	}
	ret = convert(&b, argv[1], argv[3]);
	fclose(b.in);
	free(b.g);
	return ret < 0 ? 1 : 0;
}
