/*
 * keys.c - key events from the thin client (X11 keysyms plus the UTF-8 text
 * they produced): xp-term's own shortcuts, then the bytes xterm sends for
 * the key, through libvterm where it encodes them as xterm does.
 *
 * Shortcuts: Shift+PgUp/PgDn scroll the view a page, Shift+Insert pastes
 * PRIMARY, Ctrl+Shift+C copies the selection to CLIPBOARD, Ctrl+Shift+V
 * pastes it, Ctrl+Shift+plus/minus zoom (Ctrl+Shift+0: back to the font the
 * terminal started with). Control keys follow Xlib's XLookupString, which
 * is what xterm sends: Ctrl+@ ` 2 Space give NUL, Ctrl+[ 3 ESC, Ctrl+\ 4 FS,
 * Ctrl+] 5 GS, Ctrl+^ 6 ~ RS, Ctrl+_ / 7 US, Ctrl+8 DEL, Ctrl+letter its
 * control character; BackSpace sends DEL and Ctrl+BackSpace ^H. Alt sends
 * ESC first. Any key that reaches the program brings the view back down.
 */
#include <string.h>
#include <vterm.h>

#include "term.h"
#include "xrender.h"

#define KS_SHIFT_L   0xffe1u
#define KS_ALT_R     0xffeau
#define KS_SUPER_R   0xffecu
#define KS_INSERT    0xff63u
#define KS_PAGE_UP   0xff55u
#define KS_PAGE_DOWN 0xff56u
#define KS_BACKSPACE 0xff08u
#define KS_RETURN    0xff0du
#define KS_TAB       0xff09u
#define KS_KP_ADD    0xffabu
#define KS_KP_SUB    0xffadu
#define MODS         (XP_MOD_SHIFT | XP_MOD_CONTROL | XP_MOD_ALT | XP_MOD_SUPER)

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
    {0xff8d, VTERM_KEY_KP_ENTER},  {0xff95, VTERM_KEY_HOME},   {0xff9c, VTERM_KEY_END},
    {0xff97, VTERM_KEY_UP},        {0xff99, VTERM_KEY_DOWN},   {0xff96, VTERM_KEY_LEFT},
    {0xff98, VTERM_KEY_RIGHT},     {0xff9a, VTERM_KEY_PAGEUP}, {0xff9b, VTERM_KEY_PAGEDOWN},
    {0xff9e, VTERM_KEY_INS},       {0xff9f, VTERM_KEY_DEL},
};

int term_vterm_mods(uint32_t state)
{
	int m = VTERM_MOD_NONE;
	if (state & XP_MOD_SHIFT)
		m |= VTERM_MOD_SHIFT;
	if (state & XP_MOD_CONTROL)
		m |= VTERM_MOD_CTRL;
	if (state & XP_MOD_ALT)
		m |= VTERM_MOD_ALT;
	return m;
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

/* Modifier keys change what is held; the state of other keys says it all. */
static void track_mods(struct term *t, const struct xa_event *ev)
{
	static const uint32_t bit[] = {
	    XP_MOD_SHIFT, XP_MOD_SHIFT, XP_MOD_CONTROL, XP_MOD_CONTROL, 0,           0, XP_MOD_ALT,
	    XP_MOD_ALT,   XP_MOD_ALT,   XP_MOD_ALT,     XP_MOD_SUPER,   XP_MOD_SUPER};
	if (ev->keysym >= KS_SHIFT_L && ev->keysym <= KS_SUPER_R) {
		uint32_t b = bit[ev->keysym - KS_SHIFT_L];
		t->mods = ev->state & XP_KEY_PRESSED ? t->mods | b : t->mods & ~b;
	} else {
		t->mods = ev->state & MODS;
	}
}

/* The byte Ctrl+@c gives in XLookupString, or -1 when Ctrl changes nothing. */
static int control_byte(uint32_t c)
{
	if ((c >= '@' && c < 0x7f) || c == ' ')
		return (int)(c & 0x1f);
	if (c == '2')
		return 0;
	if (c >= '3' && c <= '7')
		return (int)(c - '3' + 0x1b);
	if (c == '8')
		return 0x7f;
	if (c == '/')
		return 0x1f;
	return -1;
}

static void send_byte(struct term *t, int b, bool alt)
{
	char s[2] = {0x1b, (char)b};
	term_pty_queue(t, alt ? s : s + 1, alt ? 2 : 1);
}

/* Ctrl+Shift and Shift chords of xp-term itself; true if @ev was one. */
static bool shortcut(struct term *t, const struct xa_event *ev)
{
	uint32_t m = ev->state & MODS, k = ev->keysym;
	bool cs = m == (XP_MOD_CONTROL | XP_MOD_SHIFT);
	if (m == XP_MOD_SHIFT && (k == KS_PAGE_UP || k == KS_PAGE_DOWN) && !t->altscreen) {
		term_scroll_view(t, k == KS_PAGE_UP ? t->rows : -t->rows);
	} else if (m == XP_MOD_SHIFT && k == KS_INSERT) {
		term_clip_paste(t, XP_CLIP_PRIMARY);
	} else if (cs && (k == 'C' || k == 'c')) {
		term_clip_own(t, XP_CLIP_CLIPBOARD);
	} else if (cs && (k == 'V' || k == 'v')) {
		term_clip_paste(t, XP_CLIP_CLIPBOARD);
	} else if (cs && (k == '+' || k == '=' || k == KS_KP_ADD)) {
		term_set_font(t, t->font_size + 1);
	} else if (cs && (k == '_' || k == '-' || k == KS_KP_SUB)) {
		term_set_font(t, t->font_size - 1);
	} else if (cs && (k == ')' || k == '0')) {
		term_set_font(t, t->font_start);
	} else {
		return false;
	}
	return true;
}

/* Keys whose bytes xterm and libvterm disagree on; true if sent. */
static bool xterm_literal(struct term *t, uint32_t keysym, uint32_t m)
{
	bool alt = m & XP_MOD_ALT;
	if (keysym == KS_BACKSPACE && (m & XP_MOD_CONTROL))
		send_byte(t, 0x08, alt);
	else if (keysym == KS_BACKSPACE && (m & XP_MOD_SHIFT))
		send_byte(t, 0x7f, alt);
	else if (keysym == KS_RETURN && (m & (XP_MOD_CONTROL | XP_MOD_SHIFT)))
		send_byte(t, '\r', alt);
	else if (keysym == KS_TAB && (m & XP_MOD_CONTROL))
		send_byte(t, '\t', alt);
	else
		return false;
	return true;
}

static void back_to_live(struct term *t)
{
	if (t->view) {
		t->view = 0;
		t->dirty = true;
	}
}

void term_key(struct term *t, const struct xa_event *ev)
{
	track_mods(t, ev);
	if (ev->state & XP_KEY_PRESSED)
		t->last_user_us = xp_now_us(); /* what it does is drawn at once */
	if (!(ev->state & XP_KEY_PRESSED) || shortcut(t, ev))
		return;
	if (ev->keysym >= KS_SHIFT_L && ev->keysym <= KS_SUPER_R)
		return; /* a modifier alone sends nothing */
	uint32_t m = ev->state & MODS;
	VTermModifier mod = (VTermModifier)term_vterm_mods(m);
	VTermKey k = special(ev->keysym);
	if (xterm_literal(t, ev->keysym, m)) {
		back_to_live(t);
	} else if (k != VTERM_KEY_NONE) {
		back_to_live(t);
		vterm_keyboard_key(t->vt, k, mod);
	} else if ((m & XP_MOD_CONTROL) && ev->keysym < 0x80 && control_byte(ev->keysym) >= 0) {
		back_to_live(t);
		send_byte(t, control_byte(ev->keysym), m & XP_MOD_ALT);
	} else if (ev->text[0] || ((m & (XP_MOD_CONTROL | XP_MOD_ALT)) && ev->keysym >= 0x20 &&
	                           ev->keysym < 0x100)) {
		back_to_live(t);
		if (!ev->text[0]) { /* Ctrl or Alt ate the text: the keysym is the character */
			char c[4];
			size_t n = term_utf8_put(c, ev->keysym);
			if (m & XP_MOD_ALT)
				term_pty_queue(t, "\x1b", 1);
			term_pty_queue(t, c, n);
			return;
		}
		if (m & XP_MOD_ALT)
			term_pty_queue(t, "\x1b", 1);
		term_pty_queue(t, ev->text, strlen(ev->text));
	}
}

void term_set_font(struct term *t, int size)
{
	int w, h;
	if (size < 0 || size >= XR_FONT_SIZES || size == t->font_size ||
	    xr_font_cell(XR_FONT_ID(size, 0), &w, &h, NULL) < 0)
		return;
	int cols = t->cols, rows = t->rows;
	t->font_size = size;
	t->cell_w = w;
	t->cell_h = h;
	xa_grid_set_font(&t->grid, size);
	if (t->maximized) { /* the window stays: as many cells as now fit */
		cols = (int)t->win_w / w;
		rows = (int)t->win_h / h;
	} else { /* the cells stay: the window follows */
		t->win_w = (uint32_t)(cols * w);
		t->win_h = (uint32_t)(rows * h);
		xa_window_configure(t->d, t->win, XP_CONF_RESIZE, 0, 0, t->win_w, t->win_h);
	}
	xa_grid_set_window(&t->grid, t->win_w, t->win_h);
	cols = cols < 2 ? 2 : cols;
	rows = rows < 2 ? 2 : rows;
	if ((cols != t->cols || rows != t->rows) && term_resize(t, rows, cols) == 0)
		term_pty_resize(t);
	else
		term_pty_resize(t); /* the pixel size changed */
	t->dirty = true;
}
