/* A pull reader over the zip layer's push API: ota_zip_stream runs in a
 * producer thread whose sink blocks until read() asks for bytes, then
 * copies straight into the caller's buffer.  Memory stays at the zip
 * layer's own buffers whatever the entry's size. */
#include "blockimg/stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct zip_reader {
    bi_reader base;
    ota_zip *zip;
    const ota_zip_entry *entry;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* The request read() posts and the sink fills. */
    uint8_t *dst;
    size_t want, got;
    int done;      /* the producer has returned */
    int stopping;  /* close() wants the producer gone */
    int rc;        /* the producer's result */
    ota_error perr;
} zip_reader;

static int hand_over(void *ctx, const void *data, size_t len, ota_error *err)
{
    zip_reader *r = ctx;
    const uint8_t *p = data;
    pthread_mutex_lock(&r->mu);
    while (len > 0) {
        while (!r->stopping && (!r->dst || r->got == r->want))
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->stopping) {
            pthread_mutex_unlock(&r->mu);
            return ota_error_set(err, OTA_ERR_ABORTED, "reading %s stopped", r->entry->name);
        }
        size_t n = r->want - r->got < len ? r->want - r->got : len;
        memcpy(r->dst + r->got, p, n);
        r->got += n;
        p += n;
        len -= n;
        if (r->got == r->want)
            pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static void *produce(void *arg)
{
    zip_reader *r = arg;
    ota_error err;
    ota_error_clear(&err);
    int rc = ota_zip_stream(r->zip, r->entry, hand_over, r, &err);
    pthread_mutex_lock(&r->mu);
    r->rc = rc;
    r->perr = err;
    r->done = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static long long zr_read(bi_reader *base, void *buf, size_t len, ota_error *err)
{
    zip_reader *r = (zip_reader *)base;
    pthread_mutex_lock(&r->mu);
    r->dst = buf;
    r->want = len;
    r->got = 0;
    pthread_cond_broadcast(&r->cv);
    while (r->got < r->want && !r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    size_t got = r->got;
    r->dst = NULL;
    r->want = r->got = 0;
    int failed = r->done && r->rc < 0 && got < len;
    ota_error perr = r->perr;
    pthread_mutex_unlock(&r->mu);
    if (failed && got == 0) {
        if (err)
            *err = perr;
        return -1;
    }
    return (long long)got;
}

static void zr_close(bi_reader *base)
{
    zip_reader *r = (zip_reader *)base;
    pthread_mutex_lock(&r->mu);
    r->stopping = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}

bi_reader *bi_reader_zip(ota_zip *zip, const ota_zip_entry *entry, ota_error *err)
{
    zip_reader *r = calloc(1, sizeof *r);
    if (!r) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->base = (bi_reader){zr_read, zr_close};
    r->zip = zip;
    r->entry = entry;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    int e = pthread_create(&r->thread, NULL, produce, r);
    if (e != 0) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        ota_error_set(err, OTA_ERR_NOMEM, "cannot start a thread to read %s", entry->name);
        return NULL;
    }
    return &r->base;
}
