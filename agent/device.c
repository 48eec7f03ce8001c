#include "agent/device.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "otautil/root.h"

#define PROPS_MAX (1u << 20)

int agent_device_load(agent_device *dev, const char *list, ota_install_kind kind,
                      ota_error *err)
{
    memset(dev, 0, sizeof *dev);
    int found = 0;
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char one[PATH_MAX], path[PATH_MAX];
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        p = end ? end + 1 : p + n;
        if (!one[0])
            continue;
        if (ota_path(one, path, sizeof path, err) < 0)
            return -1;
        int rc = ota_props_load(&dev->props, path, PROPS_MAX, err);
        if (rc < 0)
            return -1;
        found += rc == 0;
    }
    if (!found)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "none of the build property files (%s) "
                             "exists", list);
    dev->build = ota_device_build_of(&dev->props, kind, 1, list);
    if (!dev->build.fingerprint || !dev->build.fingerprint[0])
        return ota_error_set(err, OTA_ERR_NOTFOUND, "no ro.build.fingerprint in %s", list);
    return 0;
}

void agent_device_free(agent_device *dev)
{
    ota_props_free(&dev->props);
    memset(dev, 0, sizeof *dev);
}
