/* Running the package's update-binary the way Android's recovery does:
 *   update-binary 3 FD PACKAGE
 * FD is the write end of the command pipe (recovery/updater_pipe.h), whose
 * commands drive the screen; the binary's stdout and stderr go to the log.
 * The binary inherits the environment, RECOVERY_ROOT included. */
#ifndef RECOVERY_UPDATER_RUN_H
#define RECOVERY_UPDATER_RUN_H

#include "recovery/context.h"

#define RECOVERY_UPDATER_API_VERSION 3

typedef struct recovery_updater_result {
    int wipe_cache;     /* the updater asked for a cache wipe afterwards */
    int enable_reboot;  /* the updater said a reboot is harmless now */
    int status;         /* wait status of the binary */
} recovery_updater_result;

/* A verified package handed to the binary (recovery/install.c): fd is kept
 * open in the binary under its own number (the PACKAGE argument names it,
 * /proc/self/fd/N) and token goes into the binary's environment alone, as
 * OTA_VERIFIED_PACKAGE (otautil/verify.h); recovery's own descriptor and
 * environment are left as they are. */
typedef struct recovery_handover {
    int fd;
    const char *token;
} recovery_handover;

/* binary and package are resolved paths; handover may be NULL (nothing
 * handed over).  0 when the binary exited with status 0; -1 with err
 * saying how it ended otherwise (res filled either way once it ran). */
int recovery_run_updater(recovery_ctx *ctx, const char *binary, const char *package,
                         const recovery_handover *handover, recovery_updater_result *res,
                         ota_error *err);

/* Acts on one command line from the pipe (exposed for tests). */
void recovery_updater_command(recovery_ctx *ctx, const char *line, recovery_updater_result *res);

#endif
