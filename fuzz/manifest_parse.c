/* libFuzzer target: the JAR manifest parser on arbitrary text, every lookup
 * and digest decoding the verifier does on a parsed manifest, and the
 * signed-entry table built from it (each entry checked against bytes, the
 * manifest against itself).  Run for time as well as crashes
 * (fuzz/manifest_parse.options gives libFuzzer a 1 s -timeout and inputs up
 * to 400 KB): whatever the text, the work must stay linear in its size. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "otautil/manifest.h"
#include "otautil/signed_entries.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checking data against the entry name must give a verdict, not a crash;
 * for the manifest itself it must be a match. */
static void check(const ota_signed_entries *s, const char *name, const uint8_t *data,
                  size_t size, int must_match)
{
    ota_error err;
    ota_entry_check *c = ota_entry_check_start(s, name, size, NULL, NULL, &err);
    if (!c) {
        if (must_match)
            abort();
        return;
    }
    size_t half = size / 2;
    if (ota_entry_check_sink(c, data, half, &err) < 0 ||
        ota_entry_check_sink(c, data + half, size - half, &err) < 0)
        abort(); /* hashing never fails */
    if (ota_entry_check_end(c, &err) < 0 && must_match)
        abort();
}

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
    ota_signed_entries *signed_entries = ota_signed_entries_new(data, size, &err);
    if (signed_entries) {
        for (size_t i = 0; i < mf.count && i < 64; i++) {
            const ota_mf_section *s = &mf.sections[i];
            check(signed_entries, s->name, data + s->offset, s->len, 0);
        }
        /* unless a section claims their names, the manifest is held to its
         * own digest and the .SF passes unchecked */
        check(signed_entries, OTA_MANIFEST_ENTRY, data, size,
              !ota_manifest_find(&mf, OTA_MANIFEST_ENTRY));
        check(signed_entries, "META-INF/CERT.SF", data, size,
              !ota_manifest_find(&mf, "META-INF/CERT.SF"));
        ota_signed_entries_free(signed_entries);
    }
    ota_manifest_free(&mf);
    return 0;
}
