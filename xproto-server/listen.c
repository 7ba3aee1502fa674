/*
 * listen.c - the endpoints: TCP for thin clients (loopback by default), a
 * Unix socket for apps (peer credentials checked) and optionally TCP for
 * apps, all opened through libxproto's xp_net_*, plus accept().
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_int.h"

#define ACCEPT_PAUSE_MS 100 /* out of descriptors: accept nothing for this long */

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
		int fd = xp_net_accept(lfd, XP_NET_NONBLOCK | XP_NET_CLOEXEC);
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
		if (!xs_peer_create(s, fd, tcp, app_ep))
			close(fd);
	}
}

/* Listen on TCP @addr (or the Unix socket @path) and watch for callers. */
static int endpoint(struct xs_server *s, const char *addr, const char *path, int *port)
{
	const unsigned flags = XP_NET_NONBLOCK | XP_NET_CLOEXEC;
	struct xp_error err;
	int fd = path ? xp_net_listen_unix(path, flags, &err)
	              : xp_net_listen_tcp(addr, flags, port, &err);
	if (fd < 0) {
		s->addr_in_use |= errno == EADDRINUSE;
		return xs_log(s, XS_ERROR, "cannot listen: %s", err.text), -1;
	}
	xs_loop_watch(s->loop, fd, XS_READABLE, on_accept, s);
	return fd;
}

int xs_listen_all(struct xs_server *s)
{
	int port;
	s->tcp_fd = s->unix_fd = s->app_tcp_fd = -1;
	if (s->opt.listen && s->opt.listen[0] &&
	    (s->tcp_fd = endpoint(s, s->opt.listen, NULL, &s->port)) < 0)
		return -1;
	if ((s->unix_fd = endpoint(s, NULL, s->app_socket, NULL)) < 0)
		return -1;
	if (s->opt.app_tcp && (s->app_tcp_fd = endpoint(s, s->opt.app_tcp, NULL, &port)) < 0)
		return -1;
	return 0;
}

void xs_listen_close(struct xs_server *s)
{
	if (s->accept_timer)
		xs_loop_cancel(s->loop, s->accept_timer);
	s->accept_timer = 0;
	int *fds[3] = {&s->tcp_fd, &s->unix_fd, &s->app_tcp_fd};
	/* only our own socket: a server that failed to start leaves another's alone */
	bool ours = s->unix_fd >= 0;
	for (int i = 0; i < 3; i++) {
		if (*fds[i] >= 0) {
			xs_loop_unwatch(s->loop, *fds[i]);
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
	if (ours && s->app_socket[0])
		unlink(s->app_socket);
}
