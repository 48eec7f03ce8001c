/* format(fs_type, partition_type, location, fs_size, mount_point), and the
 * older forms without fs_size or mount_point (otautil/fs_forms.h): a new
 * ext2/3/4 filesystem made by e2fsprogs' mke2fs, with the size rule and
 * command line of otautil/mkfs.h (the same as recovery's wipes). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/mkfs.h"
#include "updater/builtins.h"

static edify_value *fn_format(edify_state *st, const edify_call *call)
{
    char *args[5] = {0};
    if (edify_eval_strings(st, call->argc, call->argv, args) < 0)
        return NULL;
    ota_fs_call c;
    ota_format_form(call->argc, (const char *const *)args, &c);
    const char *fs_type = c.fs_type, *location = c.location, *size_text = c.fs_size;
    edify_value *result = NULL;
    char *dev = NULL;
    long long fs_size;
    ota_error err;
    if (c.mtd) {
        upd_fail_mtd(st, call, args, &c);
        goto out;
    }
    if (strcmp(c.part_type, "EMMC") != 0) {
        edify_fail_code(st, OTA_ERR_UNSUPPORTED, "partition type \"%s\" is not supported "
                        "(only \"EMMC\": block devices)", c.part_type);
        goto out;
    }
    if (upd_parse_i64(size_text, &fs_size) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "fs_size \"%s\" is not a whole number of bytes",
                        size_text);
        goto out;
    }
    if (!(dev = upd_path(st, location)))
        goto out;
    int fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        char what[PATH_MAX + 16];
        snprintf(what, sizeof what, "format %s", *c.mount_point ? c.mount_point : location);
        upd_fail_missing_device(st, what, location, c.mount_point);
        goto out;
    }
    if (fd < 0) {
        edify_fail_errno(st, "cannot open %s", location);
        goto out;
    }
    uint64_t dev_size;
    int rc = ota_fd_size(fd, &dev_size, &err);
    close(fd);
    if (rc < 0) {
        ota_error_prefix(&err, "%s", location);
        edify_fail_error(st, &err);
        goto out;
    }
    ota_mke2fs_opts opts = {.fs_type = fs_type, .target = dev};
    ota_mke2fs_cmd cmd;
    if (ota_fs_size(dev_size, fs_size, &opts.bytes, &err) < 0 ||
        ota_mke2fs_command(&cmd, &opts, &err) < 0) {
        ota_error_prefix(&err, "formatting %s", location);
        edify_fail_error(st, &err);
        goto out;
    }
    /* A filesystem left mounted by an interrupted attempt is about to be
     * replaced anyway; mke2fs would refuse the mounted device. */
    if (upd_unmount_device(upd_ctx(st), dev, location, &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    int status;
    if (upd_spawn(upd_ctx(st), cmd.argv, &status, &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    if (status != 0) {
        edify_fail_code(st, OTA_ERR_IO, "mke2fs -t %s of %s failed (exit %d; its messages are "
                        "in the log)", fs_type, location, status);
        goto out;
    }
    result = edify_string(location);
out:
    free(dev);
    edify_free_strings(args, call->argc);
    return result;
}

const edify_reg upd_format_builtins[] = {
    {"format", fn_format, 2, 5},
    {NULL, NULL, 0, 0},
};
