/* libFuzzer target for re-encoded deflate (applypatch/puff.h).  Input: a
 * byte choosing the direction, then data.  Even: the data as a deflate
 * stream -- when puffing accepts it, the huffer must give back exactly the
 * bytes the stream took, and the puffed view (restarting inside blocks)
 * must agree with the whole puffed form.  Odd: the data as puffed bytes --
 * the huffer must make deflate or a clear error, and the deflate it makes
 * must puff and huff back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "applypatch/expand_view.h"
#include "applypatch/puff.h"
#include "applypatch/view_codecs.h"

static void deflate_side(const uint8_t *d, size_t n)
{
    uint8_t *p;
    size_t plen, consumed;
    if (puff_buffer(d, n, &p, &plen, &consumed, NULL) != 1)
        return;
    ota_buf out = {0};
    huffer *h = huffer_new(ota_buf_sink, &out, NULL);
    if (!h || huffer_write(h, p, plen, NULL) < 0 || huffer_finish(h, NULL) < 0 || out.len != consumed ||
        memcmp(out.data, d, consumed) != 0)
        abort();
    huffer_free(h);
    ota_buf_free(&out);
    patch_input in;
    patch_input_memory(&in, d, n);
    puffer *pf = puffer_new(&in, 0, n, NULL);
    expand_view v;
    if (!pf || expand_view_open(&v, &view_puff_ops, pf, plen, NULL, 0, "fuzz", NULL) < 0)
        abort();
    uint8_t buf[512];
    for (size_t i = 0; i + 2 <= n && plen; i += 2) {
        uint64_t off = (d[i] | (uint64_t)d[i + 1] << 8) % plen;
        size_t len = plen - off < sizeof buf ? (size_t)(plen - off) : sizeof buf;
        if (v.input.read(v.input.ctx, off, buf, len, NULL) < 0 || memcmp(buf, p + off, len) != 0)
            abort();
    }
    expand_view_close(&v);
    puffer_free(pf);
    free(p);
}

static void puff_side(const uint8_t *d, size_t n)
{
    ota_buf out = {0};
    ota_error err;
    huffer *h = huffer_new(ota_buf_sink, &out, &err);
    if (!h)
        abort();
    if (huffer_write(h, d, n, &err) == 0 && huffer_finish(h, &err) == 0) {
        /* What the huffer made puffs again (a literal run may come back
         * split otherwise), and that huffs to the same deflate bytes. */
        uint8_t *p;
        size_t plen, consumed;
        if (puff_buffer(out.data, out.len, &p, &plen, &consumed, NULL) != 1 || consumed != out.len)
            abort();
        ota_buf again = {0};
        huffer *h2 = huffer_new(ota_buf_sink, &again, NULL);
        if (!h2 || huffer_write(h2, p, plen, NULL) < 0 || huffer_finish(h2, NULL) < 0 || again.len != out.len ||
            memcmp(again.data, out.data, out.len) != 0)
            abort();
        huffer_free(h2);
        ota_buf_free(&again);
        free(p);
    } else if (err.code == OTA_OK) {
        abort();
    }
    huffer_free(h);
    ota_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        puff_side(data + 1, size - 1);
    else
        deflate_side(data + 1, size - 1);
    return 0;
}
