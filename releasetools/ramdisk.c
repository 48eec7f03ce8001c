#include "releasetools/ramdisk.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

static int pad4(ota_buf *out, ota_error *err)
{
    static const char zeros[4];
    size_t pad = (4 - out->len % 4) % 4;
    return pad ? ota_buf_append(out, zeros, pad, err) : 0;
}

static int write_entry(ota_buf *out, uint32_t ino, const char *name, uint32_t mode,
                       const uint8_t *data, size_t len, ota_error *err)
{
    if (len > UINT32_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT, "ramdisk: %s is 4 GiB or larger", name);
    char hdr[6 + 13 * 8 + 1];
    size_t namesize = strlen(name) + 1;
    uint32_t nlink = (mode & 0170000) == 0040000 ? 2 : 1;
    snprintf(hdr, sizeof hdr, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino,
             mode, 0u, 0u, nlink, 0u, (uint32_t)len, 0u, 0u, 0u, 0u, (uint32_t)namesize, 0u);
    if (ota_buf_append(out, hdr, 6 + 13 * 8, err) < 0 ||
        ota_buf_append(out, name, namesize, err) < 0 || pad4(out, err) < 0)
        return -1;
    if (len && ota_buf_append(out, data, len, err) < 0)
        return -1;
    return pad4(out, err);
}

int rt_cpio_write(const rt_cpio_entry *entries, size_t n, ota_buf *out, ota_error *err)
{
    /* Inode numbers from 300000, as mkbootfs numbers them. */
    uint32_t ino = 300000;
    for (size_t i = 0; i < n; i++) {
        const rt_cpio_entry *e = &entries[i];
        if (!e->name[0] || e->name[0] == '/')
            return ota_error_set(err, OTA_ERR_ARGS, "ramdisk: bad entry name \"%s\"", e->name);
        if (write_entry(out, ino++, e->name, e->mode, e->data, e->len, err) < 0)
            return -1;
    }
    return write_entry(out, 0, "TRAILER!!!", 0, NULL, 0, err);
}

int rt_gzip(const uint8_t *data, size_t len, ota_buf *out, ota_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* windowBits 15 + 16: a gzip wrapper with zlib's fixed header (no name,
     * mtime 0), so output depends on the data only. */
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return ota_error_set(err, OTA_ERR_NOMEM, "gzip: deflateInit2 failed");
    uint8_t chunk[65536];
    const uint8_t *base = data ? data : (const uint8_t *)"";
    int rc = Z_OK;
    size_t left = len;
    do {
        uInt take = left > (1u << 30) ? (1u << 30) : (uInt)left;
        zs.next_in = (Bytef *)base + (len - left);
        zs.avail_in = take;
        left -= take;
        int flush = left ? Z_NO_FLUSH : Z_FINISH;
        do {
            zs.next_out = chunk;
            zs.avail_out = sizeof chunk;
            rc = deflate(&zs, flush);
            if (rc == Z_STREAM_ERROR) {
                deflateEnd(&zs);
                return ota_error_set(err, OTA_ERR_IO, "gzip: deflate failed");
            }
            if (ota_buf_append(out, chunk, sizeof chunk - zs.avail_out, err) < 0) {
                deflateEnd(&zs);
                return -1;
            }
        } while (zs.avail_out == 0);
    } while (left);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? 0 : ota_error_set(err, OTA_ERR_IO, "gzip: stream did not end");
}
