/* Inside the OTA generator (ota_from_target_files.h): one build (a
 * target-files zip with what the package needs from it) and the parts
 * full and incremental packages share (ota_build.c), the full package
 * (ota_build_full.c) and the incremental one (ota_build_incremental.c).
 * Not a public interface of the room. */
#ifndef RELEASETOOLS_OTA_BUILD_H
#define RELEASETOOLS_OTA_BUILD_H

#include <stdint.h>

#include "otautil/error.h"
#include "otautil/fstab.h"
#include "releasetools/block_image.h"
#include "releasetools/ota_from_target_files.h"
#include "releasetools/package.h"
#include "releasetools/script_gen.h"
#include "releasetools/target_files.h"

typedef struct rt_image {
    ota_buf data;
    int present;
    char sha1[41];
} rt_image;

typedef struct rt_build {
    rt_target_files tf;
    const char *fingerprint;   /* ro.build.fingerprint */
    const char *device;        /* ro.product.device */
    const char *timestamp;     /* ro.build.date.utc */
    const char *build_date;    /* ro.build.date, or the timestamp */
    const ota_fstab_entry *system_part;
    rt_image boot, recovery;
    char updater_machine[32];  /* the update-binary's ELF machine, "" if not ELF */
} rt_build;

/* Opens a build: build.prop keys, the /system partition, and the boot and
 * recovery images when present (with /boot, /recovery in the fstab).  When
 * the build has a recovery image and a boot image, the system tree gains
 * recovery-from-boot.p and etc/install-recovery.sh (under "recovery/" in
 * the package), as Android's releasetools add them. */
int rt_build_open(rt_build *b, const char *path, ota_error *err);
void rt_build_close(rt_build *b);

/* Extracts entry e of the build's target-files to a new file at path (a
 * work file, mode 0600). */
int rt_extract_entry(rt_build *b, const ota_zip_entry *e, const char *path, ota_error *err);
/* A static updater is a few MiB; more is not an updater. */
#define RT_UPDATER_MAX (256u << 20)
/* update-binary: the build's OTA/bin/updater, else opts->updater (with a
 * warning: that is the host's).  Sets b->updater_machine; call it before
 * rt_add_metadata. */
int rt_add_update_binary(rt_pkg *pkg, rt_build *b, const rt_ota_opts *opts, ota_error *err);
/* The patch formats the package's update-binary reads: RT_PATCH_EXTENDED
 * when it is this project's updater (it knows the IMGDIFFX magic; the
 * updaters of Android do not), else RT_PATCH_ANDROID.  -1 when there is
 * no update-binary to read (err says why). */
int rt_updater_formats(rt_build *b, const rt_ota_opts *opts, ota_error *err);
/* META-INF/com/android/metadata (source NULL for a full package), with
 * the update-binary's machine; ab: ota-type=AB, which recovery refuses and
 * the A/B agent requires. */
int rt_add_metadata(rt_pkg *pkg, const rt_build *target, const rt_build *source, int ab,
                    ota_error *err);
/* Adds the finished script as META-INF/com/google/android/updater-script. */
int rt_add_script(rt_pkg *pkg, rt_script *script, ota_error *err);

/* symlink() calls for the tree's symlinks for which want(node) says so,
 * grouped by target. */
void rt_emit_symlinks(rt_script *s, const rt_tree *t, int (*want)(const rt_node *, void *),
                      void *ctx);
/* The permission calls for the whole system tree. */
int rt_emit_permissions(rt_script *s, const rt_tree *t, ota_error *err);
/* The package name of a tree file ("system/x" or its pkg_name). */
const char *rt_node_pkg_name(const rt_node *n);
/* A tree file's entry into the package (copied from the zip or its data). */
int rt_add_node_file(rt_pkg *pkg, rt_build *b, const rt_node *n, ota_error *err);
/* -w: format /data (an error when the fstab has no /data). */
int rt_emit_wipe_data(rt_script *s, rt_build *b, ota_error *err);

int rt_ota_full(rt_build *target, const char *output, const rt_ota_opts *opts, ota_error *err);
int rt_ota_incremental(rt_build *target, rt_build *source, const char *output,
                       const rt_ota_opts *opts, ota_error *err);
/* Block-based packages (source NULL: a full one). */
int rt_ota_block(rt_build *target, rt_build *source, const char *output, const rt_ota_opts *opts,
                 ota_error *err);
/* 1 when the package is to be block-based (opts or the target's misc_info). */
int rt_ota_wants_block(const rt_build *target, const rt_ota_opts *opts);
/* A/B packages (ota_ab.c; source NULL: a full one). */
int rt_ota_ab(rt_build *target, rt_build *source, const char *output, const rt_ota_opts *opts,
              ota_error *err);
/* 1 when the package is to be an A/B one: --ab, or ab_update=true in the
 * target's misc_info. */
int rt_ota_wants_ab(const rt_build *target, const rt_ota_opts *opts);

/* A partition image of a build in a work folder, with its block domains
 * (ota_block.c), for the block diff. */
typedef struct rt_side {
    char *image;
    rt_block_image img;
    int open;
} rt_side;
/* The build's system image and block map: IMAGES/system.img (and
 * IMAGES/system.map) when the target-files has them, else made as
 * img_from_target_files makes them, as WORK/NAME.img.  all_blocks: every
 * block is in the care map (A/B writes the whole image), else the blocks
 * the filesystem uses. */
int rt_side_open_system(rt_build *b, const char *work, const char *name, int all_blocks,
                        rt_side *sd, ota_error *err);
/* Closes and deletes the image. */
void rt_side_close(rt_side *sd);
/* "EMMC:DEVICE:SRC_SIZE:SRC_SHA1:TGT_SIZE:TGT_SHA1" for the boot partition,
 * malloc'd (NULL when out of memory): applypatch's source that accepts the
 * old and the already patched boot image. */
char *rt_boot_emmc_spec(const rt_build *target, const rt_build *source);

#endif
