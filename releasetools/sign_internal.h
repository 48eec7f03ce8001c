/* Private to releasetools/sign*.c: the signer's key material and the
 * pieces sign_package puts together. */
#ifndef RELEASETOOLS_SIGN_INTERNAL_H
#define RELEASETOOLS_SIGN_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/sink.h"
#include "otautil/zip.h"

#define SIGN_OTACERT_NAME "META-INF/com/android/otacert"

typedef struct sign_signer {
    X509 *cert;
    EVP_PKEY *key;
    ota_hash_alg hash;       /* digests in the manifest and both signatures */
    const char *block_name;  /* META-INF/CERT.RSA or META-INF/CERT.EC */
    ota_buf cert_pem;        /* the certificate file as given: the otacert entry */
} sign_signer;

/* Loads a PEM certificate and its DER PKCS#8 private key, checks that they
 * belong together and are a supported kind, and picks the digest as
 * Android's signapk does: SHA-1 for certificates signed with SHA1withRSA
 * (older devices verify nothing else), SHA-256 otherwise. */
int sign_signer_load(sign_signer *s, const char *cert_path, const char *key_path,
                     ota_error *err);
void sign_signer_free(sign_signer *s);

/* DER of a detached PKCS#7 SignedData (no signed attributes, so RSA output
 * is deterministic) whose content has the given s->hash digest. */
int sign_pkcs7(const sign_signer *s, const uint8_t *digest, ota_buf *der, ota_error *err);

/* One entry of the signed archive, in output order (sorted by name):
 * copied from the input, or (entry NULL) the otacert made from the
 * signer's certificate. */
typedef struct sign_item {
    const char *name;
    const ota_zip_entry *entry;
} sign_item;

/* The v1 JAR signature files over the items (directories get no manifest
 * section): MANIFEST.MF, CERT.SF and the signature block. */
typedef struct sign_jar {
    ota_buf manifest, sf, block;
} sign_jar;
int sign_jar_build(const sign_signer *s, ota_zip *in, const sign_item *items, size_t count,
                   sign_jar *jar, ota_error *err);
void sign_jar_free(sign_jar *jar);

/* Appends the whole-file signature to the closed archive at path, which
 * must end in an end-of-central-directory record with no comment. */
int sign_whole_file(const sign_signer *s, const char *path, ota_error *err);

#endif
