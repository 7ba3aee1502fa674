/*
 * x11run.c - the X bridge under test (x11run.h): xproto-server and
 * xp-x11 --display-only with its own Xvfb, X programs on that display, and
 * finding their windows. Used by x11_e2e_test and x11_cursor_e2e_test.
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "x11run.h"

bool br_have(const char *prog)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* what the tests run: tools/deps.sh installs them (0: not looked yet) */
static int have_programs;

/* xp-x11 --display-only: read "DISPLAY=:N" from its stdout. */
void br_start(struct br_bridge *br, const char *extra)
{
	char bin[256], line[64] = "";
	int fds[2];
	memset(br, 0, sizeof(*br));
	if (!have_programs)
		have_programs = br_have("Xvfb") && br_have("xterm") && br_have("xlogo") ? 1 : -1;
	if (have_programs < 0) {
		print_message(
		    "Xvfb, xterm or xlogo missing: skipped (tools/deps.sh installs them)\n");
		skip();
	}
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
	print_message("bridge: %s, DISPLAY=%s\n", br->s.dir, br->display);
}

/* Copy the file @path to stderr (its last 8 KiB), under a heading. */
static void show_file(const char *path)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size > (long)sizeof(buf) ? size - (long)sizeof(buf) : 0, SEEK_SET);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fprintf(stderr, "---- %s\n%.*s---- end of %s\n", path, (int)n, buf, path);
}

pid_t br_thin_client(struct br_bridge *br, const char *display, const char *size)
{
	static int n;
	char bin[256], log[192];
	snprintf(log, sizeof(log), "%s/client-%d.log", br->s.dir, ++n);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR), err = open(log, O_WRONLY | O_CREAT, 0600);
		dup2(null, 1);
		dup2(err, 2);
		setenv("DISPLAY", display, 1);
		execl(e2e_bin("thin-client", bin, sizeof(bin)), "thin-client", "--size", size,
		      "--cookie", br->s.cookie, br->s.addr, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* A test that failed shows what the server, the bridge and the clients said. */
static void show_logs(const struct br_bridge *br)
{
	char path[256];
	show_file(br->s.log);
	show_file(br->log);
	for (int i = 1; i < 1000; i++) {
		snprintf(path, sizeof(path), "%s/client-%d.log", br->s.dir, i);
		if (access(path, F_OK) == 0)
			show_file(path);
	}
}

void br_stop(struct br_bridge *br)
{
	if (!br->s.pid)
		return;
	if (!br->ok)
		show_logs(br);
	for (int i = 0; i < br->nprogs; i++) {
		kill(br->progs[i], SIGCONT);
		kill(br->progs[i], SIGKILL);
		proc_wait(br->progs[i], 20000);
	}
	if (br->pid > 0) {
		kill(br->pid, SIGTERM);
		proc_wait(br->pid, 20000);
	}
	e2e_server_stop(&br->s);
	memset(br, 0, sizeof(*br));
}

/* Run an X program on the bridge's display, with a plain bash if it is a shell. */
pid_t br_run(struct br_bridge *br, const char *const *argv)
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

pid_t br_xterm(struct br_bridge *br, const char *geometry)
{
	const char *argv[] = {"xterm",     "-T",          "xterm", "-fn", "6x13",
	                      "-geometry", geometry,      "+sb",   "-e",  "bash",
	                      "--norc",    "--noprofile", NULL};
	return br_run(br, argv);
}

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

struct xfound {
	xcb_connection_t *c;
	const char *title;
	xcb_window_t w;
};

/* A viewable top-level whose title contains f->title, into f->w. */
static bool xfind_once(void *arg)
{
	struct xfound *f = arg;
	xcb_connection_t *c = f->c;
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
	xcb_window_t *k = t ? xcb_query_tree_children(t) : NULL;
	for (int i = 0; t && i < xcb_query_tree_children_length(t) && !f->w; i++) {
		char name[128];
		xcb_get_window_attributes_reply_t *a =
		    xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, k[i]), NULL);
		if (a && a->map_state == XCB_MAP_STATE_VIEWABLE &&
		    strstr(title_of(c, k[i], name, sizeof(name)), f->title))
			f->w = k[i];
		free(a);
	}
	free(t);
	return f->w != 0;
}

/* The viewable top-level whose title contains @title, waiting for it. */
xcb_window_t br_xfind(xcb_connection_t *c, const char *title, int timeout_ms)
{
	struct xfound f = {c, title, 0};
	proc_until(xfind_once, &f, timeout_ms);
	return f.w;
}
