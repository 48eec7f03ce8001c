/* A file written through a brotli encoder, streamed: the `new` data of a
 * block update (PREFIX.new.dat.br), which may be as large as the partition,
 * is never held whole.  Android compresses it with brotli's command-line
 * defaults but quality 6; so does this (window 2^22). */
#ifndef RELEASETOOLS_BROTLI_FILE_H
#define RELEASETOOLS_BROTLI_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

typedef struct rt_brotli_file rt_brotli_file;

/* Creates (truncates) path. */
rt_brotli_file *rt_brotli_create(const char *path, int quality, ota_error *err);
int rt_brotli_write(rt_brotli_file *f, const void *data, size_t len, ota_error *err);
/* Finishes the stream and closes the file; *compressed (may be NULL) gets
 * its size.  Frees f in every case; on failure the file is removed. */
int rt_brotli_close(rt_brotli_file *f, uint64_t *compressed, ota_error *err);

#endif
