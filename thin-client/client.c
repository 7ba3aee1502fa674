/*
 * client.c - creating and destroying a client, the accessors tests use, and
 * logging. A client starts with no remote state at all: the window table,
 * caches and drawing state fill up from the server after each connect.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "thin_int.h"

void tc_log(const struct tc_client *c, const char *fmt, ...)
{
	va_list ap;
	if (!c->opt.log)
		return;
	va_start(ap, fmt);
	fputs("thin-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void tc_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("thin-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int tc_fail(struct tc_client *c, enum xp_err_code code, unsigned op, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err.text, sizeof(c->err.text), fmt, ap);
	va_end(ap);
	c->err.code = code;
	c->err.about = (uint8_t)op;
	return -1;
}

static int load_cookie(struct tc_client *c)
{
	char buf[512];
	struct xp_error err;
	const char *path = c->opt.cookie_path;
	if (c->target.ssh && !path)
		return 0; /* the bridge on the server host presents that host's cookie */
	if (!path)
		path = xp_cookie_default_path(buf, sizeof(buf));
	if (!path || xp_cookie_load(path, false, &c->cookie, &err) < 0) {
		tc_warn("cookie %s: %s", path ? path : "(no path)", path ? err.text : "no home");
		return -1;
	}
	return 0;
}

/* Signals arrive through a signalfd so the poll loop sees them in order. */
static int open_signals(struct tc_client *c)
{
	static const int sigs[] = {SIGUSR1, SIGINT, SIGTERM};
	c->sigfd = xp_signal_fd(sigs, sizeof(sigs) / sizeof(sigs[0]));
	return c->sigfd < 0 ? -1 : 0;
}

static int open_presenter(struct tc_client *c, int *w, int *h)
{
	*w = c->opt.width;
	*h = c->opt.height;
	if (c->opt.headless) {
		if (*w <= 0 || *h <= 0) {
			*w = TC_DEFAULT_W;
			*h = TC_DEFAULT_H;
		}
		c->pres = tc_headless_create();
		return c->pres ? 0 : -1;
	}
	const char *display = getenv("DISPLAY");
	if (!display || !display[0]) {
		tc_warn("no X display: DISPLAY is not set (use --headless to run without one)");
		return -1;
	}
	c->pres = tc_x11_create(&c->opt, w, h);
	return c->pres ? 0 : -1;
}

/* Where c->addr leads; a session named twice, differently, is refused. */
static int set_target(struct tc_client *c)
{
	char err[300];
	if (tc_target_parse(c->addr, &c->target, err, sizeof(err)) < 0) {
		tc_warn("%s", err);
		return -1;
	}
	if (c->opt.session && c->target.session[0] && strcmp(c->opt.session, c->target.session)) {
		tc_warn("--session %s and %s name different sessions", c->opt.session, c->addr);
		return -1;
	}
	return 0;
}

struct tc_client *tc_client_create(const struct tc_options *o)
{
	struct tc_client *c = calloc(1, sizeof(*c));
	int w, h;
	if (!c)
		return NULL;
	c->opt = *o;
	c->sigfd = -1;
	c->wake[0] = c->wake[1] = -1;
	xp_conn_init(&c->conn, -1, XP_MAX_MSG_DEFAULT, true); /* not connected */
	c->backoff_ms = TC_BACKOFF_MIN_MS;
	snprintf(c->addr, sizeof(c->addr), "%s", o->addr ? o->addr : TC_DEFAULT_ADDR);
	if (set_target(c) < 0)
		goto err_client;
	c->script.s = o->script;
	xd_state_init(&c->ds);
	tc_cache_init(&c->cache, TC_CACHE_MAX_BYTES);
	signal(SIGPIPE, SIG_IGN); /* a closed socket is an error, not a signal */
	if (load_cookie(c) < 0 || open_presenter(c, &w, &h) < 0)
		goto err_client;
	if (tc_comp_init(&c->comp, w, h) < 0) {
		tc_warn("cannot allocate a %dx%d screen", w, h);
		goto err_client;
	}
	if (o->signals && open_signals(c) < 0)
		goto err_client;
	if (pipe2(c->wake, O_NONBLOCK | O_CLOEXEC) < 0)
		goto err_client;
	tc_title_update(c);
	return c;
err_client:
	tc_client_destroy(c);
	return NULL;
}

void tc_client_destroy(struct tc_client *c)
{
	if (!c)
		return;
	tc_disconnect(c, "client destroyed");
	tc_wintable_clear(&c->wins);
	tc_cache_clear(&c->cache);
	tc_comp_finish(&c->comp);
	if (c->pres)
		c->pres->ops->destroy(c->pres);
	if (c->sigfd >= 0)
		close(c->sigfd);
	for (int i = 0; i < 2; i++)
		if (c->wake[i] >= 0)
			close(c->wake[i]);
	free(c);
}

void tc_client_stop(struct tc_client *c)
{
	ssize_t r = write(c->wake[1], "q", 1);
	(void)r; /* a full pipe already holds a stop request */
}

const struct xr_fb *tc_screen(const struct tc_client *c)
{
	return &c->comp.screen;
}

const struct xr_fb *tc_window_fb(const struct tc_client *c, uint32_t id)
{
	const struct tc_win *w = tc_win_find(&c->wins, id);
	return w ? &w->fb : NULL;
}

size_t tc_window_count(const struct tc_client *c)
{
	return c->wins.n;
}

uint32_t tc_x11_window(const struct tc_client *c)
{
	return c->pres->ops->window ? c->pres->ops->window(c->pres) : 0;
}

const char *tc_last_error(const struct tc_client *c)
{
	return c->reason;
}

unsigned tc_connects(const struct tc_client *c)
{
	return c->connects;
}
