/* The checks recovery makes on a package's META-INF/com/android/metadata
 * before it runs anything from it:
 *   ota-type    must not be "AB" (those packages are for update_engine);
 *   pre-device  required; one of its comma-separated names must equal the
 *               recovery's ro.product.device;
 *   serialno    when present, one of its '|'-separated values must equal
 *               ro.serialno;
 *   post-timestamp  when present, must not be older than the recovery's
 *               ro.build.date.utc unless ota-downgrade=yes.
 * pre-build is left to the updater-script, which accepts the source build
 * or the target build so that an interrupted install can be run again. */
#ifndef RECOVERY_METADATA_H
#define RECOVERY_METADATA_H

#include "otautil/props.h"

#define RECOVERY_METADATA_ENTRY "META-INF/com/android/metadata"

/* 0 when the package described by metadata may be installed on the device
 * described by props; -1 with err saying which check failed and the values
 * compared (OTA_ERR_VERIFY), or what is malformed (OTA_ERR_FORMAT). */
int recovery_metadata_check(const ota_props *metadata, const ota_props *props,
                            ota_error *err);

#endif
