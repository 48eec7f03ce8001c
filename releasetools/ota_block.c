/* Block-based packages (Android 5.0 and later): the system partition is
 * updated as an image, block by block, with block_image_update, so it
 * comes out bit-identical to the build's system image (what
 * img_from_target_files writes, or the target-files' IMAGES/system.img).
 *
 * A full package erases the free blocks and writes the used ones (checking
 * the result with range_sha1 when asked: --verify); an
 * incremental one first checks the source blocks it will read (range_sha1,
 * else block_image_verify, which also accepts a partition an interrupted
 * install left half-updated, else block_image_recover and verify again,
 * else it stops before writing anything), then updates, then checks the
 * whole result with range_sha1.  boot stays a whole-image write or patch,
 * as in file-based packages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "releasetools/block_image.h"
#include "releasetools/blockdiff.h"
#include "releasetools/blockmap.h"
#include "releasetools/diff_pool.h"
#include "releasetools/img_from_target_files.h"
#include "releasetools/ota_build.h"
#include "releasetools/script_block.h"

#define PARTITION "system"

int rt_ota_wants_block(const rt_build *target, const rt_ota_opts *opts)
{
    const char *v = ota_props_get(&target->tf.misc_info, "blockimgdiff_versions");
    return opts->block || (v && *v);
}

/* The transfer list version: the highest of blockimgdiff_versions (the
 * versions the target's updater reads, as Android decides it), at most 4. */
static int list_version(const rt_build *b, ota_error *err)
{
    const char *v = ota_props_get(&b->tf.misc_info, "blockimgdiff_versions");
    if (!v || !*v)
        return 4;
    long best = 0;
    for (const char *p = v; *p;) {
        char *end;
        errno = 0;
        long n = strtol(p, &end, 10);
        if (errno || end == p || (*end && *end != ','))
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s: META/misc_info.txt: bad blockimgdiff_versions \"%s\"",
                                 b->tf.path, v);
        if (n > best)
            best = n;
        p = *end ? end + 1 : end;
    }
    if (best < 3)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "%s: blockimgdiff_versions \"%s\": the device's updater reads no "
                             "transfer list version this writes (3 or 4)",
                             b->tf.path, v);
    return best > 4 ? 4 : (int)best;
}

/* ---- the images ----------------------------------------------------------- */

/* Android's sparse image magic (0xed26ff3a, little endian). */
static int is_sparse(const char *path)
{
    uint8_t m[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, m, 4);
    close(fd);
    return n == 4 && m[0] == 0x3a && m[1] == 0xff && m[2] == 0x26 && m[3] == 0xed;
}

int rt_side_open_system(rt_build *b, const char *work, const char *name, int all_blocks,
                        rt_side *sd, ota_error *err)
{
    if (asprintf(&sd->image, "%s/%s.img", work, name) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    const char *mount = b->system_part->mount_point;
    rt_block_map map = {0};
    const ota_zip_entry *img = ota_zip_find(b->tf.zip, "IMAGES/system.img");
    int rc;
    if (img) {
        rc = rt_extract_entry(b, img, sd->image, err);
        if (rc == 0 && is_sparse(sd->image))
            rc = ota_error_set(err, OTA_ERR_UNSUPPORTED,
                               "%s: IMAGES/system.img is an Android sparse image; store it "
                               "unsparsed (simg2img)",
                               b->tf.path);
        if (rc == 0 && ota_zip_find(b->tf.zip, "IMAGES/system.map")) {
            ota_buf text = {0};
            rc = rt_tf_read(&b->tf, "IMAGES/system.map", &text, err);
            if (rc == 0 && rt_blockmap_parse((const char *)text.data, text.len, 0, &map, err) < 0) {
                ota_error_prefix(err, "%s: IMAGES/system.map", b->tf.path);
                rc = -1;
            }
            ota_buf_free(&text);
        } else if (rc == 0) {
            rc = rt_blockmap_from_ext4(sd->image, mount, &map, NULL, err);
        }
    } else {
        rc = rt_img_system(b, sd->image, NULL, err);
        if (rc == 0)
            rc = rt_blockmap_from_ext4(sd->image, mount, &map, NULL, err);
    }
    /* The care map: the blocks the filesystem uses (every block of an image
     * that is not ext4, which only a prebuilt IMAGES/system.img can be). */
    bi_rangeset used = {0};
    ota_error ignored;
    int have_used = rc == 0 && !all_blocks && rt_ext4_used_blocks(sd->image, &used, &ignored) == 0;
    if (rc == 0 && (rc = rt_block_image_open(&sd->img, sd->image, &map, have_used ? &used : NULL,
                                             err)) == 0)
        sd->open = 1;
    bi_rangeset_free(&used);
    rt_blockmap_free(&map);
    return rc;
}

void rt_side_close(rt_side *sd)
{
    if (sd->open)
        rt_block_image_close(&sd->img);
    if (sd->image)
        unlink(sd->image);
    free(sd->image);
    memset(sd, 0, sizeof *sd);
}

/* ---- the boot image ------------------------------------------------------------ */

/* The patch from the source's boot image to the target's (the diff pool's
 * bsdiff or imgdiff, as file-based packages make it). */
static int boot_patch(rt_build *tgt, rt_build *src, const rt_ota_opts *opts, rt_pkg *pkg,
                      ota_error *err)
{
    rt_diff_job job = {.name = "boot.img",
                       .src_data = src->boot.data.data,
                       .src_len = src->boot.data.len,
                       .tgt_data = tgt->boot.data.data,
                       .tgt_len = tgt->boot.data.len,
                       .weight = tgt->boot.data.len};
    if (rt_diff_run(&job, 1, NULL, NULL, opts->threads, opts->patch_formats, &opts->progress,
                    err) < 0)
        return -1;
    ota_buf patch = {job.patch, job.patch_len, job.patch_len};
    job.patch = NULL;
    int rc = rt_pkg_add_buf(pkg, "patch/boot.img.p", &patch, OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&patch);
    return rc;
}

/* ---- the package ----------------------------------------------------------------- */

/* Android's layout: a full package's new data is brotli-compressed and
 * stored (system.new.dat.br), an incremental's is system.new.dat, deflated
 * by the zip (it is small; and the verify call names it so). */
typedef struct outputs {
    int brotli;
    char *prefix, *list, *newdata, *patches;
} outputs;

static int output_names(const char *work, outputs *o, ota_error *err)
{
    if (asprintf(&o->prefix, "%s/%s", work, PARTITION) < 0 ||
        asprintf(&o->list, "%s.transfer.list", o->prefix) < 0 ||
        asprintf(&o->newdata, "%s.new.dat%s", o->prefix, o->brotli ? ".br" : "") < 0 ||
        asprintf(&o->patches, "%s.patch.dat", o->prefix) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    return 0;
}

static void remove_outputs(outputs *o)
{
    char *files[] = {o->list, o->newdata, o->patches};
    for (int i = 0; i < 3; i++)
        if (files[i])
            unlink(files[i]);
    free(o->prefix);
    free(o->list);
    free(o->newdata);
    free(o->patches);
}

static int add_outputs(rt_pkg *pkg, const outputs *o, ota_error *err)
{
    /* Stored, as Android stores them: the data is compressed already, and
     * the updater reads the patch data by offset. */
    if (rt_pkg_add_file_as(pkg, PARTITION ".transfer.list", o->list, 0644, OTA_ZIP_DEFLATE, err) < 0 ||
        rt_pkg_add_file_as(pkg, o->brotli ? PARTITION ".new.dat.br" : PARTITION ".new.dat",
                           o->newdata, 0644, o->brotli ? OTA_ZIP_STORE : OTA_ZIP_DEFLATE, err) < 0 ||
        rt_pkg_add_file_as(pkg, PARTITION ".patch.dat", o->patches, 0644, OTA_ZIP_STORE, err) < 0)
        return -1;
    return 0;
}

static int write_script(rt_script *s, rt_build *tgt, rt_build *src, const rt_blockdiff_result *r,
                        const char *boot_spec, const rt_ota_opts *opts, ota_error *err)
{
    const char *dev = tgt->system_part->device;
    char *care = bi_rangeset_to_string(&r->target_blocks);
    char *touched = r->touched_src.blocks ? bi_rangeset_to_string(&r->touched_src) : NULL;
    if (!care || (r->touched_src.blocks && !touched)) {
        free(care);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    if (!src && !opts->no_prereq)
        rt_script_assert_older_build(s, tgt->timestamp, tgt->build_date);
    rt_script_assert_device(s, tgt->device);
    if (src) {
        uint64_t cache = r->max_stash_bytes;
        if (boot_spec && src->boot.data.len > cache)
            cache = src->boot.data.len;
        if (cache)
            rt_script_cache_space(s, cache);
        if (touched)
            rt_script_block_verify(s, PARTITION, dev, touched, r->touched_src_sha1);
        if (boot_spec) {
            const char *sums[2] = {tgt->boot.sha1, src->boot.sha1};
            rt_script_patch_check(s, boot_spec, sums, 2);
        }
    }
    int rc = 0;
    if (opts->wipe_data)
        rc = rt_emit_wipe_data(s, tgt, err);
    rt_script_print(s, src ? "Patching system image after verification."
                           : "Patching system image unconditionally...");
    rt_script_show_progress(s, 0.8, 0);
    rt_script_block_update(s, PARTITION, dev, !src);
    /* Incrementals always check the result; full packages with --verify
     * (as Android's; reading the partition back costs as much as writing). */
    if (src || opts->verify)
        rt_script_block_check(s, PARTITION, dev, care, r->target_sha1);
    if (boot_spec) {
        rt_script_show_progress(s, 0.1, 10);
        rt_script_print(s, "Patching boot image...");
        rt_script_apply_patch(s, boot_spec, NULL, tgt->boot.sha1, tgt->boot.data.len,
                              src->boot.sha1, "patch/boot.img.p");
    } else if (tgt->boot.present && (!src || !src->boot.present ||
                                     strcmp(src->boot.sha1, tgt->boot.sha1) != 0)) {
        rt_script_show_progress(s, 0.1, 10);
        rt_script_print(s, "Writing boot image...");
        rt_script_write_raw_image(s, "boot.img", rt_tf_partition(&tgt->tf, "/boot", NULL));
    }
    rt_script_set_progress(s, 1.0);
    if (opts->extra_script)
        rt_script_append(s, opts->extra_script, strlen(opts->extra_script));
    free(care);
    free(touched);
    return rc;
}

int rt_ota_block(rt_build *tgt, rt_build *src, const char *output, const rt_ota_opts *opts,
                 ota_error *err)
{
    if (src && strcmp(tgt->device, src->device) != 0)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "source %s is for device \"%s\" but target %s is for \"%s\"",
                             src->tf.path, src->device, tgt->tf.path, tgt->device);
    rt_blockdiff_opts bo = {.cache_size = opts->cache_size,
                            .stash_threshold = opts->stash_threshold,
                            .threads = opts->threads,
                            .patch_formats = opts->patch_formats,
                            .progress = opts->progress};
    if ((bo.version = list_version(tgt, err)) < 0)
        return -1;
    if (!bo.cache_size && rt_tf_misc_bytes(&tgt->tf, "cache_size", &bo.cache_size, err) < 0)
        return -1;
    const char *tmp = getenv("TMPDIR");
    char *work = NULL;
    if (asprintf(&work, "%s/ota-block.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (!mkdtemp(work)) {
        int rc = ota_error_errno(err, "cannot create %s", work);
        free(work);
        return rc;
    }
    rt_side s_tgt = {0}, s_src = {0};
    outputs o = {0};
    rt_blockdiff_result r = {0};
    rt_script s = {0};
    rt_pkg pkg = {.payload = opts->payload};
    char *boot_spec = NULL;
    int rc = -1;
    rt_progress_report(&opts->progress, "images", 0, src ? 2 : 1);
    if (rt_side_open_system(tgt, work, "target", 0, &s_tgt, err) < 0 ||
        (src && rt_side_open_system(src, work, "source", 0, &s_src, err) < 0))
        goto out;
    rt_progress_report(&opts->progress, "images", src ? 2 : 1, src ? 2 : 1);
    o.brotli = bo.brotli = !src;
    if (output_names(work, &o, err) < 0 ||
        rt_blockdiff(&s_tgt.img, src ? &s_src.img : NULL, o.prefix, &bo, &r, err) < 0)
        goto out;
    if (src && tgt->boot.present && src->boot.present &&
        strcmp(src->boot.sha1, tgt->boot.sha1) != 0) {
        if (!(boot_spec = rt_boot_emmc_spec(tgt, src))) {
            ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (boot_patch(tgt, src, opts, &pkg, err) < 0)
            goto out;
    } else if (tgt->boot.present && (!src || !src->boot.present ||
                                     strcmp(src->boot.sha1, tgt->boot.sha1) != 0) &&
               rt_pkg_add_data(&pkg, "boot.img", tgt->boot.data.data, tgt->boot.data.len,
                               OTA_ZIP_DEFLATE, 0, err) < 0) {
        goto out;
    }
    if (write_script(&s, tgt, src, &r, boot_spec, opts, err) < 0 ||
        rt_add_script(&pkg, &s, err) < 0 || rt_add_update_binary(&pkg, tgt, opts, err) < 0 ||
        rt_add_metadata(&pkg, tgt, src, 0, err) < 0 || add_outputs(&pkg, &o, err) < 0)
        goto out;
    rt_progress_report(&opts->progress, "writing", 0, 1);
    rc = rt_pkg_write(&pkg, output, err);
    rt_progress_report(&opts->progress, "writing", 1, 1);
out:
    free(boot_spec);
    rt_blockdiff_result_free(&r);
    rt_script_free(&s);
    rt_pkg_free(&pkg);
    remove_outputs(&o);
    rt_side_close(&s_tgt);
    rt_side_close(&s_src);
    rmdir(work);
    free(work);
    return rc;
}
