/*
 * term_sb_test.c - xp-term's scrollback store: what goes in comes out the
 * same (characters, wide characters, combining marks, attributes, both
 * kinds of colour, blank cells that keep a colour), lines cut or padded to
 * another width, the oldest lines dropped at the limit with their memory,
 * and the newest taken back (a resize); all of it again once the lines sit
 * in sealed (deflated) blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vterm.h>

#include <cmocka.h>

#include "term.h"

#define COLS 20

static VTermScreenCell cell(uint32_t ch)
{
	VTermScreenCell c = {.chars = {ch}, .width = 1};
	c.fg.type = VTERM_COLOR_DEFAULT_FG | VTERM_COLOR_RGB;
	c.bg.type = VTERM_COLOR_DEFAULT_BG | VTERM_COLOR_RGB;
	return c;
}

static void same_cell(const VTermScreenCell *a, const VTermScreenCell *b, int col)
{
	for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL; i++) {
		if (a->chars[i] != b->chars[i])
			fail_msg("col %d char %d: %x != %x", col, i, a->chars[i], b->chars[i]);
		if (!a->chars[i])
			break;
	}
	assert_int_equal(a->width, b->width);
	assert_int_equal(a->attrs.bold, b->attrs.bold);
	assert_int_equal(a->attrs.underline, b->attrs.underline);
	assert_int_equal(a->attrs.italic, b->attrs.italic);
	assert_int_equal(a->attrs.reverse, b->attrs.reverse);
	assert_int_equal(a->attrs.strike, b->attrs.strike);
	assert_int_equal(a->attrs.font, b->attrs.font);
	assert_int_equal(a->attrs.dwl, b->attrs.dwl);
	assert_true(vterm_color_is_equal(&a->fg, &b->fg));
	assert_int_equal(a->fg.type, b->fg.type);
	assert_true(vterm_color_is_equal(&a->bg, &b->bg));
	assert_int_equal(a->bg.type, b->bg.type);
}

/* A line with everything the store must keep. */
static void sample(VTermScreenCell *v)
{
	for (int c = 0; c < COLS; c++)
		v[c] = cell(0);
	v[0] = cell('h');
	v[0].attrs.bold = 1;
	vterm_color_indexed(&v[0].fg, 1);
	v[1] = cell(0xe9); /* é */
	v[1].attrs.italic = 1, v[1].attrs.underline = 2;
	v[2] = cell(0x65e5); /* a wide character and its right half */
	v[2].width = 2;
	v[3] = cell((uint32_t)-1);
	v[4] = cell('e');
	v[4].chars[1] = 0x301, v[4].chars[2] = 0x323;
	v[6] = cell('x');
	v[6].attrs.strike = 1, v[6].attrs.reverse = 1, v[6].attrs.font = 1;
	vterm_color_rgb(&v[6].fg, 1, 2, 3);
	vterm_color_rgb(&v[6].bg, 250, 128, 0);
	v[10] = cell(0); /* a blank that keeps a colour (a status bar) */
	vterm_color_indexed(&v[10].bg, 4);
}

static void test_round_trip(void **state)
{
	struct term_sb sb;
	VTermScreenCell in[COLS], out[COLS];
	(void)state;
	term_sb_init(&sb, 10);
	sample(in);
	assert_int_equal(term_sb_push(&sb, COLS, in), 0);
	assert_int_equal(term_sb_count(&sb), 1);
	assert_int_equal(term_sb_get(&sb, 0, COLS, out), 0);
	for (int c = 0; c < COLS; c++)
		same_cell(&out[c], &in[c], c);
	assert_int_equal(term_sb_get(&sb, 1, COLS, out), -1);
	/* narrower: a wide character that no longer fits is cut */
	assert_int_equal(term_sb_get(&sb, 0, 3, out), 0);
	assert_int_equal(out[2].chars[0], 0);
	/* wider: padded with default blanks */
	VTermScreenCell wide[COLS + 5];
	assert_int_equal(term_sb_get(&sb, 0, COLS + 5, wide), 0);
	same_cell(&wide[COLS + 4], &in[COLS - 1], COLS + 4);
	/* pop gives it back and empties the store */
	memset(out, 0, sizeof(out));
	assert_int_equal(term_sb_pop(&sb, COLS, out), 1);
	for (int c = 0; c < COLS; c++)
		same_cell(&out[c], &in[c], c);
	assert_int_equal(term_sb_pop(&sb, COLS, out), 0);
	term_sb_finish(&sb);
}

static void test_limit(void **state)
{
	struct term_sb sb;
	VTermScreenCell in[COLS], out[COLS];
	(void)state;
	term_sb_init(&sb, 1000);
	for (int i = 0; i < 100000; i++) {
		for (int c = 0; c < COLS; c++)
			in[c] = cell((uint32_t)('0' + (i >> (c % 16)) % 10));
		assert_int_equal(term_sb_push(&sb, COLS, in), 0);
	}
	assert_int_equal(term_sb_count(&sb), 1000);
	assert_int_equal(sb.dropped, 99000);
	/* the oldest kept is line 99000, the newest 99999 */
	assert_int_equal(term_sb_get(&sb, 0, COLS, out), 0);
	for (int c = 0; c < COLS; c++)
		assert_int_equal(out[c].chars[0], (uint32_t)('0' + (99000 >> (c % 16)) % 10));
	assert_int_equal(term_sb_pop(&sb, COLS, out), 1);
	for (int c = 0; c < COLS; c++)
		assert_int_equal(out[c].chars[0], (uint32_t)('0' + (99999 >> (c % 16)) % 10));
	/* dropped lines gave their blocks back: 1000 lines of 24 bytes, a few blocks */
	assert_true(term_sb_bytes(&sb) < 4 * 65536);
	term_sb_finish(&sb);
	/* no scrollback at all */
	term_sb_init(&sb, 0);
	assert_int_equal(term_sb_push(&sb, COLS, in), 0);
	assert_int_equal(term_sb_count(&sb), 0);
	term_sb_finish(&sb);
}

/* Line @i of the sealed-block test: text, and a colour that changes per cell. */
static void line_of(int i, VTermScreenCell *v)
{
	for (int c = 0; c < COLS; c++) {
		v[c] = cell((uint32_t)('a' + (i * 7 + c) % 26));
		vterm_color_indexed(&v[c].fg, (uint8_t)((i + c) % 256));
	}
	v[COLS - 1] = cell(0x4e00 + (uint32_t)(i % 1000)); /* not ASCII */
}

static void check_line(struct term_sb *sb, size_t at, int i)
{
	VTermScreenCell want[COLS], got[COLS];
	line_of(i, want);
	assert_int_equal(term_sb_get(sb, at, COLS, got), 0);
	for (int c = 0; c < COLS; c++)
		same_cell(&got[c], &want[c], c);
}

/* Many blocks' worth of lines: the full blocks are deflated, every line
 * still reads back (in any order), pops cross into sealed blocks, pushes
 * after them go on, and the limit frees sealed blocks. */
static void test_sealed_blocks(void **state)
{
	struct term_sb sb;
	VTermScreenCell in[COLS], out[COLS];
	enum { N = 20000, MAX = 15000 };
	(void)state;
	term_sb_init(&sb, MAX);
	for (int i = 0; i < N; i++) {
		line_of(i, in);
		assert_int_equal(term_sb_push(&sb, COLS, in), 0);
	}
	assert_int_equal(term_sb_count(&sb), MAX);
	/* deflated: well under the encoded size (about 250 bytes a line) */
	printf("    %d lines of %d cells in %zu bytes\n", MAX, COLS, term_sb_bytes(&sb));
	assert_true(term_sb_bytes(&sb) < (size_t)MAX * 250 / 2);
	/* oldest, newest, and back and forth between blocks */
	check_line(&sb, 0, N - MAX);
	check_line(&sb, MAX - 1, N - 1);
	for (size_t at = 0; at < MAX; at += 977) {
		check_line(&sb, at, (int)(N - MAX + at));
		check_line(&sb, MAX - 1 - at, (int)(N - 1 - at));
	}
	/* take back 3,000 lines: through the open block into sealed ones */
	for (int i = N - 1; i >= N - 3000; i--) {
		VTermScreenCell want[COLS];
		line_of(i, want);
		assert_int_equal(term_sb_pop(&sb, COLS, out), 1);
		for (int c = 0; c < COLS; c++)
			same_cell(&out[c], &want[c], c);
	}
	assert_int_equal(term_sb_count(&sb), MAX - 3000);
	/* push again after a sealed block, up to the limit and beyond */
	for (int i = N - 3000; i < N + 5000; i++) {
		line_of(i, in);
		assert_int_equal(term_sb_push(&sb, COLS, in), 0);
	}
	assert_int_equal(term_sb_count(&sb), MAX);
	for (size_t at = 0; at < MAX; at += 1013)
		check_line(&sb, at, (int)(N + 5000 - MAX + at));
	check_line(&sb, MAX - 1, N + 4999);
	term_sb_finish(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_sealed_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
