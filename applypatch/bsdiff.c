/* Making BSDIFF40 and BSDF2 patches in memory: index the source, choose
 * the steps, lay out the three streams, then compress each with the codec
 * (of those allowed) that makes it smallest. */
#include "applypatch/bsdiff.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/bsdiff_internal.h"

/* The three raw streams, laid out from the steps. */
static int build_streams(const bsdiff_steps *s, const uint8_t *old, const uint8_t *new_data,
                         ota_buf raw[3], ota_error *err)
{
    size_t new_pos = 0;
    for (size_t i = 0; i < s->n; i++) {
        const bsdiff_step *st = &s->v[i];
        /* The seek moves the source position from the end of this step's
         * diff to the start of the next one's; after the last step it is
         * never used. */
        int64_t next = i + 1 < s->n ? s->v[i + 1].old_start : st->old_start + st->diff_len;
        uint8_t triple[24];
        bsdiff_put_offset(triple, st->diff_len);
        bsdiff_put_offset(triple + 8, st->extra_len);
        bsdiff_put_offset(triple + 16, next - (st->old_start + st->diff_len));
        if (ota_buf_append(&raw[0], triple, sizeof triple, err) < 0)
            return -1;
        size_t len = (size_t)st->diff_len;
        /* the target bytes, then minus the source in place */
        if (len && ota_buf_append(&raw[1], new_data + new_pos, len, err) < 0)
            return -1;
        uint8_t *d = raw[1].data + raw[1].len - len;
        const uint8_t *o = old + st->old_start;
        for (size_t j = 0; j < len; j++)
            d[j] = (uint8_t)(d[j] - o[j]);
        new_pos += len;
        if (ota_buf_append(&raw[2], new_data + new_pos, (size_t)st->extra_len, err) < 0)
            return -1;
        new_pos += (size_t)st->extra_len;
    }
    return 0;
}

typedef struct stream_job {
    unsigned codecs;
    const ota_buf *raw;
    ota_buf out;
    int codec;
    ota_error err;
    int rc;
} stream_job;

static void *compress_job(void *arg)
{
    stream_job *job = arg;
    job->rc = codec_compress_best(job->codecs, job->raw->data, job->raw->len, &job->out,
                                  &job->codec, &job->err);
    return NULL;
}

/* Compresses the three streams -- the diff stream, about as large as the
 * target, on a second thread -- and lays out header + streams in *patch. */
static int write_patch(const bsdiff_steps *steps, const uint8_t *old, const uint8_t *new_data,
                       size_t new_len, unsigned codecs, uint8_t **patch, size_t *patch_len,
                       ota_error *err)
{
    ota_buf raw[3] = {{0}, {0}, {0}};
    stream_job jobs[3];
    memset(jobs, 0, sizeof jobs);
    int rc = -1;
    if (build_streams(steps, old, new_data, raw, err) < 0)
        goto out;
    for (int i = 0; i < 3; i++) {
        jobs[i].codecs = codecs;
        jobs[i].raw = &raw[i];
    }
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, compress_job, &jobs[1]) == 0;
    if (!threaded)
        compress_job(&jobs[1]); /* no thread: do it here */
    compress_job(&jobs[0]);
    compress_job(&jobs[2]);
    if (threaded)
        pthread_join(tid, NULL);
    for (int i = 0; i < 3; i++)
        if (jobs[i].rc < 0) {
            if (err)
                *err = jobs[i].err;
            goto out;
        }
    size_t total = BSDIFF_HEADER_LEN + jobs[0].out.len + jobs[1].out.len + jobs[2].out.len;
    uint8_t *p = malloc(total);
    if (!p) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a %zu-byte patch", total);
        goto out;
    }
    int codec[3] = {jobs[0].codec, jobs[1].codec, jobs[2].codec};
    bsdiff_write_header(p, codec, jobs[0].out.len, jobs[1].out.len, new_len);
    size_t off = BSDIFF_HEADER_LEN;
    for (int i = 0; i < 3; i++) {
        if (jobs[i].out.len)
            memcpy(p + off, jobs[i].out.data, jobs[i].out.len);
        off += jobs[i].out.len;
    }
    *patch = p;
    *patch_len = total;
    rc = 0;
out:
    for (int i = 0; i < 3; i++) {
        ota_buf_free(&raw[i]);
        ota_buf_free(&jobs[i].out);
    }
    return rc;
}

/* The target is scanned in segments of this size, on parallel threads.
 * The result does not depend on either (see bsdiff_scan). */
#define SEGMENT_BYTES (2u << 20)
#define MAX_SEGMENTS 64
#define MAX_THREADS 8

static int scan_threads(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
}

int bsdiff_create(const uint8_t *old_data, size_t old_len, const uint8_t *new_data,
                  size_t new_len, uint8_t **patch, size_t *patch_len, ota_error *err)
{
    return bsdiff_create_opts(old_data, old_len, new_data, new_len, NULL, patch, patch_len, err);
}

int bsdiff_create_opts(const uint8_t *old_data, size_t old_len, const uint8_t *new_data,
                       size_t new_len, const bsdiff_opts *opts, uint8_t **patch,
                       size_t *patch_len, ota_error *err)
{
    unsigned codecs = opts && opts->codecs ? opts->codecs : CODEC_SET_BZ2;
    if (codecs & ~CODEC_SET_ALL)
        return ota_error_set(err, OTA_ERR_ARGS, "unknown codecs in set 0x%x", codecs);
    static const uint8_t empty[1];
    if (!old_data)
        old_data = empty;
    if (!new_data)
        new_data = empty;
    if (new_len >= (size_t)INT64_MAX / 2)
        return ota_error_set(err, OTA_ERR_LIMIT, "target of %zu bytes is too large", new_len);
    bsdiff_index ix;
    if (bsdiff_index_build(&ix, old_data, old_len, err) < 0)
        return -1;
    bsdiff_steps steps = {0};
    size_t segments = new_len / SEGMENT_BYTES + 1;
    int rc = bsdiff_scan(&ix, new_data, new_len,
                         segments > MAX_SEGMENTS ? MAX_SEGMENTS : (int)segments, scan_threads(),
                         &steps, err);
    bsdiff_index_free(&ix);
    if (rc == 0)
        rc = write_patch(&steps, old_data, new_data, new_len, codecs, patch, patch_len, err);
    free(steps.v);
    return rc;
}
