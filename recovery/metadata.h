/* Recovery's side of the package check (the rule itself is
 * otautil/metadata.h, shared with the update agent): the package's
 * META-INF/com/android/metadata against the recovery's own properties
 * (recovery/properties.h).  pre-build is left to the updater-script. */
#ifndef RECOVERY_METADATA_H
#define RECOVERY_METADATA_H

#include "otautil/metadata.h"
#include "recovery/kv.h"

#define RECOVERY_METADATA_ENTRY OTA_METADATA_ENTRY

/* 0 when the package described by metadata may be installed on the device
 * described by props; -1 with err as ota_metadata_check. */
int recovery_metadata_check(const recovery_kv *metadata, const recovery_kv *props,
                            ota_error *err);

#endif
