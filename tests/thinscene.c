/*
 * thinscene.c - see thinscene.h. Drawing messages are applied with
 * libxpdraw, as the client applies them (tests/draw_test.c checks libxpdraw
 * against the renderer): what a test comparing the client with this model
 * checks is that the messages reach the client intact through framing,
 * zlib, dispatch and the window table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "thinscene.h"

/* The target window's framebuffer: the target must exist. */
static struct xr_fb *ref_fb(struct ts_scene *s)
{
	assert_true(s->st.target < 8 && s->w[s->st.target].exists);
	return &s->w[s->st.target].fb;
}

/*
 * The model's image cache (struct xd_cache: keep, find, drop), four slots
 * by id; ref_slot(s, 0) is a free one.
 */
static struct ts_cached *ref_slot(struct ts_scene *s, uint32_t id)
{
	for (int i = 0; i < 4; i++)
		if (s->img[i].id == id)
			return &s->img[i];
	return NULL;
}

static const struct xr_fb *ref_keep(void *ctx, uint32_t id, struct xr_fb *img, struct xp_error *err)
{
	struct ts_cached *slot = ref_slot(ctx, id);
	(void)err;
	if (!slot)
		slot = ref_slot(ctx, 0);
	assert_non_null(slot);
	xr_fb_finish(&slot->fb);
	*slot = (struct ts_cached){id, *img};
	*img = (struct xr_fb){0};
	return &slot->fb;
}

static const struct xr_fb *ref_find(void *ctx, uint32_t id)
{
	struct ts_cached *slot = id ? ref_slot(ctx, id) : NULL;
	return slot ? &slot->fb : NULL;
}

static void ref_drop(void *ctx, uint32_t id)
{
	struct ts_cached *slot = id ? ref_slot(ctx, id) : NULL;
	if (slot) {
		xr_fb_finish(&slot->fb);
		slot->id = 0;
	}
}

/* Queue @m to the client; the model applies it itself. */
static void send_msg(struct ts_scene *s, struct xp_msg *m)
{
	assert_int_equal(tp_send(s->p, m), 0);
}

/* Take window @id out of the stacking order. */
static void unstack(struct ts_scene *s, int id)
{
	int k = 0;
	for (int i = 0; i < s->n; i++)
		if (s->order[i] != id)
			s->order[k++] = s->order[i];
	s->n = k;
}

/* Put window @id on top of the stacking order. */
static void raise_win(struct ts_scene *s, int id)
{
	unstack(s, id);
	s->order[s->n++] = id;
}

void ts_create(struct ts_scene *s, int id, int x, int y, int w, int h, uint32_t bg)
{
	struct xp_msg m = {.op = XP_OP_WIN_CREATE};
	m.u.win_create = (struct xp_msg_win_create){
	    .win = (uint32_t)id, .x = x, .y = y, .w = (uint32_t)w, .h = (uint32_t)h, .bg = bg};
	send_msg(s, &m);
	assert_int_equal(xr_fb_init(&s->w[id].fb, w, h), 0);
	xr_fill(&s->w[id].fb, NULL, 0, 0, w, h, bg);
	s->w[id].x = x;
	s->w[id].y = y;
	s->w[id].bg = bg;
	s->w[id].exists = true;
	s->order[s->n++] = id;
}

void ts_win(struct ts_scene *s, uint8_t op, int id)
{
	struct xp_msg m = {.op = op};
	m.u.win_map.win = (uint32_t)id; /* all these messages are { win } */
	send_msg(s, &m);
	if (op == XP_OP_WIN_MAP) {
		s->w[id].mapped = true;
		raise_win(s, id);
	} else if (op == XP_OP_WIN_UNMAP) {
		s->w[id].mapped = false;
	} else if (op == XP_OP_WIN_DESTROY) {
		xr_fb_finish(&s->w[id].fb);
		s->w[id] = (struct ts_window){0};
		unstack(s, id);
	}
}

void ts_configure(struct ts_scene *s, int id, uint32_t mask, int x, int y, int w, int h)
{
	struct xp_msg m = {.op = XP_OP_WIN_CONFIGURE};
	m.u.win_configure =
	    (struct xp_msg_win_configure){(uint32_t)id, mask, x, y, (uint32_t)w, (uint32_t)h};
	send_msg(s, &m);
	if (mask & XP_CONF_RESIZE)
		assert_int_equal(xr_fb_resize(&s->w[id].fb, w, h, s->w[id].bg), 0);
	if (mask & XP_CONF_MOVE) {
		s->w[id].x = x;
		s->w[id].y = y;
	}
	if (mask & XP_CONF_RAISE)
		raise_win(s, id);
}

/* Send drawing message @m and apply it to the reference. */
void ts_draw(struct ts_scene *s, const struct xp_msg *m)
{
	struct xd_cache cache = {s, ref_keep, ref_find, ref_drop};
	struct xp_error err = {0};
	struct xr_rect d;
	assert_int_equal(tp_send(s->p, m), 0);
	if (xd_kind(m->op) == XD_STATE)
		assert_int_equal(xd_state_update(&s->st, m, &err), 0);
	else
		assert_int_equal(xd_apply(xd_kind(m->op) == XD_DRAW ? ref_fb(s) : NULL, &s->st, m,
		                          &cache, &d, &err),
		                 0);
}

void ts_target(struct ts_scene *s, int id)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_TARGET, .u.target = {(uint32_t)id}});
}

void ts_gc(struct ts_scene *s, uint32_t fg, uint32_t bg, uint32_t font, uint32_t flags)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_GC, .u.gc = {fg, bg, font, flags}});
}

void ts_clip(struct ts_scene *s, int x, int y, int w, int h)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_CLIP, .u.clip = {x, y, (uint32_t)w, (uint32_t)h}});
}

void ts_fill(struct ts_scene *s, int x, int y, int w, int h)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_FILL, .u.fill = {x, y, (uint32_t)w, (uint32_t)h}});
}

void ts_fill_rects(struct ts_scene *s, const struct xp_rect *r, uint32_t n)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_FILL_RECTS, .u.fill_rects.rects = {n, r}});
}

void ts_text(struct ts_scene *s, int x, int y, const char *text)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_TEXT, .u.text = {x, y, xp_str_from(text)}});
}

void ts_copy(struct ts_scene *s, int sx, int sy, int w, int h, int dx, int dy)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_COPY,
	                            .u.copy = {sx, sy, (uint32_t)w, (uint32_t)h, dx, dy}});
}

void ts_bitmap(struct ts_scene *s, int x, int y, int w, int h, const uint8_t *bits, size_t n)
{
	ts_draw(
	    s, &(struct xp_msg){.op = XP_OP_BITMAP,
	                        .u.bitmap = {x, y, (uint32_t)w, (uint32_t)h, {bits, (uint32_t)n}}});
}

void ts_image(struct ts_scene *s, int x, int y, int w, int h, int format, uint32_t cache_id,
              const uint8_t *data, size_t n)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_IMAGE,
	                            .u.image = {x,
	                                        y,
	                                        (uint32_t)w,
	                                        (uint32_t)h,
	                                        (uint8_t)format,
	                                        cache_id,
	                                        {data, (uint32_t)n}}});
}

void ts_image_cached(struct ts_scene *s, int x, int y, uint32_t id)
{
	ts_draw(s, &(struct xp_msg){.op = XP_OP_IMAGE_CACHED, .u.image_cached = {x, y, id}});
}

void ts_screen(struct ts_scene *s, struct xr_fb *out, int w, int h)
{
	assert_int_equal(xr_fb_init(out, w, h), 0);
	xr_fill(out, NULL, 0, 0, w, h, TS_DESKTOP);
	for (int i = 0; i < s->n; i++) {
		struct ts_window *rw = &s->w[s->order[i]];
		if (!rw->mapped)
			continue;
		for (int y = 0; y < rw->fb.h; y++)
			for (int x = 0; x < rw->fb.w; x++) {
				int sx = rw->x + x, sy = rw->y + y;
				if (sx >= 0 && sy >= 0 && sx < w && sy < h)
					out->px[sy * out->stride + sx] =
					    rw->fb.px[y * rw->fb.stride + x];
			}
	}
}

void ts_scene_finish(struct ts_scene *s)
{
	for (int i = 0; i < 8; i++)
		xr_fb_finish(&s->w[i].fb);
	for (int i = 0; i < 4; i++)
		xr_fb_finish(&s->img[i].fb);
}