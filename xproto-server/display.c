/*
 * display.c - the server's display number, X-style: `xproto-server :N`
 * listens for thin clients on 127.0.0.1:7100+N and for apps on
 * /tmp/xproto-UID/N.sock (a directory only this user may enter), unless
 * --listen or --app-socket say otherwise; the apps it launches are told
 * XPROTO_DISPLAY=:N. A display in use makes the server fail (errno
 * EADDRINUSE, exit status 3), so a caller can try the next one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

void xs_display_paths(struct xs_server *s)
{
	char sock[108];
	xp_display_socket(s->opt.display, sock, sizeof(sock));
	if (!s->opt.listen) {
		snprintf(s->listen_addr, sizeof(s->listen_addr), "127.0.0.1:%d",
		         XP_DISPLAY_PORT_BASE + s->opt.display);
		s->opt.listen = s->listen_addr;
	}
	snprintf(s->app_socket, sizeof(s->app_socket), "%s",
	         s->opt.app_socket ? s->opt.app_socket : sock);
	s->display_socket = !strcmp(s->app_socket, sock);
}

int xs_display_prepare(struct xs_server *s)
{
	char dir[64];
	struct xp_error err;
	if (!s->display_socket)
		return 0;
	if (xp_private_dir(xp_display_socket_dir(dir, sizeof(dir)), &err) < 0)
		return xs_log(s, XS_ERROR, "display :%d: %s", s->opt.display, err.text), -1;
	return 0;
}

void xs_display_announce(const struct xs_server *s)
{
	char tcp[64];
	snprintf(tcp, sizeof(tcp), "127.0.0.1:%d", XP_DISPLAY_PORT_BASE + s->opt.display);
	if (s->display_socket && !strcmp(s->opt.listen, tcp))
		printf("xproto-server: display :%d (XPROTO_DISPLAY=:%d)\n", s->opt.display,
		       s->opt.display);
}

void xs_display_child_env(const struct xs_server *s)
{
	char name[16];
	if (s->display_socket) {
		snprintf(name, sizeof(name), ":%d", s->opt.display);
		setenv("XPROTO_DISPLAY", name, 1);
		unsetenv("XPROTO_APP_SOCKET");
	} else {
		setenv("XPROTO_APP_SOCKET", s->app_socket, 1);
		unsetenv("XPROTO_DISPLAY");
	}
}
