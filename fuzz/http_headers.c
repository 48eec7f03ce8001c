/* libFuzzer target: HTTP response headers as the agent reads them (from any
 * server, before anything is trusted).  Whatever the lines, a partial
 * answer's range is ordered and inside the file's size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/http_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    agent_http_response r;
    memset(&r, 0, sizeof r);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl + 1 : end;
        agent_http_header_line(&r, p, (size_t)(e - p));
        p = e;
    }
    agent_http_headers_done(&r);
    if (r.partial && (r.range_end < r.range_start || (r.size_known && r.range_end >= r.entity_size)))
        abort();
    if (r.etag[sizeof r.etag - 1] || r.last_modified[sizeof r.last_modified - 1])
        abort();
    (void)agent_http_validator(&r);
    return 0;
}
