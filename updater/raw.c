/* Raw partitions: write_raw_image, wipe_block_device, check_partition_size,
 * and the stage field of the bootloader message (get_stage, set_stage). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/bootloader.h"
#include "otautil/sink.h"
#include "otautil/mkfs.h"
#include "updater/builtins.h"

#define CHUNK (1024 * 1024)

/* write_raw_image(file_or_blob, partition) */
static edify_value *fn_write_raw_image(edify_state *st, const edify_call *call)
{
    edify_value *v[2];
    if (edify_eval_args(st, call->argc, call->argv, v, 1) < 0)
        return NULL;
    edify_value *result = NULL;
    char *dev = NULL, *file = NULL;
    upd_image src = {.fd = -1};
    ota_error err;
    if (v[1]->type != EDIFY_STRING) {
        edify_fail_code(st, OTA_ERR_ARGS, "the partition must be a string");
        goto out;
    }
    if (!(dev = upd_partition_device(st, v[1]->data)))
        goto out;
    if (v[0]->type == EDIFY_BLOB) {
        src.mem = (const uint8_t *)v[0]->data;
        src.size = v[0]->len;
        src.shown = "the image";
    } else {
        if (!(file = upd_path(st, v[0]->data)))
            goto out;
        src.shown = v[0]->data;
        src.fd = open(file, O_RDONLY | O_CLOEXEC);
        if (src.fd < 0) {
            edify_fail_errno(st, "cannot open image %s", v[0]->data);
            goto out;
        }
        /* A file, or a block device copied whole. */
        if (ota_fd_size(src.fd, &src.size, &err) < 0) {
            ota_error_prefix(&err, "image %s", v[0]->data);
            edify_fail_error(st, &err);
            goto out;
        }
    }
    if (upd_image_write(&src, dev, v[1]->data, &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    result = edify_string(v[1]->data);
out:
    if (src.fd >= 0)
        close(src.fd);
    free(dev);
    free(file);
    edify_free_values(v, 2);
    return result;
}

/* Zeroes [0, len) of fd by plain writes. */
static int write_zeroes(int fd, uint64_t len, const char *shown, ota_error *err)
{
    uint8_t *zero = calloc(1, CHUNK);
    if (!zero)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint64_t off = 0; off < len && rc == 0; off += CHUNK) {
        size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
        if (pwrite(fd, zero, n, (off_t)off) != (ssize_t)n)
            rc = ota_error_errno(err, "zeroing %s at offset %" PRIu64 " failed", shown, off);
    }
    free(zero);
    return rc;
}

/* The (partition, bytes) arguments of wipe_block_device and
 * check_partition_size: the partition opened with flags, its size, and
 * the byte count.  The open descriptor, or -1 with the failure recorded. */
static int open_sized(edify_state *st, char *const args[2], int flags, uint64_t *bytes,
                      uint64_t *size)
{
    if (upd_parse_u64(args[1], 10, bytes) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "bad byte count \"%s\"", args[1]);
        return -1;
    }
    char *dev = upd_partition_device(st, args[0]);
    if (!dev)
        return -1;
    int fd = open(dev, flags | O_CLOEXEC);
    free(dev);
    if (fd < 0) {
        edify_fail_errno(st, "cannot open %s", args[0]);
        return -1;
    }
    ota_error err;
    if (ota_fd_size(fd, size, &err) < 0) {
        edify_fail_error(st, &err);
        close(fd);
        return -1;
    }
    return fd;
}

/* wipe_block_device(device, len): discards the first len bytes, or zeroes
 * them where the device cannot discard. */
static edify_value *fn_wipe_block_device(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    uint64_t len, size;
    ota_error err;
    int fd = open_sized(st, args, O_WRONLY, &len, &size);
    if (fd < 0)
        goto out;
    if (len > size) {
        edify_fail_code(st, OTA_ERR_ARGS,
                        "length %" PRIu64 " is beyond the end of %s (%" PRIu64 " bytes)", len,
                        args[0], size);
        goto out;
    }
    uint64_t range[2] = {0, len};
    struct stat sb;
    int is_blk = fstat(fd, &sb) == 0 && S_ISBLK(sb.st_mode);
    /* Discard first (fast, and what flash wants); where the device cannot,
     * let the kernel write zeroes, and failing that write them here. */
    int wiped = len == 0 || (is_blk && (ioctl(fd, BLKDISCARD, range) == 0 ||
                                        ioctl(fd, BLKZEROOUT, range) == 0));
    if (!wiped && write_zeroes(fd, len, args[0], &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    if (fsync(fd) < 0) {
        edify_fail_errno(st, "fsync of %s failed", args[0]);
        goto out;
    }
    result = upd_true();
out:
    if (fd >= 0)
        close(fd);
    edify_free_strings(args, 2);
    return result;
}

/* The misc device for get_stage/set_stage: a device path, or an fstab
 * mount point ("/misc"). */
static char *misc_device(edify_state *st, const char *arg)
{
    return upd_partition_device(st, arg);
}

static edify_value *fn_get_stage(edify_state *st, const edify_call *call)
{
    char *arg;
    if (edify_eval_strings(st, 1, call->argv, &arg) < 0)
        return NULL;
    edify_value *result = NULL;
    char *dev = misc_device(st, arg);
    if (dev) {
        ota_bootloader_message msg;
        ota_error err;
        if (ota_bcb_read(dev, &msg, &err) < 0) {
            edify_fail_error(st, &err);
        } else {
            char stage[sizeof msg.stage + 1];
            ota_bcb_field(msg.stage, sizeof msg.stage, stage);
            result = edify_string(stage);
        }
        free(dev);
    }
    free(arg);
    return result;
}

static edify_value *fn_set_stage(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *dev = NULL;
    ota_bootloader_message msg;
    ota_error err;
    if (strlen(args[1]) >= sizeof msg.stage) {
        edify_fail_code(st, OTA_ERR_ARGS, "stage \"%s\" is longer than %zu bytes", args[1],
                        sizeof msg.stage - 1);
        goto out;
    }
    if (!(dev = misc_device(st, args[0])))
        goto out;
    /* Only the stage changes; the command recovery wrote stays. */
    if (ota_bcb_read(dev, &msg, &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    memset(msg.stage, 0, sizeof msg.stage);
    memcpy(msg.stage, args[1], strlen(args[1]));
    if (ota_bcb_write(dev, &msg, &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    result = edify_string(args[0]);
out:
    free(dev);
    edify_free_strings(args, 2);
    return result;
}

/* check_partition_size(partition, bytes): not Android's.  A full package
 * formats a partition and then fills it; one larger than the partition
 * fails half-way and leaves nothing that boots.  ota_from_target_files
 * puts this before the format with what the files need at least, so
 * such a package fails while the partition is still intact. */
static edify_value *fn_check_partition_size(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    uint64_t need, size;
    int fd = open_sized(st, args, O_RDONLY, &need, &size);
    if (fd >= 0 && size < need)
        edify_fail_code(st, OTA_ERR_NOSPACE,
                        "%s holds %" PRIu64 " bytes, and this package needs at least %" PRIu64
                        " there: it is for a device with a larger partition (nothing was "
                        "changed)",
                        args[0], size, need);
    else if (fd >= 0)
        result = upd_true();
    if (fd >= 0)
        close(fd);
    edify_free_strings(args, 2);
    return result;
}

const edify_reg upd_raw_builtins[] = {
    {"write_raw_image", fn_write_raw_image, 2, 2},
    {"wipe_block_device", fn_wipe_block_device, 2, 2},
    {"check_partition_size", fn_check_partition_size, 2, 2},
    {"get_stage", fn_get_stage, 1, 1},
    {"set_stage", fn_set_stage, 2, 2},
    {NULL, NULL, 0, 0},
};
