/* The signer's certificate (PEM) and private key (DER PKCS#8). */
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/keys.h"
#include "releasetools/sign_internal.h"

#define KEY_FILE_MAX (1u << 20)

static int load_cert(sign_signer *s, const char *path, ota_error *err)
{
    if (ota_read_file(path, "certificate", KEY_FILE_MAX, 0, &s->cert_pem, err) < 0)
        return -1;
    BIO *bio = BIO_new_mem_buf(s->cert_pem.data, (int)s->cert_pem.len);
    s->cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    if (!s->cert)
        return ota_error_set(err, OTA_ERR_FORMAT, "certificate %s: not a PEM X.509 certificate",
                             path);
    EVP_PKEY *pub = X509_get0_pubkey(s->cert);
    if (!pub)
        return ota_error_set(err, OTA_ERR_FORMAT, "certificate %s: its public key cannot be read",
                             path);
    return ota_key_check_kind(pub, path, err);
}

static int load_key(sign_signer *s, const char *path, ota_error *err)
{
    ota_buf der = {0};
    if (ota_read_file(path, "private key", KEY_FILE_MAX, 0, &der, err) < 0) {
        ota_buf_free(&der);
        return -1;
    }
    const unsigned char *p = der.data;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der.len);
    int trailing = p8 && p != der.data + der.len;
    if (!p8) {
        const unsigned char *q = der.data;
        X509_SIG *enc = d2i_X509_SIG(NULL, &q, (long)der.len);
        X509_SIG_free(enc);
        ERR_clear_error();
        ota_buf_free(&der);
        if (enc)
            return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                                 "private key %s is encrypted; give an unencrypted DER PKCS#8 "
                                 "key (openssl pkcs8 -topk8 -outform DER -nocrypt)",
                                 path);
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "private key %s: not a DER PKCS#8 private key", path);
    }
    s->key = trailing ? NULL : EVP_PKCS82PKEY(p8);
    PKCS8_PRIV_KEY_INFO_free(p8);
    ota_buf_free(&der);
    ERR_clear_error();
    if (!s->key)
        return ota_error_set(err, OTA_ERR_FORMAT, "private key %s: %s", path,
                             trailing ? "stray bytes after the PKCS#8 structure"
                                      : "key inside the PKCS#8 structure cannot be read");
    return 0;
}

int sign_signer_load(sign_signer *s, const char *cert_path, const char *key_path,
                     ota_error *err)
{
    memset(s, 0, sizeof *s);
    if (load_cert(s, cert_path, err) < 0 || load_key(s, key_path, err) < 0) {
        sign_signer_free(s);
        return -1;
    }
    if (X509_check_private_key(s->cert, s->key) != 1) {
        ERR_clear_error();
        sign_signer_free(s);
        return ota_error_set(err, OTA_ERR_ARGS, "private key %s does not belong to certificate %s",
                             key_path, cert_path);
    }
    int sig_nid = X509_get_signature_nid(s->cert);
    s->hash = sig_nid == NID_sha1WithRSAEncryption || sig_nid == NID_md5WithRSAEncryption
                  ? OTA_HASH_SHA1
                  : OTA_HASH_SHA256;
    s->block_name = EVP_PKEY_is_a(s->key, "EC") ? "META-INF/CERT.EC" : "META-INF/CERT.RSA";
    return 0;
}

void sign_signer_free(sign_signer *s)
{
    X509_free(s->cert);
    EVP_PKEY_free(s->key);
    ota_buf_free(&s->cert_pem);
    memset(s, 0, sizeof *s);
}
