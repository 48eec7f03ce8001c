/* img_from_target_files' work: the images a factory flashes, from a
 * target-files zip: system.img (ext4) and boot.img, plus recovery.img when
 * the build has one. */
#ifndef RELEASETOOLS_IMG_FROM_TARGET_FILES_H
#define RELEASETOOLS_IMG_FROM_TARGET_FILES_H

#include "otautil/error.h"

int rt_img_write(const char *target_files, const char *out_dir, ota_error *err);

#endif
