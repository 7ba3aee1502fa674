/*
 * stream.c - an image decoded a slice at a time (xr_image_stream), for a
 * server that shares one thread with other connections: each step decodes
 * about a given number of pixel bytes, so a large image is spread over many
 * turns of its loop. As with xr_image(), the whole image is decoded and
 * checked before any of it can be drawn.
 */
#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

#include "render_int.h"

struct xr_image_stream {
	int format, w, h;
	const uint8_t *data; /* borrowed */
	size_t len, size;    /* input bytes; RGB bytes of the image */
	size_t done;         /* RGB bytes decoded so far */
	uint8_t *rgb;        /* the decoded image (the input itself for RAW) */
	z_stream z;
	bool z_live;
	struct xr_png_rows *png;
	int state; /* 0 decoding, 1 complete, -1 bad */
};

struct xr_image_stream *xr_image_stream_create(int w, int h, int format, const void *data,
                                               size_t len)
{
	size_t size = xr_img_rgb_size(w, h);
	struct xr_image_stream *s;
	if (size == 0 || (!data && len > 0) || format < XR_IMG_RAW || format > XR_IMG_PNG ||
	    !(s = calloc(1, sizeof(*s))))
		return NULL;
	*s = (struct xr_image_stream){
	    .format = format, .w = w, .h = h, .data = data, .len = len, .size = size};
	if (format == XR_IMG_RAW) { /* nothing to decode: the bytes are the pixels */
		s->rgb = (uint8_t *)data;
		s->state = len == size ? 1 : -1;
		s->done = size;
		return s;
	}
	s->rgb = malloc(size);
	if (format == XR_IMG_ZLIB && s->rgb && len <= UINT_MAX)
		s->z_live = inflateInit(&s->z) == Z_OK;
	if (format == XR_IMG_PNG && s->rgb)
		s->png = xr_png_rows_open(data, len, w, h);
	if (!s->z_live && !s->png) {
		xr_image_stream_destroy(s);
		return NULL;
	}
	s->z.next_in = (Bytef *)data; /* zlib's API is not const-correct */
	s->z.avail_in = (uInt)len;
	return s;
}

/*
 * Inflate up to @budget more bytes. The stream must end exactly where the
 * image does: once every pixel is out, one byte of room is offered, which
 * the stream's end must not use.
 */
static int zlib_step(struct xr_image_stream *s, size_t budget)
{
	uint8_t extra = 0;
	size_t want = s->size - s->done < budget ? s->size - s->done : budget;
	bool tail = want == 0;
	s->z.next_out = tail ? &extra : s->rgb + s->done;
	s->z.avail_out = tail ? 1u : (uInt)want;
	int r = inflate(&s->z, Z_NO_FLUSH);
	size_t got = (tail ? 1u : want) - s->z.avail_out;
	if (tail && got)
		return -1; /* more pixels than the image has */
	s->done += got;
	if (r == Z_STREAM_END)
		return s->done == s->size && s->z.avail_in == 0 ? 1 : -1;
	if (r != Z_OK && r != Z_BUF_ERROR)
		return -1;
	/* it had room and neither made more nor ended: the input is short */
	return s->z.avail_out > 0 ? -1 : 0;
}

/* Read rows worth about @budget bytes (every pass of an interlaced image). */
static int png_step(struct xr_image_stream *s, size_t budget)
{
	size_t row = (size_t)s->w * 3;
	int rows = (int)(budget / row < (size_t)INT_MAX ? budget / row : INT_MAX);
	int r = xr_png_rows_read(s->png, s->rgb, rows);
	s->done += (size_t)(rows < 1 ? 1 : rows) * row / (size_t)xr_png_rows_passes(s->png);
	if (s->done > s->size || r == 1)
		s->done = s->size;
	return r;
}

int xr_image_stream_step(struct xr_image_stream *s, size_t budget)
{
	if (s->state != 0)
		return s->state;
	s->state = s->format == XR_IMG_ZLIB ? zlib_step(s, budget ? budget : 1)
	                                    : png_step(s, budget ? budget : 1);
	return s->state;
}

size_t xr_image_stream_decoded(const struct xr_image_stream *s)
{
	return s->done;
}

struct xr_rect xr_image_stream_draw(const struct xr_image_stream *s, struct xr_fb *fb,
                                    const struct xr_rect *clip, int x, int y)
{
	if (s->state != 1)
		return (struct xr_rect){0, 0, 0, 0};
	return xr_blit_rgb(fb, clip, x, y, s->w, s->h, s->rgb);
}

void *xr_image_stream_take(struct xr_image_stream *s, size_t *size)
{
	void *p = s->format != XR_IMG_RAW ? s->rgb : NULL;
	if (p) {
		s->rgb = NULL;
		s->state = -1; /* nothing left to draw */
	}
	*size = p ? s->size : 0;
	return p;
}

void xr_image_stream_destroy(struct xr_image_stream *s)
{
	if (!s)
		return;
	if (s->z_live)
		inflateEnd(&s->z);
	xr_png_rows_close(s->png);
	if (s->format != XR_IMG_RAW)
		free(s->rgb);
	free(s);
}
