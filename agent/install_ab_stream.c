/* `ota_agent install URL` on an A/B device with ab_stream=yes: the slot is
 * written while the package downloads, and the package is never stored.
 *
 * The zip layer reads the package through stream_read (ota_zip_open_reader),
 * which serves it from two windows of STREAM_WINDOW bytes filled by HTTP
 * range requests (agent/range_reader.h resumes a cut at the exact byte):
 * the scratch space is 2 x 4 MiB whatever the package's size.  Two
 * windows, because the engine reads a partition's new data and its patch
 * data at once.  otautil/verify_stream.h checks the signature chain down
 * to the manifest before the first write, every entry against the manifest
 * as it is read, and the whole-file signature from the bytes as they pass
 * (a window that starts a little after the digest's position starts at
 * that position instead, so that headers between entries are taken in
 * passing); what the install never read (partitions a resumed run
 * skipped) is read at the end, before the slot is set active. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/install_ab.h"
#include "agent/range_reader.h"
#include "otautil/verify_stream.h"

#define STREAM_WINDOW (4u << 20)
#define STREAM_WINDOWS 2
/* A read this close after the digest's position takes the bytes between. */
#define STREAM_GAP (STREAM_WINDOW / 2)
#define STREAM_ALIGN (64u * 1024)

typedef struct window {
    uint8_t *data;
    uint64_t off;
    size_t len;
    unsigned long used;
} window;

typedef struct ab_stream {
    agent *a;
    agent_range_reader *rr;
    uint64_t size;
    pthread_mutex_t mu;
    window w[STREAM_WINDOWS];
    unsigned long tick;
    ota_stream_verify *sv;
    int failed;
    ota_error err;       /* why a read failed (the zip layer only sees errno) */
} ab_stream;

/* Fills w with the window holding off.  A read that continues the
 * whole-file digest (off at or a little after its position) gets a whole
 * window from that position: the stream itself.  Any other read (the
 * tail, the central directory, the signature files, transfer lists, bytes
 * read again) gets only the STREAM_ALIGN bytes around it, so that nothing
 * is fetched that the stream will fetch again.  A window never reaches
 * into the other one. */
static int fill(ab_stream *s, window *w, uint64_t off)
{
    uint64_t start = off - off % STREAM_ALIGN, span = STREAM_ALIGN;
    if (s->sv) {
        uint64_t at, end;
        ota_stream_verify_next(s->sv, &at, &end);
        if (at <= off && off - at <= STREAM_GAP && at < end) {
            start = at;
            span = STREAM_WINDOW;
        }
    }
    uint64_t stop = s->size - start < span ? s->size : start + span;
    for (size_t i = 0; i < STREAM_WINDOWS; i++) {
        const window *o = &s->w[i];
        if (o != w && o->len && o->off > off && o->off < stop)
            stop = o->off;
        if (o != w && o->len && o->off <= start && start < o->off + o->len)
            start = o->off + o->len > off ? off : o->off + o->len;
    }
    size_t len = (size_t)(stop - start);
    w->len = 0;
    if (agent_range_pread(s->rr, w->data, len, start, &s->err) < 0)
        return -1;
    w->off = start;
    w->len = len;
    s->a->status.fetched = agent_range_received(s->rr);
    if (s->sv)
        ota_stream_verify_update(s->sv, start, w->data, len);
    return 0;
}

static int stream_read(void *ctx, void *buf, size_t len, uint64_t off)
{
    ab_stream *s = ctx;
    if (off > s->size || len > s->size - off) {
        errno = ENODATA;
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    uint8_t *out = buf;
    while (rc == 0 && len > 0) {
        window *hit = NULL, *old = &s->w[0];
        for (size_t i = 0; i < STREAM_WINDOWS; i++) {
            window *w = &s->w[i];
            if (w->len && off >= w->off && off < w->off + w->len)
                hit = w;
            if (w->used < old->used)
                old = w;
        }
        if (!hit && fill(s, old, off) == 0)
            hit = old;
        if (!hit) {
            s->failed = 1;
            rc = -1;
            break;
        }
        hit->used = ++s->tick;
        size_t n = hit->off + hit->len - off < len ? (size_t)(hit->off + hit->len - off) : len;
        memcpy(out, hit->data + (off - hit->off), n);
        out += n;
        off += n;
        len -= n;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc < 0)
        errno = EIO;
    return rc;
}

/* Reads what the whole-file digest has not taken, then checks it. */
static int finish_signature(ab_job *j, ota_error *err)
{
    ab_stream *s = j->stream;
    uint64_t at, end;
    uint8_t buf[64 * 1024];
    for (ota_stream_verify_next(s->sv, &at, &end); at < end;
         ota_stream_verify_next(s->sv, &at, &end)) {
        size_t n = end - at < sizeof buf ? (size_t)(end - at) : sizeof buf;
        if (stream_read(s, buf, n, at) < 0) {
            *err = s->err;
            return -1;
        }
    }
    agent_set_state(j->a, AGENT_VERIFYING);
    if (ota_stream_verify_finish(s->sv, err) < 0)
        return -1;
    agent_log(j->a, "whole-file signature verified (%llu bytes fetched for %llu)",
              (unsigned long long)agent_range_received(s->rr), (unsigned long long)s->size);
    return 0;
}

static void stream_close(ab_stream *s)
{
    ota_stream_verify_free(s->sv);
    for (size_t i = 0; i < STREAM_WINDOWS; i++)
        free(s->w[i].data);
    agent_range_close(s->rr);
    pthread_mutex_destroy(&s->mu);
}

static int stream_open(ab_stream *s, agent *a, const char *url, ota_error *err)
{
    memset(s, 0, sizeof *s);
    s->a = a;
    pthread_mutex_init(&s->mu, NULL);
    for (size_t i = 0; i < STREAM_WINDOWS; i++)
        if (!(s->w[i].data = malloc(STREAM_WINDOW)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (!(s->rr = agent_range_open(a->http, url, &a->cfg.retry, err)) ||
        agent_range_size(s->rr, &s->size, err) < 0)
        return -1;
    return 0;
}

int ab_install_url(agent *a, const agent_source *src, ota_error *err)
{
    snprintf(a->status.package_url, sizeof a->status.package_url, "%s", src->url);
    a->status.package_path[0] = '\0';
    snprintf(a->status.target_build, sizeof a->status.target_build, "%s",
             src->target_build ? src->target_build : "");
    a->status.fetched = 0;
    agent_set_state(a, AGENT_VERIFYING);
    ab_stream s;
    ab_job j = {.a = a, .shown = src->url, .stream = &s, .before_activate = finish_signature};
    int rc = stream_open(&s, a, src->url, err);
    if (rc == 0 && src->size && s.size != src->size)
        rc = ota_error_set(err, OTA_ERR_VERIFY, "%s is %llu bytes, the channel said %llu",
                           src->url, (unsigned long long)s.size, (unsigned long long)src->size);
    ota_keyset *keys = rc == 0 ? ota_keyset_load(a->cfg.keys, err) : NULL;
    if (rc == 0 && !keys)
        rc = -1;
    if (rc == 0) {
        ota_verify_info info;
        s.sv = ota_stream_verify_begin(stream_read, &s, s.size, src->url, keys, &j.zip, &info,
                                       err);
        if (!s.sv) {
            rc = -1;
        } else {
            ota_verified_token(&info, j.token);
            agent_log(a, "package signature chain verified (v1 JAR; whole-file %s checked as "
                      "it streams); streaming %s", info.hash_name, src->url);
            /* What was read before the digest existed, in file order. */
            window *lo = &s.w[0], *hi = &s.w[1];
            if (hi->len && (!lo->len || hi->off < lo->off)) {
                lo = &s.w[1];
                hi = &s.w[0];
            }
            if (lo->len)
                ota_stream_verify_update(s.sv, lo->off, lo->data, lo->len);
            if (hi->len)
                ota_stream_verify_update(s.sv, hi->off, hi->data, hi->len);
        }
    }
    if (rc == 0)
        rc = ab_install(&j, src, err);
    if (rc < 0 && s.failed && s.err.code != OTA_OK && err)
        *err = s.err; /* the network's reason, not the zip layer's EIO */
    ab_job_free(&j);
    stream_close(&s);
    ota_keyset_free(keys); /* after the stream: the whole-file check uses its key */
    return rc;
}
