/* Compressing a patch stream with one codec, or with every allowed codec
 * (each on its own thread) keeping the smallest. */
#include "applypatch/codec.h"

#include <pthread.h>
#include <string.h>

/* The order ties are broken in: Android's codecs first. */
static const int order[] = {CODEC_BZ2, CODEC_BROTLI, CODEC_XZ, CODEC_ZSTD};
#define N_CODECS (sizeof order / sizeof order[0])

int codec_compress(int id, const uint8_t *data, size_t len, ota_buf *out, ota_error *err)
{
    static const uint8_t empty[1];
    if (!data)
        data = empty;
    switch (id) {
    case CODEC_BZ2: return codec_compress_bz2(data, len, out, err);
    case CODEC_BROTLI: return codec_compress_brotli(data, len, out, err);
    case CODEC_XZ: return codec_compress_xz(data, len, out, err);
    case CODEC_ZSTD: return codec_compress_zstd(data, len, out, err);
    default: return ota_error_set(err, OTA_ERR_ARGS, "unknown codec %d", id);
    }
}

typedef struct job {
    int id;
    const uint8_t *data;
    size_t len;
    ota_buf out;
    ota_error err;
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    j->rc = codec_compress(j->id, j->data, j->len, &j->out, &j->err);
    return NULL;
}

int codec_compress_best(unsigned set, const uint8_t *data, size_t len, ota_buf *out, int *id,
                        ota_error *err)
{
    job jobs[N_CODECS];
    pthread_t tids[N_CODECS];
    int threaded[N_CODECS] = {0};
    size_t n = 0;
    for (size_t i = 0; i < N_CODECS; i++)
        if (set & codec_set_bit(order[i]))
            jobs[n++] = (job){.id = order[i], .data = data, .len = len};
    if (n == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "no codec to compress with");
    /* The first runs here; the others on threads (or here, when none start). */
    for (size_t i = 1; i < n; i++)
        threaded[i] = pthread_create(&tids[i], NULL, run_job, &jobs[i]) == 0;
    run_job(&jobs[0]);
    for (size_t i = 1; i < n; i++) {
        if (threaded[i])
            pthread_join(tids[i], NULL);
        else
            run_job(&jobs[i]);
    }
    int best = -1, rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].rc < 0) {
            if (err)
                *err = jobs[i].err;
            rc = -1;
        } else if (best < 0 || jobs[i].out.len < jobs[best].out.len) {
            best = (int)i;
        }
    }
    if (rc == 0 && ota_buf_append(out, jobs[best].out.data, jobs[best].out.len, err) < 0)
        rc = -1;
    if (rc == 0)
        *id = jobs[best].id;
    for (size_t i = 0; i < n; i++)
        ota_buf_free(&jobs[i].out);
    return rc;
}
