/* libFuzzer target: the build.prop parser on arbitrary text.  Keys must be
 * unique and found; what parsed must format and parse again to the same
 * properties in the same order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/props.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_props props = {0};
    ota_error err;
    ota_error_clear(&err);
    if (rt_props_parse(&props, (const char *)data, size, "fuzz", &err) < 0) {
        if (err.message[0] == '\0')
            abort();
        rt_props_free(&props);
        return 0;
    }
    for (size_t i = 0; i < props.count; i++)
        if (rt_props_get(&props, props.keys[i]) != props.values[i])
            abort(); /* keys are unique */
    ota_buf text = {0};
    if (rt_props_format(&props, &text, &err) < 0)
        abort();
    rt_props again = {0};
    if (rt_props_parse(&again, text.data ? (const char *)text.data : "", text.len, "again",
                       &err) < 0 || again.count != props.count)
        abort();
    for (size_t i = 0; i < props.count; i++)
        if (strcmp(again.keys[i], props.keys[i]) != 0 ||
            strcmp(again.values[i], props.values[i]) != 0)
            abort();
    rt_props_free(&again);
    ota_buf_free(&text);
    rt_props_free(&props);
    return 0;
}
