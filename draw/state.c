/*
 * state.c - the sticky drawing state (SPEC.md section 6): its initial
 * values, TARGET / GC / CLIP applied to it, and the sender's side, which
 * emits the fewest of those messages that bring a peer to a wanted state.
 */
#include "draw_int.h"

#define GC_FLAGS_KNOWN XP_GC_TRANSPARENT

void xd_state_init(struct xd_state *s)
{
	*s = (struct xd_state){
	    .target = 0,
	    .fg = 0xffffff,
	    .bg = 0x000000,
	    .font = 0,
	    .flags = 0,
	    .clip = {0, 0, 0, 0},
	};
}

bool xd_state_equal(const struct xd_state *a, const struct xd_state *b)
{
	return a->target == b->target && a->fg == b->fg && a->bg == b->bg && a->font == b->font &&
	       a->flags == b->flags && a->clip.x == b->clip.x && a->clip.y == b->clip.y &&
	       a->clip.w == b->clip.w && a->clip.h == b->clip.h;
}

/* A clip of width 0 is "no clip", whatever its other fields say. */
static struct xp_rect canon_clip(struct xp_rect r)
{
	return r.w ? r : (struct xp_rect){0, 0, 0, 0};
}

int xd_on_target(struct xd_state *s, const struct xp_msg *m, struct xp_error *err)
{
	(void)err;
	s->target = m->u.target.win;
	return 0;
}

int xd_on_gc(struct xd_state *s, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_gc *g = &m->u.gc;
	if (g->font >= XR_FONT_COUNT)
		return xp_error_set(err, XP_ERR_MALFORMED, m->op, "GC: unknown font %u", g->font);
	s->fg = g->fg & 0xffffff;
	s->bg = g->bg & 0xffffff;
	s->font = g->font;
	s->flags = g->flags & GC_FLAGS_KNOWN;
	return 0;
}

int xd_on_clip(struct xd_state *s, const struct xp_msg *m, struct xp_error *err)
{
	const struct xp_msg_clip *c = &m->u.clip;
	(void)err;
	s->clip = canon_clip((struct xp_rect){c->x, c->y, c->w, c->h});
	return 0;
}

int xd_state_update(struct xd_state *s, const struct xp_msg *m, struct xp_error *err)
{
	const struct xd_op *r = xd_op_row(m->op);
	if (!r || !r->update)
		return xp_error_set(err, XP_ERR_STATE, m->op, "%s does not set drawing state",
		                    xp_op_name(m->op) ? xp_op_name(m->op) : "unknown message");
	return r->update(s, m, err);
}

/* ---- the sender's side ---- */

static int sync_target(struct xd_state *have, uint32_t want, xd_emit_fn emit, void *ctx)
{
	struct xp_msg m = {.op = XP_OP_TARGET};
	if (have->target == want)
		return 0;
	m.u.target.win = want;
	if (emit(ctx, &m) < 0)
		return -1;
	have->target = want;
	return 0;
}

static int sync_gc(struct xd_state *have, const struct xd_state *want, unsigned parts,
                   xd_emit_fn emit, void *ctx)
{
	struct xp_msg m = {.op = XP_OP_GC};
	struct xp_msg_gc g = {
	    parts & XD_FG ? want->fg & 0xffffff : have->fg,
	    parts & XD_BG ? want->bg & 0xffffff : have->bg,
	    parts & XD_FONT ? want->font : have->font,
	    parts & XD_FLAGS ? want->flags & GC_FLAGS_KNOWN : have->flags,
	};
	if (g.fg == have->fg && g.bg == have->bg && g.font == have->font && g.flags == have->flags)
		return 0;
	m.u.gc = g;
	if (emit(ctx, &m) < 0)
		return -1;
	have->fg = g.fg, have->bg = g.bg, have->font = g.font, have->flags = g.flags;
	return 0;
}

static int sync_clip(struct xd_state *have, struct xp_rect want, xd_emit_fn emit, void *ctx)
{
	struct xp_msg m = {.op = XP_OP_CLIP};
	want = canon_clip(want);
	if (have->clip.x == want.x && have->clip.y == want.y && have->clip.w == want.w &&
	    have->clip.h == want.h)
		return 0;
	m.u.clip = (struct xp_msg_clip){want.x, want.y, want.w, want.h};
	if (emit(ctx, &m) < 0)
		return -1;
	have->clip = want;
	return 0;
}

int xd_state_sync(struct xd_state *have, const struct xd_state *want, unsigned parts,
                  xd_emit_fn emit, void *ctx)
{
	if ((parts & XD_TARGET) && sync_target(have, want->target, emit, ctx) < 0)
		return -1;
	if ((parts & XD_GC) && sync_gc(have, want, parts, emit, ctx) < 0)
		return -1;
	if ((parts & XD_CLIP) && sync_clip(have, want->clip, emit, ctx) < 0)
		return -1;
	return 0;
}
