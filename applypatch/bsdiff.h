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

#endif
