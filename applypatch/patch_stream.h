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

/* bzip2's low-memory decoder (about 2.3 MB per stream instead of 3.6 MB,
 * about half as fast): for boards with very little RAM. */
#define PATCH_SMALL_BZIP2 1u

/* The most memory patch_apply allocates for any patch our tools make, in
 * bytes (docs/applypatch.md explains the parts).  Patches made elsewhere
 * stay within it too, except for brotli streams with windows above 1 MiB
 * (up to 16 MiB each, brotli's limit). */
#define PATCH_APPLY_BUDGET (24u << 20)

#endif
