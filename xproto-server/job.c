/*
 * job.c - a drawing message too large for one loop turn, applied a piece
 * per turn: a fill, a copy or a bitmap a band of rows at a time (the band
 * is a clip, so the renderer touches only its rows), an image decoded a
 * slice at a time (xr_image_stream) and then drawn. The app's later
 * messages wait until its job is done (peer.c), so its order is kept;
 * clients are sent the message once it is complete, and a window with work
 * in progress is not repaired meanwhile (update.c).
 *
 * A window's resize is a job too: the new pixels are made a band of rows
 * at a time (a 4096x4096 one is 64 MiB to touch), then take the old ones'
 * place and the new size is announced.
 *
 * The size of a piece starts from the cost estimate (cost.c) and then
 * follows the time pieces really take: memory touched for the first time
 * costs this machine thirty times what warm memory does (a page fault a
 * page), which no per-pixel estimate knows.
 */
#include <stdlib.h>

#include "server_int.h"

struct xs_job {
	struct xp_buf bytes;   /* the message, encoded: it owns what m points to */
	struct xp_decoder dec; /* ... and the rectangles of a FILL_RECTS */
	struct xp_msg m;       /* a copy of the app's message */
	struct xd_state st;    /* the app's state when it came */
	uint32_t win;          /* the window, by the app's id */
	int64_t y0, y1;        /* rows still to do */
	bool up;               /* from the bottom: a copy moving down */
	uint64_t units;        /* what the whole message costs */
	int64_t rows;          /* rows it spans, for the cost of a band */
	struct xr_rect damage; /* what it changed so far */
	bool forward;          /* clients are sent the message when it is done */
	int64_t band_rows;     /* rows a piece takes, adapted to XS_PIECE_US */
	size_t step_bytes;     /* image bytes a piece decodes, likewise */
	struct xr_image_stream *img;
	bool decoded;      /* the image is complete: it is being drawn */
	struct xr_fb keep; /* ... and copied here, for an image to keep */
	size_t img_bytes;  /* the decoded image, held against the pixel budget */
	bool resize;       /* a resize: making the window's new pixels */
	bool to_app;       /* ... announced to its app too (the server decided it) */
	struct xr_fb next; /* ... here */
};

bool xs_job_worth(struct xs_peer *app, uint64_t units)
{
	/* a job copies the message: only worth it beyond a full share of a turn */
	return units > XS_TURN_BUDGET && (int64_t)units > xs_peer_budget(app);
}

bool xs_job_splits(const struct xp_msg *m)
{
	return m->op == XP_OP_FILL || m->op == XP_OP_FILL_RECTS || m->op == XP_OP_COPY ||
	       m->op == XP_OP_BITMAP || m->op == XP_OP_IMAGE;
}

void xs_job_cancel(struct xs_peer *app)
{
	struct xs_job *j = app->job;
	if (!j)
		return;
	struct xs_window *w = app->session ? xs_window_by_app_id(app->session, app, j->win) : NULL;
	if (w)
		w->busy = false;
	app->srv->pixel_bytes -= j->img_bytes;
	if (j->img) { /* a decoded image is up to 48 MiB to give back */
		size_t n;
		void *px = xr_image_stream_take(j->img, &n);
		xs_release(app->srv, px, n);
	}
	xr_image_stream_destroy(j->img);
	xs_release_fb(app->srv, &j->keep);
	xs_release_fb(app->srv, &j->next);
	xp_buf_finish(&j->bytes);
	xp_decoder_finish(&j->dec);
	free(j);
	app->job = NULL;
}

/* Copy @m into @j: encoded and decoded again, so it owns every byte. */
static int copy_msg(struct xs_job *j, const struct xp_msg *m)
{
	struct xp_error err;
	xp_buf_init(&j->bytes, (size_t)XP_MAX_MSG_DEFAULT * 2);
	xp_decoder_init(&j->dec, UINT32_MAX);
	ssize_t n = xp_encode(&j->bytes, m);
	if (n <= 0 || xp_decode(&j->dec, xp_buf_data(&j->bytes), (size_t)n, &j->m, &err) != n)
		return -1;
	return 0;
}

/* Whether a BITMAP's bytes cover its rows (checked before any band is drawn). */
static bool bitmap_fits(const struct xp_msg_bitmap *b)
{
	uint64_t row = ((uint64_t)b->w + 7) / 8;
	return b->w == 0 || b->h == 0 || row * b->h <= b->bits.n;
}

/* An image is decoded in slices; its pixels count until it is drawn. */
static int start_image(struct xs_peer *app, struct xs_job *j, struct xp_error *err)
{
	const struct xp_msg_image *im = &j->m.u.image;
	if (im->cache_id &&
	    (xs_cache_check(app, im, err) < 0 || xr_fb_init(&j->keep, (int)im->w, (int)im->h) < 0))
		return err->code
		           ? -1
		           : xp_error_set(err, XP_ERR_LIMIT, XP_OP_IMAGE, "IMAGE: out of memory");
	j->img_bytes = (size_t)im->w * im->h * 3;
	if (xs_pixels_check(app->srv, 0, j->img_bytes, err) < 0) {
		j->img_bytes = 0;
		return -1;
	}
	app->srv->pixel_bytes += j->img_bytes;
	j->img = xr_image_stream_create((int)im->w, (int)im->h, im->format, im->data.p, im->data.n);
	if (!j->img)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE,
		                    "IMAGE: bad %ux%u image (format %u, %u bytes)", im->w, im->h,
		                    im->format, im->data.n);
	return 0;
}

/* Rows of the first band: a quarter of what the estimate allows (it may be cold memory). */
static int64_t first_band(struct xs_peer *app, const struct xs_job *j)
{
	int64_t budget = xs_peer_budget(app) > 0 ? xs_peer_budget(app) : XS_MIN_BUDGET;
	int64_t rows = (int64_t)((uint64_t)budget * (uint64_t)j->rows / j->units / 4);
	return rows < 1 ? 1 : rows;
}

int xs_job_start(struct xs_peer *app, struct xs_window *w, const struct xd_state *st,
                 const struct xp_msg *m, uint64_t units, bool forward, struct xp_error *err)
{
	struct xs_job *j = calloc(1, sizeof(*j));
	if (!j)
		return xp_error_set(err, XP_ERR_LIMIT, m->op, "%s: out of memory",
		                    xp_op_name(m->op));
	app->job = j;
	if (copy_msg(j, m) < 0) {
		xs_job_cancel(app);
		return xp_error_set(err, XP_ERR_LIMIT, m->op, "%s: out of memory",
		                    xp_op_name(m->op));
	}
	j->st = *st;
	j->win = w->app_id;
	j->units = units ? units : 1;
	j->forward = forward;
	if (m->op == XP_OP_BITMAP && !bitmap_fits(&m->u.bitmap)) {
		xs_job_cancel(app);
		return xp_error_set(err, XP_ERR_MALFORMED, m->op, "BITMAP: %u bytes for %ux%u",
		                    m->u.bitmap.bits.n, m->u.bitmap.w, m->u.bitmap.h);
	}
	if (m->op == XP_OP_IMAGE ? start_image(app, j, err) < 0
	                         : xs_draw_rows(w->w, w->h, &st->clip, &j->m, &j->y0, &j->y1) < 0) {
		xs_job_cancel(app);
		return -1;
	}
	j->rows = j->y1 > j->y0 ? j->y1 - j->y0 : 1;
	j->band_rows = first_band(app, j);
	j->step_bytes = 64u << 10;
	j->up = m->op == XP_OP_COPY && m->u.copy.dy > m->u.copy.sy;
	w->busy = true;
	return 0;
}

/* The state with its clip narrowed to rows [y0, y1); false if that is empty. */
static bool band_state(const struct xd_state *st, uint32_t ww, uint32_t wh, int64_t y0, int64_t y1,
                       struct xd_state *out)
{
	int64_t x0 = 0, x1 = ww;
	y0 = y0 > 0 ? y0 : 0;
	y1 = y1 < (int64_t)wh ? y1 : (int64_t)wh;
	*out = *st;
	if (st->clip.w) {
		x0 = st->clip.x > 0 ? st->clip.x : 0;
		x1 = (int64_t)st->clip.x + st->clip.w < x1 ? (int64_t)st->clip.x + st->clip.w : x1;
		y0 = st->clip.y > y0 ? st->clip.y : y0;
		y1 = (int64_t)st->clip.y + st->clip.h < y1 ? (int64_t)st->clip.y + st->clip.h : y1;
	}
	if (x1 <= x0 || y1 <= y0)
		return false;
	out->clip =
	    (struct xp_rect){(int32_t)x0, (int32_t)y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0)};
	return true;
}

/* The next piece's size: what took @us should take XS_PIECE_US (at most double). */
static int64_t adapt(int64_t size, uint64_t us)
{
	int64_t next = (int64_t)((uint64_t)size * XS_PIECE_US / (us ? us : 1));
	next = next > size * 2 ? size * 2 : next;
	return next < 1 ? 1 : next;
}

/* Draw rows [a, b) of the message into @w (of the image, for an image). */
static int apply_piece(struct xs_job *j, struct xs_window *w, int64_t a, int64_t b,
                       struct xp_error *err)
{
	const struct xp_msg_image *im = &j->m.u.image;
	int64_t off = j->img ? im->y : 0; /* an image's rows are its own */
	struct xd_state st;
	struct xr_rect d = {0, 0, 0, 0};
	if (j->resize) {
		xs_window_resize_rows(w, &j->next, (int)a, (int)b);
		return 0;
	}
	if (j->keep.px) { /* the copy to keep gets every row */
		struct xr_rect kb = {0, (int)a, (int)im->w, (int)(b - a)};
		xr_image_stream_draw(j->img, &j->keep, &kb, 0, 0);
	}
	if (!band_state(&j->st, w->w, w->h, off + a, off + b, &st))
		return 0;
	if (!j->img && xd_apply(&w->fb, &st, &j->m, NULL, &d, err) < 0)
		return -1;
	if (j->img) { /* band_state made the clip a part of the window: it fits an int */
		struct xr_rect cb = {st.clip.x, st.clip.y, (int)st.clip.w, (int)st.clip.h};
		d = xr_image_stream_draw(j->img, &w->fb, &cb, im->x, im->y);
	}
	j->damage = xr_rect_union(j->damage, d);
	return 0;
}

/* Apply the next band of rows. Returns 1 when all are done. */
static int band(struct xs_peer *app, struct xs_job *j, struct xs_window *w, struct xp_error *err)
{
	int64_t rows = j->band_rows < j->y1 - j->y0 ? j->band_rows : j->y1 - j->y0;
	uint64_t t0 = xp_now_us();
	int64_t a = j->up ? j->y1 - rows : j->y0, b = a + rows;
	if (apply_piece(j, w, a, b, err) < 0)
		return -1;
	j->band_rows = adapt(rows, xp_now_us() - t0);
	xs_peer_charge(app, (uint64_t)rows * j->units / (uint64_t)j->rows + 1);
	if (j->up)
		j->y1 = a;
	else
		j->y0 = b;
	return j->y0 >= j->y1;
}

/* Decode the next slice of the image; draw it once it is complete. */
static int image_slice(struct xs_peer *app, struct xs_job *j, struct xs_window *w,
                       struct xp_error *err)
{
	size_t before = xr_image_stream_decoded(j->img);
	uint64_t t0 = xp_now_us();
	int r = xr_image_stream_step(j->img, j->step_bytes);
	j->step_bytes = (size_t)adapt((int64_t)j->step_bytes, xp_now_us() - t0);
	xs_peer_charge(app, xr_image_stream_decoded(j->img) - before + 64);
	if (r < 0)
		return xp_error_set(err, XP_ERR_MALFORMED, XP_OP_IMAGE,
		                    "IMAGE: bad %ux%u image data (format %u, %u bytes)",
		                    j->m.u.image.w, j->m.u.image.h, j->m.u.image.format,
		                    j->m.u.image.data.n);
	if (r == 0)
		return 0;
	/* decoded and checked: now drawn (and kept), a band of its rows a piece */
	const struct xp_msg_image *im = &j->m.u.image;
	j->decoded = true;
	j->y0 = 0;
	j->y1 = j->rows = im->h;
	j->units = (uint64_t)im->w * im->h + 1;
	j->band_rows = first_band(app, j);
	return 0;
}

/* A resize the server asked for while @app was busy: start it now. */
static void resize_wanted(struct xs_peer *app)
{
	struct xs_session *se = app->session;
	for (size_t i = 0; se && !app->job && i < se->nwin; i++) {
		struct xs_window *w = se->stack[i];
		struct xp_error err;
		uint32_t nw = w->want_w, nh = w->want_h;
		if (w->owner != app || !nw)
			continue;
		w->want_w = w->want_h = 0;
		int r = xs_job_resize(app, w, nw, nh, true, &err);
		if (r == 0)
			xs_window_announce(se, w, XP_CONF_RESIZE, true);
		else if (r < 0)
			xs_log(app->srv, XS_INFO, "cannot follow screen size: %s", err.text);
	}
}

bool xs_job_run(struct xs_peer *app)
{
	struct xs_job *j = app->job;
	struct xp_error err = {0};
	struct xs_window *w = j ? xs_window_by_app_id(app->session, app, j->win) : NULL;
	int r = 0;
	if (!w) { /* nothing to draw into any more */
		xs_job_cancel(app);
		resize_wanted(app);
		return app->job == NULL;
	}
	uint64_t t0 = xp_now_us();
	while (r == 0 && xs_peer_budget(app) > 0 && xp_now_us() - t0 < XS_PIECE_US)
		r = j->img && !j->decoded ? image_slice(app, j, w, &err) : band(app, j, w, &err);
	if (r == 0)
		return false;
	w->busy = false;
	if (r > 0 && j->resize) {
		xs_window_resize_end(app->session, w, &j->next);
		xs_window_announce(app->session, w, XP_CONF_RESIZE, j->to_app);
	} else if (r > 0 && j->keep.px) /* kept: the cache tells the clients */
		r = xs_cache_add(app, w, &j->st, &j->m.u.image, &j->keep, j->damage, &err) < 0 ? -1
		                                                                               : 1;
	else if (r > 0 && j->forward)
		xs_update_draw(app->session, w, &j->st, &j->m, j->damage);
	xs_job_cancel(app);
	if (r < 0)
		xs_peer_fail(app, err.code, err.about, "%s", err.text);
	else
		resize_wanted(app);
	return app->job == NULL;
}

int xs_job_resize(struct xs_peer *app, struct xs_window *w, uint32_t nw, uint32_t nh, bool to_app,
                  struct xp_error *err)
{
	uint64_t units = (uint64_t)nw * nh;
	if (nw == w->w && nh == w->h)
		return 0;
	if (app->job) { /* after the drawing in progress (the server decided it) */
		w->want_w = nw;
		w->want_h = nh;
		return 1;
	}
	if (!xs_job_worth(app, units)) {
		xs_peer_charge(app, units);
		return xs_window_resize(app->session, w, nw, nh, err);
	}
	struct xr_fb next;
	if (xs_window_resize_begin(app->session, w, nw, nh, &next, err) < 0)
		return -1;
	struct xs_job *j = calloc(1, sizeof(*j));
	if (!j) {
		xr_fb_finish(&next);
		return xp_error_set(err, XP_ERR_LIMIT, XP_OP_WIN_CONFIGURE, "out of memory");
	}
	*j = (struct xs_job){.win = w->app_id,
	                     .y1 = nh,
	                     .units = units,
	                     .rows = nh,
	                     .resize = true,
	                     .to_app = to_app,
	                     .next = next};
	j->img_bytes = (size_t)units * 4; /* both sizes exist until it is done */
	app->srv->pixel_bytes += j->img_bytes;
	app->job = j;
	j->band_rows = first_band(app, j);
	w->busy = true;
	app->pending = true; /* the loop gets to it even if the app is quiet */
	return 1;
}

size_t xs_job_reserved(const struct xs_peer *app)
{
	return app->job ? app->job->img_bytes : 0;
}
