/* What a verified v1 JAR manifest signs, and a checker that holds one
 * entry's bytes to their signed digests as they are read.
 *
 * Verification proves a package's bytes were signed at the moment they
 * were read; nothing stops someone who can write the file from changing
 * it afterwards.  So after verification every consumer reads entries
 * through a checker built from the verified manifest: the bytes are hashed
 * on their way to the consumer, and the read fails, naming the entry, when
 * they are not the signed ones; an entry the manifest does not list is
 * refused before a byte of it is read.  The checker only sees a stream of
 * bytes: the zip layer uses it for every read of an archive in verified
 * mode (otautil/zip.h), and a download that is never stored whole can use
 * it the same way.
 *
 *     ota_signed_entries *s = ota_signed_entries_new(mf, mf_len, &err);
 *     ota_entry_check *c = ota_entry_check_start(s, "boot.img", size, sink, ctx, &err);
 *     ... ota_entry_check_sink(c, data, len, &err) for each piece ...
 *     ota_entry_check_end(c, &err);   // -1: "manifest mismatch on entry boot.img: ..."
 */
#ifndef OTAUTIL_SIGNED_ENTRIES_H
#define OTAUTIL_SIGNED_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/manifest.h"
#include "otautil/sink.h"

#define OTA_MANIFEST_ENTRY "META-INF/MANIFEST.MF"

/* What the signature's own files are, which the manifest does not list:
 * MANIFEST.MF, and META-INF/X.SF and its block X.RSA, X.EC or X.DSA
 * directly under META-INF (names compared without regard to case). */
typedef enum ota_signature_file {
    OTA_SIG_NONE = 0,
    OTA_SIG_MANIFEST,
    OTA_SIG_SF,
    OTA_SIG_BLOCK,
} ota_signature_file;
ota_signature_file ota_signature_file_kind(const char *name);
/* Non-zero when name is any of them. */
int ota_is_signature_file(const char *name);

/* The digests a manifest or .SF section names as "<ALG><suffix>" (suffix
 * "-Digest" for an entry, "-Digest-Manifest" and the like in .SF files):
 * SHA-256, and SHA-1 spelled SHA1 or SHA-1, decoded. */
#define OTA_MF_DIGESTS_MAX 3
typedef struct ota_mf_digests {
    size_t count;
    struct {
        ota_hash_alg alg;
        uint8_t value[OTA_SHA256_LEN];
    } d[OTA_MF_DIGESTS_MAX];
} ota_mf_digests;

/* Fills out; -1 (OTA_ERR_FORMAT) when one is not base64 of the right
 * length, naming `what` and the attribute.  out->count may be 0. */
int ota_mf_digests_get(const ota_mf_section *s, const char *suffix, const char *what,
                       ota_mf_digests *out, ota_error *err);
/* 0 when every digest in d matches data; else -1 (OTA_ERR_VERIFY) "WHAT:
 * SHA-256 digest differs". */
int ota_mf_digests_check(const ota_mf_digests *d, const void *data, size_t len,
                         const char *what, ota_error *err);

typedef struct ota_signed_entries ota_signed_entries;

/* From the bytes of a manifest the caller has authenticated (their digest
 * checked against a verified .SF file, or their SHA-256 handed over by a
 * trusted parent).  Every section must carry a SHA-1 or SHA-256 digest in
 * base64; otherwise NULL with err naming the entry. */
ota_signed_entries *ota_signed_entries_new(const uint8_t *mf, size_t len, ota_error *err);
void ota_signed_entries_free(ota_signed_entries *s);

const ota_manifest *ota_signed_entries_manifest(const ota_signed_entries *s);
/* The SHA-256 of the manifest's bytes (OTA_SHA256_LEN bytes). */
const uint8_t *ota_signed_entries_manifest_sha256(const ota_signed_entries *s);

typedef struct ota_entry_check ota_entry_check;

/* Starts checking entry name's bytes, which go on to sink(ctx) (may be
 * NULL: hash only) as they arrive.  META-INF/MANIFEST.MF is held to the
 * manifest's own SHA-256; the other signature files pass unchecked (they
 * carry their own signature); any other entry must be listed, or NULL with
 * OTA_ERR_VERIFY "entry X is not listed in the signed manifest".
 * size_hint: entries of 8 MiB or more are hashed in a helper thread. */
ota_entry_check *ota_entry_check_start(const ota_signed_entries *s, const char *name,
                                       uint64_t size_hint, ota_sink_fn sink, void *ctx,
                                       ota_error *err);
/* An ota_sink_fn: hashes the piece, then passes it on. */
int ota_entry_check_sink(void *check, const void *data, size_t len, ota_error *err);
/* After the last piece: 0 when every digest matched, else -1 with
 * OTA_ERR_VERIFY "manifest mismatch on entry X: its SHA-256 digest differs
 * from the signed manifest".  Frees c either way. */
int ota_entry_check_end(ota_entry_check *c, ota_error *err);
/* Frees a check that will not be completed (the read failed). */
void ota_entry_check_abort(ota_entry_check *c);

#endif
