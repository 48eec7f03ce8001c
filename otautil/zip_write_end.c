/* Finishing an archive minizip has written: the parts of the end that
 * Debian's minizip 1.1 gets wrong or cannot do are completed here.
 *  - zipClose writes zip64 end records only for a central directory past
 *    4 GiB, not for more than 65,535 entries; they are added here.
 *  - zipCloseFileInZipRaw64 sets "version made by" to 45 for zip64 entries,
 *    dropping the Unix host byte (and so the modes); it is put back.
 *  - xz and zstd entries went through minizip as stored data; their
 *    method (and the version needed to extract them) is put in.
 *  - zipClose takes the comment as a C string; ours is binary (the
 *    whole-file signature), so it is appended after the end record. */
#include "otautil/zip_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Puts the Unix host byte back into "version made by" for the entries
 * minizip gave zip64 fields, and the method into xz and zstd entries,
 * walking the central directory it wrote. */
static int restore_made_by(ota_zip_writer *w, uint64_t cd_pos, ota_error *err)
{
    size_t next = 0;
    uint64_t pos = cd_pos;
    for (size_t i = 0; i < w->count && next < w->n_restore; i++) {
        unsigned char h[ZIP_CENTRAL_LEN];
        if (zip_pread_full(w->fd, h, sizeof h, pos) < 0)
            return ota_error_errno(err, "%s: cannot read back the central directory", w->path);
        if (zip_le32(h) != ZIP_CENTRAL_SIG)
            return ota_error_set(err, OTA_ERR_IO, "%s: central directory not where expected", w->path);
        if (w->restore[next].index == i) {
            unsigned char host = (unsigned char)(w->restore[next].made_by >> 8);
            if (pwrite(w->fd, &host, 1, (off_t)(pos + 5)) != 1)
                return ota_error_errno(err, "%s: cannot update the central directory", w->path);
            if (w->restore[next].method) {
                unsigned char m[6];
                zip_put16(m, ZIP_VERSION_XZ_ZSTD);
                memcpy(m + 2, h + 8, 2); /* flags as written */
                zip_put16(m + 4, w->restore[next].method);
                if (pwrite(w->fd, m, sizeof m, (off_t)(pos + 6)) != (ssize_t)sizeof m)
                    return ota_error_errno(err, "%s: cannot update the central directory", w->path);
            }
            next++;
        }
        pos += ZIP_CENTRAL_LEN + zip_le16(h + 28) + zip_le16(h + 30) + zip_le16(h + 32);
    }
    return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
    zip_put16(p, (uint16_t)v);
    zip_put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* Replaces minizip's end record with zip64 end record, locator and end
 * record when the entry count or the offsets outgrow the 16/32-bit fields
 * and minizip has not written them. */
static int complete_zip64_end(ota_zip_writer *w, uint64_t cd_pos, ota_error *err)
{
    uint64_t eocd = w->io.pos - ZIP_EOCD_LEN; /* no comment yet */
    uint64_t cd_size = eocd - cd_pos;
    if (w->count < 0xffff && cd_pos < 0xffffffffu && cd_size < 0xffffffffu)
        return 0;
    unsigned char sig[4];
    if (eocd >= ZIP64_LOCATOR_LEN && zip_pread_full(w->fd, sig, 4, eocd - ZIP64_LOCATOR_LEN) == 0 &&
        zip_le32(sig) == ZIP64_LOCATOR_SIG)
        return 0; /* minizip wrote them: the directory lies past 4 GiB */
    unsigned char out[ZIP64_EOCD_LEN + ZIP64_LOCATOR_LEN + ZIP_EOCD_LEN];
    unsigned char *rec = out, *loc = out + ZIP64_EOCD_LEN, *end = loc + ZIP64_LOCATOR_LEN;
    memset(out, 0, sizeof out);
    put32(rec, ZIP64_EOCD_SIG);
    put64(rec + 4, ZIP64_EOCD_LEN - 12);
    zip_put16(rec + 12, ZIP_HOST_UNIX << 8 | 45);
    zip_put16(rec + 14, 45);
    put64(rec + 24, w->count);
    put64(rec + 32, w->count);
    put64(rec + 40, cd_size);
    put64(rec + 48, cd_pos);
    put32(loc, ZIP64_LOCATOR_SIG);
    put64(loc + 8, eocd);
    put32(loc + 16, 1);
    put32(end, ZIP_EOCD_SIG);
    zip_put16(end + 8, w->count < 0xffff ? (uint16_t)w->count : 0xffff);
    zip_put16(end + 10, w->count < 0xffff ? (uint16_t)w->count : 0xffff);
    put32(end + 12, cd_size < 0xffffffffu ? (uint32_t)cd_size : 0xffffffffu);
    put32(end + 16, cd_pos < 0xffffffffu ? (uint32_t)cd_pos : 0xffffffffu);
    if (pwrite(w->fd, out, sizeof out, (off_t)eocd) != (ssize_t)sizeof out)
        return ota_error_errno(err, "%s: cannot write the zip64 end records", w->path);
    w->io.pos = eocd + sizeof out;
    return 0;
}

static int append_comment(ota_zip_writer *w, const void *comment, size_t len, ota_error *err)
{
    uint64_t end = w->io.pos; /* minizip has just written the end record */
    unsigned char n[2];
    zip_put16(n, (uint16_t)len);
    if (pwrite(w->fd, n, 2, (off_t)(end - 2)) != 2)
        return ota_error_errno(err, "%s: cannot write the comment length", w->path);
    const unsigned char *p = comment;
    while (len > 0) {
        ssize_t k = pwrite(w->fd, p, len, (off_t)end);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return ota_error_errno(err, "%s: cannot write the archive comment", w->path);
        p += k;
        len -= (size_t)k;
        end += (uint64_t)k;
    }
    return 0;
}

static int comment_ok(ota_zip_writer *w, const void *comment, size_t len, ota_error *err)
{
    if (len && !comment)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: comment of %zu bytes given as NULL", w->path, len);
    if (len > ZIP_MAX_COMMENT)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: archive comment of %zu bytes is over 65535", w->path, len);
    /* A comment holding an end-record signature makes the archive
     * ambiguous, and our reader refuses it. */
    const unsigned char *c = comment;
    for (size_t i = 0; i + 4 <= len; i++)
        if (zip_le32(c + i) == ZIP_EOCD_SIG)
            return ota_error_set(err, OTA_ERR_ARGS,
                                 "%s: archive comment contains an end-of-central-directory signature at byte %zu",
                                 w->path, i);
    return 0;
}

static void free_writer(ota_zip_writer *w)
{
    for (size_t i = 0; i < w->name_cap; i++)
        free(w->names[i]);
    free(w->names);
    free(w->restore);
    zip_io_release(&w->io);
    free(w->path);
    free(w);
}

int ota_zip_writer_close(ota_zip_writer *w, const void *comment, size_t comment_len, ota_error *err)
{
    if (zip_writer_usable(w, err) < 0 || comment_ok(w, comment, comment_len, err) < 0) {
        ota_zip_writer_abort(w);
        return -1;
    }
    uint64_t cd_pos = w->io.pos;
    int rc = zipClose(w->zf, NULL);
    w->zf = NULL;
    if (rc != ZIP_OK || w->io.error)
        rc = zip_writer_minizip_error(w, rc, "the central directory", err);
    else if (w->n_restore && restore_made_by(w, cd_pos, err) < 0)
        rc = -1;
    else if (complete_zip64_end(w, cd_pos, err) < 0)
        rc = -1;
    else if (comment_len && append_comment(w, comment, comment_len, err) < 0)
        rc = -1;
    else if (fsync(w->fd) < 0)
        rc = ota_error_errno(err, "cannot sync %s", w->path);
    int fd = w->fd;
    w->fd = -1;
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot close %s", w->path);
    if (rc != 0) {
        unlink(w->path);
        rc = -1;
    }
    free_writer(w);
    return rc;
}

void ota_zip_writer_abort(ota_zip_writer *w)
{
    if (!w)
        return;
    if (w->zf)
        zipClose(w->zf, NULL); /* frees minizip's state; the file goes anyway */
    if (w->fd >= 0)
        close(w->fd);
    unlink(w->path);
    free_writer(w);
}
