/* Trusted keys from otacerts.zip: every entry named *.x509.pem holds PEM
 * certificates (Android ships /system/etc/security/otacerts.zip this way).
 * Other entries are ignored, as Android does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/keys.h"
#include "otautil/zip.h"

#define CERT_ENTRY_MAX (1u << 20)

static int is_cert_entry(const ota_zip_entry *e)
{
    static const char suffix[] = ".x509.pem";
    size_t n = strlen(e->name), s = sizeof suffix - 1;
    return !e->is_dir && n > s && strcmp(e->name + n - s, suffix) == 0;
}

int ota_keys_load_zip(ota_keyset *keys, const uint8_t *data, size_t len, const char *path,
                      ota_error *err)
{
    /* The bytes already read: the file is not opened a second time. */
    ota_zip *zip = ota_zip_open_memory(data, len, path, err);
    if (!zip)
        return -1;
    int rc = 0, found = 0;
    for (size_t i = 0; rc == 0 && i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        if (!is_cert_entry(e))
            continue;
        found++;
        uint8_t *data = NULL;
        size_t len = 0;
        char what[512];
        snprintf(what, sizeof what, "%s:%s", path, e->name);
        if (ota_zip_read(zip, e, &data, &len, CERT_ENTRY_MAX, err) < 0) {
            ota_error_prefix(err, "%s", path);
            rc = -1;
        } else {
            rc = ota_keys_parse_pem(keys, data, len, what, err);
        }
        free(data);
    }
    if (rc == 0 && !found)
        rc = ota_error_set(err, OTA_ERR_NOTFOUND, "%s: zip holds no *.x509.pem certificate",
                           path);
    ota_zip_close(zip);
    return rc;
}
