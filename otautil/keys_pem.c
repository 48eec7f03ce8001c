/* Trusted keys from PEM: one or several X.509 certificates in one file.
 * Every PEM block must be a certificate of a supported key kind; text
 * around the blocks (as `openssl x509 -text` writes) is allowed. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "otautil/keys.h"

/* Refuses a certificate whose DER has trailing bytes or does not parse. */
static X509 *cert_from_der(const unsigned char *der, long len)
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, len);
    if (cert && p != der + len) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

int ota_keys_parse_pem(ota_keyset *keys, const void *data, size_t len, const char *what,
                       ota_error *err)
{
    if (len > INT32_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT, "%s: too large for a keys file", what);
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (!bio)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", what);
    int rc = 0, n;
    for (n = 1;; n++) {
        char *name = NULL, *header = NULL;
        unsigned char *der = NULL;
        long der_len = 0;
        ERR_clear_error();
        if (!PEM_read_bio(bio, &name, &header, &der, &der_len)) {
            unsigned long e = ERR_peek_last_error();
            if (!(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE))
                rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: PEM block %d is damaged", what, n);
            break;
        }
        X509 *cert = NULL;
        if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "%s: PEM block %d is a \"%s\", not a certificate", what, n, name);
        else if (!(cert = cert_from_der(der, der_len)))
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "%s: PEM block %d is not a valid X.509 certificate", what, n);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        if (rc < 0)
            break;
        char label[96];
        snprintf(label, sizeof label, "%s #%d", what, n);
        EVP_PKEY *pkey = X509_get_pubkey(cert);
        if (!pkey) {
            X509_free(cert);
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "%s: certificate %d has a public key that cannot be read", what, n);
            break;
        }
        if (ota_key_check_kind(pkey, label, err) < 0) {
            EVP_PKEY_free(pkey);
            X509_free(cert);
            rc = -1;
            break;
        }
        if (ota_keyset_add(keys, pkey, cert, 0, OTA_HASH_SHA256, label, err) < 0) {
            rc = -1;
            break;
        }
    }
    ERR_clear_error();
    BIO_free(bio);
    if (rc == 0 && n == 1)
        rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: holds no PEM certificate", what);
    return rc;
}
