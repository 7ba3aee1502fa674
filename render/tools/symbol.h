/*
 * symbol.h - what the build-time font converters (bdf2c, unifont2c) share:
 * checking the C identifier they are asked to name their tables with.
 */
#ifndef XR_TOOLS_SYMBOL_H
#define XR_TOOLS_SYMBOL_H

#include <ctype.h>
#include <stdbool.h>

/* True when @s is a C identifier (a letter or '_', then letters, digits, '_'). */
static inline bool xr_tool_symbol_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

#endif
