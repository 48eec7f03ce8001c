/* img_from_target_files: system.img and boot.img (and recovery.img) from a
 * target-files zip. */
#include <getopt.h>
#include <stdio.h>

#include "otautil/error.h"
#include "releasetools/img_from_target_files.h"

static const char usage_text[] =
    "usage: img_from_target_files TARGET_FILES.zip OUTPUT_DIR\n"
    "Writes OUTPUT_DIR/system.img (ext4, with the owners, modes, capabilities and\n"
    "labels of META/filesystem_config.txt; its size is META/misc_info.txt's\n"
    "system_size, else what the files need plus room) and OUTPUT_DIR/boot.img\n"
    "(prebuilt, or built from BOOT/), and recovery.img when the build has one.\n"
    "  --help   this text\n";

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        }
        fprintf(stderr, "img_from_target_files: bad option\n%s", usage_text);
        return 2;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "img_from_target_files: expected TARGET_FILES.zip and OUTPUT_DIR\n%s",
                usage_text);
        return 2;
    }
    ota_error err;
    ota_error_clear(&err);
    if (rt_img_write(argv[optind], argv[optind + 1], &err) < 0) {
        fprintf(stderr, "img_from_target_files: %s\n", err.message);
        return 1;
    }
    return 0;
}
