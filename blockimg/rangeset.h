/* Range sets: which blocks of a partition a transfer reads or writes, in
 * Android's text form "N,a1,b1,a2,b2,...": N is the count of numbers that
 * follow (twice the number of ranges), each pair a half-open range [a, b)
 * of block numbers.  Used by the device (block_image_update, range_sha1)
 * and by the host (the block diff that writes transfer lists), so both read
 * and write one form.
 *
 * A parsed set keeps its ranges in the order written (order matters: a
 * transfer's bytes are the blocks in that order).  The set operations
 * (union, subtract, intersect) return sorted, merged sets. */
#ifndef BLOCKIMG_RANGESET_H
#define BLOCKIMG_RANGESET_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct bi_range {
    uint64_t begin, end; /* [begin, end), begin < end */
} bi_range;

typedef struct bi_rangeset {
    bi_range *ranges;
    size_t count;
    uint64_t blocks; /* total blocks in all ranges */
    size_t cap;      /* private: allocated ranges */
} bi_rangeset;

/* Parses Android's "N,a,b,..." form (the whole of text, len bytes).
 * Refuses, naming what is wrong: no numbers, N odd or zero or not matching
 * the numbers that follow, a range with begin >= end, a number that is not
 * decimal or too large; with max_block > 0, a block at or past max_block.
 * Overlapping ranges within one set are refused too: Android's generator
 * never writes them, and a transfer writing a block twice is a broken list. */
int bi_rangeset_parse(bi_rangeset *rs, const char *text, size_t len, uint64_t max_block,
                      ota_error *err);
/* Appends the set in Android's form. */
int bi_rangeset_format(const bi_rangeset *rs, ota_buf *out, ota_error *err);
/* The same into a malloc'd string (NULL when out of memory). */
char *bi_rangeset_to_string(const bi_rangeset *rs);

/* Adds [begin, end) at the end (as written; merges with the last range when
 * adjacent).  No overlap check: the set operations below sort and merge. */
int bi_rangeset_append(bi_rangeset *rs, uint64_t begin, uint64_t end, ota_error *err);
int bi_rangeset_copy(bi_rangeset *dst, const bi_rangeset *src, ota_error *err);
void bi_rangeset_free(bi_rangeset *rs);

/* 1 when any block is in both sets. */
int bi_rangeset_overlaps(const bi_rangeset *a, const bi_rangeset *b);
/* Sorted, merged results of the set operations, into *out (freed first). */
int bi_rangeset_union(const bi_rangeset *a, const bi_rangeset *b, bi_rangeset *out,
                      ota_error *err);
int bi_rangeset_subtract(const bi_rangeset *a, const bi_rangeset *b, bi_rangeset *out,
                         ota_error *err);
int bi_rangeset_intersect(const bi_rangeset *a, const bi_rangeset *b, bi_rangeset *out,
                          ota_error *err);
/* The first n blocks of rs in its order (n <= rs->blocks). */
int bi_rangeset_first(const bi_rangeset *rs, uint64_t n, bi_rangeset *out, ota_error *err);
/* 1 when both sets are the same ranges in the same order. */
int bi_rangeset_equal(const bi_rangeset *a, const bi_rangeset *b);

#endif
