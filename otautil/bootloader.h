/* The bootloader control block (BCB): Android's struct bootloader_message
 * at offset 0 of the misc partition.  Recovery writes it before an install
 * so that a power loss boots back into recovery, and clears it afterwards;
 * the updater's get_stage/set_stage use the stage field. */
#ifndef OTAUTIL_BOOTLOADER_H
#define OTAUTIL_BOOTLOADER_H

#include "otautil/error.h"
#include "otautil/fstab.h"

typedef struct ota_bootloader_message {
    char command[32];   /* "boot-recovery" or empty */
    char status[32];
    char recovery[768]; /* "recovery\n--update_package=...\n..." */
    char stage[32];     /* "N/M" during multi-stage installs */
    char reserved[1184];
} ota_bootloader_message;

_Static_assert(sizeof(ota_bootloader_message) == 2048, "BCB layout is 2048 bytes");

/* Reads/writes the BCB at offset 0 of device (a path used as given).  Writes
 * are fsync'd.  The fields are not required to be NUL-terminated on disk;
 * readers terminate them. */
int ota_bcb_read(const char *device, ota_bootloader_message *msg, ota_error *err);
int ota_bcb_write(const char *device, const ota_bootloader_message *msg, ota_error *err);

/* The misc device from the fstab's /misc entry, resolved under root
 * (RECOVERY_ROOT; NULL or "": none), into out.  -1 (OTA_ERR_NOTFOUND) when
 * there is none. */
int ota_bcb_misc_device(const ota_fstab *fstab, const char *root, char *out, size_t outsz,
                        ota_error *err);

/* Safe copy of a possibly unterminated field into out (size >= field + 1). */
void ota_bcb_field(const char *field, size_t field_size, char *out);

#endif
