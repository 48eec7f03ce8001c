/* Writing manifest lines the way Java's Manifest does: "Key: value" CRLF,
 * split so no line exceeds 72 bytes, continuations starting with a space.
 * Splits fall between bytes, as Java's writer does; readers rejoin them. */
#include <string.h>

#include "otautil/manifest.h"

#define LINE_LIMIT 72

int ota_manifest_write_attr(ota_buf *out, const char *key, const char *value, ota_error *err)
{
    size_t klen = strlen(key), vlen = strlen(value);
    if (ota_buf_append(out, key, klen, err) < 0 || ota_buf_append(out, ": ", 2, err) < 0)
        return -1;
    size_t room = LINE_LIMIT > klen + 2 ? LINE_LIMIT - klen - 2 : 0;
    size_t take = vlen < room ? vlen : room;
    if (ota_buf_append(out, value, take, err) < 0)
        return -1;
    for (size_t pos = take; pos < vlen; pos += take) {
        take = vlen - pos < LINE_LIMIT - 1 ? vlen - pos : LINE_LIMIT - 1;
        if (ota_buf_append(out, "\r\n ", 3, err) < 0 ||
            ota_buf_append(out, value + pos, take, err) < 0)
            return -1;
    }
    return ota_buf_append(out, "\r\n", 2, err);
}
