/* Writing entries with minizip: unix modes and symlinks in the external
 * attributes, a fixed timestamp so the same input gives the same bytes,
 * optional alignment of stored data, raw copies from another archive.
 * minizip knows only stored and deflated data: xz and zstd entries are
 * encoded here (zip_encode.c), handed to minizip as raw stored data, and
 * their method put right in the local header at once and in the central
 * directory when the archive is finished (zip_write_end.c). */
#include "otautil/zip_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <minizip/zip.h>

#define ZIP_WRITE_CHUNK (128 * 1024)
/* 2009-01-01 00:00:00 in MS-DOS date/time form (date in the high half). */
#define FIXED_DOS_TIME ((uLong)(((OTA_ZIP_FIXED_TIME_YEAR - 1980) << 9 | 1 << 5 | 1)) << 16)
#define MADE_BY_UNIX ((ZIP_HOST_UNIX << 8) | 20)
#define DOS_DIR_ATTR 0x10
/* Android's extra field for alignment padding (zipalign -p, apksigner):
 * 2-byte alignment, then zeros. */
#define ZIP_EXTRA_ALIGN 0xd935
#define ALIGN_EXTRA_MIN 6
/* Entries this large might not fit 32-bit fields once compressed. */
#define ZIP64_THRESHOLD 0xf0000000ull

/* ---- bookkeeping --------------------------------------------------------- */

static int fail(ota_zip_writer *w, ota_error *err)
{
    if (err && w->failure.code == OTA_OK)
        w->failure = *err;
    if (w->failure.code == OTA_OK)
        ota_error_set(&w->failure, OTA_ERR_IO, "%s: writing failed", w->path);
    return -1;
}

int zip_writer_usable(ota_zip_writer *w, ota_error *err)
{
    if (!w)
        return ota_error_set(err, OTA_ERR_ARGS, "no zip writer given");
    if (w->failure.code != OTA_OK)
        return ota_error_set(err, w->failure.code, "archive unusable after an earlier error: %s",
                             w->failure.message);
    return 0;
}

/* The reason behind a minizip failure: our I/O layer's errno, if any. */
int zip_writer_minizip_error(ota_zip_writer *w, int rc, const char *name, ota_error *err)
{
    if (w->io.error) {
        errno = w->io.error;
        return ota_error_errno(err, "%s: writing %s failed", w->path, name);
    }
    return ota_error_set(err, OTA_ERR_IO, "%s: writing %s failed (minizip error %d)", w->path, name, rc);
}

static int name_set_add(ota_zip_writer *w, const char *name, ota_error *err)
{
    if (2 * (w->count + 1) > w->name_cap) {
        size_t cap = w->name_cap ? w->name_cap * 2 : 64;
        char **slots = calloc(cap, sizeof *slots);
        if (!slots)
            return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
        for (size_t i = 0; i < w->name_cap; i++) {
            if (!w->names[i])
                continue;
            size_t s = (size_t)zip_name_hash(w->names[i]) & (cap - 1);
            while (slots[s])
                s = (s + 1) & (cap - 1);
            slots[s] = w->names[i];
        }
        free(w->names);
        w->names = slots;
        w->name_cap = cap;
    }
    size_t s = (size_t)zip_name_hash(name) & (w->name_cap - 1);
    for (; w->names[s]; s = (s + 1) & (w->name_cap - 1))
        if (strcmp(w->names[s], name) == 0)
            return ota_error_set(err, OTA_ERR_ARGS, "%s: duplicate entry name %s", w->path, name);
    if (!(w->names[s] = strdup(name)))
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
    return 0;
}

static int check_name(ota_zip_writer *w, const char *name, ota_error *err)
{
    if (!name || !*name)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: empty entry name", w->path);
    if (strlen(name) > 0xffff)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: entry name longer than 65535 bytes", w->path);
    return 0;
}

/* ---- one entry ------------------------------------------------------------ */

struct entry_spec {
    const char *name;
    int method, level, raw, zip64; /* method: as the archive records it */
    uint16_t made_by, flags;
    uint32_t external_fa, internal_fa;
    uint16_t align;
};

struct open_entry {
    uint64_t header_pos, data_pos;
    uint16_t made_by;
};

/* Zero or at least ALIGN_EXTRA_MIN bytes of padding that move `data` to a
 * multiple of `align`. */
static size_t align_padding(uint64_t data, uint16_t align)
{
    if (align <= 1 || data % align == 0)
        return 0;
    size_t pad = align - (size_t)(data % align);
    while (pad < ALIGN_EXTRA_MIN)
        pad += align;
    return pad;
}

/* Checks a new entry's name and records it (before anything is written,
 * so a refused name leaves the writer usable). */
static int claim_name(ota_zip_writer *w, const char *name, ota_error *err)
{
    return check_name(w, name, err) < 0 || name_set_add(w, name, err) < 0 ? -1 : 0;
}

/* Methods minizip cannot write: their data goes through it as raw bytes. */
static int is_foreign(int method)
{
    return method != OTA_ZIP_STORE && method != OTA_ZIP_DEFLATE;
}

static int begin_entry(ota_zip_writer *w, const struct entry_spec *s, struct open_entry *oe, ota_error *err)
{
    size_t name_len = strlen(s->name);
    oe->header_pos = w->io.pos;
    oe->made_by = s->made_by;
    size_t zip64_extra = s->zip64 ? 20 : 0;
    uint64_t data = oe->header_pos + ZIP_LOCAL_LEN + name_len + zip64_extra;
    size_t pad = s->method == OTA_ZIP_STORE ? align_padding(data, s->align) : 0;
    unsigned char *extra = NULL;
    if (pad) {
        if (pad + zip64_extra > 0xffff)
            return ota_error_set(err, OTA_ERR_ARGS, "%s: alignment %u too large", w->path, s->align);
        if (!(extra = calloc(1, pad)))
            return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
        zip_put16(extra, ZIP_EXTRA_ALIGN);
        zip_put16(extra + 2, (uint16_t)(pad - 4));
        zip_put16(extra + 4, s->align);
    }
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    zi.dosDate = FIXED_DOS_TIME;
    zi.internal_fa = s->internal_fa;
    zi.external_fa = s->external_fa;
    int foreign = is_foreign(s->method);
    int rc = zipOpenNewFileInZip4_64(w->zf, s->name, &zi, extra, (uInt)pad, NULL, 0, NULL,
                                     foreign ? OTA_ZIP_STORE : s->method, foreign ? 0 : s->level,
                                     s->raw || foreign, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, NULL, 0, s->made_by,
                                     s->flags, s->zip64);
    free(extra);
    if (rc != ZIP_OK)
        return zip_writer_minizip_error(w, rc, s->name, err);
    oe->data_pos = w->io.pos;
    if (pad && oe->data_pos != data + pad)
        return ota_error_set(err, OTA_ERR_IO, "%s: %s: local header is not the size alignment assumed",
                             w->path, s->name);
    return 0;
}

static int write_bytes(ota_zip_writer *w, const char *name, const void *data, size_t len, ota_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        unsigned n = len > ZIP_WRITE_CHUNK ? ZIP_WRITE_CHUNK : (unsigned)len;
        int rc = zipWriteInFileInZip(w->zf, p, n);
        if (rc != ZIP_OK)
            return zip_writer_minizip_error(w, rc, name, err);
        p += n;
        len -= n;
    }
    return 0;
}

/* Gives the local header of an entry minizip wrote as stored its real
 * method, and the version needed to extract it. */
static int fix_local_method(ota_zip_writer *w, const struct entry_spec *s, const struct open_entry *oe,
                            ota_error *err)
{
    unsigned char version[2], method[2]; /* the flags between them stay minizip's */
    zip_put16(version, ZIP_VERSION_XZ_ZSTD);
    zip_put16(method, (uint16_t)s->method);
    if (zip_io_patch(&w->io, oe->header_pos + 4, version, 2) < 0 ||
        zip_io_patch(&w->io, oe->header_pos + 8, method, 2) < 0) {
        errno = w->io.error;
        return ota_error_errno(err, "%s: %s: cannot update its local header", w->path, s->name);
    }
    return 0;
}

/* Closes the entry; for raw data, size and crc are the uncompressed ones. */
static int end_entry(ota_zip_writer *w, const struct entry_spec *s, const struct open_entry *oe,
                     uint64_t size, uint32_t crc, ota_error *err)
{
    int foreign = is_foreign(s->method);
    int rc = s->raw || foreign ? zipCloseFileInZipRaw64(w->zf, size, crc) : zipCloseFileInZip(w->zf);
    if (rc != ZIP_OK) {
        if (rc == ZIP_BADZIPFILE && !s->zip64)
            return ota_error_set(err, OTA_ERR_IO, "%s: %s grew past 4 GiB while it was being added", w->path,
                                 s->name);
        return zip_writer_minizip_error(w, rc, s->name, err);
    }
    if (foreign && fix_local_method(w, s, oe, err) < 0)
        return -1;
    uint64_t compressed = w->io.pos - oe->data_pos;
    if (foreign || oe->header_pos >= 0xffffffffu || compressed >= 0xffffffffu || size >= 0xffffffffu) {
        if (w->n_restore == w->cap_restore) {
            size_t cap = w->cap_restore ? 2 * w->cap_restore : 16;
            struct restore_made_by *r = realloc(w->restore, cap * sizeof *r);
            if (!r)
                return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
            w->restore = r;
            w->cap_restore = cap;
        }
        w->restore[w->n_restore++] =
            (struct restore_made_by){ w->count, oe->made_by, foreign ? (uint16_t)s->method : 0 };
    }
    w->count++;
    return 0;
}

static int check_opts(ota_zip_writer *w, const ota_zip_add_opts *o, ota_error *err)
{
    if (!zip_method_supported(o->method))
        return ota_error_set(err, OTA_ERR_ARGS, "%s: unknown compression method %d", w->path, o->method);
    int most = o->method == OTA_ZIP_ZSTD ? 19 : 9;
    if (o->level < 0 || o->level > most)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: %s level %d is not 1..%d", w->path,
                             ota_zip_method_name(o->method), o->level, most);
    return 0;
}

static int default_level(int method)
{
    return method == OTA_ZIP_STORE ? 0 : method == OTA_ZIP_ZSTD ? 19 : 6;
}

/* Encodes len bytes of input (all that is left when finish) and writes
 * what the encoder gives. */
static int encode_bytes(ota_zip_writer *w, const char *name, struct zip_codec *c, const uint8_t *in, size_t len,
                        int finish, uint8_t *out, ota_error *err)
{
    for (;;) {
        size_t made = 0;
        int st = zip_encoder_step(c, &in, &len, finish, out, ZIP_WRITE_CHUNK, &made);
        if (st == ZIP_STEP_ERROR)
            return ota_error_set(err, OTA_ERR_IO, "%s: %s: %s", w->path, name, c->why);
        if (made && write_bytes(w, name, out, made, err) < 0)
            return -1;
        if (st == ZIP_STEP_END || (!finish && len == 0 && made < ZIP_WRITE_CHUNK))
            return 0;
    }
}

/* Streams the entry's data in: from data (len bytes) or, when data is
 * NULL, from fd to EOF; compressed with c when it is given.  *total and
 * *crc describe the uncompressed bytes. */
static int write_payload(ota_zip_writer *w, const char *name, struct zip_codec *c, const void *data, size_t len,
                         int fd, uint64_t *total, uint32_t *crc, ota_error *err)
{
    *total = 0;
    *crc = (uint32_t)crc32(0, Z_NULL, 0);
    if (data && !c) {
        *total = len;
        return write_bytes(w, name, data, len, err);
    }
    uint8_t *buf = malloc(2 * ZIP_WRITE_CHUNK);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
    int rc = 0;
    for (size_t at = 0;;) {
        const uint8_t *chunk = buf;
        size_t n;
        if (data) {
            n = len - at < ZIP_WRITE_CHUNK ? len - at : ZIP_WRITE_CHUNK;
            chunk = (const uint8_t *)data + at;
            at += n;
        } else {
            long long got = ota_read_all(fd, buf, ZIP_WRITE_CHUNK, err);
            if (got < 0) {
                ota_error_prefix(err, "%s: reading the input for %s", w->path, name);
                rc = -1;
                break;
            }
            n = (size_t)got;
        }
        if (n == 0) {
            rc = c ? encode_bytes(w, name, c, NULL, 0, 1, buf + ZIP_WRITE_CHUNK, err) : 0;
            break;
        }
        *crc = (uint32_t)crc32(*crc, chunk, (uInt)n);
        *total += n;
        rc = c ? encode_bytes(w, name, c, chunk, n, 0, buf + ZIP_WRITE_CHUNK, err) : write_bytes(w, name, chunk, n, err);
        if (rc < 0)
            break;
    }
    free(buf);
    return rc;
}

/* Writes an entry begun with spec s: stored and deflated data through
 * minizip, xz and zstd through our encoder. */
static int add_entry(ota_zip_writer *w, const struct entry_spec *s, const void *data, size_t len, int fd,
                     uint64_t size_hint, int size_known, ota_error *err)
{
    struct zip_codec c;
    int foreign = is_foreign(s->method);
    if (foreign && zip_encoder_start(&c, s->method, s->level, size_hint, size_known, err) < 0) {
        ota_error_prefix(err, "%s: %s", w->path, s->name);
        return -1;
    }
    struct open_entry oe;
    uint64_t total;
    uint32_t crc;
    int rc = begin_entry(w, s, &oe, err) < 0 ||
                     write_payload(w, s->name, foreign ? &c : NULL, data, len, fd, &total, &crc, err) < 0 ||
                     end_entry(w, s, &oe, total, crc, err) < 0
                 ? -1
                 : 0;
    if (foreign)
        zip_encoder_end(&c);
    return rc;
}

static const ota_zip_add_opts default_opts = { .method = OTA_ZIP_DEFLATE };

static void spec_from_opts(struct entry_spec *s, const char *name, const ota_zip_add_opts *o, uint64_t size_hint,
                           int size_known)
{
    uint32_t mode = o->unix_mode ? o->unix_mode : (S_IFREG | 0644);
    if ((mode & S_IFMT) == 0)
        mode |= S_IFREG;
    memset(s, 0, sizeof *s);
    s->name = name;
    s->method = o->method;
    /* An empty xz or zstd entry would still hold a stream's framing, which
     * 7-Zip takes for data after the end: store it, as zip(1) does. */
    if (is_foreign(s->method) && size_known && size_hint == 0)
        s->method = OTA_ZIP_STORE;
    s->level = s->method == OTA_ZIP_STORE ? 0 : o->level ? o->level : default_level(o->method);
    s->zip64 = !size_known || size_hint >= ZIP64_THRESHOLD;
    s->made_by = MADE_BY_UNIX;
    s->external_fa = mode << 16 | (S_ISDIR(mode) ? DOS_DIR_ATTR : 0);
    s->align = o->align;
}

/* Readers take a name ending in '/' for a directory, whatever its mode:
 * only directory entries may have one. */
static int check_not_dir_name(ota_zip_writer *w, const char *name, const struct entry_spec *s, ota_error *err)
{
    if (name && *name && name[strlen(name) - 1] == '/' && !S_ISDIR(s->external_fa >> 16))
        return ota_error_set(err, OTA_ERR_ARGS, "%s: %s: only directory entries may end in '/'", w->path, name);
    return 0;
}

/* ---- public API ------------------------------------------------------------ */

ota_zip_writer *ota_zip_writer_open(const char *path, ota_error *err)
{
    if (!path)
        return ota_error_set(err, OTA_ERR_ARGS, "ota_zip_writer_open: no path given"), NULL;
    ota_zip_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    w->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        ota_error_errno(err, "cannot create %s", path);
        free(w->path);
        free(w);
        return NULL;
    }
    /* minizip seeks back to finish each local header, and a failed
     * archive is deleted: both only make sense for a regular file. */
    struct stat st;
    if (fstat(w->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ota_error_set(err, OTA_ERR_ARGS, "%s: not a regular file", path);
        close(w->fd);
        free(w->path);
        free(w);
        return NULL;
    }
    zip_io_init(&w->io, w->fd);
    zlib_filefunc64_def funcs;
    zip_io_functions(&funcs);
    w->zf = zipOpen2_64(&w->io, APPEND_STATUS_CREATE, NULL, &funcs);
    if (!w->zf) {
        ota_error_set(err, OTA_ERR_NOMEM, "%s: minizip cannot start an archive", path);
        ota_zip_writer_abort(w);
        return NULL;
    }
    return w;
}

int ota_zip_add_data(ota_zip_writer *w, const char *name, const void *data, size_t len,
                     const ota_zip_add_opts *opts, ota_error *err)
{
    const ota_zip_add_opts *o = opts ? opts : &default_opts;
    if (zip_writer_usable(w, err) < 0 || check_opts(w, o, err) < 0)
        return -1;
    if (!data && len)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: %s: no data given", w->path, name ? name : "");
    struct entry_spec s;
    spec_from_opts(&s, name, o, len, 1);
    if (check_not_dir_name(w, name, &s, err) < 0 || claim_name(w, name, err) < 0)
        return -1;
    static const uint8_t none[1];
    return add_entry(w, &s, data ? data : none, len, -1, len, 1, err) < 0 ? fail(w, err) : 0;
}

int ota_zip_add_fd(ota_zip_writer *w, const char *name, int fd, const ota_zip_add_opts *opts, ota_error *err)
{
    const ota_zip_add_opts *o = opts ? opts : &default_opts;
    if (zip_writer_usable(w, err) < 0 || check_opts(w, o, err) < 0 || check_name(w, name, err) < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ota_error_errno(err, "%s: %s: cannot stat the input", w->path, name);
    struct entry_spec s;
    spec_from_opts(&s, name, o, (uint64_t)st.st_size, S_ISREG(st.st_mode));
    if (check_not_dir_name(w, name, &s, err) < 0 || claim_name(w, name, err) < 0)
        return -1;
    return add_entry(w, &s, NULL, 0, fd, (uint64_t)st.st_size, S_ISREG(st.st_mode), err) < 0 ? fail(w, err) : 0;
}

int ota_zip_add_file(ota_zip_writer *w, const char *name, const char *path, const ota_zip_add_opts *opts,
                     ota_error *err)
{
    if (zip_writer_usable(w, err) < 0)
        return -1;
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        return path ? ota_error_errno(err, "cannot open %s", path)
                    : ota_error_set(err, OTA_ERR_ARGS, "%s: no input path given", w->path);
    int rc = ota_zip_add_fd(w, name, fd, opts, err);
    close(fd);
    return rc;
}

int ota_zip_add_symlink(ota_zip_writer *w, const char *name, const char *target, ota_error *err)
{
    if (zip_writer_usable(w, err) < 0)
        return -1;
    if (!target || !*target)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: symlink %s has no target", w->path, name ? name : "");
    ota_zip_add_opts o = { .method = OTA_ZIP_STORE, .unix_mode = S_IFLNK | 0777 };
    return ota_zip_add_data(w, name, target, strlen(target), &o, err);
}

int ota_zip_add_dir(ota_zip_writer *w, const char *name, uint32_t mode, ota_error *err)
{
    if (zip_writer_usable(w, err) < 0 || check_name(w, name, err) < 0)
        return -1;
    size_t len = strlen(name);
    char *dir = malloc(len + 2);
    if (!dir)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
    memcpy(dir, name, len + 1);
    if (dir[len - 1] != '/') /* a directory entry's name ends in '/' */
        memcpy(dir + len, "/", 2);
    ota_zip_add_opts o = { .method = OTA_ZIP_STORE, .unix_mode = S_IFDIR | (mode & 07777 ? mode & 07777 : 0755) };
    int rc = ota_zip_add_data(w, dir, NULL, 0, &o, err);
    free(dir);
    return rc;
}

/* Deflate's level is recorded in general-purpose flag bits 1-2; minizip
 * derives them from the level, so map them back. */
static int level_from_flags(uint16_t flags)
{
    static const int levels[4] = { 6, 9, 2, 1 };
    return levels[(flags >> 1) & 3];
}

int ota_zip_copy_entry(ota_zip_writer *w, ota_zip *src, const ota_zip_entry *entry, const char *new_name,
                       ota_error *err)
{
    if (zip_writer_usable(w, err) < 0)
        return -1;
    const struct zip_rec *r = zip_rec_of(src, entry, err);
    uint64_t off;
    /* (ota_zip_data_offset: a raw copy is refused in verified mode) */
    if (!r || ota_zip_data_offset(src, entry, &off, err) < 0)
        return -1;
    const char *name = new_name ? new_name : entry->name;
    unsigned char *buf = malloc(ZIP_WRITE_CHUNK);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", w->path);
    if (claim_name(w, name, err) < 0) {
        free(buf);
        return -1;
    }
    struct entry_spec s = {
        .name = name,
        .method = entry->method,
        .level = entry->method == OTA_ZIP_DEFLATE ? level_from_flags(r->flags) : 0,
        .raw = 1,
        .zip64 = entry->size >= ZIP64_THRESHOLD || entry->compressed_size >= ZIP64_THRESHOLD,
        .made_by = r->version_made_by,
        .flags = (uint16_t)(r->flags & ZIP_FLAG_UTF8),
        .external_fa = r->external_fa,
        .internal_fa = r->internal_fa,
    };
    struct open_entry oe;
    int rc = begin_entry(w, &s, &oe, err);
    for (uint64_t left = entry->compressed_size; rc == 0 && left > 0;) {
        size_t n = left < ZIP_WRITE_CHUNK ? (size_t)left : ZIP_WRITE_CHUNK;
        if (zip_read_at(src, buf, n, off) < 0)
            rc = ota_error_errno(err, "%s: entry %s: read failed", src->path, entry->name);
        else
            rc = write_bytes(w, name, buf, n, err);
        off += n;
        left -= n;
    }
    free(buf);
    if (rc < 0 || end_entry(w, &s, &oe, entry->size, entry->crc32, err) < 0)
        return fail(w, err);
    return 0;
}
