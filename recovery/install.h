/* Installing one package, Android's way:
 *   1. mount the volume the package is on (fstab, longest prefix);
 *   2. verify it against the trusted keys (whole-file signature required,
 *      v1 JAR signature checked when present; otautil/verifier.h);
 *   3. check META-INF/com/android/metadata against the recovery's
 *      properties (recovery/metadata.h);
 *   4. extract META-INF/com/google/android/update-binary to /tmp;
 *   5. run it with the command pipe (recovery/updater_run.h).
 * Steps 1-4 write nothing outside /tmp and the mounted package volume: a
 * package refused there leaves every partition as it was. */
#ifndef RECOVERY_INSTALL_H
#define RECOVERY_INSTALL_H

#include "recovery/context.h"

#define RECOVERY_UPDATE_BINARY_ENTRY "META-INF/com/google/android/update-binary"
#define RECOVERY_UPDATE_BINARY_PATH "/tmp/update-binary"

typedef enum recovery_install_result {
    RECOVERY_INSTALL_SUCCESS,
    RECOVERY_INSTALL_REFUSED,  /* missing, unverified or not for this device: untouched */
    RECOVERY_INSTALL_FAILED,   /* the update-binary ran and failed */
} recovery_install_result;

/* Installs package (a path as on the device, resolved under RECOVERY_ROOT
 * here).  *wipe_cache is set when the updater asked for a cache wipe.  On
 * anything but success err says why. */
recovery_install_result recovery_install(recovery_ctx *ctx, const char *package,
                                         int *wipe_cache, ota_error *err);

#endif
