/*
 * term.h - xp-term, a terminal emulator drawing through libxpapp: libvterm
 * does the emulation; the cell grid of libxpapp keeps what the window shows
 * and sends only the difference (a COPY for scrolling, text runs for changed
 * cells), at most one frame per FRAME_MS while output streams.
 */
#ifndef XP_TERM_H
#define XP_TERM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "xpapp.h"

struct VTerm;
struct VTermScreen;

struct term {
	struct xa_display *d;
	uint32_t win;
	struct VTerm *vt;
	struct VTermScreen *vs;
	int pty;
	pid_t child;
	int rows, cols, cell_w, cell_h;
	struct xa_cell *cur; /* rows * cols: what the terminal holds */
	struct xa_grid grid; /* what the window shows, and the painter */
	bool cursor_visible, dirty, child_exited;
	uint64_t last_frame_us, pending_bytes;
	char title[128];
	const char *dump_path;
};

/* pty.c */
/** Start @argv (or the user's shell) on a new pty of @rows x @cols. */
int term_pty_spawn(struct term *t, char *const argv[]);
/** Tell the pty (and so the program) the new size. */
void term_pty_resize(struct term *t);

/* screen.c */
int term_vt_init(struct term *t);
void term_vt_finish(struct term *t);
/** Resize the emulator and the grid; the next frame redraws everything. */
int term_resize(struct term *t, int rows, int cols);
/** Snapshot the emulator's screen (cursor included) into t->cur. */
void term_snapshot(struct term *t);
/**
 * Write the screen's text, one line per row, to @path: into @path.tmp, then
 * renamed, so a reader never sees half a screen. Returns 0 or -1.
 */
int term_dump_text(struct term *t, const char *path);

/** Snapshot the emulator and send what changed in the window. */
void term_paint(struct term *t);

/* keys.c */
/** Feed a key event to the emulator (its output goes to the pty). */
void term_key(struct term *t, const struct xa_event *ev);

#endif
