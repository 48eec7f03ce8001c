/* ota_from_target_files' work: a full package from one build
 * (ota_build_full.c), an incremental one from two
 * (ota_build_incremental.c), either block-based (ota_block.c), or either
 * for A/B devices (ota_ab.c). */
#include "releasetools/ota_from_target_files.h"

#include "releasetools/diff_pool.h"
#include "releasetools/ota_build.h"

int rt_ota_write(const char *target, const char *output, const rt_ota_opts *opts, ota_error *err)
{
    rt_build tgt, src;
    if (rt_build_open(&tgt, target, err) < 0)
        return -1;
    if (!tgt.tf.has_config)
        rt_warnf(&opts->warn,
                 "%s has no META/filesystem_config.txt: every file is installed owned by 0:0 "
                 "with the modes stored in the zip, without capabilities or SELinux labels "
                 "(make_target_files writes one)",
                 target);
    int rc, block = rt_ota_wants_block(&tgt, opts), ab = rt_ota_wants_ab(&tgt, opts);
    if (ab && opts->payload != RT_PAYLOAD_DEFLATE) {
        rt_build_close(&tgt);
        return ota_error_set(err, OTA_ERR_ARGS,
                             "--payload-compression applies to packages recovery installs; an A/B "
                             "package carries its images as brotli new data already");
    }
    /* What the package's update-binary reads: an A/B package is applied by
     * this project's agent; the others by the update-binary they carry,
     * which may be Android's own. */
    int reader = ab ? RT_PATCH_EXTENDED : rt_updater_formats(&tgt, opts, err);
    if (reader < 0) {
        rt_build_close(&tgt);
        return -1;
    }
    if (reader == RT_PATCH_ANDROID && opts->payload != RT_PAYLOAD_DEFLATE) {
        rt_build_close(&tgt);
        return ota_error_set(err, OTA_ERR_ARGS,
                             "--payload-compression %s: %s carries an update-binary that is not "
                             "this project's updater (Android's reads stored and deflated entries "
                             "only)",
                             rt_payload_name(opts->payload), target);
    }
    rt_ota_opts resolved = *opts;
    if (!resolved.patch_formats)
        resolved.patch_formats = reader;
    opts = &resolved;
    if (!opts->source) {
        rc = ab      ? rt_ota_ab(&tgt, NULL, output, opts, err)
             : block ? rt_ota_block(&tgt, NULL, output, opts, err)
                     : rt_ota_full(&tgt, output, opts, err);
    } else {
        rc = rt_build_open(&src, opts->source, err);
        if (rc == 0) {
            rc = ab      ? rt_ota_ab(&tgt, &src, output, opts, err)
                 : block ? rt_ota_block(&tgt, &src, output, opts, err)
                         : rt_ota_incremental(&tgt, &src, output, opts, err);
            rt_build_close(&src);
        }
    }
    rt_build_close(&tgt);
    return rc;
}
