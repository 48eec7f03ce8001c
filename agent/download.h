/* Resumable downloads into a file.  The bytes go to DEST.part, described
 * by DEST.part.state (URL, expected size and SHA-256, the server's
 * validator and file size, how much is known to be on disk); DEST appears
 * only once the whole file is there and its size and SHA-256 (when given)
 * match, so a partial file is never taken for a complete one.  After a cut
 * the next attempt asks for the rest with a Range request and If-Range,
 * also in a later run of the agent; a server that answers with the whole
 * file (it ignores Range, or the file changed) costs a restart from byte
 * 0, never a mixed file.  Free space is checked before writing. */
#ifndef AGENT_DOWNLOAD_H
#define AGENT_DOWNLOAD_H

#include <stdint.h>

#include "agent/http.h"
#include "agent/retry.h"
#include "otautil/error.h"
#include "otautil/hash.h"

typedef struct agent_download_spec {
    const char *url;
    const char *dest;        /* the final path (a folder's file) */
    uint64_t size;           /* expected size; 0: unknown */
    const uint8_t *sha256;   /* expected SHA-256; NULL: unknown */
    uint64_t reserve;        /* free bytes to leave on dest's filesystem */
} agent_download_spec;

typedef void (*agent_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct agent_download_stats {
    uint64_t resumed_from;   /* bytes already in DEST.part when this run began */
    uint64_t received;       /* body bytes this run received */
    uint64_t fetched_total;  /* body bytes received for this file by every run */
    int attempts;            /* requests made */
    int restarts;            /* times the download started over from byte 0 */
    int already_complete;    /* DEST was there with the expected SHA-256 */
} agent_download_stats;

/* 0 when dest holds the complete file.  -1 otherwise, with err saying why
 * (OTA_ERR_VERIFY for a size or SHA-256 mismatch: the partial file is
 * then deleted; OTA_ERR_NOSPACE; network errors once retries are spent,
 * leaving the partial file for the next run).  progress may be NULL. */
int agent_download(agent_http *h, const agent_download_spec *spec,
                   const agent_retry_policy *policy, agent_progress_fn progress,
                   void *progress_ctx, agent_download_stats *stats, ota_error *err);

/* For a DEST.part filled by other means (a vendor's download hook): the
 * same size and SHA-256 checks as agent_download, then the rename to DEST.
 * On a mismatch DEST.part is deleted (OTA_ERR_VERIFY). */
int agent_download_adopt(const agent_download_spec *spec, ota_error *err);

/* Removes DEST.part and DEST.part.state. */
void agent_download_discard(const char *dest);

/* Free bytes for an unprivileged writer on the filesystem holding dir. */
int agent_free_space(const char *dir, uint64_t *bytes, ota_error *err);

#endif
