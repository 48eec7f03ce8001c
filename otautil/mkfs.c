#include "otautil/mkfs.h"

#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

int ota_fd_size(int fd, uint64_t *size, ota_error *err)
{
    struct stat sb;
    if (fstat(fd, &sb) < 0)
        return ota_error_errno(err, "cannot stat");
    if (S_ISBLK(sb.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, size) < 0)
            return ota_error_errno(err, "cannot get the device size (BLKGETSIZE64)");
        return 0;
    }
    if (S_ISREG(sb.st_mode)) {
        *size = (uint64_t)sb.st_size;
        return 0;
    }
    return ota_error_set(err, OTA_ERR_ARGS, "not a block device or regular file");
}

int ota_fs_size(uint64_t dev_size, long long length, uint64_t *bytes, ota_error *err)
{
    uint64_t n;
    if (length == 0) {
        n = dev_size;
    } else if (length > 0) {
        if ((uint64_t)length > dev_size)
            return ota_error_set(err, OTA_ERR_NOSPACE,
                                 "a size of %lld bytes is larger than the device (%" PRIu64
                                 " bytes)", length, dev_size);
        n = (uint64_t)length;
    } else {
        uint64_t reserve = length == LLONG_MIN ? (uint64_t)LLONG_MAX + 1 : (uint64_t)-length;
        if (reserve >= dev_size)
            return ota_error_set(err, OTA_ERR_NOSPACE,
                                 "a size of %lld (all but %" PRIu64 " bytes) leaves nothing "
                                 "of the device (%" PRIu64 " bytes)", length, reserve, dev_size);
        n = dev_size - reserve;
    }
    n -= n % OTA_FS_BLOCK;
    if (n < OTA_FS_MIN_BYTES)
        return ota_error_set(err, OTA_ERR_NOSPACE, "a filesystem of %" PRIu64 " bytes is too "
                             "small (%u at least)", n, OTA_FS_MIN_BYTES);
    *bytes = n;
    return 0;
}

int ota_mke2fs_command(ota_mke2fs_cmd *cmd, const ota_mke2fs_opts *o, ota_error *err)
{
    const char *type = o->fs_type ? o->fs_type : "";
    if (strcmp(type, "ext4") != 0 && strcmp(type, "ext3") != 0 && strcmp(type, "ext2") != 0)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "filesystem type \"%s\" is not supported "
                             "(ext4, ext3 or ext2)", type);
    if (o->bytes < OTA_FS_MIN_BYTES)
        return ota_error_set(err, OTA_ERR_ARGS, "a filesystem of %" PRIu64 " bytes is too small",
                             o->bytes);
    memset(cmd, 0, sizeof *cmd);
    snprintf(cmd->blocks, sizeof cmd->blocks, "%" PRIu64, o->bytes / OTA_FS_BLOCK);
    snprintf(cmd->block_size, sizeof cmd->block_size, "%u", OTA_FS_BLOCK);
    size_t n = 0;
    char **a = cmd->argv;
    a[n++] = "mke2fs";
    a[n++] = "-F";
    a[n++] = "-q";
    a[n++] = "-t";
    a[n++] = (char *)type;
    a[n++] = "-b";
    a[n++] = cmd->block_size;
    if (o->inode_size) {
        snprintf(cmd->inode_size, sizeof cmd->inode_size, "%u", o->inode_size);
        a[n++] = "-I";
        a[n++] = cmd->inode_size;
    }
    const struct {
        const char *flag, *value;
    } optional[] = {{"-U", o->uuid}, {"-E", o->extended}, {"-L", o->label}, {"-d", o->root_dir}};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        if (optional[i].value) {
            a[n++] = (char *)optional[i].flag;
            a[n++] = (char *)optional[i].value;
        }
    }
    a[n++] = (char *)o->target;
    a[n++] = cmd->blocks;
    a[n] = NULL;
    return 0;
}
