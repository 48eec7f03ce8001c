#include "agent/fetch.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/download.h"

#define HOOK "download"

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    agent_progress(ctx, done, total);
}

static int hook_fetch(agent *a, const char *url, const char *dest, uint64_t size,
                      const uint8_t *sha256, ota_error *err)
{
    char part[PATH_MAX], size_text[32] = "", sha_text[2 * OTA_SHA256_LEN + 1] = "";
    snprintf(part, sizeof part, "%s.part", dest);
    if (size)
        snprintf(size_text, sizeof size_text, "%" PRIu64, size);
    if (sha256)
        ota_hex_encode(sha256, OTA_SHA256_LEN, sha_text);
    agent_hook_env env = {
        .kind = a->cfg.kind == OTA_INSTALL_AB ? "ab" : "recovery",
        .current_build = a->status.current_build,
        .target_build = a->status.target_build,
        .package_url = url,
        .state_dir = a->cfg.state_dir,
        .expect_size = size_text,
        .expect_sha256 = sha_text,
    };
    const char *args[] = {url, part, NULL};
    agent_log(a, "fetching %s with the vendor's download hook", url);
    /* The hook has the whole download time, not the short hook timeout. */
    agent_hooks h = a->hooks;
    h.timeout_ms = a->cfg.retry.total_ms > 0 ? (int)a->cfg.retry.total_ms : -1;
    if (agent_hook_run(&h, HOOK, args, &env, NULL, err) < 0)
        return -1;
    agent_download_spec spec = {.url = url, .dest = dest, .size = size, .sha256 = sha256};
    return agent_download_adopt(&spec, err);
}

int agent_fetch_file(agent *a, const char *url, const char *dest, uint64_t size,
                     const uint8_t *sha256, ota_error *err)
{
    if (agent_hook_exists(&a->hooks, HOOK))
        return hook_fetch(a, url, dest, size, sha256, err);
    agent_download_spec spec = {.url = url, .dest = dest, .size = size, .sha256 = sha256,
                                .reserve = a->cfg.reserve_bytes};
    agent_download_stats stats;
    int rc = agent_download(a->http, &spec, &a->cfg.retry, on_progress, a, &stats, err);
    a->status.fetched = stats.fetched_total;
    if (stats.already_complete)
        agent_log(a, "%s is already downloaded", dest);
    else
        agent_log(a, "download %s: %" PRIu64 " bytes received (%" PRIu64 " for this file in "
                  "all runs), resumed from %" PRIu64 ", %d request(s), %d restart(s)%s", url,
                  stats.received, stats.fetched_total, stats.resumed_from, stats.attempts,
                  stats.restarts, rc == 0 ? "" : ", failed");
    return rc;
}

static int begin_small(void *ctx, const agent_http_response *resp, ota_error *err)
{
    ota_buf *b = ctx;
    b->len = 0; /* a retried request starts the document again */
    (void)resp;
    (void)err;
    return 0;
}

int agent_fetch_small(agent *a, const char *url, size_t max, ota_buf *out, ota_error *err)
{
    if (agent_hook_exists(&a->hooks, HOOK)) {
        char dest[PATH_MAX];
        snprintf(dest, sizeof dest, "%s/fetched.tmp", a->cfg.state_dir);
        agent_download_discard(dest);
        unlink(dest);
        int rc = hook_fetch(a, url, dest, 0, NULL, err);
        if (rc == 0 && ota_read_file(dest, "what the download hook fetched", max, 0, out,
                                     err) < 0) {
            ota_error_prefix(err, "%s", url);
            rc = -1;
        }
        unlink(dest);
        return rc;
    }
    agent_retry retry;
    agent_retry_start(&retry, &a->cfg.retry);
    for (;;) {
        agent_http_request req = {.url = url, .to = AGENT_HTTP_TO_END, .max_body = max + 1,
                                  .begin = begin_small, .body = ota_buf_sink, .ctx = out};
        agent_http_response resp;
        int transient = 0;
        uint64_t before = agent_http_received(a->http);
        int rc = agent_http_get(a->http, &req, &resp, &transient, err);
        if (rc == 0 && out->len > max)
            return ota_error_set(err, OTA_ERR_LIMIT, "%s: larger than %zu bytes", url, max);
        if (rc == 0)
            return 0;
        long delay;
        if (!transient ||
            agent_retry_next(&retry, agent_http_received(a->http) > before, &delay) < 0)
            return -1;
        agent_sleep_ms(delay);
    }
}
