#include "bootctl/bootctl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bootctl/cmdline.h"

static const bootctl_ops *const backends[] = {
    &bootctl_android_ops,
    &bootctl_uboot_ops,
    &bootctl_grub_ops,
    &bootctl_script_ops,
};

const bootctl_ops *bootctl_backend(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (!strcmp(backends[i]->name, name))
            return backends[i];
    return NULL;
}

void bootctl_use_config_names(bootctl *bc)
{
    static const char *const defaults[] = {"A", "B"};
    if (bc->cfg.slot_count == 0) {
        bc->slot_count = 2;
        for (unsigned i = 0; i < 2; i++)
            snprintf(bc->names[i], sizeof bc->names[i], "%s", defaults[i]);
        return;
    }
    bc->slot_count = bc->cfg.slot_count;
    memcpy(bc->names, bc->cfg.slot_names, sizeof bc->names);
}

/* Suffixes follow the names, as Android's follow a b c d. */
static void make_suffixes(bootctl *bc)
{
    for (unsigned i = 0; i < bc->slot_count; i++) {
        char *s = bc->suffixes[i];
        s[0] = '_';
        size_t n = 0;
        for (; bc->names[i][n]; n++)
            s[n + 1] = (char)tolower((unsigned char)bc->names[i][n]);
        s[n + 1] = '\0';
    }
}

bootctl *bootctl_open(const bootctl_config *cfg, ota_error *err)
{
    const bootctl_ops *ops = bootctl_backend(cfg->backend);
    if (!ops) {
        ota_error_set(err, OTA_ERR_ARGS,
                      "unknown boot control backend \"%s\" (android, uboot, grub or script)",
                      cfg->backend);
        return NULL;
    }
    if (!cfg->storage[0]) {
        ota_error_set(err, OTA_ERR_ARGS, "the %s backend needs its storage (storage= or --storage)",
                      ops->name);
        return NULL;
    }
    bootctl *bc = calloc(1, sizeof *bc);
    if (!bc) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory opening boot control");
        return NULL;
    }
    bc->ops = ops;
    bc->cfg = *cfg;
    bc->current = -2;
    if (ops->open(bc, err) < 0) {
        free(bc);
        return NULL;
    }
    make_suffixes(bc);
    return bc;
}

void bootctl_close(bootctl *bc)
{
    if (!bc)
        return;
    bc->ops->close(bc);
    free(bc);
}

unsigned bootctl_number_slots(const bootctl *bc)
{
    return bc->slot_count;
}

const char *bootctl_suffix(const bootctl *bc, unsigned slot)
{
    return slot < bc->slot_count ? bc->suffixes[slot] : NULL;
}

const char *bootctl_slot_name(const bootctl *bc, unsigned slot)
{
    return slot < bc->slot_count ? bc->names[slot] : NULL;
}

int bootctl_parse_slot(const bootctl *bc, const char *text, ota_error *err)
{
    if (*text >= '0' && *text <= '9') {
        char *end;
        unsigned long n = strtoul(text, &end, 10);
        if (*end == '\0' && n < bc->slot_count)
            return (int)n;
    }
    for (unsigned i = 0; i < bc->slot_count; i++)
        if (!strcasecmp(text, bc->names[i]) || !strcasecmp(text, bc->suffixes[i]))
            return (int)i;
    return ota_error_set(err, OTA_ERR_ARGS, "no slot \"%s\" on this device (%u slots: 0 to %u)",
                         text, bc->slot_count, bc->slot_count ? bc->slot_count - 1 : 0);
}

static int find_current(bootctl *bc, ota_error *err)
{
    if (bc->cfg.current[0]) {
        snprintf(bc->current_from, sizeof bc->current_from, "given");
        int slot = bootctl_parse_slot(bc, bc->cfg.current, err);
        if (slot < 0)
            ota_error_prefix(err, "the running slot given for this run");
        return slot;
    }
    char key[64], value[BOOTCTL_NAME_MAX];
    int found = bootctl_cmdline_slot(bc->cfg.cmdline, key, sizeof key, value, sizeof value, err);
    if (found < 0)
        return -1;
    if (found > 0) {
        snprintf(bc->current_from, sizeof bc->current_from, "kernel command line %.40s", key);
        int slot = bootctl_parse_slot(bc, value, err);
        if (slot < 0)
            ota_error_prefix(err, "%s=%s on the kernel command line (%s)", key, value,
                             bc->cfg.cmdline);
        return slot;
    }
    char why[OTA_ERROR_MAX / 2] = "";
    if (bc->ops->current_slot) {
        ota_error own;
        int slot = bc->ops->current_slot(bc, &own);
        if (slot >= 0) {
            snprintf(bc->current_from, sizeof bc->current_from, "%s backend", bc->ops->name);
            return slot;
        }
        if (own.code != OTA_ERR_NOTFOUND) {
            if (err)
                *err = own;
            return -1;
        }
        snprintf(why, sizeof why, "; %s backend: %.400s", bc->ops->name, own.message);
    }
    return ota_error_set(err, OTA_ERR_NOTFOUND,
                         "cannot tell the running slot: %s has no androidboot.slot_suffix=, "
                         "androidboot.slot= or rauc.slot=%s (on a host, give --current-slot=SLOT "
                         "or BOOTCTL_CURRENT_SLOT)",
                         bc->cfg.cmdline, why);
}

int bootctl_current_slot(bootctl *bc, ota_error *err)
{
    if (bc->current == -2) {
        ota_error mine;
        bc->current = find_current(bc, &mine);
        if (bc->current < 0) {
            bc->current = -1;
            if (err)
                *err = mine;
            return -1;
        }
    }
    if (bc->current < 0)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "cannot tell the running slot");
    return bc->current;
}

static int check_slot(const bootctl *bc, unsigned slot, ota_error *err)
{
    if (slot >= bc->slot_count)
        return ota_error_set(err, OTA_ERR_ARGS, "no slot %u on this device (%u slots)", slot,
                             bc->slot_count);
    return 0;
}

int bootctl_mark_boot_successful(bootctl *bc, ota_error *err)
{
    int slot = bootctl_current_slot(bc, err);
    if (slot < 0)
        return -1;
    return bc->ops->mark_boot_successful(bc, (unsigned)slot, err);
}

int bootctl_set_active_boot_slot(bootctl *bc, unsigned slot, ota_error *err)
{
    if (check_slot(bc, slot, err) < 0)
        return -1;
    return bc->ops->set_active_boot_slot(bc, slot, err);
}

int bootctl_set_slot_as_unbootable(bootctl *bc, unsigned slot, ota_error *err)
{
    if (check_slot(bc, slot, err) < 0)
        return -1;
    return bc->ops->set_slot_as_unbootable(bc, slot, err);
}

int bootctl_is_slot_bootable(bootctl *bc, unsigned slot, ota_error *err)
{
    if (check_slot(bc, slot, err) < 0)
        return -1;
    return bc->ops->is_slot_bootable(bc, slot, err);
}

int bootctl_is_slot_marked_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    if (check_slot(bc, slot, err) < 0)
        return -1;
    return bc->ops->is_slot_marked_successful(bc, slot, err);
}

int bootctl_active_slot(bootctl *bc, ota_error *err)
{
    return bc->ops->active_slot(bc, err);
}

int bootctl_get_status(bootctl *bc, bootctl_status *st, ota_error *err)
{
    memset(st, 0, sizeof *st);
    st->slot_count = bc->slot_count;
    st->current = bootctl_current_slot(bc, NULL);
    st->active = bc->ops->active_slot(bc, err);
    if (st->active < 0)
        return -1;
    for (unsigned i = 0; i < bc->slot_count; i++) {
        bootctl_slot_status *s = &st->slots[i];
        if ((s->bootable = bc->ops->is_slot_bootable(bc, i, err)) < 0 ||
            (s->successful = bc->ops->is_slot_marked_successful(bc, i, err)) < 0 ||
            bc->ops->tries_left(bc, i, &s->tries_left, err) < 0)
            return -1;
        s->active = (int)i == st->active;
    }
    if (st->current >= 0 && st->active != st->current) {
        st->switch_pending = st->slots[st->active].bootable;
        st->rolled_back = !st->slots[st->active].bootable;
    }
    return 0;
}
