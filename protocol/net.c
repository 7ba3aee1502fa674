/*
 * net.c - socket helpers kept apart from protocol logic: connect to a TCP
 * host:port or a Unix socket path, and the monotonic clock.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto_int.h"

uint64_t xp_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int xp_ms_until(uint64_t deadline_us)
{
	uint64_t now = xp_now_us();
	if (now >= deadline_us)
		return 0;
	uint64_t ms = (deadline_us - now + 999) / 1000;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int connect_unix(const char *path, struct xp_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return xp_error_set(err, XP_ERR_IO, 0, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@') /* abstract namespace */
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xp_error_set(err, XP_ERR_IO, 0, "socket: %s", strerror(errno));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		xp_error_set(err, XP_ERR_IO, 0, "connect %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int split_host_port(const char *addr, char *host, size_t cap, const char **port)
{
	const char *colon = strrchr(addr, ':');
	if (!colon || colon == addr || (size_t)(colon - addr) >= cap || !colon[1])
		return -1;
	const char *h = addr;
	size_t hl = (size_t)(colon - addr);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') { /* [::1]:7100 */
		h++;
		hl -= 2;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = colon + 1;
	return 0;
}

static int connect_tcp(const char *addr, struct xp_error *err)
{
	char host[256];
	const char *port;
	if (split_host_port(addr, host, sizeof(host), &port) < 0)
		return xp_error_set(err, XP_ERR_IO, 0, "bad address '%s' (want HOST:PORT)", addr);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	int r = getaddrinfo(host, port, &hints, &res);
	if (r != 0)
		return xp_error_set(err, XP_ERR_IO, 0, "%s: %s", addr, gai_strerror(r));
	int fd = -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			xp_error_set(err, XP_ERR_IO, 0, "connect %s: %s", addr, strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		int one = 1; /* small input events must not wait for Nagle */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

int xp_connect(const char *addr, struct xp_error *err)
{
	if (addr[0] == '/' || addr[0] == '@' || addr[0] == '.')
		return connect_unix(addr, err);
	return connect_tcp(addr, err);
}
