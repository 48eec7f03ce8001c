/* img_from_target_files' work: the images a factory flashes, from a
 * target-files zip: system.img (ext4) and boot.img, plus recovery.img when
 * the build has one. */
#ifndef RELEASETOOLS_IMG_FROM_TARGET_FILES_H
#define RELEASETOOLS_IMG_FROM_TARGET_FILES_H

#include "otautil/error.h"

struct rt_build;

int rt_img_write(const char *target_files, const char *out_dir, ota_error *err);

/* The system image of an opened build (the bytes rt_img_write writes as
 * system.img) at `image`, and its block map in Android's text form at
 * map_path unless that is NULL (releasetools/blockmap.h).  Staging happens
 * in a folder next to the image, removed afterwards. */
int rt_img_system(struct rt_build *b, const char *image, const char *map_path, ota_error *err);

#endif
