/*
 * net.c - the one place sockets are opened, kept apart from protocol logic
 * (as redis keeps anet.c): listen on TCP or a Unix socket, accept, connect,
 * and the monotonic clock. Every program and test of the project listens and
 * connects through these, so the defaults are the same everywhere: loopback
 * unless told otherwise, port 0 picks a free port and says which, no fd
 * leaks into launched programs, no Nagle delay on small messages, and an
 * error names the address and the cause.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto_int.h"

#define BACKLOG 128

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

bool xp_net_is_unix(const char *addr)
{
	return addr[0] == '/' || addr[0] == '@' || addr[0] == '.';
}

/* SOCK_* bits for socket()/accept4() from XP_NET_* @flags. */
static int sock_flags(unsigned flags)
{
	return (flags & XP_NET_CLOEXEC ? SOCK_CLOEXEC : 0) |
	       (flags & XP_NET_NONBLOCK ? SOCK_NONBLOCK : 0);
}

/* No Nagle delay on TCP socket @fd. */
static void set_nodelay(int fd)
{
	int one = 1; /* small input events must not wait for Nagle */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/*
 * Split "HOST:PORT" ("[v6]:PORT" too) into @host and @port. An empty HOST
 * is 127.0.0.1; PORT must be 0-65535 in decimal. Returns 0 or -1 with @err.
 */
static int split_addr(const char *addr, char host[256], char port[8], struct xp_error *err)
{
	const char *colon = strrchr(addr, ':'), *h = addr;
	size_t hl = colon ? (size_t)(colon - addr) : 0;
	size_t pl = colon ? strlen(colon + 1) : 0;
	if (!colon || hl >= 256 || pl == 0 || pl > 5 || strspn(colon + 1, "0123456789") != pl)
		goto err_form;
	unsigned long p = strtoul(colon + 1, NULL, 10);
	if (p > 65535)
		goto err_form;
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl == 0)
		snprintf(host, 256, "127.0.0.1");
	else
		snprintf(host, 256, "%.*s", (int)hl, h);
	snprintf(port, 8, "%u", (unsigned)(p & 0xffff));
	return 0;
err_form:
	return xp_error_set(err, XP_ERR_IO, 0, "bad address '%s' (want HOST:PORT, port 0-65535)",
	                    addr);
}

/* Unix address of @path ('@': abstract namespace); its length in *@len. */
static int unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *len, struct xp_error *err)
{
	size_t n = strlen(path);
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (n == 0 || n >= sizeof(sa->sun_path))
		return xp_error_set(err, XP_ERR_IO, 0, "bad socket path '%s' (1-%zu bytes)", path,
		                    sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

int xp_net_check(const char *addr, struct xp_error *err)
{
	struct sockaddr_un sa;
	socklen_t len;
	char host[256], port[8];
	if (xp_net_is_unix(addr))
		return unix_addr(addr, &sa, &len, err);
	return split_addr(addr, host, port, err);
}

/* The port @fd is bound to. */
static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* socket, SO_REUSEADDR, bind and listen on one resolved address. */
static int listen_on(const struct addrinfo *ai, unsigned flags)
{
	int one = 1, fd = socket(ai->ai_family, ai->ai_socktype | sock_flags(flags), 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, BACKLOG) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int xp_net_listen_tcp(const char *addr, unsigned flags, int *port, struct xp_error *err)
{
	char host[256], serv[8];
	if (!addr)
		addr = "127.0.0.1:0";
	if (split_addr(addr, host, serv, err) < 0)
		return -1;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
	                *res;
	int r = getaddrinfo(host, serv, &hints, &res), fd = -1;
	if (r != 0)
		return xp_error_set(err, XP_ERR_IO, 0, "listen %s: %s", addr, gai_strerror(r));
	for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = listen_on(ai, flags);
	int e = errno;
	freeaddrinfo(res);
	if (fd < 0) {
		xp_error_set(err, XP_ERR_IO, 0, "listen %s: %s", addr, strerror(e));
		errno = e; /* the caller may tell EADDRINUSE from the rest */
		return -1;
	}
	if (port)
		*port = bound_port(fd);
	return fd;
}

/* True if a server answers on the Unix socket @sa: the file is not stale. */
static bool in_use(const struct sockaddr_un *sa, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used = fd >= 0 && connect(fd, (const struct sockaddr *)sa, len) == 0;
	if (fd >= 0)
		close(fd);
	return used;
}

/* The error for a socket another server listens on; errno EADDRINUSE. */
static int busy(const char *path, struct xp_error *err)
{
	xp_error_set(err, XP_ERR_IO, 0, "listen %s: in use by a running server", path);
	errno = EADDRINUSE;
	return -1;
}

int xp_net_listen_unix(const char *path, unsigned flags, struct xp_error *err)
{
	struct sockaddr_un sa;
	socklen_t len;
	if (unix_addr(path, &sa, &len, err) < 0)
		return -1;
	if (path[0] != '@' && in_use(&sa, len))
		return busy(path, err);
	if (path[0] != '@')
		unlink(path); /* a stale socket from a crashed server */
	int fd = socket(AF_UNIX, SOCK_STREAM | sock_flags(flags), 0);
	if (fd < 0)
		return xp_error_set(err, XP_ERR_IO, 0, "socket: %s", strerror(errno));
	mode_t old = umask(077); /* only this user may connect */
	int r = bind(fd, (struct sockaddr *)&sa, len);
	umask(old);
	if (r < 0 || listen(fd, BACKLOG) < 0) {
		int e = errno;
		xp_error_set(err, XP_ERR_IO, 0, "listen %s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int xp_net_accept(int lfd, unsigned flags)
{
	int fd = accept4(lfd, NULL, NULL, sock_flags(flags));
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family != AF_UNIX)
		set_nodelay(fd);
	return fd;
}

/* Blocking connect to Unix socket @path; the fd, or -1 with @err set. */
static int connect_unix(const char *path, unsigned flags, struct xp_error *err)
{
	struct sockaddr_un sa;
	socklen_t len;
	if (unix_addr(path, &sa, &len, err) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | sock_flags(flags & ~XP_NET_NONBLOCK), 0);
	if (fd < 0)
		return xp_error_set(err, XP_ERR_IO, 0, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		xp_error_set(err, XP_ERR_IO, 0, "connect %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Blocking connect to TCP "HOST:PORT", trying each address HOST resolves
 * to; the fd, or -1 with @err naming the last failure. */
static int connect_tcp(const char *addr, unsigned flags, struct xp_error *err)
{
	char host[256], serv[8];
	if (split_addr(addr, host, serv, err) < 0)
		return -1;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
	int r = getaddrinfo(host, serv, &hints, &res), fd = -1;
	if (r != 0)
		return xp_error_set(err, XP_ERR_IO, 0, "connect %s: %s", addr, gai_strerror(r));
	int type = SOCK_STREAM | sock_flags(flags & ~XP_NET_NONBLOCK);
	for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, type, ai->ai_protocol);
		if (fd < 0)
			xp_error_set(err, XP_ERR_IO, 0, "connect %s: socket: %s", addr,
			             strerror(errno));
		else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			xp_error_set(err, XP_ERR_IO, 0, "connect %s: %s", addr, strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0)
		set_nodelay(fd);
	return fd;
}

int xp_net_connect(const char *addr, unsigned flags, struct xp_error *err)
{
	int fd =
	    xp_net_is_unix(addr) ? connect_unix(addr, flags, err) : connect_tcp(addr, flags, err);
	/* connect() itself blocks: a refused or unreachable peer is an error now */
	if (fd >= 0 && (flags & XP_NET_NONBLOCK) &&
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		xp_error_set(err, XP_ERR_IO, 0, "connect %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
