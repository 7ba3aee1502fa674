/*
 * x11_bench.c - the X bridge's figures: input-to-pixels latency for a real
 * xterm through xp-x11 on loopback (KEY -> server -> xp-x11 -> XTEST ->
 * xterm -> bash echoes -> xterm draws -> DAMAGE -> xp-x11 encodes -> server
 * -> a client that applies it to its framebuffer), and the bridge's CPU
 * while idle and while typing. Prints figures; asserts nothing about speed.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xpargs.h"
#include "../tests/e2e.h"
#include "../tests/load.h"

#define KEYS 300

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A client's side: sticky GC, drawing applied to the one window's pixels. */
struct view {
	struct xp_conn c;
	struct xr_fb fb;
	uint32_t fg, bg, font;
};

static bool apply(struct view *v, const struct xp_msg *m, char want)
{
	struct xr_rect dmg;
	switch (m->op) {
	case XP_OP_MARK: {
		struct xp_msg a = {.op = XP_OP_ACK};
		a.u.ack.serial = m->u.mark.serial;
		xp_conn_send(&v->c, &a);
		xp_conn_drain(&v->c, 1000);
		return false;
	}
	case XP_OP_GC:
		v->fg = m->u.gc.fg, v->bg = m->u.gc.bg, v->font = m->u.gc.font;
		return false;
	case XP_OP_FILL:
		xr_fill(&v->fb, NULL, m->u.fill.x, m->u.fill.y, (int)m->u.fill.w, (int)m->u.fill.h,
		        v->fg);
		return false;
	case XP_OP_BITMAP:
		xr_bitmap(&v->fb, NULL, m->u.bitmap.x, m->u.bitmap.y, (int)m->u.bitmap.w,
		          (int)m->u.bitmap.h, m->u.bitmap.bits.p, m->u.bitmap.bits.n, v->fg, v->bg,
		          false, &dmg);
		return false;
	case XP_OP_COPY:
		xr_copy(&v->fb, NULL, m->u.copy.sx, m->u.copy.sy, (int)m->u.copy.w,
		        (int)m->u.copy.h, m->u.copy.dx, m->u.copy.dy);
		return false;
	case XP_OP_TEXT:
		xr_text(&v->fb, NULL, m->u.text.x, m->u.text.y, m->u.text.text.p, m->u.text.text.n,
		        (int)v->font, v->fg, v->bg, false);
		return want && memchr(m->u.text.text.p, want, m->u.text.text.n) != NULL;
	default:
		return false;
	}
}

/* Apply messages until a TEXT holding @want was drawn (or, with @want 0,
 * until nothing came for @quiet_ms). Returns 0, or -1 on timeout. */
static int until(struct view *v, char want, int quiet_ms, int timeout_ms)
{
	struct xp_msg m;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (xp_now_us() < end) {
		int r = xp_conn_wait(&v->c, &m, want ? 100 : quiet_ms);
		if (r < 0)
			return -1;
		if (r == 0 && !want)
			return 0;
		if (r > 0 && apply(v, &m, want))
			return 0;
	}
	return -1;
}

static void key(struct view *v, uint32_t sym, const char *text)
{
	struct xp_msg k = {.op = XP_OP_KEY};
	k.u.key = (struct xp_msg_key){XP_KEY_PRESSED, sym, xp_str_from(text)};
	xp_conn_send(&v->c, &k);
	k.u.key = (struct xp_msg_key){0, sym, xp_str_from("")};
	xp_conn_send(&v->c, &k);
	xp_conn_drain(&v->c, 1000);
}

static pid_t start_bridge(struct e2e_server *s)
{
	char bin[256];
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		/* XP_X11_DEBUG=1 with XP_X11_LOG=FILE: the bridge's account of each key */
		int log = getenv("XP_X11_LOG")
		              ? open(getenv("XP_X11_LOG"), O_WRONLY | O_CREAT | O_TRUNC, 0600)
		              : null;
		dup2(log >= 0 ? log : null, 2);
		setenv("XPROTO_APP_SOCKET", s->app_socket, 1);
		setenv("XPROTO_COOKIE", s->cookie, 1);
		setenv("PS1", "$ ", 1);
		execl(e2e_bin("xp-x11", bin, sizeof(bin)), "xp-x11", "--", "xterm", "-fn", "6x13",
		      "-geometry", "80x24+0+0", "+sb", "-e", "bash", "--norc", "--noprofile",
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void report(double *lat, int n, double idle_cpu, double typing_cpu, double typing_s)
{
	qsort(lat, (size_t)n, sizeof(double), cmp);
	printf("bridged xterm (xp-x11 -- xterm): input-to-pixels latency on loopback, %d keys\n"
	       "  (KEY -> xp-x11 -> XTEST -> xterm -> bash echo -> DAMAGE -> encoder -> server ->\n"
	       "   client drew it)\n",
	       n);
	if (n > 0)
		printf("  p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms   (target: p50 <= "
		       "5)\n",
		       lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n - 1]);
	printf("  xp-x11 CPU: idle xterm %.2f s in 5 s (%.1f%% of a core); typing %.2f s in %.1f s "
	       "(%.1f%%)\n",
	       idle_cpu, 100 * idle_cpu / 5, typing_cpu, typing_s,
	       typing_s > 0 ? 100 * typing_cpu / typing_s : 0);
}

int main(int argc, char **argv)
{
	int usage_rc = xu_no_args(
	    argc, argv, "x11_bench",
	    "The X bridge's figures: input-to-pixels latency, bytes (prints figures).\n");
	if (usage_rc >= 0)
		return usage_rc;
	struct e2e_server s;
	struct view v = {.fg = 0xffffff};
	static double lat[KEYS];
	const char *const args[] = {"--no-launcher", "--log", "error", NULL};
	if (system("command -v xterm >/dev/null && command -v Xvfb >/dev/null") != 0) {
		printf("x11_bench: xterm or Xvfb missing: skipped\n");
		return 0;
	}
	if (e2e_server_start(&s, args) < 0 || e2e_raw_client(&s, &v.c, "main", NULL, 0) < 0)
		return 1;
	xr_fb_init(&v.fb, 486, 318);
	pid_t br = start_bridge(&s);
	/* the prompt is drawn: bash is ready */
	if (until(&v, '$', 0, 20000) < 0 || until(&v, 0, 500, 10000) < 0) {
		fprintf(stderr, "x11_bench: no xterm prompt through the bridge\n");
		goto out;
	}
	double c0 = load_cpu_seconds(br);
	until(&v, 0, 5000, 6000); /* five idle seconds */
	double idle = load_cpu_seconds(br) - c0;
	int n = 0;
	uint64_t t_start = xp_now_us();
	c0 = load_cpu_seconds(br);
	for (int i = 0; i < KEYS; i++) {
		char ch = (char)('a' + i % 26), txt[2] = {ch, 0};
		uint64_t t0 = xp_now_us();
		key(&v, (uint32_t)ch, txt);
		if (until(&v, ch, 0, 5000) < 0)
			break;
		lat[n++] = (double)(xp_now_us() - t0) / 1000.0;
		key(&v, 0xff08, ""); /* BackSpace: the next key lands in the same cell */
		until(&v, 0, 30, 5000);
	}
	double typing = load_cpu_seconds(br) - c0, secs = (double)(xp_now_us() - t_start) / 1e6;
	report(lat, n, idle, typing, secs);
out:
	xp_conn_finish(&v.c);
	xr_fb_finish(&v.fb);
	kill(br, SIGTERM);
	proc_wait(br, 5000);
	e2e_server_stop(&s);
	return 0;
}
