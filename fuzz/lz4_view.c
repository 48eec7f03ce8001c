/* libFuzzer target for the bounded LZ4 decoder behind LZ4 chunks.  Input:
 * a 3-byte little-endian expanded size, then an LZ4 stream (legacy or
 * frame).  The stream is opened twice -- decoded whole, and through the
 * bounded view with its checkpoints -- and both must agree: on failing,
 * and on every byte of reads at offsets taken from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/expand_view.h"
#include "applypatch/view_codecs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint64_t n = data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16;
    patch_input in;
    patch_input_memory(&in, data + 3, size - 3);
    ota_error err;
    view_lz4 *a = view_lz4_new(&in, 0, size - 3, &err), *b = view_lz4_new(&in, 0, size - 3, &err);
    if (!a || !b)
        abort();
    expand_view whole, bounded;
    int ra = expand_view_open(&whole, &view_lz4_ops, a, n, NULL, UINT64_MAX, "whole", &err);
    int rb = expand_view_open(&bounded, &view_lz4_ops, b, n, NULL, 0, "bounded", &err);
    if (ra != rb)
        abort();
    if (ra == 0) {
        uint8_t x[4096], y[4096];
        for (size_t i = 0; i + 4 <= size && n > 0; i += 4) {
            uint64_t off = (data[i] | (uint64_t)data[i + 1] << 8 | (uint64_t)data[i + 2] << 16) % n;
            size_t len = 1 + data[i + 3] * 16u;
            if (len > n - off)
                len = (size_t)(n - off);
            memcpy(x, whole.input.data + off, len); /* whole: in memory */
            if (bounded.input.read(bounded.input.ctx, off, y, len, &err) < 0 || memcmp(x, y, len) != 0)
                abort();
        }
        expand_view_close(&whole);
        expand_view_close(&bounded);
    }
    view_lz4_free(a);
    view_lz4_free(b);
    return 0;
}
