/* The updater-script statements of block-based packages, in the forms
 * Android's releasetools write them (common.py's BlockDifference), with
 * Android's error codes (E1001 and so on, for the system partition).
 * PARTITION is the package's entry prefix ("system": system.transfer.list,
 * system.new.dat or system.new.dat.br, system.patch.dat); DEVICE the
 * partition's block device. */
#ifndef RELEASETOOLS_SCRIPT_BLOCK_H
#define RELEASETOOLS_SCRIPT_BLOCK_H

#include "releasetools/script_gen.h"

/* The source check of an incremental, before anything is written:
 *   if (range_sha1(DEVICE, "RANGES") == "SHA1" ||
 *       block_image_verify(DEVICE, ...)) then ui_print("Verified ...");
 *   else check_first_block(DEVICE);
 *        ifelse (block_image_recover(DEVICE, "RANGES") && block_image_verify(DEVICE, ...),
 *                ui_print("... recovered successfully."), abort("E1004: ..."));
 *   endif;
 * block_image_verify accepts a partition an interrupted install left
 * half-updated (every command's source or target is in place). */
void rt_script_block_verify(rt_script *s, const char *partition, const char *device,
                            const char *ranges, const char *sha1);
/* block_image_update(DEVICE, package_extract_file("P.transfer.list"),
 *                    "P.new.dat[.br]", "P.patch.dat") || abort("E1001: ...");
 * brotli: the new data is P.new.dat.br (full packages, as Android). */
void rt_script_block_update(rt_script *s, const char *partition, const char *device, int brotli);
/* The result check:
 *   if range_sha1(DEVICE, "RANGES") == "SHA1" then ui_print(...)
 *   else abort("E1002: ... unexpected contents after OTA update"); endif; */
void rt_script_block_check(rt_script *s, const char *partition, const char *device,
                           const char *ranges, const char *sha1);

#endif
