#include "recovery/metadata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


/* Non-zero when `want` is one of the sep-separated items of list (items
 * trimmed of spaces). */
static int list_contains(const char *list, char sep, const char *want)
{
    size_t wn = strlen(want);
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, sep);
        if (!end)
            end = p + strlen(p);
        const char *s = p, *e = end;
        while (s < e && *s == ' ')
            s++;
        while (e > s && e[-1] == ' ')
            e--;
        if ((size_t)(e - s) == wn && wn > 0 && memcmp(s, want, wn) == 0)
            return 1;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

/* Parses a whole decimal number of seconds. */
static int parse_timestamp(const char *text, long long *out)
{
    if (!text[0] || text[0] == '-' || text[0] == '+')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int check_device(const ota_props *metadata, const ota_props *props, ota_error *err)
{
    const char *pkg = ota_props_get(metadata, "pre-device");
    if (!pkg || !pkg[0])
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package metadata names no device (pre-device is missing)");
    const char *dev = ota_props_get(props, "ro.product.device");
    if (!dev || !dev[0])
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for device '%s' but this recovery does not know its "
                             "device (no ro.product.device in %s)", pkg,
                             OTA_PROPS_DEVICE_FILES);
    if (!list_contains(pkg, ',', dev))
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for device '%s', this device is '%s'", pkg, dev);
    return 0;
}

static int check_serial(const ota_props *metadata, const ota_props *props, ota_error *err)
{
    const char *pkg = ota_props_get(metadata, "serialno");
    if (!pkg || !pkg[0])
        return 0;
    const char *serial = ota_props_get(props, "ro.serialno");
    if (!serial || !list_contains(pkg, '|', serial))
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for serial number(s) '%s', this device is '%s'", pkg,
                             serial ? serial : "(unknown)");
    return 0;
}

static int check_timestamp(const ota_props *metadata, const ota_props *props,
                           ota_error *err)
{
    const char *pkg = ota_props_get(metadata, "post-timestamp");
    if (!pkg)
        return 0;
    long long pkg_time, build_time;
    if (parse_timestamp(pkg, &pkg_time) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "package metadata: post-timestamp '%s' is not a number", pkg);
    const char *build = ota_props_get(props, "ro.build.date.utc");
    if (!build || parse_timestamp(build, &build_time) < 0)
        return 0; /* nothing to compare with; the device check still applies */
    if (pkg_time >= build_time)
        return 0;
    const char *downgrade = ota_props_get(metadata, "ota-downgrade");
    if (downgrade && strcmp(downgrade, "yes") == 0)
        return 0;
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "package is older than the installed build (post-timestamp %lld < "
                         "ro.build.date.utc %lld) and does not allow a downgrade "
                         "(ota-downgrade=yes)", pkg_time, build_time);
}

int recovery_metadata_check(const ota_props *metadata, const ota_props *props,
                            ota_error *err)
{
    const char *type = ota_props_get(metadata, "ota-type");
    if (type && strcmp(type, "AB") == 0)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for A/B devices (ota-type=AB), not for recovery");
    if (check_device(metadata, props, err) < 0 || check_serial(metadata, props, err) < 0 ||
        check_timestamp(metadata, props, err) < 0)
        return -1;
    return 0;
}
