/*
 * winlist.c - the session's windows, for apps that show or arrange them
 * (the launcher's window list): WIN_LIST answered by WIN_ENTRY messages,
 * WIN_ARRANGE, and WIN_PARENT for an app's own dialogs (SPEC.md section
 * 12). A list is waited for like the app list: other events are queued.
 */
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"

#define XA_WINDOWS_MAX 4096 /* a server listing more is not believed */

/* Append entry @e to *@list. Returns 1 after the last entry, 0 when more
 * are to come, -1 for an entry out of order or too many. */
static int add_window(struct xa_display *d, const struct xp_msg_win_entry *e,
                      struct xa_window_info **list, size_t *n, size_t *cap)
{
	if ((e->flags & XP_LIST_NONE) && *n == 0)
		return 1;
	if ((e->flags & XP_LIST_NONE) || e->index != *n || *n >= XA_WINDOWS_MAX)
		return xp_error_set(&d->server_error, XP_ERR_MALFORMED, XP_OP_WIN_ENTRY,
		                    "WIN_ENTRY %u out of order or beyond %d", e->index,
		                    XA_WINDOWS_MAX);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct xa_window_info *p = realloc(*list, ncap * sizeof(**list));
		if (!p)
			return xp_error_set(&d->server_error, XP_ERR_INTERNAL, 0, "out of memory");
		*list = p;
		*cap = ncap;
	}
	struct xa_window_info *w = &(*list)[*n];
	size_t len = xp_utf8_fit(e->title.p, e->title.n, sizeof(w->title) - 1);
	w->id = e->win;
	w->state = e->state;
	memcpy(w->title, e->title.p, len);
	w->title[len] = '\0';
	(*n)++;
	return (e->flags & XP_LIST_LAST) ? 1 : 0;
}

int xa_window_list(struct xa_display *d, struct xa_window_info **list, size_t *n, int timeout_ms)
{
	struct xp_msg m = {.op = XP_OP_WIN_LIST}, in;
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
		else if (w > 0 && in.op == XP_OP_WIN_ENTRY)
			r = add_window(d, &in.u.win_entry, list, n, &cap);
		else if (w > 0)
			xa_take(d, &in, 0);
	}
	if (r == 1)
		return 0;
	if (r == 0)
		xp_error_set(&d->server_error, XP_ERR_TIMEOUT, XP_OP_WIN_LIST,
		             "no window list in time");
	free(*list);
	*list = NULL;
	*n = 0;
	return -1;
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
