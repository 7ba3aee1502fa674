/*
 * display.c - X-style display names: ":N" or "HOST:N" names display N, whose
 * thin-client endpoint is TCP port 7100 + N and whose app endpoint is the
 * Unix socket /tmp/xproto-UID/N.sock of the user running it. One parser for
 * the server, the thin client, libxpapp and the ssh bridge, so they agree on
 * where display N is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_int.h"

/* A host name that means this machine (an app may use the display's socket). */
static bool local_host(const char *h, size_t n)
{
	static const char *const names[] = {"localhost", "127.0.0.1", "unix", "[::1]", "::1"};
	if (n == 0)
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !memcmp(names[i], h, n))
			return true;
	return false;
}

/* Decimal @s (digits only, 1-5 of them) into *@v; false if it is not one. */
static bool decimal(const char *s, unsigned long *v)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return false;
	*v = strtoul(s, NULL, 10);
	return true;
}

const char *xp_display_socket_dir(char *buf, size_t cap)
{
	snprintf(buf, cap, "/tmp/xproto-%u", (unsigned)getuid());
	return buf;
}

const char *xp_display_socket(int n, char *buf, size_t cap)
{
	char dir[64];
	snprintf(buf, cap, "%s/%d.sock", xp_display_socket_dir(dir, sizeof(dir)), n);
	return buf;
}

/* Fill @d for display @n on host @host (@hl bytes, "" = 127.0.0.1). */
static void set_display(struct xp_display *d, int n, const char *host, size_t hl)
{
	d->number = n;
	d->local = local_host(host, hl);
	if (hl == 0 || (hl == 4 && !memcmp(host, "unix", 4)))
		snprintf(d->tcp, sizeof(d->tcp), "127.0.0.1:%d", XP_DISPLAY_PORT_BASE + n);
	else
		snprintf(d->tcp, sizeof(d->tcp), "%.*s:%d", (int)hl, host,
		         XP_DISPLAY_PORT_BASE + n);
	if (d->local)
		xp_display_socket(n, d->socket, sizeof(d->socket));
}

int xp_display_parse(const char *name, struct xp_display *d, struct xp_error *err)
{
	unsigned long v;
	memset(d, 0, sizeof(*d));
	d->number = -1;
	if (!name || !*name)
		return xp_error_set(err, XP_ERR_IO, 0, "empty display name");
	if (xp_net_is_unix(name)) {
		if (xp_net_check(name, err) < 0)
			return -1;
		d->local = true;
		snprintf(d->socket, sizeof(d->socket), "%s", name);
		return 0;
	}
	const char *colon = strrchr(name, ':');
	size_t hl = colon ? (size_t)(colon - name) : 0;
	if (!colon || hl >= 256 || !decimal(colon + 1, &v) || v > 65535)
		return xp_error_set(err, XP_ERR_IO, 0,
		                    "bad display '%s' (want :N or HOST:N with N 0-%d, HOST:PORT "
		                    "or a socket path)",
		                    name, XP_DISPLAY_MAX);
	if (v <= XP_DISPLAY_MAX) {
		set_display(d, (int)v, name, hl);
		return 0;
	}
	if (xp_net_check(name, err) < 0)
		return -1;
	snprintf(d->tcp, sizeof(d->tcp), "%s", name);
	d->local = local_host(name, hl);
	return 0;
}

int xp_private_dir(const char *dir, struct xp_error *err)
{
	struct stat st;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return xp_error_set(err, XP_ERR_IO, 0, "cannot create %s: %s", dir,
		                    strerror(errno));
	/* lstat: a symlink planted by someone else is not our directory */
	if (lstat(dir, &st) < 0)
		return xp_error_set(err, XP_ERR_IO, 0, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return xp_error_set(err, XP_ERR_IO, 0,
		                    "unsafe socket directory %s (want a directory of uid %u with "
		                    "mode 0700; it is uid %u, mode %04o)",
		                    dir, (unsigned)getuid(), (unsigned)st.st_uid,
		                    (unsigned)(st.st_mode & 07777));
	return 0;
}
