/* Internal pieces shared by the BSDIFF40/BSDF2 writer (bsdiff*.c) and
 * reader (bspatch*.c).  Not part of the applypatch API: applypatch/bsdiff.h is. */
#ifndef APPLYPATCH_BSDIFF_INTERNAL_H
#define APPLYPATCH_BSDIFF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/codec.h"
#include "applypatch/patch_stream.h"
#include "otautil/error.h"
#include "otautil/sink.h"

#define BSDIFF_MAGIC "BSDIFF40"
#define BSDIFF_HEADER_LEN 32

/* ---- header (bsdiff_header.c) -------------------------------------------- */

/* An 8-byte BSDIFF40 integer: magnitude little endian, sign in the top bit
 * of the last byte. */
void bsdiff_put_offset(uint8_t out[8], int64_t value);
/* The magnitude has 63 bits, so every encoding decodes ("-0" reads as 0). */
int64_t bsdiff_get_offset(const uint8_t in[8]);

/* BSDF2 (Android): "BSDF2", then one byte per stream naming its codec
 * (codec.h: 1 bzip2, 2 brotli; ours add 'x' xz and 'z' zstd), then the
 * same three integers as BSDIFF40. */
#define BSDF2_MAGIC "BSDF2"
#define BSDF2_MAGIC_LEN 5

typedef struct bsdiff_header {
    const char *format; /* "BSDIFF40" or "BSDF2": for messages */
    int codec[3];       /* control, diff, extra (codec.h ids) */
    uint64_t ctrl_len;  /* compressed length of the control stream */
    uint64_t diff_len;  /* compressed length of the diff stream */
    uint64_t new_size;  /* length of the target */
    uint64_t extra_len; /* what is left of the patch: the extra stream */
} bsdiff_header;

/* Parses and checks the 32-byte header (BSDIFF40 or BSDF2) against the
 * patch length. */
int bsdiff_parse_header(const uint8_t *hdr, size_t hdr_len, uint64_t patch_len,
                        bsdiff_header *h, ota_error *err);
/* Writes the 32-byte header: BSDIFF40 when all three codecs are bzip2,
 * else BSDF2. */
void bsdiff_write_header(uint8_t hdr[BSDIFF_HEADER_LEN], const int codec[3], uint64_t ctrl_len,
                         uint64_t diff_len, uint64_t new_size);

/* ---- read-ahead on a second thread (bspatch_prefetch.c) ------------------ */

/* Decompresses one stream on its own thread into a few slots of slot_len
 * bytes, so its decoding overlaps the others'.  NULL when no thread could
 * be started (the caller then reads the stream directly). */
typedef struct stream_prefetch stream_prefetch;
stream_prefetch *stream_prefetch_start(codec_reader *r, size_t slot_len);
/* Same contracts and messages as codec_reader_read / codec_reader_expect_end. */
int stream_prefetch_read(stream_prefetch *p, uint8_t *out, size_t len, ota_error *err);
int stream_prefetch_expect_end(stream_prefetch *p, ota_error *err);
/* Stops the thread and frees the slots (any time, also mid-stream). */
void stream_prefetch_stop(stream_prefetch *p);

/* ---- apply engine (bspatch_engine.c) ------------------------------------- */

/* Runs the control loop: reads triples from readers[0], diff bytes from
 * readers[1] (ahead on a second thread unless flags has PATCH_ONE_THREAD),
 * extra bytes from readers[2], and old data from `old`; sends the target
 * to sink in chunks of at most buf_len bytes.  buf (and, when old is not
 * in memory, old_buf) are caller-provided work buffers of buf_len bytes
 * each. */
int bspatch_run(const bsdiff_header *h, codec_reader readers[3], const patch_input *old,
                uint8_t *buf, uint8_t *old_buf, size_t buf_len, unsigned flags, ota_sink_fn sink,
                void *sink_ctx, ota_error *err);

/* Applies the BSDIFF40 or BSDF2 patch at [patch_off, patch_off + patch_len)
 * of `patch` to `old`.  Work buffers are sized for memory inputs (fast) or
 * callback inputs (bounded).  flags: PATCH_SMALL_BZIP2, PATCH_ONE_THREAD. */
int bspatch_input(const patch_input *old, const patch_input *patch, uint64_t patch_off,
                  uint64_t patch_len, unsigned flags, ota_sink_fn sink, void *sink_ctx,
                  ota_error *err);

/* ---- match search (bsdiff_search.c) -------------------------------------- */

/* A suffix array of the source with a two-byte prefix table that narrows
 * every search to one bucket before the binary search starts. */
typedef struct bsdiff_index {
    const uint8_t *old;
    size_t old_len;
    int32_t *sa;       /* old_len entries */
    uint32_t *bucket;  /* 65537 entries: first sa index of each 2-byte prefix */
    uint64_t *grams;   /* bitset of hashed 8-byte substrings of old */
    unsigned gram_shift; /* 64 - log2(bits in grams) */
} bsdiff_index;

int bsdiff_index_build(bsdiff_index *ix, const uint8_t *old, size_t old_len, ota_error *err);
void bsdiff_index_free(bsdiff_index *ix);
/* Where a match is: its source offset, and its rank in the suffix array. */
typedef struct bsdiff_match {
    size_t pos, rank;
} bsdiff_match;

/* Longest prefix of needle[0..len) that occurs in old: returns its length
 * and where one such match is (pos 0 when nothing matches). */
size_t bsdiff_index_longest(const bsdiff_index *ix, const uint8_t *needle, size_t len,
                            bsdiff_match *m);
/* When several places in old match needle for match_len bytes (m being one
 * of them), the one whose surroundings -- the `before` bytes readable before
 * needle, and the bytes after the first difference -- agree best with the
 * needle's: it makes a diff with more zeros.  Returns its source offset. */
size_t bsdiff_index_best_of_equals(const bsdiff_index *ix, const uint8_t *needle, size_t before,
                                   size_t len, size_t match_len, const bsdiff_match *m);
/* 0 when no 8-byte substring of old equals needle[0..8) (then the longest
 * match there is shorter than 8); 1 when one may. */
int bsdiff_index_may_match8(const bsdiff_index *ix, const uint8_t *needle);

/* ---- control triples (bsdiff_scan.c) ------------------------------------- */

/* One step of the patch: diff_len bytes of new made from old[old_start..]
 * plus a difference, then extra_len literal bytes. */
typedef struct bsdiff_step {
    int64_t diff_len, extra_len, old_start;
} bsdiff_step;

typedef struct bsdiff_steps {
    bsdiff_step *v;
    size_t n, cap;
} bsdiff_steps;

/* Where the scan stands between two steps. */
typedef struct bsdiff_scan_state {
    int64_t scan, len, last_scan, last_pos, last_offset;
} bsdiff_scan_state;

/* Finds the steps that make new from old, appending them to out.  The
 * target is scanned in n_segments pieces on up to n_threads threads and
 * the pieces are joined so that the result is exactly that of one
 * sequential scan, whatever the two numbers. */
int bsdiff_scan(const bsdiff_index *ix, const uint8_t *new_data, size_t new_len,
                int n_segments, int n_threads, bsdiff_steps *out, ota_error *err);

#endif
