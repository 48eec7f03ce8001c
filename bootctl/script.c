/* The script backend: for boards whose bootloader keeps its state where no
 * other backend looks, the device maker's executable (storage=) answers,
 * with the command set of RAUC's custom backend:
 *   SCRIPT get-primary            prints the bootname of the slot set active
 *   SCRIPT set-primary NAME       makes NAME the slot to try next boots
 *   SCRIPT get-state NAME         prints good or bad
 *   SCRIPT set-state NAME good|bad
 *   SCRIPT get-current            prints the running slot's bootname
 * Exit 0 on success.  Each call may take script.timeout seconds (10); a
 * script that hangs is killed with what it started, and the operation
 * fails.  Android's operations map as:
 *   mark successful  set-state CURRENT good      set active  set-primary NAME
 *   unbootable       set-state NAME bad          bootable, successful  get-state = good
 *   active           get-primary                 tries left  unknown
 * The protocol has no "being tried" state, so a slot set active but not
 * yet booted reads as successful when the script says good. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootctl/bootctl.h"
#include "otautil/spawn.h"

typedef struct first_line {
    char text[256];
    int seen;
} first_line;

static void keep_first(void *ctx, const char *line)
{
    first_line *f = ctx;
    if (!f->seen) {
        snprintf(f->text, sizeof f->text, "%s", line);
        f->text[strcspn(f->text, "\r\n")] = '\0';
        f->seen = 1;
    }
}

/* Runs the script with the command (and its arguments); the first line it
 * prints goes to out when out is not NULL. */
static int run(bootctl *bc, const char *cmd, const char *arg1, const char *arg2, char *out,
               size_t outsz, ota_error *err)
{
    char *argv[] = {bc->cfg.storage, (char *)cmd, (char *)arg1, (char *)arg2, NULL};
    ota_spawn_opts opts = {.out = OTA_SPAWN_PIPE, .err = OTA_SPAWN_INHERIT, .own_group = 1};
    first_line first = {{0}, 0};
    int status;
    if (ota_run(argv, &opts, bc->cfg.script_timeout_ms, keep_first, &first, &status, err) < 0) {
        ota_error_prefix(err, "boot control script, %s", cmd);
        return -1;
    }
    if (ota_exit_code(status) != 0) {
        char how[128];
        ota_describe_exit(status, how, sizeof how);
        return ota_error_set(err, OTA_ERR_IO, "boot control script %s %s%s%s%s%s %s",
                             bc->cfg.storage, cmd, arg1 ? " " : "", arg1 ? arg1 : "",
                             arg2 ? " " : "", arg2 ? arg2 : "", how);
    }
    if (out) {
        if (!first.seen || !first.text[0])
            return ota_error_set(err, OTA_ERR_FORMAT, "boot control script %s %s printed nothing",
                                 bc->cfg.storage, cmd);
        snprintf(out, outsz, "%s", first.text);
    }
    return 0;
}

static int named_slot(bootctl *bc, const char *cmd, const char *name, ota_error *err)
{
    for (unsigned i = 0; i < bc->slot_count; i++)
        if (!strcmp(bc->names[i], name))
            return (int)i;
    return ota_error_set(err, OTA_ERR_FORMAT,
                         "boot control script %s %s printed \"%s\", which is none of the slots",
                         bc->cfg.storage, cmd, name);
}

static int script_open(bootctl *bc, ota_error *err)
{
    struct stat sb;
    if (stat(bc->cfg.storage, &sb) < 0)
        return ota_error_errno(err, "boot control script %s", bc->cfg.storage);
    if (!S_ISREG(sb.st_mode) || access(bc->cfg.storage, X_OK) < 0)
        return ota_error_set(err, OTA_ERR_ARGS, "boot control script %s is not an executable file",
                             bc->cfg.storage);
    bootctl_use_config_names(bc);
    return 0;
}

static void script_close(bootctl *bc)
{
    (void)bc;
}

static int script_current_slot(bootctl *bc, ota_error *err)
{
    char name[256];
    if (run(bc, "get-current", NULL, NULL, name, sizeof name, err) < 0) {
        /* Not every script answers it: the command line may have to. */
        if (err)
            err->code = OTA_ERR_NOTFOUND;
        return -1;
    }
    return named_slot(bc, "get-current", name, err);
}

static int script_mark_boot_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    return run(bc, "set-state", bc->names[slot], "good", NULL, 0, err);
}

static int script_set_active_boot_slot(bootctl *bc, unsigned slot, ota_error *err)
{
    return run(bc, "set-primary", bc->names[slot], NULL, NULL, 0, err);
}

static int script_set_slot_as_unbootable(bootctl *bc, unsigned slot, ota_error *err)
{
    return run(bc, "set-state", bc->names[slot], "bad", NULL, 0, err);
}

static int script_is_good(bootctl *bc, unsigned slot, ota_error *err)
{
    char state[256];
    if (run(bc, "get-state", bc->names[slot], NULL, state, sizeof state, err) < 0)
        return -1;
    if (!strcmp(state, "good"))
        return 1;
    if (!strcmp(state, "bad"))
        return 0;
    return ota_error_set(err, OTA_ERR_FORMAT,
                         "boot control script %s get-state %s printed \"%s\", not good or bad",
                         bc->cfg.storage, bc->names[slot], state);
}

static int script_tries_left(bootctl *bc, unsigned slot, int *tries, ota_error *err)
{
    (void)bc, (void)slot, (void)err;
    *tries = -1;
    return 0;
}

static int script_active_slot(bootctl *bc, ota_error *err)
{
    char name[256];
    if (run(bc, "get-primary", NULL, NULL, name, sizeof name, err) < 0)
        return -1;
    return named_slot(bc, "get-primary", name, err);
}

const bootctl_ops bootctl_script_ops = {
    .name = "script",
    .default_storage = NULL,
    .open = script_open,
    .close = script_close,
    .current_slot = script_current_slot,
    .mark_boot_successful = script_mark_boot_successful,
    .set_active_boot_slot = script_set_active_boot_slot,
    .set_slot_as_unbootable = script_set_slot_as_unbootable,
    .is_slot_bootable = script_is_good,
    .is_slot_marked_successful = script_is_good,
    .tries_left = script_tries_left,
    .active_slot = script_active_slot,
};
