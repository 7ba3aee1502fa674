/*
 * xdraw.h - libxpdraw, the one definition of xproto drawing (public API,
 * prefix xd_): the sticky drawing state of a stream (target, GC, clip;
 * protocol/SPEC.md section 6) with its initial values, how TARGET, GC and
 * CLIP change it, which parts of it each drawing message reads, and what
 * each drawing message does to a framebuffer.
 *
 * Everyone who keeps or applies drawing state uses it: xproto-server (what
 * an app set, what a client believes), the thin client, libxpapp (what it
 * last sent) and the tests' reference model. Drawing messages are looked up
 * in one table indexed by opcode (draw/ops.c); adding a drawing opcode
 * touches protocol/xproto.def, this library and protocol/SPEC.md only (plus
 * whoever emits it). See docs/CONVENTIONS.md.
 *
 * Why a library of its own: libxprender is pixels only (no wire types, so
 * fuzzers and benchmarks use it alone) and libxproto is bytes only (no
 * pixels, so apps and xproto-dump need no renderer); the meaning of a
 * drawing message sits between the two and depends on both.
 *
 * Messages are borrowed; nothing here allocates except the decoded image of
 * an IMAGE with a cache id, whose ownership goes to the caller's cache.
 */
#ifndef XDRAW_H
#define XDRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "xproto.h"
#include "xrender.h"

/** What a message is to the drawing state machine (xd_kind()). */
enum xd_kind {
	XD_NOT_DRAWING = 0, /* any other message */
	XD_STATE,           /* TARGET, GC, CLIP: changes the state (xd_state_update) */
	XD_DRAW,            /* draws into the target window's framebuffer (xd_apply) */
	XD_CACHE,           /* touches only the image cache, needs no target (xd_apply) */
};

/* Parts of the state (xd_reads(), xd_state_sync()). */
#define XD_TARGET 0x01u
#define XD_FG     0x02u
#define XD_BG     0x04u
#define XD_FONT   0x08u
#define XD_FLAGS  0x10u
#define XD_CLIP   0x20u
#define XD_GC     (XD_FG | XD_BG | XD_FONT | XD_FLAGS)
#define XD_ALL    (XD_TARGET | XD_GC | XD_CLIP)

/**
 * The sticky drawing state of one direction of one connection. Values are
 * always canonical: flags holds known GC flag bits only, font is a known
 * font, and "no clip" is the all-zero rectangle.
 */
struct xd_state {
	uint32_t target;              /* window id, 0 = none */
	uint32_t fg, bg, font, flags; /* the GC */
	struct xp_rect clip;          /* w == 0: no clip */
};

/**
 * xd_state_init - set @s to the state every stream starts with (SPEC.md
 * section 6: target 0, fg ffffff, bg 000000, font 0, flags 0, no clip).
 * This is the only place those values are written down in code.
 */
void xd_state_init(struct xd_state *s);

/** xd_state_equal - true when @a and @b are the same state. */
bool xd_state_equal(const struct xd_state *a, const struct xd_state *b);

/** xd_kind - what message opcode @op is to drawing (any value accepted). */
enum xd_kind xd_kind(unsigned op);

/**
 * xd_reads - the parts of the state (XD_* bits) message @op depends on, so a
 * forwarder sends only those; 0 for a message that is not drawing.
 */
unsigned xd_reads(unsigned op);

/**
 * xd_state_update - apply a TARGET, GC or CLIP message @m to @s.
 * Return: 0, or -1 with @err set (MALFORMED: a GC with an unknown font;
 *         STATE: @m is not a state message). @s is unchanged on error.
 */
int xd_state_update(struct xd_state *s, const struct xp_msg *m, struct xp_error *err);

/** Sends one state message for xd_state_sync(); returns 0 or -1. */
typedef int (*xd_emit_fn)(void *ctx, const struct xp_msg *m);

/**
 * xd_state_sync - make a peer that holds state @have hold @want in the parts
 * @parts (XD_* bits), emitting the fewest TARGET, GC and CLIP messages
 * through @emit (in that order). A GC carries @want's values for the GC
 * parts in @parts and @have's for the others. @have is updated to what the
 * peer holds after each emitted message.
 * Return: 0, or -1 when @emit failed (the parts not sent are unchanged).
 */
int xd_state_sync(struct xd_state *have, const struct xd_state *want, unsigned parts,
                  xd_emit_fn emit, void *ctx);

/**
 * An image cache the caller owns (the server's per session, the client's
 * per connection), used by IMAGE with a cache id, IMAGE_CACHED and
 * CACHE_DROP. Any callback may be NULL.
 */
struct xd_cache {
	void *ctx;
	/**
	 * keep - the decoded image @img of an IMAGE with cache id @id.
	 * Return: where the image to draw now lives: the cache's own copy after
	 * taking @img's pixels (leaving *img zeroed), or @img itself when it is
	 * not kept (it is drawn, then freed), or NULL with @err set to refuse
	 * it (nothing is drawn).
	 */
	const struct xr_fb *(*keep)(void *ctx, uint32_t id, struct xr_fb *img,
	                            struct xp_error *err);
	/** find - the image cached under @id (borrowed), or NULL if unknown. */
	const struct xr_fb *(*find)(void *ctx, uint32_t id);
	/** drop - forget @id (unknown ids are ignored). */
	void (*drop)(void *ctx, uint32_t id);
};

/**
 * xd_apply - apply drawing message @m to @fb under state @s.
 * @fb: the target window's framebuffer; NULL for XD_CACHE messages.
 * @cache: the caller's image cache, or NULL (IMAGE is then drawn and not
 *         kept, IMAGE_CACHED is an error).
 * @damage: receives the rectangle of @fb that changed (empty if none).
 * Return: 0, or -1 with @err set and nothing drawn: MALFORMED for a short
 *         BITMAP, bad image data or size, an unknown cache id; STATE when
 *         @m is not a drawing message; what @cache->keep set.
 */
int xd_apply(struct xr_fb *fb, const struct xd_state *s, const struct xp_msg *m,
             const struct xd_cache *cache, struct xr_rect *damage, struct xp_error *err);

#endif /* XDRAW_H */
