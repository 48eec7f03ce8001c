/* BSDIFF40: Colin Percival's patch format, as written by Debian's bsdiff
 * and read by Android's applypatch.  Header: "BSDIFF40", ctrl length, diff
 * length, new size (8 bytes each, sign-magnitude little endian), then three
 * bzip2 streams: control triples, diff bytes, extra bytes.
 * BSDF2: Android's successor (P and later): "BSDF2" and one codec byte per
 * stream (1 bzip2, 2 brotli; our extension: 'x' xz, 'z' zstd) in place of
 * the last three magic bytes, the rest as BSDIFF40.  Readers here take
 * both; docs/bsdiff.md has the details. */
#ifndef APPLYPATCH_BSPATCH_H
#define APPLYPATCH_BSPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

/* Applies a BSDIFF40 or BSDF2 patch held in memory to old_data, streaming the result
 * to sink as it is made.  Never reads or writes outside its buffers,
 * whatever the patch says. */
int bspatch_mem(const uint8_t *old_data, size_t old_len, const uint8_t *patch,
                size_t patch_len, ota_sink_fn sink, void *sink_ctx, ota_error *err);

/* The new size a BSDIFF40 or BSDF2 patch declares (header only), or -1. */
long long bspatch_new_size(const uint8_t *patch, size_t patch_len, ota_error *err);

/* Bounded-memory apply, for devices with little RAM: the source is read
 * with pread(2) where the patch points (old_fd's file offset is not used or
 * moved), the patch with pread(2) as its three streams are consumed, and
 * the target goes to sink as it is made.  Peak memory is the three stream
 * decoders (bzip2: about 3.6 MB each for patches compressed at level 9,
 * about 2.3 MB each with BSPATCH_SMALL_BZIP2; our brotli, xz and zstd
 * streams: about 1 MB each) plus five BSPATCH_FILE_CHUNK buffers, whatever
 * the sizes of source, patch and target.  (applypatch/patch_stream.h is
 * the general form: any patch format, any input.) */
#define BSPATCH_FILE_CHUNK (64 * 1024)
#define BSPATCH_SMALL_BZIP2 1u /* bzip2's low-memory decompressor: slower */
int bspatch_file(int old_fd, uint64_t old_len, int patch_fd, unsigned flags, ota_sink_fn sink,
                 void *sink_ctx, ota_error *err);

#endif
