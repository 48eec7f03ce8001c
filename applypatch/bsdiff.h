/* Making BSDIFF40 and BSDF2 patches (the format: applypatch/bspatch.h,
 * docs/bsdiff.md).  Host side and the updater's tests; the device only
 * applies (bspatch.h). */
#ifndef APPLYPATCH_BSDIFF_H
#define APPLYPATCH_BSDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/codec.h"
#include "otautil/error.h"

/* Makes a BSDIFF40 patch from old to new, in memory (suffix array from
 * libdivsufsort).  *patch is malloc'd. */
int bsdiff_create(const uint8_t *old_data, size_t old_len, const uint8_t *new_data,
                  size_t new_len, uint8_t **patch, size_t *patch_len, ota_error *err);

typedef struct bsdiff_opts {
    /* The codecs each stream may use (CODEC_SET_* of codec.h); each
     * stream gets the one that makes it smallest.  0 or bzip2 alone: a
     * BSDIFF40 patch; else BSDF2 (Android P+ reads it when the set is
     * within CODEC_SET_ANDROID). */
    unsigned codecs;
} bsdiff_opts;

/* bsdiff_create with options (opts NULL: as bsdiff_create). */
int bsdiff_create_opts(const uint8_t *old_data, size_t old_len, const uint8_t *new_data,
                       size_t new_len, const bsdiff_opts *opts, uint8_t **patch,
                       size_t *patch_len, ota_error *err);

#endif
