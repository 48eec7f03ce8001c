#include "otautil/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int ota_json_string(ota_buf *out, const char *s, ota_error *err)
{
    if (ota_buf_append(out, "\"", 1, err) < 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        const char *piece = esc;
        size_t n = 2;
        switch (*p) {
        case '"': piece = "\\\""; break;
        case '\\': piece = "\\\\"; break;
        case '\n': piece = "\\n"; break;
        case '\r': piece = "\\r"; break;
        case '\t': piece = "\\t"; break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                n = 6;
            } else {
                esc[0] = (char)*p;
                n = 1;
            }
        }
        if (ota_buf_append(out, piece, n, err) < 0)
            return -1;
    }
    return ota_buf_append(out, "\"", 1, err);
}

int ota_json_key(ota_buf *out, const char *key, int *first, ota_error *err)
{
    if (!*first && ota_buf_append(out, ", ", 2, err) < 0)
        return -1;
    *first = 0;
    if (ota_json_string(out, key, err) < 0)
        return -1;
    return ota_buf_append(out, ": ", 2, err);
}

int ota_json_str_member(ota_buf *out, const char *key, const char *value, int *first,
                        ota_error *err)
{
    if (ota_json_key(out, key, first, err) < 0)
        return -1;
    return ota_json_string(out, value, err);
}

int ota_json_u64_member(ota_buf *out, const char *key, uint64_t value, int *first,
                        ota_error *err)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%" PRIu64, value);
    if (ota_json_key(out, key, first, err) < 0)
        return -1;
    return ota_buf_append(out, num, (size_t)n, err);
}
