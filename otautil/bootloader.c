#include "otautil/bootloader.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "otautil/root.h"

int ota_misc_read(const char *device, off_t offset, void *buf, size_t len, const char *what,
                  ota_error *err)
{
    int fd = open(device, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open misc partition %s", device);
    ssize_t n = pread(fd, buf, len, offset);
    int ok = n == (ssize_t)len;
    if (n < 0)
        ota_error_errno(err, "cannot read the %s from %s", what, device);
    else if (!ok)
        ota_error_set(err, OTA_ERR_FORMAT,
                      "misc partition %s is too small for the %s (%zd of %zu bytes at offset %lld)",
                      device, what, n, len, (long long)offset);
    close(fd);
    return ok ? 0 : -1;
}

int ota_misc_write(const char *device, off_t offset, const void *buf, size_t len,
                   const char *what, ota_error *err)
{
    int fd = open(device, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open misc partition %s", device);
    ssize_t n = pwrite(fd, buf, len, offset);
    int rc = 0;
    if (n != (ssize_t)len)
        rc = n < 0 ? ota_error_errno(err, "cannot write the %s to %s", what, device)
                   : ota_error_set(err, OTA_ERR_IO, "short write of the %s to %s", what, device);
    else if (fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot sync the %s on %s", what, device);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot close misc partition %s", device);
    return rc;
}

int ota_bcb_read(const char *device, ota_bootloader_message *msg, ota_error *err)
{
    return ota_misc_read(device, 0, msg, sizeof *msg, "bootloader message", err);
}

int ota_bcb_write(const char *device, const ota_bootloader_message *msg, ota_error *err)
{
    return ota_misc_write(device, 0, msg, sizeof *msg, "bootloader message", err);
}

int ota_bcb_misc_device(const ota_fstab *fstab, const char *root, char *out, size_t outsz,
                        ota_error *err)
{
    const ota_fstab_entry *misc = ota_fstab_find(fstab, "/misc");
    if (!misc)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "the fstab has no /misc partition");
    return ota_path_at(root, misc->device, out, outsz, err);
}

int ota_bcb_check_line(const char *line, const char *what, ota_error *err)
{
    if (!line[0])
        return ota_error_set(err, OTA_ERR_ARGS, "%s: empty", what);
    for (const char *c = line; *c; c++) {
        if (*c == '\n')
            return ota_error_set(err, OTA_ERR_ARGS,
                                 "%s: contains a line break, which would add another recovery "
                                 "argument", what);
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return ota_error_set(err, OTA_ERR_ARGS, "%s: contains a control character (0x%02x)",
                                 what, (unsigned)(unsigned char)*c);
    }
    size_t n = strlen(line);
    if (line[n - 1] == ' ')
        return ota_error_set(err, OTA_ERR_ARGS, "%s: '%s' ends in a space", what, line);
    return 0;
}

int ota_bcb_set_recovery(ota_bootloader_message *msg, const char *const *args, size_t count,
                         ota_error *err)
{
    char field[sizeof msg->recovery];
    size_t used = (size_t)snprintf(field, sizeof field, "recovery\n");
    for (size_t i = 0; i < count; i++) {
        char what[64];
        snprintf(what, sizeof what, "argument %zu", i + 1);
        if (ota_bcb_check_line(args[i], what, err) < 0)
            return -1;
        size_t len = strlen(args[i]);
        /* the line, its newline, and the NUL that ends the field */
        if (len + 2 > sizeof field - used)
            return ota_error_set(err, OTA_ERR_LIMIT,
                                 "the arguments do not fit in the %zu-byte recovery field "
                                 "(argument %zu ends at byte %zu)",
                                 sizeof field, i + 1, used + len + 1);
        memcpy(field + used, args[i], len);
        field[used + len] = '\n';
        used += len + 1;
    }
    memset(field + used, 0, sizeof field - used);
    memset(msg, 0, sizeof *msg);
    strcpy(msg->command, "boot-recovery");
    memcpy(msg->recovery, field, sizeof field);
    return 0;
}

void ota_bcb_field(const char *field, size_t field_size, char *out)
{
    size_t n = strnlen(field, field_size);
    memcpy(out, field, n);
    out[n] = '\0';
}
