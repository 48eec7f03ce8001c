/* make_target_files: a target-files zip from a rootfs directory, a kernel
 * and ramdisk (or prebuilt images), build properties and an fstab. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/error.h"
#include "releasetools/make_target_files.h"
#include "releasetools/term_progress.h"

static const char usage_text[] =
    "usage: make_target_files --system DIR --fstab FILE [options] OUTPUT.zip\n"
    "Makes a target-files zip (the input of ota_from_target_files and\n"
    "img_from_target_files) from a system rootfs and the device's boot parts.\n"
    "  --system DIR            the system partition's contents (required)\n"
    "  --fstab FILE            the recovery fstab (required; /system, and /boot,\n"
    "                          /recovery when those images are given)\n"
    "  --build-prop FILE       build properties (default: DIR/build.prop)\n"
    "  --prop KEY=VALUE        set a build property (repeatable; wins over the file).\n"
    "                          Needed: ro.build.fingerprint, ro.product.device,\n"
    "                          ro.build.date.utc\n"
    "  --fs-config FILE        owners, modes, labels, capabilities from this\n"
    "                          filesystem_config file (lines: system/PATH UID GID MODE\n"
    "                          [selabel=L] [capabilities=0xN]); paths it does not list,\n"
    "                          and everything without it, keep what DIR has\n"
    "  --boot-image IMG        a prebuilt boot image, or:\n"
    "  --kernel FILE           the kernel, with\n"
    "  --ramdisk DIR           the boot ramdisk's contents\n"
    "  --second FILE           a second-stage image\n"
    "  --cmdline TEXT          kernel command line\n"
    "  --base ADDR             load base (default 0x10000000)\n"
    "  --pagesize N            flash page size (default 2048)\n"
    "  --recovery-image IMG    a prebuilt recovery image, or:\n"
    "  --recovery-ramdisk DIR  the recovery ramdisk (its kernel: --recovery-kernel,\n"
    "                          else --kernel)\n"
    "  --recovery-kernel FILE\n"
    "  --misc-info KEY=VALUE   a META/misc_info.txt line (repeatable), e.g. system_size=\n"
    "  --updater FILE          the device's updater, stored as OTA/bin/updater\n"
    "  --help                  this text\n";

enum {
    OPT_SYSTEM = 256, OPT_FSTAB, OPT_BUILD_PROP, OPT_PROP, OPT_FS_CONFIG, OPT_BOOT_IMAGE,
    OPT_KERNEL, OPT_RAMDISK, OPT_SECOND, OPT_CMDLINE, OPT_BASE, OPT_PAGESIZE,
    OPT_RECOVERY_IMAGE, OPT_RECOVERY_RAMDISK, OPT_RECOVERY_KERNEL, OPT_MISC, OPT_UPDATER
};

static void usage_error(const char *msg)
{
    fprintf(stderr, "make_target_files: %s\n%s", msg, usage_text);
    exit(2);
}

static void push(const char ***list, size_t *n, const char *item)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "make_target_files: out of memory\n");
        exit(1);
    }
    grown[(*n)++] = item;
    *list = grown;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"system", required_argument, NULL, OPT_SYSTEM},
        {"fstab", required_argument, NULL, OPT_FSTAB},
        {"build-prop", required_argument, NULL, OPT_BUILD_PROP},
        {"prop", required_argument, NULL, OPT_PROP},
        {"fs-config", required_argument, NULL, OPT_FS_CONFIG},
        {"boot-image", required_argument, NULL, OPT_BOOT_IMAGE},
        {"kernel", required_argument, NULL, OPT_KERNEL},
        {"ramdisk", required_argument, NULL, OPT_RAMDISK},
        {"second", required_argument, NULL, OPT_SECOND},
        {"cmdline", required_argument, NULL, OPT_CMDLINE},
        {"base", required_argument, NULL, OPT_BASE},
        {"pagesize", required_argument, NULL, OPT_PAGESIZE},
        {"recovery-image", required_argument, NULL, OPT_RECOVERY_IMAGE},
        {"recovery-ramdisk", required_argument, NULL, OPT_RECOVERY_RAMDISK},
        {"recovery-kernel", required_argument, NULL, OPT_RECOVERY_KERNEL},
        {"misc-info", required_argument, NULL, OPT_MISC},
        {"updater", required_argument, NULL, OPT_UPDATER},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0}};
    rt_mtf_opts o = {0};
    const char **props = NULL, **misc = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SYSTEM: o.system_dir = optarg; break;
        case OPT_FSTAB: o.fstab = optarg; break;
        case OPT_BUILD_PROP: o.build_prop = optarg; break;
        case OPT_PROP: push(&props, &o.nprops, optarg); break;
        case OPT_FS_CONFIG: o.fs_config = optarg; break;
        case OPT_BOOT_IMAGE: o.boot_image = optarg; break;
        case OPT_KERNEL: o.kernel = optarg; break;
        case OPT_RAMDISK: o.ramdisk_dir = optarg; break;
        case OPT_SECOND: o.second = optarg; break;
        case OPT_CMDLINE: o.cmdline = optarg; break;
        case OPT_BASE: o.base = optarg; break;
        case OPT_PAGESIZE: o.pagesize = optarg; break;
        case OPT_RECOVERY_IMAGE: o.recovery_image = optarg; break;
        case OPT_RECOVERY_RAMDISK: o.recovery_ramdisk_dir = optarg; break;
        case OPT_RECOVERY_KERNEL: o.recovery_kernel = optarg; break;
        case OPT_MISC: push(&misc, &o.nmisc, optarg); break;
        case OPT_UPDATER: o.updater = optarg; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: usage_error("bad option");
        }
    }
    if (argc - optind != 1)
        usage_error("expected one OUTPUT.zip");
    if (!o.system_dir || !o.fstab)
        usage_error("--system and --fstab are required");
    if ((o.ramdisk_dir || o.second || o.cmdline || o.base || o.pagesize) && !o.kernel &&
        !o.recovery_ramdisk_dir)
        usage_error("--ramdisk, --second, --cmdline, --base and --pagesize go with --kernel");
    o.props = props;
    o.misc = misc;
    rt_term_progress tp;
    rt_term_progress_init(&tp, "make_target_files");
    o.progress = rt_term_progress_sink(&tp);
    o.warn = rt_term_warn_sink(&tp);
    ota_error err;
    ota_error_clear(&err);
    int rc = rt_make_target_files(&o, argv[optind], &err);
    rt_term_progress_end(&tp);
    if (rc < 0)
        fprintf(stderr, "make_target_files: %s\n", err.message);
    free(props);
    free(misc);
    return rc < 0 ? 1 : 0;
}
