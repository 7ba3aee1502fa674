/*
 * clip_x11_test.c - xp-term through a real thin client on a real X desktop:
 * typing with real X key events (xdotool, XTEST: each press and release its
 * own event), and the clipboard across the link with real X selections. A
 * private Xvfb is the user's desktop, xclip and xdotool are programs on it,
 * a thin client in window mode bridges it with a session where xp-term runs
 * bash. The test drives xp-term as a second (raw protocol) client and
 * learns from it when a selection changed hands in the session. Text copied
 * with xclip is read back from what the shell received; text selected in
 * xp-term is read back with xclip -o. Both directions also with 1 MB (INCR),
 * 9 MiB cut to the 8 MiB limit, an owner that offers only STRING
 * (Latin-1), and a paste that waits while the session's selection changes
 * hands (the old owner's late answer is not kept for the new one).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "term_harness.h"
#include "xvfb.h"

#define CW 6
#define CH 13

static struct xvfb xvfb;
static struct th h;
static pid_t thin = -1, xclip_in = -1;

/* Start @argv with stdin from @in and stdout to @out (NULL: /dev/null),
 * stderr to @err (NULL: /dev/null). */
static pid_t spawn(const char *const *argv, const char *in, const char *out, const char *err)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int i = open(in ? in : "/dev/null", O_RDONLY);
	int o = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int e = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
	dup2(i, 0);
	dup2(o, 1);
	dup2(e, 2);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

static void stop_pid(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		proc_wait(*pid, 5000);
	}
	*pid = -1;
}

/* Thin clients that joined the session so far, from the server's log. */
static int joined(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(h.s.log, "r");
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "(thin-client) joined") != NULL;
	if (f)
		fclose(f);
	return n;
}

/* A thin client in window mode on the Xvfb (@viewer: read-only), a client
 * of the session; it watches the selections once it has joined. */
static pid_t start_client(bool viewer)
{
	char bin[256], log[300];
	const char *argv[] = {e2e_bin("thin-client", bin, sizeof(bin)),
	                      "--log",
	                      "--cookie",
	                      h.s.cookie,
	                      "--size",
	                      "800x600",
	                      viewer ? "--read-only" : h.s.addr,
	                      h.s.addr,
	                      NULL};
	int before = joined();
	snprintf(log, sizeof(log), "%s/thin%s.log", h.dir, viewer ? "-viewer" : "");
	if (!viewer)
		argv[7] = NULL;
	pid_t pid = spawn(argv, NULL, NULL, log);
	assert_true(pid > 0);
	uint64_t end = xp_now_us() + 15000000;
	while (joined() == before && xp_now_us() < end)
		th_pump(&h, 20);
	assert_true(joined() > before);
	return pid;
}

static void start_thin(void)
{
	thin = start_client(false);
}

static int setup(void **state)
{
	(void)state;
	if (xvfb_start(&xvfb, 1024, 768, 10000) < 0)
		return -1;
	if (th_start(&h, "--size 80x24 --scrollback 100000", NULL) < 0 ||
	    th_connect(&h, false) < 0 || th_launch(&h) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stop_pid(&xclip_in);
	stop_pid(&thin);
	th_stop(&h);
	xvfb_stop(&xvfb);
	return 0;
}

/* xclip holds @file (as @target, NULL: UTF8_STRING) in @selection. */
static void xclip_offer(const char *selection, const char *target, const char *file)
{
	const char *argv[12] = {"xclip", "-quiet", "-i", "-selection", selection};
	int n = 5;
	if (target) {
		argv[n++] = "-t";
		argv[n++] = target;
	}
	argv[n++] = file;
	argv[n] = NULL;
	stop_pid(&xclip_in);
	xclip_in = spawn(argv, NULL, NULL, NULL);
	assert_true(xclip_in > 0);
}

/* xclip -o of @selection, until it reads @want (len bytes), bounded. */
static bool xclip_reads(const char *selection, const char *want, size_t len, int timeout_ms)
{
	char out[300];
	const char *argv[] = {"timeout", "5", "xclip", "-o", "-selection", selection, NULL};
	uint64_t end = xp_now_us() + (uint64_t)timeout_ms * 1000;
	snprintf(out, sizeof(out), "%s/xclip.out", h.dir);
	do {
		th_pump(&h, 20);
		pid_t pid = spawn(argv, NULL, out, NULL);
		if (proc_wait(pid, 10000) == 0 && th_wait_file(out, want, len, 1))
			return true;
	} while (xp_now_us() < end);
	FILE *f = fopen(out, "rb");
	char got[64] = "";
	size_t n = f ? fread(got, 1, sizeof(got) - 1, f) : 0;
	if (f) {
		fseek(f, 0, SEEK_END);
		fprintf(stderr, "xclip -o %s: %ld bytes, '%.*s...', want %zu\n", selection,
		        ftell(f), (int)n, got, len);
		fclose(f);
	}
	return false;
}

static void write_file(const char *name, const char *data, size_t len, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", h.dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Dump until a line reads exactly @text; its row, or -1. */
static int find_line(const char *text)
{
	uint64_t end = xp_now_us() + 20000000;
	do {
		th_pump(&h, 20);
		if (th_dump(&h) < 0)
			return -1;
		for (int i = 0; i < h.nlines; i++)
			if (!strcmp(h.lines[i], text))
				return i;
	} while (xp_now_us() < end);
	return -1;
}

/* cat writes what the shell gets to @file; the tty without echo, so the
 * paste's lines arrive as typed lines (LF in the paste is CR, ICRNL). */
static void cat_to(const char *file)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "stty -echo; echo REA''DY; cat > %s/%s", h.dir, file);
	assert_int_equal(th_type(&h, cmd, true), 0);
	assert_true(th_wait_text(&h, "READY", 10000) >= 0);
}

static bool file_is(const char *file, const char *want, size_t len)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/%s", h.dir, file);
	return th_wait_file(path, want, len, 20000);
}

static void click(int button, int n, int col, int row)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(th_button(&h, button, true, col * CW + 2, row * CH + 2), 0);
		assert_int_equal(th_button(&h, button, false, col * CW + 2, row * CH + 2), 0);
	}
}

/* Copy on the desktop, paste in the remote shell; select there, paste here. */
static void test_both_ways(void **state)
{
	static const char text[] = "hello from X \xe2\x9c\x93 caf\xc3\xa9\n";
	char path[300];
	(void)state;
	start_thin();
	write_file("in.txt", text, sizeof(text) - 1, path, sizeof(path));
	xclip_offer("clipboard", NULL, path);
	/* the thin client saw xclip take CLIPBOARD and offered it to the session */
	assert_true(th_wait_clip_own(&h, XP_CLIP_CLIPBOARD, 1, 15000));
	cat_to("got");
	assert_int_equal(th_key(&h, 'V', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	assert_true(file_is("got", text, sizeof(text) - 1));
	/* a double click in xp-term: PRIMARY on the desktop */
	assert_int_equal(th_key(&h, 'd', XP_MOD_CONTROL, ""), 0);
	assert_int_equal(th_type(&h, "stty sane; clear; echo 'one two-three four'", true), 0);
	int row = find_line("one two-three four");
	assert_true(row >= 0);
	click(1, 2, 6, row);
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 1, 5000));
	assert_true(xclip_reads("primary", "two-three", 9, 15000));
	/* Ctrl+Shift+C: CLIPBOARD, taken from xclip */
	assert_int_equal(th_key(&h, 'C', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	assert_true(xclip_reads("clipboard", "two-three", 9, 15000));
}

/* 1 MB each way: INCR in X, 4000-byte chunks in the session. */
static void test_large(void **state)
{
	char path[300];
	size_t len = 0, cap = 1100000;
	char *big = malloc(cap);
	(void)state;
	assert_non_null(big);
	start_thin();
	for (int i = 0; len < 1000000; i++)
		len += (size_t)snprintf(
		    big + len, cap - len, "%06d %s\n", i,
		    "the quick brown fox jumps over the lazy dog, again and again");
	write_file("big.txt", big, len, path, sizeof(path));
	xclip_offer("clipboard", NULL, path);
	assert_true(th_wait_clip_own(&h, XP_CLIP_CLIPBOARD, 1, 15000));
	cat_to("got");
	assert_int_equal(th_key(&h, 'V', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	assert_true(file_is("got", big, len));
	assert_int_equal(th_key(&h, 'd', XP_MOD_CONTROL, ""), 0);
	/* 60,000 lines selected in xp-term: top of the scrollback to the end */
	assert_int_equal(th_type(&h, "seq 1 60000", true), 0);
	assert_true(find_line("60000") >= 0);
	for (int i = 0; i < 2600; i++)
		assert_int_equal(th_key(&h, 0xff55, XP_MOD_SHIFT, ""), 0);
	int row = find_line("1");
	assert_true(row >= 0);
	click(1, 3, 0, row); /* triple: the line "1" */
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 1, 5000));
	for (int i = 0; i < 2600; i++)
		assert_int_equal(th_key(&h, 0xff56, XP_MOD_SHIFT, ""), 0);
	row = find_line("60000");
	assert_true(row >= 0);
	click(3, 1, 0, row); /* extend to "60000" */
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 2, 5000));
	len = 0;
	for (int i = 1; i <= 60000; i++)
		len += (size_t)snprintf(big + len, cap - len, i < 60000 ? "%d\n" : "%d", i);
	assert_true(xclip_reads("primary", big, len, 30000));
	free(big);
}

/* A desktop selection above the limit (9 MiB): the session gets its first
 * XP_CLIP_MAX bytes, flagged truncated, and nothing more. */
static void test_oversized_cut(void **state)
{
	char path[300];
	size_t len = 9u << 20;
	char *big = malloc(len);
	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	start_thin();
	write_file("huge.txt", big, len, path, sizeof(path));
	xclip_offer("clipboard", NULL, path);
	assert_true(th_wait_clip_own(&h, XP_CLIP_CLIPBOARD, 1, 15000));
	assert_int_equal(th_clip_request(&h, XP_CLIP_CLIPBOARD), 0);
	uint64_t end = xp_now_us() + 60000000;
	while (!(h.got_flags & XP_CLIP_LAST) && xp_now_us() < end)
		th_pump(&h, 50);
	assert_true(h.got_flags & XP_CLIP_LAST);
	assert_true(h.got_flags & XP_CLIP_TRUNCATED);
	assert_false(h.got_flags & XP_CLIP_FAILED);
	assert_int_equal(h.got_len, XP_CLIP_MAX);
	assert_memory_equal(h.got, big, XP_CLIP_MAX);
	free(big);
}

/* An owner that offers only STRING: Latin-1, pasted as UTF-8. */
static void test_string_only(void **state)
{
	char path[300];
	(void)state;
	start_thin();
	write_file("latin1.txt", "caf\xe9 \xbd\n", 7, path, sizeof(path));
	xclip_offer("primary", "STRING", path);
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 1, 15000));
	cat_to("got");
	assert_int_equal(th_key(&h, 0xff63, XP_MOD_SHIFT, ""), 0); /* Shift+Insert */
	assert_true(file_is("got", "caf\xc3\xa9 \xc2\xbd\n", 9));
}

/* Attaching takes the session's selections only where the desktop has none. */
static void test_attach_keeps_local(void **state)
{
	char path[300];
	(void)state;
	assert_int_equal(th_type(&h, "clear; echo session-word", true), 0);
	int row = find_line("session-word");
	assert_true(row >= 0);

	click(1, 2, 2, row);
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 1, 5000));
	assert_int_equal(th_key(&h, 'C', XP_MOD_CONTROL | XP_MOD_SHIFT, ""), 0);
	write_file("local.txt", "local-text", 10, path, sizeof(path));
	xclip_offer("primary", NULL, path);
	start_thin();
	/* CLIPBOARD was free on the desktop: it is the session's now ... */
	assert_true(xclip_reads("clipboard", "session-word", 12, 15000));
	/* ... and PRIMARY, owned by xclip, was left alone */
	assert_true(xclip_reads("primary", "local-text", 10, 5000));
}

/* Two clients of one session on one desktop (a viewer beside the user's
 * window): each shows the session's selection, neither offers the other's
 * back, so nothing goes round in circles. */
static void test_two_clients_one_desktop(void **state)
{
	(void)state;
	start_thin();
	pid_t viewer = start_client(true);
	assert_int_equal(th_type(&h, "clear; echo circle-word", true), 0);
	int row = find_line("circle-word");
	assert_true(row >= 0);
	click(1, 2, 2, row);
	assert_true(th_wait_clip_own(&h, XP_CLIP_PRIMARY, 1, 5000));
	assert_true(xclip_reads("primary", "circle-word", 11, 15000));
	/* a second of traffic: no client offers the selection back */
	th_pump(&h, 1000);
	assert_int_equal(h.clip_own[XP_CLIP_PRIMARY], 1);
	assert_true(xclip_reads("primary", "circle-word", 11, 5000));
	stop_pid(&viewer);
}

struct child {
	pid_t pid;
	int status;
};

/* True once @arg's child ended (its status kept); the session is read
 * meanwhile, so the test's client keeps answering the server's MARKs. */
static bool child_ended(void *arg)
{
	struct child *c = arg;
	int st;
	th_pump(&h, 20);
	if (waitpid(c->pid, &st, WNOHANG) != c->pid)
		return false;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return true;
}

struct paste_try {
	struct child c;
	const char *const *argv;
	const char *out;
};

/* proc_until: the test's client holds a CLIP_REQUEST (the session is read
 * meanwhile); an xclip -o that ended first, before the thin client took the
 * selection, is started again. */
static bool asked_once(void *arg)
{
	struct paste_try *p = arg;
	int st;
	th_pump(&h, 20);
	if (h.nheld > 0)
		return true;
	if (waitpid(p->c.pid, &st, WNOHANG) == p->c.pid)
		p->c.pid = spawn(p->argv, NULL, p->out, NULL);
	return false;
}

/*
 * The session's selection changes hands while a paste from the desktop waits
 * for the old owner: that paste is refused, and the old owner's late answer
 * is not kept for the new one (it was: later pastes got the old text, from
 * the cache).
 */
static void test_owner_change_drops_pending_paste(void **state)
{
	char out[300], log[300];
	/* TEXT: a refused xclip does not ask again (it would for UTF8_STRING) */
	const char *argv[] = {"timeout",   "10", "xclip", "-o", "-selection",
	                      "clipboard", "-t", "TEXT",  NULL};
	(void)state;
	start_thin();
	h.answer = "old-owner";
	h.answer_len = 9;
	h.hold = true;
	assert_int_equal(th_clip_own(&h, XP_CLIP_CLIPBOARD, 0), 0);
	/* a paste on the desktop: the thin client asks the session, we hold it */
	snprintf(out, sizeof(out), "%s/xclip.out", h.dir);
	struct paste_try paste = {{spawn(argv, NULL, out, NULL), -1}, argv, out};
	assert_true(proc_until(asked_once, &paste, 15000));
	/* a new owner (ours again, new data), then the old owner's late answer */
	assert_int_equal(th_clip_own(&h, XP_CLIP_CLIPBOARD, 0), 0);
	assert_int_equal(th_clip_answer_held(&h), 0);
	h.answer = "new-owner";
	h.hold = false;
	assert_true(proc_until(child_ended, &paste.c, 30000));
	assert_false(th_wait_file(out, "old-owner", 9, 0)); /* refused when the owner changed */
	snprintf(log, sizeof(log), "%s/thin.log", h.dir);
	assert_true(proc_wait_line(log, "<- CLIP_DATA", NULL, 0, 15000)); /* the late answer */
	assert_true(xclip_reads("clipboard", "new-owner", 9, 15000));
}

/* xdotool @args on the Xvfb (XTEST events), waited for. */
static void xdotool(const char *const *args)
{
	const char *argv[16] = {"timeout", "20", "xdotool"};
	int n = 3;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	struct child c = {spawn(argv, NULL, NULL, NULL), -1};
	assert_true(c.pid > 0);
	assert_true(proc_until(child_ended, &c, 30000));
	assert_int_equal(c.status, 0);
}

/* Keys pressed on the user's keyboard reach the remote shell: letters,
 * shifted symbols, Ctrl+U (erase the line) and Return, as xterm sends them. */
static void test_typing_real_keys(void **state)
{
	(void)state;
	if (system("command -v xdotool >/dev/null") != 0)
		skip();
	start_thin();
	xdotool((const char *[]){"search", "--sync", "--class", "thin-client", "windowfocus",
	                         "--sync", NULL});
	xdotool((const char *[]){"type", "--delay", "5", "rm -rf /nothing-here", NULL});
	xdotool((const char *[]){"key", "ctrl+u", NULL});
	xdotool((const char *[]){"type", "--delay", "5", "echo \"Typed: $((6*7))_A~|\"", NULL});
	xdotool((const char *[]){"key", "Return", NULL});
	if (find_line("Typed: 42_A~|") < 0) {
		for (int i = 0; i < h.nlines; i++) /* what the terminal shows instead */
			fprintf(stderr, "xp-term row %d: %s\n", i, h.lines[i]);
		fail_msg("the typed command did not run");
	}
	assert_true(find_line("$ echo \"Typed: $((6*7))_A~|\"") >= 0);
	assert_true(h.connected); /* the server kept the test's client */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_both_ways, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oversized_cut, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_string_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attach_keeps_local, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_clients_one_desktop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_owner_change_drops_pending_paste, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_typing_real_keys, setup, teardown),

	};
	if (!xvfb_available()) {
		printf("Xvfb not installed: skipping the clipboard tests\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
