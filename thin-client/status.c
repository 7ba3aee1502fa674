/*
 * status.c - the connection's state on screen: while the client is not
 * connected, a box over the last picture says why ("connection lost: ...",
 * "server refused: ...") and what happens next ("reconnecting in 3 s…",
 * or how to quit). It is drawn into the composited screen after each
 * composition, so screenshots show it, and it is gone with the next
 * connection's full refresh.
 */
#include <string.h>

#include "thin_int.h"

#define BOX_PAD      12
#define LINE_H       15
#define BOX_RETRY_BG 0x6b5316u /* amber: waiting to try again */
#define BOX_FAIL_BG  0x7a2424u /* red: given up */
#define BOX_EDGE     0x101214u
#define BOX_FG       0xffffffu

/* Line 1: what went wrong (the lost connection first); line 2: what now. */
static void say(struct tc_client *c, char out[2][TC_STATUS_LINE], uint64_t now)
{
	bool retrying = c->opt.reconnect && !c->quit;
	bool also = c->lost[0] && strcmp(c->lost, c->reason) != 0;
	char last[120] = "";
	snprintf(out[0], TC_STATUS_LINE, "%.190s", c->lost[0] ? c->lost : c->reason);
	if (also) /* a later attempt failed too: say how */
		snprintf(last, sizeof(last), " (%.100s)", c->reason);
	if (retrying) {
		uint64_t left = c->reconnect_us > now ? c->reconnect_us - now : 0;
		if (left >= 1000000)
			snprintf(out[1], TC_STATUS_LINE, "reconnecting in %llu s\xe2\x80\xa6%s",
			         (unsigned long long)((left + 999999) / 1000000), last);
		else
			snprintf(out[1], TC_STATUS_LINE, "reconnecting\xe2\x80\xa6%s", last);
	} else if (c->hint[0]) { /* what to do about it, and how to quit */
		snprintf(out[1], TC_STATUS_LINE, "%.150s%s", c->hint,
		         c->lingering ? "; a key quits" : "");
	} else if (c->lingering) {
		snprintf(out[1], TC_STATUS_LINE, "press a key or close this window to quit");
	} else {
		snprintf(out[1], TC_STATUS_LINE, "not connected: thin-client stops (status 1)");
	}
}

/* Where a box for @lines goes: centred, a third of the way down. */
static struct xr_rect box_for(const struct tc_client *c, char lines[2][TC_STATUS_LINE])
{
	int w0 = xr_text_width(lines[0], strlen(lines[0]), XR_FONT_FIXED);
	int w1 = xr_text_width(lines[1], strlen(lines[1]), XR_FONT_FIXED);
	int w = (w0 > w1 ? w0 : w1) + 2 * BOX_PAD, h = 2 * LINE_H + 2 * BOX_PAD - 4;
	const struct xr_fb *s = &c->comp.screen;
	if (w > s->w)
		w = s->w;
	return (struct xr_rect){(s->w - w) / 2, (s->h - h) / 3, w, h};
}

void tc_status_update(struct tc_client *c)
{
	struct tc_status *st = &c->status;
	char now[2][TC_STATUS_LINE] = {"", ""};
	bool want = !c->connected && c->reason[0]; /* a connection failed or ended */
	if (want)
		say(c, now, xp_now_us());
	if (want == st->shown && (!want || !memcmp(now, st->line, sizeof(now))))
		return;
	if (st->shown)
		tc_damage_add(&c->comp, st->box); /* the picture under the old box */
	st->shown = want;
	memcpy(st->line, now, sizeof(now));
	if (want) {
		st->box = box_for(c, now);
		tc_damage_add(&c->comp, st->box);
	}
}

void tc_status_draw(struct tc_client *c, struct tc_damage *d)
{
	struct tc_status *st = &c->status;
	struct xr_fb *s = &c->comp.screen;
	struct xr_rect b = st->box;
	bool hit = false;
	if (!st->shown)
		return;
	for (int i = 0; i < d->n; i++)
		hit |= !xr_rect_empty(xr_rect_intersect(d->r[i], b));
	if (!hit)
		return;
	tc_status_paint(c, s, b.x, b.y);
	if (d->n < TC_DAMAGE_MAX)
		d->r[d->n++] = b;
	else
		d->r[d->n - 1] = xr_rect_union(d->r[d->n - 1], b);
}

void tc_status_paint(const struct tc_client *c, struct xr_fb *fb, int x, int y)
{
	const struct tc_status *st = &c->status;
	struct xr_rect b = {x, y, st->box.w, st->box.h};
	uint32_t bg = c->opt.reconnect && !c->quit ? BOX_RETRY_BG : BOX_FAIL_BG;
	xr_fill(fb, NULL, b.x, b.y, b.w, b.h, BOX_EDGE);
	xr_fill(fb, NULL, b.x + 1, b.y + 1, b.w - 2, b.h - 2, bg);
	for (int i = 0; i < 2; i++)
		xr_text(fb, &b, b.x + BOX_PAD, b.y + BOX_PAD - 2 + i * LINE_H, st->line[i],
		        strlen(st->line[i]), i == 0 ? XR_FONT_FIXED_BOLD : XR_FONT_FIXED, BOX_FG,
		        bg, true);
}

uint64_t tc_status_next_us(const struct tc_client *c, uint64_t now)
{
	if (!c->status.shown || !c->opt.reconnect || c->reconnect_us <= now)
		return UINT64_MAX;
	return (c->reconnect_us - now) % 1000000 + 1; /* when the seconds change */
}
