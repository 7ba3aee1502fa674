/*
 * x11_e2e_test.c - the X bridge (xp-x11) end to end, on real parts: a real
 * xproto-server, xp-x11 --display-only with its own Xvfb, real X programs
 * from Debian (xterm, xlogo), headless thin clients and a raw protocol
 * client on loopback. The pixels a thin client shows of a bridged window
 * are compared with the X server's own pixels of that window.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/composite.h>
#include <xcb/xcb.h>

#include <cmocka.h>

#include "e2e.h"

#define XTERM_GEOMETRY "80x24+0+0"

struct bridge {
	struct e2e_server s;
	pid_t pid;
	char display[16];
	char log[192];
	pid_t progs[8];
	int nprogs;
};

/* the test's bridge: stopped by teardown even when an assertion fails */
static struct bridge the;

static bool have(const char *prog)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* xp-x11 --display-only: read "DISPLAY=:N" from its stdout. */
static void bridge_start(struct bridge *br, const char *extra)
{
	char bin[256], line[64] = "";
	int fds[2];
	memset(br, 0, sizeof(*br));
	const char *args[] = {"--no-launcher", NULL};
	assert_int_equal(e2e_server_start(&br->s, args), 0);
	snprintf(br->log, sizeof(br->log), "%s/x11.log", br->s.dir);
	assert_int_equal(pipe(fds), 0);
	br->pid = fork();
	if (br->pid == 0) {
		int log = open(br->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fds[1], 1);
		dup2(log, 2);
		setenv("XPROTO_APP_SOCKET", br->s.app_socket, 1);
		setenv("XPROTO_COOKIE", br->s.cookie, 1);
		setenv("XPROTO_SESSION", "main", 1);
		execl(e2e_bin("xp-x11", bin, sizeof(bin)), "xp-x11", "--display-only", extra,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	uint64_t end = xp_now_us() + 20000000;
	while (!strchr(line, '\n') && n < sizeof(line) - 1 && xp_now_us() < end) {
		struct pollfd p = {fds[0], POLLIN, 0};
		if (poll(&p, 1, 200) == 1) {
			ssize_t r = read(fds[0], line + n, sizeof(line) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
			line[n] = '\0';
		}
	}
	close(fds[0]);
	assert_true(sscanf(line, "DISPLAY=%15s", br->display) == 1);
}

static void bridge_stop(struct bridge *br)
{
	if (!br->s.pid)
		return;
	for (int i = 0; i < br->nprogs; i++) {
		kill(br->progs[i], SIGCONT);
		kill(br->progs[i], SIGKILL);
		e2e_wait(br->progs[i], 5000);
	}
	if (br->pid > 0) {
		kill(br->pid, SIGTERM);
		e2e_wait(br->pid, 5000);
	}
	e2e_server_stop(&br->s);
	memset(br, 0, sizeof(*br));
}

/* Run an X program on the bridge's display, with a plain bash if it is a shell. */
static pid_t run(struct bridge *br, const char *const *argv)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		setenv("DISPLAY", br->display, 1);
		setenv("PS1", "$ ", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	br->progs[br->nprogs++] = pid;
	return pid;
}

static pid_t xterm(struct bridge *br, const char *geometry)
{
	const char *argv[] = {"xterm", "-T", "xterm", "-fn", "6x13", "-geometry", geometry, "+sb",
	                      "-e", "bash", "--norc", "--noprofile", NULL};
	return run(br, argv);
}

/* ---- the X side ---- */

static char *title_of(xcb_connection_t *c, xcb_window_t w, char *buf, size_t cap)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    c, xcb_get_property(c, 0, w, XCB_ATOM_WM_NAME, XCB_ATOM_ANY, 0, 64), NULL);
	int n = r ? xcb_get_property_value_length(r) : 0;
	n = n < (int)cap - 1 ? n : (int)cap - 1;
	if (r)
		memcpy(buf, xcb_get_property_value(r), (size_t)n);
	buf[n] = '\0';
	free(r);
	return buf;
}

/* The viewable top-level whose title contains @title, waiting for it. */
static xcb_window_t xfind(xcb_connection_t *c, const char *title, int timeout_ms)
{
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root, found = 0;
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	while (!found && xp_now_us() < end) {
		xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
		xcb_window_t *k = t ? xcb_query_tree_children(t) : NULL;
		for (int i = 0; t && i < xcb_query_tree_children_length(t) && !found; i++) {
			char name[128];
			xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(
			    c, xcb_get_window_attributes(c, k[i]), NULL);
			if (a && a->map_state == XCB_MAP_STATE_VIEWABLE &&
			    strstr(title_of(c, k[i], name, sizeof(name)), title))
				found = k[i];
			free(a);
		}
		free(t);
		if (!found)
			usleep(20000);
	}
	return found;
}

/* What the X server holds for top-level @w (its Composite pixmap). */
static void xpixels(xcb_connection_t *c, xcb_window_t w, struct xr_fb *fb, int *x, int *y)
{
	xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(c, xcb_get_geometry(c, w), NULL);
	assert_non_null(g);
	*x = g->x, *y = g->y;
	xcb_pixmap_t pm = xcb_generate_id(c);
	xcb_composite_name_window_pixmap(c, w, pm);
	/* the pixmap holds the border too: all of it is what X shows */
	int pw = g->width + 2 * g->border_width, ph = g->height + 2 * g->border_width;
	xcb_get_image_reply_t *im = xcb_get_image_reply(
	    c, xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, pm, 0, 0, (uint16_t)pw, (uint16_t)ph, ~0u),
	    NULL);
	assert_non_null(im);
	assert_int_equal(xr_fb_init(fb, pw, ph), 0);
	const uint32_t *px = (const uint32_t *)(const void *)xcb_get_image_data(im);
	for (int i = 0; i < pw * ph; i++)
		fb->px[i] = px[i] & 0xffffff;
	xcb_free_pixmap(c, pm);
	free(im);
	free(g);
}

/* ---- the session side ---- */

/* A headless thin client's screen once @nwin windows show and all is quiet. */
static void shot(struct bridge *br, int nwin, const char *extra_script, struct xr_fb *out)
{
	char script[512], path[160];
	static int seq;
	snprintf(path, sizeof(path), "%s/shot-%d.png", br->s.dir, ++seq);
	snprintf(script, sizeof(script),
	         "wait-windows %d 20000\n%swait-idle 700 20000\nscreenshot %s\nquit\n", nwin,
	         extra_script ? extra_script : "", path);
	pid_t pid = e2e_client_spawn(&br->s, script, NULL);
	assert_int_equal(e2e_wait(pid, 60000), 0);
	assert_int_equal(xr_png_read_file(path, out), 0);
}

/* Pixels of @win (at x, y of the screen) that differ from @shot. */
static long diff_at(const struct xr_fb *screen, const struct xr_fb *win, int x, int y)
{
	long n = 0;
	if (x < 0 || y < 0 || x + win->w > screen->w || y + win->h > screen->h)
		return -1;
	for (int j = 0; j < win->h; j++)
		for (int i = 0; i < win->w; i++)
			n += (screen->px[(size_t)(y + j) * screen->stride + (size_t)(x + i)] &
			      0xffffff) != win->px[(size_t)j * win->stride + (size_t)i];
	return n;
}

/* The X window titled @title, shown by a thin client, pixel for pixel. */
static void assert_shown_exactly(struct bridge *br, const char *title, int nwin)
{
	xcb_connection_t *c = xcb_connect(br->display, NULL);
	assert_false(xcb_connection_has_error(c));
	xcb_window_t w = xfind(c, title, 20000);
	assert_true(w != 0);
	struct xr_fb screen, win;
	int x, y;
	shot(br, nwin, NULL, &screen);
	xpixels(c, w, &win, &x, &y);
	long d = diff_at(&screen, &win, x, y);
	if (d != 0) {
		char path[1100];
		fprintf(stderr, "%s at %d,%d %dx%d: %ld pixels differ (see %s/diff-*.png)\n", title,
		        x, y, win.w, win.h, d, br->s.dir);
		snprintf(path, sizeof(path), "%s/diff-x.png", br->s.dir);
		xr_png_write_file(&win, path);
		snprintf(path, sizeof(path), "%s/diff-screen.png", br->s.dir);
		xr_png_write_file(&screen, path);
	}
	assert_int_equal(d, 0);
	xr_fb_finish(&screen);
	xr_fb_finish(&win);
	xcb_disconnect(c);
}

/* Type @text into the session (and Return), then wait for @file to hold @want. */
static void type_and_check(struct bridge *br, const char *text, const char *file, const char *want)
{
	char script[1600], got[256] = "";
	snprintf(script, sizeof(script),
	         "wait-windows 1 20000\nwait-idle 500 20000\ntype-delay 5\ntype %s\nkey Return\n"
	         "wait-idle 500 20000\nquit\n",
	         text);
	pid_t pid = e2e_client_spawn(&br->s, script, NULL);
	assert_int_equal(e2e_wait(pid, 60000), 0);
	uint64_t end = xp_now_us() + 20000000;
	while (xp_now_us() < end) {
		FILE *f = fopen(file, "r");
		size_t n = f ? fread(got, 1, sizeof(got) - 1, f) : 0;
		if (f)
			fclose(f);
		got[n] = '\0';
		if (strstr(got, want))
			break;
		usleep(20000);
	}
	assert_string_equal(got, want);
}

static int teardown(void **state)
{
	(void)state;
	bridge_stop(&the);
	return 0;
}

static void test_pixels_equal(void **state)
{
	(void)state;
	struct bridge *br = &the;
	bridge_start(br, NULL);
	xterm(br, XTERM_GEOMETRY);
	const char *logo[] = {"xlogo", "-geometry", "120x100+520+40", NULL};
	run(br, logo);
	assert_shown_exactly(br, "xterm", 2);
	assert_shown_exactly(br, "xlogo", 2);
}

static void test_typing_reaches_xterm(void **state)
{
	(void)state;
	struct bridge *br = &the;
	char cmd[1200], file[1024];
	bridge_start(br, NULL);
	xterm(br, XTERM_GEOMETRY);
	snprintf(file, sizeof(file), "%s/typed.txt", br->s.dir);
	/* '>' needs Shift; 'é' and 'ß' are not in the X server's US keymap */
	snprintf(cmd, sizeof(cmd), "echo Typed-\xc3\xa9\xc3\x9f-OK > %s", file);
	type_and_check(br, cmd, file, "Typed-\xc3\xa9\xc3\x9f-OK\n");
	assert_shown_exactly(br, "xterm", 1);
}

int main(void)
{
	if (!have("Xvfb") || !have("xterm") || !have("xlogo")) {
		printf("x11_e2e_test: Xvfb, xterm or xlogo missing: skipped (tools/deps.sh)\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_pixels_equal, teardown),
	    cmocka_unit_test_teardown(test_typing_reaches_xterm, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
