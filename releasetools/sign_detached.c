/* sign_detached: the signature of a block of bytes (a channel document)
 * with a release key, by the same PKCS#7 code as the whole-file one. */
#include "releasetools/sign.h"
#include "releasetools/sign_internal.h"

int sign_detached(const char *cert_pem, const char *key_pk8, const void *data, size_t len,
                  ota_buf *der, ota_error *err)
{
    sign_signer s;
    if (sign_signer_load(&s, cert_pem, key_pk8, err) < 0)
        return -1;
    uint8_t digest[OTA_HASH_MAX_LEN];
    ota_hash h;
    int rc = ota_hash_init(&h, s.hash, err);
    if (rc == 0) {
        ota_hash_update(&h, data, len);
        ota_hash_final(&h, digest);
        rc = sign_pkcs7(&s, digest, der, err);
    }
    sign_signer_free(&s);
    return rc;
}
