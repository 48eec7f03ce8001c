/* The bootloader control block (BCB): Android's struct bootloader_message
 * at offset 0 of the misc partition.  Recovery writes it before an install
 * so that a power loss boots back into recovery, and clears it afterwards;
 * the updater's get_stage/set_stage use the stage field.  The rest of misc
 * (A/B metadata at 2048, inside bootloader_message_ab) is read and written
 * with ota_misc_read/ota_misc_write, the one way into the partition. */
#ifndef OTAUTIL_BOOTLOADER_H
#define OTAUTIL_BOOTLOADER_H

#include <stddef.h>
#include <sys/types.h>

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

/* Reads/writes exactly len bytes at offset of the misc partition device (a
 * path used as given; a block device or an image file).  A partition too
 * small for the range is an OTA_ERR_FORMAT error naming it.  Writes are
 * fsync'd before they return. */
int ota_misc_read(const char *device, off_t offset, void *buf, size_t len, const char *what,
                  ota_error *err);
int ota_misc_write(const char *device, off_t offset, const void *buf, size_t len,
                   const char *what, ota_error *err);

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

/* Checks one line of the recovery field (an argument such as
 * "--update_package=/cache/u.zip", or a value that goes into one): it must
 * not be empty, hold no control character (a line break would add another
 * argument), and not end in a space or tab (readers strip those, so it
 * would come back as another path).  what names it in the message. */
int ota_bcb_check_line(const char *line, const char *what, ota_error *err);

/* Fills msg (cleared first) with "boot-recovery" and the recovery field
 * "recovery\n" plus one line per argument, as Android's main system asks
 * recovery to act (e.g. "--update_package=/cache/update.zip").  Fails,
 * writing nothing into msg, when an argument fails ota_bcb_check_line or
 * the arguments do not fit in the 768-byte field (with its NUL). */
int ota_bcb_set_recovery(ota_bootloader_message *msg, const char *const *args, size_t count,
                         ota_error *err);

/* Safe copy of a possibly unterminated field into out (size >= field + 1). */
void ota_bcb_field(const char *field, size_t field_size, char *out);

#endif
