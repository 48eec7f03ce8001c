/* Device builtins (Android's RegisterDeviceExtensions): a device maker's
 * own edify functions (msm.boot_update, acme.check_board ...) compiled
 * into that device's updater, without changing this tree:
 *
 *     make UPDATER_EXTENSIONS="vendor/acme/acme_builtins.c"
 *
 * compiles the listed C files with the project's flags and links them
 * into the (static) updater.  One of them defines
 * updater_register_device_extensions, which registers the vendor's
 * table the way the updater's own families do (edify/edify.h):
 *
 *     static const edify_reg acme[] = {{"acme.check_board", fn, 1, EDIFY_VARARGS},
 *                                      {NULL, NULL, 0, 0}};
 *     int updater_register_device_extensions(edify_funcs *fns, ota_error *err)
 *     {
 *         return edify_register_table(fns, acme, err);
 *     }
 *
 * It runs after the updater's builtins are registered, for a run and for
 * `updater --check`; a row with the name of one of them replaces it (a
 * device may bring its own format, say).  Builtins use the helpers of
 * updater/builtins.h (arguments, paths under RECOVERY_ROOT, the fstab,
 * failures with a reason).  Without UPDATER_EXTENSIONS a default that
 * registers nothing is linked, and calls of unknown functions keep failing
 * when the script is parsed.  docs/updater.md has a whole example,
 * updater/extensions/example.c. */
#ifndef UPDATER_DEVICE_EXTENSIONS_H
#define UPDATER_DEVICE_EXTENSIONS_H

#include "edify/edify.h"
#include "otautil/error.h"

int updater_register_device_extensions(edify_funcs *fns, ota_error *err);

#endif
