/* Sequential readers (a file descriptor, brotli over another reader, the
 * package's new data by name) and patch data read by offset. */
#include "blockimg/stream.h"

#include <brotli/decode.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"

#define BROTLI_IN 65536
#define SKIP_CHUNK 65536

long long bi_reader_read(bi_reader *r, void *buf, size_t len, ota_error *err)
{
    return r->read(r, buf, len, err);
}

int bi_reader_drain(bi_reader *r, uint64_t *left, ota_error *err)
{
    uint8_t buf[SKIP_CHUNK];
    *left = 0;
    for (;;) {
        long long n = r->read(r, buf, sizeof buf, err);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        *left += (uint64_t)n;
    }
}

void bi_reader_close(bi_reader *r)
{
    if (r)
        r->close(r);
}

/* ---- a file descriptor ----------------------------------------------------- */

typedef struct fd_reader {
    bi_reader base;
    int fd;
    char *shown;
} fd_reader;

static long long fdr_read(bi_reader *base, void *buf, size_t len, ota_error *err)
{
    fd_reader *r = (fd_reader *)base;
    long long n = ota_read_all(r->fd, buf, len, err);
    if (n < 0)
        ota_error_prefix(err, "reading %s", r->shown);
    return n;
}

static void fdr_close(bi_reader *base)
{
    fd_reader *r = (fd_reader *)base;
    free(r->shown);
    free(r);
}

bi_reader *bi_reader_fd(int fd, const char *shown, ota_error *err)
{
    fd_reader *r = calloc(1, sizeof *r);
    if (r)
        r->shown = strdup(shown ? shown : "new data");
    if (!r || !r->shown) {
        free(r);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->base = (bi_reader){fdr_read, fdr_close};
    r->fd = fd;
    return &r->base;
}

/* ---- brotli ------------------------------------------------------------------ */

typedef struct br_reader {
    bi_reader base;
    bi_reader *inner;
    BrotliDecoderState *st;
    char *shown;
    uint8_t in[BROTLI_IN];
    const uint8_t *next_in;
    size_t avail_in;
    int inner_end, finished;
} br_reader;

static long long br_read(bi_reader *base, void *buf, size_t len, ota_error *err)
{
    br_reader *r = (br_reader *)base;
    if (len == 0)
        return 0;
    uint8_t *next_out = buf;
    size_t avail_out = len;
    while (!r->finished && avail_out == len) {
        BrotliDecoderResult res = BrotliDecoderDecompressStream(r->st, &r->avail_in, &r->next_in,
                                                                &avail_out, &next_out, NULL);
        if (res == BROTLI_DECODER_RESULT_ERROR)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: brotli data is corrupt (%s)", r->shown,
                                 BrotliDecoderErrorString(BrotliDecoderGetErrorCode(r->st)));
        if (res == BROTLI_DECODER_RESULT_SUCCESS) {
            r->finished = 1;
            /* Nothing may follow the stream: a list whose data does not
             * end where it says is not what was signed off. */
            uint64_t left = r->avail_in;
            if (r->inner_end == 0) {
                uint64_t more;
                if (bi_reader_drain(r->inner, &more, err) < 0)
                    return -1;
                left += more;
            }
            if (left)
                return ota_error_set(err, OTA_ERR_FORMAT, "%s: %llu bytes after the end of the "
                                     "brotli stream", r->shown, (unsigned long long)left);
        } else if (res == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT && avail_out == len) {
            if (r->inner_end)
                return ota_error_set(err, OTA_ERR_FORMAT, "%s: the brotli stream is truncated",
                                     r->shown);
            long long n = r->inner->read(r->inner, r->in, sizeof r->in, err);
            if (n < 0)
                return -1;
            r->inner_end = n == 0;
            r->next_in = r->in;
            r->avail_in = (size_t)n;
        }
    }
    return (long long)(len - avail_out);
}

static void br_close(bi_reader *base)
{
    br_reader *r = (br_reader *)base;
    bi_reader_close(r->inner);
    if (r->st)
        BrotliDecoderDestroyInstance(r->st);
    free(r->shown);
    free(r);
}

bi_reader *bi_reader_brotli(bi_reader *inner, const char *shown, ota_error *err)
{
    br_reader *r = calloc(1, sizeof *r);
    if (r) {
        r->base = (bi_reader){br_read, br_close};
        r->inner = inner;
        r->st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
        r->shown = strdup(shown ? shown : "new data");
    }
    if (!r || !r->st || !r->shown) {
        if (r)
            br_close(&r->base);
        else
            bi_reader_close(inner);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the brotli decoder");
        return NULL;
    }
    return &r->base;
}

bi_reader *bi_reader_new_data(ota_zip *zip, const char *name, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(zip, name);
    if (!e) {
        ota_error_set(err, OTA_ERR_NOTFOUND, "no entry \"%s\" in %s", name, ota_zip_path(zip));
        return NULL;
    }
    bi_reader *r = bi_reader_zip(zip, e, err);
    size_t n = strlen(name);
    if (r && n > 3 && strcmp(name + n - 3, ".br") == 0)
        r = bi_reader_brotli(r, name, err);
    return r;
}

/* ---- patch data ---------------------------------------------------------------- */

struct bi_patch_data {
    ota_zip *zip;                /* a zip entry, streamed forward ... */
    const ota_zip_entry *entry;
    bi_reader *stream;
    uint64_t pos;                /* bytes of the stream consumed */
    size_t restarts;
    int fd;                      /* ... or a file read with pread */
    uint64_t size;
    char *shown;
};

bi_patch_data *bi_patch_data_zip(ota_zip *zip, const ota_zip_entry *entry, ota_error *err)
{
    bi_patch_data *p = calloc(1, sizeof *p);
    if (p)
        p->shown = strdup(entry->name);
    if (!p || !p->shown) {
        free(p);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->zip = zip;
    p->entry = entry;
    p->size = entry->size;
    p->fd = -1;
    return p;
}

bi_patch_data *bi_patch_data_fd(int fd, const char *shown, ota_error *err)
{
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        ota_error_errno(err, "cannot find the size of %s", shown ? shown : "the patch data");
        return NULL;
    }
    bi_patch_data *p = calloc(1, sizeof *p);
    if (p)
        p->shown = strdup(shown ? shown : "patch data");
    if (!p || !p->shown) {
        free(p);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->fd = fd;
    p->size = (uint64_t)end;
    return p;
}

static int skip(bi_patch_data *p, uint64_t n, ota_error *err)
{
    uint8_t buf[SKIP_CHUNK];
    while (n > 0) {
        size_t want = n < sizeof buf ? (size_t)n : sizeof buf;
        long long got = bi_reader_read(p->stream, buf, want, err);
        if (got < 0)
            return -1;
        if ((size_t)got != want)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s ended early", p->shown);
        p->pos += (uint64_t)got;
        n -= (uint64_t)got;
    }
    return 0;
}

int bi_patch_data_read(bi_patch_data *p, uint64_t offset, void *buf, size_t len, ota_error *err)
{
    if (offset > p->size || len > p->size - offset)
        return ota_error_set(err, OTA_ERR_FORMAT, "patch bytes %llu+%zu are past the end of %s "
                             "(%llu bytes)", (unsigned long long)offset, len, p->shown,
                             (unsigned long long)p->size);
    if (p->fd >= 0) {
        uint8_t *d = buf;
        while (len > 0) {
            ssize_t n = pread(p->fd, d, len, (off_t)offset);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return n < 0 ? ota_error_errno(err, "cannot read %s", p->shown)
                             : ota_error_set(err, OTA_ERR_IO, "%s ended early", p->shown);
            d += n;
            offset += (uint64_t)n;
            len -= (size_t)n;
        }
        return 0;
    }
    if (p->stream && offset < p->pos) {
        /* Patches out of order: start the entry over (still through the
         * zip layer, with all its checks). */
        bi_reader_close(p->stream);
        p->stream = NULL;
        p->restarts++;
    }
    if (!p->stream) {
        if (!(p->stream = bi_reader_zip(p->zip, p->entry, err)))
            return -1;
        p->pos = 0;
    }
    if (skip(p, offset - p->pos, err) < 0)
        return -1;
    long long got = bi_reader_read(p->stream, buf, len, err);
    if (got < 0)
        return -1;
    if ((size_t)got != len)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s ended early", p->shown);
    p->pos += len;
    return 0;
}

uint64_t bi_patch_data_size(const bi_patch_data *p)
{
    return p->size;
}

int bi_patch_data_finish(bi_patch_data *p, ota_error *err)
{
    uint64_t left;
    if (!p->stream)
        return 0;
    if (bi_reader_drain(p->stream, &left, err) < 0)
        return -1;
    p->pos += left;
    return 0;
}

size_t bi_patch_data_restarts(const bi_patch_data *p)
{
    return p->restarts;
}

void bi_patch_data_close(bi_patch_data *p)
{
    if (!p)
        return;
    bi_reader_close(p->stream);
    free(p->shown);
    free(p);
}
