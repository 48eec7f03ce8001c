/* Fetching for the agent: through the vendor's `download` hook when the
 * device has one, else through libcurl (agent/download.h), with the
 * agent's retry policy, progress in the status, and free space checked. */
#ifndef AGENT_FETCH_H
#define AGENT_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"
#include "otautil/hash.h"
#include "otautil/sink.h"

/* url into dest (a resolved path), checked against size and sha256 when
 * given (0 / NULL: unknown).  Resumes what an earlier run left. */
int agent_fetch_file(agent *a, const char *url, const char *dest, uint64_t size,
                     const uint8_t *sha256, ota_error *err);

/* A small document (at most max bytes) into out: the channel. */
int agent_fetch_small(agent *a, const char *url, size_t max, ota_buf *out, ota_error *err);

#endif
