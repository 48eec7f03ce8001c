/* Boot control: which slot (A/B copy of the system) the bootloader starts,
 * with the operations of Android's boot_control HAL, over four backends
 * that keep the bootloader's state in different places:
 *   android  AOSP's bootloader_control on misc (offset 2048)
 *   uboot    U-Boot's environment (libubootenv), RAUC's BOOT_ORDER/BOOT_x_LEFT
 *   grub     GRUB's environment block (grubenv), RAUC's ORDER/x_OK/x_TRY
 *   script   a device maker's executable (RAUC's custom backend protocol)
 * Each backend is one file with one const ops table; this header is the one
 * interface the program bootctl and the update agent use.  Slots are
 * numbered from 0, as Android numbers them; each has a name (android: a b c
 * d; the others: the configured bootnames, A B by default) and a suffix
 * ("_" + the name in lower case: _a, _b). */
#ifndef BOOTCTL_BOOTCTL_H
#define BOOTCTL_BOOTCTL_H

#include <stddef.h>

#include "otautil/error.h"

#define BOOTCTL_MAX_SLOTS 4 /* bootloader_control has room for four */
#define BOOTCTL_NAME_MAX 32 /* a slot's name, with its NUL */
#define BOOTCTL_PATH_MAX 4096

/* What a backend works on: the config file's settings (bootctl/config.h
 * reads them), command-line overrides already applied, paths resolved
 * under RECOVERY_ROOT. */
typedef struct bootctl_config {
    char backend[16];                 /* android, uboot, grub, script */
    char storage[BOOTCTL_PATH_MAX];   /* misc device, fw_env.config, grubenv, or the script */
    char slot_names[BOOTCTL_MAX_SLOTS][BOOTCTL_NAME_MAX]; /* uboot, grub, script */
    unsigned slot_count;              /* of slot_names; 0: the backend's default (A B) */
    int tries;                        /* tries a slot set active gets; 0: the backend's default */
    char uboot_defaults[BOOTCTL_PATH_MAX]; /* default environment when the stored one is invalid */
    int script_timeout_ms;            /* how long one call of the script may take */
    char current[BOOTCTL_NAME_MAX];   /* the running slot, given for host runs ("" = find it) */
    char cmdline[BOOTCTL_PATH_MAX];   /* the kernel command line file (/proc/cmdline) */
} bootctl_config;

typedef struct bootctl bootctl;

/* One backend.  Every operation that can fail returns -1 with err filled;
 * the is_ operations return 1 (yes) or 0 (no).  Slot numbers passed in are
 * already checked against number_slots. */
typedef struct bootctl_ops {
    const char *name;
    const char *default_storage; /* used when the config names none; NULL: required */
    /* Reads the stored state (or checks that it can be read) and sets
     * bc->slot_count and bc->names. */
    int (*open)(bootctl *bc, ota_error *err);
    void (*close)(bootctl *bc);
    /* The running slot by the backend's own convention, when the kernel
     * command line does not say; -1 with OTA_ERR_NOTFOUND when it cannot
     * tell.  NULL: the backend has none. */
    int (*current_slot)(bootctl *bc, ota_error *err);
    int (*mark_boot_successful)(bootctl *bc, unsigned slot, ota_error *err);
    int (*set_active_boot_slot)(bootctl *bc, unsigned slot, ota_error *err);
    int (*set_slot_as_unbootable)(bootctl *bc, unsigned slot, ota_error *err);
    int (*is_slot_bootable)(bootctl *bc, unsigned slot, ota_error *err);
    int (*is_slot_marked_successful)(bootctl *bc, unsigned slot, ota_error *err);
    /* Boots left before the bootloader gives the slot up (-1: the backend
     * cannot tell). */
    int (*tries_left)(bootctl *bc, unsigned slot, int *tries, ota_error *err);
    /* The slot last set active (the one the bootloader is asked to try
     * first), whether or not it is still bootable. */
    int (*active_slot)(bootctl *bc, ota_error *err);
} bootctl_ops;

extern const bootctl_ops bootctl_android_ops;
extern const bootctl_ops bootctl_uboot_ops;
extern const bootctl_ops bootctl_grub_ops;
extern const bootctl_ops bootctl_script_ops;

struct bootctl {
    const bootctl_ops *ops;
    bootctl_config cfg;
    unsigned slot_count;
    char names[BOOTCTL_MAX_SLOTS][BOOTCTL_NAME_MAX];
    char suffixes[BOOTCTL_MAX_SLOTS][BOOTCTL_NAME_MAX + 1];
    int current;               /* -2: not looked up yet, -1: unknown */
    char current_from[64];     /* where it came from, for hal-info and status */
    void *state;               /* the backend's */
};

/* For backends that name their slots by config (uboot, grub, script): sets
 * bc's slots from cfg.slots, A B when it names none. */
void bootctl_use_config_names(bootctl *bc);

/* The backend called name, or NULL. */
const bootctl_ops *bootctl_backend(const char *name);

/* Opens the backend cfg names on its storage.  Returns a handle or NULL. */
bootctl *bootctl_open(const bootctl_config *cfg, ota_error *err);
void bootctl_close(bootctl *bc);

unsigned bootctl_number_slots(const bootctl *bc);
/* The running slot: cfg.current when given, else the kernel command line
 * (androidboot.slot_suffix=_a, androidboot.slot=a, rauc.slot=A), else the
 * backend's own convention.  -1 (OTA_ERR_NOTFOUND) when none says. */
int bootctl_current_slot(bootctl *bc, ota_error *err);
/* "_a", or NULL when slot is out of range. */
const char *bootctl_suffix(const bootctl *bc, unsigned slot);
const char *bootctl_slot_name(const bootctl *bc, unsigned slot);
/* A slot as written by a user or a kernel command line: its number, its
 * name or its suffix (case-insensitive).  -1 (OTA_ERR_ARGS) when it names
 * no slot of this device. */
int bootctl_parse_slot(const bootctl *bc, const char *text, ota_error *err);

int bootctl_mark_boot_successful(bootctl *bc, ota_error *err); /* the running slot */
int bootctl_set_active_boot_slot(bootctl *bc, unsigned slot, ota_error *err);
int bootctl_set_slot_as_unbootable(bootctl *bc, unsigned slot, ota_error *err);
int bootctl_is_slot_bootable(bootctl *bc, unsigned slot, ota_error *err);
int bootctl_is_slot_marked_successful(bootctl *bc, unsigned slot, ota_error *err);
int bootctl_active_slot(bootctl *bc, ota_error *err);

/* Everything the update agent reports, read at once. */
typedef struct bootctl_slot_status {
    int bootable, successful;
    int tries_left; /* -1: unknown */
    int active;     /* the slot last set active */
} bootctl_slot_status;

typedef struct bootctl_status {
    unsigned slot_count;
    int current;        /* -1: unknown */
    int active;
    /* The slot set active is not the running one, and:
     *   still bootable: the next boot tries it (an update waits for a reboot);
     *   no longer bootable: the bootloader gave it up and came back to the
     *     running slot by itself, or it was marked unbootable (a rollback). */
    int switch_pending;
    int rolled_back;
    bootctl_slot_status slots[BOOTCTL_MAX_SLOTS];
} bootctl_status;

/* Fills st.  A running slot that cannot be told leaves current at -1 and
 * both flags 0; that is not an error. */
int bootctl_get_status(bootctl *bc, bootctl_status *st, ota_error *err);

#endif
