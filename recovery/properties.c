#include "recovery/properties.h"

#include <limits.h>

#include "otautil/root.h"

/* Property files are small; this bounds what a corrupt ramdisk can make us
 * allocate. */
#define PROPERTY_FILE_MAX (1024 * 1024)

int recovery_properties_load(recovery_kv *props, const char *root, ota_error *err)
{
    static const char *const files[] = { "/prop.default", "/default.prop" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[PATH_MAX];
        if (ota_path_at(root, files[i], path, sizeof path, err) < 0)
            return -1;
        if (recovery_kv_load(props, path, PROPERTY_FILE_MAX, err) < 0)
            return -1;
    }
    return 0;
}
