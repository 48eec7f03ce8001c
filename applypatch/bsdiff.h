/* BSDIFF40: Colin Percival's patch format, as written by Debian's bsdiff
 * and read by Android's applypatch.  Header: "BSDIFF40", ctrl length, diff
 * length, new size (8 bytes each, sign-magnitude little endian), then three
 * bzip2 streams: control triples, diff bytes, extra bytes. */
#ifndef APPLYPATCH_BSDIFF_H
#define APPLYPATCH_BSDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

/* Makes a BSDIFF40 patch from old to new, in memory (suffix array from
 * libdivsufsort).  *patch is malloc'd. */
int bsdiff_create(const uint8_t *old_data, size_t old_len, const uint8_t *new_data,
                  size_t new_len, uint8_t **patch, size_t *patch_len, ota_error *err);

/* Applies a BSDIFF40 patch held in memory to old_data, streaming the result
 * to sink as it is made.  Never reads or writes outside its buffers,
 * whatever the patch says. */
int bspatch_mem(const uint8_t *old_data, size_t old_len, const uint8_t *patch,
                size_t patch_len, ota_sink_fn sink, void *sink_ctx, ota_error *err);

/* The new size a BSDIFF40 patch declares (header only), or -1. */
long long bspatch_new_size(const uint8_t *patch, size_t patch_len, ota_error *err);

/* Bounded-memory apply, for devices with little RAM: the source is read
 * with pread(2) where the patch points (old_fd's file offset is not used or
 * moved), the patch with pread(2) as its three streams are consumed, and
 * the target goes to sink as it is made.  Peak memory is the three bzip2
 * decompressors (about 3.6 MB each for patches compressed at level 9, about
 * 2.3 MB each with BSPATCH_SMALL_BZIP2) plus five BSPATCH_FILE_CHUNK buffers,
 * whatever the sizes of source, patch and target. */
#define BSPATCH_FILE_CHUNK (64 * 1024)
#define BSPATCH_SMALL_BZIP2 1u /* bzip2's low-memory decompressor: slower */
int bspatch_file(int old_fd, uint64_t old_len, int patch_fd, unsigned flags, ota_sink_fn sink,
                 void *sink_ctx, ota_error *err);

#endif
