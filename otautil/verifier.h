/* Package verification, shared by recovery and check_ota_package_signature:
 * the whole-file signature in the zip comment (PKCS#7 over the file up to the
 * comment length field), and the v1 JAR signature when present. */
#ifndef OTAUTIL_VERIFIER_H
#define OTAUTIL_VERIFIER_H

#include <stddef.h>

#include "otautil/error.h"

typedef struct ota_keyset ota_keyset; /* trusted certificates */

/* Loads trusted keys from a PEM file (one or several X.509 certificates),
 * an otacerts.zip (a zip of *.x509.pem) or the old gingerbread /res/keys
 * text format.  Fails, naming the file, when it holds no usable key. */
ota_keyset *ota_keyset_load(const char *path, ota_error *err);
size_t ota_keyset_count(const ota_keyset *keys);
void ota_keyset_free(ota_keyset *keys);

typedef struct ota_verify_info {
    int whole_file_ok;   /* the whole-file signature verified */
    int jar_present;     /* a v1 JAR signature was found ... */
    int jar_ok;          /* ... and verified, every entry's digest included */
    size_t key_index;    /* which trusted key matched */
    char hash_name[16];  /* "SHA-1" or "SHA-256" of the whole-file signature */
} ota_verify_info;

/* 0 when the package at path is signed by one of keys: the whole-file
 * signature is required; a v1 JAR signature, when present, must verify by
 * the same certificate with all manifest digests matching.  Otherwise -1
 * with err saying why (no signature, bad footer, no matching key, manifest
 * mismatch on entry X, ...).  The file is streamed, never loaded whole;
 * the whole-file digest is computed in a second thread while the JAR
 * entries are checked (large entries hashed in a third).  A failed
 * whole-file check is the reason reported even when the JAR is bad too.
 * info may be NULL.  docs/signing.md lists the rules. */
int ota_verify_package(const char *path, const ota_keyset *keys, ota_verify_info *info,
                       ota_error *err);

#endif
