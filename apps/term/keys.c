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
	size_t len = strlen(ev->text);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += xp_utf8_next(ev->text + i, len - i, &cp);
		vterm_keyboard_unichar(t->vt, cp, (VTermModifier)(mod & VTERM_MOD_ALT));
	}
}
