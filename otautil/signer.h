/* Who signed a package, read without verifying anything: the certificate
 * in the whole-file signature (the one recovery matches against its keys),
 * its key and the digest the signature uses.  For tools that describe a
 * package (ota_info); whether to trust it is ota_verify_package's call. */
#ifndef OTAUTIL_SIGNER_H
#define OTAUTIL_SIGNER_H

#include "otautil/error.h"

typedef struct ota_signer_info {
    char subject[256];     /* "/CN=release/O=...", as in the verifier's messages */
    char issuer[256];
    char key[64];          /* "RSA-2048 e=65537", "EC P-256", as ota_key_describe */
    char digest[16];       /* "SHA-1" or "SHA-256": the signed content's digest */
    char cert_sha256[65];  /* SHA-256 of the DER certificate, lower-case hex */
    char not_before[32], not_after[32]; /* "Jan  1 00:00:00 2024 GMT" */
} ota_signer_info;

/* Fills out from the whole-file signature of the package at path.  -1 with
 * err when the file has none or it cannot be parsed (the footer and the
 * PKCS#7 block are held to the verifier's rules). */
int ota_package_signer(const char *path, ota_signer_info *out, ota_error *err);

#endif
