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

/*
 * Fork a child that reports to us on a pipe. In the child: 0, *@fd the
 * pipe's write end. In the parent: the child's pid, *@fd the read end; -1
 * (no pipe left open) when either pipe() or fork() failed.
 */
static pid_t fork_reporting(int *fd)
{
	int pfd[2];
	if (pipe(pfd) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[pid == 0 ? 0 : 1]);
	*fd = pfd[pid == 0 ? 1 : 0];
	return pid;
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
	bool shrunk;        /* the window is DIM x DIM - 1 now */
	int batch_msgs;     /* messages in the batch in flight */
	int batch_errors;   /* ERRORs it got so far */
	bool batch_limited; /* one of them was LIMIT: the kind's scale was doubled */
	struct hp_flood_report rep;
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
		if (!text[0])
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

/*
 * Messages of kind @k in one batch: the cheap ones come in many, so that a
 * batch is a few MiB whatever the kind (TEXT: 4 MiB at any scale).
 */
static int batch_size(const struct flood *f, enum hp_kind k)
{
	return k == HP_TINY ? 500000 : k == HP_TEXT ? (int)f->scale[k] : 1;
}

/* Note the first thing that went wrong (the report's why): @what, @n bytes of @detail. */
static void note(struct flood *f, const char *what, const char *detail, size_t n)
{
	if (!f->rep.why[0])
		snprintf(f->rep.why, sizeof(f->rep.why), "%s: %.*s", what, (int)(n < 120 ? n : 120),
		         detail);
}

/* Note how the link @c ended (or why it failed). */
static void note_conn(struct flood *f, const char *what, const struct xp_conn *c)
{
	const char *t = xp_conn_error(c)->text;
	note(f, what, t[0] ? t : "closed", t[0] ? strlen(t) : 6);
}

/* Whether the client has input read but not yet taken (poll would not say). */
static bool client_pending(const struct flood *f)
{
	return !f->rep.client_dropped && xp_conn_input_pending(&f->client);
}

/* The attached client reads everything and acknowledges it. */
static void client_turn(struct flood *f)
{
	struct xp_msg m;
	if (f->rep.client_dropped)
		return;
	int r = xp_conn_read(&f->client);
	for (int k = 0; r >= 0 && k < 64; k++) { /* inflate slices: bounded */
		while ((r = xp_conn_next(&f->client, &m)) == 1) {
			if (m.op != XP_OP_MARK)
				continue;
			struct xp_msg a = {.op = XP_OP_ACK};
			a.u.ack.serial = m.u.mark.serial;
			xp_conn_send(&f->client, &a);
		}
		if (r < 0 || !xp_conn_input_pending(&f->client))
			break;
	}
	xp_conn_flush(&f->client);
	if (r < 0 || xp_conn_write(&f->client) < 0 || xp_conn_failed(&f->client)) {
		note_conn(f, "client link", &f->client);
		f->rep.client_dropped = true;
	}
}

/*
 * Write what the app queued while the client takes what it is sent: the
 * server holds an app back while its session's clients are behind, so a
 * plain blocking write would wait for the very client it keeps from
 * reading. Returns 0, or -1 when the link failed or 30 s passed.
 */
static int send_out(struct flood *f)
{
	uint64_t end = xp_now_us() + 30000000;
	int r = xp_conn_flush(&f->app) < 0 ? -1 : 0;
	while (r == 0 && (r = xp_conn_write(&f->app)) == 0 && xp_now_us() < end) {
		struct pollfd p[2] = {{xp_conn_fd(&f->app), POLLOUT, 0},
		                      {xp_conn_fd(&f->client), POLLIN, 0}};
		poll(p, f->rep.client_dropped ? 1 : 2, client_pending(f) ? 0 : 50);
		if (p[1].revents || client_pending(f))
			client_turn(f);
	}
	if (r == 1)
		return 0;
	note_conn(f, r < 0 ? "app link" : "app write timed out", &f->app);
	f->rep.app_dropped = true;
	return -1;
}

/* Send batch @serial: worst messages (and what they need), then a SYNC. */
static int send_worst(struct flood *f, uint32_t serial)
{
	enum hp_kind k = f->kind == HP_MIX ? (enum hp_kind)(serial % HP_MIX) : f->kind;
	struct xp_msg m;
	f->last = k;
	f->batch_msgs = f->batch_errors = 0;
	f->batch_limited = false;
	worst(f, k, &m);
	compress_image(f, &m);
	for (int n = 0; n < batch_size(f, k); n++, f->batch_msgs++) {
		if (k == HP_TEXT) /* each its own row of cells */
			m.u.text.y = (int32_t)((n * 13) % DIM);
		if (xp_conn_send(&f->app, &m) < 0) {
			note_conn(f, "cannot send", &f->app);
			return -1;
		}
	}
	if (k == HP_BIG_WINDOWS) { /* and away again, so the next one fits */
		struct xp_msg d = {.op = XP_OP_WIN_DESTROY};
		d.u.win_destroy.win = 100;
		xp_conn_send(&f->app, &d);
	}
	f->cached |= k == HP_CACHED;
	struct xp_msg sync = {.op = XP_OP_SYNC}; /* paces the app: one batch in flight */
	sync.u.sync.serial = serial;
	xp_conn_send(&f->app, &sync);
	f->rep.batches++;
	return send_out(f);
}

/* An ERROR for the batch in flight: a LIMIT halves the kind's size (once a batch). */
static void batch_error(struct flood *f, const struct xp_msg_error *e)
{
	f->batch_errors++;
	if (e->code != XP_ERR_LIMIT) {
		f->rep.errors++;
		note(f, xp_err_name((enum xp_err_code)e->code), e->text.p, e->text.n);
		return;
	}
	f->rep.refused++;
	if (f->batch_limited)
		return;
	f->batch_limited = true;
	uint32_t *sc = &f->scale[f->last];
	*sc = *sc < (1u << 20) ? *sc * 2 : *sc;
	f->cached = false; /* a refused image is not in the cache */
}

/* The app's replies so far: 1 once SYNC @serial came back, 0 not yet, -1 gone. */
static int app_turn(struct flood *f, uint32_t serial)
{
	struct xp_msg m;
	int r = xp_conn_read(&f->app), got = 0;
	while (!got && (r = xp_conn_next(&f->app, &m)) == 1) {
		if (m.op == XP_OP_ERROR)
			batch_error(f, &m.u.error);
		got = m.op == XP_OP_SYNC && m.u.sync.serial == serial;
	}
	if (got) {
		f->rep.confirmed++;
		f->rep.applied +=
		    f->batch_msgs > f->batch_errors ? f->batch_msgs - f->batch_errors : 0;
		return 1;
	}
	if (r < 0 || xp_conn_failed(&f->app)) {
		note_conn(f, "app link", &f->app);
		f->rep.app_dropped = true;
		return -1;
	}
	return 0;
}

/* While the server works on batch @serial, the client takes what it is sent. */
static int await_batch(struct flood *f, uint32_t serial, uint64_t end)
{
	while (xp_now_us() < end) {
		struct pollfd p[2] = {{xp_conn_fd(&f->app), POLLIN, 0},
		                      {xp_conn_fd(&f->client), POLLIN, 0}};
		poll(p, f->rep.client_dropped ? 1 : 2, client_pending(f) ? 0 : 50);
		if (p[1].revents || client_pending(f))
			client_turn(f);
		int r = p[0].revents ? app_turn(f, serial) : 0;
		if (r != 0)
			return r;
	}
	return 0;
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

static bool flood_setup(struct flood *f, struct e2e_server *s, const char *session, enum hp_kind k)
{
	f->kind = k;
	for (int j = 0; j < HP_KINDS; j++)
		f->scale[j] = 1;
	f->zeros = calloc((size_t)DIM * DIM, 3);
	f->z = malloc(compressBound((uLong)DIM * DIM * 3));
	f->noise = malloc((size_t)NOISE_DIM * NOISE_DIM * 3);
	for (size_t i = 0; f->noise && i < (size_t)NOISE_DIM * NOISE_DIM * 3; i++)
		f->noise[i] = (uint8_t)rand();
	if (!f->zeros || !f->z || !f->noise) {
		note(f, "setup", "out of memory", 13);
		return false;
	}
	if (join(s, session, XP_ROLE_APP, &f->app) < 0 ||
	    join(s, session, XP_ROLE_CLIENT, &f->client) < 0) {
		note(f, "cannot join", session, strlen(session));
		return false;
	}
	window_for(f);
	return true;
}

/* A SYNC alone, batch @serial of no messages. */
static int send_sync(struct flood *f, uint32_t serial)
{
	struct xp_msg sync = {.op = XP_OP_SYNC};
	sync.u.sync.serial = serial;
	f->batch_msgs = f->batch_errors = 0;
	if (xp_conn_send(&f->app, &sync) < 0) {
		note_conn(f, "cannot send", &f->app);
		return -1;
	}
	return send_out(f);
}

/*
 * Batches until @seconds are up; then the batch in flight and one more SYNC
 * round trip (at most 60 s): its answer proves the server took everything.
 */
static void flood_main(struct e2e_server *s, const char *session, enum hp_kind k, int seconds,
                       int out)
{
	static struct flood f;
	int rc = 1;
	if (flood_setup(&f, s, session, k)) {
		uint64_t end = xp_now_us() + (uint64_t)seconds * 1000000;
		uint32_t serial = 0;
		int r = 1;
		while (r == 1 && xp_now_us() < end) {
			r = send_worst(&f, ++serial) < 0 ? -1 : 0;
			while (r == 0 && xp_now_us() < end)
				r = await_batch(&f, serial, end);
		}
		uint64_t last = xp_now_us() + 60000000;
		if (r == 0)
			r = await_batch(&f, serial, last);
		if (r == 1 && send_sync(&f, ++serial) == 0)
			f.rep.final_sync = await_batch(&f, serial, last) == 1;
		rc = f.rep.final_sync ? 0 : 2;
	}
	if (write(out, &f.rep, sizeof(f.rep)) != (ssize_t)sizeof(f.rep))
		rc = 3;
	_exit(rc);
}

int hp_flood_start(struct hp_flood *fl, struct e2e_server *s, const char *session, enum hp_kind k,
                   int seconds)
{
	fl->pid = fork_reporting(&fl->fd);
	if (fl->pid == 0)
		flood_main(s, session, k, seconds, fl->fd);
	return fl->pid > 0 ? 0 : -1;
}

int hp_flood_finish(struct hp_flood *fl, struct hp_flood_report *out, int timeout_ms)
{
	*out = (struct hp_flood_report){0};
	int got = read_all(fl->fd, out, sizeof(*out), timeout_ms);
	close(fl->fd);
	int st = proc_wait(fl->pid, got == 0 ? 10000 : 1000);
	if (got < 0)
		snprintf(out->why, sizeof(out->why), "the flooding app sent no report (status %d)",
		         st);
	out->status = st;
	return got == 0 && st == 0 ? 0 : -1;
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

int hp_victim_start(struct hp_victim *v, struct e2e_server *s, const char *session, int interval_ms,
                    int seconds)
{
	v->pid = fork_reporting(&v->fd);
	if (v->pid == 0)
		victim_main(s, session, interval_ms, seconds, v->fd);
	if (v->pid < 0)
		return -1;
	char ready = 0;
	if (read_all(v->fd, &ready, 1, 60000) == 0 && ready == 'R')
		return 0;
	close(v->fd);
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
