/* Private to otautil/zip*.c: what the index, the reader and the writer
 * share.  Other modules use otautil/zip.h only. */
#ifndef OTAUTIL_ZIP_INTERNAL_H
#define OTAUTIL_ZIP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <minizip/ioapi.h>
#include <minizip/zip.h>

#include "otautil/hash.h"
#include "otautil/signed_entries.h"
#include "otautil/zip.h"

/* ---- record layouts (PKWARE APPNOTE) ------------------------------------ */
#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_EOCD_SIG 0x06054b50u
#define ZIP64_EOCD_SIG 0x06064b50u
#define ZIP64_LOCATOR_SIG 0x07064b50u
#define ZIP_LOCAL_LEN 30
#define ZIP_CENTRAL_LEN 46
#define ZIP_EOCD_LEN 22
#define ZIP64_EOCD_LEN 56
#define ZIP64_LOCATOR_LEN 20
#define ZIP_MAX_COMMENT 0xffff
#define ZIP_EXTRA_ZIP64 0x0001
#define ZIP_HOST_MSDOS 0
#define ZIP_HOST_UNIX 3
#define ZIP_HOST_OSX 19
#define ZIP_FLAG_ENCRYPTED 0x0001
#define ZIP_FLAG_UTF8 0x0800

static inline uint16_t zip_le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t zip_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t zip_le64(const unsigned char *p)
{
    return (uint64_t)zip_le32(p) | (uint64_t)zip_le32(p + 4) << 32;
}
static inline void zip_put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

/* ---- minizip I/O over a file descriptor (zip_io.c) ---------------------- */
/* minizip gets a pointer to this as its "file name"; positioned reads and
 * writes keep it independent of the writer's own pread/pwrite on the fd.
 * Writes are gathered in a buffer because minizip writes headers field by
 * field. */
struct zip_io {
    int fd;
    uint64_t pos;         /* minizip's current position */
    int error;            /* first errno seen, 0 if none */
    unsigned char *wbuf;  /* pending writes, contiguous from woff */
    size_t wlen;
    uint64_t woff;
};

void zip_io_init(struct zip_io *io, int fd);
void zip_io_functions(zlib_filefunc64_def *def);
/* Writes out pending data; -1 with io->error set on failure. */
int zip_io_flush(struct zip_io *io);
/* Overwrites len bytes at off, already written or still pending (a local
 * header finished after its data); -1 with io->error set on failure. */
int zip_io_patch(struct zip_io *io, uint64_t off, const void *data, size_t len);
void zip_io_release(struct zip_io *io);
/* pread until len bytes; 0, or -1 (errno set; EIO-like short read -> ENODATA). */
int zip_pread_full(int fd, void *buf, size_t len, uint64_t off);

/* ---- decoders and encoders of entry data (zip_decode.c, zip_encode.c) --- */
/* "version needed to extract" for XZ and Zstandard entries (APPNOTE 6.3). */
#define ZIP_VERSION_XZ_ZSTD 63

enum zip_step { ZIP_STEP_MORE, ZIP_STEP_END, ZIP_STEP_ERROR };
struct zip_codec {
    int method;
    void *state;
    int started;
    int over_budget;  /* the error was a stream needing more than the budget */
    char why[192];    /* after ZIP_STEP_ERROR: what was wrong */
};

/* 1 for the methods the reader decodes (stored included). */
int zip_method_supported(int method);
/* Starts a decoder for a compressed method; err says why not (no path:
 * the caller names archive and entry). */
int zip_decoder_start(struct zip_codec *c, int method, ota_error *err);
/* Decodes from (*in, *in_len) into out, advancing the input and setting
 * *made; `last`: no input follows what is given.  MORE without progress
 * means the decoder wants more input than there is. */
int zip_decoder_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int last, uint8_t *out,
                     size_t out_len, size_t *made);
void zip_decoder_end(struct zip_codec *c);
/* The same for encoding (xz and zstd only); size_hint is the input's size
 * when size_known. */
int zip_encoder_start(struct zip_codec *c, int method, int level, uint64_t size_hint, int size_known,
                      ota_error *err);
int zip_encoder_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int finish, uint8_t *out,
                     size_t out_len, size_t *made);
void zip_encoder_end(struct zip_codec *c);

/* ---- the central-directory index (zip_index.c) -------------------------- */
struct zip_rec {
    ota_zip_entry pub; /* first: an ota_zip_entry* is a zip_rec* */
    uint64_t cd_offset;
    uint32_t external_fa;
    uint16_t version_made_by, flags, internal_fa;
};

struct zip_index {
    struct zip_rec *recs;
    size_t count;
    char *names;         /* every name, NUL-terminated, one arena */
    size_t *sorted;      /* rec indexes in name order, for lookup */
    uint8_t *comment;
    size_t comment_len;
    uint64_t cd_offset, cd_size;
    uint8_t cd_sha256[OTA_SHA256_LEN]; /* of the directory's bytes as parsed */
};

/* Parses and checks the end records and the central directory of zip's
 * bytes (zip->size of them, read with zip_read_at); zip->path names the
 * archive in messages. */
int zip_index_build(struct zip_index *idx, const ota_zip *zip, ota_error *err);
void zip_index_free(struct zip_index *idx);
const struct zip_rec *zip_index_find(const struct zip_index *idx, const char *name);
/* FNV-1a of a NUL-terminated name (the writer's table of names written;
 * the reader sorts instead, so a crafted archive cannot make its lookups
 * slow). */
uint64_t zip_name_hash(const char *name);

/* ---- the reader (zip_read.c) -------------------------------------------- */
struct ota_zip {
    char *path;
    int fd;              /* -1 for an archive in memory */
    const uint8_t *mem;  /* the archive's bytes, when it is in memory */
    ota_zip_read_fn read_fn; /* or a reader's function (ota_zip_open_reader) */
    void *read_ctx;
    uint64_t size;
    struct zip_index idx;
    ota_signed_entries *signed_entries; /* verified mode: reads are checked */
};

/* Reads len bytes at off, from the file or the memory: 0, or -1 with errno
 * set (ENODATA when the archive is shorter). */
int zip_read_at(const ota_zip *zip, void *buf, size_t len, uint64_t off);

/* The record behind an entry pointer, checked to belong to `zip`. */
const struct zip_rec *zip_rec_of(const ota_zip *zip, const ota_zip_entry *entry, ota_error *err);
/* Checks that the entry can be read (method, encryption, local header)
 * and gives the offset of its compressed data. */
int zip_entry_data(const ota_zip *zip, const struct zip_rec *rec, uint64_t *data_off, ota_error *err);

/* ---- the writer (zip_write.c, zip_write_end.c) -------------------------- */
struct ota_zip_writer {
    char *path;
    int fd;
    struct zip_io io;
    zipFile zf;
    char **names; /* hash set of names written, for duplicates */
    size_t name_cap, count;
    /* Central-directory fields to correct after zipClose: "version made
     * by", which minizip resets to 45 (dropping the Unix host byte, and
     * with it the modes) when it adds zip64 fields; and the method of xz
     * and zstd entries, which minizip only writes as stored raw data. */
    struct restore_made_by {
        size_t index;
        uint16_t made_by;
        uint16_t method;  /* 0: as minizip wrote it */
    } *restore;
    size_t n_restore, cap_restore;
    ota_error failure; /* set once an entry failed half-way */
};

/* 0, or -1 when w is NULL or an earlier failure left it unusable. */
int zip_writer_usable(ota_zip_writer *w, ota_error *err);
/* Reports a failed minizip call, with our I/O layer's errno when it has one. */
int zip_writer_minizip_error(ota_zip_writer *w, int rc, const char *name, ota_error *err);

#endif
