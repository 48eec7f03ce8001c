/* Package signing, as Android's signapk: a v1 JAR signature (MANIFEST.MF,
 * CERT.SF, CERT.RSA or CERT.EC) and, for OTA packages, the whole-file
 * signature in the zip comment plus META-INF/com/android/otacert.
 * Keys: a PEM X.509 certificate and a DER PKCS#8 private key (RSA 2048/4096
 * with e=3 or 65537, EC P-256).  Output is deterministic for RSA keys. */
#ifndef RELEASETOOLS_SIGN_H
#define RELEASETOOLS_SIGN_H

#include <stddef.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct sign_opts {
    int whole_file;   /* -w: also the whole-file signature + otacert */
} sign_opts;

/* Signs input_zip into output_zip (written to a temporary name and renamed,
 * so output_zip is never left half-written). */
int sign_package(const char *cert_pem, const char *key_pk8, const char *input_zip,
                 const char *output_zip, const sign_opts *opts, ota_error *err);

/* A detached PKCS#7 signature (DER, appended to der) over the len bytes
 * at data, made as the whole-file signature is: one signer, its
 * certificate, no signed attributes, the digest signapk would pick for
 * that certificate.  Update channels are signed with it. */
int sign_detached(const char *cert_pem, const char *key_pk8, const void *data, size_t len,
                  ota_buf *der, ota_error *err);

#endif
