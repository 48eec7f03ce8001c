/* libFuzzer target for imgpatch (IMGDIFF2 and IMGDIFFX).  Input: a 2-byte
 * little-endian source length (top bit: also pass a small bonus), the
 * source, then the patch.  Whatever the patch says, imgpatch must fail
 * cleanly or produce output, never read or write outside its buffers; and
 * the in-memory path and the bounded path (read callbacks, expanded
 * sources seen through the bounded view) must agree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/imgpatch.h"
#include "applypatch/patch_stream.h"

/* Output is counted, not kept; a patch asking for more than this is
 * stopped (a valid outcome) so the fuzzer does not spend its time there. */
#define OUTPUT_CAP (64u << 20)

typedef struct counted {
    size_t total;
    uint64_t hash;
} counted;

static int counting_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    counted *c = ctx;
    const uint8_t *p = data;
    c->total += len;
    if (c->total > OUTPUT_CAP)
        return ota_error_set(err, OTA_ERR_LIMIT, "output cap reached");
    for (size_t i = 0; i < len; i++)
        c->hash = (c->hash ^ p[i]) * 0x100000001b3ull;
    return 0;
}

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    (void)err;
    memcpy(buf, (const uint8_t *)ctx + off, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t bonus[] = "bonus data appended to the second chunk's source";
    if (size < 2)
        return 0;
    size_t src_len = (size_t)(data[0] | (data[1] & 0x7f) << 8);
    int with_bonus = data[1] & 0x80;
    data += 2;
    size -= 2;
    if (src_len > size)
        src_len = size;
    counted a = {0, 0}, b = {0, 0};
    ota_error err;
    int rc_mem = imgpatch_apply(data, src_len, data + src_len, size - src_len, with_bonus ? bonus : NULL,
                                with_bonus ? sizeof bonus - 1 : 0, counting_sink, &a, &err);

    patch_input src = {.size = src_len, .read = mem_read, .ctx = (void *)data};
    patch_input patch = {.size = size - src_len, .read = mem_read, .ctx = (void *)(data + src_len)};
    patch_input bon = {.size = sizeof bonus - 1, .read = mem_read, .ctx = (void *)bonus};
    patch_apply_opts opts = {.bonus = with_bonus ? &bon : NULL};
    uint8_t magic[8] = {0};
    memcpy(magic, data + src_len, size - src_len < 8 ? size - src_len : 8);
    if (memcmp(magic, "IMGDIFF", 7) != 0)
        return 0; /* patch_apply would take other formats: not this target's */
    int rc_bounded = patch_apply(&src, &patch, counting_sink, &b, &opts, &err);
    if (rc_mem != rc_bounded || (rc_mem == 0 && (a.total != b.total || a.hash != b.hash)))
        abort();
    return 0;
}
