/*
 * log.c - one-line logs on stderr with a level filter.
 */
#include <stdio.h>

#include "server_int.h"

void xs_log(const struct xs_server *s, int level, const char *fmt, ...)
{
	if (s && level > s->opt.log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (s && s->opt.log_level >= XS_DEBUG) /* timestamps to correlate with peers */
		fprintf(stderr, "xproto-server: %.3f ",
		        (double)(xp_now_us() % 100000000u) / 1000.0);
	else
		fprintf(stderr, "xproto-server: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
