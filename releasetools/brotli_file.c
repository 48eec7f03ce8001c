#include "releasetools/brotli_file.h"

#include <brotli/encode.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"

#define OUT_CHUNK (1u << 20)

struct rt_brotli_file {
    BrotliEncoderState *enc;
    int fd;
    char *path;
    uint8_t *out;
    uint64_t written;
    int failed;
};

rt_brotli_file *rt_brotli_create(const char *path, int quality, ota_error *err)
{
    rt_brotli_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path)) || !(f->out = malloc(OUT_CHUNK)) ||
        !(f->enc = BrotliEncoderCreateInstance(NULL, NULL, NULL))) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    BrotliEncoderSetParameter(f->enc, BROTLI_PARAM_QUALITY, (uint32_t)quality);
    BrotliEncoderSetParameter(f->enc, BROTLI_PARAM_LGWIN, BROTLI_DEFAULT_WINDOW);
    if ((f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        ota_error_errno(err, "cannot create %s", path);
        goto fail;
    }
    return f;
fail:
    if (f) {
        if (f->enc)
            BrotliEncoderDestroyInstance(f->enc);
        free(f->out);
        free(f->path);
        free(f);
    }
    return NULL;
}

/* Feeds input (len may be 0) with op, writing out whatever comes. */
static int pump(rt_brotli_file *f, const uint8_t *data, size_t len, BrotliEncoderOperation op,
                ota_error *err)
{
    size_t avail_in = len;
    const uint8_t *next_in = data;
    for (;;) {
        size_t avail_out = OUT_CHUNK;
        uint8_t *next_out = f->out;
        if (!BrotliEncoderCompressStream(f->enc, op, &avail_in, &next_in, &avail_out, &next_out,
                                         NULL))
            return ota_error_set(err, OTA_ERR_IO, "%s: brotli failed", f->path);
        size_t n = OUT_CHUNK - avail_out;
        if (n && ota_write_all(f->fd, f->out, n, err) < 0) {
            ota_error_prefix(err, "%s", f->path);
            return -1;
        }
        f->written += n;
        int more = op == BROTLI_OPERATION_FINISH ? !BrotliEncoderIsFinished(f->enc)
                                                 : avail_in > 0 || BrotliEncoderHasMoreOutput(f->enc);
        if (!more)
            return 0;
    }
}

int rt_brotli_write(rt_brotli_file *f, const void *data, size_t len, ota_error *err)
{
    if (f->failed)
        return ota_error_set(err, OTA_ERR_IO, "%s: an earlier write failed", f->path);
    if (len && pump(f, data, len, BROTLI_OPERATION_PROCESS, err) < 0) {
        f->failed = 1;
        return -1;
    }
    return 0;
}

int rt_brotli_close(rt_brotli_file *f, uint64_t *compressed, ota_error *err)
{
    int rc = f->failed ? ota_error_set(err, OTA_ERR_IO, "%s: an earlier write failed", f->path)
                       : pump(f, NULL, 0, BROTLI_OPERATION_FINISH, err);
    if (close(f->fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", f->path);
    if (rc < 0)
        unlink(f->path);
    else if (compressed)
        *compressed = f->written;
    BrotliEncoderDestroyInstance(f->enc);
    free(f->out);
    free(f->path);
    free(f);
    return rc;
}
