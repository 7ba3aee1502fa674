/*
 * proto_hex_test.c - libxproto's one hex codec (hex.c): every byte value
 * round trips, either case decodes, and every malformed or oversized input
 * is refused without writing past the caller's buffer. Also the cookie file,
 * its main user: a hand-written upper-case cookie loads, a bad one is refused.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "xproto.h"

static void test_every_byte_round_trips(void **state)
{
	(void)state;
	uint8_t in[256], back[256];
	char hex[513];
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	assert_int_equal(xp_hex_encode(in, 256, hex, sizeof(hex)), 512);
	assert_int_equal(hex[512], '\0');
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 500, "fafbfcfdfeff");
	assert_int_equal(xp_hex_decode(hex, 512, back, sizeof(back)), 256);
	assert_memory_equal(in, back, 256);
}

static void test_encode_edges(void **state)
{
	(void)state;
	static const uint8_t b[3] = {0xde, 0xad, 0x0f};
	char out[8];
	memset(out, 'x', sizeof(out));
	assert_int_equal(xp_hex_encode(b, 0, out, 1), 0);
	assert_string_equal(out, "");
	/* no room for the NUL: refused, nothing written */
	memset(out, 'x', sizeof(out));
	assert_int_equal(xp_hex_encode(b, 3, out, 6), -1);
	assert_int_equal(out[0], 'x');
	assert_int_equal(xp_hex_encode(b, 3, out, 7), 6);
	assert_string_equal(out, "dead0f");
}

static void test_decode_cases_and_errors(void **state)
{
	(void)state;
	uint8_t out[4] = {0};
	assert_int_equal(xp_hex_decode("DeAd0F", 6, out, 4), 3);
	assert_int_equal(out[0], 0xde);
	assert_int_equal(out[1], 0xad);
	assert_int_equal(out[2], 0x0f);
	assert_int_equal(xp_hex_decode("", 0, out, 0), 0);
	static const char *const bad[] = {"abc", "0g", "g0", " 0", "0 ", "0x", "+1",
	                                  "-1",  ":0", "@0", "`0", "0G", "/0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(xp_hex_decode(bad[i], strlen(bad[i]), out, 4), -1);
	/* a NUL inside the counted digits is not a digit */
	assert_int_equal(xp_hex_decode("0\0", 2, out, 4), -1);
	/* more bytes than room: refused before anything is written */
	memset(out, 0x55, sizeof(out));
	assert_int_equal(xp_hex_decode("0102030405", 10, out, 4), -1);
	assert_int_equal(out[0], 0x55);
	/* only @len digits are read: the rest of the string does not matter */
	assert_int_equal(xp_hex_decode("01zz", 2, out, 4), 1);
	assert_int_equal(out[0], 1);
}

/* Write @text to a fresh 0600 file in @dir; returns its path. */
static const char *cookie_file(const char *dir, const char *text)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/cookie", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_cookie_file_uses_the_codec(void **state)
{
	(void)state;
	char dir[] = "/tmp/xproto-hex-XXXXXX";
	struct xp_cookie c;
	struct xp_error err;
	assert_non_null(mkdtemp(dir));
	/* upper case and a CRLF, as an editor on another system may write it */
	const char *p = cookie_file(dir, "00112233445566778899AABBCCDDEEFF\r\n");
	assert_int_equal(xp_cookie_load(p, false, &c, &err), 0);
	assert_int_equal(c.len, 16);
	assert_int_equal(c.data[15], 0xff);
	static const char *const bad[] = {
	    "00112233445566778899aabbccddeef",     /* odd */
	    "00112233445566778899aabbccddee",      /* 15 bytes: too short */
	    "00112233445566778899aabbccddeefg\n",  /* not hex */
	    "0x112233445566778899aabbccddeeff\n",  /* prefix */
	    "00112233 445566778899aabbccddeeff\n", /* space inside */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = cookie_file(dir, bad[i]);
		assert_int_equal(xp_cookie_load(p, false, &c, &err), -1);
		assert_non_null(strstr(err.text, "as hex"));
	}
	/* a created cookie is 64 lowercase digits and a newline, and loads back */
	unlink(p);
	struct xp_cookie made, again;
	assert_int_equal(xp_cookie_load(p, true, &made, &err), 0);
	char text[80] = "";
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_int_equal(strlen(text), 65);
	assert_int_equal(strspn(text, "0123456789abcdef"), 64);
	assert_int_equal(xp_cookie_load(p, false, &again, &err), 0);
	assert_true(xp_cookie_equal(&made, again.data, again.len));
	unlink(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_byte_round_trips),
	    cmocka_unit_test(test_encode_edges),
	    cmocka_unit_test(test_decode_cases_and_errors),
	    cmocka_unit_test(test_cookie_file_uses_the_codec),
	};
	return cmocka_run_group_tests_name("libxproto hex codec", tests, NULL, NULL);
}
