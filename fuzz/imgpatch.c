/* libFuzzer target for imgpatch.  Input: a 2-byte little-endian source
 * length (top bit: also pass a small bonus), the source, then the IMGDIFF2
 * patch.  Whatever the patch says, imgpatch must fail cleanly or produce
 * output, never read or write outside its buffers. */
#include <stddef.h>
#include <stdint.h>

#include "applypatch/imgdiff.h"

/* Output is counted, not kept; a patch asking for more than this is
 * stopped (a valid outcome) so the fuzzer does not spend its time there. */
#define OUTPUT_CAP (64u << 20)

static int counting_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    size_t *total = ctx;
    (void)data;
    *total += len;
    if (*total > OUTPUT_CAP)
        return ota_error_set(err, OTA_ERR_LIMIT, "output cap reached");
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
    size_t total = 0;
    ota_error err;
    imgpatch_apply(data, src_len, data + src_len, size - src_len, with_bonus ? bonus : NULL,
                   with_bonus ? sizeof bonus - 1 : 0, counting_sink, &total, &err);
    return 0;
}
