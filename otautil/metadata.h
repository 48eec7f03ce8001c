/* The rule for whether a package may be installed on a device, from the
 * package's META-INF/com/android/metadata and the device's build
 * properties.  One copy for recovery (before it runs a package) and the
 * update agent (before it downloads one, and again on the package itself):
 *   ota-type    recovery devices refuse "AB" (those packages are for the
 *               A/B installer); A/B devices take only "AB";
 *   pre-device  required; one of its comma-separated names must equal the
 *               device's ro.product.device;
 *   serialno    when present, one of its '|'-separated values must equal
 *               ro.serialno;
 *   post-timestamp  when present, must not be older than the device's
 *               ro.build.date.utc unless ota-downgrade=yes;
 *   pre-build   checked only when the caller gives the running build's
 *               fingerprint (the agent): one of its '|'-separated values
 *               must equal it.  Recovery leaves pre-build to the
 *               updater-script, which accepts the source or the target
 *               build so that an interrupted install can be run again. */
#ifndef OTAUTIL_METADATA_H
#define OTAUTIL_METADATA_H

#include "otautil/error.h"
#include "otautil/props.h"
#include "otautil/zip.h"

#define OTA_METADATA_ENTRY "META-INF/com/android/metadata"
/* Not Android's: the ELF machine of the package's update-binary ("x86-64",
 * "AArch64", ... as ota_elf_machine_name names it), written by
 * ota_from_target_files, shown by ota_info and recovery. */
#define OTA_METADATA_UPDATER_MACHINE "update-binary-machine"

typedef enum ota_install_kind {
    OTA_INSTALL_RECOVERY, /* single-slot: recovery runs the package */
    OTA_INSTALL_AB,       /* the running system writes the other slot */
} ota_install_kind;

/* The device side of the check: its build properties (any may be NULL). */
typedef struct ota_device_build {
    ota_install_kind kind;
    const char *device;      /* ro.product.device */
    const char *serialno;    /* ro.serialno */
    const char *date_utc;    /* ro.build.date.utc */
    const char *fingerprint; /* ro.build.fingerprint; NULL: pre-build not checked */
    const char *source;      /* where the properties came from, for messages */
} ota_device_build;

/* 0 when the package described by metadata may be installed on device;
 * -1 with err saying which check failed and the values compared
 * (OTA_ERR_VERIFY), or what is malformed (OTA_ERR_FORMAT). */
int ota_metadata_check(const ota_props *metadata, const ota_device_build *device,
                       ota_error *err);

/* The device side from its build properties: ro.product.device,
 * ro.serialno, ro.build.date.utc and, with_fingerprint (a running system
 * that checks pre-build: the agent), ro.build.fingerprint.  The strings
 * point into props; source names the property files in messages. */
ota_device_build ota_device_build_of(const ota_props *props, ota_install_kind kind,
                                     int with_fingerprint, const char *source);

/* Reads and parses the metadata entry of the package at path into md
 * (zero-initialised).  A package without one is OTA_ERR_VERIFY. */
int ota_metadata_read(const char *path, ota_props *md, ota_error *err);
/* The same from a package already open (recovery's verified one); shown
 * names it in messages. */
int ota_metadata_read_zip(ota_zip *zip, const char *shown, ota_props *md, ota_error *err);

/* Non-zero when want is one of the sep-separated items of list (items
 * trimmed of spaces; an empty want matches nothing). */
int ota_metadata_list_contains(const char *list, char sep, const char *want);

/* Parses a whole non-negative decimal number of seconds; 0 or -1. */
int ota_metadata_timestamp(const char *text, long long *out);

#endif
