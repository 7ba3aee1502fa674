/*
 * draw_int.h - internals of libxpdraw: the row each drawing opcode has in
 * the table (ops.c), and the handlers the rows point to (state.c for the
 * state messages, apply.c for the drawing ones).
 */
#ifndef XD_DRAW_INT_H
#define XD_DRAW_INT_H

#include "xdraw.h"

/** Changes @s by state message @m; 0, or -1 with @err set. */
typedef int (*xd_update_fn)(struct xd_state *s, const struct xp_msg *m, struct xp_error *err);
/** Draws @m into @fb under @s; 0 with @damage set, or -1 with @err set. */
typedef int (*xd_apply_fn)(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                           const struct xd_cache *cache, struct xr_rect *damage,
                           struct xp_error *err);

/** What the library knows about one opcode. */
struct xd_op {
	enum xd_kind kind;
	unsigned reads;      /* XD_* parts of the state it depends on */
	xd_update_fn update; /* XD_STATE rows */
	xd_apply_fn apply;   /* XD_DRAW and XD_CACHE rows */
};

/** The row of @op, or NULL when @op is not a drawing message. */
const struct xd_op *xd_op_row(unsigned op);

/* state.c: the state messages (parameters and return as xd_update_fn) */
/** TARGET: the window later drawing goes to. */
int xd_on_target(struct xd_state *s, const struct xp_msg *m, struct xp_error *err);
/** GC: colours, font (unknown: MALFORMED, @s unchanged), known flag bits. */
int xd_on_gc(struct xd_state *s, const struct xp_msg *m, struct xp_error *err);
/** CLIP: the clip rectangle; w = 0 removes it (stored as all zero). */
int xd_on_clip(struct xd_state *s, const struct xp_msg *m, struct xp_error *err);

/* apply.c: the drawing messages (parameters and return as xd_apply_fn) */
/** FILL: a rectangle in fg. */
int xd_draw_fill(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                 const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);
/** FILL_RECTS: rectangles in fg; the damage is their union. */
int xd_draw_fill_rects(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                       const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);
/** COPY: an area to another place in the same framebuffer (overlap allowed). */
int xd_draw_copy(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                 const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);
/** BITMAP: 1 bits in fg, 0 bits in bg or untouched; short bits are MALFORMED. */
int xd_draw_bitmap(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                   const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);
/** TEXT: UTF-8 in the GC's font and colours. */
int xd_draw_text(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                 const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);
/** IMAGE: decoded and drawn; with a cache id, also handed to @cache->keep. */
int xd_draw_image(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                  const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);
/** IMAGE_CACHED: the image @cache->find has for the id; unknown is MALFORMED. */
int xd_draw_image_cached(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                         const struct xd_cache *cache, struct xr_rect *damage,
                         struct xp_error *err);
/** CACHE_DROP: @cache->drop; @fb is not used (may be NULL). */
int xd_draw_cache_drop(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
                       const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);

#endif /* XD_DRAW_INT_H */
