/* libFuzzer target for BSDIFF40 and BSDF2 apply.  Input: a 2-byte little-endian
 * source length, that many source bytes, then the patch.  Both apply paths
 * run (memory, and bounded memory over memfd files); they must agree, and
 * the output must never exceed the size the header declares. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "applypatch/bspatch.h"
#include "otautil/sink.h"

/* Enough for any honest patch of fuzzer size; stops bzip2 bombs. */
#define OUTPUT_LIMIT (8u << 20)

typedef struct counted {
    uint64_t len;
    uint64_t hash; /* order-sensitive, to compare the two paths */
} counted;

static int count_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    counted *c = ctx;
    const uint8_t *p = data;
    if (c->len + len > OUTPUT_LIMIT)
        return ota_error_set(err, OTA_ERR_LIMIT, "fuzz output limit");
    for (size_t i = 0; i < len; i++)
        c->hash = (c->hash ^ p[i]) * 0x100000001b3ull;
    c->len += len;
    return 0;
}

static int memfd_with(const uint8_t *data, size_t len)
{
    int fd = memfd_create("bspatch-fuzz", 0);
    if (fd < 0)
        abort();
    if (len && ota_write_all(fd, data, len, NULL) < 0)
        abort();
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t old_len = (size_t)data[0] | (size_t)data[1] << 8;
    if (old_len > size - 2)
        old_len = size - 2;
    const uint8_t *old = data + 2, *patch = data + 2 + old_len;
    size_t patch_len = size - 2 - old_len;

    ota_error err;
    counted a = {0, 0}, b = {0, 0};
    int rc_mem = bspatch_mem(old, old_len, patch, patch_len, count_sink, &a, &err);
    long long declared = bspatch_new_size(patch, patch_len, NULL);
    if (rc_mem == 0 && (declared < 0 || a.len != (uint64_t)declared))
        abort(); /* success must mean exactly the declared size */

    int old_fd = memfd_with(old, old_len), patch_fd = memfd_with(patch, patch_len);
    int rc_file = bspatch_file(old_fd, old_len, patch_fd, 0, count_sink, &b, &err);
    close(old_fd);
    close(patch_fd);
    /* The limit can cut the two paths at different points only when both
     * fail; otherwise they must agree byte for byte. */
    if (rc_mem != rc_file || (rc_mem == 0 && (a.len != b.len || a.hash != b.hash)))
        abort();
    return 0;
}
