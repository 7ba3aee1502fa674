/*
 * server_fuzz.c - libFuzzer target for xproto-server's state, not only its
 * decoders: the input is a script of steps by up to eight peers (apps,
 * clients, read-only viewers, in three sessions) whose messages go over
 * socketpairs through the server's real loop and dispatch: handshakes,
 * windows, limits, drawing, images and their cache, flow control. Limits
 * are set small so the script reaches them. After each input the server's
 * books are checked against what it holds (peer counts, handshakes, pixels)
 * and it is destroyed: ASan finds leaks and heap errors, UBSan the rest.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "server_int.h"

#define MAX_PEERS 8
#define MAX_STEPS 256

/* The fuzzer's end of one connection. */
struct fpeer {
	bool used, app;
	int fd;              /* our end of the socketpair */
	struct xp_conn conn; /* decodes what the server sends us */
};

/* The script being read. */
struct script {
	const uint8_t *p, *end;
};

static char dir[64], cookie_path[128], apps_path[128], sock_path[128];
static struct xp_cookie cookie;
static uint8_t scratch[1 << 16]; /* image bytes, names */
static struct xp_rect rects[64]; /* FILL_RECTS */

static uint8_t take(struct script *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

static uint32_t take_u32(struct script *in)
{
	static const uint32_t edges[] = {
	    0,    1,    2,     63,    64,         65,          255,         4095,
	    4096, 4097, 16384, 65535, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu};
	uint8_t b = take(in);
	switch (b & 3) {
	case 0:
	case 1:
		return b >> 2; /* small values are the common case: ids, sizes */
	case 2:
		return edges[(b >> 2) & 15];
	default: {
		uint32_t v = 0;
		for (int i = 0; i < 4; i++)
			v = v << 8 | take(in);
		return v;
	}
	}
}

static void fill_U8(struct script *in, uint8_t *v)
{
	*v = take(in);
}
static void fill_UV(struct script *in, uint32_t *v)
{
	*v = take_u32(in);
}
static void fill_SV(struct script *in, int32_t *v)
{
	*v = (int32_t)take_u32(in);
}
static void fill_U64(struct script *in, uint64_t *v)
{
	*v = (uint64_t)take_u32(in) << 32 | take_u32(in);
}
static void fill_RGB(struct script *in, uint32_t *v)
{
	*v = take_u32(in) & 0xffffff;
}
static void fill_BYTES(struct script *in, struct xp_bytes *v)
{
	size_t n = take(in);
	n = n <= (size_t)(in->end - in->p) ? n : (size_t)(in->end - in->p);
	*v = (struct xp_bytes){in->p, (uint32_t)n};
	in->p += n;
}
static void fill_STR(struct script *in, struct xp_str *v)
{
	size_t n = take(in) % 80;
	for (size_t i = 0; i < n; i++) /* mostly valid UTF-8: ASCII, some bytes raw */
		scratch[i] = (uint8_t)(take(in) % 8 ? 0x20 + take(in) % 95 : take(in));
	*v = (struct xp_str){(const char *)scratch, (uint32_t)n};
}
static void fill_RECTS(struct script *in, struct xp_rects *v)
{
	uint32_t n = take(in) % 64;
	for (uint32_t i = 0; i < n; i++)
		rects[i] = (struct xp_rect){(int32_t)take_u32(in), (int32_t)take_u32(in),
		                            take_u32(in), take_u32(in)};
	*v = (struct xp_rects){n, rects};
}

/* Every field of message @op from the script, by the message table. */
static void fill_fields(struct script *in, struct xp_msg *m)
{
	switch (m->op) {
#define XP_F(t, f) fill_##t(in, &mm->f);
#define XP_MSG(N, n, op, dir, fields)                                                              \
	case op: {                                                                                 \
		struct xp_msg_##n *mm = &m->u.n;                                                   \
		fields break;                                                                      \
	}
#include "xproto.def"
#undef XP_MSG
#undef XP_F
	default:
		break;
	}
}

/* Mostly a well-formed image (raw, zlib or PNG), sometimes whatever came. */
static void make_image(struct script *in, struct xp_msg_image *im)
{
	uint8_t kind = take(in) % 4;
	if (kind == 3)
		return;
	uint32_t w = 1 + take(in) % 48, h = 1 + take(in) % 48;
	size_t raw = (size_t)w * h * 3;
	static uint8_t pix[48 * 48 * 3];
	for (size_t i = 0; i < raw; i++)
		pix[i] = (uint8_t)(i * 7 + w);
	im->w = w;
	im->h = h;
	im->format = kind;
	if (kind == XP_IMG_RAW) {
		im->data = (struct xp_bytes){pix, (uint32_t)raw};
	} else if (kind == XP_IMG_ZLIB) {
		uLongf n = sizeof(scratch);
		compress2(scratch, &n, pix, raw, 1);
		im->data = (struct xp_bytes){scratch, (uint32_t)n};
	} else {
		struct xr_fb fb;
		uint8_t *png = NULL;
		size_t len = 0;
		xr_fb_init(&fb, (int)w, (int)h);
		if (xr_encode_png(&fb, (struct xr_rect){0, 0, (int)w, (int)h}, 1, &png, &len) ==
		        0 &&
		    len <= sizeof(scratch))
			memcpy(scratch, png, len);
		im->data = (struct xp_bytes){scratch, (uint32_t)(len <= sizeof(scratch) ? len : 0)};
		free(png);
		xr_fb_finish(&fb);
	}
}

static const uint8_t app_ops[] = {
    XP_OP_WIN_CREATE,    XP_OP_WIN_CREATE, XP_OP_WIN_DESTROY, XP_OP_WIN_MAP,      XP_OP_WIN_UNMAP,
    XP_OP_WIN_CONFIGURE, XP_OP_WIN_TITLE,  XP_OP_TARGET,      XP_OP_TARGET,       XP_OP_GC,
    XP_OP_CLIP,          XP_OP_FILL,       XP_OP_FILL_RECTS,  XP_OP_COPY,         XP_OP_BITMAP,
    XP_OP_TEXT,          XP_OP_IMAGE,      XP_OP_IMAGE,       XP_OP_IMAGE_CACHED, XP_OP_CACHE_DROP,
    XP_OP_BELL,          XP_OP_SYNC,       XP_OP_PING,        XP_OP_APP_LAUNCH,   XP_OP_KEY,
};
static const uint8_t client_ops[] = {
    XP_OP_KEY,      XP_OP_MOTION,     XP_OP_BUTTON, XP_OP_BUTTON, XP_OP_RESIZE, XP_OP_CLOSE,
    XP_OP_APP_LIST, XP_OP_APP_LAUNCH, XP_OP_ACK,    XP_OP_PING,   XP_OP_STATS,  XP_OP_FILL,
};

/* Write @n bytes to our end, turning the loop while the server lags. */
static void put(struct xs_server *s, struct fpeer *f, const uint8_t *p, size_t n)
{
	for (int tries = 0; n > 0 && tries < 64; tries++) {
		ssize_t w = send(f->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && tries > 0)
			xs_server_turn(s, 0);
		if (w <= 0)
			continue;
		p += w;
		n -= (size_t)w;
	}
}

static void send_msg(struct xs_server *s, struct fpeer *f, const struct xp_msg *m)
{
	struct xp_buf b;
	xp_buf_init(&b, 1u << 22);
	if (xp_encode(&b, m) > 0)
		put(s, f, xp_buf_data(&b), xp_buf_pending(&b));
	xp_buf_finish(&b);
}

/* Read what the server sent us; answer MARKs with ACKs when @ack. */
static void drain(struct xs_server *s, struct fpeer *f, bool ack)
{
	struct xp_msg m;
	for (int i = 0; i < 64 && xp_conn_read(&f->conn) > 0; i++)
		;
	for (int i = 0; i < 4096 && xp_conn_next(&f->conn, &m) == 1; i++) {
		if (ack && m.op == XP_OP_MARK) {
			struct xp_msg a = {.op = XP_OP_ACK};
			a.u.ack.serial = m.u.mark.serial;
			send_msg(s, f, &a);
		}
	}
	/* what did not decode is dropped: only the server is under test */
	if (xp_conn_failed(&f->conn)) {
		int fd = xp_conn_release_fd(&f->conn);
		xp_conn_finish(&f->conn);
		xp_conn_init(&f->conn, fd, 1u << 22, false);
	}
}

static void connect_peer(struct xs_server *s, struct fpeer *f, struct script *in)
{
	static const char *const sessions[] = {"a", "b", "c"};
	int sv[2];
	uint8_t how = take(in);
	enum xp_role role = (enum xp_role)(1 + how % 3);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	if (!xs_peer_create(s, sv[0], role != XP_ROLE_APP, role == XP_ROLE_APP)) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	*f = (struct fpeer){.used = true, .app = role == XP_ROLE_APP, .fd = sv[1]};
	xp_conn_init(&f->conn, sv[1], 1u << 22, true);
	uint8_t pre[XP_PREAMBLE_LEN];
	xp_preamble_write(pre);
	put(s, f, pre, sizeof(pre));
	if (how & 0x80) /* no HELLO: it stays in its handshake */
		return;
	struct xp_msg m = {.op = XP_OP_HELLO};
	m.u.hello = (struct xp_msg_hello){.role = (uint8_t)role,
	                                  .cookie = {cookie.data, (uint32_t)cookie.len},
	                                  .max_msg = XP_MAX_MSG_DEFAULT,
	                                  .screen_w = how & 0x40 ? 0 : 640,
	                                  .screen_h = 480,
	                                  .session = xp_str_from(sessions[(how >> 3) % 3]),
	                                  .name = xp_str_from(how & 0x20 ? "xp-launcher" : "fz")};
	if ((how & 0x18) == 0x18) /* a wrong cookie now and then */
		m.u.hello.cookie.n = 3;
	send_msg(s, f, &m);
}

static void close_peer(struct fpeer *f)
{
	xp_conn_finish(&f->conn); /* closes our end */
	*f = (struct fpeer){0};
}

static void step(struct xs_server *s, struct fpeer *peers, struct script *in)
{
	uint8_t what = take(in);
	int k = (what >> 4) % MAX_PEERS;
	struct fpeer *f = &peers[k];
	if (!f->used) {
		connect_peer(s, f, in);
		return;
	}
	struct xp_msg m = {0};
	unsigned kind = what & 15;
	if (kind <= 8) {
		m.op = f->app ? app_ops[take(in) % sizeof(app_ops)]
		              : client_ops[take(in) % sizeof(client_ops)];
		fill_fields(in, &m);
		if (m.op == XP_OP_IMAGE)
			make_image(in, &m.u.image);
		send_msg(s, f, &m);
	} else if (kind == 9) { /* raw bytes: framing the encoder would never produce */
		struct xp_bytes b;
		fill_BYTES(in, &b);
		put(s, f, b.p, b.n);
	} else if (kind == 10) {
		close_peer(f);
	} else if (kind <= 12) {
		drain(s, f, what & 1);
	} else {
		for (int i = 0; i < 1 + (what & 3); i++)
			xs_server_turn(s, 0);
	}
}

/* The server's books must match what it holds. */
static void check_books(const struct xs_server *s)
{
	int apps = 0, clients = 0, handshakes = 0;
	size_t pixels = 0;
	for (const struct xs_peer *p = s->peers; p; p = p->all_next) {
		apps += p->counted && p->role == XP_ROLE_APP;
		clients += p->counted && p->role != XP_ROLE_APP;
		handshakes += p->in_handshakes;
		pixels += xs_job_reserved(p); /* an image being decoded, a window being resized */
		if (p->counted != (p->state == XS_RUNNING) ||
		    p->in_handshakes != (p->state == XS_HANDSHAKE))
			abort();
	}
	for (const struct xs_session *se = s->sessions; se; se = se->next) {
		size_t mine = se->cache_bytes;
		for (size_t i = 0; i < se->nwin; i++)
			mine += (size_t)se->stack[i]->w * se->stack[i]->h * 4;
		if (mine - se->cache_bytes != se->pixel_bytes || se->windows.n != se->nwin)
			abort();
		pixels += mine;
	}
	if (apps != s->napps || clients != s->nclients || handshakes != s->nhandshakes ||
	    pixels + s->releasing != s->pixel_bytes || s->napps > s->opt.max_apps ||
	    s->nclients > s->opt.max_clients || s->nhandshakes > s->opt.max_handshakes)
		abort();
}

static struct xs_server *make_server(uint8_t knobs)
{
	struct xs_options o;
	xs_options_defaults(&o);
	o.listen = "";
	o.app_socket = sock_path;
	o.cookie = cookie_path;
	o.apps_file = apps_path;
	o.no_launcher = !(knobs & 1);
	o.log_level = -1;
	o.max_clients = 3;
	o.max_apps = 4;
	o.max_sessions = 2;
	o.max_handshakes = 3;
	o.max_windows_per_app = 2 + knobs % 5;
	o.max_window_dim = 1024;
	o.max_session_bytes = (size_t)1 << (18 + (knobs >> 1) % 4);
	o.max_total_bytes = (size_t)1 << 21;
	o.client_window_bytes = knobs & 0x20 ? 512 : 64u << 10;
	o.client_hard_limit = 1u << 18;
	return xs_server_create(&o);
}

/*
 * The server starts apps (and its launcher) with fork(). A fuzzer must not
 * multiply: this fork fails as a fork can, and the server's error path for
 * it is fuzzed instead.
 */
pid_t fork(void);
pid_t fork(void)
{
	errno = EAGAIN;
	return -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct xp_error err;
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/xproto-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(cookie_path, sizeof(cookie_path), "%s/cookie", dir);
	snprintf(apps_path, sizeof(apps_path), "%s/apps", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
	FILE *f = fopen(apps_path, "w"); /* launching nothing: a fuzzer must not fork */
	if (!f || fclose(f) != 0 || xp_cookie_load(cookie_path, true, &cookie, &err) < 0)
		abort();
	int null = open("/dev/null", O_WRONLY);
	dup2(null, 1); /* the server announces its endpoints on stdout */
	close(null);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script in = {data, data + size};
	struct fpeer peers[MAX_PEERS] = {0};
	struct xs_server *s = make_server(take(&in));
	if (!s)
		abort();
	for (int i = 0; i < MAX_STEPS && in.p < in.end; i++) {
		step(s, peers, &in);
		xs_server_turn(s, 0);
		check_books(s);
	}
	for (int i = 0; i < 4; i++)
		xs_server_turn(s, 0);
	check_books(s);
	xs_server_destroy(s);
	for (int i = 0; i < MAX_PEERS; i++)
		if (peers[i].used)
			close_peer(&peers[i]);
	return 0;
}
