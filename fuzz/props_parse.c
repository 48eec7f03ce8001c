/* libFuzzer target: the one property-file parser (otautil/props.h) on
 * arbitrary text.  Keys must be unique and found; what parsed must format
 * and parse again to the same properties in the same order, with nothing
 * skipped the second time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/props.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ota_props props = {0};
    ota_error err;
    ota_error_clear(&err);
    if (ota_props_parse(&props, (const char *)data, size, "fuzz", &err) < 0) {
        if (err.message[0] == '\0' || !memchr(data, '\0', size))
            abort(); /* only a NUL byte (or no memory) makes it fail */
        ota_props_free(&props);
        return 0;
    }
    for (size_t i = 0; i < props.count; i++)
        if (ota_props_get(&props, props.items[i].key) != props.items[i].value)
            abort(); /* keys are unique */
    ota_buf text = {0};
    if (ota_props_format(&props, &text, &err) < 0)
        abort();
    ota_props again = {0};
    if (ota_props_parse(&again, text.data ? (const char *)text.data : "", text.len, "again",
                        &err) < 0 || again.count != props.count || again.skipped_lines != 0)
        abort();
    for (size_t i = 0; i < props.count; i++)
        if (strcmp(again.items[i].key, props.items[i].key) != 0 ||
            strcmp(again.items[i].value, props.items[i].value) != 0)
            abort();
    ota_props_free(&again);
    ota_buf_free(&text);
    ota_props_free(&props);
    return 0;
}
