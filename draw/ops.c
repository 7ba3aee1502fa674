/*
 * ops.c - the table of drawing opcodes: for each, what kind of message it
 * is, which parts of the sticky state it reads and the function that
 * applies it. Everything else in xproto looks drawing messages up here
 * (xd_kind, xd_reads, xd_state_update, xd_apply), so adding a drawing
 * opcode is: its row in protocol/xproto.def, a row below with its handler
 * (apply.c), and its section in protocol/SPEC.md. tests/draw_test.c fails
 * while an opcode of the drawing range (0x20-0x2f) has no row here.
 */
#include "draw_int.h"

#define READS_POS (XD_TARGET | XD_CLIP) /* every drawing message is placed and clipped */

static const struct xd_op rows[XP_OP_MAX] = {
    [XP_OP_TARGET] = {XD_STATE, 0, xd_on_target, NULL},
    [XP_OP_GC] = {XD_STATE, 0, xd_on_gc, NULL},
    [XP_OP_CLIP] = {XD_STATE, 0, xd_on_clip, NULL},
    [XP_OP_FILL] = {XD_DRAW, READS_POS | XD_FG, NULL, xd_draw_fill},
    [XP_OP_FILL_RECTS] = {XD_DRAW, READS_POS | XD_FG, NULL, xd_draw_fill_rects},
    [XP_OP_COPY] = {XD_DRAW, READS_POS, NULL, xd_draw_copy},
    [XP_OP_BITMAP] = {XD_DRAW, READS_POS | XD_FG | XD_BG | XD_FLAGS, NULL, xd_draw_bitmap},
    [XP_OP_TEXT] = {XD_DRAW, READS_POS | XD_GC, NULL, xd_draw_text},
    [XP_OP_IMAGE] = {XD_DRAW, READS_POS, NULL, xd_draw_image},
    [XP_OP_IMAGE_CACHED] = {XD_DRAW, READS_POS, NULL, xd_draw_image_cached},
    [XP_OP_CACHE_DROP] = {XD_CACHE, 0, NULL, xd_draw_cache_drop},
};

const struct xd_op *xd_op_row(unsigned op)
{
	return op < XP_OP_MAX && rows[op].kind != XD_NOT_DRAWING ? &rows[op] : NULL;
}

enum xd_kind xd_kind(unsigned op)
{
	const struct xd_op *r = xd_op_row(op);
	return r ? r->kind : XD_NOT_DRAWING;
}

unsigned xd_reads(unsigned op)
{
	const struct xd_op *r = xd_op_row(op);
	return r ? r->reads : 0;
}
