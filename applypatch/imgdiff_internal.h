/* Internal pieces of imgdiff (imgdiff*.c): finding deflate streams in the
 * inputs and checking that zlib reproduces them.  Not part of the API:
 * applypatch/imgdiff.h is. */
#ifndef APPLYPATCH_IMGDIFF_INTERNAL_H
#define APPLYPATCH_IMGDIFF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/lz4_stream.h"
#include "otautil/error.h"

enum imgdiff_region_kind { REGION_DEFLATE, REGION_LZ4 };

/* A compressed stream inside an input (raw deflate, or a whole LZ4
 * stream), and what it expands to. */
typedef struct imgdiff_region {
    int kind;             /* enum imgdiff_region_kind */
    size_t offset, len;   /* the compressed bytes */
    uint8_t *plain;       /* malloc'd expansion */
    size_t plain_len;
    char *name;           /* zip mode: the entry name; else NULL */
    lz4_params lz4;       /* LZ4: the container (level not known yet) */
} imgdiff_region;

typedef struct imgdiff_regions {
    imgdiff_region *v;
    size_t n, cap;
} imgdiff_regions;

void imgdiff_regions_free(imgdiff_regions *r);

/* Inflates the raw deflate stream at the start of data (at most len bytes).
 * Returns 1 with *plain (malloc'd), *plain_len and *consumed when a whole
 * stream is there, 0 when it is not valid deflate data, -1 on allocation
 * failure (err set). */
int imgdiff_inflate_stream(const uint8_t *data, size_t len, uint8_t **plain, size_t *plain_len,
                           size_t *consumed, ota_error *err);

/* gzip members anywhere in data (header, deflate stream, CRC and size all
 * checked), in order; each region is the member's deflate stream only. */
int imgdiff_find_gzip(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err);

/* LZ4 streams (legacy, as in a bzImage, or frames) anywhere in data, in
 * order. */
int imgdiff_find_lz4(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err);

/* Merges b into a (both in file order), dropping any region of b that
 * overlaps one of a; b is emptied. */
int imgdiff_regions_merge(imgdiff_regions *a, imgdiff_regions *b, ota_error *err);

/* The deflated entries of the zip archive in data, in file order, named.
 * Fails when data is not a zip archive. */
int imgdiff_find_zip(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err);

#endif
