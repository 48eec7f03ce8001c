#include "otautil/metadata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/zip.h"

#define METADATA_MAX (64u << 10)

int ota_metadata_list_contains(const char *list, char sep, const char *want)
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

int ota_metadata_timestamp(const char *text, long long *out)
{
    if (!text[0] || text[0] == '-' || text[0] == '+' || text[0] == ' ')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static const char *source_of(const ota_device_build *device)
{
    return device->source ? device->source : "the device's properties";
}

static int check_type(const ota_props *metadata, const ota_device_build *device, ota_error *err)
{
    const char *type = ota_props_get(metadata, "ota-type");
    int is_ab = type && strcmp(type, "AB") == 0;
    if (device->kind == OTA_INSTALL_RECOVERY && is_ab)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for A/B devices (ota-type=AB), not for recovery");
    if (device->kind == OTA_INSTALL_AB && !is_ab)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is not an A/B package (ota-type=%s), this is an A/B device",
                             type ? type : "(none)");
    return 0;
}

static int check_device(const ota_props *metadata, const ota_device_build *device,
                        ota_error *err)
{
    const char *pkg = ota_props_get(metadata, "pre-device");
    if (!pkg || !pkg[0])
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package metadata names no device (pre-device is missing)");
    const char *dev = device->device;
    if (!dev || !dev[0])
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for device '%s' but this device's name is unknown "
                             "(no ro.product.device in %s)", pkg, source_of(device));
    if (!ota_metadata_list_contains(pkg, ',', dev))
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for device '%s', this device is '%s'", pkg, dev);
    return 0;
}

static int check_serial(const ota_props *metadata, const ota_device_build *device,
                        ota_error *err)
{
    const char *pkg = ota_props_get(metadata, "serialno");
    if (!pkg || !pkg[0])
        return 0;
    const char *serial = device->serialno;
    if (!serial || !ota_metadata_list_contains(pkg, '|', serial))
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is for serial number(s) '%s', this device is '%s'", pkg,
                             serial ? serial : "(unknown)");
    return 0;
}

static int check_timestamp(const ota_props *metadata, const ota_device_build *device,
                           ota_error *err)
{
    const char *pkg = ota_props_get(metadata, "post-timestamp");
    if (!pkg)
        return 0;
    long long pkg_time, build_time;
    if (ota_metadata_timestamp(pkg, &pkg_time) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "package metadata: post-timestamp '%s' is not a number", pkg);
    if (!device->date_utc || ota_metadata_timestamp(device->date_utc, &build_time) < 0)
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

static int check_source_build(const ota_props *metadata, const ota_device_build *device,
                              ota_error *err)
{
    const char *pre = ota_props_get(metadata, "pre-build");
    if (!device->fingerprint || !pre)
        return 0;
    if (!ota_metadata_list_contains(pre, '|', device->fingerprint))
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "package is an incremental update from build '%s', this device "
                             "runs '%s'", pre, device->fingerprint);
    return 0;
}

int ota_metadata_check(const ota_props *metadata, const ota_device_build *device,
                       ota_error *err)
{
    if (check_type(metadata, device, err) < 0 || check_device(metadata, device, err) < 0 ||
        check_serial(metadata, device, err) < 0 || check_timestamp(metadata, device, err) < 0 ||
        check_source_build(metadata, device, err) < 0)
        return -1;
    return 0;
}

ota_device_build ota_device_build_of(const ota_props *props, ota_install_kind kind,
                                     int with_fingerprint, const char *source)
{
    ota_device_build device = {
        .kind = kind,
        .device = ota_props_get(props, "ro.product.device"),
        .serialno = ota_props_get(props, "ro.serialno"),
        .date_utc = ota_props_get(props, "ro.build.date.utc"),
        .fingerprint = with_fingerprint ? ota_props_get(props, "ro.build.fingerprint") : NULL,
        .source = source,
    };
    return device;
}

int ota_metadata_read_zip(ota_zip *zip, const char *shown, ota_props *md, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(zip, OTA_METADATA_ENTRY);
    if (!e)
        return ota_error_set(err, OTA_ERR_VERIFY, "%s has no %s", shown, OTA_METADATA_ENTRY);
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = ota_zip_read(zip, e, &text, &len, METADATA_MAX, err);
    if (rc == 0)
        rc = ota_props_parse(md, (const char *)text, len, OTA_METADATA_ENTRY, err);
    free(text);
    return rc;
}

int ota_metadata_read(const char *path, ota_props *md, ota_error *err)
{
    ota_zip *zip = ota_zip_open(path, err);
    if (!zip)
        return -1;
    int rc = ota_metadata_read_zip(zip, path, md, err);
    ota_zip_close(zip);
    return rc;
}
