/* Recovery's use of the bootloader message on misc: read its arguments,
 * set it to "boot-recovery" with the current arguments before any action so
 * that a power loss comes back here and repeats it, and clear it when the
 * run has ended. */
#ifndef RECOVERY_BCB_H
#define RECOVERY_BCB_H

#include "recovery/args.h"
#include "recovery/command_file.h"
#include "recovery/context.h"

/* The recovery arguments in the message (the lines of its recovery field
 * after "recovery") into out.  0, with out empty when the fstab has no
 * /misc or the message holds no recovery arguments; -1 on error. */
int recovery_bcb_read_args(const recovery_ctx *ctx, recovery_argv *out, ota_error *err);

/* Writes command "boot-recovery" and the arguments' persistent form,
 * keeping the stage field (the updater's multi-stage progress) when it holds
 * text.  0 when written or when the fstab has no /misc (nothing to write),
 * -1 on error. */
int recovery_bcb_set(const recovery_ctx *ctx, const recovery_args *args, ota_error *err);

/* Zeroes the whole message, as after a finished run.  0 when cleared or
 * when there is no /misc, -1 on error. */
int recovery_bcb_clear(const recovery_ctx *ctx, ota_error *err);

#endif
