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
    /* OTA_VERIFY_SNAPSHOT without a v1 JAR signature: the sealed copy the
     * package was verified as (otautil/snapshot.h), the caller's to close;
     * -1 when the package was verified in place. */
    int snapshot_fd;
    uint64_t size;       /* the package's size in bytes */
} ota_verify_info;

/* Flags for ota_verify_opts. */
enum {
    /* A package without a v1 JAR signature, whose entries cannot be
     * checked one by one when they are used, is verified as a sealed
     * snapshot: copied into memory while the whole-file digest is taken
     * (one pass), the copy sealed, and the signature checked on it; *zip
     * then reads the copy, which nothing can change (recovery sets this).
     * A package with a v1 JAR signature is verified in place, as without
     * the flag. */
    OTA_VERIFY_SNAPSHOT = 1u << 0,
};

typedef struct ota_verify_opts {
    unsigned flags;
    /* OTA_VERIFY_SNAPSHOT: the largest package copied into memory (bytes);
     * a larger one is refused (OTA_ERR_LIMIT), after its whole-file
     * signature was found by a trusted key and before any copy, with a
     * message giving both sizes, snapshot_limit_why (how the limit came
     * about, e.g. "MemAvailable ... less a reserve of ...") and the fix. */
    uint64_t snapshot_limit;
    const char *snapshot_limit_why;
} ota_verify_opts;

/* Verifies the package open on fd (a regular file; name names it in
 * messages), reading nothing but that open file:
 *   1. the whole-file signature is located (footer, strict PKCS#7) and
 *      matched to a trusted key, so an unsigned or foreign package fails
 *      at once;
 *   2. the central directory is indexed (otautil/zip.h);
 *   3. the signed region's digest is streamed and the signature checked,
 *      along with the digest of the central directory's range of the
 *      signed bytes, which must be the one the index was built from (as a
 *      snapshot: the file is copied as it streams, the copy sealed, its
 *      signature located again and its index built and held to the same
 *      digests);
 *   4. only then the v1 JAR signature, when present: .SF, manifest and
 *      every entry (otautil/jar.h); it must be by the same certificate.
 * Everything before step 3 passes is linear in the input with fixed caps.
 * 0 when all hold; otherwise -1 with err saying why (no signature, bad
 * footer, no matching key, manifest mismatch on entry X, ...); a failed
 * whole-file check is always the reason given.  opts may be NULL (no
 * flags).  With zip not NULL, on success *zip receives the archive when
 * it can be handed on: with a verified v1 JAR signature, on (its own
 * duplicate of) fd in verified mode, every later read of an entry checked
 * against the manifest that verified; as a snapshot, on the sealed copy.
 * info may be NULL (a snapshot is then held by *zip alone).
 * docs/signing.md lists the rules. */
int ota_verify_fd(int fd, const char *name, const ota_keyset *keys, const ota_verify_opts *opts,
                  ota_verify_info *info, ota_zip **zip, ota_error *err);

/* ota_verify_fd on the regular file at path, without options. */
int ota_verify_package(const char *path, const ota_keyset *keys, ota_verify_info *info,
                       ota_error *err);

/* ---- handing a verified package to a child ---------------------------------
 * Recovery verifies; the update-binary it starts reads the same open file
 * (/proc/self/fd/N) and must hold what it reads to what recovery verified.
 * The token, passed in the environment variable OTA_VERIFIED_ENV, names
 * that snapshot:
 *   "MANIFEST_SHA256:INDEX_SHA256" (hex)  a package with a v1 JAR
 *       signature, read in place: the child checks the central directory
 *       and the manifest, which then checks every entry it reads;
 *   "sealed:INDEX_SHA256" (hex)  a sealed snapshot: the child checks the
 *       seals of the file it opened itself (they must forbid writing,
 *       shrinking and growing) and the central directory; its entries
 *       need no further check, since the bytes cannot change. */
#define OTA_VERIFIED_ENV "OTA_VERIFIED_PACKAGE"
#define OTA_VERIFIED_SEALED "sealed:"
#define OTA_VERIFIED_TOKEN_LEN (4 * OTA_SHA256_LEN + 1)

/* out (OTA_VERIFIED_TOKEN_LEN + 1 bytes) gets the token of info, which must
 * have jar_ok or a snapshot_fd. */
void ota_verified_token(const ota_verify_info *info, char *out);

/* Puts zip, opened on the package a verifier handed over with a
 * MANIFEST:INDEX token, in verified mode: its central directory must be
 * the verified one, and its META-INF/MANIFEST.MF the verified manifest,
 * which then checks every entry read.  -1 (OTA_ERR_VERIFY) when the
 * package changed after it was verified; OTA_ERR_ARGS for a malformed
 * token, or a sealed one (which needs the open file: ota_zip_open_verified). */
int ota_zip_adopt_verified(ota_zip *zip, const char *token, ota_error *err);

/* Opens the package a verifier handed over at path (the update-binary's
 * PACKAGE argument) and holds it to token, either kind: NULL with
 * OTA_ERR_VERIFY when it is not what was verified -- another central
 * directory, another manifest, or, for a sealed token, a file whose seals
 * do not forbid every change (not a sealed snapshot at all). */
ota_zip *ota_zip_open_verified(const char *path, const char *token, ota_error *err);

#endif
