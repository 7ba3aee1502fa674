/*
 * input.c - the session's input into the X display through XTEST.
 *
 * A KEY carries a keysym and the modifiers the user held. The keysym is
 * looked up in the X keymap (levels 1 and 2: plain and shifted); one the
 * keymap lacks (a non-US character, a symbol) is bound to a spare keycode
 * first, so that any character the user types arrives. Modifier keys are
 * passed through as they are (a held Control reaches a Ctrl+click); for the
 * other keys the X modifier state is made to match what the key needs
 * (Shift as its level requires, Control/Alt/Super as the user held them)
 * for the press, and put back after it. Pointer events are sent at the
 * window's position on the X screen.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xtest.h>

#include "x11.h"

#define MAX_SPARE 32

enum { M_SHIFT, M_CONTROL, M_ALT, M_SUPER, M_COUNT };

struct xb_input {
	uint8_t min, max; /* keycodes */
	int per;          /* keysyms per keycode */
	xcb_keysym_t *syms;
	uint8_t mod_key[M_COUNT]; /* a keycode of each modifier, 0 = none */
	uint8_t mod_of[256];      /* modifier (1 + M_*) a keycode belongs to, 0 none */
	bool held[256];           /* keycodes we hold down */
	uint8_t spare[MAX_SPARE]; /* keycodes free for binding */
	int nspare, next_spare;
};

static void load_keymap(struct xb *b, struct xb_input *in)
{
	const xcb_setup_t *s = xcb_get_setup(b->xc);
	in->min = s->min_keycode;
	in->max = s->max_keycode;
	xcb_get_keyboard_mapping_reply_t *r = xcb_get_keyboard_mapping_reply(
	    b->xc, xcb_get_keyboard_mapping(b->xc, in->min, (uint8_t)(in->max - in->min + 1)),
	    NULL);
	free(in->syms);
	in->syms = NULL;
	in->per = 0;
	if (!r)
		return;
	int n = xcb_get_keyboard_mapping_keysyms_length(r);
	in->syms = malloc(sizeof(*in->syms) * (size_t)(n ? n : 1));
	if (in->syms) {
		memcpy(in->syms, xcb_get_keyboard_mapping_keysyms(r),
		       sizeof(*in->syms) * (size_t)n);
		in->per = r->keysyms_per_keycode;
	}
	free(r);
}

static xcb_keysym_t sym_at(const struct xb_input *in, int kc, int col)
{
	if (!in->syms || kc < in->min || kc > in->max || col >= in->per)
		return 0;
	return in->syms[(size_t)(kc - in->min) * (size_t)in->per + (size_t)col];
}

static void load_modifiers(struct xb *b, struct xb_input *in)
{
	/* X modifier index -> ours: Shift 0, Control 2, Mod1 (Alt) 3, Mod4 (Super) 6 */
	static const int ours[8] = {1 + M_SHIFT, 0, 1 + M_CONTROL, 1 + M_ALT, 0, 0, 1 + M_SUPER, 0};
	xcb_get_modifier_mapping_reply_t *r =
	    xcb_get_modifier_mapping_reply(b->xc, xcb_get_modifier_mapping(b->xc), NULL);
	memset(in->mod_of, 0, sizeof(in->mod_of));
	memset(in->mod_key, 0, sizeof(in->mod_key));
	if (!r)
		return;
	const xcb_keycode_t *k = xcb_get_modifier_mapping_keycodes(r);
	for (int m = 0; m < 8; m++) {
		for (int i = 0; i < r->keycodes_per_modifier; i++) {
			uint8_t kc = k[m * r->keycodes_per_modifier + i];
			if (!kc || !ours[m])
				continue;
			in->mod_of[kc] = (uint8_t)ours[m];
			if (!in->mod_key[ours[m] - 1])
				in->mod_key[ours[m] - 1] = kc;
		}
	}
	free(r);
}

static void find_spares(struct xb_input *in)
{
	in->nspare = 0;
	for (int kc = in->max; kc >= in->min && in->nspare < MAX_SPARE; kc--) {
		bool empty = true;
		for (int c = 0; c < in->per; c++)
			empty &= sym_at(in, kc, c) == 0;
		if (empty)
			in->spare[in->nspare++] = (uint8_t)kc;
	}
}

struct xb_input *xb_input_create(struct xb *b)
{
	struct xb_input *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	load_keymap(b, in);
	load_modifiers(b, in);
	find_spares(in);
	if (!in->syms) {
		xb_log("cannot read the X keymap");
		free(in);
		return NULL;
	}
	return in;
}

void xb_input_mapping(struct xb *b, struct xb_input *in)
{
	if (!in)
		return;
	load_keymap(b, in);
	load_modifiers(b, in);
}

static void fake(struct xb *b, uint8_t type, uint8_t detail)
{
	xcb_test_fake_input(b->xc, type, detail, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
}

static void key(struct xb *b, struct xb_input *in, uint8_t kc, bool down)
{
	fake(b, down ? XCB_KEY_PRESS : XCB_KEY_RELEASE, kc);
	in->held[kc] = down;
}

void xb_input_destroy(struct xb *b, struct xb_input *in)
{
	if (!in)
		return;
	for (int kc = 0; kc < 256; kc++)
		if (in->held[kc])
			key(b, in, (uint8_t)kc, false);
	free(in->syms);
	free(in);
}

/* Keycode and level (0 plain, 1 shifted) of @sym, binding a spare if needed. */
static int lookup(struct xb *b, struct xb_input *in, xcb_keysym_t sym, int *col)
{
	for (int c = 0; c < 2; c++)
		for (int kc = in->min; kc <= in->max; kc++)
			if (sym_at(in, kc, c) == sym) {
				*col = c;
				return kc;
			}
	if (in->nspare == 0 || in->per < 2)
		return -1;
	/* the least recently bound spare that is not held down */
	for (int tries = 0; tries < in->nspare; tries++) {
		uint8_t kc = in->spare[in->next_spare];
		in->next_spare = (in->next_spare + 1) % in->nspare;
		if (in->held[kc])
			continue;
		xcb_keysym_t *row = in->syms + (size_t)(kc - in->min) * (size_t)in->per;
		memset(row, 0, sizeof(*row) * (size_t)in->per);
		row[0] = row[1] = sym;
		xcb_change_keyboard_mapping(b->xc, 1, kc, (uint8_t)in->per, row);
		*col = 0;
		return kc;
	}
	return -1;
}

static bool mod_held(const struct xb_input *in, int m)
{
	for (int kc = 0; kc < 256; kc++)
		if (in->held[kc] && in->mod_of[kc] == 1 + m)
			return true;
	return false;
}

/* Press or release modifier @m so that it is @want; the keycodes changed go
 * to @undo so they can be put back. */
static int set_mod(struct xb *b, struct xb_input *in, int m, bool want, uint8_t *undo, int n)
{
	if (mod_held(in, m) == want || !in->mod_key[m])
		return n;
	if (want) {
		key(b, in, in->mod_key[m], true);
		undo[n++] = in->mod_key[m];
		return n;
	}
	for (int kc = 0; kc < 256 && n < 16; kc++) {
		if (in->held[kc] && in->mod_of[kc] == 1 + m) {
			key(b, in, (uint8_t)kc, false);
			undo[n++] = (uint8_t)kc;
		}
	}
	return n;
}

static void press(struct xb *b, struct xb_input *in, uint8_t kc, int col, const struct xa_event *ev)
{
	static const uint32_t bit[M_COUNT] = {XP_MOD_SHIFT, XP_MOD_CONTROL, XP_MOD_ALT,
	                                      XP_MOD_SUPER};
	uint8_t undo[16];
	int n = 0;
	for (int m = 0; m < M_COUNT; m++) {
		bool want = (ev->state & bit[m]) != 0;
		if (m == M_SHIFT && ev->text[0])
			want = col == 1; /* a character: its level decides */
		n = set_mod(b, in, m, want, undo, n);
	}
	key(b, in, kc, true);
	for (int i = n; i-- > 0;)
		key(b, in, undo[i], !in->held[undo[i]]);
}

void xb_input_key(struct xb *b, struct xb_win *w, const struct xa_event *ev)
{
	struct xb_input *in = b->in;
	int col = 0, kc;
	if (!in || (kc = lookup(b, in, ev->keysym, &col)) < 0) {
		xb_log("no key for keysym 0x%x", ev->keysym);
		return;
	}
	if (b->focus != w->xid && !w->override)
		xb_wm_focus(b, w);
	bool down = ev->state & XP_KEY_PRESSED;
	if (getenv("XP_X11_DEBUG"))
		xb_log("key 0x%x %s -> keycode %d", ev->keysym, down ? "down" : "up", kc);
	if (!down) {
		if (in->held[kc])
			key(b, in, (uint8_t)kc, false);
	} else if (in->mod_of[kc]) {
		key(b, in, (uint8_t)kc, true); /* a modifier: as the user holds it */
	} else {
		if (in->held[kc])
			key(b, in, (uint8_t)kc, false); /* auto-repeat: release first */
		press(b, in, (uint8_t)kc, col, ev);
	}
	xcb_flush(b->xc);
}

static int16_t clamp16(int64_t v)
{
	return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

void xb_input_pointer(struct xb *b, struct xb_win *w, const struct xa_event *ev)
{
	int16_t x = clamp16((int64_t)w->x + ev->x), y = clamp16((int64_t)w->y + ev->y);
	xcb_test_fake_input(b->xc, XCB_MOTION_NOTIFY, 0, XCB_CURRENT_TIME, b->root, x, y, 0);
	if (ev->type == XA_BUTTON) {
		uint32_t button = ev->state >> 1;
		if (button >= 1 && button <= 255)
			fake(b, ev->state & 1 ? XCB_BUTTON_PRESS : XCB_BUTTON_RELEASE,
			     (uint8_t)button);
	}
	xcb_flush(b->xc);
}
