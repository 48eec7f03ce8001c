/* Package verification, shared by recovery and check_ota_package_signature:
 * the whole-file signature in the zip comment (PKCS#7 over the file up to the
 * comment length field), and the v1 JAR signature when present; and the
 * hand-over of a verified package to the update-binary. */
#ifndef OTAUTIL_VERIFY_H
#define OTAUTIL_VERIFY_H

#include <stddef.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/zip.h"

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
    /* The snapshot that verified, for handing the package on
     * (ota_verified_token): the SHA-256 of META-INF/MANIFEST.MF (when
     * jar_ok) and of the central directory. */
    uint8_t manifest_sha256[OTA_SHA256_LEN];
    uint8_t index_sha256[OTA_SHA256_LEN];
} ota_verify_info;

/* Flags for ota_verify_fd. */
enum {
    /* Refuse a package without a v1 JAR signature: only with one can each
     * entry be checked again when it is used (recovery sets this). */
    OTA_VERIFY_REQUIRE_JAR = 1u << 0,
};

/* Verifies the package open on fd (a regular file; name names it in
 * messages), reading nothing but that open file:
 *   1. the whole-file signature is located (footer, strict PKCS#7) and
 *      matched to a trusted key, so an unsigned or foreign package fails
 *      at once;
 *   2. the central directory is indexed (otautil/zip.h);
 *   3. the signed region's digest is streamed and the signature checked,
 *      along with the digest of the central directory's range of the
 *      signed bytes, which must be the one the index was built from;
 *   4. only then the v1 JAR signature, when present: .SF, manifest and
 *      every entry (otautil/jar.h); it must be by the same certificate.
 * Everything before step 3 passes is linear in the input with fixed caps.
 * 0 when all hold; otherwise -1 with err saying why (no signature, bad
 * footer, no matching key, manifest mismatch on entry X, ...); a failed
 * whole-file check is always the reason given.  With zip not NULL and a
 * v1 JAR signature verified, *zip receives the archive (its own duplicate
 * of fd) in verified mode: every later read of an entry is checked
 * against the manifest that verified.  info may be NULL.  docs/signing.md
 * lists the rules. */
int ota_verify_fd(int fd, const char *name, const ota_keyset *keys, unsigned flags,
                  ota_verify_info *info, ota_zip **zip, ota_error *err);

/* ota_verify_fd on the regular file at path, without flags. */
int ota_verify_package(const char *path, const ota_keyset *keys, ota_verify_info *info,
                       ota_error *err);

/* ---- handing a verified package to a child ---------------------------------
 * Recovery verifies; the update-binary it starts reads the same open file
 * (/proc/self/fd/N) and must check what it reads against what recovery
 * verified.  The token names that snapshot: "MANIFEST_SHA256:INDEX_SHA256"
 * in hex, passed in the environment variable OTA_VERIFIED_ENV. */
#define OTA_VERIFIED_ENV "OTA_VERIFIED_PACKAGE"
#define OTA_VERIFIED_TOKEN_LEN (4 * OTA_SHA256_LEN + 1)

/* out (OTA_VERIFIED_TOKEN_LEN + 1 bytes) gets the token of info, which must
 * have jar_ok. */
void ota_verified_token(const ota_verify_info *info, char *out);

/* Puts zip, opened on the package a verifier handed over with token, in
 * verified mode: its central directory must be the verified one, and its
 * META-INF/MANIFEST.MF the verified manifest, which then checks every
 * entry read.  -1 (OTA_ERR_VERIFY) when the package changed after it was
 * verified; OTA_ERR_ARGS for a malformed token. */
int ota_zip_adopt_verified(ota_zip *zip, const char *token, ota_error *err);

#endif
