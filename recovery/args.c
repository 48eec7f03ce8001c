#include "recovery/args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/bootloader.h"

/* If arg is "--NAME=VALUE" returns VALUE, if it is "--NAME" returns "" when
 * allowed, else NULL. */
static const char *option_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, n) != 0)
        return NULL;
    const char *rest = arg + 2 + n;
    if (*rest == '=')
        return rest + 1;
    if (*rest == '\0')
        return "";
    return NULL;
}

static int is_flag(const char *arg, const char *name)
{
    return strncmp(arg, "--", 2) == 0 && strcmp(arg + 2, name) == 0;
}

static int set_string(char **slot, const char *arg, const char *value, int absolute,
                      ota_error *err)
{
    if (!value[0])
        return ota_error_set(err, OTA_ERR_ARGS, "%s: needs a value (%s=PATH)", arg, arg);
    /* Values go into the line-based command file and bootloader message: a
     * newline would smuggle in another argument, and a trailing space would
     * be stripped on the way back, naming another file. */
    if (ota_bcb_check_line(value, arg, err) < 0)
        return -1;
    if (absolute && value[0] != '/')
        return ota_error_set(err, OTA_ERR_ARGS, "%s: '%s' is not an absolute path",
                             arg, value);
    char *copy = strdup(value);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for %s", arg);
    free(*slot);
    *slot = copy;
    return 0;
}

int recovery_args_apply(recovery_args *args, const char *arg, ota_error *err)
{
    static const char *const flags_without_effect[] = { "security", NULL };
    static const char *const values_without_effect[] = { "send_intent", NULL };
    const char *v;

    if ((v = option_value(arg, "update_package")))
        return set_string(&args->update_package, "--update_package", v, 1, err);
    if ((v = option_value(arg, "fstab")))
        return set_string(&args->fstab_path, "--fstab", v, 0, err);
    if ((v = option_value(arg, "keys")))
        return set_string(&args->keys_path, "--keys", v, 0, err);
    if ((v = option_value(arg, "locale")))
        return set_string(&args->locale, "--locale", v, 0, err);
    if ((v = option_value(arg, "reason")))
        return set_string(&args->reason, "--reason", v, 0, err);
    if ((v = option_value(arg, "retry_count"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (!v[0] || *end || n < 0 || n > 1000000)
            return ota_error_set(err, OTA_ERR_ARGS, "--retry_count: '%s' is not a count", v);
        args->retry_count = (int)n;
        return 0;
    }
    if (is_flag(arg, "wipe_data")) {
        args->wipe_data = 1;
        return 0;
    }
    if (is_flag(arg, "wipe_cache")) {
        args->wipe_cache = 1;
        return 0;
    }
    if (is_flag(arg, "just_exit")) {
        args->just_exit = 1;
        return 0;
    }
    if (is_flag(arg, "show_text")) {
        args->show_text = 1;
        return 0;
    }
    if (is_flag(arg, "help") || strcmp(arg, "-h") == 0) {
        args->help = 1;
        return 0;
    }
    for (int i = 0; flags_without_effect[i]; i++)
        if (is_flag(arg, flags_without_effect[i]))
            return 0;
    for (int i = 0; values_without_effect[i]; i++)
        if ((v = option_value(arg, values_without_effect[i])) && v[0])
            return 0;
    return ota_error_set(err, OTA_ERR_ARGS, "unknown argument '%s'", arg);
}

int recovery_args_is_trust_option(const char *arg)
{
    return option_value(arg, "keys") != NULL || option_value(arg, "fstab") != NULL;
}

int recovery_args_has_action(const recovery_args *args)
{
    return args->update_package || args->wipe_data || args->wipe_cache || args->just_exit;
}

const char *recovery_args_fstab(const recovery_args *args)
{
    return args->fstab_path ? args->fstab_path : RECOVERY_DEFAULT_FSTAB;
}

const char *recovery_args_keys(const recovery_args *args)
{
    return args->keys_path ? args->keys_path : RECOVERY_DEFAULT_KEYS;
}

/* Appends "LINE\n"; returns -1 when it would not fit. */
static int append_line(char *out, size_t outsz, size_t *used, const char *a, const char *b)
{
    int n = snprintf(out + *used, outsz - *used, "%s%s\n", a, b ? b : "");
    if (n < 0 || (size_t)n >= outsz - *used)
        return -1;
    *used += (size_t)n;
    return 0;
}

int recovery_args_to_bcb_text(const recovery_args *args, char *out, size_t outsz,
                              ota_error *err)
{
    size_t used = 0;
    if (outsz == 0)
        return ota_error_set(err, OTA_ERR_LIMIT, "no room for the recovery arguments");
    out[0] = '\0';
    int bad = append_line(out, outsz, &used, "recovery", NULL);
    if (args->update_package)
        bad |= append_line(out, outsz, &used, "--update_package=", args->update_package);
    if (args->wipe_data)
        bad |= append_line(out, outsz, &used, "--wipe_data", NULL);
    if (args->wipe_cache)
        bad |= append_line(out, outsz, &used, "--wipe_cache", NULL);
    if (args->locale)
        bad |= append_line(out, outsz, &used, "--locale=", args->locale);
    if (args->retry_count > 0) {
        char count[16];
        snprintf(count, sizeof count, "%d", args->retry_count);
        bad |= append_line(out, outsz, &used, "--retry_count=", count);
    }
    if (bad)
        return ota_error_set(err, OTA_ERR_LIMIT,
                             "recovery arguments do not fit in the %zu-byte bootloader field",
                             outsz - 1);
    return (int)used;
}

void recovery_args_free(recovery_args *args)
{
    free(args->update_package);
    free(args->fstab_path);
    free(args->keys_path);
    free(args->locale);
    free(args->reason);
    memset(args, 0, sizeof *args);
}
