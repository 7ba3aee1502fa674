/*
 * main.c - the thin-client program; everything lives in libxpthin
 * (tc_main in options.c) so tests can run the same code in-process.
 */
#include "thin.h"

int main(int argc, char **argv)
{
	return tc_main(argc, argv);
}
