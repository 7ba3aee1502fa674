/*
 * relay.c - xp-relay, the byte counter of the peer benchmark (make
 * bench-peers). A TCP relay on loopback: every connection accepted on
 * --listen is forwarded to --connect, and every chunk it forwards is logged
 * with a timestamp, its direction, its size, and the size the same chunk
 * takes through one zlib stream per direction (level 6, Z_PARTIAL_FLUSH after
 * each chunk, as OpenSSH's `-C` compresses each packet it sends). The
 * benchmark scripts cut the log at a time stamp to bill bytes to a workload.
 *
 * Log lines (one per forwarded chunk, flushed as written):
 *   T CONN DIR RAW ZLIB      T: CLOCK_REALTIME seconds, DIR: c (from the
 *                            connecting side) or s (from the server side)
 *   T CONN open | close
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_CONNS 16
#define BUF_SIZE  65536
#define ZBUF_SIZE (BUF_SIZE + BUF_SIZE / 8 + 64)

/* One direction of a relayed connection: bytes read from src wait in buf
 * until written to dst. */
struct half {
	int src, dst;
	unsigned char buf[BUF_SIZE];
	size_t len, off;
	bool eof, shut;
	FILE *cap; /* --capture: the raw bytes of this direction, or NULL */
	z_stream z;
	unsigned long long raw, zbytes;
};

struct link {
	bool used;
	int id;
	struct half h[2]; /* 0: from the connecting side, 1: from the server */
};

static volatile sig_atomic_t stop;
static struct link links[MAX_CONNS];
static FILE *log_file;
static unsigned char zout[ZBUF_SIZE];
static const char *capture_dir;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_addr(const char *s, struct sockaddr_in *sa);

/* Where the relay connects to: 127.0.0.1:PORT, or a Unix socket path. */
struct target {
	struct sockaddr_storage sa;
	socklen_t len;
};

static int parse_target(const char *s, struct target *t)
{
	memset(t, 0, sizeof(*t));
	if (s[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&t->sa;
		if (strlen(s) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, s);
		t->len = sizeof(*un);
		return 0;
	}
	t->len = sizeof(struct sockaddr_in);
	return parse_addr(s, (struct sockaddr_in *)&t->sa);
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Size of CHUNK through the direction's zlib stream, flushed. */
static size_t zsize(struct half *h, const unsigned char *chunk, size_t n)
{
	size_t total = 0;
	h->z.next_in = (unsigned char *)chunk;
	h->z.avail_in = (uInt)n;
	do {
		h->z.next_out = zout;
		h->z.avail_out = sizeof(zout);
		if (deflate(&h->z, Z_PARTIAL_FLUSH) == Z_STREAM_ERROR)
			return 0;
		total += sizeof(zout) - h->z.avail_out;
	} while (h->z.avail_out == 0);
	return total;
}

static int link_open(int cfd, const struct target *to, int id)
{
	struct link *l = NULL;
	for (int i = 0; i < MAX_CONNS && !l; i++)
		if (!links[i].used)
			l = &links[i];
	int sfd = l ? socket(to->sa.ss_family, SOCK_STREAM, 0) : -1;
	if (!l || sfd < 0 || connect(sfd, (const struct sockaddr *)&to->sa, to->len) < 0) {
		fprintf(stderr, "xp-relay: cannot relay connection %d: %s\n", id,
		        l ? strerror(errno) : "too many connections");
		if (sfd >= 0)
			close(sfd);
		return -1;
	}
	int one = 1;
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	fcntl(sfd, F_SETFL, O_NONBLOCK);
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (to->sa.ss_family == AF_INET)
		setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(l, 0, sizeof(*l));
	l->used = true;
	l->id = id;
	l->h[0].src = l->h[1].dst = cfd;
	l->h[0].dst = l->h[1].src = sfd;
	for (int d = 0; d < 2; d++) {
		if (deflateInit(&l->h[d].z, 6) != Z_OK) {
			close(sfd);
			l->used = false;
			return -1;
		}
		if (capture_dir) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/conn%d-%c.bin", capture_dir, id,
			         d ? 's' : 'c');
			l->h[d].cap = fopen(path, "w");
		}
	}
	fprintf(log_file, "%.6f %d open\n", now_s(), id);
	return 0;
}

static void link_close(struct link *l)
{
	fprintf(log_file, "%.6f %d close\n", now_s(), l->id);
	fprintf(stderr, "xp-relay: connection %d: c->s %llu (zlib %llu), s->c %llu (zlib %llu)\n",
	        l->id, l->h[0].raw, l->h[0].zbytes, l->h[1].raw, l->h[1].zbytes);
	close(l->h[0].src);
	close(l->h[0].dst);
	for (int d = 0; d < 2; d++) {
		deflateEnd(&l->h[d].z);
		if (l->h[d].cap)
			fclose(l->h[d].cap);
	}
	l->used = false;
}

/* Move bytes one step; -1 when the direction failed. */
static int half_step(struct link *l, int d, short rev_src)
{
	struct half *h = &l->h[d];
	if (h->len == 0 && !h->eof && (rev_src & (POLLIN | POLLHUP | POLLERR))) {
		ssize_t n = read(h->src, h->buf, sizeof(h->buf));
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			h->eof = true;
		else if (n == 0)
			h->eof = true;
		else if (n > 0) {
			size_t z = zsize(h, h->buf, (size_t)n);
			h->len = (size_t)n;
			h->off = 0;
			h->raw += (unsigned long long)n;
			h->zbytes += z;
			if (h->cap)
				fwrite(h->buf, 1, (size_t)n, h->cap);
			fprintf(log_file, "%.6f %d %c %zd %zu\n", now_s(), l->id, d ? 's' : 'c', n,
			        z);
		}
	}
	if (h->len > h->off) { /* non-blocking: EAGAIN waits for POLLOUT */
		ssize_t n = write(h->dst, h->buf + h->off, h->len - h->off);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n > 0)
			h->off += (size_t)n;
		if (h->off == h->len)
			h->len = h->off = 0;
	}
	if (h->eof && h->len == 0 && !h->shut) {
		shutdown(h->dst, SHUT_WR);
		h->shut = true;
	}
	return 0;
}

static int listen_on(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 8) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(FILE *f)
{
	fputs("usage: xp-relay --listen HOST:PORT --connect HOST:PORT|/UNIX/PATH --log FILE\n"
	      "                [--capture DIR]\n"
	      "Relay TCP connections on loopback and log every chunk forwarded: time,\n"
	      "connection, direction (c: from the connecting side, s: from the server),\n"
	      "bytes, and bytes through zlib level 6 with Z_PARTIAL_FLUSH per chunk.\n"
	      "--capture DIR also writes each direction's bytes to DIR/connN-{c,s}.bin.\n"
	      "Stops on SIGINT or SIGTERM.\n",
	      f);
}

static void loop(int lfd, const struct target *to)
{
	int next_id = 1;
	while (!stop) {
		struct pollfd p[1 + 2 * MAX_CONNS];
		int n = 1;
		p[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < MAX_CONNS; i++) {
			struct link *l = &links[i];
			for (int d = 0; d < 2 && l->used; d++) {
				short ev = 0;
				if (l->h[d].len == 0 && !l->h[d].eof)
					ev |= POLLIN;
				if (l->h[!d].len > l->h[!d].off)
					ev |= POLLOUT;
				p[n++] = (struct pollfd){.fd = l->h[d].src, .events = ev};
			}
		}
		if (poll(p, (nfds_t)n, 1000) < 0)
			continue;
		/* the links polled, in order; accept only after, so they match */
		for (int i = 0, k = 1; i < MAX_CONNS && k + 1 < n; i++) {
			struct link *l = &links[i];
			if (!l->used)
				continue;
			short rc = p[k].revents, rs = p[k + 1].revents;
			k += 2;
			if (half_step(l, 0, rc) < 0 || half_step(l, 1, rs) < 0 ||
			    (l->h[0].shut && l->h[1].shut))
				link_close(l);
		}
		if (p[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL);
			if (cfd >= 0 && link_open(cfd, to, next_id++) < 0)
				close(cfd);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'}, {"connect", required_argument, NULL, 'c'},
	    {"log", required_argument, NULL, 'o'},    {"capture", required_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	struct sockaddr_in from;
	struct target to;
	const char *lis = NULL, *con = NULL, *logpath = NULL;
	for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
		if (c == 'l')
			lis = optarg;
		else if (c == 'c')
			con = optarg;
		else if (c == 'o')
			logpath = optarg;
		else if (c == 'C')
			capture_dir = optarg;
		else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!lis || !con || !logpath || parse_addr(lis, &from) < 0 || parse_target(con, &to) < 0) {
		usage(stderr);
		return 2;
	}
	int lfd = listen_on(&from);
	if (lfd < 0 || !(log_file = fopen(logpath, "w"))) {
		fprintf(stderr, "xp-relay: cannot listen on %s or open %s: %s\n", lis, logpath,
		        strerror(errno));
		return 1;
	}
	setvbuf(log_file, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	loop(lfd, &to);
	for (int i = 0; i < MAX_CONNS; i++)
		if (links[i].used)
			link_close(&links[i]);
	fclose(log_file);
	close(lfd);
	return 0;
}
