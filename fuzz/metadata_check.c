/* libFuzzer target: the package metadata checks.  The input is the package
 * metadata, then a NUL byte, then the device's property file (no NUL: the
 * device has no properties); both are read with the one property parser
 * (its own target is props_parse) and the checks run on whatever parsed:
 * they must accept or refuse with a reason, never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/props.h"
#include "otautil/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    ota_props metadata = {0}, props = {0};
    ota_error err;
    int ok = ota_props_parse(&metadata, (const char *)data, mlen, "metadata", &err) == 0;
    if (ok && nul && ota_props_parse(&props, (const char *)nul + 1, size - mlen - 1, "props",
                                     &err) < 0)
        ok = 0;
    if (ok) {
        ota_error_clear(&err);
        ota_device_build dev = ota_device_build_of(&props, OTA_INSTALL_RECOVERY, 0, "props");
        if (ota_metadata_check(&metadata, &dev, &err) < 0 && err.message[0] == '\0')
            abort();
    }
    ota_props_free(&metadata);
    ota_props_free(&props);
    return 0;
}
