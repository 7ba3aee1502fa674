/*
 * cursor.c - pointer shapes for libxpapp apps: define a shape from ARGB
 * pixels (sent as the 1-bit MASK format whenever that is exact, which is
 * what X core cursors and simple shapes are), the built-in arrow and I-beam,
 * and the shape a window shows (CURSOR, WIN_CURSOR: SPEC.md 0x1b, 0x1c).
 */
#include <stdlib.h>
#include <string.h>

#include "xpapp_int.h"

/* Premultiplied: no colour above alpha (a bad pixel is clamped, not sent). */
static uint32_t clamp_pixel(uint32_t p)
{
	uint32_t a = p >> 24, out = p & 0xff000000u;
	for (int shift = 0; shift <= 16; shift += 8) {
		uint32_t c = (p >> shift) & 0xff;
		out |= (c > a ? a : c) << shift;
	}
	return out;
}

/*
 * The MASK form of @argb (@n pixels), if it has one: every pixel opaque or
 * fully transparent, and at most two opaque colours. Fills @fg, @bg.
 */
static bool two_colours(const uint32_t *argb, size_t n, uint32_t *fg, uint32_t *bg)
{
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t rgb = argb[i] & 0xffffff;
		if (argb[i] == 0)
			continue; /* transparent */
		if (argb[i] >> 24 != 0xff)
			return false;
		if ((found >= 1 && rgb == *fg) || (found == 2 && rgb == *bg))
			continue;
		if (found == 2)
			return false;
		*(found++ ? bg : fg) = rgb;
	}
	if (found < 2)
		*bg = 0;
	return true;
}

static void set_bit(uint8_t *plane, size_t stride, uint32_t x, uint32_t y)
{
	plane[y * stride + x / 8] |= (uint8_t)(0x80u >> (x % 8));
}

/* Encode @argb (w * h, premultiplied) into @data as @m says: MASK or ARGB. */
static void encode(struct xp_msg_cursor *m, const uint32_t *argb, uint8_t *data)
{
	size_t stride = (m->w + 7) / 8, plane = stride * m->h;
	for (uint32_t y = 0; y < m->h; y++) {
		for (uint32_t x = 0; x < m->w; x++) {
			uint32_t p = clamp_pixel(argb[(size_t)y * m->w + x]);
			uint8_t *q = data + ((size_t)y * m->w + x) * 4;
			if (m->format == XP_CURSOR_ARGB) {
				q[0] = (uint8_t)(p >> 24), q[1] = (uint8_t)(p >> 16);
				q[2] = (uint8_t)(p >> 8), q[3] = (uint8_t)p;
			} else if (p >> 24) {
				set_bit(data + plane, stride, x, y);
				if ((p & 0xffffff) == m->fg)
					set_bit(data, stride, x, y);
			}
		}
	}
}

int xa_cursor_argb(struct xa_display *d, uint32_t id, uint32_t w, uint32_t h, uint32_t hot_x,
                   uint32_t hot_y, const uint32_t *argb)
{
	struct xp_msg m = {.op = XP_OP_CURSOR};
	struct xp_msg_cursor *c = &m.u.cursor;
	struct xp_error err;
	*c = (struct xp_msg_cursor){id, w, h, hot_x, hot_y, XP_CURSOR_ARGB, 0, 0, {NULL, 0}};
	if (w < 1 || h < 1 || w > XP_CURSOR_MAX_DIM || h > XP_CURSOR_MAX_DIM)
		return -1;
	if (two_colours(argb, (size_t)w * h, &c->fg, &c->bg))
		c->format = XP_CURSOR_MASK;
	size_t len = xp_cursor_data_len(c->format, w, h);
	uint8_t *data = calloc(1, len);
	if (!data)
		return -1;
	encode(c, argb, data);
	c->data = (struct xp_bytes){data, (uint32_t)len};
	int rc = xp_cursor_check(c, &err) < 0 ? -1 : xa_send(d, &m);
	free(data);
	return rc;
}

/* The built-in shapes, one row a line: '#' is black; a white outline is
 * added around it. */
static const char arrow[] = "#\n"
                            "##\n"
                            "###\n"
                            "####\n"
                            "#####\n"
                            "######\n"
                            "#######\n"
                            "########\n"
                            "#########\n"
                            "######\n"
                            "### ###\n"
                            "##  ###\n"
                            "#    ###\n"
                            "     ###\n"
                            "      ###\n"
                            "      ###\n";
#define IBEAM_STEM "   #\n" /* the I-beam's stem, a row 13 times over */
static const char ibeam[] =
    "### ###\n" IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM
        IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM IBEAM_STEM "### ###\n";

/* Whether the art has a black pixel at @x, @y (outside it: no). */
static bool black_at(const char *art, int x, int y)
{
	if (x < 0 || y < 0)
		return false;
	for (; y > 0 && *art; art++)
		y -= *art == '\n';
	for (; x > 0 && *art && *art != '\n'; art++)
		x--;
	return *art == '#';
}

/* The art's size: its longest row, its rows. */
static void art_size(const char *art, uint32_t *w, uint32_t *h)
{
	uint32_t col = 0;
	*w = *h = 0;
	for (; *art; art++) {
		if (*art == '\n') {
			(*h)++;
			col = 0;
		} else if (++col > *w) {
			*w = col;
		}
	}
}

int xa_cursor_standard(struct xa_display *d, uint32_t id, enum xa_cursor_shape shape)
{
	const char *art = shape == XA_CURSOR_IBEAM ? ibeam : arrow;
	uint32_t px[20 * 20] = {0}, w, h;
	art_size(art, &w, &h);
	w += 2, h += 2; /* room for the outline */
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			int ax = (int)x - 1, ay = (int)y - 1;
			bool near = false;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++)
					near |= black_at(art, ax + dx, ay + dy);
			px[y * w + x] = black_at(art, ax, ay) ? 0xff000000u
			                : near                ? 0xffffffffu
			                                      : 0;
		}
	}
	if (shape == XA_CURSOR_IBEAM)
		return xa_cursor_argb(d, id, w, h, w / 2, h / 2, px);
	return xa_cursor_argb(d, id, w, h, 1, 1, px);
}

int xa_window_cursor(struct xa_display *d, uint32_t win, uint32_t id)
{
	struct xp_msg m = {.op = XP_OP_WIN_CURSOR};
	m.u.win_cursor = (struct xp_msg_win_cursor){win, id};
	return xa_send(d, &m);
}
