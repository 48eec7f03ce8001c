/* agent_fetch: drives the agent's download and range-reader modules alone,
 * for the scripts in tests/agent/.
 *   agent_fetch download URL DEST [SIZE SHA256]
 *       agent_download into DEST; prints "received=N resumed_from=N
 *       restarts=N attempts=N fetched_total=N"
 *   agent_fetch ranges URL OUT CHUNK [OFF LEN]...
 *       reads the whole file through the range reader in CHUNK-byte reads,
 *       in order, into OUT; then each OFF LEN range into OUT.OFF; prints
 *       "received=N requests=N size=N"
 * Timeouts and retries from the environment: FETCH_RETRIES (default 30),
 * FETCH_DELAY_MS (10), FETCH_STALL_MS (2000), FETCH_CA. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/download.h"
#include "agent/range_reader.h"
#include "otautil/sink.h"

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v ? strtol(v, NULL, 10) : dflt;
}

static int ranges(agent_http *h, const agent_retry_policy *policy, int argc, char **argv,
                  ota_error *err)
{
    agent_range_reader *r = agent_range_open(h, argv[2], policy, err);
    if (!r)
        return -1;
    uint64_t size = 0, chunk = strtoull(argv[4], NULL, 10);
    int rc = agent_range_size(r, &size, err);
    int fd = rc == 0 ? open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (rc == 0 && fd < 0)
        rc = ota_error_errno(err, "cannot create %s", argv[3]);
    for (uint64_t off = 0; rc == 0 && off < size; off += chunk) {
        uint64_t n = size - off < chunk ? size - off : chunk;
        rc = agent_range_read(r, off, n, ota_fd_sink, &fd, err);
    }
    if (fd >= 0)
        close(fd);
    for (int i = 5; rc == 0 && i + 1 < argc; i += 2) {
        uint64_t off = strtoull(argv[i], NULL, 10), len = strtoull(argv[i + 1], NULL, 10);
        char path[4096];
        snprintf(path, sizeof path, "%s.%" PRIu64, argv[3], off);
        uint8_t *buf = malloc(len ? len : 1);
        rc = buf ? agent_range_pread(r, buf, len, off, err) : -1;
        int out = rc == 0 ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
        if (out >= 0) {
            rc = ota_write_all(out, buf, len, err);
            close(out);
        }
        free(buf);
    }
    if (rc == 0)
        printf("received=%" PRIu64 " requests=%u size=%" PRIu64 "\n", agent_range_received(r),
               agent_range_requests(r), size);
    agent_range_close(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: agent_fetch download URL DEST [SIZE SHA256]\n"
                        "       agent_fetch ranges URL OUT CHUNK [OFF LEN]...\n");
        return 2;
    }
    agent_http_opts hopts = {.ca_bundle = getenv("FETCH_CA"), .connect_timeout_ms = 5000,
                             .stall_timeout_ms = env_long("FETCH_STALL_MS", 2000)};
    agent_retry_policy policy = {.max_failures = (int)env_long("FETCH_RETRIES", 30),
                                 .delay_ms = env_long("FETCH_DELAY_MS", 10),
                                 .max_delay_ms = 200, .total_ms = 300000};
    ota_error err;
    ota_error_clear(&err);
    agent_http *h = agent_http_new(&hopts, &err);
    int rc = h ? 0 : -1;
    if (rc == 0 && !strcmp(argv[1], "download")) {
        uint8_t sha[OTA_SHA256_LEN];
        agent_download_spec spec = {.url = argv[2], .dest = argv[3]};
        if (argc >= 6) {
            spec.size = strtoull(argv[4], NULL, 10);
            if (ota_hex_decode(argv[5], sha, sizeof sha, NULL) < 0) {
                fprintf(stderr, "agent_fetch: bad SHA-256 %s\n", argv[5]);
                return 2;
            }
            spec.sha256 = sha;
        }
        agent_download_stats st;
        rc = agent_download(h, &spec, &policy, NULL, NULL, &st, &err);
        printf("received=%" PRIu64 " resumed_from=%" PRIu64 " restarts=%d attempts=%d "
               "fetched_total=%" PRIu64 "\n", st.received, st.resumed_from, st.restarts,
               st.attempts, st.fetched_total);
    } else if (rc == 0 && !strcmp(argv[1], "ranges") && argc >= 5) {
        rc = ranges(h, &policy, argc, argv, &err);
    } else if (rc == 0) {
        fprintf(stderr, "agent_fetch: unknown command %s\n", argv[1]);
        return 2;
    }
    agent_http_free(h);
    if (rc < 0) {
        fprintf(stderr, "agent_fetch: %s\n", err.message);
        return 1;
    }
    return 0;
}
