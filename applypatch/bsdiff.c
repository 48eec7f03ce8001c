/* Making BSDIFF40 patches in memory: index the source, choose the steps,
 * then compress the three streams -- the diff stream (as large as the
 * target) on a second thread while this one does control and extra. */
#include "applypatch/bsdiff.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/bsdiff_private.h"

typedef struct stream_job {
    const bsdiff_steps *steps;
    const uint8_t *old, *new_data;
    ota_buf out;
    ota_error err;
    int rc;
} stream_job;

static int write_control(stream_job *job)
{
    bz_writer w;
    if (bz_writer_init(&w, &job->out, &job->err) < 0)
        return -1;
    const bsdiff_steps *s = job->steps;
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
        if (bz_writer_write(&w, triple, sizeof triple, &job->err) < 0) {
            bz_writer_abort(&w);
            return -1;
        }
    }
    return bz_writer_finish(&w, &job->err);
}

static int write_diff(stream_job *job)
{
    bz_writer w;
    if (bz_writer_init(&w, &job->out, &job->err) < 0)
        return -1;
    uint8_t chunk[1 << 16];
    size_t fill = 0, new_pos = 0;
    const bsdiff_steps *s = job->steps;
    for (size_t i = 0; i < s->n; i++) {
        const uint8_t *o = job->old + s->v[i].old_start;
        const uint8_t *n = job->new_data + new_pos;
        size_t len = (size_t)s->v[i].diff_len;
        for (size_t j = 0; j < len; j++) {
            chunk[fill++] = (uint8_t)(n[j] - o[j]);
            if (fill == sizeof chunk) {
                if (bz_writer_write(&w, chunk, fill, &job->err) < 0)
                    goto fail;
                fill = 0;
            }
        }
        new_pos += len + (size_t)s->v[i].extra_len;
    }
    if (bz_writer_write(&w, chunk, fill, &job->err) < 0)
        goto fail;
    return bz_writer_finish(&w, &job->err);
fail:
    bz_writer_abort(&w);
    return -1;
}

static int write_extra(stream_job *job)
{
    bz_writer w;
    if (bz_writer_init(&w, &job->out, &job->err) < 0)
        return -1;
    size_t new_pos = 0;
    const bsdiff_steps *s = job->steps;
    for (size_t i = 0; i < s->n; i++) {
        new_pos += (size_t)s->v[i].diff_len;
        if (bz_writer_write(&w, job->new_data + new_pos, (size_t)s->v[i].extra_len,
                            &job->err) < 0) {
            bz_writer_abort(&w);
            return -1;
        }
        new_pos += (size_t)s->v[i].extra_len;
    }
    return bz_writer_finish(&w, &job->err);
}

static void *diff_thread(void *arg)
{
    stream_job *job = arg;
    job->rc = write_diff(job);
    return NULL;
}

/* Compresses the three streams and lays out header + streams in *patch. */
static int write_patch(const bsdiff_steps *steps, const uint8_t *old, const uint8_t *new_data,
                       size_t new_len, uint8_t **patch, size_t *patch_len, ota_error *err)
{
    stream_job jobs[3];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 3; i++) {
        jobs[i].steps = steps;
        jobs[i].old = old;
        jobs[i].new_data = new_data;
    }
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, diff_thread, &jobs[1]) == 0;
    if (!threaded)
        jobs[1].rc = write_diff(&jobs[1]); /* no thread: do it here */
    jobs[0].rc = write_control(&jobs[0]);
    jobs[2].rc = jobs[0].rc < 0 ? -1 : write_extra(&jobs[2]);
    if (threaded)
        pthread_join(tid, NULL);

    int rc = -1;
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
    memcpy(p, BSDIFF_MAGIC, 8);
    bsdiff_put_offset(p + 8, (int64_t)jobs[0].out.len);
    bsdiff_put_offset(p + 16, (int64_t)jobs[1].out.len);
    bsdiff_put_offset(p + 24, (int64_t)new_len);
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
    for (int i = 0; i < 3; i++)
        ota_buf_free(&jobs[i].out);
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
        rc = write_patch(&steps, old_data, new_data, new_len, patch, patch_len, err);
    free(steps.v);
    return rc;
}
