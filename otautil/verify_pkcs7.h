/* The PKCS#7 SignedData blocks of Android packages (the whole-file
 * signature and CERT.RSA/CERT.EC): parsed strictly, matched to a trusted
 * key and checked against a digest the caller computed while streaming.
 * Strict means: canonical DER with nothing after it, detached data, one
 * signer, one certificate (the signer's), no CRLs, no unsigned attributes,
 * SHA-1 or SHA-256 — so that no byte of the block goes unchecked. */
#ifndef OTAUTIL_VERIFY_PKCS7_H
#define OTAUTIL_VERIFY_PKCS7_H

#include <openssl/pkcs7.h>
#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/keys.h"

typedef struct ota_pkcs7 {
    PKCS7 *p7;
    PKCS7_SIGNER_INFO *si; /* borrowed from p7 */
    X509 *signer;          /* borrowed from p7: the one certificate */
    ota_hash_alg hash;     /* digest algorithm of the signed content */
} ota_pkcs7;

/* what names the block in messages ("whole-file signature", "CERT.RSA"). */
int ota_pkcs7_parse(ota_pkcs7 *sig, const uint8_t *der, size_t len, const char *what,
                    ota_error *err);
void ota_pkcs7_free(ota_pkcs7 *sig);

/* Finds the trusted key that signed: the same certificate, or for keys
 * without a certificate (text format) the same public key, a hash the key
 * allows, and a valid self-signature when the certificate claims to be
 * self-issued.  Otherwise "no matching key" naming the signer. */
int ota_pkcs7_find_key(const ota_pkcs7 *sig, const ota_keyset *keys, size_t *index,
                       ota_error *err);

/* Verifies the signature over content whose sig->hash digest is given. */
int ota_pkcs7_verify_digest(const ota_pkcs7 *sig, EVP_PKEY *pkey, const uint8_t *digest,
                            const char *what, ota_error *err);

/* The signer's subject on one line, for messages. */
void ota_pkcs7_signer_name(const ota_pkcs7 *sig, char *out, size_t cap);

#endif
