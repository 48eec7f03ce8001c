/* libFuzzer target: the filesystem_config.txt parser on arbitrary text.
 * Every path must be found; what parsed must format and parse again to the
 * same entries. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/fs_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_fs_config cfg = {0};
    ota_error err;
    ota_error_clear(&err);
    if (rt_fs_config_parse(&cfg, (const char *)data, size, &err) < 0) {
        if (err.message[0] == '\0')
            abort();
        rt_fs_config_free(&cfg);
        return 0;
    }
    for (size_t i = 0; i < cfg.count; i++)
        if (rt_fs_config_find(&cfg, cfg.entries[i].path) != &cfg.entries[i].meta ||
            cfg.entries[i].meta.mode > 07777)
            abort();
    ota_buf text = {0};
    if (rt_fs_config_format(&cfg, &text, &err) < 0)
        abort();
    rt_fs_config again = {0};
    if (rt_fs_config_parse(&again, text.data ? (const char *)text.data : "", text.len, &err) < 0 ||
        again.count != cfg.count)
        abort();
    for (size_t i = 0; i < cfg.count; i++)
        if (strcmp(again.entries[i].path, cfg.entries[i].path) != 0 ||
            !rt_meta_equal(&again.entries[i].meta, &cfg.entries[i].meta))
            abort();
    rt_fs_config_free(&again);
    ota_buf_free(&text);
    rt_fs_config_free(&cfg);
    return 0;
}
