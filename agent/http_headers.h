/* What the agent reads from HTTP response headers: the status, the
 * validators that tell whether a resumed download still fetches the same
 * file (ETag, Last-Modified), and where a partial body sits in it
 * (Content-Range). */
#ifndef AGENT_HTTP_HEADERS_H
#define AGENT_HTTP_HEADERS_H

#include <stddef.h>
#include <stdint.h>

typedef struct agent_http_response {
    long status;            /* of the last response (after redirects) */
    int partial;            /* a 206 with a valid Content-Range */
    uint64_t range_start;   /* its first and last byte */
    uint64_t range_end;
    uint64_t entity_size;   /* the whole file: Content-Range's size, or a 200's length */
    int size_known;
    uint64_t content_length;
    int length_known;
    char etag[256];         /* "" when absent or too long to trust */
    char last_modified[64];
} agent_http_response;

/* Feeds one header line (with or without CRLF) into resp.  A status line
 * ("HTTP/1.1 206 ...") starts a new response, forgetting the previous
 * one's headers (a redirect's). */
void agent_http_header_line(agent_http_response *resp, const char *line, size_t len);
/* Completes resp once the headers are in: for a 200, the entity size is
 * its Content-Length; a 206 without a usable Content-Range is not partial. */
void agent_http_headers_done(agent_http_response *resp);

/* "bytes A-B/SIZE" (SIZE may be "*"): 0, or -1 when malformed. */
int agent_http_parse_content_range(const char *value, uint64_t *start, uint64_t *end,
                                   uint64_t *size, int *size_known);

/* The If-Range validator to resume with: a strong ETag, else
 * Last-Modified, else NULL (weak ETags cannot be used for ranges). */
const char *agent_http_validator(const agent_http_response *resp);

#endif
