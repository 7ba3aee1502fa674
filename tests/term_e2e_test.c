/*
 * term_e2e_test.c - xp-term as a person uses it all day, end to end: a real
 * server, a real bash on the pty, real libvterm, the test as a thin client
 * sending exact keys and pointer events. What the shell received is read
 * back from files it wrote (cat -v in raw mode), what the window shows from
 * xp-term's dump and from the server's copy of the window's pixels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "term_harness.h"

#define CW 6
#define CH 13

#define KS_RETURN    0xff0du
#define KS_BACKSPACE 0xff08u
#define KS_PAGE_UP   0xff55u
#define KS_PAGE_DOWN 0xff56u
#define KS_INSERT    0xff63u
#define KS_SHIFT_L   0xffe1u

static struct th h;

static void start(const char *args)
{
	assert_int_equal(th_start(&h, args, NULL), 0);
	assert_int_equal(th_connect(&h, false), 0);
	assert_int_equal(th_launch(&h), 0);
}

static int teardown(void **state)
{
	(void)state;
	th_stop(&h);
	return 0;
}

/* The number on dump line @i (seq output), or -1. */
static int num(int i)
{
	return i < h.nlines && h.lines[i][0] >= '0' && h.lines[i][0] <= '9' ? atoi(h.lines[i]) : -1;
}

/* Run @pre, then with the tty raw cat (-v: showing controls) writes what
 * arrives to @file. READY is typed as REA''DY so only the output matches. */
static void raw_cat(const char *pre, const char *cat, const char *file)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%sstty raw -echo; echo REA''DY; %s > %s/%s", pre, cat, h.dir,
	         file);
	assert_int_equal(th_type(&h, cmd, true), 0);
	assert_true(th_wait_text(&h, "READY", 10000) >= 0);
}

static bool file_is(const char *file, const char *want)
{
	char path[300], got[512] = "";
	snprintf(path, sizeof(path), "%s/%s", h.dir, file);
	if (th_wait_file(path, want, strlen(want), 10000))
		return true;
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(got, 1, sizeof(got) - 1, f) : 0;
	if (f)
		fclose(f);
	got[n] = '\0';
	fprintf(stderr, "%s holds %zu bytes: '%s'\n", file, n, got);
	return false;
}

static const char *info(const char *key)
{
	static char buf[300];
	assert_int_equal(th_dump(&h), 0);
	return th_info(&h, key, buf, sizeof(buf));
}

/* Input is handled asynchronously: dump until @key reads @want. */
static void wait_info(const char *key, const char *want)
{
	uint64_t end = xp_now_us() + 5000000;
	while (strcmp(info(key), want) && xp_now_us() < end)
		th_pump(&h, 20);
	assert_string_equal(info(key), want);
}

/* Dump until line 0 shows number @want. */
static void wait_top(int want)
{
	uint64_t end = xp_now_us() + 5000000;
	do {
		th_pump(&h, 20);
		assert_int_equal(th_dump(&h), 0);
	} while (num(0) != want && xp_now_us() < end);
	assert_int_equal(num(0), want);
}

/* Dump until a line starts with @prefix; its row. */
static int wait_line(const char *prefix)
{
	uint64_t end = xp_now_us() + 5000000;
	do {
		th_pump(&h, 20);
		assert_int_equal(th_dump(&h), 0);
		for (int i = 0; i < h.nlines; i++)
			if (!strncmp(h.lines[i], prefix, strlen(prefix)))
				return i;
	} while (xp_now_us() < end);
	fail_msg("no line starts with '%s'", prefix);
	return -1;
}

/* ---- scrollback ----------------------------------------------------- */

static void test_scrollback(void **state)
{
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_type(&h, "seq 1 3000", true), 0);
	assert_true(th_wait_text(&h, "3000", 10000) >= 0);
	int top = 2978; /* 2978..3000 and the prompt */
	wait_top(top);
	/* Shift+PgUp: a page back, twice; the wheel: three lines more */
	assert_int_equal(th_key(&h, KS_PAGE_UP, XP_MOD_SHIFT, ""), 0);
	wait_top(top - 24);
	assert_int_equal(num(23), top - 1);
	assert_int_equal(th_key(&h, KS_PAGE_UP, XP_MOD_SHIFT, ""), 0);
	assert_int_equal(th_button(&h, 4, true, 100, 100), 0);
	assert_int_equal(th_button(&h, 4, false, 100, 100), 0);
	wait_info("view", "51");
	assert_int_equal(num(0), top - 51);
	/* Shift+PgDn comes back a page; a new client sees the same terminal */
	assert_int_equal(th_key(&h, KS_PAGE_DOWN, XP_MOD_SHIFT, ""), 0);
	wait_info("view", "27");
	th_disconnect(&h);
	assert_int_equal(th_connect(&h, false), 0);
	assert_int_equal(th_key(&h, KS_PAGE_UP, XP_MOD_SHIFT, ""), 0);
	wait_info("view", "51");
	/* typing brings the view back to the prompt */
	assert_int_equal(th_type(&h, "x", false), 0);
	wait_info("view", "0");
	assert_int_equal(num(0), top);
	assert_true(atoi(info("scrollback")) >= 2977);
}

/* By default 10,000 lines are kept (the issue asks for at least that). */
static void test_scrollback_default(void **state)
{
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_type(&h, "seq 1 12000", true), 0);
	wait_top(11978);
	assert_string_equal(info("scrollback"), "10000");
	for (int i = 0; i < 500; i++) /* more pages than there are */
		assert_int_equal(th_key(&h, KS_PAGE_UP, XP_MOD_SHIFT, ""), 0);
	wait_info("view", "10000");
	assert_int_equal(num(0), 11978 - 10000);
}

static void test_scrollback_limit(void **state)
{
	(void)state;
	start("--size 80x24 --scrollback 1000");
	assert_int_equal(th_type(&h, "seq 1 5000", true), 0);
	wait_top(4978);
	assert_string_equal(info("scrollback"), "1000");
	for (int i = 0; i < 50; i++) /* far more pages than there are */
		assert_int_equal(th_key(&h, KS_PAGE_UP, XP_MOD_SHIFT, ""), 0);
	wait_info("view", "1000");
	assert_int_equal(num(0), 4978 - 1000);
}

/* ---- keys and mouse reports as xterm sends them ------------------------ */

static void test_xterm_keys(void **state)
{
	(void)state;
	start("--size 80x24");
	raw_cat("", "cat -v", "keys");
	assert_int_equal(th_key(&h, '[', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, '/', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, '6', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, '^', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	assert_int_equal(th_key(&h, '2', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, ' ', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, KS_BACKSPACE, XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, KS_BACKSPACE, 0, ""), 0);
	assert_int_equal(th_key(&h, 'x', XP_MOD_ALT, "x"), 0);
	assert_int_equal(th_key(&h, 'a', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_key(&h, '8', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_type(&h, "END", false), 0);
	assert_true(file_is("keys", "^[^_^^^^^@^@^H^?^[x^A^?END"));
}

static void test_mouse_reports(void **state)
{
	(void)state;
	start("--size 80x24");
	raw_cat("printf '\\033[?1000;1006h'; ", "cat -v", "mouse");
	wait_info("mouse", "1");
	/* cell (col 3, row 2) is 1-based 4;3 */
	assert_int_equal(th_button(&h, 1, true, 3 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_button(&h, 1, false, 3 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_button(&h, 4, true, 3 * CW + 1, 2 * CH + 1), 0);
	/* with Shift held the pointer is ours: nothing reaches the program */
	assert_int_equal(th_key_edge(&h, KS_SHIFT_L, true), 0);
	assert_int_equal(th_button(&h, 1, true, 10, 10), 0);
	assert_int_equal(th_button(&h, 1, false, 10, 10), 0);
	assert_int_equal(th_key_edge(&h, KS_SHIFT_L, false), 0);
	assert_int_equal(th_type(&h, "END", false), 0);
	assert_true(file_is("mouse", "^[[<0;4;3M^[[<0;4;3m^[[<64;4;3MEND"));
}

/* DECSET 1002: motion is reported only while a button is held. */
static void test_mouse_drag(void **state)
{
	(void)state;
	start("--size 80x24");
	raw_cat("printf '\\033[?1002;1006h'; ", "cat -v", "drag");
	wait_info("mouse", "2");
	assert_int_equal(th_motion(&h, 1 * CW + 1, 1 * CH + 1), 0); /* no button: nothing */
	assert_int_equal(th_button(&h, 1, true, 3 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_motion(&h, 5 * CW + 1, 2 * CH + 1), 0); /* dragged: 32 + 0 */
	assert_int_equal(th_button(&h, 1, false, 5 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_motion(&h, 7 * CW + 1, 2 * CH + 1), 0); /* released: nothing */
	assert_int_equal(th_type(&h, "END", false), 0);
	assert_true(file_is("drag", "^[[<0;4;3M^[[<32;6;3M^[[<0;6;3mEND"));
}

static void test_mouse_x10(void **state)
{
	(void)state;
	start("--size 80x24");
	raw_cat("printf '\\033[?9h'; ", "cat -v", "x10");
	wait_info("mouse", "1");
	/* a press, no release, in the X10 encoding: ESC [ M, 32 + button, 33 + col, row */
	assert_int_equal(th_button(&h, 1, true, 3 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_button(&h, 1, false, 3 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_motion(&h, 9 * CW + 1, 2 * CH + 1), 0);
	assert_int_equal(th_type(&h, "END", false), 0);
	assert_true(file_is("x10", "^[[M $#END"));
}

/* ---- selection, clipboard, paste ---------------------------------------- */

static void double_click(int col, int row)
{
	for (int i = 0; i < 2; i++) {
		assert_int_equal(th_button(&h, 1, true, col * CW + 2, row * CH + 2), 0);
		assert_int_equal(th_button(&h, 1, false, col * CW + 2, row * CH + 2), 0);
	}
}

static bool wait_got(int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (!(h.got_flags & XP_CLIP_LAST) && xp_now_us() < end)
		th_pump(&h, 50);
	return h.got_flags & XP_CLIP_LAST;
}

static void test_select_and_paste(void **state)
{
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_type(&h, "clear; echo alpha beta-gamma/delta.txt epsilon", true), 0);
	int row = wait_line("alpha beta");
	/* a double click on "gamma" takes the whole path-like word: PRIMARY */
	double_click(13, row);
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 1, 5000));
	assert_int_equal(th_clip_request(&h, XP_CLIP_PRIMARY), 0);
	assert_true(wait_got(5000));
	assert_string_equal(h.got, "beta-gamma/delta.txt");
	/* a drag from "alpha" to "beta": characters; Ctrl+Shift+C: CLIPBOARD */
	assert_int_equal(th_button(&h, 1, true, 0 * CW + 1, row * CH + 2), 0);
	assert_int_equal(th_motion(&h, 4 * CW + 1, row * CH + 2), 0);
	assert_int_equal(th_motion(&h, 9 * CW + 1, row * CH + 2), 0);
	assert_int_equal(th_button(&h, 1, false, 9 * CW + 1, row * CH + 2), 0);
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 2, 5000));
	assert_int_equal(th_key(&h, 'C', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	assert_true(th_wait_clip_own(&h, XP_CLIP_CLIPBOARD, 1, 5000));
	assert_int_equal(th_clip_request(&h, XP_CLIP_CLIPBOARD), 0);
	assert_true(wait_got(5000));
	assert_string_equal(h.got, "alpha beta");
	/* a triple click takes the line */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(th_button(&h, 1, true, 30 * CW, row * CH + 2), 0);
		assert_int_equal(th_button(&h, 1, false, 30 * CW, row * CH + 2), 0);
	}
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 3, 5000));
	/* pastes: middle click (PRIMARY) bracketed, then Ctrl+Shift+V (CLIPBOARD) */
	raw_cat("printf '\\033[?2004h'; ", "cat -v", "paste");
	assert_int_equal(th_button(&h, 2, true, 50, 50), 0);
	assert_int_equal(th_button(&h, 2, false, 50, 50), 0);
	assert_int_equal(th_key(&h, 'V', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	assert_int_equal(th_type(&h, "END", false), 0);
	assert_true(file_is("paste", "^[[200~alpha beta-gamma/delta.txt epsilon^[[201~"
	                             "^[[200~alpha beta^[[201~END"));
}

static void test_paste_from_session(void **state)
{
	static const char text[] =
	    "from the desktop: caf\xc3\xa9 \xe2\x9c\x93\n\x1b[31mno escape\x07\n";
	(void)state;
	start("--size 80x24");
	raw_cat("", "cat", "got");
	/* the test's client owns CLIPBOARD; xp-term pastes it */
	h.answer = text;
	h.answer_len = sizeof(text) - 1;
	h.answer_chunk = 7; /* many small chunks */
	assert_int_equal(th_clip_own(&h, XP_CLIP_CLIPBOARD, 0), 0);
	assert_int_equal(th_key(&h, 'V', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	uint64_t end = xp_now_us() + 5000000;
	while (h.requests == 0 && xp_now_us() < end) /* answered as it arrives */
		th_pump(&h, 50);
	assert_true(file_is("got", "from the desktop: caf\xc3\xa9 \xe2\x9c\x93\r[31mno escape\r"));
	assert_int_equal(th_type(&h, "END", false), 0);
	/* newlines become CR, escape and bell are dropped: nothing runs */
	assert_true(
	    file_is("got", "from the desktop: caf\xc3\xa9 \xe2\x9c\x93\r[31mno escape\rEND"));
	assert_int_equal(h.requests, 1);
	/* an owner that sends more than a chunk gets LIMIT; the paste fails */
	h.answer_chunk = XP_CLIP_CHUNK + 1;
	static char big[XP_CLIP_CHUNK + 1];
	memset(big, 'b', sizeof(big));
	h.answer = big;
	h.answer_len = sizeof(big);
	assert_int_equal(th_key(&h, 'V', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	end = xp_now_us() + 5000000;
	while (h.errors == 0 && xp_now_us() < end)
		th_pump(&h, 50);
	assert_int_equal(h.last_error, XP_ERR_LIMIT);
	assert_int_equal(th_type(&h, "Z", false), 0);
	assert_true(
	    file_is("got", "from the desktop: caf\xc3\xa9 \xe2\x9c\x93\r[31mno escape\rENDZ"));
}

static void test_viewer_cannot_own(void **state)
{
	(void)state;
	start("--size 80x24");
	th_disconnect(&h);
	assert_int_equal(th_connect(&h, true), 0);
	h.answer = "x";
	h.answer_len = 1;
	assert_int_equal(th_clip_own(&h, XP_CLIP_CLIPBOARD, 0), 0);
	uint64_t end = xp_now_us() + 5000000;
	while (h.errors == 0 && xp_now_us() < end)
		th_pump(&h, 50);
	assert_int_equal(h.last_error, XP_ERR_READ_ONLY);
	/* nobody owns it: a request (a viewer may paste) fails at once */
	assert_int_equal(th_clip_request(&h, XP_CLIP_CLIPBOARD), 0);
	assert_true(wait_got(5000));
	assert_true(h.got_flags & XP_CLIP_FAILED);
	assert_int_equal(h.requests, 0);
}

/* ---- titles ----------------------------------------------------------- */

static void test_titles(void **state)
{
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_type(&h, "printf '\\033]2;hello title\\007'", true), 0);
	uint64_t end = xp_now_us() + 5000000;
	while (strcmp(h.title, "hello title") && xp_now_us() < end)
		th_pump(&h, 50);
	assert_string_equal(h.title, "hello title");
	/* controls and invalid UTF-8 never reach the wire (the server would refuse) */
	assert_int_equal(th_type(&h, "printf '\\033]0;bad\\001\\377 t\\303\\251tle\\007'", true),
	                 0);
	end = xp_now_us() + 5000000;
	while (strcmp(h.title, "bad t\xc3\xa9tle") && xp_now_us() < end)
		th_pump(&h, 50);
	assert_string_equal(h.title, "bad t\xc3\xa9tle");
	assert_string_equal(info("title"), "bad t\xc3\xa9tle");
}

/* ---- fonts, zoom, resizing ---------------------------------------------- */

static void test_fonts_and_zoom(void **state)
{
	(void)state;
	start("--font 9x15"); /* maximized in the 800x600 session */
	assert_string_equal(info("cell"), "9x15");
	assert_string_equal(info("cols"), "88");
	assert_string_equal(info("rows"), "40");
	assert_int_equal(th_key(&h, '+', XP_MOD_CONTROL | XP_MOD_SHIFT, "+"), 0);
	wait_info("font", "9x18");
	assert_string_equal(info("rows"), "33");
	assert_int_equal(th_key(&h, '_', XP_MOD_CONTROL | XP_MOD_SHIFT, "_"), 0);
	assert_int_equal(th_key(&h, '_', XP_MOD_CONTROL | XP_MOD_SHIFT, "_"), 0);
	wait_info("font", "8x13");
	assert_string_equal(info("cols"), "100");
	assert_int_equal(th_key(&h, ')', XP_MOD_CONTROL | XP_MOD_SHIFT, ")"), 0);
	wait_info("font", "9x15");
	/* the window follows the client's size, and the terminal the window */
	struct xp_msg m = {.op = XP_OP_RESIZE};
	m.u.resize = (struct xp_msg_resize){640, 480};
	assert_int_equal(xp_conn_send(&h.c, &m), 0);
	assert_int_equal(xp_conn_drain(&h.c, 2000), 0);
	wait_info("cols", "71");
	assert_string_equal(info("rows"), "32");
	assert_true(th_type(&h, "stty size", true) == 0 && th_wait_text(&h, "32 71", 5000) >= 0);
}

static void test_zoom_keeps_cells(void **state)
{
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_key(&h, '+', XP_MOD_CONTROL | XP_MOD_SHIFT, "+"), 0);
	wait_info("cell", "7x13");
	assert_string_equal(info("cols"), "80");
	assert_string_equal(info("rows"), "24");
}

/* ---- what libvterm 0.1 lacks ----------------------------------------------- */

static void test_deccolm_and_charsets(void **state)
{
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_type(&h, "printf '\\033[?3h'", true), 0);
	wait_info("cols", "132");
	assert_true(th_type(&h, "stty size", true) == 0 && th_wait_text(&h, "24 132", 5000) >= 0);
	assert_int_equal(th_type(&h, "printf '\\033[?3l'", true), 0);
	wait_info("cols", "80");
	/* DECSC with the DEC graphics set in G0, ASCII, DECRC: graphics again */
	assert_int_equal(th_type(&h, "printf 'A\\033(0\\0337\\033(B\\0338qqq\\033(BZ\\n'", true),
	                 0);
	assert_true(th_wait_text(&h, "A\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80Z", 5000) >= 0);
}

/* ---- how cells look, pixel by pixel ---------------------------------------- */

static uint32_t px(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x] & 0xffffff;
}

/* The server's copy of the window shows @ref at cell (@col, @row). */
static void shows(const struct xr_fb *win, int col, int row, const struct xr_fb *ref)
{
	for (int y = 0; y < ref->h; y++)
		for (int x = 0; x < ref->w; x++)
			if (px(win, col * CW + x, row * CH + y) != px(ref, x, y))
				fail_msg("cell %d,%d pixel %d,%d: %06x, want %06x", col, row, x, y,
				         px(win, col * CW + x, row * CH + y), px(ref, x, y));
}

static void ref_text(struct xr_fb *fb, const char *s, int cells, int font)
{
	assert_int_equal(xr_fb_init(fb, cells * CW, CH), 0);
	xr_text(fb, NULL, 0, 0, s, strlen(s), font, 0xd8d8d8, 0, false);
}

struct drawn {
	int row;
	struct xr_fb win;
};

/* True once the server's copy of the window has the line's last cell
 * drawn (cell 11, in 1;2;3): xp-term's text dump shows a line before its
 * drawing reaches the server, and the server applies an app's messages in
 * order, so everything before that cell is drawn too. */
static bool row_drawn(void *arg)
{
	struct drawn *d = arg;
	xr_fb_finish(&d->win);
	if (e2e_server_dump(&h.s) || e2e_server_window(&h.s, "main", h.win, &d->win))
		return false;
	for (int y = 0; y < CH; y++)
		for (int x = 0; x < CW; x++)
			if (px(&d->win, 11 * CW + x, d->row * CH + y) == 0x010203)
				return true;
	return false;
}

static void test_renditions(void **state)
{
	struct xr_fb win, ref;
	uint8_t bits[64];
	(void)state;
	start("--size 80x24");
	assert_int_equal(th_type(&h,
	                         "clear; printf 'e\\314\\201 \\346\\227\\245 \\033[3mx\\033[0m "
	                         "\\033[2md\\033[0m \\033[9ms\\033[0m \\033[38;2;1;2;3mX\\n'",
	                         true),
	                 0);
	struct drawn dr = {.row = wait_line("e\xcc\x81 \xe6\x97\xa5")};
	assert_true(proc_until(row_drawn, &dr, 10000));
	int row = dr.row;
	win = dr.win;
	/* e + U+0301: the e, and the accent's glyph over it */
	ref_text(&ref, "e", 1, XR_FONT_FIXED);
	assert_int_equal(xr_glyph_bitmap(XR_FONT_FIXED, 0x301, bits, sizeof(bits)), CH);
	struct xr_rect d;
	xr_bitmap(&ref, NULL, 0, 0, CW, CH, bits, CH, 0xd8d8d8, 0, true, &d);
	shows(&win, 0, row, &ref);
	assert_true(px(&win, 2, row * CH + 1) == 0xd8d8d8 ||
	            px(&win, 3, row * CH + 1) == 0xd8d8d8 || px(&win, 4, row * CH + 1) == 0xd8d8d8);
	xr_fb_finish(&ref);
	/* a wide character: both cells, Unifont's glyph */
	ref_text(&ref, "\xe6\x97\xa5", 2, XR_FONT_ID(0, XR_FONT_WIDE));
	shows(&win, 2, row, &ref);
	xr_fb_finish(&ref);
	/* italic: the oblique face */
	ref_text(&ref, "x", 1, XR_FONT_ID(0, XR_FONT_ITALIC));
	shows(&win, 5, row, &ref);
	xr_fb_finish(&ref);
	/* dim: half way to the background; strike-through: a line across */
	bool dim = false;
	for (int y = 0; y < CH; y++)
		for (int x = 0; x < CW; x++)
			dim |= px(&win, 7 * CW + x, row * CH + y) == 0x6c6c6c;
	assert_true(dim);
	for (int x = 0; x < CW; x++)
		assert_int_equal(px(&win, 9 * CW + x, row * CH + 11 - 11 * 3 / 8), 0xd8d8d8);
	/* 38;2;r;g;b is a colour, not dim (the 2 is not SGR 2) */
	bool exact = false;
	for (int y = 0; y < CH; y++)
		for (int x = 0; x < CW; x++)
			exact |= px(&win, 11 * CW + x, row * CH + y) == 0x010203;
	assert_true(exact);
	xr_fb_finish(&win);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_scrollback, teardown),
	    cmocka_unit_test_teardown(test_scrollback_default, teardown),
	    cmocka_unit_test_teardown(test_scrollback_limit, teardown),
	    cmocka_unit_test_teardown(test_xterm_keys, teardown),
	    cmocka_unit_test_teardown(test_mouse_reports, teardown),
	    cmocka_unit_test_teardown(test_mouse_drag, teardown),
	    cmocka_unit_test_teardown(test_mouse_x10, teardown),

	    cmocka_unit_test_teardown(test_select_and_paste, teardown),
	    cmocka_unit_test_teardown(test_paste_from_session, teardown),
	    cmocka_unit_test_teardown(test_viewer_cannot_own, teardown),
	    cmocka_unit_test_teardown(test_titles, teardown),
	    cmocka_unit_test_teardown(test_fonts_and_zoom, teardown),
	    cmocka_unit_test_teardown(test_zoom_keeps_cells, teardown),
	    cmocka_unit_test_teardown(test_deccolm_and_charsets, teardown),
	    cmocka_unit_test_teardown(test_renditions, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
