/* What the parts of a recovery run share: the fstab, recovery's own
 * properties, the keys file, the screen and the log.  Owned by the program;
 * the library only borrows it. */
#ifndef RECOVERY_CONTEXT_H
#define RECOVERY_CONTEXT_H

#include "otautil/fstab.h"
#include "otautil/props.h"
#include "recovery/log.h"
#include "recovery/ui.h"

typedef struct recovery_ctx {
    const char *root;        /* RECOVERY_ROOT, read once by the program ("": none);
                                device paths are resolved under it */
    const ota_fstab *fstab;
    const ota_props *props;  /* the recovery's own (ota_props_load_device) */
    const char *keys_path;   /* as given (resolved under RECOVERY_ROOT on use) */
    const char *snapshot_limit_env; /* RECOVERY_SNAPSHOT_LIMIT, read once by the program
                                       (NULL: unset); can only lower the limit
                                       (recovery/memory.h) */
    recovery_ui *ui;
    recovery_log *log;
    /* Called before the update-binary starts, so the log kept on /cache
     * shows how far a run got if the power fails during the install.  May
     * be NULL. */
    void (*checkpoint)(void *arg);
    void *checkpoint_arg;
} recovery_ctx;

/* A line for the user: shown on the screen and written to the log. */
void recovery_say(recovery_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
