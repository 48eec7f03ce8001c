/* The byte source of a streamed install: reads byte ranges of one file on
 * an HTTP(S) server, in order, into a sink, without storing the file.  A
 * cut connection is resumed at the exact byte where it stopped (a Range
 * request with If-Range), so the sink sees every byte of the range once,
 * in order, whatever the network does; retries follow the retry policy.
 * The file is pinned by the first answer (its size and validator): a later
 * answer for a changed file is an error (OTA_ERR_VERIFY), never mixed in.
 * A server that ignores Range is still read correctly: the reader skips
 * what comes before the offset (a restart costs bytes, not correctness). */
#ifndef AGENT_RANGE_READER_H
#define AGENT_RANGE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "agent/http.h"
#include "agent/retry.h"
#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct agent_range_reader agent_range_reader;

/* Opens url for reading through h (kept, not owned).  No request yet. */
agent_range_reader *agent_range_open(agent_http *h, const char *url,
                                     const agent_retry_policy *policy, ota_error *err);
void agent_range_close(agent_range_reader *r);

/* The file's size (asks the server with a one-byte range when not yet
 * known). */
int agent_range_size(agent_range_reader *r, uint64_t *size, ota_error *err);

/* Delivers bytes [offset, offset + len) to sink, in order, each once.  A
 * sink error stops the read and is returned as it is. */
int agent_range_read(agent_range_reader *r, uint64_t offset, uint64_t len, ota_sink_fn sink,
                     void *sink_ctx, ota_error *err);
/* The same into memory. */
int agent_range_pread(agent_range_reader *r, void *buf, size_t len, uint64_t offset,
                      ota_error *err);

/* Body bytes received so far (including skipped and repeated ones). */
uint64_t agent_range_received(const agent_range_reader *r);
/* Requests made so far. */
unsigned agent_range_requests(const agent_range_reader *r);

#endif
