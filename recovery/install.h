/* Installing one package, from one verified snapshot:
 *   1. mount the volume the package is on, read-only (fstab, longest
 *      prefix);
 *   2. open the package once -- a regular file, never reopened by path --
 *      and verify it against the trusted keys, the whole-file signature
 *      first (otautil/verify.h).  With a v1 JAR signature as well, the
 *      package is read in place, every entry checked against the verified
 *      manifest when it is read (the zip layer's verified mode).  Without
 *      one, it is copied into a sealed memory file as the whole-file digest
 *      streams, and that copy, which nothing can change, is verified and
 *      used from then on -- if it fits in the memory recovery can spare
 *      (recovery/memory.h);
 *   3. check META-INF/com/android/metadata against recovery's properties;
 *   4. write META-INF/com/google/android/update-binary, checked in memory,
 *      into a fresh directory recovery creates for itself under /tmp;
 *   5. (recovery_package_install) make the package's volume writable again
 *      and run the update-binary on the same open file (or the copy),
 *      passed as /proc/self/fd/N, with OTA_VERIFIED_PACKAGE naming what
 *      verified, so the updater holds its reads to it too
 *      (recovery/updater_run.h).
 * Steps 1-4 write nothing but the update-binary in /tmp, recovery's own
 * ramdisk: a package refused there leaves every partition byte-identical. */
#ifndef RECOVERY_INSTALL_H
#define RECOVERY_INSTALL_H

#include "recovery/context.h"

#define RECOVERY_UPDATE_BINARY_ENTRY "META-INF/com/google/android/update-binary"
/* The update-binary goes to TMP_DIR/update-binary.XXXXXX/update-binary. */
#define RECOVERY_UPDATE_BINARY_DIR "/tmp"
#define RECOVERY_UPDATE_BINARY_NAME "update-binary"

typedef enum recovery_install_result {
    RECOVERY_INSTALL_SUCCESS,
    RECOVERY_INSTALL_REFUSED,  /* missing, unverified or not for this device: untouched */
    RECOVERY_INSTALL_FAILED,   /* the update-binary ran and failed */
} recovery_install_result;

/* A package that verified, open, with its update-binary written out. */
typedef struct recovery_package recovery_package;

/* Steps 1-4 for package (a path as on the device, resolved under
 * RECOVERY_ROOT here).  SUCCESS with *out set, or REFUSED with err saying
 * why and nothing changed. */
recovery_install_result recovery_package_open(recovery_ctx *ctx, const char *package,
                                              recovery_package **out, ota_error *err);

/* Step 5.  *wipe_cache is set when the updater asked for a cache wipe.
 * FAILED with err saying why when the update-binary did not succeed. */
recovery_install_result recovery_package_install(recovery_ctx *ctx, recovery_package *pkg,
                                                 int *wipe_cache, ota_error *err);

/* Closes the package and removes its update-binary. */
void recovery_package_close(recovery_package *pkg);

#endif
