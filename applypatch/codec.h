/* The compressors of patch streams: bzip2 (BSDIFF40), brotli (Android's
 * BSDF2), and xz and zstd (our BSDF2 extension).  Each codec's id is the
 * byte BSDF2 stores for it.  Compression works on whole buffers (the host
 * holds the streams anyway); decompression is a reader that pulls exactly
 * as many bytes as the caller asks for from one byte range of a patch
 * input, in bounded memory.
 *
 * Compressors and decompressors live in separate files, so a program that
 * only applies patches (the static update-binary) links no encoder. */
#ifndef APPLYPATCH_CODEC_H
#define APPLYPATCH_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/patch_stream.h"
#include "otautil/error.h"
#include "otautil/sink.h"

enum codec_id {
    CODEC_BZ2 = 1,       /* BSDIFF40, and BSDF2 type 1 (Android) */
    CODEC_BROTLI = 2,    /* BSDF2 type 2 (Android P and later) */
    CODEC_XZ = 0x78,     /* 'x': ours, an .xz stream (LZMA2) */
    CODEC_ZSTD = 0x7a,   /* 'z': ours, a zstd frame */
};

/* Sets of codecs, for choosing the smallest per stream. */
#define CODEC_SET_BZ2 (1u << 0)
#define CODEC_SET_BROTLI (1u << 1)
#define CODEC_SET_XZ (1u << 2)
#define CODEC_SET_ZSTD (1u << 3)
#define CODEC_SET_ANDROID (CODEC_SET_BZ2 | CODEC_SET_BROTLI) /* what Android P+ reads */
#define CODEC_SET_ALL (CODEC_SET_ANDROID | CODEC_SET_XZ | CODEC_SET_ZSTD)

/* "bz2", "brotli", "xz", "zstd"; NULL for an unknown id. */
const char *codec_name(int id);
/* The set bit of a codec id (0 for an unknown id). */
unsigned codec_set_bit(int id);
/* Parses "bz2,brotli", "android" or "all" into a set; 0 when not valid. */
unsigned codec_set_parse(const char *text);

/* Windows our compressors use, and the most our decoders accept: a patch
 * stream is at most this many bytes away from what it refers to, and a
 * decoder needs about this much memory (brotli: up to 16 MiB, its format's
 * limit, for streams written elsewhere). */
#define CODEC_WINDOW_LOG 20
#define CODEC_MAX_WINDOW_LOG 23

/* Compresses data into out (appended), with the codec's strongest setting
 * that keeps within CODEC_WINDOW_LOG. */
int codec_compress(int id, const uint8_t *data, size_t len, ota_buf *out, ota_error *err);

/* Compresses data with every codec in `set`, in parallel where threads can
 * start, and keeps the smallest in out (ties go to the earlier codec in
 * the order bzip2, brotli, xz, zstd); *id is the codec chosen. */
int codec_compress_best(unsigned set, const uint8_t *data, size_t len, ota_buf *out, int *id,
                        ota_error *err);

/* ---- decompression -------------------------------------------------------- */

typedef struct codec_reader codec_reader;
typedef struct codec_decoder codec_decoder; /* one codec's functions */

struct codec_reader {
    const codec_decoder *dec;
    void *state;        /* the codec's decoder */
    const char *format; /* "BSDIFF40", "BSDF2": for messages */
    const char *name;   /* "control", "diff", "extra": for messages */
    int started, ended, used;
    /* the byte range of the input this stream occupies */
    const patch_input *in;
    uint64_t off, end;
    const uint8_t *next_in;
    size_t avail_in;
    uint8_t *inbuf;
    size_t inbuf_cap;
};

/* Opens the stream of codec `id` at [off, off + len) of `in`.  Memory
 * inputs are read in place; callback inputs through an inbuf_cap-byte
 * buffer.  flags: PATCH_SMALL_BZIP2. */
int codec_reader_open(codec_reader *r, int id, const char *format, const char *name,
                      const patch_input *in, uint64_t off, uint64_t len, size_t inbuf_cap,
                      unsigned flags, ota_error *err);
/* Reads up to len bytes, at least one unless the stream has ended (then
 * *got is 0).  A truncated range or corrupt data is an error. */
int codec_reader_read_some(codec_reader *r, uint8_t *out, size_t len, size_t *got,
                           ota_error *err);
/* Reads exactly len bytes; fewer is an error naming the stream. */
int codec_reader_read(codec_reader *r, uint8_t *out, size_t len, ota_error *err);
/* Checks that the stream ends here: its end marker (and checksum) are read
 * and no data is left over. */
int codec_reader_expect_end(codec_reader *r, ota_error *err);
void codec_reader_close(codec_reader *r);

/* One codec's decoder, for codec_reader.c. */
enum codec_step_result { CODEC_STEP_OK, CODEC_STEP_END, CODEC_STEP_ERROR };
struct codec_decoder {
    int id;
    /* Creates the decoder state; flags as codec_reader_open. */
    int (*init)(void **state, unsigned flags, ota_error *err);
    /* Decodes from (*in, *in_len) into (out, out_len), advancing both; sets
     * *made.  On CODEC_STEP_ERROR, *why says what was wrong. */
    int (*step)(void *state, const uint8_t **in, size_t *in_len, uint8_t *out, size_t out_len,
                size_t *made, const char **why);
    void (*end)(void *state);
    /* 1 when an empty byte range stands for an empty stream (Android's
     * brotli reader accepts one). */
    int empty_ok;
};

/* One codec's compressor, for codec.c (in codec_NAME_enc.c). */
int codec_compress_bz2(const uint8_t *data, size_t len, ota_buf *out, ota_error *err);
int codec_compress_brotli(const uint8_t *data, size_t len, ota_buf *out, ota_error *err);
int codec_compress_xz(const uint8_t *data, size_t len, ota_buf *out, ota_error *err);
int codec_compress_zstd(const uint8_t *data, size_t len, ota_buf *out, ota_error *err);

extern const codec_decoder codec_bz2_decoder;
extern const codec_decoder codec_brotli_decoder;
extern const codec_decoder codec_xz_decoder;
extern const codec_decoder codec_zstd_decoder;

#endif
