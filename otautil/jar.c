/* v1 JAR verification, on top of the zip reader, the manifest parser and
 * the signed-entry table.  No text is parsed before it is authenticated:
 * the .SF file only after the signature block (by the whole file's
 * certificate) verified over its bytes, the manifest only after the .SF's
 * digest of it matched.  The entries are then read in verified mode, which
 * checks each one's digests as it streams. */
#include "otautil/jar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "otautil/manifest.h"
#include "otautil/signed_entries.h"

#define MF_NAME OTA_MANIFEST_ENTRY

typedef struct jar_files {
    const ota_zip_entry *mf, *sf, *block;
    size_t nsf, nblock;
} jar_files;

static void find_files(const ota_zip *zip, jar_files *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        switch (ota_signature_file_kind(e->name)) {
        case OTA_SIG_MANIFEST:
            f->mf = e;
            break;
        case OTA_SIG_SF:
            f->nsf++, f->sf = e;
            break;
        case OTA_SIG_BLOCK:
            f->nblock++, f->block = e;
            break;
        case OTA_SIG_NONE:
            break;
        }
    }
}

static int check_file_set(const jar_files *f, ota_error *err)
{
    if (!f->mf)
        return ota_error_set(err, OTA_ERR_VERIFY, "v1 signature incomplete: no %s", MF_NAME);
    if (f->nsf != 1 || f->nblock != 1)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "v1 signature: expected one signer (X.SF and X.RSA or X.EC), found "
                             "%zu .SF and %zu signature block file(s)",
                             f->nsf, f->nblock);
    size_t base = strlen(f->sf->name) - 3;
    if (strncmp(f->sf->name, f->block->name, base) != 0 || f->block->name[base] != '.')
        return ota_error_set(err, OTA_ERR_VERIFY, "v1 signature: %s does not belong to %s",
                             f->block->name, f->sf->name);
    return 0;
}

/* The block must be by the whole file's certificate and sign the .SF. */
static int check_block(ota_zip *zip, const jar_files *f, const uint8_t *sf, size_t sf_len,
                       const ota_pkcs7 *whole_file, const ota_key *key, ota_error *err)
{
    uint8_t *der = NULL;
    size_t der_len = 0;
    if (ota_zip_read(zip, f->block, &der, &der_len, OTA_JAR_BLOCK_MAX, err) < 0)
        return -1;
    ota_pkcs7 sig;
    int rc = ota_pkcs7_parse(&sig, der, der_len, f->block->name, err);
    free(der);
    if (rc < 0)
        return -1;
    if (X509_cmp(sig.signer, whole_file->signer) != 0) {
        char a[256], b[256];
        ota_pkcs7_signer_name(&sig, a, sizeof a);
        ota_pkcs7_signer_name(whole_file, b, sizeof b);
        rc = ota_error_set(err, OTA_ERR_VERIFY,
                           "%s: signed by %s, not by the whole file's certificate %s",
                           f->block->name, a, b);
    } else {
        uint8_t md[OTA_HASH_MAX_LEN];
        if (sig.hash == OTA_HASH_SHA1)
            ota_sha1(sf, sf_len, md);
        else
            ota_sha256(sf, sf_len, md);
        rc = ota_pkcs7_verify_digest(&sig, key->pkey, md, f->block->name, err);
    }
    ota_pkcs7_free(&sig);
    return rc;
}

/* Checks the "<ALG><suffix>" digests of s over data; with required, at
 * least one must be there. */
static int check_digests(const ota_mf_section *s, const char *suffix, const uint8_t *data,
                         size_t len, int required, const char *what, ota_error *err)
{
    ota_mf_digests d;
    if (ota_mf_digests_get(s, suffix, what, &d, err) < 0)
        return -1;
    if (d.count == 0 && required)
        return ota_error_set(err, OTA_ERR_VERIFY, "%s: no SHA-1 or SHA-256 %s attribute", what,
                             suffix + 1);
    return ota_mf_digests_check(&d, data, len, what, err);
}

/* .SF against the manifest, section by section, and every manifest entry
 * covered by the .SF (the whole manifest's digest was checked before it
 * was parsed). */
static int check_sf_sections(const jar_files *f, const ota_manifest *sf, const ota_manifest *mf,
                             const uint8_t *mf_data, ota_error *err)
{
    char what[300];
    snprintf(what, sizeof what, "%s vs %s", f->sf->name, MF_NAME);
    if (check_digests(&sf->main, "-Digest-Manifest-Main-Attributes", mf_data + mf->main.offset,
                      mf->main.len, 0, what, err) < 0)
        return -1;
    for (size_t i = 0; i < sf->count; i++) {
        const ota_mf_section *s = &sf->sections[i];
        const ota_mf_section *m = ota_manifest_find(mf, s->name);
        if (!m)
            return ota_error_set(err, OTA_ERR_VERIFY, "%s names entry %s, which %s lacks",
                                 f->sf->name, s->name, MF_NAME);
        snprintf(what, sizeof what, "%s: section of entry %s", f->sf->name, s->name);
        if (check_digests(s, "-Digest", mf_data + m->offset, m->len, 1, what, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < mf->count; i++)
        if (!ota_manifest_find(sf, mf->sections[i].name))
            return ota_error_set(err, OTA_ERR_VERIFY, "entry %s in %s is not covered by %s",
                                 mf->sections[i].name, MF_NAME, f->sf->name);
    return 0;
}

/* Listed entries exist and are no signature files; unlisted entries are
 * signature files or directories. */
static int check_listing(ota_zip *zip, const ota_manifest *mf, ota_error *err)
{
    for (size_t i = 0; i < mf->count; i++) {
        const char *name = mf->sections[i].name;
        if (!ota_zip_find(zip, name))
            return ota_error_set(err, OTA_ERR_VERIFY,
                                 "manifest names entry %s, which the package lacks", name);
        if (ota_is_signature_file(name))
            return ota_error_set(err, OTA_ERR_VERIFY, "manifest lists signature file %s", name);
    }
    for (size_t i = 0; i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        if (!e->is_dir && !ota_is_signature_file(e->name) && !ota_manifest_find(mf, e->name))
            return ota_error_set(err, OTA_ERR_VERIFY,
                                 "entry %s is not listed in the manifest (not signed)", e->name);
    }
    return 0;
}

static int discard(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)ctx, (void)data, (void)len, (void)err;
    return 0;
}

/* In verified mode, reading an entry checks it. */
static int check_entries(ota_zip *zip, const ota_manifest *mf, ota_error *err)
{
    for (size_t i = 0; i < mf->count; i++) {
        const ota_zip_entry *e = ota_zip_find(zip, mf->sections[i].name);
        if (ota_zip_stream(zip, e, discard, NULL, err) < 0)
            return -1;
    }
    return 0;
}

/* The .SF, authenticated by the block, and the manifest's bytes checked
 * against it; then the manifest parsed into the signed-entry table. */
static ota_signed_entries *read_signed(ota_zip *zip, const jar_files *f,
                                       const ota_pkcs7 *whole_file, const ota_key *key,
                                       ota_manifest *sf, ota_error *err)
{
    uint8_t *sf_data = NULL, *mf_data = NULL;
    size_t sf_len = 0, mf_len = 0;
    ota_signed_entries *signed_entries = NULL;
    char what[300];
    snprintf(what, sizeof what, "%s vs %s", f->sf->name, MF_NAME);
    int authentic = ota_zip_read(zip, f->sf, &sf_data, &sf_len, OTA_JAR_TEXT_MAX, err) == 0 &&
                    check_block(zip, f, sf_data, sf_len, whole_file, key, err) == 0 &&
                    ota_manifest_parse(sf_data, sf_len, f->sf->name, sf, err) == 0 &&
                    ota_zip_read(zip, f->mf, &mf_data, &mf_len, OTA_JAR_TEXT_MAX, err) == 0 &&
                    check_digests(&sf->main, "-Digest-Manifest", mf_data, mf_len, 1, what, err) == 0;
    if (authentic)
        signed_entries = ota_signed_entries_new(mf_data, mf_len, err);
    if (signed_entries &&
        check_sf_sections(f, sf, ota_signed_entries_manifest(signed_entries), mf_data, err) < 0) {
        ota_signed_entries_free(signed_entries);
        signed_entries = NULL;
    }
    free(sf_data);
    free(mf_data);
    return signed_entries;
}

int ota_jar_present(const ota_zip *zip)
{
    jar_files f;
    find_files(zip, &f);
    return f.mf || f.nsf || f.nblock;
}

static int jar_verify(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key, int *present,
                      int read_all, ota_error *err)
{
    *present = ota_jar_present(zip);
    if (!*present)
        return 0;
    jar_files f;
    find_files(zip, &f);
    if (check_file_set(&f, err) < 0)
        return -1;
    ota_manifest sf = {0};
    ota_signed_entries *signed_entries = read_signed(zip, &f, whole_file, key, &sf, err);
    ota_manifest_free(&sf);
    if (!signed_entries)
        return -1;
    const ota_manifest *mf = ota_signed_entries_manifest(signed_entries);
    if (check_listing(zip, mf, err) < 0) {
        ota_signed_entries_free(signed_entries);
        return -1;
    }
    if (ota_zip_verify_entries(zip, signed_entries, err) < 0)
        return -1;
    return read_all ? check_entries(zip, mf, err) : 0;
}

int ota_jar_verify(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key, int *present,
                   ota_error *err)
{
    return jar_verify(zip, whole_file, key, present, 1, err);
}

int ota_jar_verify_deferred(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key,
                            int *present, ota_error *err)
{
    return jar_verify(zip, whole_file, key, present, 0, err);
}
