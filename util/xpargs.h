/*
 * xpargs.h - the command line of a program that takes no arguments (the
 * benchmarks): `--help` prints its usage on stdout, anything else is named
 * on stderr with the usage, status 2, as every other program of ours does
 * (tests/cli_usage_test.sh). Header only, like xputil.h.
 */
#ifndef XPARGS_H
#define XPARGS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/**
 * xu_no_args - check that @argc/@argv (main's) hold no argument. @name is
 * the program's name, @about one line or more saying what it does (ending
 * in a newline). Returns -1 when there is none (go on), else the status to
 * exit with: 0 after printing the usage for --help or -h, 2 after naming
 * the argument it does not take.
 */
static inline int xu_no_args(int argc, char **argv, const char *name, const char *about)
{
	if (argc < 2)
		return -1;
	bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
	if (!help)
		fprintf(stderr, "%s: takes no arguments, not '%s'\n", name, argv[1]);
	fprintf(help ? stdout : stderr, "usage: %s\n%s", name, about);
	return help ? 0 : 2;
}

#endif
