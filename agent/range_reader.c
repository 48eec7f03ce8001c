#include "agent/range_reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct agent_range_reader {
    agent_http *http;
    char *url;
    agent_retry_policy policy;
    int pinned;            /* size and validator known */
    uint64_t size;
    int size_known;
    char validator[256];
    uint64_t received;
    unsigned requests;
};

agent_range_reader *agent_range_open(agent_http *h, const char *url,
                                     const agent_retry_policy *policy, ota_error *err)
{
    agent_range_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->url = strdup(url))) {
        free(r);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->http = h;
    r->policy = *policy;
    return r;
}

void agent_range_close(agent_range_reader *r)
{
    if (r) {
        free(r->url);
        free(r);
    }
}

uint64_t agent_range_received(const agent_range_reader *r)
{
    return r->received;
}

unsigned agent_range_requests(const agent_range_reader *r)
{
    return r->requests;
}

/* One attempt's view of the response. */
typedef struct attempt {
    agent_range_reader *r;
    uint64_t want_from;    /* the next byte the sink needs */
    uint64_t want_end;     /* one past the last */
    uint64_t at;           /* file offset of the next body byte */
    uint64_t delivered;    /* by this attempt */
    ota_sink_fn sink;
    void *sink_ctx;
    int sink_failed;
} attempt;

static int same_file(agent_range_reader *r, const agent_http_response *resp, ota_error *err)
{
    const char *v = agent_http_validator(resp);
    uint64_t size = resp->size_known ? resp->entity_size : 0;
    if (!r->pinned) {
        r->pinned = 1;
        r->size_known = resp->size_known;
        r->size = size;
        if (v)
            snprintf(r->validator, sizeof r->validator, "%s", v);
        return 0;
    }
    if ((r->size_known && resp->size_known && size != r->size) ||
        (r->validator[0] && v && strcmp(v, r->validator) != 0))
        return ota_error_set(err, OTA_ERR_VERIFY, "%s changed on the server while being read",
                             r->url);
    return 0;
}

static int on_begin(void *ctx, const agent_http_response *resp, ota_error *err)
{
    attempt *a = ctx;
    if (same_file(a->r, resp, err) < 0)
        return -1;
    if (resp->status == 206) {
        if (!resp->partial || resp->range_start > a->want_from)
            return ota_error_set(err, OTA_ERR_IO,
                                 "%s: the server answered bytes from %" PRIu64 ", asked for %"
                                 PRIu64, a->r->url, resp->range_start, a->want_from);
        a->at = resp->range_start;
    } else {
        a->at = 0; /* the whole file: what precedes the offset is skipped */
    }
    return 0;
}

static int on_body(void *ctx, const void *data, size_t len, ota_error *err)
{
    attempt *a = ctx;
    const uint8_t *p = data;
    a->r->received += len;
    uint64_t end = a->at + len;
    uint64_t from = a->at > a->want_from ? a->at : a->want_from;
    uint64_t to = end < a->want_end ? end : a->want_end;
    if (from < to && from == a->want_from) {
        if (a->sink(a->sink_ctx, p + (from - a->at), (size_t)(to - from), err) < 0) {
            a->sink_failed = 1;
            return -1;
        }
        a->want_from = to;
        a->delivered += to - from;
    }
    a->at = end;
    return 0;
}

int agent_range_read(agent_range_reader *r, uint64_t offset, uint64_t len, ota_sink_fn sink,
                     void *sink_ctx, ota_error *err)
{
    if (len == 0)
        return 0;
    if (offset + len < offset || (r->size_known && offset + len > r->size))
        return ota_error_set(err, OTA_ERR_ARGS,
                             "%s: bytes %" PRIu64 "+%" PRIu64 " are past its end (%" PRIu64 ")",
                             r->url, offset, len, r->size);
    agent_retry retry;
    agent_retry_start(&retry, &r->policy);
    attempt a = {.r = r, .want_from = offset, .want_end = offset + len, .sink = sink,
                 .sink_ctx = sink_ctx};
    while (a.want_from < a.want_end) {
        a.delivered = 0;
        r->requests++;
        agent_http_request req = {
            .url = r->url,
            .from = a.want_from,
            .to = a.want_end - 1,
            .if_range = r->validator[0] ? r->validator : NULL,
            /* a whole-file answer (Range ignored) is cut off once the range
               is through; a partial one is shorter than this anyway */
            .max_body = a.want_end,
            .begin = on_begin,
            .body = on_body,
            .ctx = &a,
        };
        agent_http_response resp;
        int transient = 0;
        int rc = agent_http_get(r->http, &req, &resp, &transient, err);
        if (rc == 0 && a.want_from < a.want_end && resp.status == 200)
            rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: shorter than expected", r->url);
        if (rc == 0)
            continue;
        if (a.sink_failed || (err && err->code == OTA_ERR_VERIFY))
            return -1;
        long delay;
        if ((!transient && resp.status == 206) || agent_retry_next(&retry, a.delivered > 0,
                                                                   &delay) < 0 ||
            (!transient && resp.status / 100 == 4)) {
            ota_error_prefix(err, "reading bytes %" PRIu64 "-%" PRIu64, offset, offset + len - 1);
            return -1;
        }
        agent_sleep_ms(delay);
    }
    return 0;
}

typedef struct mem_sink {
    uint8_t *p;
} mem_sink;

static int to_memory(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)err;
    mem_sink *m = ctx;
    memcpy(m->p, data, len);
    m->p += len;
    return 0;
}

int agent_range_pread(agent_range_reader *r, void *buf, size_t len, uint64_t offset,
                      ota_error *err)
{
    mem_sink m = {.p = buf};
    return agent_range_read(r, offset, len, to_memory, &m, err);
}

int agent_range_size(agent_range_reader *r, uint64_t *size, ota_error *err)
{
    if (!r->pinned) {
        uint8_t byte;
        if (agent_range_pread(r, &byte, 1, 0, err) < 0)
            return -1;
    }
    if (!r->size_known)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: the server does not say its size",
                             r->url);
    *size = r->size;
    return 0;
}
