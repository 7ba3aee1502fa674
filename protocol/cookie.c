/*
 * cookie.c - the shared secret every connection presents, kept in a 0600
 * file as hex (like xauth). Compared in constant time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_int.h"

const char *xp_cookie_default_path(char *buf, size_t cap)
{
	const char *env = getenv("XPROTO_COOKIE");
	if (env && *env)
		snprintf(buf, cap, "%s", env);
	else
		snprintf(buf, cap, "%s/.xproto-cookie", getenv("HOME") ? getenv("HOME") : ".");
	return buf;
}

/* The file's text: 32-64 hex digits, then optional blanks or a newline. */
static int parse_hex(const char *s, size_t n, struct xp_cookie *c)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	ssize_t len = xp_hex_decode(s, n, c->data, XP_COOKIE_MAX);
	if (len < XP_COOKIE_MIN)
		return -1;
	c->len = (size_t)len;
	return 0;
}

static int cookie_create(const char *path, struct xp_cookie *c, struct xp_error *err)
{
	char hex[2 * XP_COOKIE_MAX + 2];
	c->len = XP_COOKIE_MAX;
	if (getrandom(c->data, c->len, 0) != (ssize_t)c->len)
		return xp_error_set(err, XP_ERR_INTERNAL, 0, "getrandom: %s", strerror(errno));
	xp_hex_encode(c->data, c->len, hex, sizeof(hex));
	hex[2 * c->len] = '\n';
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return xp_error_set(err, XP_ERR_AUTH, 0, "create %s: %s", path, strerror(errno));
	ssize_t w = write(fd, hex, 2 * c->len + 1);
	if (close(fd) < 0 || w != (ssize_t)(2 * c->len + 1))
		return xp_error_set(err, XP_ERR_AUTH, 0, "write %s failed", path);
	return 0;
}

/* A cookie is a regular file of ours that nobody else may read or write. */
static int check_file(int fd, const char *path, struct xp_error *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return xp_error_set(err, XP_ERR_AUTH, 0, "cookie %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return xp_error_set(err, XP_ERR_AUTH, 0, "cookie %s: not a regular file", path);
	if (st.st_uid != geteuid())
		return xp_error_set(err, XP_ERR_AUTH, 0,
		                    "cookie %s: owned by uid %u, not by us (%u)", path,
		                    (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return xp_error_set(
		    err, XP_ERR_AUTH, 0,
		    "cookie %s: must not be readable by group or others (chmod 600)", path);
	return 0;
}

int xp_cookie_load(const char *path, bool create, struct xp_cookie *c, struct xp_error *err)
{
	char buf[2 * XP_COOKIE_MAX + 8];
	/* non-blocking: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && create)
		return cookie_create(path, c, err);
	if (fd < 0)
		return xp_error_set(err, XP_ERR_AUTH, 0, "cookie %s: %s", path, strerror(errno));
	if (check_file(fd, path, err) < 0) {
		close(fd);
		return -1;
	}
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || parse_hex(buf, (size_t)n, c) < 0)
		return xp_error_set(err, XP_ERR_AUTH, 0, "cookie %s: expected %d-%d bytes as hex",
		                    path, XP_COOKIE_MIN, XP_COOKIE_MAX);
	return 0;
}

bool xp_cookie_equal(const struct xp_cookie *c, const uint8_t *p, size_t n)
{
	/* the length is not secret; the bytes are compared without early exit */
	if (n != c->len)
		return false;
	volatile uint8_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(c->data[i] ^ p[i]);
	return diff == 0;
}
