/*
 * wm_e2e_test.c - the session's window manager end to end, in desktop mode:
 * a real xproto-server, real headless thin-client processes driving the
 * pointer and keyboard with their script, and in-process apps that see what
 * the user did to their windows (SPEC.md section 12). Also the connection's
 * state on screen and --scale.
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define SW        800 /* the session's screen (the server's default) */
#define SH        600
#define WAIT_MS   20000
#define FOCUSED   0x3d6fa8u /* thin-client/decor.c: the focused frame */
#define RETRY_BOX 0x6b5316u /* thin-client/status.c: waiting to reconnect */
#define FAIL_BOX  0x7a2424u /* thin-client/status.c: given up */
#define MARK      0xffcc00u /* a square every test window has at 10,10 */

static const char *const no_launcher[] = {"--no-launcher", NULL};

static uint32_t pixel(const struct xr_fb *fb, int x, int y)
{
	return fb->px[(size_t)y * (size_t)fb->stride + (size_t)x] & 0xffffff;
}

struct geo {
	int32_t x, y;
	uint32_t w, h;
};

/* A window of @w x @h asked for at 0,0, a title, mapped; where it went. */
static uint32_t new_window(struct xa_display *d, uint32_t w, uint32_t h, uint32_t bg,
                           const char *title, struct geo *g)
{
	uint32_t win = xa_window_create(d, 0, 0, w, h, 0, bg);
	assert_true(win > 0);
	xa_window_title(d, win, title);
	xa_fill(d, win, 10, 10, 20, 20, MARK);
	xa_window_map(d, win);
	*g = (struct geo){0, 0, w, h};
	assert_int_equal(e2e_window_pos(d, win, &g->x, &g->y), 0);
	return win;
}

/*
 * Wait (bounded) until @win's geometry, from the XA_CONFIGURE events the
 * app gets, is @want. Other events are dropped.
 */
static bool wait_geometry(struct xa_display *d, uint32_t win, struct geo *cur, struct geo want)
{
	struct xa_event ev;
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end) {
		if (cur->x == want.x && cur->y == want.y && cur->w == want.w && cur->h == want.h)
			return true;
		if (xa_next_event(d, &ev, 200) == 1 && ev.type == XA_CONFIGURE && ev.win == win)
			*cur = (struct geo){ev.x, ev.y, ev.w, ev.h};
	}
	print_message("window %u at %d,%d %ux%u, want %d,%d %ux%u\n", win, cur->x, cur->y, cur->w,
	              cur->h, want.x, want.y, want.w, want.h);
	return false;
}

/* Wait (bounded) for an event of @type for @win. */
static bool wait_event(struct xa_display *d, enum xa_event_type type, uint32_t win)
{
	struct xa_event ev;
	uint64_t end = xp_now_us() + WAIT_MS * 1000ull;
	while (xp_now_us() < end)
		if (xa_next_event(d, &ev, 200) == 1 && ev.type == type && ev.win == win)
			return true;
	return false;
}

static struct xp_rect outer(struct geo g)
{
	return xp_frame_outer((struct xp_rect){g.x, g.y, g.w, g.h});
}

static bool overlap(struct xp_rect a, struct xp_rect b)
{
	return a.x < b.x + (int64_t)b.w && b.x < a.x + (int64_t)a.w && a.y < b.y + (int64_t)b.h &&
	       b.y < a.y + (int64_t)a.h;
}

/* The @k-th client log (from 0) in @s's directory, read into @buf. */
static bool client_log(const struct e2e_server *s, int k, char *buf, size_t cap)
{
	char path[160];
	for (int i = 1, seen = 0; i < 4096; i++) {
		snprintf(path, sizeof(path), "%s/client-%d.log", s->dir, i);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (seen++ == k) {
			size_t n = fread(buf, 1, cap - 1, f);
			buf[n] = '\0';
			fclose(f);
			return true;
		}
		fclose(f);
	}
	return false;
}

/*
 * After each test: a test that failed half way leaves its server and
 * clients running; they are this process's children, ended by pid.
 */
static int end_children(void **state)
{
	(void)state;
	pid_t me = getpid();
	DIR *proc = opendir("/proc");
	for (struct dirent *e; proc && (e = readdir(proc));) {
		char path[300], line[512];
		pid_t pid = (pid_t)atoi(e->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		FILE *f = fopen(path, "r");
		const char *rp = f && fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		if (rp && sscanf(rp + 1, " %*c %d", &ppid) == 1 && ppid == me)
			proc_stop(pid, SIGTERM, 5000);
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
	return 0;
}

/* ---- placement ---------------------------------------------------------- */

/* New windows do not hide older ones: free spots first, then a cascade. */
static void test_placement(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g[4];
	char script[256], path[160];
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	assert_non_null(d);
	for (int i = 0; i < 3; i++)
		new_window(d, 240, 160, 0x203040u + (uint32_t)i, "small", &g[i]);
	for (int i = 0; i < 3; i++) {
		struct xp_rect o = outer(g[i]);
		assert_true(o.x >= 0 && o.y >= 0 && o.x + (int64_t)o.w <= SW &&
		            o.y + (int64_t)o.h <= SH);
		for (int j = 0; j < i; j++)
			assert_false(overlap(o, outer(g[j])));
	}
	/* the first one's frame is at the top left */
	assert_int_equal(g[0].x, XP_FRAME_BORDER);
	assert_int_equal(g[0].y, XP_FRAME_TITLE);
	/* no room left for this one: it cascades, every older title bar shows */
	new_window(d, 600, 400, 0x405060u, "big", &g[3]);
	struct xp_rect big = outer(g[3]);
	for (int i = 0; i < 3; i++) {
		struct xp_rect o = outer(g[i]);
		assert_false(big.x <= o.x && big.y <= o.y); /* its top left corner is visible */
	}
	/* a client shows the frames: the focused (newest) one in its colour */
	snprintf(path, sizeof(path), "%s/place.png", s.dir);
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nquit\n", path);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	struct xr_fb shot;
	assert_int_equal(xr_png_read_file(path, &shot), 0);
	assert_int_equal(pixel(&shot, big.x + 2, big.y + 2), FOCUSED);
	assert_int_equal(pixel(&shot, g[3].x + 15, g[3].y + 15), MARK); /* its content */
	xr_fb_finish(&shot);
	xa_close(d);
	e2e_server_stop(&s);
}

/* ---- the pointer on frames ------------------------------------------------ */

/* Title bar drag moves, corner drag resizes, Alt+drag moves: the app sees each. */
static void test_drag_move_resize(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g, cur;
	char script[1024], path[160];
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = new_window(d, 300, 200, 0x334455u, "drag me", &g);
	cur = g;
	struct xp_rect o = outer(g);
	int tx = g.x + 40, ty = g.y - 10;                     /* the title bar */
	int cx = o.x + (int)o.w - 2, cy = o.y + (int)o.h - 2; /* bottom right corner */
	snprintf(path, sizeof(path), "%s/drag.png", s.dir);
	snprintf(script, sizeof(script),
	         "sync\ndrag %d %d %d %d\nsync\n"
	         "drag %d %d %d %d\nsync\n"
	         "key-down Alt_L\ndrag %d %d %d %d\nkey-up Alt_L alt\nsync\n"
	         "screenshot %s\nquit\n",
	         tx, ty, tx + 100, ty + 50, cx + 100, cy + 50, cx + 160, cy + 90, g.x + 150,
	         g.y + 150, g.x + 120, g.y + 130, path);
	pid_t c = e2e_client_spawn(&s, script, NULL);
	struct geo moved = {g.x + 100, g.y + 50, 300, 200};
	assert_true(wait_geometry(d, win, &cur, moved));
	struct geo grown = {moved.x, moved.y, 360, 240};
	assert_true(wait_geometry(d, win, &cur, grown));
	struct geo alt = {grown.x - 30, grown.y - 20, 360, 240};
	assert_true(wait_geometry(d, win, &cur, alt));
	assert_int_equal(proc_wait(c, 60000), 0);
	/* the client shows the window where the app was told it is */
	struct xr_fb shot, srv;
	assert_int_equal(e2e_server_dump(&s), 0);
	assert_int_equal(e2e_server_window(&s, "main", win, &srv), 0);
	assert_int_equal(xr_png_read_file(path, &shot), 0);
	assert_int_equal(e2e_fb_diff_at(&shot, alt.x, alt.y, &srv, 360, 240), 0);
	xr_fb_finish(&shot);
	xr_fb_finish(&srv);
	xa_close(d);
	e2e_server_stop(&s);
}

/* The title-bar buttons and the keyboard chords. */
static void test_buttons_and_chords(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g, h, cur;
	char script[1024];
	struct xa_window_info *list;
	size_t n;
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t a = new_window(d, 200, 120, 0x223344u, "alpha", &g);
	uint32_t b = new_window(d, 200, 120, 0x443322u, "beta", &h);
	struct xp_rect content = {h.x, h.y, h.w, h.h};
	struct xp_rect max = xp_frame_button(content, XP_PART_MAXIMIZE);
	struct xp_rect min = xp_frame_button(content, XP_PART_MINIMIZE);
	/* maximise beta with its button, restore it with Super+Up */
	snprintf(script, sizeof(script), "sync\nclick %d %d\nsync\n", max.x + 4, max.y + 4);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	cur = h;
	struct geo full = {XP_FRAME_BORDER, XP_FRAME_TITLE, SW - 2 * XP_FRAME_BORDER,
	                   SH - XP_FRAME_TITLE - XP_FRAME_BORDER};
	assert_true(wait_geometry(d, b, &cur, full));
	assert_int_equal(e2e_client_run(&s, "key Up super\nsync\n", NULL), 0);
	assert_true(wait_geometry(d, b, &cur, h));
	/* minimise beta: unmapped, listed last as minimised; alpha has the focus */
	snprintf(script, sizeof(script), "click %d %d\nsync\n", min.x + 4, min.y + 4);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	assert_int_equal(xa_window_list(d, &list, &n, 5000), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, a);
	assert_true(list[0].state & XP_STATE_FOCUSED);
	assert_string_equal(list[0].title, "alpha");
	assert_int_equal(list[1].id, b);
	assert_true(list[1].state & XP_STATE_MINIMIZED);
	free(list);
	/* Alt+Tab brings it back, focused */
	assert_int_equal(e2e_client_run(&s, "key Tab alt\nsync\n", NULL), 0);
	assert_int_equal(xa_window_list(d, &list, &n, 5000), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, b);
	assert_int_equal(list[0].state & (XP_STATE_MINIMIZED | XP_STATE_FOCUSED), XP_STATE_FOCUSED);
	free(list);
	/* Alt+F4 asks beta's app to close it; the close button alpha */
	assert_int_equal(e2e_client_run(&s, "key F4 alt\nsync\n", NULL), 0);
	assert_true(wait_event(d, XA_CLOSE, b));
	xa_window_destroy(d, b);
	struct xp_rect ca = xp_frame_button((struct xp_rect){g.x, g.y, g.w, g.h}, XP_PART_CLOSE);
	snprintf(script, sizeof(script), "click %d %d\nsync\n", ca.x + 4, ca.y + 4);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	assert_true(wait_event(d, XA_CLOSE, a));
	xa_close(d);
	e2e_server_stop(&s);
}

/* Keyboard chords move, resize and tile the focused window; the app sees each. */
static void test_keyboard_move_resize(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g, cur;
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = new_window(d, 200, 120, 0x335533u, "keys", &g);
	cur = g;
	pid_t c = e2e_client_spawn(&s,
	                           "sync\nkey Right super+shift\nsync\n"
	                           "key Down super+ctrl\nsync\nkey Left super\n"
	                           "sync\nquit\n",
	                           NULL);
	struct geo moved = {g.x + 32, g.y, 200, 120}; /* Super+Shift+Right: 32 pixels right */
	assert_true(wait_geometry(d, win, &cur, moved));
	struct geo grown = {moved.x, moved.y, 200, 152}; /* Super+Ctrl+Down: 32 taller */
	assert_true(wait_geometry(d, win, &cur, grown));
	/* Super+Left: the left half of the screen, frame included */
	struct geo left = {XP_FRAME_BORDER, XP_FRAME_TITLE, SW / 2 - 2 * XP_FRAME_BORDER,
	                   SH - XP_FRAME_TITLE - XP_FRAME_BORDER};
	assert_true(wait_geometry(d, win, &cur, left));
	assert_int_equal(proc_wait(c, 60000), 0);
	xa_close(d);
	e2e_server_stop(&s);
}

struct restored {
	struct xa_display *d;
	uint32_t id;
};

/* proc_until: the session's one window is @arg's, focused, not minimised. */
static bool restored(void *arg)
{
	const struct restored *r = arg;
	struct xa_window_info *list;
	size_t n;
	if (xa_window_list(r->d, &list, &n, 5000) < 0)
		return false;
	bool back = n == 1 && list[0].id == r->id &&
	            (list[0].state & (XP_STATE_MINIMIZED | XP_STATE_FOCUSED)) == XP_STATE_FOCUSED;
	free(list);
	return back;
}

/* The launcher lists the session's windows; Tab, Enter brings one back. */
static void test_launcher_window_list(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g;
	struct xa_window_info *list;
	size_t n;
	assert_int_equal(e2e_server_start(&s, NULL), 0);
	struct xa_display *d = e2e_app(&s, "main");
	new_window(d, 200, 120, 0x224466u, "hidden away", &g);
	assert_int_equal(xa_window_list(d, &list, &n, 5000), 0);
	assert_int_equal(n, 1);
	uint32_t id = list[0].id;
	free(list);
	xa_window_arrange(d, id, XP_ARR_MINIMIZE, 0, 0, 0, 0);
	assert_int_equal(xa_sync(d, 5000), 0);
	/* nothing is shown: the launcher comes, with the window in its list */
	assert_int_equal(e2e_client_run(&s,
	                                "wait-windows 1 30000\nsync\nkey Tab\nkey Return\n"
	                                "sync\nquit\n",
	                                NULL),
	                 0);
	struct restored want = {d, id};
	assert_true(proc_until(restored, &want, WAIT_MS));
	xa_close(d);
	e2e_server_stop(&s);
}

/* The screen shrinks: a window whose title bar left it comes back. */
static void test_screen_shrinks(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g, cur;
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = new_window(d, 200, 120, 0x224466u, "far", &g);
	xa_window_configure(d, win, XP_CONF_MOVE, 560, 420, 0, 0);
	assert_int_equal(xa_sync(d, 5000), 0);
	cur = (struct geo){560, 420, 200, 120};
	assert_int_equal(e2e_client_run(&s, "resize 400 300\nsync\nquit\n", NULL), 0);
	struct geo back = {400 - 48 + XP_FRAME_BORDER, 300 - XP_FRAME_BORDER, 200, 120};
	assert_true(wait_geometry(d, win, &cur, back));
	xa_close(d);
	e2e_server_stop(&s);
}

/* ---- arrangement is session state -------------------------------------- */

/* Move a window, kill -9 the client, attach again: the same place. */
static void test_arrangement_survives_reattach(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g, cur, other;
	char script[512], a_png[160], b_png[160];
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	new_window(d, 200, 150, 0x112233u, "stays", &other);
	uint32_t win = new_window(d, 240, 160, 0x335577u, "moved", &g);
	cur = g;
	snprintf(a_png, sizeof(a_png), "%s/a.png", s.dir);
	snprintf(b_png, sizeof(b_png), "%s/b.png", s.dir);
	snprintf(script, sizeof(script),
	         "sync\ndrag %d %d %d %d\nsync\nscreenshot %s\nwait 60000\n", g.x + 30, g.y - 9,
	         g.x + 30 + 210, g.y - 9 + 170, a_png);
	pid_t a = e2e_client_spawn(&s, script, NULL);
	struct geo want = {g.x + 210, g.y + 170, 240, 160};
	assert_true(wait_geometry(d, win, &cur, want));
	assert_true(proc_wait_file(a_png, WAIT_MS));
	kill(a, SIGKILL);
	assert_int_equal(proc_wait(a, 5000), 128 + SIGKILL);
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nquit\n", b_png);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	struct xr_fb fa, fb;
	assert_int_equal(xr_png_read_file(a_png, &fa), 0);
	assert_int_equal(xr_png_read_file(b_png, &fb), 0);
	assert_true(xr_fb_equal(&fa, &fb)); /* same places, stacking, focus, frames */
	assert_int_equal(pixel(&fb, want.x + 15, want.y + 15), MARK);
	xr_fb_finish(&fa);
	xr_fb_finish(&fb);
	xa_close(d);
	e2e_server_stop(&s);
}

/* ---- the connection's state on screen ------------------------------------ */

/* Count of pixels of @fb in colour @c. */
static long count(const struct xr_fb *fb, uint32_t c)
{
	long n = 0;
	for (int y = 0; y < fb->h; y++)
		for (int x = 0; x < fb->w; x++)
			n += pixel(fb, x, y) == c;
	return n;
}

/* Ask client @c for a screenshot (SIGUSR1) at @shot and read it into @out. */
static void client_shot(pid_t c, const char *shot, struct xr_fb *out)
{
	unlink(shot);
	kill(c, SIGUSR1);
	assert_true(proc_wait_file(shot, WAIT_MS)); /* written aside, then renamed */
	assert_int_equal(xr_png_read_file(shot, out), 0);
}

struct box_wait {
	pid_t client;
	const char *shot;
	bool gone; /* wait for the box and the old picture to go, not for the box */
};

/* proc_until: a fresh screenshot of the client shows the reconnect box (or,
 * with gone, neither the box nor the old window's mark). */
static bool box_shown(void *arg)
{
	const struct box_wait *w = arg;
	struct xr_fb now;
	client_shot(w->client, w->shot, &now);
	long box = count(&now, RETRY_BOX), mark = count(&now, MARK);
	xr_fb_finish(&now);
	return w->gone ? box + mark == 0 : box > 1000;
}

/* The server goes: the last picture stays under "reconnecting"; it comes back. */
static void test_reconnect_overlay(void **state)
{
	(void)state;
	struct e2e_server s, s2;
	struct geo g;
	char script[256], shot[160], before[160], cookie[160], listen[64], cmd[512];
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	new_window(d, 300, 200, 0x2a5a2au, "before", &g);
	snprintf(before, sizeof(before), "/tmp/xproto-wm-before-%d.png", (int)getpid());
	snprintf(shot, sizeof(shot), "/tmp/xproto-wm-shot-%d.png", (int)getpid());
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nwait 60000\n", before);
	static const char *extra[] = {"--reconnect", "--screenshot", NULL, NULL};
	extra[2] = shot;
	pid_t c = e2e_client_spawn(&s, script, extra);
	assert_true(proc_wait_file(before, WAIT_MS));
	/* keep the cookie, so the next server takes the client back */
	snprintf(cookie, sizeof(cookie), "/tmp/xproto-wm-cookie-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", s.cookie, cookie);
	assert_int_equal(system(cmd), 0);
	int port = s.port;
	e2e_server_stop(&s); /* the server goes, not the app: the window stays shown */
	xa_close(d);
	/* the box says so over the last picture */
	struct box_wait box = {c, shot, false};
	assert_true(proc_until(box_shown, &box, WAIT_MS));
	struct xr_fb pic, now;
	client_shot(c, shot, &now);
	assert_true(count(&now, RETRY_BOX) > 1000);
	assert_int_equal(xr_png_read_file(before, &pic), 0);
	assert_int_equal(pixel(&now, g.x + 15, g.y + 15), MARK); /* the window still shows */
	assert_int_equal(pixel(&now, g.x + 100, g.y + 190), pixel(&pic, g.x + 100, g.y + 190));
	xr_fb_finish(&pic);
	xr_fb_finish(&now);
	/* a server on the same port with the same cookie: the client comes back,
	 * the box and the old picture go */
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	const char *args2[] = {"--no-launcher", "--listen", listen, "--cookie", cookie, NULL};
	assert_int_equal(e2e_server_start(&s2, args2), 0);
	box.gone = true;
	assert_true(proc_until(box_shown, &box, WAIT_MS));
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, 10000), 0);
	unlink(shot);
	unlink(before);
	unlink(cookie);
	e2e_server_stop(&s2);
}

/* A refused client says why on screen and on stderr, and exits 1. */
static void test_refused_says_why(void **state)
{
	(void)state;
	struct e2e_server s;
	char shot[160], bad[160], text[4096] = "";
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	snprintf(shot, sizeof(shot), "%s/refused.png", s.dir);
	snprintf(bad, sizeof(bad), "%s/bad-cookie", s.dir);
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	chmod(bad, 0600);
	const char *extra[] = {"--cookie", bad, "--screenshot", shot, NULL};
	assert_int_equal(e2e_client_run(&s, "quit\n", extra), 1);
	struct xr_fb fb;
	assert_int_equal(xr_png_read_file(shot, &fb), 0);
	assert_true(count(&fb, FAIL_BOX) > 1000);
	xr_fb_finish(&fb);
	assert_true(client_log(&s, 0, text, sizeof(text)));
	assert_non_null(strstr(text, "server refused"));
	assert_non_null(strstr(text, "cookie is not this server's"));
	e2e_server_stop(&s);
}

/* ---- --scale -------------------------------------------------------------- */

/* A message table line "  NAME in out" of a client log: in, or -1. */
static long ops_in(const char *log, const char *op)
{
	char want[64];
	snprintf(want, sizeof(want), "\n  %s ", op);
	const char *at = strstr(log, want);
	return at ? strtol(at + strlen(want), NULL, 10) : -1;
}

/* Scale 2 is scale 1 with every pixel doubled, and the same messages. */
static void test_scale_exact_same_bytes(void **state)
{
	(void)state;
	struct e2e_server s;
	struct geo g;
	char script[256], p1[160], p2[160], l1[8192], l2[8192];
	assert_int_equal(e2e_server_start(&s, no_launcher), 0);
	struct xa_display *d = e2e_app(&s, "main");
	uint32_t win = new_window(d, 300, 200, 0x101820u, "scaled", &g);
	xa_text(d, win, 4, 40, "crisp at any scale", 18, 0, 0xe0e0e0, 0x101820);
	assert_int_equal(xa_sync(d, 5000), 0);
	snprintf(p1, sizeof(p1), "%s/s1.png", s.dir);
	snprintf(p2, sizeof(p2), "%s/s2.png", s.dir);
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nquit\n", p1);
	assert_int_equal(e2e_client_run(&s, script, NULL), 0);
	snprintf(script, sizeof(script), "sync\nscreenshot %s\nquit\n", p2);
	static const char *const two[] = {"--scale", "2", NULL};
	assert_int_equal(e2e_client_run(&s, script, two), 0);
	struct xr_fb a, b;
	assert_int_equal(xr_png_read_file(p1, &a), 0);
	assert_int_equal(xr_png_read_file(p2, &b), 0);
	assert_int_equal(b.w, 2 * a.w);
	assert_int_equal(b.h, 2 * a.h);
	for (int y = 0; y < b.h; y++)
		for (int x = 0; x < b.w; x++)
			if (pixel(&b, x, y) != pixel(&a, x / 2, y / 2))
				fail_msg("pixel %d,%d differs from %d,%d at scale 1", x, y, x / 2,
				         y / 2);
	xr_fb_finish(&a);
	xr_fb_finish(&b);
	/* the same messages came: what crosses the wire does not depend on the scale */
	assert_true(client_log(&s, 0, l1, sizeof(l1)));
	assert_true(client_log(&s, 1, l2, sizeof(l2)));
	static const char *const ops[] = {"WIN_CREATE", "WIN_MAP", "WIN_STATE", "TARGET", "GC",
	                                  "FILL",       "BITMAP",  "TEXT",      "IMAGE"};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		assert_int_equal(ops_in(l1, ops[i]), ops_in(l2, ops[i]));
	assert_true(ops_in(l1, "WIN_CREATE") == 1);
	if (ops_in(l1, "PONG") == ops_in(l2, "PONG") && ops_in(l1, "MARK") == ops_in(l2, "MARK")) {
		const char *b1 = strstr(l1, "plain bytes"), *b2 = strstr(l2, "plain bytes");
		assert_non_null(b1);
		assert_non_null(b2);
		assert_int_equal(strtol(b1 + 20, NULL, 10), strtol(b2 + 20, NULL, 10));
	}
	xa_close(d);
	e2e_server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_placement, end_children),
	    cmocka_unit_test_teardown(test_drag_move_resize, end_children),
	    cmocka_unit_test_teardown(test_buttons_and_chords, end_children),
	    cmocka_unit_test_teardown(test_keyboard_move_resize, end_children),
	    cmocka_unit_test_teardown(test_launcher_window_list, end_children),
	    cmocka_unit_test_teardown(test_screen_shrinks, end_children),
	    cmocka_unit_test_teardown(test_arrangement_survives_reattach, end_children),
	    cmocka_unit_test_teardown(test_reconnect_overlay, end_children),
	    cmocka_unit_test_teardown(test_refused_says_why, end_children),
	    cmocka_unit_test_teardown(test_scale_exact_same_bytes, end_children),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
