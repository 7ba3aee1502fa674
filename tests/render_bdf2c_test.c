/*
 * render_bdf2c_test.c - the build-time font converter accepts a small valid
 * BDF and rejects malformed ones without leaving an output file.
 *
 * Runs $(BUILD)/tools/bdf2c (folder from XR_TEST_BUILD) on files written to
 * a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define HEAD                                                                                       \
	"STARTFONT 2.1\nFONT -test-font\nFONTBOUNDINGBOX 4 4 0 -1\n"                               \
	"STARTPROPERTIES 3\nFONT_ASCENT 3\nFONT_DESCENT 1\nDEFAULT_CHAR 65\n"                      \
	"ENDPROPERTIES\n"
#define GLYPH(enc, bbx, rows)                                                                      \
	"STARTCHAR g\nENCODING " enc "\nDWIDTH 4 0\nBBX " bbx "\nBITMAP\n" rows "ENDCHAR\n"
#define GOOD_A GLYPH("65", "4 4 0 -1", "F0\n90\n90\n00\n")

static char dir[] = "/tmp/render_bdf2c_XXXXXX";
static char in_path[128], out_path[128];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(in_path, sizeof(in_path), "%s/in.bdf", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.c", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove(in_path);
	remove(out_path);
	return rmdir(dir);
}

/* Run bdf2c on @bdf; its exit status. */
static int run(const char *bdf)
{
	char cmd[512];
	FILE *f = fopen(in_path, "w");

	assert_non_null(f);
	fputs(bdf, f);
	fclose(f);
	remove(out_path);
	snprintf(cmd, sizeof(cmd), "%s/tools/bdf2c xr_font_t %s %s 2>/dev/null", XR_TEST_BUILD,
	         in_path, out_path);
	return system(cmd);
}

static void test_valid(void **state)
{
	char buf[4096];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(
	    run(HEAD "CHARS 2\n" GOOD_A GLYPH("66", "2 2 1 0", "C0\n40\n") "ENDFONT\n"), 0);
	f = fopen(out_path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, ".cell_w = 4"));
	assert_non_null(strstr(buf, ".cell_h = 4"));
	assert_non_null(strstr(buf, ".nglyphs = 2"));
	/* 'B': a 2x2 box at x = 1 whose bottom sits on the baseline (row 2) */
	assert_non_null(strstr(buf, "0x00, 0x60, 0x20, 0x00"));
}

static void test_invalid(void **state)
{
	static const char *bad[] = {
	    "",
	    "hello\n",
	    HEAD "CHARS 1\n" GOOD_A,             /* no ENDFONT */
	    HEAD "CHARS 2\n" GOOD_A "ENDFONT\n", /* count mismatch */
	    HEAD "CHARS 1\n" GLYPH("65", "4 4 0 -1", "F0\n90\n") "ENDFONT\n",
	    HEAD "CHARS 1\n" GLYPH("65", "4 4 0 -1", "F0\nZZ\n90\n00\n") "ENDFONT\n",
	    HEAD "CHARS 1\n" GLYPH("65", "4 4 3 -1",
	                           "F0\n90\n90\n00\n") "ENDFONT\n", /* outside the cell */
	    HEAD "CHARS 1\n" GLYPH("1114112", "4 4 0 -1",
	                           "F0\n90\n90\n00\n") "ENDFONT\n", /* > U+10FFFF */
	    HEAD "CHARS 2\n" GOOD_A GOOD_A "ENDFONT\n",             /* duplicate */
	    HEAD "CHARS 1\n" GLYPH("66", "4 4 0 -1",
	                           "F0\n90\n90\n00\n") "ENDFONT\n", /* no default glyph */
	    HEAD "CHARS 1\n"
	         "STARTCHAR g\nENCODING 65\nDWIDTH 5 0\n"
	         "BBX 4 4 0 -1\nBITMAP\nF0\n90\n90\n00\nENDCHAR\nENDFONT\n",
	    HEAD "CHARS x\n" GOOD_A "ENDFONT\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run(bad[i]) == 0)
			fail_msg("bad BDF %zu accepted", i);
		assert_int_equal(access(out_path, F_OK), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
