/* The grub backend: GRUB's environment block with the variables of RAUC's
 * GRUB integration, so that RAUC's grub.cfg (and ours, scripts/ab-disk/
 * grub.cfg) choose the slot:
 *   ORDER="A B"   the slots to try, first to last
 *   A_OK=1        the slot may be booted
 *   A_TRY=1       GRUB set it before booting the slot: that one try is used
 *                 up until the booted system marks the slot good (A_TRY=0)
 * GRUB's script has no arithmetic, so a slot gets one try per activation.
 * Android's interface distinguishes "marked successful" from "about to be
 * tried", which these cannot: A_SUCCESSFUL=1 is ours (GRUB ignores it).
 *   mark successful  A_OK=1 A_TRY=0 A_SUCCESSFUL=1 (RAUC's mark-good)
 *   set active       A_OK=1 A_TRY=0, A first in ORDER (RAUC's set-primary)
 *   unbootable       A_OK=0 A_TRY=0, no A_SUCCESSFUL (RAUC's mark-bad)
 *   bootable         A in ORDER, A_OK=1, and A_TRY=0 unless A is running
 *   successful       bootable and A_SUCCESSFUL=1
 *   active           the first slot in ORDER
 * Unset variables read as grub.cfg sets them before load_env: ORDER the
 * configured slots, _OK and _TRY 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootctl/bootctl.h"
#include "bootctl/grubenv.h"
#include "bootctl/order.h"

static grubenv *env_of(bootctl *bc)
{
    return bc->state;
}

static int grub_open(bootctl *bc, ota_error *err)
{
    grubenv *env = calloc(1, sizeof *env);
    if (!env)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (grubenv_load(env, bc->cfg.storage, err) < 0) {
        grubenv_free(env);
        free(env);
        return -1;
    }
    bc->state = env;
    bootctl_use_config_names(bc);
    return 0;
}

static void grub_close(bootctl *bc)
{
    if (bc->state)
        grubenv_free(env_of(bc));
    free(bc->state);
    bc->state = NULL;
}

/* NAME_KIND as a number (RAUC reads them with strtoull base 0); unset 0. */
static unsigned long flag(bootctl *bc, unsigned slot, const char *kind)
{
    char var[BOOTCTL_NAME_MAX + 16];
    snprintf(var, sizeof var, "%s_%s", bc->names[slot], kind);
    const char *v = grubenv_get(env_of(bc), var);
    return v ? strtoul(v, NULL, 0) : 0;
}

static int set_flag(bootctl *bc, unsigned slot, const char *kind, const char *value,
                    ota_error *err)
{
    char var[BOOTCTL_NAME_MAX + 16];
    snprintf(var, sizeof var, "%s_%s", bc->names[slot], kind);
    return grubenv_set(env_of(bc), var, value, err);
}

static int order(bootctl *bc, char *out, ota_error *err)
{
    const char *v = grubenv_get(env_of(bc), "ORDER");
    if (v) {
        if (snprintf(out, BOOT_ORDER_MAX, "%s", v) >= BOOT_ORDER_MAX)
            return ota_error_set(err, OTA_ERR_LIMIT, "ORDER in %s is too long", bc->cfg.storage);
        return 0;
    }
    return boot_order_join(bc->names, bc->slot_count, out, BOOT_ORDER_MAX, err);
}

static int save(bootctl *bc, ota_error *err)
{
    return grubenv_save(env_of(bc), bc->cfg.storage, err);
}

static int grub_mark_boot_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX], next[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    if (!boot_order_contains(now, bc->names[slot]) &&
        (boot_order_append(now, bc->names[slot], next, sizeof next, err) < 0 ||
         grubenv_set(env_of(bc), "ORDER", next, err) < 0))
        return -1;
    if (set_flag(bc, slot, "OK", "1", err) < 0 || set_flag(bc, slot, "TRY", "0", err) < 0 ||
        set_flag(bc, slot, "SUCCESSFUL", "1", err) < 0)
        return -1;
    return save(bc, err);
}

static int grub_set_active_boot_slot(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX], next[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0 || boot_order_to_front(now, bc->names[slot], next, sizeof next, err) < 0)
        return -1;
    if (set_flag(bc, slot, "OK", "1", err) < 0 || set_flag(bc, slot, "TRY", "0", err) < 0 ||
        grubenv_set(env_of(bc), "ORDER", next, err) < 0)
        return -1;
    return save(bc, err);
}

static int grub_set_slot_as_unbootable(bootctl *bc, unsigned slot, ota_error *err)
{
    if (set_flag(bc, slot, "OK", "0", err) < 0 || set_flag(bc, slot, "TRY", "0", err) < 0 ||
        set_flag(bc, slot, "SUCCESSFUL", NULL, err) < 0)
        return -1;
    return save(bc, err);
}

static int grub_is_slot_bootable(bootctl *bc, unsigned slot, ota_error *err)
{
    char now[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    if (!boot_order_contains(now, bc->names[slot]) || flag(bc, slot, "OK") != 1)
        return 0;
    return flag(bc, slot, "TRY") == 0 || bootctl_current_slot(bc, NULL) == (int)slot;
}

static int grub_is_slot_marked_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    int bootable = grub_is_slot_bootable(bc, slot, err);
    if (bootable <= 0)
        return bootable;
    return flag(bc, slot, "SUCCESSFUL") == 1;
}

static int grub_tries_left(bootctl *bc, unsigned slot, int *tries, ota_error *err)
{
    char now[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    *tries = boot_order_contains(now, bc->names[slot]) && flag(bc, slot, "OK") == 1 &&
             flag(bc, slot, "TRY") == 0;
    return 0;
}

static int grub_active_slot(bootctl *bc, ota_error *err)
{
    char now[BOOT_ORDER_MAX];
    if (order(bc, now, err) < 0)
        return -1;
    int slot = boot_order_first_of(now, bc->names, bc->slot_count);
    if (slot >= 0)
        return slot;
    return ota_error_set(err, OTA_ERR_FORMAT, "ORDER=\"%s\" in %s names none of the slots", now,
                         bc->cfg.storage);
}

const bootctl_ops bootctl_grub_ops = {
    .name = "grub",
    .default_storage = "/boot/grub/grubenv",
    .open = grub_open,
    .close = grub_close,
    .current_slot = NULL,
    .mark_boot_successful = grub_mark_boot_successful,
    .set_active_boot_slot = grub_set_active_boot_slot,
    .set_slot_as_unbootable = grub_set_slot_as_unbootable,
    .is_slot_bootable = grub_is_slot_bootable,
    .is_slot_marked_successful = grub_is_slot_marked_successful,
    .tries_left = grub_tries_left,
    .active_slot = grub_active_slot,
};
