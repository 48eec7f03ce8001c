/* Where a transfer list's data comes from: the new data, read once in
 * order (plain, or brotli-compressed), and the patch data, read at the
 * offsets the list names.  Package entries are read through the zip
 * layer's streaming API (ota_zip_stream), so whatever the zip layer
 * checks as it reads (CRC-32, and a signed manifest's digests in its
 * verified mode) applies to every byte the engine uses; nothing reads the
 * package file around it by offset. */
#ifndef BLOCKIMG_STREAM_H
#define BLOCKIMG_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/zip.h"

/* ---- sequential readers ------------------------------------------------ */

typedef struct bi_reader bi_reader;
struct bi_reader {
    /* Up to len bytes into buf: the count read (less only at the end), 0
     * at the end, -1 with err set. */
    long long (*read)(bi_reader *r, void *buf, size_t len, ota_error *err);
    void (*close)(bi_reader *r);
};

long long bi_reader_read(bi_reader *r, void *buf, size_t len, ota_error *err);
/* Reads what is left up to the end (so the producer's end-of-data checks
 * run), counting it in *left.  0, or -1 when reading fails. */
int bi_reader_drain(bi_reader *r, uint64_t *left, ota_error *err);
void bi_reader_close(bi_reader *r); /* NULL is fine */

/* A zip entry, streamed by the zip layer in a second thread that hands
 * each piece to read() as it asks (the zip layer pushes, the engine
 * pulls: as Android's updater does).  The archive must stay open until
 * close; several readers may stream one archive at once. */
bi_reader *bi_reader_zip(ota_zip *zip, const ota_zip_entry *entry, ota_error *err);
/* A file descriptor from its current offset (not closed by close). */
bi_reader *bi_reader_fd(int fd, const char *shown, ota_error *err);
/* Brotli-decompresses inner (which it owns from now on, also on failure).
 * Data after the end of the brotli stream is an error. */
bi_reader *bi_reader_brotli(bi_reader *inner, const char *shown, ota_error *err);
/* The new data of a package entry, decompressed when its name ends in
 * ".br" -- Android decides by the name too. */
bi_reader *bi_reader_new_data(ota_zip *zip, const char *name, ota_error *err);

/* ---- patch data: bytes by offset --------------------------------------- */

typedef struct bi_patch_data bi_patch_data;

/* A stored or deflated package entry.  Reads are forward-only streams:
 * Android's generator writes patches in command order, so each read skips
 * ahead; an offset before the current position restarts the stream from
 * the beginning (counted in bi_patch_data_restarts). */
bi_patch_data *bi_patch_data_zip(ota_zip *zip, const ota_zip_entry *entry, ota_error *err);
/* A file (pread); the fd is not closed by close. */
bi_patch_data *bi_patch_data_fd(int fd, const char *shown, ota_error *err);
/* Exactly len bytes at offset; past the end of the data is an error naming
 * both. */
int bi_patch_data_read(bi_patch_data *p, uint64_t offset, void *buf, size_t len, ota_error *err);
uint64_t bi_patch_data_size(const bi_patch_data *p);
size_t bi_patch_data_restarts(const bi_patch_data *p);
/* Reads a zip entry being streamed on to its end, so that the zip layer's
 * end-of-entry checks cover the patches used.  0, or -1 when they fail. */
int bi_patch_data_finish(bi_patch_data *p, ota_error *err);
void bi_patch_data_close(bi_patch_data *p); /* NULL is fine */

#endif
