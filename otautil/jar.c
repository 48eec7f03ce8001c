/* v1 JAR verification, on top of the zip reader and the manifest parser. */
#include "otautil/jar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "otautil/manifest.h"

#define MF_NAME "META-INF/MANIFEST.MF"
/* Entries from this size on are hashed in a helper thread. */
#define PIPE_MIN_SIZE (8u << 20)

static const char *const block_suffixes[] = {".RSA", ".EC", ".DSA"};

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcasecmp(name + n - s, suffix) == 0;
}

/* Directly under META-INF/ (no further slash). */
static int in_meta_inf(const char *name)
{
    return strncasecmp(name, "META-INF/", 9) == 0 && !strchr(name + 9, '/');
}

static int is_block_file(const char *name)
{
    if (!in_meta_inf(name))
        return 0;
    for (size_t i = 0; i < sizeof block_suffixes / sizeof *block_suffixes; i++)
        if (has_suffix(name, block_suffixes[i]))
            return 1;
    return 0;
}

static int is_sf_file(const char *name)
{
    return in_meta_inf(name) && has_suffix(name, ".SF");
}

int ota_jar_is_signature_file(const char *name)
{
    return strcasecmp(name, MF_NAME) == 0 || is_sf_file(name) || is_block_file(name);
}

/* The digest algorithms a manifest or .SF attribute may name. */
static const struct {
    const char *prefix;
    ota_hash_alg alg;
} algs[] = {{"SHA-256", OTA_HASH_SHA256}, {"SHA1", OTA_HASH_SHA1}, {"SHA-1", OTA_HASH_SHA1}};
#define NALGS (sizeof algs / sizeof *algs)

/* Finds "<ALG><suffix>" values in s; returns how many supported ones were
 * found and fills vals[i] for algs[i] (NULL when absent). */
static size_t find_digests(const ota_mf_section *s, const char *suffix, const char *vals[NALGS])
{
    size_t found = 0;
    for (size_t i = 0; i < NALGS; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s%s", algs[i].prefix, suffix);
        vals[i] = ota_manifest_attr(s, key);
        found += vals[i] != NULL;
    }
    return found;
}

/* Checks every supported digest "<ALG><suffix>" in s against data. */
static int check_digests(const ota_mf_section *s, const char *suffix, const uint8_t *data,
                         size_t len, int required, const char *what, ota_error *err)
{
    const char *vals[NALGS];
    if (find_digests(s, suffix, vals) == 0) {
        if (!required)
            return 0;
        return ota_error_set(err, OTA_ERR_VERIFY, "%s: no SHA-1 or SHA-256 %s attribute", what,
                             suffix + 1);
    }
    for (size_t i = 0; i < NALGS; i++) {
        if (!vals[i])
            continue;
        uint8_t want[OTA_HASH_MAX_LEN], got[OTA_HASH_MAX_LEN];
        size_t n = ota_hash_len(algs[i].alg);
        if (ota_base64_decode(vals[i], want, n) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s%s is not a base64 %s digest", what,
                                 algs[i].prefix, suffix, ota_hash_name(algs[i].alg));
        if (algs[i].alg == OTA_HASH_SHA1)
            ota_sha1(data, len, got);
        else
            ota_sha256(data, len, got);
        if (memcmp(want, got, n) != 0)
            return ota_error_set(err, OTA_ERR_VERIFY, "%s: %s digest differs", what,
                                 ota_hash_name(algs[i].alg));
    }
    return 0;
}

/* Streams the entry once through every digest its section names. */
static int check_entry(ota_zip *zip, const ota_zip_entry *e, const ota_mf_section *s,
                       ota_error *err)
{
    const char *vals[NALGS];
    if (find_digests(s, "-Digest", vals) == 0)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "manifest mismatch on entry %s: no SHA-1 or SHA-256 digest", e->name);
    uint8_t want[NALGS][OTA_HASH_MAX_LEN];
    ota_hash h[NALGS], *active[NALGS];
    int on[NALGS] = {0};
    size_t nactive = 0;
    int rc = 0;
    for (size_t i = 0; i < NALGS && rc == 0; i++) {
        if (!vals[i])
            continue;
        if (ota_base64_decode(vals[i], want[i], ota_hash_len(algs[i].alg)) < 0)
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "manifest entry %s: %s-Digest is not a base64 %s digest", e->name,
                               algs[i].prefix, ota_hash_name(algs[i].alg));
        else if (ota_hash_init(&h[i], algs[i].alg, err) == 0)
            on[i] = 1, active[nactive++] = &h[i];
        else
            rc = -1;
    }
    if (rc == 0) {
        ota_hash_pipe *pipe = ota_hash_pipe_start(active, nactive, e->size >= PIPE_MIN_SIZE, err);
        if (!pipe || ota_zip_stream(zip, e, ota_hash_pipe_sink, pipe, err) < 0)
            rc = -1;
        ota_hash_pipe_end(pipe);
    }
    for (size_t i = 0; i < NALGS; i++) {
        if (!on[i])
            continue;
        if (rc < 0) {
            ota_hash_abort(&h[i]);
            continue;
        }
        uint8_t got[OTA_HASH_MAX_LEN];
        ota_hash_final(&h[i], got);
        if (memcmp(got, want[i], ota_hash_len(algs[i].alg)) != 0)
            rc = ota_error_set(err, OTA_ERR_VERIFY,
                               "manifest mismatch on entry %s: its %s digest differs", e->name,
                               ota_hash_name(algs[i].alg));
    }
    return rc;
}

typedef struct jar_files {
    const ota_zip_entry *mf, *sf, *block;
    size_t nsf, nblock;
} jar_files;

static void find_files(ota_zip *zip, jar_files *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        if (strcasecmp(e->name, MF_NAME) == 0)
            f->mf = e;
        else if (is_sf_file(e->name))
            f->nsf++, f->sf = e;
        else if (is_block_file(e->name))
            f->nblock++, f->block = e;
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

/* .SF against the manifest: whole file, main attributes, each section;
 * and every manifest entry covered by the .SF. */
static int check_sf(const jar_files *f, const ota_manifest *sf, const ota_manifest *mf,
                    const uint8_t *mf_data, size_t mf_len, ota_error *err)
{
    char what[300];
    snprintf(what, sizeof what, "%s vs %s", f->sf->name, MF_NAME);
    if (check_digests(&sf->main, "-Digest-Manifest", mf_data, mf_len, 1, what, err) < 0)
        return -1;
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

/* Listed entries exist and match; unlisted entries are signature files or
 * directories. */
static int check_entries(ota_zip *zip, const ota_manifest *mf, ota_error *err)
{
    for (size_t i = 0; i < mf->count; i++) {
        const ota_mf_section *s = &mf->sections[i];
        const ota_zip_entry *e = ota_zip_find(zip, s->name);
        if (!e)
            return ota_error_set(err, OTA_ERR_VERIFY,
                                 "manifest names entry %s, which the package lacks", s->name);
        if (ota_jar_is_signature_file(s->name))
            return ota_error_set(err, OTA_ERR_VERIFY, "manifest lists signature file %s",
                                 s->name);
        if (check_entry(zip, e, s, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        if (!e->is_dir && !ota_jar_is_signature_file(e->name) && !ota_manifest_find(mf, e->name))
            return ota_error_set(err, OTA_ERR_VERIFY,
                                 "entry %s is not listed in the manifest (not signed)", e->name);
    }
    return 0;
}

int ota_jar_verify(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key, int *present,
                   ota_error *err)
{
    jar_files f;
    find_files(zip, &f);
    *present = f.mf || f.nsf || f.nblock;
    if (!*present)
        return 0;
    if (check_file_set(&f, err) < 0)
        return -1;
    uint8_t *sf_data = NULL, *mf_data = NULL;
    size_t sf_len = 0, mf_len = 0;
    ota_manifest sf = {0}, mf = {0};
    int rc = -1;
    if (ota_zip_read(zip, f.sf, &sf_data, &sf_len, OTA_JAR_TEXT_MAX, err) == 0 &&
        check_block(zip, &f, sf_data, sf_len, whole_file, key, err) == 0 &&
        ota_zip_read(zip, f.mf, &mf_data, &mf_len, OTA_JAR_TEXT_MAX, err) == 0 &&
        ota_manifest_parse(sf_data, sf_len, f.sf->name, &sf, err) == 0 &&
        ota_manifest_parse(mf_data, mf_len, f.mf->name, &mf, err) == 0 &&
        check_sf(&f, &sf, &mf, mf_data, mf_len, err) == 0 &&
        check_entries(zip, &mf, err) == 0)
        rc = 0;
    ota_manifest_free(&sf);
    ota_manifest_free(&mf);
    free(sf_data);
    free(mf_data);
    return rc;
}
