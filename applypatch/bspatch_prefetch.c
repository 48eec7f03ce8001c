/* Read-ahead of one patch stream on a second thread.  Applying a patch is
 * almost all decompression, and the diff and extra streams are
 * independent: decompressing the diff stream here while the caller works
 * through control and extra lets two cores share the work.  The stream is
 * handed over in a small ring of slots, so memory stays SLOTS * slot_len. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/bsdiff_internal.h"

#define SLOTS 4

struct stream_prefetch {
    codec_reader *r;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t data_ready, space_free;
    uint8_t *slot[SLOTS];
    size_t fill[SLOTS], slot_len;
    int head, count; /* the consumer reads slot[head]; count slots are full */
    size_t head_off; /* bytes of slot[head] already taken */
    int done;        /* the producer has stopped: stream end or error */
    int failed;      /* ... with this error, after the data before it */
    ota_error error;
    int stop; /* the consumer wants the producer gone */
};

static void *producer(void *arg)
{
    stream_prefetch *p = arg;
    int tail = 0;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->count == SLOTS && !p->stop)
            pthread_cond_wait(&p->space_free, &p->lock);
        int stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            return NULL;

        /* Fill a whole slot (or up to the stream's end) outside the lock:
         * fewer hand-overs. */
        size_t filled = 0;
        int rc = 0;
        ota_error err;
        while (filled < p->slot_len && !p->r->ended && rc == 0) {
            size_t got = 0;
            rc = codec_reader_read_some(p->r, p->slot[tail] + filled, p->slot_len - filled, &got,
                                     &err);
            filled += got; /* on error: the bytes made before it */
        }

        pthread_mutex_lock(&p->lock);
        if (filled > 0) {
            p->fill[tail] = filled;
            tail = (tail + 1) % SLOTS;
            p->count++;
        }
        if (rc < 0) {
            p->failed = 1;
            p->error = err;
        }
        p->done = rc < 0 || p->r->ended;
        int finished = p->done;
        pthread_cond_signal(&p->data_ready);
        pthread_mutex_unlock(&p->lock);
        if (finished)
            return NULL;
    }
}

stream_prefetch *stream_prefetch_start(codec_reader *r, size_t slot_len)
{
    stream_prefetch *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->r = r;
    p->slot_len = slot_len;
    for (int i = 0; i < SLOTS; i++)
        if (!(p->slot[i] = malloc(slot_len)))
            goto fail;
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&p->data_ready, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&p->space_free, NULL) != 0)
        goto fail_data;
    if (pthread_create(&p->thread, NULL, producer, p) != 0)
        goto fail_space;
    return p;
fail_space:
    pthread_cond_destroy(&p->space_free);
fail_data:
    pthread_cond_destroy(&p->data_ready);
fail_lock:
    pthread_mutex_destroy(&p->lock);
fail:
    for (int i = 0; i < SLOTS; i++)
        free(p->slot[i]);
    free(p);
    return NULL;
}

int stream_prefetch_read(stream_prefetch *p, uint8_t *out, size_t len, ota_error *err)
{
    while (len > 0) {
        pthread_mutex_lock(&p->lock);
        while (p->count == 0 && !p->done)
            pthread_cond_wait(&p->data_ready, &p->lock);
        if (p->count == 0) {
            int failed = p->failed;
            pthread_mutex_unlock(&p->lock);
            if (failed) {
                if (err)
                    *err = p->error;
                return -1;
            }
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s %s stream ends early: %zu more bytes needed",
                                 p->r->format, p->r->name, len);
        }
        /* slot[head] is the consumer's until it gives it back. */
        int head = p->head;
        size_t avail = p->fill[head] - p->head_off;
        pthread_mutex_unlock(&p->lock);

        size_t n = len < avail ? len : avail;
        memcpy(out, p->slot[head] + p->head_off, n);
        out += n;
        len -= n;
        p->head_off += n;
        if (p->head_off == p->fill[head]) {
            pthread_mutex_lock(&p->lock);
            p->head = (head + 1) % SLOTS;
            p->head_off = 0;
            p->count--;
            pthread_cond_signal(&p->space_free);
            pthread_mutex_unlock(&p->lock);
        }
    }
    return 0;
}

int stream_prefetch_expect_end(stream_prefetch *p, ota_error *err)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->data_ready, &p->lock);
    int rc = 0;
    if (p->count > 0)
        rc = ota_error_set(err, OTA_ERR_FORMAT,
                           "%s %s stream holds more data than the patch uses", p->r->format,
                           p->r->name);
    else if (p->failed) {
        if (err)
            *err = p->error;
        rc = -1;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void stream_prefetch_stop(stream_prefetch *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->space_free);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->space_free);
    pthread_cond_destroy(&p->data_ready);
    pthread_mutex_destroy(&p->lock);
    for (int i = 0; i < SLOTS; i++)
        free(p->slot[i]);
    free(p);
}
