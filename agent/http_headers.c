#include "agent/http_headers.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_u64(const char *s, const char *e, uint64_t *out)
{
    if (s == e || (size_t)(e - s) > 20)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; p < e; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int agent_http_parse_content_range(const char *value, uint64_t *start, uint64_t *end,
                                   uint64_t *size, int *size_known)
{
    if (strncasecmp(value, "bytes", 5) != 0)
        return -1;
    const char *p = value + 5;
    while (*p == ' ')
        p++;
    const char *dash = strchr(p, '-'), *slash = strchr(p, '/');
    if (!dash || !slash || dash > slash)
        return -1;
    if (parse_u64(p, dash, start) < 0 || parse_u64(dash + 1, slash, end) < 0 || *end < *start)
        return -1;
    const char *s = slash + 1, *e = s + strlen(s);
    if (e - s == 1 && *s == '*') {
        *size_known = 0;
        *size = 0;
        return 0;
    }
    if (parse_u64(s, e, size) < 0 || *end >= *size)
        return -1;
    *size_known = 1;
    return 0;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap) { /* too long to be a validator we can send back whole */
        dst[0] = '\0';
        return;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
}

void agent_http_header_line(agent_http_response *resp, const char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        memset(resp, 0, sizeof *resp);
        /* "HTTP/1.1 206 ...": three digits after the first space (the line
         * is not NUL-terminated: read only within len) */
        const char *sp = memchr(line, ' ', len);
        if (sp && line + len - sp > 3 && isdigit((unsigned char)sp[1]) &&
            isdigit((unsigned char)sp[2]) && isdigit((unsigned char)sp[3]))
            resp->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
        return;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return;
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1, *e = line + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t vlen = (size_t)(e - v);
    char value[512];
    if (vlen >= sizeof value)
        return;
    memcpy(value, v, vlen);
    value[vlen] = '\0';
    if (nlen == 4 && strncasecmp(line, "ETag", 4) == 0) {
        copy_value(resp->etag, sizeof resp->etag, value, vlen);
    } else if (nlen == 13 && strncasecmp(line, "Last-Modified", 13) == 0) {
        copy_value(resp->last_modified, sizeof resp->last_modified, value, vlen);
    } else if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
        resp->length_known = parse_u64(value, value + vlen, &resp->content_length) == 0;
    } else if (nlen == 13 && strncasecmp(line, "Content-Range", 13) == 0) {
        uint64_t s, en, size;
        int known;
        if (strncasecmp(value, "bytes */", 8) == 0) { /* a 416's: the size alone */
            resp->size_known = parse_u64(value + 8, value + vlen, &resp->entity_size) == 0;
        } else if (agent_http_parse_content_range(value, &s, &en, &size, &known) == 0) {
            resp->partial = 1;
            resp->range_start = s;
            resp->range_end = en;
            resp->entity_size = size;
            resp->size_known = known;
        }
    }
}

void agent_http_headers_done(agent_http_response *resp)
{
    if (resp->status == 206) {
        if (resp->partial && resp->length_known &&
            resp->content_length != resp->range_end - resp->range_start + 1)
            resp->partial = 0; /* the two headers disagree: trust neither */
        return;
    }
    resp->partial = 0;
    if (resp->status == 200 && resp->length_known) {
        resp->entity_size = resp->content_length;
        resp->size_known = 1;
    } else if (resp->status != 416) {
        resp->size_known = 0;
    }
}

const char *agent_http_validator(const agent_http_response *resp)
{
    if (resp->etag[0] && strncmp(resp->etag, "W/", 2) != 0)
        return resp->etag;
    if (resp->last_modified[0])
        return resp->last_modified;
    return NULL;
}
