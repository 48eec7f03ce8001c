#include "otautil/bootloader.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "otautil/root.h"

int ota_bcb_read(const char *device, ota_bootloader_message *msg, ota_error *err)
{
    int fd = open(device, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open misc partition %s", device);
    ssize_t n = pread(fd, msg, sizeof *msg, 0);
    int saved_ok = n == (ssize_t)sizeof *msg;
    if (n < 0)
        ota_error_errno(err, "cannot read the bootloader message from %s", device);
    else if (!saved_ok)
        ota_error_set(err, OTA_ERR_FORMAT,
                      "misc partition %s is too small for a bootloader message (%zd of %zu bytes)",
                      device, n, sizeof *msg);
    close(fd);
    return saved_ok ? 0 : -1;
}

int ota_bcb_write(const char *device, const ota_bootloader_message *msg, ota_error *err)
{
    int fd = open(device, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open misc partition %s", device);
    ssize_t n = pwrite(fd, msg, sizeof *msg, 0);
    int rc = 0;
    if (n != (ssize_t)sizeof *msg)
        rc = n < 0 ? ota_error_errno(err, "cannot write the bootloader message to %s", device)
                   : ota_error_set(err, OTA_ERR_IO, "short write of the bootloader message to %s", device);
    else if (fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot sync the bootloader message on %s", device);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot close misc partition %s", device);
    return rc;
}

int ota_bcb_misc_device(const ota_fstab *fstab, const char *root, char *out, size_t outsz,
                        ota_error *err)
{
    const ota_fstab_entry *misc = ota_fstab_find(fstab, "/misc");
    if (!misc)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "the fstab has no /misc partition");
    return ota_path_at(root, misc->device, out, outsz, err);
}

void ota_bcb_field(const char *field, size_t field_size, char *out)
{
    size_t n = strnlen(field, field_size);
    memcpy(out, field, n);
    out[n] = '\0';
}
