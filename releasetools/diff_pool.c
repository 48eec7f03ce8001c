#include "releasetools/diff_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "applypatch/bsdiff.h"
#include "applypatch/imgdiff.h"
#include "otautil/zip.h"

int rt_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* A real gzip member, not three bytes that look like one: the header's
 * reserved flag bits are clear and what follows inflates. */
static int gzip_member_at(const uint8_t *p, size_t left)
{
    if (left < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & 0xe0))
        return 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + 15) != Z_OK)
        return 0;
    uint8_t out[256];
    zs.next_in = (Bytef *)p;
    zs.avail_in = (uInt)(left > 4096 ? 4096 : left);
    zs.next_out = out;
    zs.avail_out = sizeof out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    int produced = sizeof out - zs.avail_out;
    inflateEnd(&zs);
    return (rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR) && produced > 0;
}

/* The magic of an LZ4 stream (legacy, as a bzImage's kernel, or frame). */
static int has_lz4(const uint8_t *data, size_t len)
{
    static const uint8_t legacy[4] = {0x02, 0x21, 0x4c, 0x18}, frame[4] = {0x04, 0x22, 0x4d, 0x18};
    return memmem(data, len, legacy, 4) || memmem(data, len, frame, 4);
}

int rt_imgdiff_kind(const uint8_t *data, size_t len)
{
    if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
        return 2;
    if (has_lz4(data, len))
        return 1;
    for (size_t i = 0; i + 3 <= len; i++) {
        const uint8_t *hit = memchr(data + i, 0x1f, len - i);
        if (!hit)
            break;
        i = (size_t)(hit - data);
        if (gzip_member_at(hit, len - i))
            return 1;
    }
    return 0;
}

/* A job's shared state while its bsdiff and imgdiff tasks run. */
typedef struct rt_diff_work {
    uint8_t *src, *tgt;
    size_t src_len, tgt_len;
    int src_owned, tgt_owned;
    int kind;                  /* rt_imgdiff_kind of the target */
    int tasks_left;            /* tasks not finished yet */
    uint8_t *img;              /* the imgdiff patch, if one was made */
    size_t img_len;
} rt_diff_work;

typedef struct pool {
    rt_diff_job *jobs;
    size_t *order;
    size_t n, next;
    size_t *img_queue;         /* jobs whose imgdiff waits for a worker */
    size_t img_head, img_tail;
    const char *src_zip, *tgt_zip;
    const rt_progress *progress;
    enum rt_patch_formats formats;
    uint64_t done_bytes, total_bytes;
    int failed;
    ota_error err;
    pthread_mutex_t lock;
} pool;

typedef struct worker {
    pool *p;
    ota_zip *src, *tgt;
} worker;

/* Job input: from memory, or read from this worker's own zip reader. */
static int load(worker *w, const char *entry, const uint8_t *mem, size_t mem_len, int target,
                uint8_t **data, size_t *len, int *owned, ota_error *err)
{
    *owned = 0;
    if (!entry) {
        *data = (uint8_t *)mem;
        *len = mem_len;
        return 0;
    }
    ota_zip **zp = target ? &w->tgt : &w->src;
    const char *path = target ? w->p->tgt_zip : w->p->src_zip;
    if (!*zp && !(*zp = ota_zip_open(path, err)))
        return -1;
    const ota_zip_entry *e = ota_zip_find(*zp, entry);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no entry %s", path, entry);
    if (ota_zip_read(*zp, e, data, len, 0, err) < 0)
        return -1;
    *owned = 1;
    return 0;
}

static void fail_locked(pool *p, const ota_error *err)
{
    if (!p->failed) {
        p->failed = 1;
        p->err = *err;
    }
}

/* Called with the lock held when a job's last task ends: keeps the smaller
 * patch, frees the inputs, counts the progress. */
static void finish_job(pool *p, rt_diff_job *job)
{
    rt_diff_work *w = job->work;
    if (w->img && job->patch && w->img_len < job->patch_len) {
        free(job->patch);
        job->patch = w->img;
        job->patch_len = w->img_len;
        job->is_imgdiff = 1;
    } else {
        free(w->img);
    }
    if (w->src_owned)
        free(w->src);
    if (w->tgt_owned)
        free(w->tgt);
    free(w);
    job->work = NULL;
    ota_error err;
    ota_error_clear(&err);
    if (job->done && job->patch && job->done(job->ctx, job, &err) < 0)
        fail_locked(p, &err);
    p->done_bytes += job->weight;
    rt_progress_report(p->progress, "diffing", p->done_bytes, p->total_bytes);
}

/* The first task of a job: loads the inputs, hands the imgdiff (when the
 * data suits it) to the queue, makes the bsdiff. */
static void run_bsdiff(worker *wk, rt_diff_job *job)
{
    pool *p = wk->p;
    ota_error err;
    ota_error_clear(&err);
    rt_diff_work *w = calloc(1, sizeof *w);
    int rc = w ? 0 : ota_error_set(&err, OTA_ERR_NOMEM, "out of memory");
    if (rc == 0 && job->load) {
        if ((rc = job->load(job->ctx, 0, &w->src, &w->src_len, &err)) == 0)
            w->src_owned = 1;
        if (rc == 0 && (rc = job->load(job->ctx, 1, &w->tgt, &w->tgt_len, &err)) == 0)
            w->tgt_owned = 1;
    } else if (rc == 0) {
        rc = load(wk, job->src_entry, job->src_data, job->src_len, 0, &w->src, &w->src_len,
                  &w->src_owned, &err);
        if (rc == 0)
            rc = load(wk, job->tgt_entry, job->tgt_data, job->tgt_len, 1, &w->tgt, &w->tgt_len,
                      &w->tgt_owned, &err);
    }
    pthread_mutex_lock(&p->lock);
    if (rc < 0) {
        ota_error_prefix(&err, "diffing %s", job->name);
        fail_locked(p, &err);
        if (w) {
            if (w->src_owned)
                free(w->src);
            free(w);
        }
        pthread_mutex_unlock(&p->lock);
        return;
    }
    job->work = w;
    w->kind = rt_imgdiff_kind(w->tgt, w->tgt_len);
    w->tasks_left = w->kind ? 2 : 1;
    if (w->kind)
        p->img_queue[p->img_tail++] = (size_t)(job - p->jobs);
    pthread_mutex_unlock(&p->lock);

    bsdiff_opts bo = {.codecs = p->formats == RT_PATCH_ANDROID ? CODEC_SET_BZ2 : CODEC_SET_ALL};
    rc = bsdiff_create_opts(w->src, w->src_len, w->tgt, w->tgt_len, &bo, &job->patch, &job->patch_len, &err);
    pthread_mutex_lock(&p->lock);
    if (rc < 0) {
        ota_error_prefix(&err, "diffing %s", job->name);
        fail_locked(p, &err);
    }
    if (--w->tasks_left == 0)
        finish_job(p, job);
    pthread_mutex_unlock(&p->lock);
}

static void run_imgdiff(pool *p, rt_diff_job *job)
{
    rt_diff_work *w = job->work;
    int extended = p->formats != RT_PATCH_ANDROID;
    imgdiff_opts o = {.zip_mode = w->kind == 2,
                      .extended = extended,
                      .codecs = extended ? CODEC_SET_ALL : CODEC_SET_BZ2};
    uint8_t *img = NULL;
    size_t img_len = 0;
    ota_error ignored;
    /* imgdiff is an optimisation here: when it cannot handle the data (a
     * damaged archive), the bsdiff patch stands. */
    int rc = imgdiff_create(w->src, w->src_len, w->tgt, w->tgt_len, &o, &img, &img_len, &ignored);
    pthread_mutex_lock(&p->lock);
    if (rc == 0) {
        w->img = img;
        w->img_len = img_len;
    }
    if (--w->tasks_left == 0)
        finish_job(p, job);
    pthread_mutex_unlock(&p->lock);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->failed) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        if (p->img_head < p->img_tail) {
            rt_diff_job *job = &p->jobs[p->img_queue[p->img_head++]];
            pthread_mutex_unlock(&p->lock);
            run_imgdiff(p, job);
            continue;
        }
        if (p->next == p->n) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        rt_diff_job *job = &p->jobs[p->order[p->next++]];
        pthread_mutex_unlock(&p->lock);
        run_bsdiff(w, job);
    }
    ota_zip_close(w->src);
    ota_zip_close(w->tgt);
    return NULL;
}

typedef struct ordered {
    uint64_t weight;
    const char *name;
    size_t index;
} ordered;

static int by_weight_desc(const void *a, const void *b)
{
    const ordered *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return strcmp(x->name, y->name);
}

int rt_diff_run(rt_diff_job *jobs, size_t n, const char *src_zip, const char *tgt_zip,
                int threads, enum rt_patch_formats formats, const rt_progress *progress,
                ota_error *err)
{
    if (n == 0)
        return 0;
    if (threads <= 0)
        threads = rt_cpu_count();
    if ((size_t)threads > n)
        threads = (int)n;
    pool p = {.jobs = jobs,
              .n = n,
              .src_zip = src_zip,
              .tgt_zip = tgt_zip,
              .progress = progress,
              .formats = formats};
    p.order = malloc(n * sizeof *p.order);
    p.img_queue = malloc(n * sizeof *p.img_queue);
    worker *workers = calloc((size_t)threads, sizeof *workers);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!p.order || !p.img_queue || !workers || !tids) {
        free(p.order);
        free(p.img_queue);
        free(workers);
        free(tids);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    ordered *sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        free(p.order);
        free(p.img_queue);
        free(workers);
        free(tids);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        sorted[i] = (ordered){jobs[i].weight, jobs[i].name, i};
        p.total_bytes += jobs[i].weight;
    }
    qsort(sorted, n, sizeof *sorted, by_weight_desc);
    for (size_t i = 0; i < n; i++)
        p.order[i] = sorted[i].index;
    free(sorted);
    pthread_mutex_init(&p.lock, NULL);
    int started = 0;
    for (int i = 0; i < threads; i++) {
        workers[i].p = &p;
        if (pthread_create(&tids[i], NULL, worker_main, &workers[i]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        /* No thread could start: do the work on this one. */
        workers[0].p = &p;
        worker_main(&workers[0]);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&p.lock);
    /* After a failure, jobs may have been left half-done: free their inputs. */
    for (size_t i = 0; i < n; i++) {
        rt_diff_work *w = jobs[i].work;
        if (!w)
            continue;
        if (w->src_owned)
            free(w->src);
        if (w->tgt_owned)
            free(w->tgt);
        free(w->img);
        free(w);
        jobs[i].work = NULL;
    }
    free(p.order);
    free(p.img_queue);
    free(workers);
    free(tids);
    if (p.failed) {
        if (err)
            *err = p.err;
        return -1;
    }
    return 0;
}

void rt_diff_jobs_free(rt_diff_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(jobs[i].patch);
        jobs[i].patch = NULL;
    }
}
