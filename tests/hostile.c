/*
 * hostile.c - see hostile.h. The flooding app speaks the protocol through
 * libxproto directly (xp_conn), so it can send any legal message, at the
 * largest size the server accepts: a message refused with LIMIT is sent
 * again at half the size, so "the worst allowed" follows the server's
 * limits instead of copying them.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "hostile.h"

#define DIM       4096 /* the largest window side (the server's default limit) */
#define NOISE_DIM 1024 /* a raw image of this side fits a message */
#define MAX_RTTS  100000

static const char *const kind_names[HP_KINDS] = {
    "fill-rects", "zlib-image", "big-windows", "copy",   "text", "bitmap",
    "tiny",       "cached",     "noise",       "resize", "mix"};

const char *hp_kind_name(enum hp_kind k)
{
	return k < HP_KINDS ? kind_names[k] : "?";
}

/* A handshake as @role to session @session of @s on @c. Returns 0 or -1. */
static int join(struct e2e_server *s, const char *session, enum xp_role role, struct xp_conn *c)
{
	struct xp_error err;
	struct xp_cookie ck;
	if (xp_cookie_load(s->cookie, false, &ck, &err) < 0)
		return -1;
	bool app = role == XP_ROLE_APP;
	int fd = xp_net_connect(app ? s->app_socket : s->addr, XP_NET_CLOEXEC, &err);
	if (fd < 0)
		return -1;
	xp_conn_init(c, fd, XP_MAX_MSG_DEFAULT, true);
	struct xp_caps want = {app ? 0 : XP_FLAG_ZLIB, XP_MAX_MSG_DEFAULT, 800, 600}, got;
	return xp_handshake_client(c, role, &ck, &want, session, "hostile", &got, 5000);
}

/* ---- the worst traffic ---- */

struct flood {
	struct xp_conn app, client;
	enum hp_kind kind;
	uint32_t scale[HP_KINDS]; /* doubled by each LIMIT: the largest the server takes */
	enum hp_kind last;        /* the kind of the batch in flight */
	uint8_t *zeros;           /* DIM * DIM * 3 zero bytes, the raw of an image */
	uint8_t *noise;           /* NOISE_DIM^2 * 3 bytes of noise */
	uint8_t *z;               /* ... compressed */
	unsigned long zlen;
	bool cached;
	bool shrunk; /* the window is DIM x DIM - 1 now */
};

/* FILL_RECTS of @n rectangles, each the whole window. */
static void msg_fill_rects(struct xp_msg *m, uint32_t n)
{
	static struct xp_rect r[700000];
	n = n < 700000 ? n : 700000;
	for (uint32_t i = 0; i < n; i++)
		r[i] = (struct xp_rect){0, 0, DIM, DIM};
	*m = (struct xp_msg){.op = XP_OP_FILL_RECTS};
	m->u.fill_rects.rects = (struct xp_rects){n, r};
}

/* The message of kind @k, at its scale (1 = the largest). */
static void worst(struct flood *f, enum hp_kind k, struct xp_msg *m)
{
	uint32_t scale = f->scale[k], side = DIM / scale ? DIM / scale : 1;
	static uint8_t text[4 << 20];
	switch (k) {
	case HP_FILL_RECTS:
		msg_fill_rects(m, 690000 / scale ? 690000 / scale : 1);
		break;
	case HP_ZLIB_IMAGE:
	case HP_CACHED:
		*m = (struct xp_msg){.op = XP_OP_IMAGE};
		m->u.image = (struct xp_msg_image){0,
		                                   0,
		                                   side,
		                                   k == HP_CACHED ? side / 2 : side,
		                                   XP_IMG_RAW,
		                                   k == HP_CACHED,
		                                   {f->zeros, 0}};
		/* a zlib stream of exactly w*h*3 zero bytes: a prefix of f->z will not do */
		if (k == HP_CACHED && f->cached) {
			*m = (struct xp_msg){.op = XP_OP_IMAGE_CACHED};
			m->u.image_cached = (struct xp_msg_image_cached){0, 0, 1};
		}
		break;
	case HP_NOISE:
		side = NOISE_DIM / scale ? NOISE_DIM / scale : 1;
		*m = (struct xp_msg){.op = XP_OP_IMAGE};
		m->u.image = (struct xp_msg_image){
		    0, 0, side, side, XP_IMG_RAW, 0, {f->noise, side * side * 3}};
		break;
	case HP_RESIZE:
		f->shrunk = !f->shrunk;
		*m = (struct xp_msg){.op = XP_OP_WIN_CONFIGURE};
		m->u.win_configure =
		    (struct xp_msg_win_configure){1, XP_CONF_RESIZE, 0, 0, side, side - f->shrunk};
		break;
	case HP_BIG_WINDOWS:
		*m = (struct xp_msg){.op = XP_OP_WIN_CREATE};
		m->u.win_create = (struct xp_msg_win_create){100, 0, 0, side, side, 0, 0x123456};
		break;
	case HP_COPY:
		*m = (struct xp_msg){.op = XP_OP_COPY};
		m->u.copy = (struct xp_msg_copy){0, 1, DIM, DIM - 1, 0, 0};
		break;
	case HP_TEXT:
		memset(text, 'W', sizeof(text));
		*m = (struct xp_msg){.op = XP_OP_TEXT};
		m->u.text = (struct xp_msg_text){
		    0, 0, {(const char *)text, (4u << 20) / scale - (scale > 1 ? 0 : 64)}};
		break;
	case HP_BITMAP:
		*m = (struct xp_msg){.op = XP_OP_BITMAP};
		m->u.bitmap = (struct xp_msg_bitmap){0, 0, side, side, {f->zeros, side / 8 * side}};
		break;
	default:
		*m = (struct xp_msg){.op = XP_OP_FILL};
		m->u.fill = (struct xp_msg_fill){1, 1, 1, 1};
		break;
	}
}

/* Images of zeros go compressed: build the zlib form of the current image's raw. */
static void compress_image(struct flood *f, struct xp_msg *m)
{
	if (m->op != XP_OP_IMAGE || m->u.image.data.p != f->zeros)
		return;
	size_t raw = (size_t)m->u.image.w * m->u.image.h * 3;
	f->zlen = compressBound(raw);
	compress2(f->z, &f->zlen, f->zeros, raw, 9);
	m->u.image.format = XP_IMG_ZLIB;
	m->u.image.data = (struct xp_bytes){f->z, (uint32_t)f->zlen};
}

/* Send one worst message (and what it needs); false when the link is gone. */
static bool send_worst(struct flood *f, int i)
{
	enum hp_kind k = f->kind == HP_MIX ? (enum hp_kind)(i % HP_MIX) : f->kind;
	f->last = k;
	struct xp_msg m;
	worst(f, k, &m);
	compress_image(f, &m);
	/* the cheapest messages come in hundreds of thousands per batch */
	for (int n = 0; n < (k == HP_TINY ? 500000 : 1); n++)
		if (xp_conn_send(&f->app, &m) < 0)
			return !xp_conn_failed(&f->app);
	if (k == HP_BIG_WINDOWS) { /* and away again, so the next one fits */
		struct xp_msg d = {.op = XP_OP_WIN_DESTROY};
		d.u.win_destroy.win = 100;
		xp_conn_send(&f->app, &d);
	}
	f->cached |= k == HP_CACHED;
	struct xp_msg sync = {.op = XP_OP_SYNC}; /* paces the app: one batch in flight */
	sync.u.sync.serial = (uint32_t)i;
	xp_conn_send(&f->app, &sync);
	return xp_conn_drain(&f->app, 30000) == 0;
}

/* Read the app's replies until SYNC @serial; a LIMIT doubles the kind's scale. */
static bool await_sync(struct flood *f, uint32_t serial, uint64_t end)
{
	struct xp_msg m;
	while (xp_now_us() < end) {
		int r = xp_conn_wait(&f->app, &m, 100);
		if (r < 0)
			return false;
		if (r == 1 && m.op == XP_OP_ERROR && m.u.error.code == XP_ERR_LIMIT) {
			uint32_t *sc = &f->scale[f->last];
			*sc = *sc < (1u << 20) ? *sc * 2 : *sc;
			f->cached = false; /* a refused image is not in the cache */
		}
		if (r == 1 && m.op == XP_OP_SYNC && m.u.sync.serial == serial)
			return true;
	}
	return false;
}

/* The attached client reads everything and acknowledges it. */
static void client_turn(struct flood *f)
{
	struct xp_msg m;
	if (xp_conn_read(&f->client) < 0)
		return;
	while (xp_conn_next(&f->client, &m) == 1) {
		if (m.op != XP_OP_MARK)
			continue;
		struct xp_msg a = {.op = XP_OP_ACK};
		a.u.ack.serial = m.u.mark.serial;
		xp_conn_send(&f->client, &a);
	}
	xp_conn_flush(&f->client);
	xp_conn_write(&f->client);
}

static void window_for(struct flood *f)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	m.u.win_create = (struct xp_msg_win_create){1, 0, 0, DIM, DIM, 0, 0};
	xp_conn_send(&f->app, &m);
	m = (struct xp_msg){.op = XP_OP_WIN_MAP};
	m.u.win_map.win = 1;
	xp_conn_send(&f->app, &m);
	m = (struct xp_msg){.op = XP_OP_TARGET};
	m.u.target.win = 1;
	xp_conn_send(&f->app, &m);
	xp_conn_drain(&f->app, 5000);
}

static void flood_main(struct e2e_server *s, const char *session, enum hp_kind k, int seconds)
{
	static struct flood f;
	f.kind = k;
	for (int j = 0; j < HP_KINDS; j++)
		f.scale[j] = 1;
	f.zeros = calloc((size_t)DIM * DIM, 3);
	f.z = malloc(compressBound((uLong)DIM * DIM * 3));
	f.noise = malloc((size_t)NOISE_DIM * NOISE_DIM * 3);
	for (size_t i = 0; f.noise && i < (size_t)NOISE_DIM * NOISE_DIM * 3; i++)
		f.noise[i] = (uint8_t)rand();
	if (!f.zeros || !f.z || !f.noise || join(s, session, XP_ROLE_APP, &f.app) < 0 ||
	    join(s, session, XP_ROLE_CLIENT, &f.client) < 0)
		_exit(1);
	window_for(&f);
	uint64_t end = xp_now_us() + (uint64_t)seconds * 1000000;
	for (int i = 1; xp_now_us() < end; i++) {
		if (!send_worst(&f, i))
			_exit(2);
		/* while the server works, the client takes what it is sent */
		for (bool done = false; !done && xp_now_us() < end;) {
			struct pollfd p[2] = {{xp_conn_fd(&f.app), POLLIN, 0},
			                      {xp_conn_fd(&f.client), POLLIN, 0}};
			poll(p, 2, 50);
			if (p[1].revents)
				client_turn(&f);
			if (p[0].revents)
				done = await_sync(&f, (uint32_t)i, xp_now_us() + 1000);
		}
	}
	_exit(0);
}

pid_t hp_flood(struct e2e_server *s, const char *session, enum hp_kind k, int seconds)
{
	pid_t pid = fork();
	if (pid == 0)
		flood_main(s, session, k, seconds);
	return pid;
}

/* ---- the victim ---- */

static void victim_main(struct e2e_server *s, const char *session, int interval_ms, int seconds,
                        int out)
{
	static double rtt[MAX_RTTS];
	int n = 0;
	struct xa_display *d = e2e_app(s, session);
	if (!d)
		_exit(1);
	uint32_t win = xa_window_create(d, 0, 0, 200, 100, 0, 0);
	xa_window_map(d, win);
	char ready = 'R'; /* in, with its window: hp_victim_start returns */
	if (xa_sync(d, 30000) < 0 || write(out, &ready, 1) != 1)
		_exit(1);
	uint64_t end = xp_now_us() + (uint64_t)seconds * 1000000;
	while (xp_now_us() < end && n < MAX_RTTS) {
		usleep((useconds_t)interval_ms * 1000); /* the pace of the measurement */
		xa_fill(d, win, n % 200, 0, 1, 1, (uint32_t)n);
		uint64_t t0 = xp_now_us();
		if (xa_sync(d, 30000) < 0)
			break;
		rtt[n++] = (double)(xp_now_us() - t0) / 1000.0;
	}
	if (write(out, &n, sizeof(n)) != (ssize_t)sizeof(n) ||
	    write(out, rtt, sizeof(double) * (size_t)n) != (ssize_t)(sizeof(double) * (size_t)n))
		_exit(1);
	xa_close(d);
	_exit(0);
}

/* Read exactly @n bytes from @fd, waiting at most @timeout_ms in all. */
static int read_all(int fd, void *buf, size_t n, int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	for (size_t got = 0; got < n;) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, xp_ms_until(end)) <= 0)
			return -1;
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int hp_victim_start(struct hp_victim *v, struct e2e_server *s, const char *session, int interval_ms,
                    int seconds)
{
	int pfd[2];
	if (pipe(pfd) < 0)
		return -1;
	v->pid = fork();
	if (v->pid == 0) {
		close(pfd[0]);
		victim_main(s, session, interval_ms, seconds, pfd[1]);
	}
	close(pfd[1]);
	v->fd = pfd[0];
	char ready = 0;
	if (v->pid > 0 && read_all(v->fd, &ready, 1, 60000) == 0 && ready == 'R')
		return 0;
	close(v->fd);
	if (v->pid > 0)
		proc_wait(v->pid, 10000);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int hp_victim_finish(struct hp_victim *v, struct hp_rtt *out)
{
	static double rtt[MAX_RTTS];
	int n = 0, rc = -1;
	*out = (struct hp_rtt){0};
	if (read_all(v->fd, &n, sizeof(n), 120000) == 0 && n > 0 && n <= MAX_RTTS &&
	    read_all(v->fd, rtt, sizeof(double) * (size_t)n, 10000) == 0) {
		qsort(rtt, (size_t)n, sizeof(double), cmp_double);
		*out = (struct hp_rtt){n, rtt[n / 2], rtt[(size_t)n * 99 / 100], rtt[n - 1]};
		rc = 0;
	}
	close(v->fd);
	proc_wait(v->pid, 10000);
	return rc;
}

/* ---- /proc ---- */

static long status_field(pid_t pid, const char *name)
{
	char path[64], line[256];
	long v = -1;
	size_t len = strlen(name);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len))
			v = atol(line + len);
	if (f)
		fclose(f);
	return v;
}

/* Leave the caller's session; a process group leader forks first. */
static bool own_session(void)
{
	if (setsid() >= 0)
		return true;
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid > 0) { /* the parent only passes on the child's end */
		int st = 0;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	return setsid() >= 0;
}

const char *hp_priority_begin(void)
{
	static char line[160];
	const char *n = getenv("HP_NICE");
	if (!n)
		return "";
	bool grouped = false;
	if (own_session()) {
		FILE *f = fopen("/proc/self/autogroup", "w");
		grouped = f && fprintf(f, "%d", atoi(n)) > 0;
		if (f && fclose(f) != 0)
			grouped = false;
	}
	snprintf(line, sizeof(line), "HP_NICE=%d: server and victim at nice %d%s\n", atoi(n),
	         atoi(n),
	         grouped ? " in a session (autogroup) of their own at that nice"
	                 : " (no autogroup of their own: other sessions' load still counts)");
	return line;
}

void hp_prioritize(pid_t pid)
{
	if (getenv("HP_NICE"))
		setpriority(PRIO_PROCESS, (id_t)pid, atoi(getenv("HP_NICE")));
}

long hp_peak_rss_kb(pid_t pid)
{
	return status_field(pid, "VmHWM:");
}

long hp_sleeps(pid_t pid)
{
	return status_field(pid, "voluntary_ctxt_switches:");
}

double hp_cpu_seconds(pid_t pid)
{
	char path[64];
	unsigned long ut = 0, st = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		ut = st = 0;
	fclose(f);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}
