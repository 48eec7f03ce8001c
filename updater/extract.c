/* package_extract_file: one entry as a blob, or written to a file (under a
 * temporary name, then renamed) or to a block device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/sink.h"
#include "otautil/zip.h"
#include "otautil/mkfs.h"
#include "updater/builtins.h"

/* Entries up to this size are read whole, and so checked (CRC-32 and, when
 * recovery handed over a verified package, their signed digests), before
 * the first byte reaches the device.  Larger ones (whole filesystem
 * images) stream: a mismatch then fails the install after part of the
 * entry was written (docs/updater.md). */
#define DEVICE_CHECK_FIRST_MAX (64u << 20)

/* The entry, checked, then written to fd. */
static int write_checked(ota_zip *zip, const ota_zip_entry *e, int fd, ota_error *err)
{
    if (e->size > DEVICE_CHECK_FIRST_MAX)
        return ota_zip_extract_fd(zip, e, fd, err);
    uint8_t *data;
    size_t len;
    if (ota_zip_read(zip, e, &data, &len, DEVICE_CHECK_FIRST_MAX, err) < 0)
        return -1;
    int rc = ota_write_all(fd, data, len, err);
    free(data);
    return rc;
}

/* Writes an entry to a block device (a by-name symlink is followed). */
static int extract_to_device(ota_zip *zip, const ota_zip_entry *e, const char *dev,
                             const char *shown, ota_error *err)
{
    int fd = open(dev, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", shown);
    uint64_t size;
    if (ota_fd_size(fd, &size, err) < 0) {
        ota_error_prefix(err, "%s", shown);
        close(fd);
        return -1;
    }
    if (e->size > size) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOSPACE, "\"%s\" (%llu bytes) does not fit on %s "
                             "(%llu bytes)", e->name, (unsigned long long)e->size, shown,
                             (unsigned long long)size);
    }
    if (write_checked(zip, e, fd, err) < 0) {
        ota_error_prefix(err, "writing \"%s\" to %s", e->name, shown);
        close(fd);
        return -1;
    }
    if (fsync(fd) < 0) {
        ota_error_errno(err, "fsync of %s failed", shown);
        close(fd);
        return -1;
    }
    return close(fd) < 0 ? ota_error_errno(err, "closing %s failed", shown) : 0;
}

static int extract_to_file(ota_zip *zip, const ota_zip_entry *e, const char *path,
                           const char *shown, ota_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISBLK(sb.st_mode))
            return extract_to_device(zip, e, path, shown, err);
        if (S_ISDIR(sb.st_mode))
            return ota_error_set(err, OTA_ERR_ARGS, "%s is a directory", shown);
    }
    char *dir = strdup(path);
    if (!dir)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    const char *leaf = slash ? path + (slash - dir) + 1 : path;
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int rc = -1;
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        ota_error_errno(err, "cannot open the directory of %s", shown);
    else if (upd_extract_file_at(zip, e, dir_fd, leaf, shown, UPD_EXTRACT_SYNC, err) == 0) {
        /* The rename itself must reach the disk too. */
        rc = fsync(dir_fd) < 0 ? ota_error_errno(err, "fsync of the directory of %s failed",
                                                 shown) : 0;
    }
    if (dir_fd >= 0)
        close(dir_fd);
    free(dir);
    return rc;
}

static edify_value *fn_package_extract_file(edify_state *st, const edify_call *call)
{
    char *args[2] = {NULL, NULL};
    if (edify_eval_strings(st, call->argc, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    ota_zip *zip = upd_ctx(st)->package;
    const ota_zip_entry *e = ota_zip_find(zip, args[0]);
    ota_error err;
    if (!e || e->is_dir) {
        edify_fail_code(st, OTA_ERR_NOTFOUND, "no file \"%s\" in the package", args[0]);
    } else if (call->argc == 1) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (ota_zip_read(zip, e, &data, &len, 0, &err) < 0)
            edify_fail_error(st, &err);
        else if (!(result = edify_blob_take(data, len)))
            edify_fail_code(st, OTA_ERR_NOMEM, "out of memory holding \"%s\"", args[0]);
    } else {
        char *dest = upd_path(st, args[1]);
        if (dest) {
            if (extract_to_file(zip, e, dest, args[1], &err) < 0)
                edify_fail_error(st, &err);
            else
                result = upd_true();
            free(dest);
        }
    }
    edify_free_strings(args, call->argc);
    return result;
}

const edify_reg upd_extract_builtins[] = {
    {"package_extract_dir", upd_fn_package_extract_dir, 2, 2},
    {"package_extract_file", fn_package_extract_file, 1, 2},
    {NULL, NULL, 0, 0},
};
