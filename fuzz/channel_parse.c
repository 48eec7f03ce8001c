/* libFuzzer target: the channel document as the device receives it.  The
 * signature block is split off before anything is verified (so that part
 * sees hostile bytes), and the text parser runs on the same input; what
 * parses must format and parse again to the same channel. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/channel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const ota_channel *a, const ota_channel *b)
{
    if (a->count != b->count || a->date != b->date || strcmp(a->name, b->name) ||
        strcmp(a->build, b->build))
        abort();
    for (size_t i = 0; i < a->count; i++) {
        const ota_channel_package *p = &a->packages[i], *q = &b->packages[i];
        if (strcmp(p->url, q->url) || p->size != q->size ||
            memcmp(p->sha256, q->sha256, sizeof p->sha256) || p->metadata.count != q->metadata.count)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ota_error err;
    ota_error_clear(&err);
    size_t text_len = 0;
    ota_buf der = {0};
    if (ota_channel_split(data, size, &text_len, &der, &err) == 0 && text_len > size)
        abort();
    else if (err.code != OTA_OK && !err.message[0])
        abort();
    ota_buf_free(&der);
    ota_channel ch = {0};
    ota_error_clear(&err);
    if (ota_channel_parse((const char *)data, size, &ch, &err) < 0) {
        if (!err.message[0])
            abort();
        return 0;
    }
    ota_buf text = {0};
    ota_channel again = {0};
    if (ota_channel_format(&ch, &text, &err) == 0) {
        if (ota_channel_parse((const char *)text.data, text.len, &again, &err) < 0)
            abort(); /* what parsed must parse again */
        same(&ch, &again);
        ota_channel_free(&again);
    }
    ota_buf_free(&text);
    ota_channel_free(&ch);
    return 0;
}
