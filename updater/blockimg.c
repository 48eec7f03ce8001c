/* Block-based updates (Android 5.0 and later): block_image_update,
 * block_image_verify, block_image_recover, range_sha1, check_first_block.
 * Thin wrappers: argument handling and Android's return values here, the
 * work in the blockimg room (blockimg/engine.h).
 *
 * Return values, as Android's: block_image_update/verify give "t", or ""
 * when the update cannot be (or was not) applied -- scripts follow them
 * with `|| abort("E1001: ...")` or test them in an if -- and the reason is
 * printed and logged.  A call that cannot make sense (wrong argument
 * types, a missing package entry, a malformed transfer list) is a script
 * error instead. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "blockimg/engine.h"
#include "updater/builtins.h"

/* Where Android keeps stashes and progress, resolved under RECOVERY_ROOT. */
typedef struct bi_paths {
    char *stash_dir, *last_command;
} bi_paths;

static int paths_for(edify_state *st, const char *device_arg, bi_paths *p)
{
    memset(p, 0, sizeof *p);
    ota_error err;
    char *base = upd_path(st, BI_STASH_BASE);
    if (!base)
        return -1;
    /* Recovery makes /cache/recovery; a host run may not have. */
    if (mkdir(base, 0700) < 0 && errno != EEXIST) {
        edify_fail_errno(st, "cannot create %s", BI_STASH_BASE);
        free(base);
        return -1;
    }
    size_t n = strlen(base) + 2 * OTA_SHA1_LEN + 2;
    p->stash_dir = malloc(n);
    if (!p->stash_dir) {
        edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        free(base);
        return -1;
    }
    if (!(p->last_command = upd_path(st, BI_LAST_COMMAND)) ||
        bi_stash_dir_name(base, device_arg, p->stash_dir, n, &err) < 0) {
        if (p->last_command)
            edify_fail_error(st, &err);
        free(base);
        return -1;
    }
    free(base);
    return 0;
}

static void paths_free(bi_paths *p)
{
    free(p->stash_dir);
    free(p->last_command);
}

static void log_line(void *ctx, const char *line)
{
    updater_log(ctx, "%s", line);
}

static void send_progress(void *ctx, uint64_t written, uint64_t total)
{
    char line[64];
    if (total && updater_format_set_progress((double)written / (double)total, line, sizeof line) == 0)
        updater_send(ctx, line);
}

static edify_value *need_string(edify_state *st, const char *name, edify_value *v, const char *what)
{
    if (v->type != EDIFY_STRING)
        return edify_fail_code(st, OTA_ERR_ARGS, "%s: %s must be a string", name, what);
    return v;
}

/* block_image_update / block_image_verify(device, transfer_list, new_data, patch_data) */
static edify_value *fn_block_image(edify_state *st, const edify_call *call)
{
    const char *name = call->name;
    int verify = strcmp(name, "block_image_verify") == 0;
    updater_ctx *ctx = upd_ctx(st);
    edify_value *v[4];
    if (edify_eval_args(st, 4, call->argv, v, 1) < 0)
        return NULL;
    edify_value *result = NULL;
    char *dev_path = NULL;
    bi_paths paths = {0};
    bi_transfer_list tl = {0};
    bi_fd_dev dev = {.fd = -1};
    bi_reader *new_data = NULL;
    bi_patch_data *patch_data = NULL;
    ota_error err;
    if (!need_string(st, name, v[0], "the device") || !need_string(st, name, v[2], "the new data "
        "entry") || !need_string(st, name, v[3], "the patch data entry"))
        goto out;
    const ota_zip_entry *new_entry = ota_zip_find(ctx->package, v[2]->data);
    const ota_zip_entry *patch_entry = ota_zip_find(ctx->package, v[3]->data);
    if (!new_entry || !patch_entry) {
        edify_fail_code(st, OTA_ERR_NOTFOUND, "%s: no entry \"%s\" in the package", name,
                        new_entry ? v[3]->data : v[2]->data);
        goto out;
    }
    if (bi_transfer_parse(&tl, v[1]->data, v[1]->len, &err) < 0) {
        ota_error_prefix(&err, "%s", name);
        edify_fail_error(st, &err);
        goto out;
    }
    if (!(dev_path = upd_partition_device(st, v[0]->data)) || paths_for(st, v[0]->data, &paths) < 0)
        goto out;
    bi_apply_opts o = {
        .verify_only = verify, .stash_dir = paths.stash_dir, .last_command = paths.last_command,
        .free_cache = 1, .log = log_line, .progress = send_progress, .cb_ctx = ctx,
    };
    int rc = bi_fd_dev_open(&dev, dev_path, v[0]->data, !verify, &err);
    if (rc == 0 && !verify) {
        rc = (new_data = bi_reader_new_data(ctx->package, v[2]->data, &err)) &&
             (patch_data = bi_patch_data_zip(ctx->package, patch_entry, &err)) ? 0 : -1;
        o.new_data = new_data;
        o.patch_data = patch_data;
    }
    o.target = &dev.dev;
    bi_apply_stats stats;
    if (rc == 0)
        rc = bi_apply(&tl, &o, &stats, &err);
    if (rc < 0) {
        updater_ui_printf(ctx, "%s: %s", name, err.message);
        result = edify_string("");
        goto out;
    }
    if (!verify) {
        const char *part = strrchr(v[0]->data, '/');
        part = part ? part + 1 : v[0]->data;
        char line[256];
        snprintf(line, sizeof line, "log bytes_written_%s: %" PRIu64 "\n", part,
                 stats.blocks_written * BI_BLOCK_SIZE);
        updater_send(ctx, line);
        snprintf(line, sizeof line, "log bytes_stashed_%s: %" PRIu64 "\n", part,
                 stats.blocks_stashed * BI_BLOCK_SIZE);
        updater_send(ctx, line);
    } else {
        updater_log(ctx, "%s: verified %s; the update can be applied (or resumed)", name,
                    v[0]->data);
    }
    result = upd_true();
out:
    bi_reader_close(new_data);
    bi_patch_data_close(patch_data);
    bi_fd_dev_close(&dev);
    bi_transfer_free(&tl);
    paths_free(&paths);
    free(dev_path);
    edify_free_values(v, 4);
    return result;
}

/* The device (opened read-only) and a range set, for the two functions
 * that take "DEVICE, RANGES". */
static int open_ranges(edify_state *st, const char *name, edify_value **v, bi_fd_dev *dev,
                       bi_rangeset *rs)
{
    ota_error err;
    if (!need_string(st, name, v[0], "the device") || !need_string(st, name, v[1], "the ranges"))
        return -1;
    if (bi_rangeset_parse(rs, v[1]->data, v[1]->len, 0, &err) < 0) {
        ota_error_prefix(&err, "%s", name);
        edify_fail_error(st, &err);
        return -1;
    }
    char *path = upd_partition_device(st, v[0]->data);
    if (!path)
        return -1;
    int rc = bi_fd_dev_open(dev, path, v[0]->data, 0, &err);
    free(path);
    if (rc < 0) {
        edify_fail_error(st, &err);
        return -1;
    }
    return 0;
}

/* range_sha1(device, ranges): the SHA-1 of those blocks, in hex.
 *
 * block_image_recover(device, ranges): Android rewrites corrupted blocks
 * from the partition's forward error correction data (libfec).  This build
 * has no FEC: it reads every block (an unreadable one fails, named) and
 * says that nothing was corrected; the script's block_image_verify that
 * follows decides whether the update can go on. */
static edify_value *fn_ranges(edify_state *st, const edify_call *call)
{
    const char *name = call->name;
    int recover = strcmp(name, "block_image_recover") == 0;
    edify_value *v[2];
    if (edify_eval_args(st, 2, call->argv, v, 0) < 0)
        return NULL;
    bi_fd_dev dev = {.fd = -1};
    bi_rangeset rs = {0};
    edify_value *result = NULL;
    if (open_ranges(st, name, v, &dev, &rs) == 0) {
        uint8_t sha[OTA_SHA1_LEN];
        char hex[2 * OTA_SHA1_LEN + 1];
        ota_error err;
        if (recover)
            updater_log(upd_ctx(st), "%s image corrupted, attempting to recover...", v[0]->data);
        if (bi_range_sha1(&dev.dev, &rs, sha, &err) < 0) {
            if (recover)
                ota_error_prefix(&err, "%s: cannot recover %s", name, v[0]->data);
            edify_fail_error(st, &err);
        } else if (recover) {
            updater_ui_printf(upd_ctx(st), "%s: no error correction data in this build: read all "
                              "%" PRIu64 " blocks of %s, none unreadable, nothing corrected",
                              name, rs.blocks, v[0]->data);
            result = upd_true();
        } else {
            ota_hex_encode(sha, sizeof sha, hex);
            result = edify_string(hex);
        }
    }
    bi_fd_dev_close(&dev);
    bi_rangeset_free(&rs);
    edify_free_values(v, 2);
    return result;
}

static uint32_t le(const uint8_t *p, int bytes)
{
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* check_first_block(device): says whether the ext4 filesystem on the
 * device was mounted read-write since it was made (the usual reason an
 * incremental update finds its source changed); always "t" when the block
 * can be read, as on Android. */
static edify_value *fn_check_first_block(edify_state *st, const edify_call *call)
{
    char *arg;
    if (edify_eval_strings(st, 1, call->argv, &arg) < 0)
        return NULL;
    edify_value *result = NULL;
    char *path = upd_partition_device(st, arg);
    bi_fd_dev dev = {.fd = -1};
    ota_error err;
    uint8_t block[BI_BLOCK_SIZE];
    if (path && (bi_fd_dev_open(&dev, path, arg, 0, &err) < 0 ||
                 dev.dev.ops->read(dev.dev.ctx, 0, block, sizeof block, &err) < 0)) {
        ota_error_prefix(&err, "%s", call->name);
        edify_fail_error(st, &err);
    } else if (path) {
        /* The ext4 superblock is at byte 0x400: mount time at 0x2C,
         * mount count since the last fsck at 0x34, magic 0xEF53 at 0x38.
         * Android reads the counts whatever the block holds; other
         * filesystems are left alone here rather than reported garbage. */
        uint32_t mount_count = le(block + 0x400 + 0x34, 2);
        time_t mount_time = (time_t)le(block + 0x400 + 0x2C, 4);
        if (le(block + 0x400 + 0x38, 2) == 0xEF53 && mount_count > 0) {
            char when[64];
            struct tm tm;
            strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", gmtime_r(&mount_time, &tm));
            updater_ui_printf(upd_ctx(st), "Device was remounted R/W %u times", mount_count);
            updater_ui_printf(upd_ctx(st), "Last remount happened on %s UTC", when);
        }
        result = upd_true();
    }
    bi_fd_dev_close(&dev);
    free(path);
    free(arg);
    return result;
}

const edify_reg upd_blockimg_builtins[] = {
    {"block_image_update", fn_block_image, 4, 4},
    {"block_image_verify", fn_block_image, 4, 4},
    {"block_image_recover", fn_ranges, 2, 2},
    {"range_sha1", fn_ranges, 2, 2},
    {"check_first_block", fn_check_first_block, 1, 1},
    {NULL, NULL, 0, 0},
};
