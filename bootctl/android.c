/* The android backend: AOSP's bootloader_control on misc, with the rules of
 * AOSP's libboot_control (the default boot_control HAL), so that Android
 * bootloaders and U-Boot's ab_select read what we write:
 *   set active:  the slot gets priority 15 and tries_remaining 6 (AOSP's
 *                kActiveTries; `tries=` changes it), every other slot at 15
 *                drops to 14; successful_boot is left alone (set-unbootable
 *                clears it); verity_corrupted is cleared unless it is the
 *                running slot;
 *   unbootable:  successful_boot 0, tries_remaining 0 (priority kept);
 *   successful:  successful_boot 1, tries_remaining 1 (a slot with no tries
 *                left is not bootable, even when successful);
 *   bootable:    tries_remaining != 0; marked successful: successful_boot
 *                and tries_remaining != 0;
 *   active:      the slot of highest priority, the running one on a tie.
 * A block whose CRC does not match is re-initialised as AOSP does: every
 * slot priority 7 and 7 tries, the running slot successful, nb_slot from the
 * boot_a, boot_b ... partitions next to misc (4 when they are not there).
 * Reads report that state without writing; the first change writes it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bootctl/ab_control.h"
#include "bootctl/bootctl.h"
#include "otautil/bootloader.h"

#define ACTIVE_PRIORITY 15
#define ACTIVE_TRIES 6  /* AOSP's kActiveTries */
#define INIT_PRIORITY 7
#define INIT_TRIES 7    /* AOSP's kDefaultBootAttempts */

typedef struct android_state {
    ab_control ab;
    int needs_init; /* the stored block is invalid: initialise before use */
} android_state;

static android_state *st(bootctl *bc)
{
    return bc->state;
}

/* AOSP counts the slots by the boot_<suffix> partitions beside misc: all of
 * boot_a .. boot_X and none after, else the most the block can hold. */
static unsigned probe_slots(const char *misc)
{
    const char *slash = strrchr(misc, '/');
    if (!slash)
        return AB_CONTROL_SLOTS;
    int last_existing = -1, first_missing = -1;
    for (int i = 0; i < AB_CONTROL_SLOTS; i++) {
        char path[BOOTCTL_PATH_MAX + 16];
        snprintf(path, sizeof path, "%.*sboot_%c", (int)(slash + 1 - misc), misc, 'a' + i);
        struct stat sb;
        if (stat(path, &sb) == 0)
            last_existing = i;
        else if (errno == ENOENT && first_missing == -1)
            first_missing = i;
    }
    if ((last_existing != -1 && last_existing + 1 == first_missing) ||
        (first_missing == -1 && last_existing + 1 == AB_CONTROL_SLOTS))
        return (unsigned)last_existing + 1;
    return AB_CONTROL_SLOTS;
}

static void set_names(bootctl *bc, unsigned count)
{
    bc->slot_count = count > AB_CONTROL_SLOTS ? AB_CONTROL_SLOTS : count;
    for (unsigned i = 0; i < bc->slot_count; i++)
        snprintf(bc->names[i], sizeof bc->names[i], "%c", 'a' + i);
}

static int android_open(bootctl *bc, ota_error *err)
{
    uint8_t raw[AB_CONTROL_SIZE];
    if (ota_misc_read(bc->cfg.storage, AB_CONTROL_OFFSET, raw, sizeof raw, "A/B metadata", err) < 0)
        return -1;
    if (bc->cfg.tries > 7)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "tries=%d does not fit bootloader_control's 3 bits (1 to 7)",
                             bc->cfg.tries);
    android_state *s = calloc(1, sizeof *s);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    ab_control_decode(raw, &s->ab);
    if (!ab_control_crc_ok(&s->ab)) {
        s->needs_init = 1;
        set_names(bc, probe_slots(bc->cfg.storage));
    } else if (s->ab.magic != AB_CONTROL_MAGIC) {
        /* Another A/B format with a valid CRC: writing ours would destroy it. */
        uint32_t magic = s->ab.magic;
        free(s);
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s holds A/B metadata of another format (magic 0x%08x, not "
                             "bootloader_control's 0x%08x); not touching it",
                             bc->cfg.storage, magic, AB_CONTROL_MAGIC);
    } else if (s->ab.version > AB_CONTROL_VERSION) {
        unsigned v = s->ab.version;
        free(s);
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "%s holds bootloader_control version %u; this bootctl knows %d",
                             bc->cfg.storage, v, AB_CONTROL_VERSION);
    } else {
        set_names(bc, s->ab.nb_slot);
    }
    bc->state = s;
    return 0;
}

static void android_close(bootctl *bc)
{
    free(bc->state);
    bc->state = NULL;
}

/* AOSP's InitDefaultBootloaderControl, on the block in memory. */
static void init_default(bootctl *bc)
{
    ab_control *ab = &st(bc)->ab;
    int current = bootctl_current_slot(bc, NULL);
    memset(ab->raw, 0, sizeof ab->raw);
    ab_control_decode(ab->raw, ab);
    if (current >= 0)
        snprintf(ab->slot_suffix, sizeof ab->slot_suffix, "%s", bootctl_suffix(bc, (unsigned)current));
    ab->magic = AB_CONTROL_MAGIC;
    ab->version = AB_CONTROL_VERSION;
    ab->nb_slot = bc->slot_count;
    for (unsigned i = 0; i < AB_CONTROL_SLOTS; i++) {
        ab_slot *slot = &ab->slot[i];
        if (i < ab->nb_slot) {
            slot->priority = INIT_PRIORITY;
            slot->tries_remaining = INIT_TRIES;
        }
        slot->successful_boot = current == (int)i;
    }
    ab->recovery_tries_remaining = 0;
    ab_control_encode(ab);
    st(bc)->needs_init = 0;
}

static ab_control *block(bootctl *bc)
{
    if (st(bc)->needs_init)
        init_default(bc);
    return &st(bc)->ab;
}

static int store(bootctl *bc, ota_error *err)
{
    ab_control *ab = block(bc);
    ab_control_encode(ab);
    return ota_misc_write(bc->cfg.storage, AB_CONTROL_OFFSET, ab->raw, sizeof ab->raw,
                          "A/B metadata", err);
}

/* The legacy slot_suffix field, which U-Boot's ab_select still fills in for
 * bootloaders that do not put androidboot.slot_suffix on the command line. */
static int android_current_slot(bootctl *bc, ota_error *err)
{
    if (!st(bc)->needs_init) {
        const ab_control *ab = &st(bc)->ab;
        for (unsigned i = 0; i < bc->slot_count; i++) {
            const char *suffix = bootctl_suffix(bc, i);
            if (suffix && !strncmp(ab->slot_suffix, suffix, sizeof ab->slot_suffix) &&
                strlen(suffix) < sizeof ab->slot_suffix)
                return (int)i;
        }
    }
    return ota_error_set(err, OTA_ERR_NOTFOUND, "the A/B metadata names no booted slot");
}

static int android_mark_boot_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    ab_slot *s = &block(bc)->slot[slot];
    s->successful_boot = 1;
    s->tries_remaining = 1;
    return store(bc, err);
}

static int android_set_active_boot_slot(bootctl *bc, unsigned slot, ota_error *err)
{
    ab_control *ab = block(bc);
    for (unsigned i = 0; i < bc->slot_count; i++)
        if (i != slot && ab->slot[i].priority >= ACTIVE_PRIORITY)
            ab->slot[i].priority = ACTIVE_PRIORITY - 1;
    ab->slot[slot].priority = ACTIVE_PRIORITY;
    ab->slot[slot].tries_remaining = bc->cfg.tries ? (unsigned)bc->cfg.tries : ACTIVE_TRIES;
    /* Setting the running slot active cancels a pending switch; its verity
     * state stays, a slot about to be tried starts clean. */
    if (bootctl_current_slot(bc, NULL) != (int)slot)
        ab->slot[slot].verity_corrupted = 0;
    return store(bc, err);
}

static int android_set_slot_as_unbootable(bootctl *bc, unsigned slot, ota_error *err)
{
    ab_slot *s = &block(bc)->slot[slot];
    s->successful_boot = 0;
    s->tries_remaining = 0;
    return store(bc, err);
}

static int android_is_slot_bootable(bootctl *bc, unsigned slot, ota_error *err)
{
    (void)err;
    return block(bc)->slot[slot].tries_remaining != 0;
}

static int android_is_slot_marked_successful(bootctl *bc, unsigned slot, ota_error *err)
{
    (void)err;
    const ab_slot *s = &block(bc)->slot[slot];
    return s->successful_boot && s->tries_remaining != 0;
}

static int android_tries_left(bootctl *bc, unsigned slot, int *tries, ota_error *err)
{
    (void)err;
    *tries = (int)block(bc)->slot[slot].tries_remaining;
    return 0;
}

static int android_active_slot(bootctl *bc, ota_error *err)
{
    const ab_control *ab = block(bc);
    if (bc->slot_count == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "the A/B metadata on %s counts no slots",
                             bc->cfg.storage);
    int current = bootctl_current_slot(bc, NULL);
    unsigned active = current >= 0 && (unsigned)current < bc->slot_count ? (unsigned)current : 0;
    for (unsigned i = 0; i < bc->slot_count; i++)
        if (ab->slot[i].priority > ab->slot[active].priority)
            active = i;
    return (int)active;
}

const bootctl_ops bootctl_android_ops = {
    .name = "android",
    .default_storage = "/dev/block/by-name/misc",
    .open = android_open,
    .close = android_close,
    .current_slot = android_current_slot,
    .mark_boot_successful = android_mark_boot_successful,
    .set_active_boot_slot = android_set_active_boot_slot,
    .set_slot_as_unbootable = android_set_slot_as_unbootable,
    .is_slot_bootable = android_is_slot_bootable,
    .is_slot_marked_successful = android_is_slot_marked_successful,
    .tries_left = android_tries_left,
    .active_slot = android_active_slot,
};
