/*
 * transport.c - where the server is and how to reach it. A target is a
 * display (":N", "HOST:N": TCP port 7100 + N), an address (HOST:PORT, a
 * Unix socket path) or ssh://[USER@]HOST[:N][/SESSION]: then the user's own
 * ssh runs `xp-ssh-bridge :N` on HOST, which connects to display N there and
 * presents that host's cookie, so the byte stream to the server is ssh's
 * stdin and stdout (a socketpair here). Nothing else needs a tunnel, an open
 * port or a copied cookie; reconnecting simply runs ssh again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thin_int.h"

#define SSH_PREFIX  "ssh://"
#define SSH_ARGS    32
#define SSH_STOP_MS 2000

/* Session names as the server takes them (SPEC.md section 4). */
static bool session_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* A user or host name that cannot be taken for an ssh option or a second word. */
static bool word_ok(const char *s)
{
	return s[0] && s[0] != '-' && !strpbrk(s, " \t\r\n'\"\\;&|`$<>(){}*?");
}

/* Cut "/SESSION" off @buf into t->session. 0 or -1 (@err says why). */
static int take_session(char *buf, struct tc_target *t, char *err, size_t cap)
{
	char *slash = strchr(buf, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if (strlen(slash + 1) >= sizeof(t->session) || !session_ok(slash + 1))
		return snprintf(err, cap, "bad session '%s' in '%s'", slash + 1, t->shown), -1;
	snprintf(t->session, sizeof(t->session), "%.64s", slash + 1);
	return 0;
}

/* Cut "USER@" off @buf into t->ssh_user; the rest in *@host. 0 or -1. */
static int take_user(char *buf, char **host, struct tc_target *t, char *err, size_t cap)
{
	char *at = strchr(buf, '@');
	*host = buf;
	if (!at)
		return 0;
	*at = '\0';
	*host = at + 1;
	if (strlen(buf) >= sizeof(t->ssh_user) || !word_ok(buf))
		return snprintf(err, cap, "bad user name in '%s'", t->shown), -1;
	snprintf(t->ssh_user, sizeof(t->ssh_user), "%.63s", buf);
	return 0;
}

/* Cut ":N" off @host (after "]" for "[v6]") into t->display. 0 or -1. */
static int take_display(char *host, struct tc_target *t, char *err, size_t cap)
{
	char *colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
	if (!colon)
		return 0;
	colon += host[0] == '[';
	*colon = '\0';
	size_t n = strlen(colon + 1);
	if (n == 0 || n > 3 || strspn(colon + 1, "0123456789") != n)
		return snprintf(err, cap, "bad display in '%s' (want :N, N 0-%d)", t->shown,
		                XP_DISPLAY_MAX),
		       -1;
	t->display = atoi(colon + 1);
	return 0;
}

/* "[USER@]HOST[:N][/SESSION]" after "ssh://" into @t. */
static int parse_ssh(const char *rest, struct tc_target *t, char *err, size_t cap)
{
	char buf[512], *host;
	snprintf(buf, sizeof(buf), "%s", rest);
	if (take_session(buf, t, err, cap) < 0 || take_user(buf, &host, t, err, cap) < 0 ||
	    take_display(host, t, err, cap) < 0)
		return -1;
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [v6] as ssh wants it */
		host[hl - 1] = '\0';
		host++;
	}
	if (strlen(host) >= sizeof(t->ssh_host) || !word_ok(host))
		return snprintf(err, cap, "bad host in '%s'", t->shown), -1;
	snprintf(t->ssh_host, sizeof(t->ssh_host), "%.255s", host);
	return 0;
}

int tc_target_parse(const char *name, struct tc_target *t, char *err, size_t cap)
{
	struct xp_display d;
	struct xp_error e;
	memset(t, 0, sizeof(*t));
	snprintf(t->shown, sizeof(t->shown), "%s", name);
	if (!strncmp(name, SSH_PREFIX, strlen(SSH_PREFIX))) {
		t->ssh = true;
		return parse_ssh(name + strlen(SSH_PREFIX), t, err, cap);
	}
	if (xp_display_parse(name, &d, &e) < 0)
		return snprintf(err, cap, "%s", e.text), -1;
	/* ":1000" would be port 1000 of 127.0.0.1: a display number the server
	 * refuses, as mistyped here as there */
	if (name[0] == ':' && d.number < 0)
		return snprintf(err, cap, "'%s' is not a display (want :N, N 0-%d)", name,
		                XP_DISPLAY_MAX),
		       -1;
	/* thin clients use a display's TCP endpoint; its Unix socket is for apps */
	snprintf(t->addr, sizeof(t->addr), "%s", d.tcp[0] ? d.tcp : d.socket);
	t->unix_socket = !d.tcp[0];
	return 0;
}

/* Split $XPROTO_SSH (default "ssh") at spaces into @argv; the word count. */
static int ssh_words(char *buf, size_t cap, char **argv, int max)
{
	const char *cmd = getenv("XPROTO_SSH");
	int n = 0;
	snprintf(buf, cap, "%s", cmd && *cmd ? cmd : "ssh");
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w && n < max;
	     w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	return n;
}

/* The child: ssh's stdin and stdout are @fd; signals as a fresh program has them. */
static void exec_ssh(const struct tc_target *t, int fd)
{
	char words[1024], remote[1024];
	char *argv[SSH_ARGS + 10];
	const char *bridge = getenv("XPROTO_SSH_BRIDGE");
	sigset_t none;
	int n = ssh_words(words, sizeof(words), argv, SSH_ARGS);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	dup2(fd, 0);
	dup2(fd, 1);
	snprintf(remote, sizeof(remote), "%s :%d", bridge && *bridge ? bridge : "xp-ssh-bridge",
	         t->display);
	/* no terminal, no escape character: the stream is binary */
	argv[n++] = "-T";
	argv[n++] = "-e";
	argv[n++] = "none";
	if (t->ssh_user[0]) {
		argv[n++] = "-l";
		argv[n++] = (char *)t->ssh_user;
	}
	argv[n++] = (char *)t->ssh_host;
	argv[n++] = remote;
	argv[n] = NULL;
	execvp(argv[0], argv);
	fprintf(stderr, "thin-client: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int tc_target_open(const struct tc_target *t, pid_t *pid, struct xp_error *err)
{
	int sv[2];
	*pid = 0;
	if (!t->ssh)
		return xp_net_connect(t->addr, XP_NET_CLOEXEC, err);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return xp_error_set(err, XP_ERR_IO, 0, "socketpair: %s", strerror(errno));
	*pid = fork();
	if (*pid < 0) {
		xp_error_set(err, XP_ERR_IO, 0, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (*pid == 0)
		exec_ssh(t, sv[1]);
	close(sv[1]);
	return sv[0];
}

/* Wait up to @ms for @pid; true with *@status once it was reaped. */
static bool reap(pid_t pid, int ms, int *status)
{
	uint64_t end = xp_now_us() + (uint64_t)ms * 1000;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return r == pid;
		if (xp_now_us() >= end)
			return false;
		usleep(2000);
	}
}

void tc_ssh_finish(pid_t pid, int grace_ms, char *why, size_t cap)
{
	int status = 0;
	if (why && cap)
		why[0] = '\0';
	if (pid <= 0)
		return;
	/* ssh ends by itself once its stdin closes; a stuck one is stopped */
	if (!reap(pid, grace_ms, &status)) {
		kill(pid, SIGTERM);
		if (!reap(pid, SSH_STOP_MS, &status)) {
			kill(pid, SIGKILL);
			reap(pid, SSH_STOP_MS, &status);
		}
		return;
	}
	if (!why)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(why, cap,
		         "ssh exited with status 127: no ssh here, or no xp-ssh-bridge on the "
		         "remote PATH (set XPROTO_SSH_BRIDGE)");
	else if (WIFEXITED(status))
		snprintf(why, cap, "ssh exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, cap, "ssh was killed by signal %d", WTERMSIG(status));
}
