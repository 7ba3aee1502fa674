/*
 * clip.c - xp-term and the session clipboard. A finished selection is
 * offered as PRIMARY (as xterm does), Ctrl+Shift+C offers it as CLIPBOARD;
 * the text is taken when offered, so later output does not change it. A
 * paste of a selection we offer ourselves is local; otherwise it is asked
 * of the server, which asks the owner (another app, or a thin client and so
 * the user's own X selections). When another peer takes PRIMARY, our
 * highlight goes, as in xterm.
 *
 * Pasted text is made safe before the program sees it: control characters
 * other than Tab, CR and LF, and C1 controls, are dropped (so a paste
 * cannot end a bracketed paste early or inject escape sequences), LF
 * becomes CR (what a Return key sends), and invalid UTF-8 becomes U+FFFD.
 * The program gets it between ESC[200~ and ESC[201~ when it asked for
 * bracketed paste (DECSET 2004).
 */
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "term.h"
#include "xrender.h"

void term_clip_finish(struct term *t)
{
	for (int i = 0; i < 2; i++) {
		free(t->clip.text[i]);
		t->clip.text[i] = NULL;
	}
}

void term_clip_own(struct term *t, uint32_t which)
{
	size_t len;
	char *text = t->sel.active ? term_sel_text(t, &len) : NULL;
	if (!text)
		return;
	free(t->clip.text[which]);
	t->clip.text[which] = text;
	t->clip.len[which] = len;
	xa_clip_own(t->d, which, len);
}

/* Keep only what may reach a program from a paste (see the top). */
static size_t sanitize(const char *s, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = xp_utf8_next(s + i, len - i, &cp);
		if (cp == '\n')
			cp = '\r';
		if ((cp < 0x20 && cp != '\t' && cp != '\r') || (cp >= 0x7f && cp < 0xa0)) {
			i += k;
			continue;
		}
		n += term_utf8_put(out + n, cp);
		i += k;
	}
	return n;
}

void term_paste(struct term *t, const char *s, size_t len)
{
	/* U+FFFD for one bad byte is 3 bytes */
	char *clean = len <= XP_CLIP_MAX ? malloc(len * 3 + 1) : NULL;
	if (!clean)
		return;
	size_t n = sanitize(s, len, clean);
	if (t->view) {
		t->view = 0;
		t->dirty = true;
	}
	vterm_keyboard_start_paste(t->vt);
	term_pty_queue(t, clean, n);
	vterm_keyboard_end_paste(t->vt);
	free(clean);
}

void term_clip_paste(struct term *t, uint32_t which)
{
	if (t->clip.text[which]) {
		term_paste(t, t->clip.text[which], t->clip.len[which]);
		return;
	}
	t->clip.paste_req = xa_clip_request(t->d, which);
}

void term_clip_event(struct term *t, const struct xa_event *ev)
{
	if (ev->type == XA_CLIP_OWNER && ev->sel < 2 && !(ev->flags & XP_CLIP_DISOWN)) {
		free(t->clip.text[ev->sel]); /* another peer offers it now */
		t->clip.text[ev->sel] = NULL;
		if (ev->sel == XP_CLIP_PRIMARY)
			term_sel_clear(t);
	} else if (ev->type == XA_CLIP_REQUEST) {
		const char *text = ev->sel < 2 ? t->clip.text[ev->sel] : NULL;
		xa_clip_send(t->d, ev->req, text, text ? t->clip.len[ev->sel] : 0);
	} else if (ev->type == XA_CLIP_DATA) {
		size_t len;
		uint32_t flags;
		char *data = xa_clip_take(t->d, ev->req, &len, &flags);
		if (data && ev->req == t->clip.paste_req && !(flags & XP_CLIP_FAILED))
			term_paste(t, data, len);
		if (ev->req == t->clip.paste_req)
			t->clip.paste_req = 0;
		free(data);
	}
}
