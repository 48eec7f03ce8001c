/* format(fs_type, partition_type, location, fs_size, mount_point): a new
 * ext2/3/4 filesystem made by e2fsprogs' mke2fs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "updater/builtins.h"

#define FS_BLOCK_SIZE 4096

int upd_fs_bytes(uint64_t dev_size, long long fs_size, uint64_t *out, ota_error *err)
{
    if (fs_size == 0) {
        *out = dev_size;
    } else if (fs_size > 0) {
        if ((uint64_t)fs_size > dev_size)
            return ota_error_set(err, OTA_ERR_NOSPACE,
                                 "fs_size %lld is larger than the device (%" PRIu64 " bytes)",
                                 fs_size, dev_size);
        *out = (uint64_t)fs_size;
    } else {
        uint64_t reserve = fs_size == LLONG_MIN ? (uint64_t)LLONG_MAX + 1 : (uint64_t)-fs_size;
        if (reserve >= dev_size)
            return ota_error_set(err, OTA_ERR_NOSPACE,
                                 "fs_size %lld leaves nothing of the device (%" PRIu64 " bytes)",
                                 fs_size, dev_size);
        *out = dev_size - reserve;
    }
    if (*out < FS_BLOCK_SIZE * 64)
        return ota_error_set(err, OTA_ERR_NOSPACE, "a filesystem of %" PRIu64 " bytes is too "
                             "small", *out);
    return 0;
}

static edify_value *fn_format(edify_state *st, const edify_call *call)
{
    char *args[5] = {0};
    if (edify_eval_strings(st, 5, call->argv, args) < 0)
        return NULL;
    const char *fs_type = args[0], *part_type = args[1], *location = args[2],
               *size_text = args[3];
    edify_value *result = NULL;
    char *dev = NULL;
    long long fs_size;
    ota_error err;
    if (strcmp(part_type, "EMMC") != 0) {
        edify_fail_code(st, OTA_ERR_UNSUPPORTED, "partition type \"%s\" is not supported "
                        "(only \"EMMC\": block devices)", part_type);
        goto out;
    }
    if (strcmp(fs_type, "ext4") != 0 && strcmp(fs_type, "ext3") != 0 &&
        strcmp(fs_type, "ext2") != 0) {
        edify_fail_code(st, OTA_ERR_UNSUPPORTED, "filesystem type \"%s\" is not supported "
                        "(ext4, ext3 or ext2)", fs_type);
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
    if (fd < 0) {
        edify_fail_errno(st, "cannot open %s", location);
        goto out;
    }
    uint64_t dev_size, bytes;
    int rc = upd_fd_size(fd, &dev_size, &err);
    close(fd);
    if (rc < 0) {
        ota_error_prefix(&err, "%s", location);
        edify_fail_error(st, &err);
        goto out;
    }
    if (upd_fs_bytes(dev_size, fs_size, &bytes, &err) < 0) {
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
    char blocks[32], block_size[16];
    snprintf(blocks, sizeof blocks, "%" PRIu64, bytes / FS_BLOCK_SIZE);
    snprintf(block_size, sizeof block_size, "%d", FS_BLOCK_SIZE);
    /* -F: a device (or image) holding an old filesystem is what we expect;
     * mke2fs still refuses a mounted one. */
    char *mke2fs[] = {"mke2fs", "-F", "-q", "-t", (char *)fs_type, "-b", block_size, dev,
                      blocks, NULL};
    int status;
    if (upd_spawn(upd_ctx(st), mke2fs, &status, &err) < 0) {
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
    edify_free_strings(args, 5);
    return result;
}

const edify_reg upd_format_builtins[] = {
    {"format", fn_format, 5, 5},
    {NULL, NULL, 0, 0},
};
