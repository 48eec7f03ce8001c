/* HTTP and HTTPS GETs through libcurl, for the channel, downloads and the
 * range reader: one handle keeps its connections between requests; TLS
 * with a CA bundle and an optional client certificate; redirects (https
 * never to http); a connect timeout and a stall timeout (no byte for that
 * long fails the transfer, which the caller retries).  The body goes to a
 * sink as it arrives; the caller sees the headers first. */
#ifndef AGENT_HTTP_H
#define AGENT_HTTP_H

#include <stdint.h>

#include "agent/http_headers.h"
#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct agent_http_opts {
    const char *ca_bundle;    /* PEM CA certificates; NULL: the system's */
    const char *client_cert;  /* PEM client certificate, or NULL */
    const char *client_key;   /* its PEM private key (NULL: in client_cert) */
    long connect_timeout_ms;
    long stall_timeout_ms;
} agent_http_opts;

typedef struct agent_http agent_http;

/* Called once per response with its headers, before any body byte (for a
 * response without body: after it).  < 0 stops the transfer. */
typedef int (*agent_http_begin_fn)(void *ctx, const agent_http_response *resp, ota_error *err);

#define AGENT_HTTP_TO_END UINT64_MAX

typedef struct agent_http_request {
    const char *url;
    uint64_t from;             /* Range: bytes=from-to; 0 and TO_END: no Range */
    uint64_t to;               /* inclusive, or AGENT_HTTP_TO_END */
    const char *if_range;      /* If-Range validator, or NULL */
    uint64_t max_body;         /* stop (successfully) after this many body bytes; 0: no limit */
    long timeout_ms;           /* bound on the whole request; 0: none */
    agent_http_begin_fn begin; /* may be NULL */
    ota_sink_fn body;          /* may be NULL to drop the body */
    void *ctx;
} agent_http_request;

agent_http *agent_http_new(const agent_http_opts *opts, ota_error *err);
void agent_http_free(agent_http *h);

/* 0 when a 2xx response arrived whole (or max_body was reached); resp
 * holds its headers.  -1 otherwise, err naming the URL and the reason;
 * *retry (may be NULL) is set when trying again may help: a network
 * error, a timeout, a cut body, 408, 429, 5xx. */
int agent_http_get(agent_http *h, const agent_http_request *req, agent_http_response *resp,
                   int *retry, ota_error *err);

/* Resolves ref (absolute, or relative to base as in a web page) into a
 * malloc'd absolute URL; only http and https results are accepted. */
char *agent_http_resolve(const char *base, const char *ref, ota_error *err);

/* Body bytes received by this handle so far, whatever became of them. */
uint64_t agent_http_received(const agent_http *h);

#endif
