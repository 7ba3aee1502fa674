/*
 * listen.c - the two endpoints: TCP for thin clients (loopback by default)
 * and a Unix socket for apps (peer credentials checked), plus accept().
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server_int.h"

#define ACCEPT_PAUSE_MS 100 /* out of descriptors: accept nothing for this long */

static int listen_tcp(const char *addr, int *port_out)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		return -1;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
	if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                           : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path); /* a stale socket from a crashed server */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old = umask(077); /* only this user may connect */
	int r = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 64) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Apps on the Unix socket must run as our user (or root). */
static bool peer_cred_ok(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	return cr.uid == getuid() || cr.uid == 0;
}

static void on_accept(struct xs_loop *l, int lfd, unsigned events, void *data);

static void watch_listeners(struct xs_server *s, bool on)
{
	int fds[3] = {s->tcp_fd, s->unix_fd, s->app_tcp_fd};
	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0 && on)
			xs_loop_watch(s->loop, fds[i], XS_READABLE, on_accept, s);
		else if (fds[i] >= 0)
			xs_loop_unwatch(s->loop, fds[i]);
	}
}

static int resume_accepting(struct xs_loop *l, uint64_t id, void *data)
{
	struct xs_server *s = data;
	(void)l;
	(void)id;
	s->accept_timer = 0;
	watch_listeners(s, true);
	return -1;
}

/*
 * Out of file descriptors. A pending connection keeps the listener readable,
 * so retrying at once would spin: first a connection still in its handshake
 * gives its descriptor up (they are the cheap ones); when there is none, the
 * listeners rest for ACCEPT_PAUSE_MS while everyone connected is served.
 * Returns true when accept() may be retried now.
 */
static bool out_of_fds(struct xs_server *s)
{
	if (xs_peer_drop_oldest_handshake(s, "server out of file descriptors"))
		return true;
	if (!s->accept_timer) {
		xs_log(s, XS_ERROR, "out of file descriptors: not accepting for %d ms",
		       ACCEPT_PAUSE_MS);
		watch_listeners(s, false);
		s->accept_timer = xs_loop_timer(s->loop, ACCEPT_PAUSE_MS, resume_accepting, s);
	}
	return false;
}

static void on_accept(struct xs_loop *l, int lfd, unsigned events, void *data)
{
	struct xs_server *s = data;
	(void)l;
	(void)events;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 &&
		    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) &&
		    out_of_fds(s))
			continue;
		if (fd < 0 && (errno == ECONNABORTED || errno == EINTR))
			continue;
		if (fd < 0)
			return;
		bool tcp = lfd != s->unix_fd, app_ep = lfd != s->tcp_fd;
		if (!tcp && !peer_cred_ok(fd)) {
			xs_log(s, XS_ERROR, "refused an app from another user");
			close(fd);
			continue;
		}
		if (tcp) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		}
		if (!xs_peer_create(s, fd, tcp, app_ep))
			close(fd);
	}
}

int xs_listen_all(struct xs_server *s)
{
	s->tcp_fd = s->unix_fd = s->app_tcp_fd = -1;
	if (s->opt.listen && s->opt.listen[0]) {
		s->tcp_fd = listen_tcp(s->opt.listen, &s->port);
		if (s->tcp_fd < 0)
			return xs_log(s, XS_ERROR, "cannot listen on %s: %s", s->opt.listen,
			              strerror(errno)),
			       -1;
		xs_loop_watch(s->loop, s->tcp_fd, XS_READABLE, on_accept, s);
	}
	s->unix_fd = listen_unix(s->app_socket);
	if (s->unix_fd < 0)
		return xs_log(s, XS_ERROR, "cannot listen on %s: %s", s->app_socket,
		              strerror(errno)),
		       -1;
	xs_loop_watch(s->loop, s->unix_fd, XS_READABLE, on_accept, s);
	if (s->opt.app_tcp) {
		int port;
		s->app_tcp_fd = listen_tcp(s->opt.app_tcp, &port);
		if (s->app_tcp_fd < 0)
			return xs_log(s, XS_ERROR, "cannot listen on %s", s->opt.app_tcp), -1;
		xs_loop_watch(s->loop, s->app_tcp_fd, XS_READABLE, on_accept, s);
	}
	return 0;
}

void xs_listen_close(struct xs_server *s)
{
	if (s->accept_timer)
		xs_loop_cancel(s->loop, s->accept_timer);
	s->accept_timer = 0;
	int *fds[3] = {&s->tcp_fd, &s->unix_fd, &s->app_tcp_fd};
	for (int i = 0; i < 3; i++) {
		if (*fds[i] >= 0) {
			xs_loop_unwatch(s->loop, *fds[i]);
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
	if (s->app_socket[0])
		unlink(s->app_socket);
}
