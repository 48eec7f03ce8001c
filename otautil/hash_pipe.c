/* The hash pipe (otautil/hash.h), for entry digests: a large entry's bytes
 * come out of the zip reader (read, inflated, CRC-checked) in one thread
 * and are hashed in a helper thread, handed over in a ring of a few copied
 * 1 MiB buffers: the two halves of the work then use two cores, and memory
 * stays fixed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"

#define SLOTS 4
#define SLOT_SIZE (1u << 20)
#define MAX_HASHES 4

struct ota_hash_pipe {
    ota_hash *hashes[MAX_HASHES];
    size_t nhashes;
    int threaded;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled, drained;
    uint8_t *slot[SLOTS];
    size_t slot_len[SLOTS];
    size_t head, count; /* slots [head, head + count) wait to be hashed */
    int closing;
};

static void hash_all(ota_hash_pipe *p, const void *data, size_t len)
{
    for (size_t i = 0; i < p->nhashes; i++)
        ota_hash_update(p->hashes[i], data, len);
}

static void *worker(void *arg)
{
    ota_hash_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->count == 0 && !p->closing)
            pthread_cond_wait(&p->filled, &p->mu);
        if (p->count == 0)
            break;
        size_t i = p->head;
        pthread_mutex_unlock(&p->mu);
        hash_all(p, p->slot[i], p->slot_len[i]); /* the producer never touches a queued slot */
        pthread_mutex_lock(&p->mu);
        p->head = (p->head + 1) % SLOTS;
        p->count--;
        pthread_cond_signal(&p->drained);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void free_pipe(ota_hash_pipe *p)
{
    for (size_t i = 0; i < SLOTS; i++)
        free(p->slot[i]);
    free(p);
}

/* Falls back to hashing inline when the helper cannot be had. */
static void start_thread(ota_hash_pipe *p)
{
    for (size_t i = 0; i < SLOTS; i++)
        if (!(p->slot[i] = malloc(SLOT_SIZE)))
            return;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->filled, NULL);
    pthread_cond_init(&p->drained, NULL);
    if (pthread_create(&p->thread, NULL, worker, p) == 0) {
        p->threaded = 1;
        return;
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->filled);
    pthread_cond_destroy(&p->drained);
}

ota_hash_pipe *ota_hash_pipe_start(ota_hash *const *hashes, size_t n, int threaded,
                                   ota_error *err)
{
    ota_hash_pipe *p = calloc(1, sizeof *p);
    if (!p || n > MAX_HASHES) {
        free(p);
        ota_error_set(err, p ? OTA_ERR_ARGS : OTA_ERR_NOMEM, "cannot set up entry hashing");
        return NULL;
    }
    memcpy(p->hashes, hashes, n * sizeof *hashes);
    p->nhashes = n;
    if (threaded)
        start_thread(p);
    return p;
}

int ota_hash_pipe_sink(void *pipe, const void *data, size_t len, ota_error *err)
{
    (void)err;
    ota_hash_pipe *p = pipe;
    if (!p->threaded) {
        hash_all(p, data, len);
        return 0;
    }
    const uint8_t *src = data;
    while (len > 0) {
        size_t n = len < SLOT_SIZE ? len : SLOT_SIZE;
        pthread_mutex_lock(&p->mu);
        while (p->count == SLOTS)
            pthread_cond_wait(&p->drained, &p->mu);
        size_t i = (p->head + p->count) % SLOTS;
        pthread_mutex_unlock(&p->mu);
        memcpy(p->slot[i], src, n); /* slot i is free: the worker only reads queued slots */
        p->slot_len[i] = n;
        pthread_mutex_lock(&p->mu);
        p->count++;
        pthread_cond_signal(&p->filled);
        pthread_mutex_unlock(&p->mu);
        src += n;
        len -= n;
    }
    return 0;
}

void ota_hash_pipe_end(ota_hash_pipe *p)
{
    if (!p)
        return;
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->closing = 1;
        pthread_cond_signal(&p->filled);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->filled);
        pthread_cond_destroy(&p->drained);
    }
    free_pipe(p);
}
