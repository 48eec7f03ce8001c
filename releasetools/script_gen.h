/* The updater-script writer (the edify_generator of Android's
 * releasetools): one function per statement the OTA generator emits, in
 * Android's (KitKat) argument forms, with every string quoted for edify.
 * Allocation failures are remembered and reported by rt_script_finish, so
 * callers can emit a sequence of statements and check once. */
#ifndef RELEASETOOLS_SCRIPT_GEN_H
#define RELEASETOOLS_SCRIPT_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/fstab.h"
#include "otautil/sink.h"
#include "releasetools/perms.h"

typedef struct rt_script {
    ota_buf buf;
    int failed;
} rt_script;

/* Appends the edify string literal for s (quotes included). */
void rt_script_quote(rt_script *s, const char *text);
/* printf into the script; %s arguments are NOT quoted. */
void rt_script_raw(rt_script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void rt_script_assert_device(rt_script *s, const char *device);
/* Refuses to install over a build newer than `timestamp` (ro.build.date.utc). */
void rt_script_assert_older_build(rt_script *s, const char *timestamp, const char *build_date);
/* The device's /system/build.prop fingerprint must be one of the two. */
void rt_script_assert_fingerprint(rt_script *s, const char *system_mount, const char *fp1,
                                  const char *fp2);
void rt_script_print(rt_script *s, const char *message);
void rt_script_show_progress(rt_script *s, double fraction, int seconds);
void rt_script_set_progress(rt_script *s, double fraction);

/* "EMMC" or "MTD", as the updater's partition_type argument. */
const char *rt_partition_type(const ota_fstab_entry *e);
void rt_script_format(rt_script *s, const ota_fstab_entry *e);
/* check_partition_size(device, bytes): before formatting a partition the
 * package then fills (not Android's; docs/updater.md). */
void rt_script_check_partition_size(rt_script *s, const ota_fstab_entry *e, uint64_t bytes);
void rt_script_mount(rt_script *s, const ota_fstab_entry *e);
void rt_script_unmount(rt_script *s, const char *mount_point);

void rt_script_extract_dir(rt_script *s, const char *package_dir, const char *dest);
/* Writes a package entry to the raw partition e (boot, recovery). */
void rt_script_write_raw_image(rt_script *s, const char *package_file, const ota_fstab_entry *e);
/* symlink(target, names...) for one target; names are absolute. */
void rt_script_symlink(rt_script *s, const char *target, const char *const *names, size_t n);
/* delete(...)/delete_recursive(...), several paths per call for a short
 * script; nothing is written for n == 0. */
void rt_script_delete(rt_script *s, const char *const *paths, size_t n);
void rt_script_delete_recursive(rt_script *s, const char *const *paths, size_t n);

/* Renders a permission plan; paths in it are partition paths ("system/x")
 * and become absolute ("/system/x"). */
void rt_script_permissions(rt_script *s, const rt_perm_plan *plan);

/* apply_patch_check(file, sha1...) || abort(...) */
void rt_script_patch_check(rt_script *s, const char *file, const char *const *sha1s, size_t n);
/* apply_patch_space(bytes) || abort(...) */
void rt_script_cache_space(rt_script *s, uint64_t bytes);
/* For a file patched from another path: the target is done, or the
 * source is intact:  apply_patch_check(target, tgt_sha1) ||
 * apply_patch_check(source, src_sha1) || abort(...) */
void rt_script_patch_check_moved(rt_script *s, const char *target, const char *tgt_sha1,
                                 const char *source, const char *src_sha1);
/* apply_patch(source, target, tgt_sha1, tgt_size, src_sha1,
 *             package_extract_file(patch_entry)) || abort(...);
 * target NULL: "-", the source patched in place. */
void rt_script_apply_patch(rt_script *s, const char *source, const char *target,
                           const char *tgt_sha1, uint64_t tgt_size, const char *src_sha1,
                           const char *patch_entry);
/* Appends text verbatim (an -e extra script), ending it with a newline. */
void rt_script_append(rt_script *s, const char *text, size_t len);

/* Returns 0 and hands over the text (NUL-terminated) in *out, or -1 when
 * memory ran out while writing it. */
int rt_script_finish(rt_script *s, ota_buf *out, ota_error *err);
void rt_script_free(rt_script *s);

#endif
