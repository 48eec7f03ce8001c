/* libFuzzer target: the JAR manifest parser on arbitrary text, then every
 * lookup and digest decoding the verifier does on a parsed manifest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "otautil/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ota_manifest mf;
    ota_error err;
    if (ota_manifest_parse(data, size, "fuzz", &mf, &err) < 0)
        return 0;
    uint8_t md[OTA_HASH_MAX_LEN];
    for (size_t i = 0; i < mf.count; i++) {
        const ota_mf_section *s = &mf.sections[i];
        if (s->offset + s->len > size || ota_manifest_find(&mf, s->name) != s)
            abort(); /* extents inside the text; names unique and found */
        for (size_t a = 0; a < s->nattrs; a++) {
            (void)ota_base64_decode(s->attrs[a].value, md, OTA_SHA1_LEN);
            (void)ota_base64_decode(s->attrs[a].value, md, OTA_SHA256_LEN);
        }
        (void)ota_manifest_attr(s, "SHA-256-Digest");
    }
    (void)ota_manifest_attr(&mf.main, "Manifest-Version");
    ota_manifest_free(&mf);
    return 0;
}
