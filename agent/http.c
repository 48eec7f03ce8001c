#include "agent/http.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct agent_http {
    CURL *curl;
    agent_http_opts opts;
    uint64_t received;
    char errbuf[CURL_ERROR_SIZE];
};

/* curl_global_init is not thread-safe before 7.84; once per process. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;
static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

agent_http *agent_http_new(const agent_http_opts *opts, ota_error *err)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        ota_error_set(err, OTA_ERR_IO, "libcurl: %s", curl_easy_strerror(global_rc));
        return NULL;
    }
    agent_http *h = calloc(1, sizeof *h);
    if (!h || !(h->curl = curl_easy_init())) {
        free(h);
        ota_error_set(err, OTA_ERR_NOMEM, "libcurl: cannot make a handle");
        return NULL;
    }
    h->opts = *opts;
    return h;
}

void agent_http_free(agent_http *h)
{
    if (h) {
        curl_easy_cleanup(h->curl);
        free(h);
    }
}

uint64_t agent_http_received(const agent_http *h)
{
    return h->received;
}

typedef struct transfer {
    agent_http *h;
    const agent_http_request *req;
    agent_http_response *resp;
    int begun;         /* begin called for the final response */
    int stopped;       /* max_body reached */
    int failed;        /* the begin or body callback failed: err is set */
    uint64_t body;     /* body bytes of the final response */
    ota_error *err;
} transfer;

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    transfer *t = ctx;
    agent_http_header_line(t->resp, data, size * n);
    return size * n;
}

static int begin(transfer *t)
{
    if (t->begun)
        return 0;
    t->begun = 1;
    agent_http_headers_done(t->resp);
    if (t->resp->status / 100 == 2 && t->req->begin &&
        t->req->begin(t->req->ctx, t->resp, t->err) < 0) {
        t->failed = 1;
        return -1;
    }
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    transfer *t = ctx;
    size_t len = size * n;
    t->h->received += len;
    if (begin(t) < 0)
        return CURL_WRITEFUNC_ERROR;
    if (t->resp->status / 100 != 2)
        return len; /* an error page: read and dropped */
    size_t take = len;
    if (t->req->max_body && t->body + take >= t->req->max_body) {
        take = (size_t)(t->req->max_body - t->body);
        t->stopped = 1;
    }
    if (take && t->req->body && t->req->body(t->req->ctx, data, take, t->err) < 0) {
        t->failed = 1;
        return CURL_WRITEFUNC_ERROR;
    }
    t->body += take;
    return t->stopped ? CURL_WRITEFUNC_ERROR : len;
}

static int transient_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
        return 1;
    default:
        return 0;
    }
}

static int transient_status(long status)
{
    return status == 408 || status == 429 || status / 100 == 5;
}

static int setup(agent_http *h, const agent_http_request *req, transfer *t,
                 struct curl_slist **headers, ota_error *err)
{
    CURL *c = h->curl;
    curl_easy_reset(c);
    int https = strncmp(req->url, "https://", 8) == 0;
    long stall_s = (h->opts.stall_timeout_ms + 999) / 1000;
    char range[64] = "";
    if (req->from || req->to != AGENT_HTTP_TO_END) {
        if (req->to == AGENT_HTTP_TO_END)
            snprintf(range, sizeof range, "%" PRIu64 "-", req->from);
        else
            snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, req->from, req->to);
    }
    if (req->if_range && range[0]) {
        char line[400];
        snprintf(line, sizeof line, "If-Range: %s", req->if_range);
        struct curl_slist *l = curl_slist_append(NULL, line);
        if (!l)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        *headers = l;
    }
    h->errbuf[0] = '\0';
    int ok = curl_easy_setopt(c, CURLOPT_URL, req->url) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https") ==
                 CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_USERAGENT, "ota_agent/1") == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms) ==
                 CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 0L) ==
                 CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall_s > 0 ? stall_s : 1L) ==
                 CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_HEADERDATA, t) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_WRITEDATA, t) == CURLE_OK &&
             (!range[0] || curl_easy_setopt(c, CURLOPT_RANGE, range) == CURLE_OK) &&
             (!*headers || curl_easy_setopt(c, CURLOPT_HTTPHEADER, *headers) == CURLE_OK) &&
             (!h->opts.ca_bundle ||
              curl_easy_setopt(c, CURLOPT_CAINFO, h->opts.ca_bundle) == CURLE_OK) &&
             (!h->opts.client_cert ||
              curl_easy_setopt(c, CURLOPT_SSLCERT, h->opts.client_cert) == CURLE_OK) &&
             (!h->opts.client_key ||
              curl_easy_setopt(c, CURLOPT_SSLKEY, h->opts.client_key) == CURLE_OK);
    if (!ok)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "libcurl refuses an option (built without https?)");
    return 0;
}

int agent_http_get(agent_http *h, const agent_http_request *req, agent_http_response *resp,
                   int *retry, ota_error *err)
{
    int dummy;
    if (!retry)
        retry = &dummy;
    *retry = 0;
    memset(resp, 0, sizeof *resp);
    transfer t = {.h = h, .req = req, .resp = resp, .err = err};
    struct curl_slist *headers = NULL;
    if (setup(h, req, &t, &headers, err) < 0) {
        curl_slist_free_all(headers);
        return -1;
    }
    CURLcode rc = curl_easy_perform(h->curl);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    if (t.failed)
        return -1;
    if (rc == CURLE_WRITE_ERROR && t.stopped)
        rc = CURLE_OK;
    if (rc != CURLE_OK) {
        *retry = transient_curl(rc);
        return ota_error_set(err, rc == CURLE_OPERATION_TIMEDOUT ? OTA_ERR_LIMIT : OTA_ERR_IO,
                             "%s: %s", req->url, h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
    }
    if (begin(&t) < 0)
        return -1;
    if (resp->status / 100 != 2) {
        *retry = transient_status(resp->status);
        return ota_error_set(err, resp->status == 404 ? OTA_ERR_NOTFOUND : OTA_ERR_IO,
                             "%s: the server answered HTTP %ld", req->url, resp->status);
    }
    return 0;
}

char *agent_http_resolve(const char *base, const char *ref, ota_error *err)
{
    CURLU *u = curl_url();
    char *got = NULL, *out = NULL;
    if (!u) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &got, 0) != CURLUE_OK) {
        ota_error_set(err, OTA_ERR_FORMAT, "cannot make a URL of '%s' relative to %s", ref, base);
    } else if (strncmp(got, "http://", 7) != 0 && strncmp(got, "https://", 8) != 0) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: only http:// and https:// URLs are fetched", got);
    } else if (!(out = strdup(got))) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    curl_free(got);
    curl_url_cleanup(u);
    return out;
}
