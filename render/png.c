/*
 * png.c - PNG decoding from and encoding to memory through libpng.
 *
 * libpng reports errors by longjmp. All state that must be released lives in
 * a struct owned by the caller of the function that calls setjmp, so nothing
 * is lost or clobbered when a longjmp arrives, and the single unwind path
 * frees it. Decoding converts every PNG colour type to 8-bit RGB without
 * gamma correction (alpha dropped, 16-bit truncated), which is exact integer
 * work and so the same on every machine.
 */
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "xputil.h"

struct png_src {
	const uint8_t *data;
	size_t len, pos;
};

struct png_dec {
	png_structp png;
	png_infop info;
	struct png_src src;
	int want_w, want_h;
	int w, h;
	uint8_t *rgb;
	png_bytep *rows;
};

struct png_out {
	uint8_t *data;
	size_t len, cap;
};

struct png_enc {
	png_structp png;
	png_infop info;
	const struct xr_fb *fb;
	struct xr_rect r;
	int level;
	struct png_out out;
	uint8_t *row;
};

static void png_quiet_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void png_quiet_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void read_cb(png_structp png, png_bytep out, size_t n)
{
	struct png_src *s = png_get_io_ptr(png);

	if (n > s->len - s->pos)
		png_error(png, "short PNG data");
	memcpy(out, s->data + s->pos, n);
	s->pos += n;
}

/* Ask libpng for 8-bit RGB whatever the colour type. */
static void set_rgb8(png_structp png, png_infop info)
{
	int type = png_get_color_type(png, info);

	png_set_expand(png);
	png_set_strip_16(png);
	png_set_strip_alpha(png);
	if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
}

static bool size_wanted(const struct png_dec *d, png_uint_32 w, png_uint_32 h)
{
	if (w > XR_FB_MAX_DIM || h > XR_FB_MAX_DIM || xr_img_rgb_size((int)w, (int)h) == 0)
		return false;
	return (d->want_w < 0 || (png_uint_32)d->want_w == w) &&
	       (d->want_h < 0 || (png_uint_32)d->want_h == h);
}

/* The part that may longjmp; @d is owned by the caller. */
static int decode_run(struct png_dec *d)
{
	png_uint_32 w, h;

	if (setjmp(png_jmpbuf(d->png)))
		return -1;
	png_set_read_fn(d->png, &d->src, read_cb);
	png_set_user_limits(d->png, XR_FB_MAX_DIM, XR_FB_MAX_DIM);
	png_set_chunk_malloc_max(d->png, 1 << 20);
	png_read_info(d->png, d->info);
	w = png_get_image_width(d->png, d->info);
	h = png_get_image_height(d->png, d->info);
	if (!size_wanted(d, w, h))
		return -1;
	set_rgb8(d->png, d->info);
	if (png_get_rowbytes(d->png, d->info) != (size_t)w * 3)
		return -1;
	d->w = (int)w;
	d->h = (int)h;
	d->rgb = malloc((size_t)w * h * 3);
	d->rows = malloc(sizeof(*d->rows) * h);
	if (!d->rgb || !d->rows)
		return -1;
	for (png_uint_32 i = 0; i < h; i++)
		d->rows[i] = d->rgb + (size_t)i * w * 3;
	png_read_image(d->png, d->rows);
	png_read_end(d->png, NULL);
	return 0;
}

int xr_png_decode(const uint8_t *data, size_t len, int want_w, int want_h, uint8_t **rgb, int *w,
                  int *h)
{
	struct png_dec d = {.src = {data, len, 0}, .want_w = want_w, .want_h = want_h};
	int ret = -1;

	*rgb = NULL;
	if (!data || len < 8 || png_sig_cmp(data, 0, 8) != 0)
		return -1;
	d.png =
	    png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error, png_quiet_warning);
	if (!d.png)
		return -1;
	d.info = png_create_info_struct(d.png);
	if (!d.info)
		goto err_png;
	ret = decode_run(&d);
	if (ret == 0) {
		*rgb = d.rgb;
		d.rgb = NULL;
		*w = d.w;
		*h = d.h;
	}
err_png:
	png_destroy_read_struct(&d.png, d.info ? &d.info : NULL, NULL);
	free(d.rows);
	free(d.rgb);
	return ret;
}

/* ---- row by row (xr_image_stream): the decoder state lives on the heap ---- */

struct xr_png_rows {
	struct png_dec d;
	int passes;      /* 1, or 7 for an interlaced image */
	int next, total; /* row-passes read so far, and h * passes */
};

/* The header, checked and set up for 8-bit RGB rows (may longjmp). */
static int rows_open_run(struct xr_png_rows *r)
{
	png_uint_32 w, h;

	if (setjmp(png_jmpbuf(r->d.png)))
		return -1;
	png_set_read_fn(r->d.png, &r->d.src, read_cb);
	png_set_user_limits(r->d.png, XR_FB_MAX_DIM, XR_FB_MAX_DIM);
	png_set_chunk_malloc_max(r->d.png, 1 << 20);
	png_read_info(r->d.png, r->d.info);
	w = png_get_image_width(r->d.png, r->d.info);
	h = png_get_image_height(r->d.png, r->d.info);
	if (!size_wanted(&r->d, w, h))
		return -1;
	r->passes = png_set_interlace_handling(r->d.png);
	set_rgb8(r->d.png, r->d.info);
	if (png_get_rowbytes(r->d.png, r->d.info) != (size_t)w * 3)
		return -1;
	r->d.w = (int)w;
	r->d.h = (int)h;
	r->total = r->d.h * r->passes;
	return 0;
}

struct xr_png_rows *xr_png_rows_open(const uint8_t *data, size_t len, int w, int h)
{
	struct xr_png_rows *r;

	if (!data || len < 8 || png_sig_cmp(data, 0, 8) != 0 || !(r = calloc(1, sizeof(*r))))
		return NULL;
	r->d = (struct png_dec){.src = {data, len, 0}, .want_w = w, .want_h = h};
	r->d.png =
	    png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error, png_quiet_warning);
	if (r->d.png)
		r->d.info = png_create_info_struct(r->d.png);
	if (!r->d.info || rows_open_run(r) < 0) {
		xr_png_rows_close(r);
		return NULL;
	}
	return r;
}

/* Up to @max row-passes into @rgb, then the end of the file (may longjmp). */
static int rows_read_run(struct xr_png_rows *r, uint8_t *rgb, int max)
{
	if (setjmp(png_jmpbuf(r->d.png)))
		return -1;
	for (int i = 0; i < max && r->next < r->total; i++, r->next++)
		png_read_row(r->d.png, rgb + (size_t)(r->next % r->d.h) * (size_t)r->d.w * 3, NULL);
	if (r->next < r->total)
		return 0;
	png_read_end(r->d.png, NULL);
	return 1;
}

int xr_png_rows_read(struct xr_png_rows *r, uint8_t *rgb, int max_rows)
{
	return rows_read_run(r, rgb, max_rows < 1 ? 1 : max_rows);
}

int xr_png_rows_passes(const struct xr_png_rows *r)
{
	return r->passes;
}

void xr_png_rows_close(struct xr_png_rows *r)
{
	if (!r)
		return;
	png_destroy_read_struct(&r->d.png, r->d.info ? &r->d.info : NULL, NULL);
	free(r);
}

static void write_cb(png_structp png, png_bytep in, size_t n)
{
	struct png_out *o = png_get_io_ptr(png);

	if (n > SIZE_MAX - o->len || XU_ARRAY_RESERVE(o->data, o->cap, o->len + n) < 0)
		png_error(png, "out of memory");
	memcpy(o->data + o->len, in, n);
	o->len += n;
}

static void flush_cb(png_structp png)
{
	(void)png;
}

/* The part that may longjmp; @e is owned by the caller. */
static int encode_run(struct png_enc *e)
{
	if (setjmp(png_jmpbuf(e->png)))
		return -1;
	png_set_write_fn(e->png, &e->out, write_cb, flush_cb);
	png_set_IHDR(e->png, e->info, (png_uint_32)e->r.w, (png_uint_32)e->r.h, 8,
	             PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	             PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(e->png, e->level);
	/* Paeth rarely pays on screen content and is the slowest to undo:
	 * without it the bench's 1920x1080 screen is 10% smaller and decodes
	 * 20% faster */
	png_set_filter(e->png, 0, PNG_FILTER_NONE | PNG_FILTER_SUB | PNG_FILTER_UP);
	png_write_info(e->png, e->info);
	for (int i = 0; i < e->r.h; i++) {
		xr_row_to_rgb(e->fb, e->r, i, e->row);
		png_write_row(e->png, e->row);
	}
	png_write_end(e->png, NULL);
	return 0;
}

int xr_encode_png(const struct xr_fb *fb, struct xr_rect r, int level, uint8_t **out,
                  size_t *out_len)
{
	struct png_enc e = {.fb = fb, .r = r, .level = level};
	int ret = -1;

	*out = NULL;
	*out_len = 0;
	if (!xr_rect_in_fb(fb, r) || level < -1 || level > 9)
		return -1;
	if (e.level < 0)
		e.level = 6;
	e.row = malloc((size_t)r.w * 3);
	e.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error,
	                                png_quiet_warning);
	if (!e.row || !e.png)
		goto err_free;
	e.info = png_create_info_struct(e.png);
	if (e.info && encode_run(&e) == 0) {
		*out = e.out.data;
		*out_len = e.out.len;
		e.out.data = NULL;
		ret = 0;
	}
err_free:
	png_destroy_write_struct(&e.png, e.info ? &e.info : NULL);
	free(e.out.data);
	free(e.row);
	return ret;
}
