/* libFuzzer target: the block map (system.map) parser on arbitrary text.
 * A map that parses is sorted by path with no path twice; formatted and
 * parsed again it gives the same files and blocks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/blockmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_block_map map;
    ota_error err;
    ota_error_clear(&err);
    if (rt_blockmap_parse((const char *)data, size, 0, &map, &err) < 0) {
        if (err.message[0] == '\0')
            abort();
        return 0;
    }
    for (size_t i = 1; i < map.count; i++)
        if (strcmp(map.files[i - 1].path, map.files[i].path) >= 0)
            abort();
    ota_buf text = {0};
    if (rt_blockmap_format(&map, &text, &err) < 0)
        abort();
    rt_block_map again;
    if (rt_blockmap_parse(text.data ? (const char *)text.data : "", text.len, 0, &again, &err) < 0 ||
        again.count != map.count)
        abort();
    for (size_t i = 0; i < map.count; i++)
        if (strcmp(again.files[i].path, map.files[i].path) != 0 ||
            !bi_rangeset_equal(&again.files[i].blocks, &map.files[i].blocks))
            abort();
    rt_blockmap_free(&again);
    ota_buf_free(&text);
    rt_blockmap_free(&map);
    return 0;
}
