#include "otautil/verify_detached.h"

#include "otautil/keys.h"
#include "otautil/verify_pkcs7.h"

int ota_verify_detached(const void *data, size_t len, const uint8_t *der, size_t der_len,
                        const ota_keyset *keys, const char *what, size_t *key_index,
                        ota_error *err)
{
    ota_pkcs7 sig;
    if (ota_pkcs7_parse(&sig, der, der_len, what, err) < 0)
        return -1;
    size_t index;
    int rc = ota_pkcs7_find_key(&sig, keys, &index, err);
    if (rc == 0) {
        uint8_t digest[OTA_HASH_MAX_LEN];
        ota_hash h;
        rc = ota_hash_init(&h, sig.hash, err);
        if (rc == 0) {
            ota_hash_update(&h, data, len);
            ota_hash_final(&h, digest);
            rc = ota_pkcs7_verify_digest(&sig, ota_keyset_key(keys, index)->pkey, digest, what,
                                         err);
        }
    }
    ota_pkcs7_free(&sig);
    if (rc == 0 && key_index)
        *key_index = index;
    return rc;
}
