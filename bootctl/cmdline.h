/* The running slot as the bootloader tells the kernel: a parameter on the
 * kernel command line (/proc/cmdline).  Conventions, first found wins:
 *   androidboot.slot_suffix=_a   Android's bootloaders (AOSP's boot_control)
 *   androidboot.slot=a           newer Android bootloaders
 *   rauc.slot=A                  RAUC's boot scripts (our grub.cfg, U-Boot)
 * Tokens are separated by blanks; a value may be in double quotes; when a
 * parameter is repeated, the last one counts (as the kernel and Android's
 * init take them). */
#ifndef BOOTCTL_CMDLINE_H
#define BOOTCTL_CMDLINE_H

#include <stddef.h>

#include "otautil/error.h"

/* Looks through the command line text (len bytes).  Returns 1 with the
 * parameter's name in key and its value in value, 0 when none is there,
 * -1 (OTA_ERR_FORMAT) when a value does not fit. */
int bootctl_cmdline_find(const char *text, size_t len, char *key, size_t keysz, char *value,
                         size_t valsz, ota_error *err);

/* The same from the file at path (used as given).  A missing file is 0. */
int bootctl_cmdline_slot(const char *path, char *key, size_t keysz, char *value, size_t valsz,
                         ota_error *err);

#endif
