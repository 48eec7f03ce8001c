/* libFuzzer target for imgdiff: scanning arbitrary bytes for gzip members
 * and zip structures must never misbehave, and every patch made must turn
 * the source back into the target exactly (the fuzzer aborts otherwise).
 * Input: a flag byte (bit 0: zip mode, bit 1: bonus), a 2-byte
 * little-endian source length, the source, then the target. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "otautil/sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t bonus[] = "bonus bytes for the second chunk";
    if (size < 3)
        return 0;
    int zip_mode = data[0] & 1, with_bonus = data[0] & 2;
    size_t src_len = (size_t)(data[1] | data[2] << 8);
    data += 3;
    size -= 3;
    if (src_len > size)
        src_len = size;
    const uint8_t *src = data, *tgt = data + src_len;
    size_t tgt_len = size - src_len;
    imgdiff_opts opts = {.zip_mode = zip_mode, .bonus = with_bonus ? bonus : NULL,
                         .bonus_len = with_bonus ? sizeof bonus - 1 : 0};
    uint8_t *patch = NULL;
    size_t patch_len = 0;
    ota_error err;
    if (imgdiff_create(src, src_len, tgt, tgt_len, &opts, &patch, &patch_len, &err) < 0)
        return 0; /* not a zip in zip mode, or out of memory: a clean refusal */
    ota_buf out = {0};
    if (imgpatch_apply(src, src_len, patch, patch_len, opts.bonus, opts.bonus_len, ota_buf_sink, &out, &err) < 0 ||
        out.len != tgt_len || (tgt_len && memcmp(out.data, tgt, tgt_len) != 0))
        abort(); /* imgdiff made a patch that does not reproduce its target */
    ota_buf_free(&out);
    free(patch);
    return 0;
}
