/*
 * term_harness.c - see term_harness.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "term_harness.h"
#include "xputil.h"

int th_start(struct th *h, const char *term_args, const char *const *server_extra)
{
	char bin[256], cwd[512];
	const char *extra[16];
	int n = 0;
	memset(h, 0, sizeof(*h));
	h->c.fd = -1;
	snprintf(h->dir, sizeof(h->dir), "/tmp/xpterm-test-XXXXXX");
	if (!mkdtemp(h->dir))
		return -1;
	snprintf(h->apps, sizeof(h->apps), "%s/apps", h->dir);
	snprintf(h->dump, sizeof(h->dump), "%s/dump.txt", h->dir);
	e2e_bin("xp-term", bin, sizeof(bin));
	const char *root = bin[0] == '/' ? "" : getcwd(cwd, sizeof(cwd));
	FILE *f = fopen(h->apps, "w");
	if (!f || !root)
		return -1;
	fprintf(f,
	        "terminal | t | exec env -C %s PS1='$ ' HOME=%s %s%s%s %s --dump %s -e bash --norc "
	        "--noprofile\n",
	        h->dir, h->dir, root, *root ? "/" : "", bin, term_args ? term_args : "", h->dump);
	fclose(f);
	extra[n++] = "--apps";
	extra[n++] = h->apps;
	extra[n++] = "--no-launcher";
	for (int i = 0; server_extra && server_extra[i] && n < 15; i++)
		extra[n++] = server_extra[i];
	extra[n] = NULL;
	return e2e_server_start(&h->s, extra);
}

/* Run the rm command @arg; true once it succeeded. */
static bool removed(void *arg)
{
	return system(arg) == 0;
}

void th_stop(struct th *h)
{
	char cmd[200];
	th_disconnect(h);
	e2e_server_stop(&h->s);
	if (getenv("E2E_KEEP"))
		return;
	/* the shell may still be writing there as it hangs up: try again */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' 2>/dev/null", h->dir);
	if (!proc_until(removed, cmd, 10000))
		fprintf(stderr, "th: cannot remove %s\n", h->dir);
}

int th_connect(struct th *h, bool viewer)
{
	struct xp_error err;
	struct xp_cookie ck;
	struct xp_caps want = {XP_FLAG_ZLIB, XP_MAX_MSG_DEFAULT, 800, 600}, got;
	if (xp_cookie_load(h->s.cookie, false, &ck, &err) < 0)
		return -1;
	int fd = xp_net_connect(h->s.addr, XP_NET_CLOEXEC, &err);
	if (fd < 0)
		return -1;
	xp_conn_init(&h->c, fd, XP_MAX_MSG_DEFAULT, true);
	if (xp_handshake_client(&h->c, viewer ? XP_ROLE_VIEWER : XP_ROLE_CLIENT, &ck, &want, "main",
	                        "term-test", &got, 5000) < 0) {
		xp_conn_finish(&h->c);
		return -1;
	}
	h->connected = true;
	return 0;
}

void th_disconnect(struct th *h)
{
	free(h->got);
	h->got = NULL;
	h->got_len = h->got_cap = 0;
	if (!h->connected)
		return;
	xp_conn_drain(&h->c, 1000);
	xp_conn_finish(&h->c);
	h->connected = false;
}

/* A selection the test offers is asked for: h->answer in h->answer_chunk pieces. */
static void answer(struct th *h, uint32_t req)
{
	struct xp_msg out = {.op = XP_OP_CLIP_DATA};
	size_t off = 0, chunk = h->answer_chunk ? h->answer_chunk : XP_CLIP_CHUNK;
	if (!h->answer) {
		out.u.clip_data =
		    (struct xp_msg_clip_data){req, XP_CLIP_LAST | XP_CLIP_FAILED, {0}};
		xp_conn_send(&h->c, &out);
		return;
	}
	do {
		size_t n = h->answer_len - off > chunk ? chunk : h->answer_len - off;
		uint32_t last = off + n == h->answer_len ? XP_CLIP_LAST : 0;
		out.u.clip_data = (struct xp_msg_clip_data){
		    req, last, {(const uint8_t *)h->answer + off, (uint32_t)n}};
		xp_conn_send(&h->c, &out);
		off += n;
	} while (off < h->answer_len);
}

/* Where window @id is on the session's screen, kept from what the server says. */
static void set_pos(struct th *h, uint32_t id, int32_t x, int32_t y)
{
	int i = 0;
	while (i < h->npos && h->pos[i].id != id)
		i++;
	if (i == h->npos && h->npos == (int)(sizeof(h->pos) / sizeof(h->pos[0])))
		return;
	if (i == h->npos)
		h->npos++;
	h->pos[i].id = id;
	h->pos[i].x = x;
	h->pos[i].y = y;
}

/* The terminal window's origin on the screen in *@x, *@y (0, 0 if unknown). */
static void win_origin(const struct th *h, int *x, int *y)
{
	*x = *y = 0;
	for (int i = 0; i < h->npos; i++)
		if (h->pos[i].id == h->win) {
			*x = h->pos[i].x;
			*y = h->pos[i].y;
		}
}

static void take(struct th *h, const struct xp_msg *m)
{
	struct xp_msg out;
	switch (m->op) {
	case XP_OP_MARK:
		out = (struct xp_msg){.op = XP_OP_ACK};
		out.u.ack.serial = m->u.mark.serial;
		xp_conn_send(&h->c, &out);
		break;
	case XP_OP_WIN_CREATE:
		set_pos(h, m->u.win_create.win, m->u.win_create.x, m->u.win_create.y);
		break;
	case XP_OP_WIN_CONFIGURE:
		if (m->u.win_configure.mask & XP_CONF_MOVE)
			set_pos(h, m->u.win_configure.win, m->u.win_configure.x,
			        m->u.win_configure.y);
		break;
	case XP_OP_WIN_MAP:
		if (!h->win)
			h->win = m->u.win_map.win;
		break;
	case XP_OP_WIN_TITLE:
		xp_str_copy(h->title, sizeof(h->title), m->u.win_title.title);
		break;
	case XP_OP_CLIP_OWN:
		if (m->u.clip_own.sel < 2 && !(m->u.clip_own.flags & XP_CLIP_DISOWN))
			h->clip_own[m->u.clip_own.sel]++;
		break;
	case XP_OP_CLIP_REQUEST:
		h->requests++;
		if (h->hold && h->nheld < sizeof(h->held) / sizeof(h->held[0]))
			h->held[h->nheld++] = m->u.clip_request.req;
		else
			answer(h, m->u.clip_request.req);
		break;
	case XP_OP_CLIP_DATA:
		if (!(m->u.clip_data.flags & XP_CLIP_FAILED)) {
			if (XU_ARRAY_RESERVE(h->got, h->got_cap,
			                     h->got_len + m->u.clip_data.data.n + 1) < 0)
				break;
			memcpy(h->got + h->got_len, m->u.clip_data.data.p, m->u.clip_data.data.n);
			h->got_len += m->u.clip_data.data.n;
			h->got[h->got_len] = '\0';
		}
		h->got_flags |= m->u.clip_data.flags;
		break;
	case XP_OP_ERROR:
		h->errors++;
		h->last_error = m->u.error.code;
		break;
	default:
		break;
	}
}

void th_pump(struct th *h, int ms)
{
	struct xp_msg m;
	uint64_t end = xp_now_us() + (uint64_t)ms * 1000;
	while (h->connected) {
		int r = xp_conn_wait(&h->c, &m, xp_ms_until(end));
		if (r < 0) { /* the server hung up on us: the tests see !connected */
			xp_conn_finish(&h->c);
			h->connected = false;
			return;
		}
		if (r > 0)
			take(h, &m);
		xp_conn_flush(&h->c);
		xp_conn_write(&h->c);
		if (r == 0 && xp_now_us() >= end)
			return;
	}
}

static int send_msg(struct th *h, const struct xp_msg *m)
{
	if (!h->connected || xp_conn_send(&h->c, m) < 0)
		return -1;
	return xp_conn_drain(&h->c, 2000);
}

int th_key_edge(struct th *h, uint32_t keysym, bool pressed)
{
	struct xp_msg m = {.op = XP_OP_KEY};
	m.u.key = (struct xp_msg_key){pressed ? XP_KEY_PRESSED : 0, keysym, xp_str_from("")};
	return send_msg(h, &m);
}

int th_key(struct th *h, uint32_t keysym, uint32_t mods, const char *text)
{
	struct xp_msg m = {.op = XP_OP_KEY};
	m.u.key = (struct xp_msg_key){XP_KEY_PRESSED | mods, keysym, xp_str_from(text ? text : "")};
	if (send_msg(h, &m) < 0)
		return -1;
	m.u.key = (struct xp_msg_key){mods, keysym, xp_str_from("")};
	return send_msg(h, &m);
}

int th_type(struct th *h, const char *s, bool enter)
{
	for (; *s; s++) {
		char text[2] = {*s, 0};
		if (th_key(h, (uint8_t)*s, 0, text) < 0)
			return -1;
	}
	return enter ? th_key(h, 0xff0d, 0, "") : 0;
}

int th_button(struct th *h, int button, bool pressed, int x, int y)
{
	struct xp_msg m = {.op = XP_OP_BUTTON};
	int ox, oy;
	win_origin(h, &ox, &oy);
	m.u.button = (struct xp_msg_button){XP_BUTTON_STATE(button, pressed), ox + x, oy + y};
	return send_msg(h, &m);
}

int th_motion(struct th *h, int x, int y)
{
	struct xp_msg m = {.op = XP_OP_MOTION};
	int ox, oy;
	win_origin(h, &ox, &oy);
	m.u.motion = (struct xp_msg_motion){ox + x, oy + y};
	return send_msg(h, &m);
}

int th_launch(struct th *h)
{
	struct xp_msg m = {.op = XP_OP_APP_LAUNCH};
	m.u.app_launch.app = xp_str_from("terminal");
	if (send_msg(h, &m) < 0)
		return -1;
	uint64_t end = xp_now_us() + 15000000ull;
	while (!h->win && h->connected && xp_now_us() < end)
		th_pump(h, 100);
	h->term = e2e_launched_pid(&h->s, "terminal");
	if (!h->win || h->term <= 0)
		return -1;
	return th_wait_text(h, "$", 15000) >= 0 ? 0 : -1;
}

int th_dump(struct th *h)
{
	FILE *f;
	unlink(h->dump);
	if (kill(h->term, SIGUSR1) < 0 || !proc_wait_file(h->dump, 5000))
		return -1;
	f = fopen(h->dump, "r");
	h->nlines = 0;
	while (f && h->nlines < TH_LINES && fgets(h->lines[h->nlines], TH_LINE_MAX, f)) {
		h->lines[h->nlines][strcspn(h->lines[h->nlines], "\n")] = '\0';
		h->nlines++;
	}
	if (f)
		fclose(f);
	return f ? 0 : -1;
}

int th_wait_text(struct th *h, const char *text, int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	do {
		th_pump(h, 20);
		if (th_dump(h) < 0)
			return -1;
		for (int i = 0; i < h->nlines; i++)
			if (strstr(h->lines[i], text))
				return i;
	} while (xp_now_us() < end);
	return -1;
}

const char *th_info(struct th *h, const char *key, char *buf, size_t cap)
{
	char path[300], line[512];
	size_t kl = strlen(key);
	snprintf(path, sizeof(path), "%s.info", h->dump);
	FILE *f = fopen(path, "r");
	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, cap, "%s", line + kl + 1);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

struct file_bytes {
	const char *path, *want;
	size_t len;
	char *buf; /* len + 2 bytes */
};

/* proc_until: @arg's file holds exactly its len wanted bytes. */
static bool file_is(void *arg)
{
	struct file_bytes *fb = arg;
	FILE *f = fopen(fb->path, "rb");
	size_t n = f ? fread(fb->buf, 1, fb->len + 1, f) : 0;
	if (f)
		fclose(f);
	return n == fb->len && !memcmp(fb->buf, fb->want, fb->len);
}

bool th_wait_file(const char *path, const char *want, size_t len, int timeout_ms)
{
	struct file_bytes fb = {path, want, len, malloc(len + 2)};
	bool same = fb.buf && proc_until(file_is, &fb, timeout_ms);
	free(fb.buf);
	return same;
}

int th_clip_own(struct th *h, uint32_t sel, uint32_t flags)
{
	struct xp_msg m = {.op = XP_OP_CLIP_OWN};
	m.u.clip_own = (struct xp_msg_clip_own){sel, flags, h->answer_len};
	return send_msg(h, &m);
}

int th_clip_answer_held(struct th *h)
{
	for (unsigned i = 0; i < h->nheld; i++)
		answer(h, h->held[i]);
	h->nheld = 0;
	return xp_conn_drain(&h->c, 10000);
}

int th_clip_request(struct th *h, uint32_t sel)
{
	struct xp_msg m = {.op = XP_OP_CLIP_REQUEST};
	free(h->got);
	h->got = NULL;
	h->got_len = h->got_cap = 0;
	h->got_flags = 0;
	m.u.clip_request = (struct xp_msg_clip_request){7, sel};
	return send_msg(h, &m);
}

bool th_wait_clip_own(struct th *h, uint32_t sel, unsigned count, int timeout_ms)
{
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (h->clip_own[sel] < count && h->connected && xp_now_us() < end)
		th_pump(h, 50);
	return h->clip_own[sel] >= count;
}
