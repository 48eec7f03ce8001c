/* The one zip layer: read packages and target-files (our own index of the
 * central directory; zlib, liblzma and libzstd decode), write packages
 * (minizip, and our own encoders for xz and zstd).  Zip64
 * archives work both ways.  Sizes from headers are checked
 * against the file before anything is allocated on their strength.
 *
 * Reading uses positioned reads (or memory) only, and the index does not change after
 * ota_zip_open, so several threads may stream entries of one ota_zip at
 * once.  A writer is used by one thread at a time.  See docs/zip.md.
 *
 * Verified mode (ota_zip_verify_entries): once a package has verified,
 * every read of an entry's contents is held to the signed manifest as the
 * bytes are read (otautil/signed_entries.h), so a file rewritten after its
 * verification cannot feed unsigned bytes to anyone reading through the
 * zip layer. */
#ifndef OTAUTIL_ZIP_H
#define OTAUTIL_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "otautil/error.h"
#include "otautil/signed_entries.h"
#include "otautil/sink.h"

/* ---- methods ------------------------------------------------------------ */

/* The compression methods read and written (PKWARE APPNOTE 4.4.5).  Stored
 * and deflated entries are what Android's recovery reads; XZ and Zstandard
 * entries need our reader (or another that knows APPNOTE 6.3.7+). */
enum ota_zip_method { OTA_ZIP_STORE = 0, OTA_ZIP_DEFLATE = 8, OTA_ZIP_ZSTD = 93, OTA_ZIP_XZ = 95 };

/* The memory budget of xz and zstd entries: the writer never uses a
 * dictionary (xz) or window (zstd) over OTA_ZIP_WINDOW_MAX bytes, and the
 * reader refuses a stream that needs more, naming the entry and what the
 * stream needs, before allocating it.  Decoding one entry then takes at
 * most the window plus about 1 MiB (zlib: 44 KiB). */
#define OTA_ZIP_WINDOW_LOG_MAX 23
#define OTA_ZIP_WINDOW_MAX (1u << OTA_ZIP_WINDOW_LOG_MAX)

/* "stored", "deflate", "zstd", "xz"; NULL for another method. */
const char *ota_zip_method_name(int method);

/* ---- reading ------------------------------------------------------------ */

typedef struct ota_zip ota_zip;

typedef struct ota_zip_entry {
    const char *name;           /* as stored, NUL-terminated */
    uint64_t size;              /* uncompressed */
    uint64_t compressed_size;
    uint32_t crc32;
    uint16_t method;            /* enum ota_zip_method: 0 stored, 8 deflated, 93 zstd, 95 xz */
    uint32_t unix_mode;         /* st_mode from the external attributes, 0 if none */
    int is_dir;                 /* name ends in '/' or mode says so */
    int is_symlink;             /* unix mode S_IFLNK: contents are the target */
    uint64_t local_header_offset;
    size_t index;               /* position in the central directory */
} ota_zip_entry;

/* Opens and indexes the central directory.  Fails (with the name) on
 * duplicate entry names, on entries whose extents lie outside the file, and
 * on anything that is not a zip -- including archives that read two ways
 * (an end record hidden in the comment, a central directory that does not
 * end where the end record starts). */
ota_zip *ota_zip_open(const char *path, ota_error *err);
/* The same, on an open file descriptor (a regular file or a block device),
 * which is duplicated: the caller keeps and closes its own.  Reads go to
 * that open file, never to a path, so renaming another file into place
 * changes nothing.  `name` names the archive in messages. */
ota_zip *ota_zip_open_fd(int fd, const char *name, ota_error *err);
/* The same, for an archive held in memory: data (len bytes) is not copied
 * and must stay valid and unchanged until ota_zip_close.  `name` only
 * names the archive in messages and ota_zip_path (NULL: "zip"). */
ota_zip *ota_zip_open_memory(const void *data, size_t len, const char *name, ota_error *err);
/* The same, for an archive read through a function: exactly len bytes at
 * off into buf, 0, or -1 with errno set (the function keeps its own
 * account of why).  It may be called from several threads at once (entries
 * streamed in parallel) and must serialise itself.  A streamed install
 * reads a package on a server this way (agent/install_ab_stream.c). */
typedef int (*ota_zip_read_fn)(void *ctx, void *buf, size_t len, uint64_t off);
ota_zip *ota_zip_open_reader(ota_zip_read_fn read, void *ctx, uint64_t size, const char *name,
                             ota_error *err);
void ota_zip_close(ota_zip *zip);

const char *ota_zip_path(const ota_zip *zip);
size_t ota_zip_count(const ota_zip *zip);
const ota_zip_entry *ota_zip_entry_at(const ota_zip *zip, size_t index);
/* Exact name lookup, NULL when absent. */
const ota_zip_entry *ota_zip_find(const ota_zip *zip, const char *name);

/* The archive comment (may contain NUL bytes), and its length. */
const uint8_t *ota_zip_comment(const ota_zip *zip, size_t *len);

/* The offset in the archive of the entry's data as stored (compressed
 * for deflated entries; compressed_size bytes of it), found through its
 * local header, which is checked first as reading does (signature, method,
 * name, data before the central directory).  Entries of the methods above
 * only (others, and encrypted ones: OTA_ERR_UNSUPPORTED). */
int ota_zip_data_offset(const ota_zip *zip, const ota_zip_entry *entry, uint64_t *offset,
                        ota_error *err);

/* Streams an entry through `sink` in bounded memory (128 KiB of buffers
 * plus the decoder's state, see OTA_ZIP_WINDOW_MAX), checking its CRC-32
 * and size at the end.  Entries of the methods above only (others:
 * OTA_ERR_UNSUPPORTED; an xz or zstd stream over the budget: OTA_ERR_LIMIT).  In verified mode
 * the bytes are also checked against their signed digests, which the end
 * of the stream settles: a sink must not commit what it got (give a file
 * its name, boot from it) before the call returned 0. */
int ota_zip_stream(ota_zip *zip, const ota_zip_entry *entry, ota_sink_fn sink,
                   void *ctx, ota_error *err);
/* Reads an entry whole into a malloc'd buffer (NUL-terminated for
 * convenience, the NUL not counted in *len).  Refuses entries over
 * max_size bytes (0: no limit beyond what the file can hold).  In verified
 * mode the whole entry is checked before the call returns. */
int ota_zip_read(ota_zip *zip, const ota_zip_entry *entry, uint8_t **data,
                 size_t *len, size_t max_size, ota_error *err);
/* Streams an entry to fd (write(2) loop; no fsync). */
int ota_zip_extract_fd(ota_zip *zip, const ota_zip_entry *entry, int fd, ota_error *err);

/* The archive's size, and its raw bytes (for the whole-file signature,
 * which covers the archive rather than its entries).  Raw reads, like
 * ota_zip_data_offset and ota_zip_copy_entry, bypass the entry checks and
 * are refused (OTA_ERR_ARGS) in verified mode. */
uint64_t ota_zip_size(const ota_zip *zip);
int ota_zip_read_raw(const ota_zip *zip, void *buf, size_t len, uint64_t off, ota_error *err);

/* Where the central directory lies, and the SHA-256 of its bytes as they
 * were read to build the index (OTA_SHA256_LEN bytes).  A verifier that
 * hashes the same range of the signed bytes knows the index is the signed
 * one; a process handed a package by its verifier compares the digest to
 * know it indexed the same directory. */
void ota_zip_index_extent(const ota_zip *zip, uint64_t *offset, uint64_t *len);
const uint8_t *ota_zip_index_sha256(const ota_zip *zip);

/* Puts zip in verified mode with the entries s signs (zip takes s, also
 * on failure): from now on every entry read is checked (see above), an
 * entry s does not list is refused before a byte is read, and raw access
 * is refused. */
int ota_zip_verify_entries(ota_zip *zip, ota_signed_entries *s, ota_error *err);
/* The table of verified mode, or NULL. */
const ota_signed_entries *ota_zip_signed_entries(const ota_zip *zip);

/* ---- writing ------------------------------------------------------------ */

typedef struct ota_zip_writer ota_zip_writer;

/* Every entry gets this timestamp, so the same input gives the same bytes
 * (2009-01-01 00:00:00, as Android's signapk). */
#define OTA_ZIP_FIXED_TIME_YEAR 2009

/* opts may be NULL: deflate, level 6, regular file 0644. */
typedef struct ota_zip_add_opts {
    int method;          /* enum ota_zip_method */
    int level;           /* 0: the method's default.  deflate 1..9 (6); xz preset
                          * 1..9 (6; the dictionary capped at OTA_ZIP_WINDOW_MAX);
                          * zstd 1..19 (19; the window capped likewise).  An empty
                          * xz or zstd entry of known size is stored instead */
    uint32_t unix_mode;  /* full st_mode; 0: regular file 0644; no type bits: regular */
    uint16_t align;      /* stored entries: data aligned to this (0/1: none), padded
                          * with Android's 0xD935 extra field; ignored when deflating */
} ota_zip_add_opts;

/* Creates (truncates) path, which must be a regular file.  Entry names must
 * be unique, and only directory names may end in '/'; a name that breaks
 * either rule is refused with OTA_ERR_ARGS and the writer stays usable.
 * A failure half-way through an entry makes every later call fail. */
ota_zip_writer *ota_zip_writer_open(const char *path, ota_error *err);
int ota_zip_add_data(ota_zip_writer *w, const char *name, const void *data, size_t len,
                     const ota_zip_add_opts *opts, ota_error *err);
/* Streams fd to EOF (large files are never held whole). */
int ota_zip_add_fd(ota_zip_writer *w, const char *name, int fd,
                   const ota_zip_add_opts *opts, ota_error *err);
int ota_zip_add_file(ota_zip_writer *w, const char *name, const char *path,
                     const ota_zip_add_opts *opts, ota_error *err);
int ota_zip_add_symlink(ota_zip_writer *w, const char *name, const char *target,
                        ota_error *err);
/* name gets a trailing '/' if it lacks one; mode's permission bits (0: 0755). */
int ota_zip_add_dir(ota_zip_writer *w, const char *name, uint32_t mode, ota_error *err);
/* Copies an entry from another archive without recompressing it (its mode,
 * method and CRC kept; the timestamp becomes the fixed one). */
int ota_zip_copy_entry(ota_zip_writer *w, ota_zip *src, const ota_zip_entry *entry,
                       const char *new_name /* NULL: same name */, ota_error *err);
/* Writes the central directory with the given comment (may be NULL/0;
 * binary, at most 65535 bytes, and without an end-of-central-directory
 * signature in it) and closes the file (fsync'd).  Frees w in every case;
 * on failure the partly written file is deleted. */
int ota_zip_writer_close(ota_zip_writer *w, const void *comment, size_t comment_len,
                         ota_error *err);
/* Closes and deletes a partly written archive. */
void ota_zip_writer_abort(ota_zip_writer *w);

#endif
