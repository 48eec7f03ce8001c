/* Applying patches in a fixed amount of memory, with the old data, the
 * patch and the new data behind callbacks: the shape a device's update
 * service (or a small board's OTA HAL) needs.  Every format this project
 * reads goes through here: BSDIFF40, BSDF2 (bzip2, brotli, and our xz and
 * zstd extension), IMGDIFF2 and IMGDIFFX (docs/applypatch.md, "Applying in
 * bounded memory", gives the formats and the budget).
 *
 *   patch_input old, patch;
 *   patch_input_fd(&old, old_fd, &err);       // or patch_input_memory, or
 *   patch_input_fd(&patch, patch_fd, &err);   // your own read callback
 *   patch_apply(&old, &patch, my_write, my_ctx, NULL, &err);
 *
 * The old data and the patch are read at the offsets the patch needs (the
 * callbacks must allow random access); the new data is written in order,
 * once, as it is made, never held whole.  Memory stays within
 * PATCH_APPLY_BUDGET whatever the sizes of the three. */
#ifndef APPLYPATCH_PATCH_STREAM_H
#define APPLYPATCH_PATCH_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

/* Reads exactly len bytes at offset into buf (the caller never asks past
 * the input's size).  Returns 0, or -1 with err set. */
typedef int (*patch_read_fn)(void *ctx, uint64_t offset, void *buf, size_t len, ota_error *err);

/* Random-access input: a read callback, or the whole input in memory
 * (data set; read may then be NULL). */
typedef struct patch_input {
    uint64_t size;
    patch_read_fn read;
    void *ctx;
    const uint8_t *data;
} patch_input;

/* An input over len bytes in memory (data may be NULL when len is 0). */
void patch_input_memory(patch_input *in, const void *data, size_t len);

/* An input over a file or block device read with pread(2) (the fd's file
 * offset is neither used nor moved); the size is the file's (fstat) or the
 * device's.  The fd stays the caller's. */
int patch_input_fd(patch_input *in, int fd, ota_error *err);

/* Reads len bytes at offset from any input (memory or callback), checking
 * the range against its size. */
int patch_input_read(const patch_input *in, uint64_t offset, void *buf, size_t len,
                     ota_error *err);

/* The bytes [offset, offset + len) of another input, as an input. */
typedef struct patch_slice {
    patch_input input;
    const patch_input *parent;
    uint64_t offset;
} patch_slice;
/* Fails when the range is not inside parent. */
int patch_slice_init(patch_slice *s, const patch_input *parent, uint64_t offset, uint64_t len,
                     ota_error *err);

/* bzip2's low-memory decoder (about 2.3 MB per stream instead of 3.6 MB,
 * about half as fast): for boards with very little RAM. */
#define PATCH_SMALL_BZIP2 1u
/* Everything on the calling thread.  Without it, for targets of 1 MiB and
 * more the diff stream is decoded ahead on a second thread, which then
 * calls the patch's read callback at the same time as the caller's thread
 * does: a callback that cannot take that (pread can) needs this flag. */
#define PATCH_ONE_THREAD 2u

typedef struct patch_apply_opts {
    /* IMGDIFF bonus data (Android's recovery-resource.dat), appended to
     * the expanded source of chunk 1 when it is a deflate chunk; NULL for
     * none. */
    const patch_input *bonus;
    /* PATCH_SMALL_BZIP2, PATCH_ONE_THREAD */
    unsigned flags;
    /* Expanded chunk sources up to this many bytes are decoded whole into
     * memory (fast); larger ones are read through a bounded view.  0: the
     * bounded view always (what PATCH_APPLY_BUDGET assumes). */
    uint64_t expand_limit;
} patch_apply_opts;

/* Applies `patch` (any format above, told apart by its magic) to `old`,
 * writing the new data to `write` in order, in pieces.  opts may be NULL.
 * A malformed or truncated patch, or old data the patch does not fit, is
 * an error naming the chunk or stream and the reason; write may then have
 * received part of the output (IMGDIFF chunk tables are checked whole
 * before the first byte). */
int patch_apply(const patch_input *old, const patch_input *patch, ota_sink_fn write,
                void *write_ctx, const patch_apply_opts *opts, ota_error *err);

/* The name of the patch format at the start of `magic` ("BSDIFF40",
 * "BSDF2", "IMGDIFF2", "IMGDIFFX"), or NULL. */
const char *patch_format(const uint8_t *magic, size_t len);

/* The most memory patch_apply allocates for any patch our tools make, in
 * bytes (docs/applypatch.md, "Applying in bounded memory", lists the
 * parts; a kernel's LZ4 patch takes about 21 MB).  Patches made elsewhere
 * stay within it too, except for brotli streams with windows above 1 MiB
 * (up to 16 MiB each, brotli's limit) and xz/zstd streams with windows up
 * to the decoders' 8 MiB cap. */
#define PATCH_APPLY_BUDGET (32u << 20)

#endif
