/* The uboot backend: U-Boot's environment through libubootenv (storage is
 * its fw_env.config, which names the device, offset and size), with the
 * variables of RAUC's U-Boot integration, so that RAUC's boot script (and
 * the one in docs/bootctl.md) chooses the slot:
 *   BOOT_ORDER="A B"   the slots to try, first to last
 *   BOOT_A_LEFT=3      boots left; the boot script takes one off (setexpr,
 *                      hexadecimal) each time it boots the slot, and skips
 *                      the slot at 0
 * Android's interface distinguishes "marked successful" from "being tried",
 * which these cannot: BOOT_A_SUCCESSFUL=1 is ours (the script ignores it).
 *   mark successful  BOOT_A_LEFT=tries, BOOT_A_SUCCESSFUL=1 (RAUC's mark-good;
 *                    A is added to BOOT_ORDER if it was taken out)
 *   set active       A first in BOOT_ORDER, BOOT_A_LEFT=tries (set-primary)
 *   unbootable       A out of BOOT_ORDER, BOOT_A_LEFT=0, no BOOT_A_SUCCESSFUL
 *                    (RAUC's mark-bad)
 *   bootable         A in BOOT_ORDER with BOOT_A_LEFT > 0
 *   successful       bootable and BOOT_A_SUCCESSFUL=1
 *   active           the first slot in BOOT_ORDER
 * tries is 3 (RAUC's default) unless the config says otherwise.  Unset or
 * empty variables read as the boot script sets them: BOOT_ORDER the
 * configured slots, BOOT_x_LEFT tries.  Values are written in hexadecimal,
 * as U-Boot's setexpr and RAUC write them. */
#include <stddef.h> /* before libuboot.h, which uses size_t without it */

#include <libuboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootctl/bootctl.h"
#include "bootctl/order.h"

#define DEFAULT_TRIES 3

static struct uboot_ctx *ctx_of(bootctl *bc)
{
    return bc->state;
}

static int uboot_open(bootctl *bc, ota_error *err)
{
    struct uboot_ctx *ctx = NULL;
    if (libuboot_initialize(&ctx, NULL) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "cannot start libubootenv");
    int rc = libuboot_read_config(ctx, bc->cfg.storage);
    if (rc < 0) {
        libuboot_exit(ctx);
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "cannot use U-Boot environment config %s (a missing file, or not "
                             "\"DEVICE OFFSET SIZE\" lines): %s",
                             bc->cfg.storage, strerror(-rc));
    }
    if (libuboot_open(ctx) < 0) {
        /* Blank or damaged: U-Boot itself would boot with its built-in
         * default environment, which only the board knows. */
        if (!bc->cfg.uboot_defaults[0] || libuboot_load_file(ctx, bc->cfg.uboot_defaults) < 0) {
            libuboot_exit(ctx);
            if (!bc->cfg.uboot_defaults[0])
                return ota_error_set(err, OTA_ERR_FORMAT,
                                     "the U-Boot environment named in %s is blank or damaged (bad "
                                     "CRC); give the board's default environment "
                                     "(uboot.defaults= in bootctl.conf) to start from",
                                     bc->cfg.storage);
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "the U-Boot environment named in %s is blank or damaged, and "
                                 "the default environment %s cannot be read",
                                 bc->cfg.storage, bc->cfg.uboot_defaults);
        }
    }
    bc->state = ctx;
    bootctl_use_config_names(bc);
    return 0;
}

static void uboot_close(bootctl *bc)
{
    if (bc->state) {
        libuboot_close(ctx_of(bc));
        libuboot_exit(ctx_of(bc));
    }
    bc->state = NULL;
}

static unsigned tries(const bootctl *bc)
{
    return bc->cfg.tries ? (unsigned)bc->cfg.tries : DEFAULT_TRIES;
}

static void var_name(const bootctl *bc, unsigned slot, const char *kind, char *out, size_t outsz)
{
    snprintf(out, outsz, "BOOT_%s_%s", bc->names[slot], kind);
}

static int order(bootctl *bc, char *out, ota_error *err)
{
    char *v = libuboot_get_env(ctx_of(bc), "BOOT_ORDER");
    int rc = 0;
    if (v && *v) {
        if (snprintf(out, BOOT_ORDER_MAX, "%s", v) >= BOOT_ORDER_MAX)
            rc = ota_error_set(err, OTA_ERR_LIMIT, "BOOT_ORDER is too long");
    } else {
        rc = boot_order_join(bc->names, bc->slot_count, out, BOOT_ORDER_MAX, err);
    }
    free(v);
    return rc;
}

static unsigned long left(bootctl *bc, unsigned slot)
{
    char var[BOOTCTL_NAME_MAX + 16];
    var_name(bc, slot, "LEFT", var, sizeof var);
    char *v = libuboot_get_env(ctx_of(bc), var);
    unsigned long n = v && *v ? strtoul(v, NULL, 16) : tries(bc);
    free(v);
    return n;
}

static int successful_flag(bootctl *bc, unsigned slot)
{
    char var[BOOTCTL_NAME_MAX + 16];
    var_name(bc, slot, "SUCCESSFUL", var, sizeof var);
    char *v = libuboot_get_env(ctx_of(bc), var);
    int yes = v && !strcmp(v, "1");
    free(v);
    return yes;
}

static int set(bootctl *bc, const char *var, const char *value, ota_error *err)
{
    if (libuboot_set_env(ctx_of(bc), var, value) < 0)
        return ota_error_set(err, OTA_ERR_ARGS, "cannot set U-Boot variable %s", var);
    return 0;
}

static int set_slot(bootctl *bc, unsigned slot, const char *kind, const char *value,
                    ota_error *err)
{
    char var[BOOTCTL_NAME_MAX + 16];
    var_name(bc, slot, kind, var, sizeof var);
    return set(bc, var, value, err);
}

static int store(bootctl *bc, ota_error *err)
{
    if (libuboot_env_store(ctx_of(bc)) < 0)
        return ota_error_set(err, OTA_ERR_IO, "cannot write the U-Boot environment named in %s",
                             bc->cfg.storage);
    return 0;
}

static int uboot_mark_boot_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX], next[BOOT_ORDER_MAX], n[16];
    if (order(bc, now, err) < 0)
        return -1;
    if (!boot_order_contains(now, bc->names[slot]) &&
        (boot_order_append(now, bc->names[slot], next, sizeof next, err) < 0 ||
         set(bc, "BOOT_ORDER", next, err) < 0))
        return -1;
    snprintf(n, sizeof n, "%x", tries(bc));
    if (set_slot(bc, slot, "LEFT", n, err) < 0 || set_slot(bc, slot, "SUCCESSFUL", "1", err) < 0)
        return -1;
    return store(bc, err);
}

static int uboot_set_active_boot_slot(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX], next[BOOT_ORDER_MAX], n[16];
    if (order(bc, now, err) < 0 ||
        boot_order_to_front(now, bc->names[slot], next, sizeof next, err) < 0)
        return -1;
    snprintf(n, sizeof n, "%x", tries(bc));
    if (set_slot(bc, slot, "LEFT", n, err) < 0 || set(bc, "BOOT_ORDER", next, err) < 0)
        return -1;
    return store(bc, err);
}

static int uboot_set_slot_as_unbootable(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX], next[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0 || boot_order_remove(now, bc->names[slot], next, sizeof next, err) < 0)
        return -1;
    if (set(bc, "BOOT_ORDER", next, err) < 0 || set_slot(bc, slot, "LEFT", "0", err) < 0 ||
        set_slot(bc, slot, "SUCCESSFUL", NULL, err) < 0)
        return -1;
    return store(bc, err);
}

static int uboot_is_slot_bootable(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    return boot_order_contains(now, bc->names[slot]) && left(bc, slot) > 0;
}

static int uboot_is_slot_marked_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    int bootable = uboot_is_slot_bootable(bc, slot, err);
    if (bootable <= 0)
        return bootable;
    return successful_flag(bc, slot);
}

static int uboot_tries_left(bootctl *bc, unsigned slot, int *out, ota_error *err)
{
    char now[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    unsigned long n = boot_order_contains(now, bc->names[slot]) ? left(bc, slot) : 0;
    *out = n > 255 ? 255 : (int)n;
    return 0;
}

static int uboot_active_slot(bootctl *bc, ota_error *err)
{
    char now[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    int slot = boot_order_first_of(now, bc->names, bc->slot_count);
    if (slot < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "BOOT_ORDER=\"%s\" names none of the slots", now);
    return slot;
}

const bootctl_ops bootctl_uboot_ops = {
    .name = "uboot",
    .default_storage = "/etc/fw_env.config",
    .open = uboot_open,
    .close = uboot_close,
    .current_slot = NULL,
    .mark_boot_successful = uboot_mark_boot_successful,
    .set_active_boot_slot = uboot_set_active_boot_slot,
    .set_slot_as_unbootable = uboot_set_slot_as_unbootable,
    .is_slot_bootable = uboot_is_slot_bootable,
    .is_slot_marked_successful = uboot_is_slot_marked_successful,
    .tries_left = uboot_tries_left,
    .active_slot = uboot_active_slot,
};
