/*
 * term_harness.h - drive a real xp-term in a real server from a test: the
 * test is a thin client on the raw protocol (exact keys, buttons, motion,
 * and every message the server sends it), the terminal runs a real bash,
 * and its window's text comes from xp-term's --dump (SIGUSR1). Every wait
 * is on a condition, with a deadline.
 */
#ifndef TERM_HARNESS_H
#define TERM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "e2e.h"

#define TH_LINES    128
#define TH_LINE_MAX 1024

struct th {
	struct e2e_server s;
	char apps[256], dump[256], dir[128];
	pid_t term; /* the xp-term process */
	struct xp_conn c;
	bool connected;
	uint32_t win; /* the terminal's window, as the client knows it */
	struct {      /* where the session put each window (WIN_CREATE, WIN_CONFIGURE) */
		uint32_t id;
		int32_t x, y;
	} pos[16];
	int npos;
	char title[300];      /* the last WIN_TITLE */
	unsigned clip_own[2]; /* CLIP_OWN (not DISOWN) seen per selection */
	unsigned errors;      /* ERROR messages seen */
	uint32_t last_error;  /* the last ERROR's code */
	const char *answer;   /* data to send when asked for a selection we own */
	size_t answer_len, answer_chunk;
	unsigned requests; /* CLIP_REQUEST seen */
	bool hold;         /* keep CLIP_REQUESTs unanswered (th_clip_answer_held) */
	uint32_t held[8];  /* their ids */
	unsigned nheld;
	char *got;               /* CLIP_DATA received for the test's own requests */
	size_t got_len, got_cap; /* XU_ARRAY_RESERVE */
	uint32_t got_flags;      /* their flags, or-ed; XP_CLIP_LAST once complete */
	char lines[TH_LINES][TH_LINE_MAX];
	int nlines;
};

/**
 * Start a server whose app "terminal" is xp-term @term_args -e bash (no rc
 * files, prompt "$ ", HOME and the working directory a fresh folder,
 * h->dir), plus @server_extra arguments. 0 or -1.
 */
int th_start(struct th *h, const char *term_args, const char *const *server_extra);
/** Stop everything started and remove the folders. */
void th_stop(struct th *h);
/** Connect the test as a thin client (or a viewer) of session "main". 0 or -1. */
int th_connect(struct th *h, bool viewer);
/** Disconnect the test's client. */
void th_disconnect(struct th *h);
/** Launch the terminal and wait until its shell prompts. 0 or -1. */
int th_launch(struct th *h);
/** Read what the server sent for up to @ms (ACKing its MARKs). */
void th_pump(struct th *h, int ms);

/** Press and release a key (X keysym, XP_MOD_* bits, the text it types). */
int th_key(struct th *h, uint32_t keysym, uint32_t mods, const char *text);
/** Press or release a key only (modifiers held across other events). */
int th_key_edge(struct th *h, uint32_t keysym, bool pressed);
/** Type @s (ASCII), then Return if @enter. */
int th_type(struct th *h, const char *s, bool enter);
/**
 * A button press or release at (@x, @y) of the terminal's window (the
 * session places and frames windows: the harness adds where it put it).
 */
int th_button(struct th *h, int button, bool pressed, int x, int y);
/** The pointer moved to (@x, @y) of the terminal's window. */
int th_motion(struct th *h, int x, int y);

/** Dump the terminal's window text into h->lines (h->nlines). 0 or -1. */
int th_dump(struct th *h);
/** Dump until some line contains @text, for up to @timeout_ms; the line or -1. */
int th_wait_text(struct th *h, const char *text, int timeout_ms);
/** Value of @key in the dump's .info file (after th_dump), or "" . */
const char *th_info(struct th *h, const char *key, char *buf, size_t cap);
/** Wait until @path holds exactly @len bytes equal to @want. */
bool th_wait_file(const char *path, const char *want, size_t len, int timeout_ms);
/** Offer selection @sel as the test's client (answers come from h->answer). */
int th_clip_own(struct th *h, uint32_t sel, uint32_t flags);
/** Answer the CLIP_REQUESTs kept by h->hold now, from h->answer. 0 or -1. */
int th_clip_answer_held(struct th *h);
/** Ask the session for @sel; the data lands in h->got when h->got_flags has LAST. */
int th_clip_request(struct th *h, uint32_t sel);
/** Wait until the test's client saw CLIP_OWN @count times for @sel. */
bool th_wait_clip_own(struct th *h, uint32_t sel, unsigned count, int timeout_ms);

#endif
