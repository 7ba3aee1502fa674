/*
 * term.h - xp-term, a terminal emulator drawing through libxpapp: libvterm
 * does the emulation; the cell grid of libxpapp keeps what the window shows
 * and sends only the difference (a COPY for scrolling, text runs for changed
 * cells), at most one frame per FRAME_MS while output streams.
 *
 * Files: main.c (options, event loop), pty.c (the shell and the bytes to
 * it), filter.c (what libvterm gets from the pty), screen.c (libvterm
 * callbacks, snapshot into cells), scrollback.c (lines that scrolled off),
 * keys.c (keyboard), mouse.c (pointer: reporting, selection gestures),
 * select.c (the selection and its text), clip.c (clipboard and paste).
 *
 * Lines are numbered "absolutely" so a selection stays on its text while
 * output scrolls: scrollback line i (0 = oldest kept) is sb.dropped + i,
 * screen row r is sb.dropped + sb.n + r.
 */
#ifndef XP_TERM_H
#define XP_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xpapp.h"

struct VTerm;
struct VTermScreen;
struct sb_block;

/* Where a scrollback line is: its block, and its offset in the block's
 * (uncompressed) bytes (scrollback.c). */
struct term_sb_ref {
	struct sb_block *b;
	uint32_t off;
};

/* The lines that scrolled off the top (scrollback.c). */
struct term_sb {
	struct term_sb_ref *ring; /* one per line, oldest at ring[head] */
	size_t cap, head, n;      /* ring capacity, oldest slot, lines kept */
	size_t max;               /* most lines kept */
	uint64_t dropped;         /* lines dropped from the front so far */
	struct sb_block *first, *last;
	size_t bytes; /* memory held (blocks, ring, inflated copy) */
	uint8_t *tmp; /* encoding scratch */
	size_t tmp_cap;
	const struct sb_block *inflated; /* the sealed block @raw holds, or NULL */
	uint8_t *raw;                    /* its bytes, inflated */
	size_t raw_cap;
};

enum term_sel_mode { TERM_SEL_CHAR = 1, TERM_SEL_WORD, TERM_SEL_LINE };

/* The mouse selection (select.c), in absolute lines. */
struct term_sel {
	bool active, dragging;
	enum term_sel_mode mode;
	int64_t a_line, b_line; /* anchor and moving end */
	int a_col, b_col;
	int word0, word1; /* the word (or cell) first clicked, on a_line */
	uint64_t last_click_us;
	int clicks, click_col;
	int64_t click_line;
};

/* What this terminal offers on each clipboard selection (clip.c). */
struct term_clip {
	char *text[2]; /* XP_CLIP_CLIPBOARD, XP_CLIP_PRIMARY; NULL: not ours */
	size_t len[2];
	uint32_t paste_req; /* the request a paste waits for, 0: none */
};

/* Escape sequences xp-term handles before libvterm (filter.c). */
struct term_filter {
	int state;        /* text, escape sequence, string */
	uint8_t pend[64]; /* an unfinished escape sequence */
	size_t npend;
	char g[4], saved_g[4]; /* designated character sets G0..G3 ('B' ASCII) */
	int gl, saved_gl;      /* the set shifted into GL (SI/SO) */
	bool saved;
};

struct term {
	struct xa_display *d;
	uint32_t win;
	struct VTerm *vt;
	struct VTermScreen *vs;
	int pty;
	pid_t child;
	int rows, cols, cell_w, cell_h;
	int font_size, font_start; /* now, and as started (Ctrl+Shift+0) */
	uint32_t win_w, win_h;     /* the window, in pixels */
	bool maximized;
	struct xa_cell *cur; /* rows * cols: what the terminal holds */
	struct xa_grid grid; /* what the window shows, and the painter */
	struct term_sb sb;   /* scrollback */
	int view;            /* lines scrolled back, 0: the live screen */
	struct term_sel sel; /* selection */
	struct term_clip clip;
	struct term_filter filter;
	uint8_t *out; /* bytes waiting to be written to the pty */
	size_t out_len, out_cap;
	uint32_t mods;  /* XP_MOD_* held, as far as key events tell */
	int mouse_mode; /* what the program asked for, VTERM_PROP_MOUSE_* */
	bool mouse_x10; /* DECSET 9: presses only, no modifiers */

	bool cursor_visible, altscreen, dirty, child_exited;
	bool child_reaped;   /* the command ended, with child_status (waitpid's) */
	bool stopped;        /* SIGTERM or SIGHUP: we end, whatever the command does */
	uint64_t show_by_us; /* the mapped window goes out by then at the latest; 0 sent */
	int child_status;
	uint64_t last_frame_us, pending_bytes, last_input_us;
	uint64_t last_user_us; /* the last key pressed or bytes queued for the program */

	char title[257];
	const char *dump_path;
};

#define TERM_OUT_MAX (16u << 20) /* bytes queued for the pty (a big paste) */

/* pty.c */
/** Start @argv (or the user's shell) on a new pty of @rows x @cols. 0 or -1. */
int term_pty_spawn(struct term *t, char *const argv[]);
/** Tell the pty (and so the program) the new size. */
void term_pty_resize(struct term *t);
/** Queue @len bytes for the program; they go out as the pty takes them. */
void term_pty_queue(struct term *t, const char *s, size_t len);
/** Write what is queued without blocking. 0, or -1 when the pty is gone. */
int term_pty_flush(struct term *t);

/* filter.c */
/** Feed @len bytes from the pty to libvterm, handling what it lacks. */
void term_filter_input(struct term *t, const char *s, size_t len);

/* screen.c */
/** Create the emulator and the grid for t->rows x t->cols. 0 or -1. */
int term_vt_init(struct term *t);
/** Free the emulator and the grids term_vt_init() made; safe to call twice. */
void term_vt_finish(struct term *t);
/** Resize the emulator and the grid; the next frame redraws everything. */
int term_resize(struct term *t, int rows, int cols);
/** Snapshot what the window shows (view, selection, cursor) into t->cur. */
void term_snapshot(struct term *t);
/** Snapshot the emulator and send what changed in the window. */
void term_paint(struct term *t);
/**
 * The cells of absolute line @line (scrollback or screen) into @cells
 * (t->cols of struct VTermScreenCell). 0, or -1 when no such line.
 */
int term_line_cells(struct term *t, int64_t line, void *cells);
/** Absolute number of the first line of the live screen. */
int64_t term_screen_top(const struct term *t);
/** Scroll the view by @lines (> 0 back into the scrollback), clamped. */
void term_scroll_view(struct term *t, int lines);
/**
 * Write what the window shows, one line per row, to @path (and facts to
 * @path.info): into @path.tmp, then renamed, so a reader never sees half a
 * screen. Returns 0 or -1.
 */
int term_dump_text(struct term *t, const char *path);

/* scrollback.c */
int term_sb_init(struct term_sb *sb, size_t max_lines);
/** Free every line @sb keeps (its blocks and buffers). */
void term_sb_finish(struct term_sb *sb);
/** Keep line @cells (@cols VTermScreenCell) as the newest. 0 or -1. */
int term_sb_push(struct term_sb *sb, int cols, const void *cells);
/** Take the newest line back into @cells (@cols wide). 1, or 0 when empty. */
int term_sb_pop(struct term_sb *sb, int cols, void *cells);
/** Line @i (0 = oldest kept) into @cells, @cols wide. 0 or -1. */
int term_sb_get(struct term_sb *sb, size_t i, int cols, void *cells);
/** The number of lines @sb keeps. */
size_t term_sb_count(const struct term_sb *sb);
/** Write @cp as UTF-8 (1..4 bytes, U+FFFD for a non-character) at @out. */
size_t term_utf8_put(char *out, uint32_t cp);
/** Bytes of memory the scrollback holds. */
size_t term_sb_bytes(const struct term_sb *sb);

/* keys.c */
/** Handle a key event: shortcuts, or bytes for the program. */
void term_key(struct term *t, const struct xa_event *ev);
/** XP_MOD_* bits @state as libvterm's modifier bits (a VTermModifier). */
int term_vterm_mods(uint32_t state);
/** Zoom to font size @size, keeping the window (maximized) or the cells. */
void term_set_font(struct term *t, int size);

/* mouse.c */
/** Handle a button or motion event: reported to the program or ours. */
void term_mouse(struct term *t, const struct xa_event *ev);

/* select.c */
/** Start a selection of @mode at absolute (@line, @col). */
void term_sel_start(struct term *t, enum term_sel_mode mode, int64_t line, int col);
/** Move the selection's free end to (@line, @col). */
void term_sel_extend(struct term *t, int64_t line, int col);
/** Drop the selection (and its highlight). */
void term_sel_clear(struct term *t);
/** True when the cell at absolute (@line, @col) is selected. */
bool term_sel_has(const struct term *t, int64_t line, int col);
/** Output changed screen rows [@r0, @r1): drop a selection touching them. */
void term_sel_damage(struct term *t, int r0, int r1);
/** The selected text, UTF-8, '\n' between lines (malloc'd, NUL-terminated). */
char *term_sel_text(struct term *t, size_t *len);

/* clip.c */
/** Offer the selection's text as clipboard selection @which (XP_CLIP_*). */
void term_clip_own(struct term *t, uint32_t which);
/** Paste clipboard selection @which into the program. */
void term_clip_paste(struct term *t, uint32_t which);
/** A clipboard event from the server (XA_CLIP_*). */
void term_clip_event(struct term *t, const struct xa_event *ev);
/** Send @len bytes to the program as a paste (bracketed when it asked). */
void term_paste(struct term *t, const char *s, size_t len);
/** Free the text @t offers as the session's selections. */
void term_clip_finish(struct term *t);

#endif
