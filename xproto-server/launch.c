/*
 * launch.c - the apps a client may start: a list (built in, or --apps FILE
 * with lines "name | description | command"), told to whoever asks with
 * APP_LIST (clients, viewers, the launcher app), spawning with the app
 * socket, cookie and session in the environment, and reaping.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_int.h"

#define MAX_APPS     64
#define MAX_CHILDREN 256

static pid_t children[MAX_CHILDREN];

static const struct xs_app_entry builtin[] = {
    {"terminal", "a terminal running your shell", "exec \"$XPROTO_BIN/xp-term\""},
    {"clock", "a ticking clock", "exec \"$XPROTO_BIN/xp-clock\""},
    {"calendar", "the shared calendar", "exec \"$XPROTO_BIN/xp-calendar\" --create"},
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* True if @s (NUL-terminated) is UTF-8 text without control characters:
 * names and descriptions travel in APP_ENTRY and are drawn by launchers. */
static bool plain_text(const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	return xp_utf8_valid(s, strlen(s));
}

/* Parse "name | description | command" into @e; NULL, or what is wrong. */
static const char *parse_line(char *line, struct xs_app_entry *e)
{
	char *a = strchr(line, '|'), *b = a ? strchr(a + 1, '|') : NULL;
	if (!a || !b)
		return "want 'name | description | command'";
	*a = *b = '\0';
	char *name = trim(line), *about = trim(a + 1), *cmd = trim(b + 1);
	if (!*name || !*cmd)
		return "want 'name | description | command'";
	if (strlen(name) >= sizeof(e->name) || strlen(cmd) >= sizeof(e->command))
		return "name (31 bytes) or command (511 bytes) too long";
	if (!plain_text(name) || !plain_text(about))
		return "name and description must be UTF-8 without control characters";
	snprintf(e->name, sizeof(e->name), "%s", name);
	/* a long description is cut, at a character boundary */
	size_t n = xp_utf8_fit(about, strlen(about), sizeof(e->about) - 1);
	snprintf(e->about, sizeof(e->about), "%.*s", (int)n, about);
	snprintf(e->command, sizeof(e->command), "%s", cmd);
	return NULL;
}

/* Why line @t (@whole: not cut by the line buffer) cannot be the next app of
 * @s, or NULL if it can. */
static const char *check_line(struct xs_server *s, char *t, bool whole)
{
	if (!whole)
		return "line longer than 1023 bytes";
	if (s->napps_known == MAX_APPS)
		return "more than 64 apps";
	const char *why = parse_line(t, &s->apps[s->napps_known]);
	for (size_t i = 0; !why && i < s->napps_known; i++)
		if (!strcmp(s->apps[i].name, s->apps[s->napps_known].name))
			why = "an app of that name is already listed";
	return why;
}

/* Read --apps @path into s->apps; -1 (logged with the line) on the first bad line. */
static int load_file(struct xs_server *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0;
	if (!f)
		return xs_log(s, XS_ERROR, "--apps %s: %s", path, strerror(errno)), -1;
	while (fgets(line, sizeof(line), f)) {
		bool whole = strchr(line, '\n') || feof(f);
		char *t = trim(line);
		lineno++;
		if (whole && (!*t || *t == '#'))
			continue;
		const char *why = check_line(s, t, whole);
		if (why) {
			xs_log(s, XS_ERROR, "%s:%d: %s", path, lineno, why);
			fclose(f);
			return -1;
		}
		s->napps_known++;
	}
	fclose(f);
	return 0;
}

/*
 * Whether every program @cmd runs from "$XPROTO_BIN/NAME" is in --bin: a
 * wrong --bin is said at start, not as apps that never appear. -1 (logged).
 */
static int check_bin_command(const struct xs_server *s, const char *cmd)
{
	static const char var[] = "$XPROTO_BIN/";
	char path[1024];
	for (const char *p = strstr(cmd, var); p; p = strstr(p + 1, var)) {
		const char *name = p + sizeof(var) - 1;
		size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                        "0123456789._-");
		snprintf(path, sizeof(path), "%s/%.*s", s->opt.bin_dir, (int)n, name);
		if (n > 0 && access(path, X_OK) < 0)
			return xs_log(s, XS_ERROR, "--bin %s: cannot run %s: %s", s->opt.bin_dir,
			              path, strerror(errno)),
			       -1;
	}
	return 0;
}

/* --bin is a folder holding the launcher and the apps listed. -1 (logged). */
static int check_bin(const struct xs_server *s)
{
	struct stat st;
	if (!s->opt.bin_dir) /* in-process servers (tests) launch from "." */
		return 0;
	if (stat(s->opt.bin_dir, &st) < 0)
		return xs_log(s, XS_ERROR, "--bin %s: %s", s->opt.bin_dir, strerror(errno)), -1;
	if (!S_ISDIR(st.st_mode))
		return xs_log(s, XS_ERROR, "--bin %s: not a folder", s->opt.bin_dir), -1;
	if (!s->opt.no_launcher && check_bin_command(s, "\"$XPROTO_BIN/xp-launcher\"") < 0)
		return -1;
	for (size_t i = 0; i < s->napps_known; i++)
		if (check_bin_command(s, s->apps[i].command) < 0)
			return -1;
	return 0;
}

int xs_launch_init(struct xs_server *s)
{
	s->apps = calloc(MAX_APPS, sizeof(*s->apps));
	if (!s->apps)
		return -1;
	if (s->opt.apps_file)
		return load_file(s, s->opt.apps_file) < 0 ? -1 : check_bin(s);
	memcpy(s->apps, builtin, sizeof(builtin));
	s->napps_known = sizeof(builtin) / sizeof(builtin[0]);
	/* any X program runs through the X bridge; offer xterm and a GTK
	 * program (yad, Debian's lightest: GTK itself comes with xpra) where
	 * they are */
	if (access("/usr/bin/xterm", X_OK) == 0)
		s->apps[s->napps_known++] =
		    (struct xs_app_entry){"xterm", "an X terminal (xterm, through the X bridge)",
		                          "exec \"$XPROTO_BIN/xp-x11\" -- xterm"};
	if (access("/usr/bin/yad", X_OK) == 0)
		s->apps[s->napps_known++] = (struct xs_app_entry){
		    "gtk-calendar", "a GTK program (yad's calendar, through the X bridge)",
		    "exec env NO_AT_BRIDGE=1 \"$XPROTO_BIN/xp-x11\" -- yad --calendar "
		    "--title='GTK calendar'"};
	return check_bin(s);
}

void xs_launch_finish(struct xs_server *s)
{
	free(s->apps);
	s->apps = NULL;
}

int xs_on_app_list(struct xs_peer *p, const struct xp_msg *m, struct xp_error *err)
{
	const struct xs_server *s = p->srv;
	struct xp_msg out = {.op = XP_OP_APP_ENTRY};
	(void)m;
	(void)err;
	if (s->napps_known == 0) { /* an empty list is one entry that names nothing */
		out.u.app_entry.flags = XP_APP_LAST | XP_APP_NONE;
		xs_peer_send(p, &out);
		return 0;
	}
	for (size_t i = 0; i < s->napps_known; i++) {
		out.u.app_entry = (struct xp_msg_app_entry){
		    (uint32_t)i, i + 1 == s->napps_known ? XP_APP_LAST : 0u,
		    xp_str_from(s->apps[i].name), xp_str_from(s->apps[i].about)};
		xs_peer_send(p, &out);
	}
	return 0;
}

static void child_exec(struct xs_server *s, struct xs_session *se, const char *cmd, int err_fd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setsid();
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0)
		dup2(null, 0);
	if (err_fd >= 0) { /* the server reads both: why an app failed is shown */
		dup2(err_fd, 1);
		dup2(err_fd, 2);
	}
	xs_display_child_env(s);
	setenv("XPROTO_COOKIE", s->cookie_path, 1);
	setenv("XPROTO_SESSION", se->name, 1);
	setenv("XPROTO_BIN", s->opt.bin_dir ? s->opt.bin_dir : ".", 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int xs_launch(struct xs_server *s, struct xs_session *se, const char *app, pid_t *pid,
              struct xp_error *err)
{
	const struct xs_app_entry *e = NULL;
	for (size_t i = 0; i < s->napps_known && !e; i++)
		if (!strcmp(s->apps[i].name, app))
			e = &s->apps[i];
	if (!e)
		return xp_error_set(err, XP_ERR_NO_APP, XP_OP_APP_LAUNCH, "no app named '%s'", app);
	if (xs_launch_command(s, se, e->command, pid, err) < 0)
		return -1;
	xs_log(s, XS_INFO, "launched %s (pid %d) in session '%s'", app, (int)*pid, se->name);
	struct xs_child *ch = xs_child_find(*pid);
	if (ch)
		xs_child_named(ch, app);
	xs_launcher_app_started(se);
	return 0;
}

int xs_launch_command(struct xs_server *s, struct xs_session *se, const char *cmd, pid_t *pid,
                      struct xp_error *err)
{
	int slot = -1;
	for (int i = 0; i < MAX_CHILDREN && slot < 0; i++)
		if (!children[i])
			slot = i;
	if (slot < 0)
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_APP_LAUNCH, "too many running apps");
	int pfd[2] = {-1, -1};
	if (pipe2(pfd, O_CLOEXEC) < 0) /* then it writes to our stderr, as before */
		pfd[0] = pfd[1] = -1;
	*pid = fork();
	if (*pid < 0) {
		xp_error_set(err, XP_ERR_INTERNAL, XP_OP_APP_LAUNCH, "fork: %s", strerror(errno));
		goto err_pipe;
	}
	if (*pid == 0)
		child_exec(s, se, cmd, pfd[1]);
	children[slot] = *pid;
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pfd[0] >= 0)
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	xs_child_add(s, se, *pid, pfd[0]);
	return 0;
err_pipe:
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	return -1;
}

void xs_launch_reap(struct xs_server *s)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_CHILDREN; i++)
			if (children[i] == pid)
				children[i] = 0;
		xs_child_exited(s, pid, status);
		if (WIFEXITED(status))
			xs_log(s, XS_INFO, "app pid %d exited with status %d", (int)pid,
			       WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			xs_log(s, XS_INFO, "app pid %d killed by signal %d", (int)pid,
			       WTERMSIG(status));
	}
}

/* Reap until no launched app is left, at most @tries times 10 ms. */
static void reap_for(struct xs_server *s, int tries)
{
	for (int t = 0; t < tries; t++) {
		int live = 0;
		xs_launch_reap(s);
		for (int i = 0; i < MAX_CHILDREN; i++)
			live += children[i] != 0;
		if (!live)
			return;
		usleep(10000);
	}
}

/*
 * SIGTERM every launched app's process group, reap (up to 1 s), then
 * SIGKILL what is left and reap that too (up to 5 s more: a killed process
 * takes a moment to go, longer on a loaded machine), so no app outlives the
 * server unreaped.
 */
void xs_launch_stop_all(struct xs_server *s)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i])
			kill(-children[i], SIGTERM);
	reap_for(s, 100);
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i])
			kill(-children[i], SIGKILL);
	reap_for(s, 500);
}
