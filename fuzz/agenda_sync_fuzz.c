/*
 * agenda_sync_fuzz.c - libFuzzer target for the agenda sync message decoder.
 * Build and run (from the repository root):
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iapps/agenda
 * fuzz/agenda_sync_fuzz.c apps/agenda/wire.c apps/agenda/sync_proto.c apps/agenda/util.c -lsqlite3
 * -o build/agenda_sync_fuzz && build/agenda_sync_fuzz -max_total_time=60
 *
 * The input is treated as a byte stream from the network: frames are cut
 * out with ag_frame_peek() and decoded like agendad does. A message that
 * decodes must re-encode to the very same bytes (one encoder, one decoder).
 */
#include "agenda_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const uint8_t *frame, size_t len, struct ag_msg *m)
{
	struct ag_buf again = {0};
	if (ag_msg_encode(&again, m) == 0 && again.len == len &&
	    memcmp(again.data, frame, len) != 0)
		abort(); /* same length, different bytes: codec asymmetry */
	ag_buf_finish(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, hdr, body;
	for (int i = 0; i < 64 && off < size; i++) {
		int rc = ag_frame_peek(data + off, size - off, AG_MAX_FRAME, &hdr, &body);
		if (rc != 1)
			break;
		struct ag_msg m;
		const char *why = NULL;
		if (ag_msg_decode(data + off, hdr + body, &m, &why) == 0)
			roundtrip(data + off, hdr + body, &m);
		else if (!why)
			abort(); /* a refusal must always say why */
		ag_msg_finish(&m);
		off += hdr + body;
	}
	return 0;
}
