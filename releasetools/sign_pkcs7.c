/* Detached PKCS#7 SignedData as Android's signapk writes it: one signer
 * named by issuer and serial, its certificate, no signed attributes (the
 * signature covers the content digest directly, so no signing time). */
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>

#include "releasetools/sign_internal.h"

static const EVP_MD *md_of(ota_hash_alg alg)
{
    return alg == OTA_HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/* Signs the digest: PKCS#1 v1.5 over DigestInfo for RSA, DER ECDSA for EC. */
static int sign_digest(const sign_signer *s, const uint8_t *digest, unsigned char **sig,
                       size_t *sig_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->key, NULL);
    int ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
             (!EVP_PKEY_is_a(s->key, "RSA") ||
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0) &&
             EVP_PKEY_CTX_set_signature_md(ctx, md_of(s->hash)) > 0 &&
             EVP_PKEY_sign(ctx, NULL, sig_len, digest, ota_hash_len(s->hash)) > 0 &&
             (*sig = OPENSSL_malloc(*sig_len)) != NULL &&
             EVP_PKEY_sign(ctx, *sig, sig_len, digest, ota_hash_len(s->hash)) > 0;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

int sign_pkcs7(const sign_signer *s, const uint8_t *digest, ota_buf *der, ota_error *err)
{
    PKCS7 *p7 = PKCS7_new();
    PKCS7_SIGNER_INFO *si = NULL;
    unsigned char *sig = NULL, *out = NULL;
    size_t sig_len = 0;
    int rc = -1;
    if (p7 && PKCS7_set_type(p7, NID_pkcs7_signed) && PKCS7_content_new(p7, NID_pkcs7_data) &&
        (si = PKCS7_add_signature(p7, s->cert, s->key, md_of(s->hash))) &&
        PKCS7_add_certificate(p7, s->cert) && PKCS7_set_detached(p7, 1) &&
        sign_digest(s, digest, &sig, &sig_len) == 0) {
        ASN1_STRING_set0(si->enc_digest, sig, (int)sig_len);
        sig = NULL;
        int len = i2d_PKCS7(p7, &out);
        if (len > 0 && ota_buf_append(der, out, (size_t)len, err) == 0)
            rc = 0;
        else if (len <= 0)
            ota_error_set(err, OTA_ERR_FORMAT, "cannot encode the PKCS#7 signature");
    } else {
        unsigned long e = ERR_peek_last_error();
        const char *why = e ? ERR_reason_error_string(e) : NULL;
        ota_error_set(err, OTA_ERR_VERIFY, "signing with the private key failed: %s",
                      why ? why : "unknown OpenSSL error");
    }
    ERR_clear_error();
    OPENSSL_free(sig);
    OPENSSL_free(out);
    PKCS7_free(p7);
    return rc;
}
