/*
 * xputil.h - small helpers any folder may use (prefix xu_). Header only:
 * nothing to link, so the renderer, the protocol library, the apps and the
 * build tools share them without depending on each other.
 *
 * The one growable-array helper of the project (after libwayland's
 * wl_array): an array is a typed pointer and a capacity in elements, kept
 * side by side by its owner,
 *
 *     struct thing *v;
 *     size_t n, cap;
 *     if (XU_ARRAY_RESERVE(s->v, s->cap, s->n + 1) < 0)
 *             return -1;
 *     s->v[s->n++] = x;
 *
 * and only these functions change them: pointer and capacity are updated
 * together, on success only, whether realloc moved the block or grew it in
 * place, and every size computation is checked for overflow. Never grow an
 * array by hand.
 */
#ifndef XPUTIL_H
#define XPUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/**
 * xu_array_resize - give the array *@arrayp exactly @ncap elements of @size
 * bytes (the caller keeps its element count <= @ncap).
 * @arrayp: address of the caller's typed pointer (T **, passed as void *);
 *          the pointer is read and written as a whole with memcpy, so any
 *          object pointer type works.
 * @cap: the caller's capacity in elements; set to @ncap on success.
 * Return: 0, or -1 (@ncap * @size overflows, out of memory) with both the
 *         pointer and *@cap unchanged. @ncap == 0 frees the array.
 */
static inline int xu_array_resize(void *arrayp, size_t *cap, size_t ncap, size_t size)
{
	void *old, *p = NULL;
	if (size == 0 || ncap > SIZE_MAX / size)
		return -1;
	memcpy(&old, arrayp, sizeof(old));
	if (ncap == 0) {
		free(old);
	} else if (!(p = realloc(old, ncap * size))) {
		return -1;
	}
	memcpy(arrayp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

/**
 * xu_array_reserve - make room for @need elements of @size bytes in the
 * array *@arrayp of capacity *@cap, growing it geometrically (at least 8
 * elements, then doubling) so that n appends cost O(n).
 * Return: 0 (room for @need elements), or -1 (overflow, out of memory) with
 *         the array and *@cap unchanged.
 */
static inline int xu_array_reserve(void *arrayp, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	if (size == 0 || need > SIZE_MAX / size)
		return -1;
	size_t ncap = *cap < 8 ? 8 : *cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / size / 2 ? need : ncap * 2;
	return xu_array_resize(arrayp, cap, ncap, size);
}

/** XU_ARRAY_RESERVE(ptr, cap, need): xu_array_reserve on a typed pointer lvalue. */
#define XU_ARRAY_RESERVE(ptr, cap, need) xu_array_reserve(&(ptr), &(cap), (need), sizeof(*(ptr)))
/** XU_ARRAY_RESIZE(ptr, cap, ncap): xu_array_resize on a typed pointer lvalue. */
#define XU_ARRAY_RESIZE(ptr, cap, ncap) xu_array_resize(&(ptr), &(cap), (ncap), sizeof(*(ptr)))

#endif
