/* Reading one compressed stream of a patch: the input side (a byte range
 * of a memory or callback input, read in buffer-sized pieces) and the
 * checks every codec shares (truncation, no progress, leftover data).  The
 * codecs themselves are in codec_*_dec.c. */
#include "applypatch/codec.h"

#include <stdlib.h>
#include <string.h>

static const codec_decoder *decoder_of(int id)
{
    switch (id) {
    case CODEC_BZ2: return &codec_bz2_decoder;
    case CODEC_BROTLI: return &codec_brotli_decoder;
    case CODEC_XZ: return &codec_xz_decoder;
    case CODEC_ZSTD: return &codec_zstd_decoder;
    default: return NULL;
    }
}

int codec_reader_open(codec_reader *r, int id, const char *format, const char *name,
                      const patch_input *in, uint64_t off, uint64_t len, size_t inbuf_cap,
                      unsigned flags, ota_error *err)
{
    memset(r, 0, sizeof *r);
    r->format = format;
    r->name = name;
    r->in = in;
    r->off = off;
    r->end = off + len;
    r->next_in = (const uint8_t *)""; /* never NULL, even with nothing in it */
    r->dec = decoder_of(id);
    if (!r->dec)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s %s stream: unknown compression type %d",
                             format, name, id);
    if (off > in->size || len > in->size - off)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s %s stream at %llu+%llu runs past the %llu-byte patch", format,
                             name, (unsigned long long)off, (unsigned long long)len,
                             (unsigned long long)in->size);
    if (!in->data) {
        r->inbuf_cap = inbuf_cap ? inbuf_cap : 1;
        r->inbuf = malloc(r->inbuf_cap);
        if (!r->inbuf)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the %s stream's buffer",
                                 name);
    }
    if (r->dec->init(&r->state, flags, err) < 0) {
        ota_error_prefix(err, "%s %s stream", format, name);
        free(r->inbuf);
        r->inbuf = NULL;
        return -1;
    }
    r->started = 1;
    return 0;
}

/* Gives the decoder more of the range: 1, 0 when none is left, -1. */
static int refill(codec_reader *r, ota_error *err)
{
    uint64_t left = r->end - r->off;
    if (left == 0)
        return 0;
    if (r->in->data) {
        /* Memory: all of it at once (in pieces a size_t can count). */
        size_t step = left > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)left;
        r->next_in = r->in->data + r->off;
        r->avail_in = step;
        r->off += step;
        return 1;
    }
    size_t want = left < r->inbuf_cap ? (size_t)left : r->inbuf_cap;
    if (r->in->read(r->in->ctx, r->off, r->inbuf, want, err) < 0) {
        ota_error_prefix(err, "reading the patch's %s stream at offset %llu", r->name,
                         (unsigned long long)r->off);
        return -1;
    }
    r->off += want;
    r->next_in = r->inbuf;
    r->avail_in = want;
    return 1;
}

int codec_reader_read_some(codec_reader *r, uint8_t *out, size_t len, size_t *got,
                           ota_error *err)
{
    *got = 0;
    while (len > 0 && !r->ended) {
        /* The decoder may still hold output with no input left, so an
         * exhausted range is only an error once it stops making bytes. */
        int exhausted = 0;
        if (r->avail_in == 0) {
            int more = refill(r, err);
            if (more < 0)
                return -1;
            exhausted = more == 0;
        }
        if (exhausted && !r->used && r->dec->empty_ok) {
            r->ended = 1; /* an empty range: an empty stream */
            break;
        }
        size_t in_before = r->avail_in, made = 0;
        const char *why = NULL;
        int res = r->dec->step(r->state, &r->next_in, &r->avail_in, out, len, &made, &why);
        r->used = 1;
        if (res == CODEC_STEP_END)
            r->ended = 1;
        else if (res == CODEC_STEP_ERROR)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s %s stream: %s %s", r->format, r->name,
                                 codec_name(r->dec->id), why ? why : "error");
        else if (made == 0 && r->avail_in == in_before && exhausted)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s %s stream is truncated: %zu more bytes needed", r->format,
                                 r->name, len);
        else if (made == 0 && r->avail_in == in_before)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s %s stream: %s made no progress (%zu bytes needed)",
                                 r->format, r->name, codec_name(r->dec->id), len);
        *got += made;
        out += made;
        len -= made;
    }
    return 0;
}

int codec_reader_read(codec_reader *r, uint8_t *out, size_t len, ota_error *err)
{
    while (len > 0) {
        size_t got;
        if (codec_reader_read_some(r, out, len, &got, err) < 0)
            return -1;
        if (got == 0)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s %s stream ends early: %zu more bytes needed", r->format,
                                 r->name, len);
        out += got;
        len -= got;
    }
    return 0;
}

int codec_reader_expect_end(codec_reader *r, ota_error *err)
{
    uint8_t extra;
    ota_error probe;
    if (r->ended)
        return 0;
    if (codec_reader_read(r, &extra, 1, &probe) == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s %s stream holds more data than the patch uses",
                             r->format, r->name);
    if (r->ended)
        return 0; /* the read found the end marker instead of a byte */
    if (err)
        *err = probe;
    return -1;
}

void codec_reader_close(codec_reader *r)
{
    if (r->started)
        r->dec->end(r->state);
    r->started = 0;
    r->state = NULL;
    free(r->inbuf);
    r->inbuf = NULL;
}
