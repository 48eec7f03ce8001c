/* bzip2 streams for BSDIFF40: a compressor into memory for the writer, and
 * a decompressor over one byte range of a patch (memory or file) for the
 * reader, which pulls exactly as many bytes as the control loop needs. */
#include "applypatch/bsdiff_private.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* bz_stream counts in unsigned int; feed it at most this much at once. */
#define BZ_MAX_STEP (1u << 30)
/* Debian's bsdiff compresses with the largest block size, as do we. */
#define BZ_LEVEL 9

static const char *bz_code_name(int rc)
{
    switch (rc) {
    case BZ_DATA_ERROR: return "corrupt data";
    case BZ_DATA_ERROR_MAGIC: return "not bzip2 data";
    case BZ_MEM_ERROR: return "out of memory";
    case BZ_PARAM_ERROR: return "bad parameter";
    case BZ_SEQUENCE_ERROR: return "call sequence error";
    default: return "unexpected error";
    }
}

int bz_writer_init(bz_writer *w, ota_buf *out, ota_error *err)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    int rc = BZ2_bzCompressInit(&w->strm, BZ_LEVEL, 0, 0);
    if (rc != BZ_OK)
        return ota_error_set(err, rc == BZ_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "bzip2 compressor init failed: %s", bz_code_name(rc));
    w->started = 1;
    return 0;
}

/* Runs the compressor with `action` until it has taken all input (BZ_RUN)
 * or finished the stream (BZ_FINISH). */
static int bz_writer_pump(bz_writer *w, int action, ota_error *err)
{
    char chunk[1 << 16];
    for (;;) {
        w->strm.next_out = chunk;
        w->strm.avail_out = sizeof chunk;
        int rc = BZ2_bzCompress(&w->strm, action);
        if (rc != BZ_RUN_OK && rc != BZ_FINISH_OK && rc != BZ_STREAM_END)
            return ota_error_set(err, OTA_ERR_IO, "bzip2 compression failed: %s",
                                 bz_code_name(rc));
        size_t made = sizeof chunk - w->strm.avail_out;
        if (made && ota_buf_append(w->out, chunk, made, err) < 0)
            return -1;
        if (action == BZ_RUN && w->strm.avail_in == 0)
            return 0;
        if (rc == BZ_STREAM_END)
            return 0;
    }
}

int bz_writer_write(bz_writer *w, const void *data, size_t len, ota_error *err)
{
    const char *p = data;
    while (len > 0) {
        unsigned step = len > BZ_MAX_STEP ? BZ_MAX_STEP : (unsigned)len;
        w->strm.next_in = (char *)p; /* bzlib's API is not const-correct */
        w->strm.avail_in = step;
        if (bz_writer_pump(w, BZ_RUN, err) < 0)
            return -1;
        p += step;
        len -= step;
    }
    return 0;
}

int bz_writer_finish(bz_writer *w, ota_error *err)
{
    w->strm.next_in = NULL;
    w->strm.avail_in = 0;
    int rc = bz_writer_pump(w, BZ_FINISH, err);
    bz_writer_abort(w);
    return rc;
}

void bz_writer_abort(bz_writer *w)
{
    if (w->started)
        BZ2_bzCompressEnd(&w->strm);
    w->started = 0;
}

static int bz_reader_start(bz_reader *r, int small, ota_error *err)
{
    int rc = BZ2_bzDecompressInit(&r->strm, 0, small);
    if (rc != BZ_OK)
        return ota_error_set(err, rc == BZ_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "bzip2 decompressor init failed for the %s stream: %s", r->name,
                             bz_code_name(rc));
    r->started = 1;
    return 0;
}

int bz_reader_open_mem(bz_reader *r, const char *name, const uint8_t *data, uint64_t len,
                       ota_error *err)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->fd = -1;
    r->mem = data;
    r->mem_left = len;
    return bz_reader_start(r, 0, err);
}

int bz_reader_open_fd(bz_reader *r, const char *name, int fd, uint64_t off, uint64_t len,
                      size_t inbuf_cap, int small, ota_error *err)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->fd = fd;
    r->fd_off = off;
    r->fd_end = off + len;
    r->inbuf_cap = inbuf_cap;
    r->inbuf = malloc(inbuf_cap);
    if (!r->inbuf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the %s stream's buffer",
                             name);
    if (bz_reader_start(r, small, err) < 0) {
        free(r->inbuf);
        r->inbuf = NULL;
        return -1;
    }
    return 0;
}

/* Gives the decompressor more of the stream's byte range; 0 when there is
 * none left. */
static int bz_reader_refill(bz_reader *r, ota_error *err)
{
    if (r->fd < 0) {
        unsigned step = r->mem_left > BZ_MAX_STEP ? BZ_MAX_STEP : (unsigned)r->mem_left;
        r->strm.next_in = (char *)r->mem;
        r->strm.avail_in = step;
        r->mem += step;
        r->mem_left -= step;
        return (int)(step > 0);
    }
    uint64_t left = r->fd_end - r->fd_off;
    size_t want = left < r->inbuf_cap ? (size_t)left : r->inbuf_cap;
    if (want == 0)
        return 0;
    ssize_t got;
    do
        got = pread(r->fd, r->inbuf, want, (off_t)r->fd_off);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return ota_error_errno(err, "reading the patch's %s stream at offset %llu", r->name,
                               (unsigned long long)r->fd_off);
    if (got == 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "patch file ends inside its %s stream (offset %llu)", r->name,
                             (unsigned long long)r->fd_off);
    r->fd_off += (uint64_t)got;
    r->strm.next_in = (char *)r->inbuf;
    r->strm.avail_in = (unsigned)got;
    return 1;
}

int bz_reader_read_some(bz_reader *r, uint8_t *out, size_t len, size_t *got, ota_error *err)
{
    *got = 0;
    while (len > 0 && !r->ended) {
        /* The decompressor may still hold output with no input left, so an
         * exhausted range is only an error once it stops making bytes. */
        int exhausted = 0;
        if (r->strm.avail_in == 0) {
            int more = bz_reader_refill(r, err);
            if (more < 0)
                return -1;
            exhausted = more == 0;
        }
        unsigned step = len > BZ_MAX_STEP ? BZ_MAX_STEP : (unsigned)len;
        r->strm.next_out = (char *)out;
        r->strm.avail_out = step;
        unsigned in_before = r->strm.avail_in;
        int rc = BZ2_bzDecompress(&r->strm);
        size_t made = step - r->strm.avail_out;
        if (rc == BZ_STREAM_END)
            r->ended = 1;
        else if (rc != BZ_OK)
            return ota_error_set(err, OTA_ERR_FORMAT, "BSDIFF40 %s stream: bzip2 %s", r->name,
                                 bz_code_name(rc));
        else if (made == 0 && r->strm.avail_in == in_before && exhausted)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "BSDIFF40 %s stream is truncated: %zu more bytes needed",
                                 r->name, len);
        else if (made == 0 && r->strm.avail_in == in_before)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "BSDIFF40 %s stream: bzip2 made no progress (%zu bytes needed)",
                                 r->name, len);
        *got += made;
        out += made;
        len -= made;
    }
    return 0;
}

int bz_reader_read(bz_reader *r, uint8_t *out, size_t len, ota_error *err)
{
    while (len > 0) {
        size_t got;
        if (bz_reader_read_some(r, out, len, &got, err) < 0)
            return -1;
        if (got == 0)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "BSDIFF40 %s stream ends early: %zu more bytes needed",
                                 r->name, len);
        out += got;
        len -= got;
    }
    return 0;
}

int bz_reader_expect_end(bz_reader *r, ota_error *err)
{
    uint8_t extra;
    ota_error probe;
    if (r->ended)
        return 0;
    if (bz_reader_read(r, &extra, 1, &probe) == 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "BSDIFF40 %s stream holds more data than the patch uses", r->name);
    if (r->ended)
        return 0; /* the read found the end marker instead of a byte */
    if (err)
        *err = probe;
    return -1;
}

void bz_reader_close(bz_reader *r)
{
    if (r->started)
        BZ2_bzDecompressEnd(&r->strm);
    r->started = 0;
    free(r->inbuf);
    r->inbuf = NULL;
}
