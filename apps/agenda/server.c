/*
 * server.c - agendad's I/O loop: one thread, non-blocking sockets, poll().
 * It moves bytes between the sockets and the protocol engine of
 * server_conn.c (which owns every decision), accepts connections while
 * there is room, backs off accepting when out of file descriptors instead
 * of spinning, and runs until SIGINT/SIGTERM (taken through a signalfd
 * among the sockets). A second thread only checkpoints the WAL (store.c).
 */
#include "agenda_int.h"
#include "xputil.h"
#include "xproto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ACCEPT_BURST 16
#define NFIXED       2 /* pollfds before the connections: listener, signals */
#define LONG_TURN_MS 5

struct loop {
	struct ag_srv *srv;
	const struct ag_server_opts *o;
	int lfd, sigfd;
	bool stop;            /* SIGINT or SIGTERM arrived */
	int64_t accept_pause; /* EMFILE: no accept before this (monotonic ms) */
	struct pollfd *pfd;
	struct ag_conn **map;
	size_t pcap, mcap;
	/* how long the loop worked between two polls (agendad logs it when it
	 * stops: how long a request may have waited for a turn to end) */
	unsigned long turns, long_turns;
	double longest_ms;
};

static int listen_on(const char *addr, const char *port_file)
{
	struct xp_error err;
	int port, fd = xp_net_listen_tcp(addr, XP_NET_NONBLOCK | XP_NET_CLOEXEC, &port, &err);
	if (fd < 0) {
		fprintf(stderr, "agendad: cannot listen: %s\n", err.text);
		return -1;
	}
	fprintf(stderr, "agendad: listening on %s (port %d)\n", addr, port);
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (!f) {
			fprintf(stderr, "agendad: %s: %s\n", port_file, strerror(errno));
			close(fd);
			return -1;
		}
		fprintf(f, "%d\n", port);
		fclose(f);
	}
	return fd;
}

static void conn_drop(struct loop *l, struct ag_conn *c);

static bool flush(struct ag_conn *c);

/* Full: the longest idle member's connection gets an ERROR and is closed
 * to let a new one in (so that members holding connections open cannot
 * lock others out). False when every connection is busy. */
static bool make_room(struct loop *l)
{
	struct ag_conn *c = ag_srv_make_room(l->srv, false);
	if (!c)
		return false;
	flush(c); /* its ERROR: the socket was idle, so its buffer has room */
	conn_drop(l, c);
	return true;
}

static void accept_some(struct loop *l, int64_t now)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		bool full = ag_srv_nconns(l->srv) >= l->o->max_clients;
		if (full && !ag_srv_make_room(l->srv, true))
			return; /* every connection is busy: new ones wait in the backlog */
		int fd = xp_net_accept(l->lfd, XP_NET_NONBLOCK | XP_NET_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && ag_srv_shed(l->srv)) {
			/* out of descriptors: the oldest handshake makes room, as the
			 * handshake cap would (members are past their handshake) */
			conn_drop(l, ag_srv_shed(l->srv));
			fd = xp_net_accept(l->lfd, XP_NET_NONBLOCK | XP_NET_CLOEXEC);
		}
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				l->accept_pause = now + 100; /* keep serving, retry later */
			return;
		}
		if ((full && !make_room(l)) || !ag_srv_conn_new(l->srv, fd, now))
			close(fd);
	}
}

static void conn_drop(struct loop *l, struct ag_conn *c)
{
	close(ag_srv_conn_fd(c));
	ag_srv_conn_close(l->srv, c);
}

/* Sends what C may send now; false when its socket failed. */
static bool flush(struct ag_conn *c)
{
	size_t len;
	const uint8_t *p = ag_srv_conn_output(c, &len);
	if (len == 0)
		return true;
	ssize_t n = send(ag_srv_conn_fd(c), p, len, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	ag_srv_conn_sent(c, (size_t)n);
	return true;
}

static bool receive(struct ag_conn *c)
{
	uint8_t tmp[65536];
	size_t room = ag_srv_conn_room(c);
	if (room == 0)
		return true;
	ssize_t n = recv(ag_srv_conn_fd(c), tmp, room < sizeof(tmp) ? room : sizeof(tmp), 0);
	if (n == 0)
		return false;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	ag_srv_conn_input(c, tmp, (size_t)n);
	return true;
}

static int prepare_poll(struct loop *l, int64_t now, size_t *np)
{
	size_t n = ag_srv_nconns(l->srv);
	if (XU_ARRAY_RESERVE(l->pfd, l->pcap, n + NFIXED) ||
	    XU_ARRAY_RESERVE(l->map, l->mcap, n + 1))
		return -1;
	bool accepting =
	    (n < l->o->max_clients || ag_srv_make_room(l->srv, true)) && now >= l->accept_pause;
	l->pfd[0] = (struct pollfd){.fd = accepting ? l->lfd : -1, .events = POLLIN};
	l->pfd[1] = (struct pollfd){.fd = l->sigfd, .events = POLLIN};
	for (size_t i = 0; i < n; i++) {
		struct ag_conn *c = ag_srv_conn_at(l->srv, i);
		size_t out;
		ag_srv_conn_output(c, &out);
		l->map[i] = c;
		l->pfd[i + NFIXED] =
		    (struct pollfd){.fd = ag_srv_conn_fd(c),
		                    .events = (short)((ag_srv_conn_wants_read(c) ? POLLIN : 0) |
		                                      (out ? POLLOUT : 0))};
	}
	*np = n;
	return 0;
}

/* Closes finished connection C without a reset: what its peer sent and
 * agendad did not read (the rest of a refused frame) is read and dropped
 * first, as far as it has arrived, for close() with unread input sends an
 * RST, which may discard the ERROR still on its way to the peer. */
static void close_gently(struct loop *l, struct ag_conn *c)
{
	uint8_t tmp[65536];
	int fd = ag_srv_conn_fd(c);
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16 && recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT) > 0; i++)
		;
	conn_drop(l, c);
}

/* Sends what every connection may send; drops the finished ones. */
static void flush_all(struct loop *l)
{
	for (size_t i = ag_srv_nconns(l->srv); i-- > 0;) {
		struct ag_conn *c = ag_srv_conn_at(l->srv, i);
		if (!flush(c))
			conn_drop(l, c);
		else if (ag_srv_conn_done(c))
			close_gently(l, c);
	}
}

static double mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void count_turn(struct loop *l, double ms)
{
	l->turns++;
	l->long_turns += ms > LONG_TURN_MS;
	if (ms > l->longest_ms)
		l->longest_ms = ms;
}

static int loop_once(struct loop *l)
{
	int64_t now = ag_mono_ms();
	double t0 = mono_us();
	int timeout = ag_srv_turn(l->srv, now);
	size_t n;
	flush_all(l); /* reads go out before the COMMIT's fsync */
	ag_srv_commit(l->srv);
	flush_all(l);
	count_turn(l, (mono_us() - t0) / 1e3);
	if (prepare_poll(l, now, &n))
		return -1;
	if (l->accept_pause > now && (timeout < 0 || timeout > l->accept_pause - now))
		timeout = (int)(l->accept_pause - now);
	if (poll(l->pfd, n + NFIXED, timeout) < 0)
		return errno == EINTR ? 0 : -1;
	now = ag_mono_ms();
	if (l->pfd[1].revents & POLLIN)
		while (xp_signal_next(l->sigfd) > 0)
			l->stop = true;
	for (size_t i = n; i-- > 0;) {
		struct ag_conn *c = l->map[i];
		short rev = l->pfd[i + NFIXED].revents;
		bool ok = !(rev & POLLNVAL);
		if (ok && (rev & (POLLIN | POLLHUP | POLLERR)))
			ok = receive(c) && !(rev & POLLERR);
		if (ok && (rev & POLLOUT))
			ok = flush(c);
		if (!ok)
			conn_drop(l, c);
	}
	if (l->pfd[0].revents & POLLIN)
		accept_some(l, now);
	return 0;
}

static int serve(struct ag_store *store, const struct ag_server_opts *o, int lfd, int sigfd)
{
	struct loop l = {.o = o, .lfd = lfd, .sigfd = sigfd};
	l.srv = ag_srv_create(store, o);
	int rc = l.srv ? 0 : -1;
	while (!rc && !l.stop)
		rc = loop_once(&l);
	fprintf(stderr, "agendad: %lu loop turns, the longest %.1f ms, %lu over %d ms\n", l.turns,
	        l.longest_ms, l.long_turns, LONG_TURN_MS);
	for (size_t i = l.srv ? ag_srv_nconns(l.srv) : 0; i-- > 0;)
		close(ag_srv_conn_fd(ag_srv_conn_at(l.srv, i)));
	ag_srv_destroy(l.srv);
	free(l.pfd);
	free(l.map);
	return rc;
}

/* agendad --detach: the parent returns once the socket listens. */
static int detach(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		printf("%d\n", (int)pid);
		fflush(stdout);
		_exit(0);
	}
	setsid();
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	return 0;
}

int ag_server_run(const struct ag_server_opts *opts)
{
	struct ag_server_opts o = *opts;
	struct ag_store *store;
	char err[512];
	if (!o.max_clients)
		o.max_clients = 512;
	/* blocked before the checkpointer thread starts, so that it inherits
	 * the mask and the signals reach the loop's signalfd */
	static const int sigs[] = {SIGINT, SIGTERM};
	int sigfd = xp_signal_fd(sigs, sizeof(sigs) / sizeof(sigs[0]));
	if (sigfd < 0) {
		fprintf(stderr, "agendad: signalfd: %s\n", strerror(errno));
		return 1;
	}
	if (ag_store_open(o.db, &store, err, sizeof(err))) {
		fprintf(stderr, "agendad: %s\n", err);
		close(sigfd);
		return 1;
	}
	int lfd = listen_on(o.listen, o.port_file);
	if (lfd < 0) { /* listen_on() said why */
		ag_store_close(store);
		close(sigfd);
		return 1;
	}
	int rc = 0;
	if (o.detach) {
		/* SQLite's locks do not pass through fork(): a connection opened in
		 * the parent holds none in the child, and `agendad adduser` would
		 * then take itself for the last user of the database, delete its WAL
		 * under us (stale reads, "database disk image is malformed"). The
		 * store was opened above to report its errors here; reopen it in
		 * the child. */
		ag_store_close(store);
		store = NULL;
		rc = detach();
		if (!rc && ag_store_open(o.db, &store, err, sizeof(err))) {
			fprintf(stderr, "agendad: %s\n", err);
			rc = -1;
		}
	}
	if (!rc && ag_store_checkpointer(store, o.db, err, sizeof(err))) {
		fprintf(stderr, "agendad: %s\n", err);
		rc = -1;
	}
	if (!rc)
		rc = serve(store, &o, lfd, sigfd);
	close(lfd);
	close(sigfd);
	ag_store_close(store);
	fprintf(stderr, "agendad: stopped\n");
	return rc ? 1 : 0;
}
