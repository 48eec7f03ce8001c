/* Deflate helpers for imgdiff: expanding a stream of unknown length, and
 * finding the zlib level that reproduces a stream byte for byte (a deflate
 * chunk is only usable when the device can remake the exact bytes). */
#include "applypatch/imgdiff.h"
#include "applypatch/imgdiff_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "otautil/sink.h"

void imgdiff_regions_free(imgdiff_regions *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].plain);
        free(r->v[i].name);
    }
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

int imgdiff_inflate_stream(const uint8_t *data, size_t len, uint8_t **plain, size_t *plain_len,
                           size_t *consumed, ota_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return ota_error_set(err, OTA_ERR_NOMEM, "inflateInit2 failed");
    ota_buf out = {0};
    unsigned char buf[65536];
    size_t in_done = 0;
    int rc;
    do {
        size_t left = len - in_done;
        zs.next_in = (unsigned char *)data + in_done;
        zs.avail_in = left > UINT_MAX ? UINT_MAX : (uInt)left;
        uInt before = zs.avail_in;
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_done += before - zs.avail_in;
        size_t have = sizeof buf - zs.avail_out;
        if (have && ota_buf_append(&out, buf, have, err) < 0) {
            inflateEnd(&zs);
            ota_buf_free(&out);
            return -1;
        }
    } while (rc == Z_OK);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        ota_buf_free(&out);
        return 0;
    }
    *plain = out.data ? out.data : malloc(1);
    if (!*plain)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    *plain_len = out.len;
    *consumed = in_done;
    return 1;
}

/* Deflates plain with `level` and compares as it goes, stopping at the
 * first differing byte (most wrong levels are caught within a block). */
static int level_reproduces(int level, const uint8_t *plain, size_t plain_len, const uint8_t *deflated,
                            size_t deflated_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    unsigned char buf[65536];
    size_t in_done = 0, out_done = 0;
    int same = 1, rc;
    do {
        size_t left = plain_len - in_done;
        zs.next_in = (unsigned char *)plain + in_done;
        zs.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
        uInt before = zs.avail_in;
        int flush = left == zs.avail_in ? Z_FINISH : Z_NO_FLUSH;
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        rc = deflate(&zs, flush);
        in_done += before - zs.avail_in;
        size_t have = sizeof buf - zs.avail_out;
        if (have > deflated_len - out_done || memcmp(buf, deflated + out_done, have) != 0)
            same = 0;
        out_done += have;
    } while (same && (rc == Z_OK || rc == Z_BUF_ERROR));
    deflateEnd(&zs);
    return same && rc == Z_STREAM_END && out_done == deflated_len;
}

int imgdiff_find_deflate_level(const uint8_t *plain, size_t plain_len, const uint8_t *deflated,
                               size_t deflated_len)
{
    /* Most likely first: zlib's default, then the maximum. */
    static const int order[] = {6, 9, 1, 2, 3, 4, 5, 7, 8};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (level_reproduces(order[i], plain, plain_len, deflated, deflated_len))
            return order[i];
    return -1;
}
