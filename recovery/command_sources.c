#include "recovery/command_sources.h"

#include <limits.h>
#include <string.h>

#include "otautil/root.h"
#include "recovery/bcb.h"
#include "recovery/command_file.h"

const char *recovery_command_source_name(recovery_command_source source)
{
    switch (source) {
    case RECOVERY_SOURCE_NONE: return "nowhere";
    case RECOVERY_SOURCE_ARGUMENTS: return "the arguments";
    case RECOVERY_SOURCE_COMMAND_FILE: return RECOVERY_COMMAND_FILE;
    case RECOVERY_SOURCE_BCB: return "the bootloader message";
    }
    return "nowhere";
}

static void apply_lines(recovery_ctx *ctx, recovery_args *args, const recovery_argv *argv,
                        recovery_command_source source)
{
    ota_error err;
    const char *name = recovery_command_source_name(source);
    recovery_log_printf(ctx->log, "command from %s:", name);
    for (int i = 0; i < argv->argc; i++) {
        /* The main system writes these sources; what recovery trusts (its
         * keys, its fstab) comes only from the recovery image. */
        if (recovery_args_is_trust_option(argv->argv[i]))
            recovery_say(ctx, "W: ignored %s from %s: only recovery's own command line "
                              "chooses the keys and the fstab", argv->argv[i], name);
        else if (recovery_args_apply(args, argv->argv[i], &err) < 0)
            recovery_log_printf(ctx->log, "  ignored %s", err.message);
        else
            recovery_log_printf(ctx->log, "  %s", argv->argv[i]);
    }
}

/* The command file is kept until its command is done, so an interrupted
 * run is repeated from it; the attempt count is in the BCB that the earlier
 * run wrote for the same package. */
static void adopt_attempt_count(recovery_ctx *ctx, recovery_args *args)
{
    recovery_argv argv;
    if (recovery_bcb_read_args(ctx, &argv, NULL) < 0 || argv.argc == 0)
        return;
    recovery_args bcb = { 0 };
    for (int i = 0; i < argv.argc; i++)
        recovery_args_apply(&bcb, argv.argv[i], NULL);
    recovery_argv_free(&argv);
    const char *a = args->update_package, *b = bcb.update_package;
    if ((a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0))
        args->retry_count = bcb.retry_count;
    recovery_args_free(&bcb);
}

static int from_command_file(recovery_ctx *ctx, recovery_args *args)
{
    ota_error err;
    char path[PATH_MAX];
    recovery_argv argv;
    int rc = ota_path_at(ctx->root, RECOVERY_COMMAND_FILE, path, sizeof path, &err) < 0
                 ? -1 : recovery_command_file_read(path, &argv, &err);
    if (rc < 0)
        recovery_say(ctx, "W: cannot read the command file: %s", err.message);
    if (rc < 0 || argv.argc == 0)
        return 0;
    apply_lines(ctx, args, &argv, RECOVERY_SOURCE_COMMAND_FILE);
    recovery_argv_free(&argv);
    if (!recovery_args_has_action(args))
        return 0;
    adopt_attempt_count(ctx, args);
    return 1;
}

static int from_bcb(recovery_ctx *ctx, recovery_args *args)
{
    ota_error err;
    recovery_argv argv;
    int rc = recovery_bcb_read_args(ctx, &argv, &err);
    if (rc < 0)
        recovery_say(ctx, "W: cannot read the bootloader message: %s", err.message);
    if (rc < 0 || argv.argc == 0)
        return 0;
    apply_lines(ctx, args, &argv, RECOVERY_SOURCE_BCB);
    recovery_argv_free(&argv);
    recovery_log_printf(ctx->log, "(a command in the bootloader message means the system asked "
                                  "for it or an earlier run did not finish)");
    return recovery_args_has_action(args);
}

recovery_command_source recovery_find_command(recovery_ctx *ctx, recovery_args *args,
                                              int cache_ok)
{
    if (recovery_args_has_action(args))
        return RECOVERY_SOURCE_ARGUMENTS;
    if (cache_ok && from_command_file(ctx, args))
        return RECOVERY_SOURCE_COMMAND_FILE;
    if (from_bcb(ctx, args))
        return RECOVERY_SOURCE_BCB;
    return RECOVERY_SOURCE_NONE;
}
