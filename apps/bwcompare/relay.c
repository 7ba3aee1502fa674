/*
 * relay.c - bwc-relay, the measuring relay of bwcompare (issue 7). Every TCP
 * connection accepted on --listen is forwarded to --to through an emulated
 * link, and every chunk read is counted and traced.
 *
 * Link emulation, in user space (no root, no tc/netem):
 *   - latency: each direction delays data by RTT/2; a new connection first
 *     pays one RTT (the TCP handshake) before its first byte can arrive;
 *   - bandwidth: one token-free pacer per direction shared by all
 *     connections: a segment (at most 1448 bytes) starts when the direction
 *     is free and takes len*8/MBIT microseconds, then RTT/2 to arrive;
 *   - order is kept: each connection's queue is FIFO and delivery times in
 *     it never decrease;
 *   - offline (SIGUSR1): every connection is closed at once and new ones
 *     are accepted and closed at once (a refused sync fails fast); SIGUSR2
 *     goes back online. SIGTERM/SIGINT flush the trace and exit.
 *
 * Counting (at the moment the relay reads the bytes from their sender):
 *   bytes    TCP payload, each direction; TCP/IP headers are not included;
 *   message  a burst of writes in one direction on one connection: a read
 *            starts a new message when the previous read on that connection
 *            went the other way, or when more than --msg-gap ms (default 10)
 *            passed since the last read in this direction;
 *   round trip  a turn from up (user side speaking) to down (server side
 *            answering) on one connection, plus one per connection set up.
 *
 * Trace (--trace FILE), one line per event, times in CLOCK_MONOTONIC us
 * (the clock of thin-client's `checkpoint`):
 *   T CONN u|d BYTES NEWMSG RT     data read from the user (u) / server (d)
 *   T CONN open|close|refused
 *   T - offline|online
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define SEG_MAX   1448
#define QUEUE_MAX (4u << 20) /* stop reading a sender while this much waits */
#define READ_MAX  16384

enum { UP, DOWN };

struct seg {
	struct seg *next;
	uint64_t due_us; /* when it may be written to the receiver */
	size_t len, off; /* len 0: end of stream */
	unsigned char data[];
};

/* One direction of a connection: read from src, queued, written to dst. */
struct half {
	int src, dst;
	struct seg *head, *tail;
	size_t queued;
	bool eof_read, eof_sent;
	uint64_t last_read_us;
};

struct conn {
	bool used;
	unsigned id;
	uint64_t open_us;
	int last_dir; /* -1 none */
	struct half h[2];
};

struct relay {
	int lfd, sfd;
	struct sockaddr_in to;
	uint64_t half_rtt_us, msg_gap_us;
	double mbit;
	uint64_t link_free_us[2];
	bool offline;
	unsigned next_id;
	FILE *trace;
	uint64_t bytes[2], msgs, rts, conns;
	struct conn c[MAX_CONNS];
};

static const char usage[] =
    "usage: bwc-relay --to HOST:PORT [--listen HOST:PORT] [--rtt MS] [--bw MBIT]\n"
    "                 [--msg-gap MS] [--trace FILE] [--port-file FILE]\n"
    "The measuring relay of bwcompare: forwards TCP connections accepted on\n"
    "--listen (default 127.0.0.1:0) to --to through an emulated link, counts\n"
    "bytes each way, messages and round trips, and traces every read.\n"
    "  --rtt MS        added round-trip time, half per direction (default 0)\n"
    "  --bw MBIT       bandwidth per direction in Mbit/s, 0 = unlimited (default 0)\n"
    "  --msg-gap MS    a pause longer than this starts a new message (default 10)\n"
    "  --trace FILE    one line per read/open/close (see relay.c)\n"
    "  --port-file F   write the port listened on to F once ready\n"
    "Signals: SIGUSR1 offline (close all, refuse new), SIGUSR2 online,\n"
    "SIGTERM/SIGINT print totals and exit. Totals on exit, on stdout:\n"
    "  up BYTES down BYTES messages N round-trips N connections N\n";

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	*sa = (struct sockaddr_in){.sin_family = AF_INET,
	                           .sin_port = htons((uint16_t)atoi(colon + 1))};
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void set_nonblock(int fd)
{
	int one = 1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void trace_ev(struct relay *r, uint64_t t, const struct conn *c, const char *what)
{
	if (!r->trace)
		return;
	if (c)
		fprintf(r->trace, "%llu %u %s\n", (unsigned long long)t, c->id, what);
	else
		fprintf(r->trace, "%llu - %s\n", (unsigned long long)t, what);
}

static void conn_close(struct relay *r, struct conn *c)
{
	for (int d = 0; d < 2; d++) {
		struct seg *s = c->h[d].head;
		while (s) {
			struct seg *n = s->next;
			free(s);
			s = n;
		}
	}
	close(c->h[UP].src);
	close(c->h[UP].dst);
	trace_ev(r, now_us(), c, "close");
	c->used = false;
}

/* Queue @len bytes (0: end of stream) read at @t in direction @d. */
static int enqueue(struct relay *r, struct conn *c, int d, const unsigned char *p, size_t len,
                   uint64_t t)
{
	struct half *h = &c->h[d];
	uint64_t floor = c->open_us + 2 * r->half_rtt_us + (d == UP ? r->half_rtt_us : 0);
	size_t off = 0;
	do {
		size_t n = len - off > SEG_MAX ? SEG_MAX : len - off;
		struct seg *s = malloc(sizeof(*s) + n);
		if (!s)
			return -1;
		uint64_t start = t > r->link_free_us[d] ? t : r->link_free_us[d];
		if (r->mbit > 0)
			r->link_free_us[d] = start + (uint64_t)((double)n * 8.0 / r->mbit + 0.5);
		else
			r->link_free_us[d] = start;
		uint64_t due = r->link_free_us[d] + r->half_rtt_us;
		if (due < floor)
			due = floor;
		if (h->tail && due < h->tail->due_us)
			due = h->tail->due_us;
		*s = (struct seg){.due_us = due, .len = n};
		if (n)
			memcpy(s->data, p + off, n);
		if (h->tail)
			h->tail->next = s;
		else
			h->head = s;
		h->tail = s;
		h->queued += n;
		off += n;
	} while (off < len);
	return 0;
}

static void count_read(struct relay *r, struct conn *c, int d, size_t n, uint64_t t)
{
	struct half *h = &c->h[d];
	int newmsg = c->last_dir != d || t - h->last_read_us > r->msg_gap_us;
	int rt = d == DOWN && c->last_dir == UP;
	r->bytes[d] += n;
	r->msgs += (uint64_t)newmsg;
	r->rts += (uint64_t)rt;
	c->last_dir = d;
	h->last_read_us = t;
	if (r->trace)
		fprintf(r->trace, "%llu %u %c %zu %d %d\n", (unsigned long long)t, c->id,
		        d == UP ? 'u' : 'd', n, newmsg, rt);
}

/* Read what the sender of direction @d has; -1 closes the connection. */
static int pump_in(struct relay *r, struct conn *c, int d)
{
	unsigned char buf[READ_MAX];
	struct half *h = &c->h[d];
	ssize_t n = read(h->src, buf, sizeof(buf));
	uint64_t t = now_us();
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		h->eof_read = true;
		return enqueue(r, c, d, NULL, 0, t);
	}
	count_read(r, c, d, (size_t)n, t);
	return enqueue(r, c, d, buf, (size_t)n, t);
}

/* Write every due segment of direction @d; -1 closes the connection. */
static int pump_out(struct relay *r, struct conn *c, int d, uint64_t t)
{
	struct half *h = &c->h[d];
	while (h->head && h->head->due_us <= t) {
		struct seg *s = h->head;
		if (s->len == 0) {
			shutdown(h->dst, SHUT_WR);
			h->eof_sent = true;
		} else {
			ssize_t n = write(h->dst, s->data + s->off, s->len - s->off);
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? 0 : -1;
			s->off += (size_t)n;
			h->queued -= (size_t)n;
			if (s->off < s->len)
				return 0;
		}
		h->head = s->next;
		if (!h->head)
			h->tail = NULL;
		free(s);
	}
	return 0;
}

static void accept_one(struct relay *r)
{
	int fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC), i = 0;
	struct conn tmp = {.id = r->next_id};
	if (fd < 0)
		return;
	while (i < MAX_CONNS && r->c[i].used)
		i++;
	if (r->offline || i == MAX_CONNS) {
		trace_ev(r, now_us(), &tmp, "refused");
		r->next_id++;
		close(fd);
		return;
	}
	int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (up < 0 || connect(up, (struct sockaddr *)&r->to, sizeof(r->to)) < 0) {
		if (up >= 0)
			close(up);
		close(fd);
		return;
	}
	set_nonblock(fd);
	set_nonblock(up);
	struct conn *c = &r->c[i];
	*c = (struct conn){.used = true, .id = r->next_id++, .open_us = now_us(), .last_dir = -1};
	c->h[UP] = (struct half){.src = fd, .dst = up};
	c->h[DOWN] = (struct half){.src = up, .dst = fd};
	r->conns++;
	r->rts++; /* the TCP handshake */
	trace_ev(r, c->open_us, c, "open");
}

static void set_offline(struct relay *r, bool off)
{
	r->offline = off;
	trace_ev(r, now_us(), NULL, off ? "offline" : "online");
	if (off)
		for (int i = 0; i < MAX_CONNS; i++)
			if (r->c[i].used)
				conn_close(r, &r->c[i]);
}

/* Handles the signals; returns false to exit. */
static bool on_signal(struct relay *r)
{
	struct signalfd_siginfo si;
	while (read(r->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			set_offline(r, true);
		else if (si.ssi_signo == SIGUSR2)
			set_offline(r, false);
		else
			return false;
	}
	return true;
}

/* Services connection @c after poll; closes it when done or broken. */
static void service(struct relay *r, struct conn *c, const struct pollfd *p, uint64_t t)
{
	for (int d = 0; d < 2; d++) {
		struct half *h = &c->h[d];
		const struct pollfd *in = &p[d];
		if (!h->eof_read && (in->revents & (POLLIN | POLLHUP | POLLERR)) &&
		    pump_in(r, c, d) < 0)
			goto err_close;
	}
	t = now_us();
	for (int d = 0; d < 2; d++)
		if (pump_out(r, c, d, t) < 0)
			goto err_close;
	if (c->h[UP].eof_sent && c->h[DOWN].eof_sent)
		conn_close(r, c);
	return;
err_close:
	conn_close(r, c);
}

/* Milliseconds until the next segment not yet due (-1: none). */
static int next_timeout(const struct relay *r, uint64_t t)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < MAX_CONNS; i++)
		for (int d = 0; d < 2; d++) {
			const struct seg *s = r->c[i].used ? r->c[i].h[d].head : NULL;
			if (s && s->due_us > t && s->due_us < best)
				best = s->due_us;
		}
	return best == UINT64_MAX ? -1 : (int)((best - t + 999) / 1000);
}

/* Poll entries for @c at p[0..1]: read each sender, and wait for its
 * receiver to take a due segment that could not be written. */
static void poll_conn(const struct conn *c, struct pollfd *p, uint64_t t)
{
	for (int d = 0; d < 2; d++) {
		const struct half *h = &c->h[d];
		short ev = !h->eof_read && h->queued < QUEUE_MAX ? POLLIN : 0;
		p[d] = (struct pollfd){.fd = h->src, .events = ev};
	}
	for (int d = 0; d < 2; d++)
		if (c->h[d].head && c->h[d].head->due_us <= t && !c->h[d].eof_sent)
			p[1 - d].events |= POLLOUT;
}

static int run(struct relay *r)
{
	struct pollfd p[2 + 2 * MAX_CONNS];
	for (;;) {
		int n = 2, idx[MAX_CONNS];
		uint64_t t = now_us();
		p[0] = (struct pollfd){.fd = r->lfd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = r->sfd, .events = POLLIN};
		for (int i = 0; i < MAX_CONNS; i++) {
			idx[i] = -1;
			if (!r->c[i].used)
				continue;
			idx[i] = n;
			poll_conn(&r->c[i], &p[n], t);
			n += 2;
		}
		int rc = poll(p, (nfds_t)n, next_timeout(r, t));
		if (rc < 0 && errno != EINTR)
			return -1;
		if (p[1].revents && !on_signal(r))
			return 0;
		t = now_us();
		for (int i = 0; i < MAX_CONNS; i++)
			if (r->c[i].used && idx[i] >= 0)
				service(r, &r->c[i], &p[idx[i]], t);
		if (p[0].revents & POLLIN)
			accept_one(r);
	}
}

static int listen_on(struct relay *r, const char *addr, const char *port_file)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int one = 1;
	if (parse_addr(addr, &sa) < 0)
		return -1;
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(r->lfd, 64) < 0 || getsockname(r->lfd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	if (port_file) {
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		FILE *f = fopen(tmp, "w");
		if (!f || fprintf(f, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(f) != 0 ||
		    rename(tmp, port_file) < 0)
			return -1;
	}
	return 0;
}

static int setup_signals(struct relay *r)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	r->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return r->sfd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"rtt", required_argument, NULL, 'r'},
	                                     {"bw", required_argument, NULL, 'b'},
	                                     {"msg-gap", required_argument, NULL, 'g'},
	                                     {"trace", required_argument, NULL, 'T'},
	                                     {"port-file", required_argument, NULL, 'p'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	static struct relay r;
	const char *listen_addr = "127.0.0.1:0", *to = NULL, *trace = NULL, *port_file = NULL;
	double rtt_ms = 0, gap_ms = 10;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			listen_addr = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'r':
			rtt_ms = atof(optarg);
			break;
		case 'b':
			r.mbit = atof(optarg);
			break;
		case 'g':
			gap_ms = atof(optarg);
			break;
		case 'T':
			trace = optarg;
			break;
		case 'p':
			port_file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!to || parse_addr(to, &r.to) < 0 || rtt_ms < 0 || r.mbit < 0 || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	r.half_rtt_us = (uint64_t)(rtt_ms * 500.0);
	r.msg_gap_us = (uint64_t)(gap_ms * 1000.0);
	if (trace && !(r.trace = fopen(trace, "w"))) {
		perror(trace);
		return 1;
	}
	if (setup_signals(&r) < 0 || listen_on(&r, listen_addr, port_file) < 0) {
		perror("bwc-relay");
		return 1;
	}
	int rc = run(&r);
	for (int i = 0; i < MAX_CONNS; i++)
		if (r.c[i].used)
			conn_close(&r, &r.c[i]);
	if (r.trace)
		fclose(r.trace);
	printf("up %llu down %llu messages %llu round-trips %llu connections %llu\n",
	       (unsigned long long)r.bytes[UP], (unsigned long long)r.bytes[DOWN],
	       (unsigned long long)r.msgs, (unsigned long long)r.rts, (unsigned long long)r.conns);
	return rc < 0 ? 1 : 0;
}
