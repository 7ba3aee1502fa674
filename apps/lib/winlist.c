/*
 * winlist.c - the session's windows, for apps that show or arrange them
 * (the launcher's window list): WIN_LIST answered by WIN_ENTRY messages,
 * WIN_ARRANGE, and WIN_PARENT for an app's own dialogs (SPEC.md section
 * 12). xa_collect() waits for a list answer, this one or the app list,
 * queueing the other events.
 */
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"
#include "xputil.h"

#define XA_WINDOWS_MAX 4096 /* a server listing more is not believed */

/* One more slot of @size bytes at the end of *@list; NULL when out of memory. */
static void *grow(void **list, size_t *n, size_t *cap, size_t size)
{
	if (xu_array_reserve(list, cap, *n + 1, size) < 0)
		return NULL;
	return (char *)*list + (*n)++ * size;
}

/* Entry @m into the list. Returns 1 after the last one, 0 when more are to
 * come, -1 for an entry out of order, too many, or no memory. */
static int add_entry(struct xa_display *d, const struct xp_msg *m, size_t size, size_t max,
                     xa_fill_fn fill, void **list, size_t *n, size_t *cap)
{
	/* APP_ENTRY and WIN_ENTRY begin alike: index, flags (LAST 1, NONE 2) */
	uint32_t index = m->u.app_entry.index, flags = m->u.app_entry.flags;
	void *slot;
	if ((flags & XP_LIST_NONE) && *n == 0)
		return 1;
	if ((flags & XP_LIST_NONE) || index != *n || *n >= max)
		return xp_error_set(&d->server_error, XP_ERR_MALFORMED, m->op,
		                    "%s %u out of order or beyond %zu", xp_op_name(m->op), index,
		                    max);
	if (!(slot = grow(list, n, cap, size)))
		return xp_error_set(&d->server_error, XP_ERR_INTERNAL, 0, "out of memory");
	fill(m, slot);
	return (flags & XP_LIST_LAST) ? 1 : 0;
}

int xa_collect(struct xa_display *d, uint8_t req_op, uint8_t entry_op, size_t size, size_t max,
               xa_fill_fn fill, void **list, size_t *n, int timeout_ms)
{
	struct xp_msg m = {.op = req_op}, in; /* APP_LIST, WIN_LIST: flags 0 */
	size_t cap = 0;
	int r = 0;
	*list = NULL;
	*n = 0;
	if (xa_send(d, &m) < 0 || xa_flush(d) < 0)
		return -1;
	uint64_t deadline = xp_now_us() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000;
	while (r == 0 && xp_now_us() < deadline) {
		int w = xp_conn_wait(&d->conn, &in, xp_ms_until(deadline));
		if (w < 0)
			r = -1;
		else if (w > 0 && in.op == entry_op)
			r = add_entry(d, &in, size, max, fill, list, n, &cap);
		else if (w > 0)
			xa_take(d, &in, 0);
	}
	if (r == 1)
		return 0;
	if (r == 0)
		xp_error_set(&d->server_error, XP_ERR_TIMEOUT, req_op, "no answer to %s in time",
		             xp_op_name(req_op));
	free(*list);
	*list = NULL;
	*n = 0;
	return -1;
}

static void fill_window(const struct xp_msg *m, void *slot)
{
	const struct xp_msg_win_entry *e = &m->u.win_entry;
	struct xa_window_info *w = slot;
	size_t len = xp_utf8_fit(e->title.p, e->title.n, sizeof(w->title) - 1);
	w->id = e->win;
	w->state = e->state;
	memcpy(w->title, e->title.p, len);
	w->title[len] = '\0';
}

int xa_window_list(struct xa_display *d, struct xa_window_info **list, size_t *n, int timeout_ms)
{
	void *v;
	int r = xa_collect(d, XP_OP_WIN_LIST, XP_OP_WIN_ENTRY, sizeof(**list), XA_WINDOWS_MAX,
	                   fill_window, &v, n, timeout_ms);
	*list = v;
	return r;
}

int xa_window_arrange(struct xa_display *d, uint32_t win, uint32_t action, int32_t x, int32_t y,
                      uint32_t w, uint32_t h)
{
	struct xp_msg m = {.op = XP_OP_WIN_ARRANGE};
	m.u.win_arrange = (struct xp_msg_win_arrange){win, action, x, y, w, h};
	return xa_send(d, &m);
}

int xa_window_parent(struct xa_display *d, uint32_t win, uint32_t parent)
{
	struct xp_msg m = {.op = XP_OP_WIN_PARENT};
	m.u.win_parent = (struct xp_msg_win_parent){win, parent};
	return xa_send(d, &m);
}
