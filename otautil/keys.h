/* The trusted-key set behind ota_keyset (otautil/verify.h): what the
 * verifier and the loaders share.  A key is a public key with, when it came
 * from a certificate, that certificate; keys from the gingerbread text
 * format also fix the hash their signatures must use. */
#ifndef OTAUTIL_KEYS_H
#define OTAUTIL_KEYS_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/verify.h"

typedef struct ota_key {
    EVP_PKEY *pkey;      /* public key */
    X509 *cert;          /* the certificate it came from; NULL for text keys */
    int hash_fixed;      /* text keys: signatures must use `hash` */
    ota_hash_alg hash;
    char label[96];      /* "FILE #N" for messages */
} ota_key;

ota_keyset *ota_keyset_new(ota_error *err);
const ota_key *ota_keyset_key(const ota_keyset *keys, size_t index);

/* Checks that pkey is a kind Android signs packages with: RSA 2048 or 4096
 * bits with e=3 or 65537, or EC on P-256.  what names it in the message. */
int ota_key_check_kind(EVP_PKEY *pkey, const char *what, ota_error *err);
/* "RSA-2048 e=3", "EC P-256", ... into out (for messages). */
void ota_key_describe(EVP_PKEY *pkey, char *out, size_t cap);

/* Takes ownership of pkey and cert (cert may be NULL) whatever happens. */
int ota_keyset_add(ota_keyset *keys, EVP_PKEY *pkey, X509 *cert, int hash_fixed,
                   ota_hash_alg hash, const char *label, ota_error *err);

/* Each loader appends the keys in data (len bytes, what names the source)
 * and fails, naming what, on anything it cannot use. */
int ota_keys_parse_pem(ota_keyset *keys, const void *data, size_t len, const char *what,
                       ota_error *err);
int ota_keys_parse_text(ota_keyset *keys, const char *text, size_t len, const char *what,
                        ota_error *err);
/* otacerts.zip: every *.x509.pem entry (needs the zip reader). */
int ota_keys_load_zip(ota_keyset *keys, const uint8_t *data, size_t len, const char *path,
                      ota_error *err);

#endif
