/*
 * headless.c - the in-memory presenter: the composited screen framebuffer
 * is the output (tests read it, --screenshot writes it), so presenting does
 * nothing and there are no events.
 */
#include <stdlib.h>

#include "thin_int.h"

static int headless_present(struct tc_presenter *p, const struct xr_fb *screen,
                            const struct tc_damage *d)
{
	return 0;
}

static void headless_destroy(struct tc_presenter *p)
{
	free(p);
}

static const struct tc_presenter_ops headless_ops = {
    .name = "headless",
    .present = headless_present,
    .destroy = headless_destroy,
};

struct tc_presenter *tc_headless_create(void)
{
	struct tc_presenter *p = calloc(1, sizeof(*p));
	if (p)
		p->ops = &headless_ops;
	return p;
}
