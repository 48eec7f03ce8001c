#include "recovery/metadata.h"

#include "recovery/properties.h"

int recovery_metadata_check(const recovery_kv *metadata, const recovery_kv *props,
                            ota_error *err)
{
    ota_props md = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < metadata->count; i++)
        rc = ota_props_set(&md, metadata->pairs[i].key, metadata->pairs[i].value, err);
    if (rc == 0) {
        ota_device_build device = {
            .kind = OTA_INSTALL_RECOVERY,
            .device = recovery_kv_get(props, "ro.product.device"),
            .serialno = recovery_kv_get(props, "ro.serialno"),
            .date_utc = recovery_kv_get(props, "ro.build.date.utc"),
            .fingerprint = NULL,
            .source = RECOVERY_PROPERTY_FILES,
        };
        rc = ota_metadata_check(&md, &device, err);
    }
    ota_props_free(&md);
    return rc;
}
