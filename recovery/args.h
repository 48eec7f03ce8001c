/* Recovery's arguments: Android's `--name[=value]` options, from the command
 * line, /cache/recovery/command or the bootloader message.  Parsing goes one
 * argument at a time so the caller decides what an unknown one means: a
 * usage error on the command line, a logged and ignored line in the
 * persistent sources (a newer framework may write options this recovery does
 * not know, and refusing them would loop the device through recovery). */
#ifndef RECOVERY_ARGS_H
#define RECOVERY_ARGS_H

#include <stddef.h>

#include "otautil/error.h"

#define RECOVERY_DEFAULT_FSTAB "/etc/recovery.fstab"
#define RECOVERY_DEFAULT_KEYS "/res/keys"

typedef struct recovery_args {
    char *update_package; /* absolute path, or NULL */
    int wipe_data;
    int wipe_cache;
    int just_exit;
    int show_text;        /* accepted; the text UI always shows text */
    int help;
    char *fstab_path;     /* NULL: RECOVERY_DEFAULT_FSTAB */
    char *keys_path;      /* NULL: RECOVERY_DEFAULT_KEYS */
    int retry_count;      /* earlier attempts of this command cut short */
    char *locale;         /* recorded in the log only */
    char *reason;         /* recorded in the log only */
} recovery_args;

/* Applies one argument.  0 on success; -1 with err naming the argument when
 * it is unknown (OTA_ERR_ARGS) or its value is bad.  Options that Android's
 * framework writes but that have no effect here (--locale, --reason,
 * --security, --send_intent) are accepted.  --retry_count=N counts the runs
 * of this command that were interrupted (recovery writes it into the
 * bootloader message; it only goes to the log). */
int recovery_args_apply(recovery_args *args, const char *arg, ota_error *err);

/* Non-zero when arg is an option that decides what recovery trusts or
 * where things are (--keys, --fstab): such options are honoured only from
 * recovery's own command line (the image's init), never from the command
 * file or the bootloader message, which the main system writes. */
int recovery_args_is_trust_option(const char *arg);

/* Non-zero when args ask for something to be done (install, wipe, or an
 * explicit --just_exit); without one, recovery looks for a command in the
 * persistent sources. */
int recovery_args_has_action(const recovery_args *args);

/* The arguments worth persisting in the bootloader message so that an
 * interrupted run repeats: the actions and the options they depend on, one
 * "--name[=value]" per line after "recovery\n".  The trust options are not
 * among them: a resumed run takes them from its own command line again.  Returns the length written,
 * or -1 (OTA_ERR_LIMIT) when they do not fit in outsz bytes (including the
 * NUL). */
int recovery_args_to_bcb_text(const recovery_args *args, char *out, size_t outsz,
                              ota_error *err);

const char *recovery_args_fstab(const recovery_args *args);
const char *recovery_args_keys(const recovery_args *args);

void recovery_args_free(recovery_args *args);

#endif
