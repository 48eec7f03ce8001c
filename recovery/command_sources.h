/* Where recovery's command comes from, in order: its arguments (when they
 * hold an action), /cache/recovery/command, then the bootloader message on
 * /misc.  Lines of the persistent sources that recovery does not know are
 * logged and skipped: a newer system may write options this recovery does
 * not have, and refusing them would bring the device back here at every
 * boot. */
#ifndef RECOVERY_COMMAND_SOURCES_H
#define RECOVERY_COMMAND_SOURCES_H

#include "recovery/args.h"
#include "recovery/context.h"

typedef enum recovery_command_source {
    RECOVERY_SOURCE_NONE,          /* nothing to do */
    RECOVERY_SOURCE_ARGUMENTS,
    RECOVERY_SOURCE_COMMAND_FILE,
    RECOVERY_SOURCE_BCB,
} recovery_command_source;

/* Completes args (parsed from the command line) from the persistent sources
 * when they hold no action.  cache_ok says whether /cache/recovery can be
 * read.  For a command from a persistent source, args->retry_count becomes
 * the number of earlier runs of it that were interrupted, as counted in the
 * bootloader message.  A source that cannot be read is reported on the
 * screen and the next one is tried. */
recovery_command_source recovery_find_command(recovery_ctx *ctx, recovery_args *args,
                                              int cache_ok);

const char *recovery_command_source_name(recovery_command_source source);

#endif
