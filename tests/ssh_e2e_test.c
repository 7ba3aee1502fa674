/*
 * ssh_e2e_test.c - thin-client ssh://HOST:N, end to end (issue 12, item 8),
 * against a real OpenSSH sshd started here on a free loopback port, with a
 * throwaway host key and user key, a known_hosts of its own and strict
 * host key checking: a whole session through the user's ssh and
 * xp-ssh-bridge (whose cookie stays on the server side: the client's home
 * has none) looks exactly like the same session seen directly; --list works
 * through it; after the ssh process is killed, --reconnect runs ssh again
 * and shows the session again; and every failure (no server on the
 * display, no bridge on the server, an unknown host) ends with status 1
 * and a message saying what went wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define T_MS 30000 /* far above a slow run; a condition ends it sooner */

struct sshd {
	pid_t pid;
	int port;
	char dir[64];      /* keys, configs, the client's home */
	char env_ssh[256]; /* XPROTO_SSH=ssh -F DIR/ssh_config */
	char env_home[96]; /* HOME=DIR/home: no cookie, no ~/.ssh */
};

static struct sshd sshd;

/* Run shell command @cmd; true if it exited 0. */
static bool sh(const char *cmd)
{
	return system(cmd) == 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A port nobody listens on now (sshd may still lose it: then we try again). */
static int free_port(void)
{
	struct xp_error err;
	int port, fd = xp_net_listen_tcp("127.0.0.1:0", XP_NET_CLOEXEC, &port, &err);
	assert_true(fd >= 0);
	close(fd);
	return port;
}

static void write_sshd_config(const struct sshd *d)
{
	char path[128], text[1024];
	snprintf(path, sizeof(path), "%s/sshd_config", d->dir);
	snprintf(text, sizeof(text),
	         "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_key\nPidFile none\n"
	         "AuthorizedKeysFile %s/authorized_keys\nStrictModes no\nUsePAM no\n"
	         "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
	         "PermitRootLogin prohibit-password\nLogLevel ERROR\n",
	         d->port, d->dir, d->dir);
	write_file(path, text);
}

static void write_ssh_config(const struct sshd *d)
{
	char path[128], text[1024], known[256];
	const struct passwd *pw = getpwuid(getuid());
	assert_non_null(pw);
	snprintf(path, sizeof(path), "%s/ssh_config", d->dir);
	snprintf(text, sizeof(text),
	         "Host xptest\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
	         "  IdentityFile %s/id_key\n  IdentitiesOnly yes\n"
	         "  UserKnownHostsFile %s/known_hosts\n  GlobalKnownHostsFile /dev/null\n"
	         "  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n",
	         d->port, pw->pw_name, d->dir, d->dir);
	write_file(path, text);
	/* the host key, known in advance: nothing is accepted blindly */
	snprintf(known, sizeof(known),
	         "(printf '[127.0.0.1]:%d '; cut -d' ' -f1,2 %s/host_key.pub) > %s/known_hosts",
	         d->port, d->dir, d->dir);
	assert_true(sh(known));
}

struct sshd_up {
	const char *addr;
	pid_t pid;
	bool up, gone;
};

/* proc_until: @arg's sshd accepts a connection, or it has ended. */
static bool sshd_listens(void *arg)
{
	struct sshd_up *u = arg;
	struct xp_error err;
	int fd = xp_net_connect(u->addr, XP_NET_CLOEXEC, &err);
	if (fd >= 0) {
		close(fd);
		u->up = true;
	}
	/* it ended when it could not listen: the port went to someone else */
	u->gone = !u->up && waitpid(u->pid, NULL, WNOHANG) == u->pid;
	return u->up || u->gone;
}

/* Start sshd on @d->port; true once it accepts connections. */
static bool start_sshd(struct sshd *d)
{
	char conf[128], log[128];
	char addr[32];
	snprintf(conf, sizeof(conf), "%s/sshd_config", d->dir);
	snprintf(log, sizeof(log), "%s/sshd.log", d->dir);
	d->pid = fork();
	if (d->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 2);
		execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-e", "-f", conf, (char *)NULL);
		_exit(127);
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", d->port);
	struct sshd_up u = {addr, d->pid, false, false};
	proc_until(sshd_listens, &u, T_MS);
	return u.up;
}

static int setup(void **state)
{
	char cmd[512];
	(void)state;
	if (access("/usr/sbin/sshd", X_OK) < 0) {
		fprintf(stderr, "sshd is missing (tools/deps.sh installs openssh-server)\n");
		return -1;
	}
	/* Debian's sshd wants its privilege separation directory, which the
	 * service creates at boot; as root we make it, as the service would */
	if (access("/run/sshd", F_OK) < 0 && mkdir("/run/sshd", 0755) < 0) {
		fprintf(stderr, "sshd needs /run/sshd: %s\n", strerror(errno));
		return -1;
	}
	snprintf(sshd.dir, sizeof(sshd.dir), "/tmp/xproto-ssh-XXXXXX");
	assert_non_null(mkdtemp(sshd.dir));
	snprintf(cmd, sizeof(cmd),
	         "cd %s && ssh-keygen -q -t ed25519 -N '' -f host_key && "
	         "ssh-keygen -q -t ed25519 -N '' -f id_key && cp id_key.pub authorized_keys && "
	         "mkdir home",
	         sshd.dir);
	assert_true(sh(cmd));
	for (int i = 0; i < 5; i++) {
		sshd.port = free_port();
		write_sshd_config(&sshd);
		if (start_sshd(&sshd))
			break;
		sshd.pid = 0;
	}
	assert_true(sshd.pid > 0);
	write_ssh_config(&sshd);
	snprintf(sshd.env_ssh, sizeof(sshd.env_ssh), "XPROTO_SSH=ssh -F %s/ssh_config", sshd.dir);
	snprintf(sshd.env_home, sizeof(sshd.env_home), "HOME=%s/home", sshd.dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	if (sshd.pid > 0) {
		kill(sshd.pid, SIGTERM);
		proc_wait(sshd.pid, 5000);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sshd.dir);
	return sh(cmd) ? 0 : -1;
}

/* "XPROTO_SSH_BRIDGE=/abs/bin/xp-ssh-bridge --cookie COOKIE" for server @s. */
static void bridge_env(const struct e2e_server *s, char *out, size_t cap)
{
	char bin[256], cwd[512];
	e2e_bin("xp-ssh-bridge", bin, sizeof(bin));
	snprintf(out, cap, "XPROTO_SSH_BRIDGE=%s%s%s --cookie %s",
	         bin[0] == '/' ? "" : getcwd(cwd, sizeof(cwd)), bin[0] == '/' ? "" : "/", bin,
	         s->cookie);
}

/* Start thin-client @args with the ssh environment (and @bridge), output to @log. */
static pid_t spawn(const char *const *args, const char *bridge, const char *log)
{
	char bin[256];
	const char *argv[20] = {e2e_bin("thin-client", bin, sizeof(bin))};
	for (int i = 0; i < 18 && args[i]; i++)
		argv[i + 1] = args[i];
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed test leaves no client behind */
		dup2(fd, 1);
		dup2(fd, 2);
		putenv(sshd.env_ssh);
		putenv(sshd.env_home);
		putenv((char *)bridge);
		unsetenv("XPROTO_COOKIE");
		unsetenv("XPROTO_DISPLAY");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Run as spawn() and wait; the exit status, the output in @out. */
static int run(const char *const *args, const char *bridge, const char *log, char *out, size_t cap)
{
	int status = proc_wait(spawn(args, bridge, log), T_MS);
	FILE *f = fopen(log, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	return status;
}

/* True once file @path has a line containing @text (bounded by @ms). */
static bool file_has(const char *path, const char *text, int ms)
{
	return proc_wait_line(path, text, NULL, 0, ms);
}

/* An app with a window of known content in session "main" of @s. */
static struct xa_display *scene(struct e2e_server *s)
{
	struct xa_display *d = e2e_app(s, "main");
	assert_non_null(d);
	uint32_t w = xa_window_create(d, 40, 30, 300, 120, 0, 0x224466);
	xa_fill(d, w, 10, 10, 100, 40, 0xffcc00);
	xa_text(d, w, 20, 70, "through ssh", 11, 0, 0xffffff, 0x224466);
	xa_window_map(d, w);
	assert_int_equal(xa_sync(d, T_MS), 0);
	return d;
}

/* A direct headless screenshot of @s into @png. */
static void direct_shot(struct e2e_server *s, const char *png)
{
	char script[256];
	snprintf(script, sizeof(script), "wait-windows 1\nsync\nscreenshot %s\nquit\n", png);
	assert_int_equal(proc_wait(e2e_client_spawn(s, script, NULL), T_MS), 0);
}

static bool same_png(const char *a, const char *b)
{
	struct xr_fb fa, fb;
	assert_int_equal(xr_png_read_file(a, &fa), 0);
	assert_int_equal(xr_png_read_file(b, &fb), 0);
	bool same = fa.w == fb.w && fa.h == fb.h && e2e_fb_region_equal(&fa, &fb, fa.w, fa.h);
	xr_fb_finish(&fa);
	xr_fb_finish(&fb);
	return same;
}

struct session_shot {
	struct e2e_server *s;
	pid_t pid;
	const char *shot;
};

/* proc_until: a fresh --screenshot of @arg's client equals a direct one. */
static bool shot_is_direct(void *arg)
{
	struct session_shot *ss = arg;
	char direct[160];
	snprintf(direct, sizeof(direct), "%s/direct.png", ss->s->dir);
	unlink(ss->shot);
	kill(ss->pid, SIGUSR1);
	if (!proc_wait_file(ss->shot, 5000))
		return false;
	direct_shot(ss->s, direct);
	return same_png(ss->shot, direct);
}

/* SIGUSR1 @pid until its --screenshot @shot equals a direct screenshot of @s. */
static bool shows_the_session(struct e2e_server *s, pid_t pid, const char *shot)
{
	struct session_shot ss = {s, pid, shot};
	return proc_until(shot_is_direct, &ss, T_MS);
}

/* A terminal app running bash with prompt "$ ". */
static void write_apps(const char *path)
{
	char bin[256], cwd[512], text[1024];
	e2e_bin("xp-term", bin, sizeof(bin));
	snprintf(
	    text, sizeof(text),
	    "terminal | t | exec env PS1='$ ' %s%s%s --dump %s.txt -e bash --norc --noprofile\n",
	    bin[0] == '/' ? "" : getcwd(cwd, sizeof(cwd)), bin[0] == '/' ? "" : "/", bin, path);
	write_file(path, text);
}

struct term_line {
	pid_t pid;
	const char *path;
	int row;
	const char *want;
};

/* proc_until: a fresh dump of @arg's terminal shows want on line row. */
static bool line_is(void *arg)
{
	const struct term_line *t = arg;
	char line[256] = "";
	unlink(t->path);
	kill(t->pid, SIGUSR1);
	bool whole = proc_wait_file(t->path, 5000);
	int n = 0;
	FILE *f = whole ? fopen(t->path, "r") : NULL;
	while (f && fgets(line, sizeof(line), f) && n++ < t->row)
		;
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return n == t->row + 1 && !strcmp(line, t->want);
}

/* True once terminal @pid (dumping to @path) shows @want on line @row. */
static bool term_shows(pid_t pid, const char *path, int row, const char *want)
{
	struct term_line t = {pid, path, row, want};
	return proc_until(line_is, &t, T_MS);
}

/* A whole session through ssh: an app's window, a terminal launched and typed
 * into; the picture is the one a direct client gets. */
static void test_session_through_ssh_equals_direct(void **state)
{
	(void)state;
	struct e2e_server s;
	char bridge[600], url[64], script[160], shot[160], log[160], out[8192];
	char apps[64];
	snprintf(apps, sizeof(apps), "/tmp/xproto-ssh-apps-%d", (int)getpid());
	write_apps(apps);
	assert_int_equal(
	    e2e_display_start(&s, (const char *const[]){"--no-launcher", "--apps", apps, NULL}), 0);
	struct xa_display *d = scene(&s);
	bridge_env(&s, bridge, sizeof(bridge));
	snprintf(url, sizeof(url), "ssh://xptest:%d", s.display);
	snprintf(shot, sizeof(shot), "%s/ssh.png", s.dir);
	snprintf(log, sizeof(log), "%s/ssh-client.log", s.dir);
	snprintf(script, sizeof(script), "%s/script", s.dir);
	write_file(script, "wait-windows 1\nlaunch terminal\nwait-windows 2\n"
	                   "type echo over-ssh\nkey Return\nwait 600000\n");
	const char *args[] = {"--headless", "--script", script, "--screenshot", shot, url, NULL};
	pid_t c = spawn(args, bridge, log);
	assert_true(file_has(s.log, "app terminal (pid", T_MS));
	assert_true(file_has(s.log, "showed its first window", T_MS));
	char dump[96];
	snprintf(dump, sizeof(dump), "%s.txt", apps);
	assert_true(term_shows(e2e_launched_pid(&s, "terminal"), dump, 1, "over-ssh"));
	if (!shows_the_session(&s, c, shot))
		fail_msg("the session through ssh does not look like the direct one (see %s)", log);
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, T_MS), 0);
	/* the list, through ssh too; what ssh costs a connection, as a figure */
	const char *list[] = {"--list", url, NULL};
	uint64_t t0 = xp_now_us();
	assert_int_equal(run(list, bridge, log, out, sizeof(out)), 0);
	uint64_t t1 = xp_now_us();
	assert_non_null(strstr(out, "main "));
	const char *direct[] = {"--cookie", s.cookie, "--list", s.addr, NULL};
	assert_int_equal(run(direct, bridge, log, out, sizeof(out)), 0);
	printf("    thin-client --list: %.0f ms through ssh (key exchange included), %.0f ms "
	       "direct\n",
	       (double)(t1 - t0) / 1000, (double)(xp_now_us() - t1) / 1000);
	xa_close(d);
	e2e_server_stop(&s);
	unlink(apps);
	unlink(dump);
}

/* True if process @pid runs the program named @comm. */
static bool runs(pid_t pid, const char *comm)
{
	char path[64], buf[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
	return !strcmp(buf, comm);
}

/* The ssh process thin-client @pid runs now, or 0. */
static pid_t ssh_child(pid_t pid)
{
	char path[64], buf[256], *save = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (runs((pid_t)atoi(w), "ssh"))
			return (pid_t)atoi(w);
	return 0;
}

/* Fail, showing what the client said in @log. */
static void fail_with_log(const char *what, const char *log)
{
	static char text[8192];
	FILE *f = fopen(log, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	fail_msg("%s; the client's log:\n%s", what, text);
}

static void test_reconnect_runs_ssh_again(void **state)
{
	(void)state;
	struct e2e_server s;
	char bridge[600], url[64], shot[160], log[160], script[160];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	struct xa_display *d = scene(&s);
	bridge_env(&s, bridge, sizeof(bridge));
	snprintf(url, sizeof(url), "ssh://xptest:%d/main", s.display);
	snprintf(shot, sizeof(shot), "%s/ssh.png", s.dir);
	snprintf(log, sizeof(log), "%s/ssh-client.log", s.dir);
	snprintf(script, sizeof(script), "%s/script", s.dir);
	/* the checkpoint: the client has its session (its PING was answered) */
	write_file(script, "sync\ncheckpoint connected\nwait 600000\n");
	const char *args[] = {"--headless",   "--reconnect", "--script", script,
	                      "--screenshot", shot,          url,        NULL};
	pid_t c = spawn(args, bridge, log);
	/* connected on both sides: the server has the client, the client its
	 * session (killing ssh before the client had the WELCOME would be a
	 * failed connect, not a lost connection) */
	assert_true(file_has(s.log, "(thin-client) joined session 'main'", T_MS));
	if (!file_has(log, "checkpoint connected ", T_MS))
		fail_with_log("the client did not get its session", log);
	pid_t first = ssh_child(c);
	assert_true(first > 0);
	kill(first, SIGKILL);
	if (!file_has(log, "connection lost", T_MS))
		fail_with_log("no 'connection lost' after ssh was killed", log);
	if (!file_has(log, "reconnected to ssh://xptest", T_MS))
		fail_with_log("no reconnect after ssh was killed", log);
	pid_t second = ssh_child(c);
	assert_true(second > 0 && second != first);
	/* after the reconnect the picture is the session's again */
	assert_true(shows_the_session(&s, c, shot));
	kill(c, SIGTERM);
	assert_int_equal(proc_wait(c, T_MS), 0);
	xa_close(d);
	e2e_server_stop(&s);
}

/* A display after @n with no server now: no socket, nothing on its port
 * (other tests on this machine start servers on displays too). */
static int unserved_display(int n)
{
	char sock[128], addr[32];
	struct xp_error err;
	for (int k = n + 1; k < n + 200; k++) {
		int d = 100 + k % 800, fd;
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", 7100 + d);
		if (!xp_display_socket(d, sock, sizeof(sock)) || access(sock, F_OK) == 0)
			continue;
		if ((fd = xp_net_connect(addr, XP_NET_CLOEXEC, &err)) >= 0) {
			close(fd);
			continue;
		}
		return d;
	}
	fail_msg("no display without a server near :%d", n);
	return -1;
}

static void test_failures_say_what_went_wrong(void **state)
{
	(void)state;
	struct e2e_server s;
	char bridge[600], url[64], log[160], out[8192];
	assert_int_equal(e2e_display_start(&s, (const char *const[]){"--no-launcher", NULL}), 0);
	bridge_env(&s, bridge, sizeof(bridge));
	snprintf(log, sizeof(log), "%s/ssh-client.log", s.dir);
	/* a display with no server on the ssh host */
	snprintf(url, sizeof(url), "ssh://xptest:%d", unserved_display(s.display));
	assert_int_equal(
	    run((const char *const[]){"--list", url, NULL}, bridge, log, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "no xproto server on display :"));
	const char *head[] = {"--headless", url, NULL};
	assert_int_equal(run(head, bridge, log, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "server refused: no xproto server on display"));
	/* no bridge on the ssh host */
	snprintf(url, sizeof(url), "ssh://xptest:%d", s.display);
	assert_int_equal(run((const char *const[]){"--list", url, NULL},
	                     "XPROTO_SSH_BRIDGE=/nonexistent/xp-ssh-bridge", log, out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "ssh exited with status 127"));
	/* a host ssh does not know */
	assert_int_equal(run((const char *const[]){"--list", "ssh://no-such-host.invalid:1", NULL},
	                     bridge, log, out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "ssh exited with status 255"));
	/* a bad URL is a usage error */
	assert_int_equal(run((const char *const[]){"--list", "ssh://-oProxyCommand=x", NULL},
	                     bridge, log, out, sizeof(out)),
	                 2);
	e2e_server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session_through_ssh_equals_direct),
	    cmocka_unit_test(test_reconnect_runs_ssh_again),
	    cmocka_unit_test(test_failures_say_what_went_wrong),
	};
	return cmocka_run_group_tests_name("thin-client ssh://", tests, setup, teardown);
}
