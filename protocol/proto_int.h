/*
 * proto_int.h - internals shared by the files of libxproto.
 */
#ifndef PROTO_INT_H
#define PROTO_INT_H

#include "xproto.h"

/* read() chunk and the slack the input buffers keep beyond max_msg */
#define XP_READ_CHUNK       65536u
#define XP_FRAME_HEADER_MAX 6u /* opcode + 5-byte varint length */

/**
 * zlib state for one direction (zstream.c): a compressor when @deflate, else
 * a decompressor (level 6, default window). Returns NULL when out of memory
 * or zlib fails to start; the caller frees it with xp_zstate_destroy().
 */
struct xp_zstate *xp_zstate_create(bool deflate);
/** End the zlib stream of @z and free it; NULL is a no-op. */
void xp_zstate_destroy(struct xp_zstate *z);
/**
 * Compress all of @in into @out, ending with Z_PARTIAL_FLUSH when @sync
 * (the receiver can then decode everything so far, for 10 bits where
 * Z_SYNC_FLUSH costs 4 bytes; ssh -C flushes the same way). Returns 0 or -1.
 */
int xp_zstate_deflate(struct xp_zstate *z, const uint8_t *in, size_t n, struct xp_buf *out,
                      bool sync);
/**
 * Inflate from @in into @out while @out has room under its max, at most
 * @max_out bytes. Consumes what it used from @in. Returns 0, or -1 if the
 * stream is corrupt.
 */
int xp_zstate_inflate(struct xp_zstate *z, struct xp_buf *in, struct xp_buf *out, size_t max_out);

#endif
