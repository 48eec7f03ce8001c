/* Reading: the index (zip_index.c) answers every question about entries;
 * entry data is read with pread (or copied from an archive in memory) and
 * decoded (zip_decode.c: zlib, liblzma, libzstd) in bounded memory,
 * counted and CRC-checked.  (Debian's
 * minizip 1.1 ignores the zip64 extra field when reading --
 * unzGetCurrentFileInfo64 reports 0xFFFFFFFF sizes for an Info-ZIP `zip -fz`
 * archive -- so its unzip side cannot serve archives over 4 GiB; the writer
 * does use minizip.) */
#include "otautil/zip_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define ZIP_READ_CHUNK (64 * 1024)
/* How far each method can expand, to judge a declared size before
 * allocating for it: deflate 1032:1 (a 258-byte match in 2 bits); zstd
 * about 32768:1 (a 4-byte RLE block of 128 KiB), bounded here with room to
 * spare; xz about 350000:1 (a 6-byte LZMA2 chunk header per 2 MiB). */
#define DEFLATE_MAX_RATIO 1032u
#define ZSTD_MAX_RATIO (1u << 16)
#define XZ_MAX_RATIO (1u << 19)

int zip_read_at(const ota_zip *zip, void *buf, size_t len, uint64_t off)
{
    if (zip->mem) {
        if (off > zip->size || len > zip->size - off) {
            errno = ENODATA;
            return -1;
        }
        if (len)
            memcpy(buf, zip->mem + off, len);
        return 0;
    }
    if (zip->read_fn)
        return zip->read_fn(zip->read_ctx, buf, len, off);
    return zip_pread_full(zip->fd, buf, len, off);
}

static ota_zip *zip_alloc(const char *path, ota_error *err)
{
    ota_zip *zip = calloc(1, sizeof *zip);
    if (!zip || !(zip->path = strdup(path))) {
        free(zip);
        ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    zip->fd = -1;
    return zip;
}

/* Sizes and indexes the archive on zip->fd: a regular file or a block
 * device. */
static ota_zip *index_fd(ota_zip *zip, ota_error *err)
{
    struct stat st;
    if (fstat(zip->fd, &st) < 0) {
        ota_error_errno(err, "cannot stat %s", zip->path);
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: not a regular file", zip->path);
        goto fail;
    }
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(zip->fd, 0, SEEK_END);
        if (end < 0) {
            ota_error_errno(err, "cannot size %s", zip->path);
            goto fail;
        }
        zip->size = (uint64_t)end;
    } else {
        zip->size = (uint64_t)st.st_size;
    }
    if (zip_index_build(&zip->idx, zip, err) < 0)
        goto fail;
    return zip;
fail:
    ota_zip_close(zip);
    return NULL;
}

ota_zip *ota_zip_open(const char *path, ota_error *err)
{
    if (!path)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_open: no path given"), NULL;
    ota_zip *zip = zip_alloc(path, err);
    if (!zip)
        return NULL;
    /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
    zip->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (zip->fd < 0) {
        ota_error_errno(err, "cannot open %s", path);
        ota_zip_close(zip);
        return NULL;
    }
    return index_fd(zip, err);
}

ota_zip *ota_zip_open_fd(int fd, const char *name, ota_error *err)
{
    if (!name)
        name = "zip";
    ota_zip *zip = zip_alloc(name, err);
    if (!zip)
        return NULL;
    /* Its own descriptor on the same open file: positioned reads share
     * nothing with the caller's, who keeps and closes theirs. */
    zip->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (zip->fd < 0) {
        ota_error_errno(err, "%s: cannot use descriptor %d", name, fd);
        ota_zip_close(zip);
        return NULL;
    }
    return index_fd(zip, err);
}

ota_zip *ota_zip_open_memory(const void *data, size_t len, const char *name, ota_error *err)
{
    if (!name)
        name = "zip";
    if (!data && len)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_open_memory: %s: no data given", name), NULL;
    ota_zip *zip = zip_alloc(name, err);
    if (!zip)
        return NULL;
    static const uint8_t empty[1];
    zip->mem = data ? data : empty;
    zip->size = len;
    if (zip_index_build(&zip->idx, zip, err) < 0) {
        ota_zip_close(zip);
        return NULL;
    }
    return zip;
}

ota_zip *ota_zip_open_reader(ota_zip_read_fn read, void *ctx, uint64_t size, const char *name,
                             ota_error *err)
{
    if (!name)
        name = "zip";
    if (!read)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_open_reader: %s: no function", name), NULL;
    ota_zip *zip = zip_alloc(name, err);
    if (!zip)
        return NULL;
    zip->read_fn = read;
    zip->read_ctx = ctx;
    zip->size = size;
    if (zip_index_build(&zip->idx, zip, err) < 0) {
        ota_zip_close(zip);
        return NULL;
    }
    return zip;
}

void ota_zip_close(ota_zip *zip)
{
    if (!zip)
        return;
    ota_signed_entries_free(zip->signed_entries);
    zip_index_free(&zip->idx);
    if (zip->fd >= 0)
        close(zip->fd);
    free(zip->path);
    free(zip);
}

const char *ota_zip_path(const ota_zip *zip)
{
    return zip ? zip->path : NULL;
}

size_t ota_zip_count(const ota_zip *zip)
{
    return zip ? zip->idx.count : 0;
}

const ota_zip_entry *ota_zip_entry_at(const ota_zip *zip, size_t index)
{
    return zip && index < zip->idx.count ? &zip->idx.recs[index].pub : NULL;
}

const ota_zip_entry *ota_zip_find(const ota_zip *zip, const char *name)
{
    const struct zip_rec *r = zip ? zip_index_find(&zip->idx, name) : NULL;
    return r ? &r->pub : NULL;
}

const uint8_t *ota_zip_comment(const ota_zip *zip, size_t *len)
{
    if (len)
        *len = zip ? zip->idx.comment_len : 0;
    return zip ? zip->idx.comment : NULL;
}

uint64_t ota_zip_size(const ota_zip *zip)
{
    return zip ? zip->size : 0;
}

/* Raw bytes bypass the entry checks: an archive in verified mode has none. */
static int refuse_raw(const ota_zip *zip, const char *what, ota_error *err)
{
    if (!zip->signed_entries)
        return 0;
    return ota_error_set(err, OTA_ERR_ARGS, "%s: %s: raw access to an archive whose entries are "
                         "checked against its signed manifest", zip->path, what);
}

int ota_zip_read_raw(const ota_zip *zip, void *buf, size_t len, uint64_t off, ota_error *err)
{
    if (refuse_raw(zip, "ota_zip_read_raw", err) < 0)
        return -1;
    if (zip_read_at(zip, buf, len, off) < 0)
        return ota_error_errno(err, "%s: cannot read %zu bytes at offset %llu", zip->path, len,
                               (unsigned long long)off);
    return 0;
}

void ota_zip_index_extent(const ota_zip *zip, uint64_t *offset, uint64_t *len)
{
    *offset = zip->idx.cd_offset;
    *len = zip->idx.cd_size;
}

const uint8_t *ota_zip_index_sha256(const ota_zip *zip)
{
    return zip->idx.cd_sha256;
}

int ota_zip_verify_entries(ota_zip *zip, ota_signed_entries *s, ota_error *err)
{
    if (!zip || !s) {
        ota_signed_entries_free(s);
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_verify_entries: nothing to verify with");
    }
    ota_signed_entries_free(zip->signed_entries);
    zip->signed_entries = s;
    return 0;
}

const ota_signed_entries *ota_zip_signed_entries(const ota_zip *zip)
{
    return zip ? zip->signed_entries : NULL;
}

const struct zip_rec *zip_rec_of(const ota_zip *zip, const ota_zip_entry *entry, ota_error *err)
{
    if (!zip || !entry || entry->index >= zip->idx.count || &zip->idx.recs[entry->index].pub != entry) {
        ota_error_set(err, OTA_ERR_ARGS, "%s: entry does not belong to this archive",
                      zip ? zip->path : "zip");
        return NULL;
    }
    return (const struct zip_rec *)entry;
}

/* The local header repeats the name and method; its own name and extra
 * lengths decide where the data starts, which must still leave room for
 * the data before the central directory. */
static int check_local_header(const ota_zip *zip, const struct zip_rec *r, uint64_t *data_off, ota_error *err)
{
    const ota_zip_entry *e = &r->pub;
    unsigned char h[ZIP_LOCAL_LEN];
    if (zip_read_at(zip, h, sizeof h, e->local_header_offset) < 0)
        return ota_error_errno(err, "%s: entry %s: cannot read its local header", zip->path, e->name);
    if (zip_le32(h) != ZIP_LOCAL_SIG)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: bad local header signature", zip->path, e->name);
    size_t name_len = zip_le16(h + 26), extra_len = zip_le16(h + 28);
    if (zip_le16(h + 8) != e->method)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: local header disagrees on the method",
                             zip->path, e->name);
    uint64_t data = e->local_header_offset + ZIP_LOCAL_LEN + name_len + extra_len;
    if (data > zip->idx.cd_offset || zip->idx.cd_offset - data < e->compressed_size)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: data runs into the central directory",
                             zip->path, e->name);
    size_t want = strlen(e->name);
    char local_name[256];
    int same = name_len == want;
    for (size_t done = 0; same && done < want;) {
        size_t n = want - done < sizeof local_name ? want - done : sizeof local_name;
        if (zip_read_at(zip, local_name, n, e->local_header_offset + ZIP_LOCAL_LEN + done) < 0)
            return ota_error_errno(err, "%s: entry %s: cannot read its local header", zip->path, e->name);
        same = memcmp(local_name, e->name + done, n) == 0;
        done += n;
    }
    if (!same)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: local header names another file",
                             zip->path, e->name);
    *data_off = data;
    return 0;
}

int zip_entry_data(const ota_zip *zip, const struct zip_rec *r, uint64_t *data_off, ota_error *err)
{
    const ota_zip_entry *e = &r->pub;
    if (r->flags & ZIP_FLAG_ENCRYPTED)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: entry %s is encrypted", zip->path, e->name);
    if (!zip_method_supported(e->method))
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: entry %s: compression method %u is not supported",
                             zip->path, e->name, e->method);
    return check_local_header(zip, r, data_off, err);
}

int ota_zip_data_offset(const ota_zip *zip, const ota_zip_entry *entry, uint64_t *offset, ota_error *err)
{
    const struct zip_rec *r = zip_rec_of(zip, entry, err);
    if (!r || refuse_raw(zip, entry->name, err) < 0)
        return -1;
    if (!offset)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_data_offset: no output given");
    return zip_entry_data(zip, r, offset, err);
}

/* Feeds the sink and keeps the running count and CRC. */
struct out_state {
    ota_zip *zip;
    const ota_zip_entry *e;
    ota_sink_fn sink;
    void *ctx;
    uint64_t total;
    uLong crc;
};

static int emit(struct out_state *o, const unsigned char *p, size_t n, ota_error *err)
{
    if (n > o->e->size - o->total)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: more data than its declared %llu bytes",
                             o->zip->path, o->e->name, (unsigned long long)o->e->size);
    o->total += n;
    for (size_t done = 0; done < n;) { /* crc32 takes a uInt length */
        uInt step = n - done > (1u << 30) ? 1u << 30 : (uInt)(n - done);
        o->crc = crc32(o->crc, p + done, step);
        done += step;
    }
    return o->sink(o->ctx, p, n, err);
}

static int read_data(ota_zip *zip, const ota_zip_entry *e, unsigned char *buf, size_t n, uint64_t off,
                     ota_error *err)
{
    if (zip_read_at(zip, buf, n, off) < 0)
        return ota_error_errno(err, "%s: entry %s: read failed", zip->path, e->name);
    return 0;
}

static size_t chunk_for(uint64_t size)
{
    return size < ZIP_READ_CHUNK ? (size_t)size + 1 : ZIP_READ_CHUNK;
}

static int copy_stored(struct out_state *o, uint64_t off, unsigned char *buf, size_t cap, ota_error *err)
{
    uint64_t left = o->e->compressed_size;
    while (left > 0) {
        size_t n = left < cap ? (size_t)left : cap;
        if (read_data(o->zip, o->e, buf, n, off, err) < 0 || emit(o, buf, n, err) < 0)
            return -1;
        off += n;
        left -= n;
    }
    return 0;
}

static int decode_entry(struct out_state *o, uint64_t off, unsigned char *in, size_t in_cap,
                        unsigned char *out, size_t out_cap, ota_error *err)
{
    const ota_zip_entry *e = o->e;
    struct zip_codec c;
    if (zip_decoder_start(&c, e->method, err) < 0) {
        ota_error_prefix(err, "%s: entry %s", o->zip->path, e->name);
        return -1;
    }
    uint64_t left = e->compressed_size;
    const uint8_t *next = in;
    size_t avail = 0;
    int rc = 0;
    for (;;) {
        if (avail == 0 && left > 0) {
            size_t n = left < in_cap ? (size_t)left : in_cap;
            if (read_data(o->zip, e, in, n, off, err) < 0) {
                rc = -1;
                break;
            }
            off += n;
            left -= n;
            next = in;
            avail = n;
        }
        size_t before = avail, made = 0;
        int st = zip_decoder_step(&c, &next, &avail, left == 0, out, out_cap, &made);
        if (made && emit(o, out, made, err) < 0) {
            rc = -1;
            break;
        }
        if (st == ZIP_STEP_END)
            break;
        if (st == ZIP_STEP_ERROR) {
            if (c.over_budget)
                rc = ota_error_set(err, OTA_ERR_LIMIT, "%s: entry %s (%llu bytes): %s", o->zip->path, e->name,
                                   (unsigned long long)e->size, c.why);
            else
                rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: corrupt compressed data (%s)",
                                   o->zip->path, e->name, c.why);
            break;
        }
        if (made == 0 && avail == before) { /* no progress: the data stops short */
            rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: compressed data is truncated",
                               o->zip->path, e->name);
            break;
        }
    }
    if (rc == 0 && (left != 0 || avail != 0))
        rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: compressed data ends before its declared %llu bytes",
                           o->zip->path, e->name, (unsigned long long)e->compressed_size);
    zip_decoder_end(&c);
    return rc;
}

int ota_zip_stream(ota_zip *zip, const ota_zip_entry *entry, ota_sink_fn sink, void *ctx,
                   ota_error *err)
{
    const struct zip_rec *r = zip_rec_of(zip, entry, err);
    if (!r)
        return -1;
    if (!sink)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_stream: no sink given");
    uint64_t off;
    if (zip_entry_data(zip, r, &off, err) < 0)
        return -1;
    /* Small entries get small buffers: most of a package's entries are
     * small, and large allocations cost an mmap each. */
    size_t in_cap = chunk_for(entry->compressed_size);
    size_t out_cap = entry->method == OTA_ZIP_STORE ? 0 : chunk_for(entry->size);
    unsigned char *buf = malloc(in_cap + out_cap);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", zip->path);
    struct out_state o = { .zip = zip, .e = entry, .sink = sink, .ctx = ctx, .crc = crc32(0, Z_NULL, 0) };
    /* Verified mode: the bytes are held to the signed manifest on their
     * way to the sink; the verdict comes with the last of them. */
    ota_entry_check *check = NULL;
    if (zip->signed_entries) {
        check = ota_entry_check_start(zip->signed_entries, entry->name, entry->size, sink, ctx, err);
        if (!check) {
            free(buf);
            ota_error_prefix(err, "%s", zip->path);
            return -1;
        }
        o.sink = ota_entry_check_sink;
        o.ctx = check;
    }
    int rc = entry->method == OTA_ZIP_STORE ? copy_stored(&o, off, buf, in_cap, err)
                                            : decode_entry(&o, off, buf, in_cap, buf + in_cap, out_cap, err);
    free(buf);
    if (rc < 0) {
        ota_entry_check_abort(check);
        return -1;
    }
    /* All the data came: in verified mode the signed digests are the
     * verdict that matters (bytes changed since verification), before the
     * zip's own size and CRC-32. */
    ota_error check_err;
    if (check && ota_entry_check_end(check, &check_err) < 0) {
        if (err)
            *err = check_err;
        ota_error_prefix(err, "%s", zip->path);
        return -1;
    }
    if (o.total != entry->size)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s is truncated (%llu of %llu bytes)", zip->path,
                             entry->name, (unsigned long long)o.total, (unsigned long long)entry->size);
    if (o.crc != entry->crc32)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: CRC-32 mismatch (%08lx, expected %08x)",
                             zip->path, entry->name, (unsigned long)o.crc, entry->crc32);
    return 0;
}

struct fixed_buf {
    uint8_t *data;
    size_t len, cap;
};

static int fixed_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    struct fixed_buf *b = ctx;
    if (len > b->cap - b->len) /* ota_zip_stream already bounds it; belt and braces */
        return ota_error_set(err, OTA_ERR_FORMAT, "entry grew past its declared size");
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

int ota_zip_read(ota_zip *zip, const ota_zip_entry *entry, uint8_t **data, size_t *len,
                 size_t max_size, ota_error *err)
{
    if (!data || !len)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_read: no output given");
    *data = NULL;
    *len = 0;
    const struct zip_rec *r = zip_rec_of(zip, entry, err);
    if (!r)
        return -1;
    /* Decide on the declared size before trusting it with an allocation. */
    if (max_size && entry->size > max_size)
        return ota_error_set(err, OTA_ERR_LIMIT, "%s: entry %s is %llu bytes, over the limit of %zu",
                             zip->path, entry->name, (unsigned long long)entry->size, max_size);
    uint64_t ratio = entry->method == OTA_ZIP_DEFLATE ? DEFLATE_MAX_RATIO
                     : entry->method == OTA_ZIP_ZSTD  ? ZSTD_MAX_RATIO
                     : entry->method == OTA_ZIP_XZ    ? XZ_MAX_RATIO
                                                      : 1;
    uint64_t most = entry->method == OTA_ZIP_STORE             ? entry->compressed_size
                    : entry->compressed_size >= UINT64_MAX / ratio ? UINT64_MAX
                                                                   : (entry->compressed_size + 1) * ratio;
    if (entry->size > most)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s: entry %s claims %llu bytes, more than its %llu compressed bytes can hold",
                             zip->path, entry->name, (unsigned long long)entry->size,
                             (unsigned long long)entry->compressed_size);
    if (entry->size >= SIZE_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT, "%s: entry %s does not fit in memory", zip->path, entry->name);
    struct fixed_buf b = { .cap = (size_t)entry->size };
    b.data = malloc(b.cap + 1);
    if (!b.data)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: entry %s: out of memory for %zu bytes", zip->path,
                             entry->name, b.cap);
    if (ota_zip_stream(zip, entry, fixed_sink, &b, err) < 0) {
        free(b.data);
        return -1;
    }
    b.data[b.len] = 0;
    *data = b.data;
    *len = b.len;
    return 0;
}

int ota_zip_extract_fd(ota_zip *zip, const ota_zip_entry *entry, int fd, ota_error *err)
{
    if (ota_zip_stream(zip, entry, ota_fd_sink, &fd, err) < 0) {
        if (err && entry && !strstr(err->message, entry->name))
            ota_error_prefix(err, "extracting %s", entry->name);
        return -1;
    }
    return 0;
}
