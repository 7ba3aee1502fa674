/*
 * child.c - what the server knows of each app process it started, until
 * it is reaped: its session and name, whether it has shown a window, the
 * keys held for it while it starts (hold.c), and its output (standard
 * output and error, one pipe): each line still goes to the server's own
 * stderr (the log), and the last non-empty one is kept, so that when an
 * app ends before it shows anything the clients and the launcher are told
 * why (APP_EXITED).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_int.h"

#define MAX_TRACKED   256  /* as many as launch.c runs at once */
#define READ_PER_TURN 4096 /* stderr bytes taken per event: a chatty app waits */

static struct xs_child tracked[MAX_TRACKED];

struct xs_child *xs_child_find(pid_t pid)
{
	for (int i = 0; pid > 0 && i < MAX_TRACKED; i++)
		if (tracked[i].pid == pid)
			return &tracked[i];
	return NULL;
}

/* Keep @s (@n bytes) as the last line: cut at a character, controls blanked. */
static void keep_line(struct xs_child *ch, const char *s, size_t n)
{
	size_t k = 0, i = 0;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return;
	while (i < n) {
		uint32_t cp;
		size_t len = xp_utf8_next(s + i, n - i, &cp);
		bool bad = cp == XP_UTF8_REPLACEMENT || cp < 0x20 || cp == 0x7f;
		if (k + (bad ? 1 : len) > XP_EXIT_REASON_MAX)
			break;
		if (bad)
			ch->last[k++] = ' ';
		else
			memcpy(ch->last + k, s + i, len), k += len;
		i += len;
	}
	ch->last[k] = '\0';
}

/* The line so far is done (newline) or the buffer is full (@whole false). */
static void end_line(struct xs_child *ch, bool whole)
{
	if (!ch->line_seen)
		keep_line(ch, ch->line, ch->len);
	ch->line_seen = !whole;
	ssize_t w = write(2, ch->line, ch->len);
	if (whole)
		w = write(2, "\n", 1);
	(void)w; /* the log is best effort */
	ch->len = 0;
}

/* Take what the app wrote to stderr; true while the pipe is open. */
static bool take_stderr(struct xs_child *ch, size_t max)
{
	char buf[1024];
	for (size_t got = 0; got < max;) {
		ssize_t n = read(ch->err_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return false;
		if (n < 0)
			return true;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n')
				end_line(ch, true);
			else if ((ch->line[ch->len++] = buf[i]), ch->len == sizeof(ch->line))
				end_line(ch, false);
		}
		got += (size_t)n;
	}
	return true;
}

static void close_stderr(struct xs_server *s, struct xs_child *ch)
{
	if (ch->err_fd < 0)
		return;
	if (ch->len)
		end_line(ch, true);
	xs_loop_unwatch(s->loop, ch->err_fd);
	close(ch->err_fd);
	ch->err_fd = -1;
}

static void on_stderr(struct xs_loop *l, int fd, unsigned events, void *data)
{
	struct xs_child *ch = data;
	(void)l;
	(void)fd;
	(void)events;
	if (!take_stderr(ch, READ_PER_TURN))
		close_stderr(ch->session->srv, ch);
}

int xs_child_add(struct xs_server *s, struct xs_session *se, pid_t pid, int err_fd)
{
	struct xs_child *ch = NULL;
	for (int i = 0; i < MAX_TRACKED && !ch; i++)
		if (!tracked[i].pid)
			ch = &tracked[i];
	if (!ch)
		return -1; /* launch.c refuses more before this can happen */
	*ch = (struct xs_child){.pid = pid, .session = se, .started_us = xp_now_us(), .err_fd = -1};
	if (err_fd >= 0 && xs_loop_watch(s->loop, err_fd, XS_READABLE, on_stderr, ch) == 0)
		ch->err_fd = err_fd;
	else if (err_fd >= 0)
		close(err_fd);
	return 0;
}

void xs_child_named(struct xs_child *ch, const char *app)
{
	snprintf(ch->app, sizeof(ch->app), "%s", app);
	xs_hold_launched(ch->session, ch);
}

/* Tell the session's clients and its launcher that named app @ch ended. */
static void report_exit(struct xs_child *ch, int status)
{
	struct xs_session *se = ch->session;
	struct xp_msg m = {.op = XP_OP_APP_EXITED};
	uint32_t flags =
	    (ch->shown ? 0 : XP_EXIT_NO_WINDOW) | (WIFSIGNALED(status) ? XP_EXIT_SIGNAL : 0);
	uint32_t code =
	    WIFSIGNALED(status) ? (uint32_t)WTERMSIG(status) : (uint32_t)WEXITSTATUS(status);
	m.u.app_exited = (struct xp_msg_app_exited){xp_str_from(ch->app), (uint32_t)ch->pid, flags,
	                                            code, xp_str_from(ch->last)};
	xs_log(se->srv, XS_INFO, "app %s (pid %d) ended (%s %u)%s%s%s", ch->app, (int)ch->pid,
	       (flags & XP_EXIT_SIGNAL) ? "signal" : "status", code,
	       ch->shown ? "" : " before showing a window", ch->last[0] ? ": " : "", ch->last);
	for (struct xs_peer *c = se->clients; c; c = c->next)
		xs_peer_send(c, &m);
	if (se->launcher)
		xs_peer_send(se->launcher, &m);
}

void xs_child_exited(struct xs_server *s, pid_t pid, int status)
{
	struct xs_child *ch = xs_child_find(pid);
	if (!ch)
		return;
	/* what it wrote before it ended is in the pipe already */
	if (ch->err_fd >= 0)
		take_stderr(ch, 1u << 20);
	close_stderr(s, ch);
	bool held = ch->session && ch->session->hold_pid == ch->pid;
	xs_hold_ended(ch, "it ended");
	if (ch->app[0] && !s->stopping) {
		report_exit(ch, status);
		if (held && !ch->shown) /* keys on their way were typed for it too */
			xs_hold_fence(ch->session);
		if (!ch->shown) { /* nothing is coming: the start screen may come back */
			ch->session->app_launched_us = 0;
			xs_launcher_check(ch->session);
		}
	}
	*ch = (struct xs_child){.err_fd = -1};
}

void xs_child_claim(struct xs_peer *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	/* launched apps run in a session of their own (setsid): its id is our child's pid */
	if (p->is_tcp || getsockopt(xp_conn_fd(&p->conn), SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return;
	pid_t sid = getsid(cr.pid);
	struct xs_child *ch = xs_child_find(sid);
	if (ch && ch->session == p->session)
		p->launch_pid = ch->pid;
}

void xs_child_shown(struct xs_peer *p, struct xs_window *w)
{
	struct xs_child *ch = xs_child_find(p->launch_pid);
	if (!ch || ch->shown)
		return;
	ch->shown = true;
	if (ch->app[0])
		xs_log(p->srv, XS_INFO, "app %s (pid %d) showed its first window", ch->app,
		       (int)ch->pid);
	xs_hold_deliver(ch, w);
}

void xs_child_finish_all(struct xs_server *s)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (!tracked[i].pid)
			continue;
		close_stderr(s, &tracked[i]);
		xs_hold_ended(&tracked[i], "the server stops");
		tracked[i] = (struct xs_child){.err_fd = -1};
	}
}

void xs_children_each(void (*fn)(struct xs_child *ch, void *data), void *data)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i].pid)
			fn(&tracked[i], data);
}
