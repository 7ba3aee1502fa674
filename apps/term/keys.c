/*
 * keys.c - key events from the thin client (X11 keysyms plus the UTF-8 text
 * they produced) fed to libvterm, which encodes them for the shell.
 */
#include <string.h>
#include <vterm.h>

#include "term.h"

struct keymap {
	uint32_t keysym;
	VTermKey key;
};

/* X11 keysym values (keysymdef.h) for the keys a terminal encodes itself */
static const struct keymap keys[] = {
    {0xff0d, VTERM_KEY_ENTER},     {0xff09, VTERM_KEY_TAB},    {0xfe20, VTERM_KEY_TAB},
    {0xff08, VTERM_KEY_BACKSPACE}, {0xff1b, VTERM_KEY_ESCAPE}, {0xff52, VTERM_KEY_UP},
    {0xff54, VTERM_KEY_DOWN},      {0xff51, VTERM_KEY_LEFT},   {0xff53, VTERM_KEY_RIGHT},
    {0xff63, VTERM_KEY_INS},       {0xffff, VTERM_KEY_DEL},    {0xff50, VTERM_KEY_HOME},
    {0xff57, VTERM_KEY_END},       {0xff55, VTERM_KEY_PAGEUP}, {0xff56, VTERM_KEY_PAGEDOWN},
    {0xff8d, VTERM_KEY_KP_ENTER},
};

static VTermModifier mods_of(uint32_t state)
{
	int m = VTERM_MOD_NONE;
	if (state & XP_MOD_SHIFT)
		m |= VTERM_MOD_SHIFT;
	if (state & XP_MOD_CONTROL)
		m |= VTERM_MOD_CTRL;
	if (state & XP_MOD_ALT)
		m |= VTERM_MOD_ALT;
	return (VTermModifier)m;
}

static VTermKey special(uint32_t keysym)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].keysym == keysym)
			return keys[i].key;
	if (keysym >= 0xffbe && keysym <= 0xffc9) /* F1..F12 */
		return (VTermKey)VTERM_KEY_FUNCTION(keysym - 0xffbe + 1);
	return VTERM_KEY_NONE;
}

static uint32_t utf8_decode(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80)
		return *len = 1, u[0];
	if ((u[0] & 0xe0) == 0xc0 && u[1])
		return *len = 2, (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
	if ((u[0] & 0xf0) == 0xe0 && u[1] && u[2])
		return *len = 3,
		       (uint32_t)(u[0] & 0x0f) << 12 | (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	if ((u[0] & 0xf8) == 0xf0 && u[1] && u[2] && u[3])
		return *len = 4, (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
		                     (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
	return *len = 1, 0xfffd;
}

void term_key(struct term *t, const struct xa_event *ev)
{
	if (!(ev->state & XP_KEY_PRESSED))
		return;
	VTermModifier mod = mods_of(ev->state);
	VTermKey k = special(ev->keysym);
	if (k != VTERM_KEY_NONE) {
		vterm_keyboard_key(t->vt, k, mod);
		return;
	}
	/* Ctrl/Alt + a Latin-1 key: let vterm build the control sequence */
	if ((mod & (VTERM_MOD_CTRL | VTERM_MOD_ALT)) && ev->keysym >= 0x20 && ev->keysym < 0x100) {
		vterm_keyboard_unichar(t->vt, ev->keysym, (VTermModifier)(mod & ~VTERM_MOD_SHIFT));
		return;
	}
	/* otherwise type what the keyboard layout produced */
	for (size_t i = 0, n; ev->text[i]; i += n) {
		uint32_t cp = utf8_decode(ev->text + i, &n);
		vterm_keyboard_unichar(t->vt, cp, (VTermModifier)(mod & VTERM_MOD_ALT));
	}
}
