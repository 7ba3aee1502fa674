/*
 * scrollback.c - the lines that scrolled off the top, kept compactly.
 *
 * A line is stored as a byte string: UTF-8 for each cell's character, with
 * a few marker bytes below U+0020 (which libvterm never stores in a cell):
 *   0x00          an empty cell
 *   0x01 + 10 B   the following cells have these attributes and colours
 *   0x02 + UTF-8  a wide character (its right half is not stored)
 *   0x03 + UTF-8  a combining mark on the previous cell
 * Trailing empty cells with the default look are dropped. An 80-column
 * shell line costs about its text plus 4 bytes. Lines are appended to a
 * 64 KiB block; a full block is sealed, deflated with zlib (log-like text
 * shrinks several times, colours changing every cell far more), and
 * inflated again, one block at a time, when a line of it is read. A ring
 * of (block, offset) references finds line i; when the limit is reached
 * the oldest line goes, and a block is freed once its last line has gone.
 */
#include <stdlib.h>
#include <string.h>
#include <vterm.h>
#include <zlib.h>

#include "term.h"
#include "xputil.h"

#define BLOCK_SIZE (64 * 1024)
#define HDR        4 /* u16 cells, u16 bytes */
#define ATTR_LEN   10
#define MARK_EMPTY 0x00
#define MARK_ATTR  0x01
#define MARK_WIDE  0x02
#define MARK_COMB  0x03

struct sb_block {
	struct sb_block *prev, *next;
	size_t used; /* bytes of line records (before deflating) */
	size_t size; /* bytes of data[] */
	size_t live; /* lines of it still kept */
	bool sealed; /* data[] holds the records deflated; nothing is appended */
	uint8_t data[];
};

int term_sb_init(struct term_sb *sb, size_t max_lines)
{
	memset(sb, 0, sizeof(*sb));
	sb->max = max_lines;
	return 0;
}

void term_sb_finish(struct term_sb *sb)
{
	for (struct sb_block *b = sb->first, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(sb->ring);
	free(sb->tmp);
	free(sb->raw);
	memset(sb, 0, sizeof(*sb));
}

size_t term_sb_count(const struct term_sb *sb)
{
	return sb->n;
}

size_t term_sb_bytes(const struct term_sb *sb)
{
	return sb->bytes;
}

/* ---- encoding ---------------------------------------------------------- */

size_t term_utf8_put(char *out, uint32_t cp)
{
	size_t n = xp_utf8_put(cp, out);
	return n ? n : xp_utf8_put(0xfffd, out);
}

static void put_color(uint8_t *o, const VTermColor *c)
{
	o[0] = c->type;
	if (VTERM_COLOR_IS_INDEXED(c)) {
		o[1] = c->indexed.idx, o[2] = 0, o[3] = 0;
	} else {
		o[1] = c->rgb.red, o[2] = c->rgb.green, o[3] = c->rgb.blue;
	}
}

static void get_color(const uint8_t *o, VTermColor *c)
{
	c->type = o[0];
	if (VTERM_COLOR_IS_INDEXED(c)) {
		c->indexed.idx = o[1];
	} else {
		c->rgb.red = o[1], c->rgb.green = o[2], c->rgb.blue = o[3];
	}
}

static uint16_t attr_bits(const VTermScreenCellAttrs *a)
{
	return (uint16_t)(a->bold | a->underline << 1 | a->italic << 3 | a->blink << 4 |
	                  a->reverse << 5 | a->strike << 6 | a->font << 7 | a->dwl << 11 |
	                  a->dhl << 12);
}

static void set_attr_bits(VTermScreenCellAttrs *a, uint16_t v)
{
	a->bold = v & 1, a->underline = (v >> 1) & 3, a->italic = (v >> 3) & 1;
	a->blink = (v >> 4) & 1, a->reverse = (v >> 5) & 1, a->strike = (v >> 6) & 1;
	a->font = (v >> 7) & 15, a->dwl = (v >> 11) & 1, a->dhl = (v >> 12) & 3;
}

/* The look of a cell as stored after MARK_ATTR. */
static void look_of(const VTermScreenCell *c, uint8_t *o)
{
	uint16_t bits = attr_bits(&c->attrs);
	o[0] = (uint8_t)bits, o[1] = (uint8_t)(bits >> 8);
	put_color(o + 2, &c->fg);
	put_color(o + 6, &c->bg);
}

static bool plain_empty(const VTermScreenCell *c)
{
	return c->chars[0] == 0 && attr_bits(&c->attrs) == 0 && VTERM_COLOR_IS_DEFAULT_FG(&c->fg) &&
	       VTERM_COLOR_IS_DEFAULT_BG(&c->bg);
}

/* Encode @cells into @out (room for cols * 40 + HDR bytes); its length. */
static size_t encode(int cols, const VTermScreenCell *cells, uint8_t *out)
{
	uint8_t look[ATTR_LEN], cur[ATTR_LEN];
	size_t n = HDR;
	int last = cols;
	while (last > 0 && plain_empty(&cells[last - 1]))
		last--;
	look_of(&(VTermScreenCell){.fg.type = VTERM_COLOR_DEFAULT_FG | VTERM_COLOR_RGB,
	                           .bg.type = VTERM_COLOR_DEFAULT_BG | VTERM_COLOR_RGB},
	        cur);
	for (int c = 0; c < last; c++) {
		const VTermScreenCell *k = &cells[c];
		look_of(k, look);
		if (memcmp(look, cur, ATTR_LEN)) {
			out[n++] = MARK_ATTR;
			memcpy(out + n, look, ATTR_LEN);
			memcpy(cur, look, ATTR_LEN);
			n += ATTR_LEN;
		}
		if (k->chars[0] == 0 || k->chars[0] == (uint32_t)-1) {
			out[n++] = MARK_EMPTY;
			continue;
		}
		if (k->width == 2 && c + 1 < cols) {
			out[n++] = MARK_WIDE;
			c++;
		}
		n += term_utf8_put((char *)out + n, k->chars[0]);
		for (int i = 1; i < VTERM_MAX_CHARS_PER_CELL && k->chars[i]; i++) {
			out[n++] = MARK_COMB;
			n += term_utf8_put((char *)out + n, k->chars[i]);
		}
	}
	out[0] = (uint8_t)cols, out[1] = (uint8_t)(cols >> 8);
	out[2] = (uint8_t)(n - HDR), out[3] = (uint8_t)((n - HDR) >> 8);
	return n;
}

/* ---- decoding ---------------------------------------------------------- */

static uint32_t get_utf8(const uint8_t *p, const uint8_t *end, size_t *len)
{
	int n = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	uint32_t cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
	if (p + n > end)
		return *len = (size_t)(end - p), 0xfffd;
	for (int i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	*len = (size_t)n;
	return cp;
}

static void blank(VTermScreenCell *c, const uint8_t *look)
{
	memset(c, 0, sizeof(*c));
	c->width = 1;
	set_attr_bits(&c->attrs, (uint16_t)(look[0] | look[1] << 8));
	get_color(look + 2, &c->fg);
	get_color(look + 6, &c->bg);
}

/* A combining mark for the character before cell @c (a wide one's head). */
static void add_mark(VTermScreenCell *cells, int c, uint32_t cp)
{
	if (c <= 0)
		return;
	VTermScreenCell *k = &cells[c - 1 - (c >= 2 && cells[c - 1].chars[0] == (uint32_t)-1)];
	int i = 0;
	while (i < VTERM_MAX_CHARS_PER_CELL && k->chars[i])
		i++;
	if (i < VTERM_MAX_CHARS_PER_CELL)
		k->chars[i] = cp;
}

/* Cell @c (and its right half when @wide) from the character at @p. */
static int put_cell(VTermScreenCell *cells, int c, int cols, const uint8_t *look, uint32_t cp,
                    bool wide)
{
	blank(&cells[c], look);
	cells[c].chars[0] = cp;
	if (wide && c + 1 < cols) {
		cells[c].width = 2;
		blank(&cells[++c], look);
		cells[c].chars[0] = (uint32_t)-1;
	} else if (wide) {
		cells[c].chars[0] = 0; /* half a wide character does not fit */
	}
	return c + 1;
}

/* Decode the record at @rec into @cols cells. */
static void decode(const uint8_t *rec, int cols, VTermScreenCell *cells)
{
	const uint8_t *p = rec + HDR, *end = p + (rec[2] | rec[3] << 8);
	uint8_t look[ATTR_LEN], plain[ATTR_LEN];
	int c = 0;
	look_of(&(VTermScreenCell){.fg.type = VTERM_COLOR_DEFAULT_FG | VTERM_COLOR_RGB,
	                           .bg.type = VTERM_COLOR_DEFAULT_BG | VTERM_COLOR_RGB},
	        look);
	memcpy(plain, look, ATTR_LEN);
	while (p < end) {
		size_t len = 1;
		uint8_t m = *p;
		bool marked = m == MARK_WIDE || m == MARK_COMB;
		if (c >= cols && m != MARK_COMB)
			break; /* a line wider than the screen now: the rest is cut */

		if (m == MARK_ATTR && p + 1 + ATTR_LEN <= end) {
			memcpy(look, p + 1, ATTR_LEN);
			p += 1 + ATTR_LEN;
			continue;
		}
		if (m == MARK_EMPTY || (marked && p + 1 >= end)) {
			if (m != MARK_COMB)
				c = put_cell(cells, c, cols, look, 0, false);
			p++;
			continue;
		}

		uint32_t cp = get_utf8(p + marked, end, &len);
		p += marked + len;
		if (m == MARK_COMB)
			add_mark(cells, c, cp);
		else
			c = put_cell(cells, c, cols, look, cp, m == MARK_WIDE);
	}
	for (; c < cols; c++)
		blank(&cells[c], plain);
}

/* ---- the store ---------------------------------------------------------- */

static struct term_sb_ref *ref_at(const struct term_sb *sb, size_t i)
{
	return &sb->ring[(sb->head + i) % sb->cap];
}

/*
 * Deflate the last block @b into a block of its compressed size. Its lines
 * are the newest b->live of the ring, whose references follow it. On any
 * failure (or nothing gained) it stays as it is.
 */
static void seal(struct term_sb *sb, struct sb_block *b)
{
	uLongf zlen = compressBound((uLong)b->used);
	struct sb_block *z = malloc(sizeof(*z) + zlen);
	if (!z)
		return;
	/* the header first: assigning it may write its padding over data[] */
	*z = (struct sb_block){b->prev, NULL, b->used, 0, b->live, true};
	if (compress2(z->data, &zlen, b->data, (uLong)b->used, Z_DEFAULT_COMPRESSION) != Z_OK ||
	    zlen >= b->used) {
		free(z);
		return;
	}
	z->size = zlen;
	struct sb_block *shrunk = realloc(z, sizeof(*z) + zlen);
	z = shrunk ? shrunk : z;
	if (z->prev)
		z->prev->next = z;
	else
		sb->first = z;
	sb->last = z;
	for (size_t k = 1; k <= z->live; k++)
		ref_at(sb, sb->n - k)->b = z;
	sb->bytes = sb->bytes - b->size + zlen;
	free(b);
}

/* The bytes of line @r: in its block, or in the inflated copy of it. */
static const uint8_t *record(struct term_sb *sb, struct term_sb_ref r)
{
	const struct sb_block *b = r.b;
	if (!b->sealed)
		return b->data + r.off;
	if (sb->inflated != b) {
		size_t had = sb->raw_cap;
		if (XU_ARRAY_RESERVE(sb->raw, sb->raw_cap, b->used) < 0)
			return NULL;
		sb->bytes += sb->raw_cap - had;
		uLongf len = (uLongf)b->used;
		sb->inflated = NULL;
		if (uncompress(sb->raw, &len, b->data, (uLong)b->size) != Z_OK || len != b->used)
			return NULL;
		sb->inflated = b;
	}
	return sb->raw + r.off;
}

/* Room for @len more bytes at the end of the last block (a new one if full). */
static uint8_t *reserve(struct term_sb *sb, size_t len)
{
	struct sb_block *b = sb->last;
	if (!b || b->sealed || b->size - b->used < len) {
		size_t size = len > BLOCK_SIZE ? len : BLOCK_SIZE;
		if (b && !b->sealed)
			seal(sb, b);
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		*b = (struct sb_block){sb->last, NULL, 0, size, 0, false};
		if (sb->last)
			sb->last->next = b;
		else
			sb->first = b;
		sb->last = b;
		sb->bytes += sizeof(*b) + size;
	}
	return b->data + b->used;
}

static void free_block(struct term_sb *sb, struct sb_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		sb->first = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		sb->last = b->prev;
	if (sb->inflated == b)
		sb->inflated = NULL;
	sb->bytes -= sizeof(*b) + b->size;
	free(b);
}

static void drop_oldest(struct term_sb *sb)
{
	struct sb_block *b = sb->first;
	sb->head = (sb->head + 1) % sb->cap;
	sb->n--;
	sb->dropped++;
	if (--b->live > 0)
		return;
	if (b != sb->last || b->sealed)
		free_block(sb, b);
	else
		b->used = 0;
}

/* A full ring (n == cap) twice as large, up to max lines; 0 or -1. */
static int grow_ring(struct term_sb *sb)
{
	size_t cap = sb->cap ? sb->cap * 2 : 1024;
	if (cap > sb->max)
		cap = sb->max;
	if (cap <= sb->cap)
		return -1;
	size_t had = sb->cap, tail = had - sb->head; /* the oldest lines: ring[head..had) */
	if (XU_ARRAY_RESIZE(sb->ring, sb->cap, cap) < 0)
		return -1;
	/* it was full: the oldest lines go to the end, so the ring reads on
	 * from there into ring[0..head), the newest, and the free room is
	 * between */
	if (sb->head > 0) {
		memmove(sb->ring + cap - tail, sb->ring + sb->head, tail * sizeof(*sb->ring));
		sb->head = cap - tail;
	}
	sb->bytes += (cap - had) * sizeof(*sb->ring);
	return 0;
}

/* Room to encode a line of @cols cells in sb->tmp. */
static uint8_t *scratch(struct term_sb *sb, int cols)
{
	/* worst case per cell: attributes, a wide mark, 6 characters with marks */
	size_t need = (size_t)cols * (2 + ATTR_LEN + 5 * VTERM_MAX_CHARS_PER_CELL) + HDR;
	return XU_ARRAY_RESERVE(sb->tmp, sb->tmp_cap, need) < 0 ? NULL : sb->tmp;
}

int term_sb_push(struct term_sb *sb, int cols, const void *cells)
{
	uint8_t *buf;
	size_t len;
	if (sb->max == 0 || cols < 1 || cols > 0xffff)
		return 0;
	if (!(buf = scratch(sb, cols)))
		return -1;
	len = encode(cols, cells, buf);
	if (sb->n == sb->max)
		drop_oldest(sb);
	else if (sb->n == sb->cap && grow_ring(sb) < 0)
		drop_oldest(sb);
	uint8_t *rec = len - HDR <= 0xffff ? reserve(sb, len) : NULL;
	if (!rec)
		return -1;
	memcpy(rec, buf, len);
	*ref_at(sb, sb->n) = (struct term_sb_ref){sb->last, (uint32_t)sb->last->used};
	sb->last->used += len;
	sb->last->live++;
	sb->n++;
	return 0;
}

int term_sb_pop(struct term_sb *sb, int cols, void *cells)
{
	if (sb->n == 0)
		return 0;
	struct term_sb_ref r = *ref_at(sb, sb->n - 1);
	struct sb_block *b = r.b; /* the last block: no block is left empty */
	const uint8_t *rec = record(sb, r);
	if (!rec)
		return 0;
	decode(rec, cols, cells);
	sb->n--;
	if (!b->sealed) /* a sealed block keeps the bytes until it goes */
		b->used = r.off;
	if (--b->live == 0 && (b != sb->first || b->sealed))
		free_block(sb, b);
	return 1;
}

int term_sb_get(struct term_sb *sb, size_t i, int cols, void *cells)
{
	const uint8_t *rec = i < sb->n ? record(sb, *ref_at(sb, i)) : NULL;
	if (!rec)
		return -1;
	decode(rec, cols, cells);
	return 0;
}
