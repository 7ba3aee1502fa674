/*
 * release.c - large pixel buffers given back a piece per turn. Freeing the
 * 64 MiB of a 4096x4096 window returns 16,384 pages to the kernel at once:
 * about 12 ms of one loop turn on our machines, during which no other
 * connection is served. A buffer of a window or cached image that goes
 * away is queued instead; each turn its pages are given back with
 * madvise(MADV_DONTNEED) in 1 MiB pieces for about XS_PIECE_US, and the
 * emptied block is then freed (cheap). Until then its bytes still count
 * against the server-wide pixel budget (s->releasing); a request that
 * needs them has everything given back at once (xs_pixels_check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "server_int.h"

#define RELEASE_MIN   (1u << 20) /* smaller buffers are freed at once */
#define RELEASE_PIECE (1u << 20)

struct xs_release {
	void *block;       /* what malloc gave */
	uintptr_t at, end; /* the whole pages of it still to give back */
	size_t bytes;      /* counted in s->releasing */
	struct xs_release *next;
};

void xs_release(struct xs_server *s, void *block, size_t bytes)
{
	struct xs_release *r = block && bytes >= RELEASE_MIN ? malloc(sizeof(*r)) : NULL;
	if (!r) { /* small (or no memory to queue it): freed now */
		free(block);
		return;
	}
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start = (uintptr_t)block;
	/* whole pages inside the block only: the allocator's header stays intact */
	*r = (struct xs_release){block, (start + page - 1) / page * page,
	                         (start + bytes) / page * page, bytes, s->releases};
	s->releases = r;
	s->releasing += bytes;
	s->pixel_bytes += bytes;
}

void xs_release_fb(struct xs_server *s, struct xr_fb *fb)
{
	xs_release(s, fb->px, (size_t)fb->w * (size_t)fb->h * sizeof(uint32_t));
	*fb = (struct xr_fb){0};
}

/* Free the head of the queue, whose pages are all given back. */
static void pop(struct xs_server *s)
{
	struct xs_release *r = s->releases;
	s->releases = r->next;
	s->releasing -= r->bytes;
	s->pixel_bytes -= r->bytes;
	free(r->block);
	free(r);
}

bool xs_release_some(struct xs_server *s)
{
	uint64_t t0 = xp_now_us();
	while (s->releases && xp_now_us() - t0 < XS_PIECE_US) {
		struct xs_release *r = s->releases;
		if (r->at >= r->end) {
			pop(s);
			continue;
		}
		size_t n = r->end - r->at < RELEASE_PIECE ? r->end - r->at : RELEASE_PIECE;
		madvise((void *)r->at, n, MADV_DONTNEED); /* a failure only means free() does it */
		r->at += n;
	}
	return s->releases != NULL;
}

void xs_release_all(struct xs_server *s)
{
	while (s->releases)
		pop(s);
}
