/*
 * server.c - create, run and destroy the server: cookie, listeners, the
 * signal fd (SIGCHLD reaps apps, SIGTERM/SIGINT stop cleanly), the periodic
 * stall check, and the before-sleep flush.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_int.h"

#define CHECK_MS 100 /* stall checks, and marks for output left unmarked */

void xs_options_defaults(struct xs_options *o)
{
	memset(o, 0, sizeof(*o));
	o->display = 0;
	o->max_clients = 256;
	o->max_sessions = 1024;
	o->max_apps = 512;
	o->max_windows_per_app = 64;
	o->max_window_dim = (int)XP_WIN_MAX_DIM;
	o->max_session_bytes = 256u << 20;
	o->max_total_bytes = (size_t)1 << 30;
	o->max_msg = XP_MAX_MSG_DEFAULT;
	o->client_window_bytes = 256u << 10;
	o->client_hard_limit = 32u << 20;
	o->stall_timeout_ms = 15000;
	o->keepalive_ms = 20000;
	o->handshake_timeout_ms = 5000;
	o->max_handshakes = 128;
	o->screen_w = 800;
	o->screen_h = 600;
	o->log_level = XS_INFO;
}

/* Write each window as DIR/SESSION-ID.png, then DIR/done: for tests. */
static void dump_windows(struct xs_server *s)
{
	char path[1024];
	if (!s->opt.dump_dir)
		return;
	for (struct xs_session *se = s->sessions; se; se = se->next) {
		for (size_t i = 0; i < se->nwin; i++) {
			snprintf(path, sizeof(path), "%s/%s-%u.png", s->opt.dump_dir, se->name,
			         se->stack[i]->id);
			if (xr_png_write_file(&se->stack[i]->fb, path) < 0)
				xs_log(s, XS_ERROR, "cannot write %s", path);
		}
	}
	snprintf(path, sizeof(path), "%s/done", s->opt.dump_dir);
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
}

static void on_signal(struct xs_loop *l, int fd, unsigned events, void *data)
{
	struct xs_server *s = data;
	(void)events;
	for (int sig; (sig = xp_signal_next(fd)) > 0;) {
		if (sig == SIGCHLD) {
			xs_launch_reap(s);
		} else if (sig == SIGUSR1) {
			dump_windows(s);
		} else {
			xs_log(s, XS_INFO, "signal %d: shutting down", sig);
			s->stopping = true;
			xs_loop_stop(l);
		}
	}
}

static int periodic(struct xs_loop *l, uint64_t id, void *data)
{
	struct xs_server *s = data;
	(void)l;
	(void)id;
	for (struct xs_peer *p = s->peers; p; p = p->all_next)
		if (p->state == XS_RUNNING && p->role != XP_ROLE_APP)
			xs_update_check_stall(p);
	xs_hold_tick(s);
	return CHECK_MS;
}

static void before_sleep(struct xs_loop *l, void *data)
{
	(void)l;
	xs_peers_flush(data);
}

static int setup_signals(struct xs_server *s)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1};
	s->sig_fd = xp_signal_fd(sigs, sizeof(sigs) / sizeof(sigs[0]));
	if (s->sig_fd < 0)
		return -1;
	return xs_loop_watch(s->loop, s->sig_fd, XS_READABLE, on_signal, s);
}

static void default_paths(struct xs_server *s)
{
	const struct xs_options *o = &s->opt;
	if (o->cookie)
		snprintf(s->cookie_path, sizeof(s->cookie_path), "%s", o->cookie);
	else
		xp_cookie_default_path(s->cookie_path, sizeof(s->cookie_path));
	xs_display_paths(s);
}

struct xs_server *xs_server_create(const struct xs_options *o)
{
	struct xs_server *s = calloc(1, sizeof(*s));
	struct xp_error err;
	if (!s)
		return NULL;
	s->opt = *o;
	s->sig_fd = s->tcp_fd = s->unix_fd = s->app_tcp_fd = -1;
	default_paths(s);
	if (xp_cookie_load(s->cookie_path, true, &s->cookie, &err) < 0) {
		xs_log(s, XS_ERROR, "%s", err.text);
		goto err;
	}
	s->loop = xs_loop_create(65536);
	if (!s->loop || setup_signals(s) < 0 || xs_launch_init(s) < 0 ||
	    xs_display_prepare(s) < 0 || xs_listen_all(s) < 0)
		goto err;
	xs_loop_before_sleep(s->loop, before_sleep, s);
	xs_loop_timer(s->loop, CHECK_MS, periodic, s);
	xs_display_announce(s);
	if (s->tcp_fd >= 0)
		printf("xproto-server: thin clients on %s (port %d)\n", s->opt.listen, s->port);
	printf("xproto-server: apps on %s\nxproto-server: cookie file %s\n", s->app_socket,
	       s->cookie_path);
	fflush(stdout);
	return s;
err:;
	int e = s->addr_in_use ? EADDRINUSE : EINVAL;
	xs_server_destroy(s);
	errno = e;
	return NULL;
}

int xs_server_port(const struct xs_server *s)
{
	return s->port;
}

int xs_server_run(struct xs_server *s)
{
	return xs_loop_run(s->loop);
}

int xs_server_turn(struct xs_server *s, int max_wait_ms)
{
	return xs_loop_turn(s->loop, max_wait_ms);
}

void xs_server_stop(struct xs_server *s)
{
	xs_loop_stop(s->loop);
}

void xs_server_destroy(struct xs_server *s)
{
	if (!s)
		return;
	if (s->loop)
		xs_listen_close(s);
	xs_launch_stop_all(s);
	xs_child_finish_all(s);
	while (s->peers) {
		struct xs_peer *p = s->peers;
		s->peers = p->all_next;
		p->session = NULL; /* sessions are freed below, whole */
		xs_peer_destroy(p);
	}
	while (s->sessions) {
		struct xs_session *se = s->sessions;
		s->sessions = se->next;
		xs_keyq_finish(&se->gate);
		xs_session_destroy(se);
	}
	xs_release_all(s);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	xs_launch_finish(s);
	xs_loop_destroy(s->loop);
	free(s);
}
