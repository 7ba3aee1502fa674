/*
 * keyboard.c - X key events to xproto KEY fields through xkbcommon-x11: the
 * keymap comes from the X server, so any layout gives its own keysyms and
 * text. The modifier and group state is taken from each event's state
 * field (as core X clients see it), which keeps synthetic events working.
 * XKB clients get no core MappingNotify, so the XKB NewKeyboardNotify and
 * MapNotify events are selected and reload the keymap (setxkbmap de).
 *
 * Text rule (shared with the script player): the UTF-8 a key produces,
 * except that control characters carry no text. Return, BackSpace, Tab,
 * Escape and Control+letter are sent as keysym + modifiers with empty text,
 * as SPEC.md section 9 counts a Return press.
 */
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>
#include <xcb/xkb.h>
#include <xkbcommon/xkbcommon-x11.h>

#include "thin_int.h"

struct tc_kbd {
	xcb_connection_t *xc;
	struct xkb_context *ctx;
	struct xkb_keymap *keymap;
	struct xkb_state *state;
	int32_t device;
	uint8_t base_event; /* first event code of the XKB extension */
};

void tc_text_filter(char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			text[0] = '\0';
			return;
		}
}

int tc_kbd_reload(struct tc_kbd *k)
{
	struct xkb_keymap *km =
	    xkb_x11_keymap_new_from_device(k->ctx, k->xc, k->device, XKB_KEYMAP_COMPILE_NO_FLAGS);
	struct xkb_state *st = km ? xkb_x11_state_new_from_device(km, k->xc, k->device) : NULL;
	if (!st) {
		xkb_keymap_unref(km);
		return -1;
	}
	xkb_state_unref(k->state);
	xkb_keymap_unref(k->keymap);
	k->keymap = km;
	k->state = st;
	return 0;
}

static void select_events(struct tc_kbd *k)
{
	uint16_t events = XCB_XKB_EVENT_TYPE_NEW_KEYBOARD_NOTIFY | XCB_XKB_EVENT_TYPE_MAP_NOTIFY;
	uint16_t parts = XCB_XKB_MAP_PART_KEY_TYPES | XCB_XKB_MAP_PART_KEY_SYMS |
	                 XCB_XKB_MAP_PART_MODIFIER_MAP | XCB_XKB_MAP_PART_EXPLICIT_COMPONENTS |
	                 XCB_XKB_MAP_PART_KEY_ACTIONS | XCB_XKB_MAP_PART_VIRTUAL_MODS |
	                 XCB_XKB_MAP_PART_VIRTUAL_MOD_MAP;
	xcb_xkb_select_events(k->xc, (xcb_xkb_device_spec_t)k->device, events, 0, events, parts,
	                      parts, NULL);
}

bool tc_kbd_event(struct tc_kbd *k, const void *event)
{
	const xcb_generic_event_t *ev = event;
	if ((ev->response_type & 0x7f) != k->base_event)
		return false;
	/* every XKB event carries its XKB type in the second byte */
	uint8_t xkb_type = ((const xcb_xkb_new_keyboard_notify_event_t *)event)->xkbType;
	if ((xkb_type == XCB_XKB_NEW_KEYBOARD_NOTIFY || xkb_type == XCB_XKB_MAP_NOTIFY) &&
	    tc_kbd_reload(k) < 0)
		tc_warn("keyboard: cannot reload the keymap");
	return true;
}

struct tc_kbd *tc_kbd_create(struct xcb_connection_t *xc)
{
	struct tc_kbd *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->xc = xc;
	if (!xkb_x11_setup_xkb_extension(
	        xc, XKB_X11_MIN_MAJOR_XKB_VERSION, XKB_X11_MIN_MINOR_XKB_VERSION,
	        XKB_X11_SETUP_XKB_EXTENSION_NO_FLAGS, NULL, NULL, &k->base_event, NULL))
		goto err_kbd;
	k->ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	k->device = xkb_x11_get_core_keyboard_device_id(xc);
	if (!k->ctx || k->device < 0 || tc_kbd_reload(k) < 0)
		goto err_kbd;
	select_events(k);
	return k;
err_kbd:
	tc_warn("keyboard: cannot get the keymap from the X server (XKB)");
	tc_kbd_destroy(k);
	return NULL;
}

void tc_kbd_destroy(struct tc_kbd *k)
{
	if (!k)
		return;
	xkb_state_unref(k->state);
	xkb_keymap_unref(k->keymap);
	xkb_context_unref(k->ctx);
	free(k);
}

static uint32_t xp_mods(struct xkb_state *st)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} map[] = {{XKB_MOD_NAME_SHIFT, XP_MOD_SHIFT},
	           {XKB_MOD_NAME_CTRL, XP_MOD_CONTROL},
	           {XKB_MOD_NAME_ALT, XP_MOD_ALT},
	           {XKB_MOD_NAME_LOGO, XP_MOD_SUPER}};
	uint32_t mods = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (xkb_state_mod_name_is_active(st, map[i].name, XKB_STATE_MODS_EFFECTIVE) > 0)
			mods |= map[i].bit;
	return mods;
}

void tc_kbd_translate(struct tc_kbd *k, uint8_t keycode, uint16_t xstate, bool pressed,
                      uint32_t *keysym, uint32_t *mods, char *text, size_t cap)
{
	/* core state: modifier bits 0-7, XKB group in bits 13-14 */
	xkb_state_update_mask(k->state, xstate & 0xff, 0, 0, 0, 0, (xstate >> 13) & 3);
	*keysym = xkb_state_key_get_one_sym(k->state, keycode);
	*mods = xp_mods(k->state);
	text[0] = '\0';
	if (pressed)
		xkb_state_key_get_utf8(k->state, keycode, text, cap);
	tc_text_filter(text);
}
