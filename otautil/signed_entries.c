/* The signed-entry table and the per-entry checker (otautil/signed_entries.h).
 * Digests are decoded once, when the table is built; a check then costs
 * the hashing only. */
#include "otautil/signed_entries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

ota_signature_file ota_signature_file_kind(const char *name)
{
    if (strcasecmp(name, OTA_MANIFEST_ENTRY) == 0)
        return OTA_SIG_MANIFEST;
    if (!in_meta_inf(name))
        return OTA_SIG_NONE;
    if (has_suffix(name, ".SF"))
        return OTA_SIG_SF;
    for (size_t i = 0; i < sizeof block_suffixes / sizeof *block_suffixes; i++)
        if (has_suffix(name, block_suffixes[i]))
            return OTA_SIG_BLOCK;
    return OTA_SIG_NONE;
}

int ota_is_signature_file(const char *name)
{
    return ota_signature_file_kind(name) != OTA_SIG_NONE;
}

/* The spellings a manifest or .SF attribute may use. */
static const struct {
    const char *prefix;
    ota_hash_alg alg;
} algs[] = {{"SHA-256", OTA_HASH_SHA256}, {"SHA1", OTA_HASH_SHA1}, {"SHA-1", OTA_HASH_SHA1}};

int ota_mf_digests_get(const ota_mf_section *s, const char *suffix, const char *what,
                       ota_mf_digests *out, ota_error *err)
{
    out->count = 0;
    for (size_t i = 0; i < sizeof algs / sizeof *algs; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s%s", algs[i].prefix, suffix);
        const char *v = ota_manifest_attr(s, key);
        if (!v)
            continue;
        if (ota_base64_decode(v, out->d[out->count].value, ota_hash_len(algs[i].alg)) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s is not a base64 %s digest", what,
                                 key, ota_hash_name(algs[i].alg));
        out->d[out->count++].alg = algs[i].alg;
    }
    return 0;
}

int ota_mf_digests_check(const ota_mf_digests *d, const void *data, size_t len,
                         const char *what, ota_error *err)
{
    for (size_t i = 0; i < d->count; i++) {
        uint8_t got[OTA_HASH_MAX_LEN];
        if (d->d[i].alg == OTA_HASH_SHA1)
            ota_sha1(data, len, got);
        else
            ota_sha256(data, len, got);
        if (memcmp(got, d->d[i].value, ota_hash_len(d->d[i].alg)) != 0)
            return ota_error_set(err, OTA_ERR_VERIFY, "%s: %s digest differs", what,
                                 ota_hash_name(d->d[i].alg));
    }
    return 0;
}

struct ota_signed_entries {
    ota_manifest mf;
    ota_mf_digests *digests; /* per section, in mf.sections order */
    uint8_t mf_sha256[OTA_SHA256_LEN];
};

void ota_signed_entries_free(ota_signed_entries *s)
{
    if (!s)
        return;
    ota_manifest_free(&s->mf);
    free(s->digests);
    free(s);
}

ota_signed_entries *ota_signed_entries_new(const uint8_t *mf, size_t len, ota_error *err)
{
    ota_signed_entries *s = calloc(1, sizeof *s);
    if (!s) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the signed manifest");
        return NULL;
    }
    if (ota_manifest_parse(mf, len, OTA_MANIFEST_ENTRY, &s->mf, err) < 0) {
        free(s);
        return NULL;
    }
    ota_sha256(mf, len, s->mf_sha256);
    s->digests = calloc(s->mf.count ? s->mf.count : 1, sizeof *s->digests);
    if (!s->digests) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the signed manifest");
        ota_signed_entries_free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->mf.count; i++) {
        const ota_mf_section *sec = &s->mf.sections[i];
        char what[512];
        snprintf(what, sizeof what, "manifest entry %s", sec->name);
        if (ota_mf_digests_get(sec, "-Digest", what, &s->digests[i], err) < 0) {
            ota_signed_entries_free(s);
            return NULL;
        }
        if (s->digests[i].count == 0) {
            ota_error_set(err, OTA_ERR_VERIFY,
                          "manifest mismatch on entry %s: no SHA-1 or SHA-256 digest",
                          sec->name);
            ota_signed_entries_free(s);
            return NULL;
        }
    }
    return s;
}

const ota_manifest *ota_signed_entries_manifest(const ota_signed_entries *s)
{
    return &s->mf;
}

const uint8_t *ota_signed_entries_manifest_sha256(const ota_signed_entries *s)
{
    return s->mf_sha256;
}

struct ota_entry_check {
    char *name;
    ota_mf_digests want;
    ota_hash hashes[OTA_MF_DIGESTS_MAX];
    ota_hash_pipe *pipe;
    ota_sink_fn sink;
    void *ctx;
};

static void free_check(ota_entry_check *c)
{
    free(c->name);
    free(c);
}

ota_entry_check *ota_entry_check_start(const ota_signed_entries *s, const char *name,
                                       uint64_t size_hint, ota_sink_fn sink, void *ctx,
                                       ota_error *err)
{
    ota_entry_check *c = calloc(1, sizeof *c);
    if (!c || !(c->name = strdup(name))) {
        free(c);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory checking entry %s", name);
        return NULL;
    }
    c->sink = sink;
    c->ctx = ctx;
    const ota_mf_section *sec = ota_manifest_find(&s->mf, name);
    if (sec) {
        c->want = s->digests[sec - s->mf.sections];
    } else if (strcasecmp(name, OTA_MANIFEST_ENTRY) == 0) {
        c->want.count = 1;
        c->want.d[0].alg = OTA_HASH_SHA256;
        memcpy(c->want.d[0].value, s->mf_sha256, OTA_SHA256_LEN);
    } else if (!ota_is_signature_file(name)) {
        ota_error_set(err, OTA_ERR_VERIFY, "entry %s is not listed in the signed manifest",
                      name);
        free_check(c);
        return NULL;
    }
    ota_hash *active[OTA_MF_DIGESTS_MAX];
    for (size_t i = 0; i < c->want.count; i++) {
        if (ota_hash_init(&c->hashes[i], c->want.d[i].alg, err) < 0) {
            while (i-- > 0)
                ota_hash_abort(&c->hashes[i]);
            free_check(c);
            return NULL;
        }
        active[i] = &c->hashes[i];
    }
    c->pipe = ota_hash_pipe_start(active, c->want.count,
                                  c->want.count > 0 && size_hint >= PIPE_MIN_SIZE, err);
    if (!c->pipe) {
        for (size_t i = 0; i < c->want.count; i++)
            ota_hash_abort(&c->hashes[i]);
        free_check(c);
        return NULL;
    }
    return c;
}

int ota_entry_check_sink(void *check, const void *data, size_t len, ota_error *err)
{
    ota_entry_check *c = check;
    if (ota_hash_pipe_sink(c->pipe, data, len, err) < 0)
        return -1;
    return c->sink ? c->sink(c->ctx, data, len, err) : 0;
}

int ota_entry_check_end(ota_entry_check *c, ota_error *err)
{
    ota_hash_pipe_end(c->pipe);
    int rc = 0;
    for (size_t i = 0; i < c->want.count; i++) {
        uint8_t got[OTA_HASH_MAX_LEN];
        ota_hash_final(&c->hashes[i], got);
        if (rc == 0 && memcmp(got, c->want.d[i].value, ota_hash_len(c->want.d[i].alg)) != 0)
            rc = ota_error_set(err, OTA_ERR_VERIFY,
                               "manifest mismatch on entry %s: its %s digest differs from the "
                               "signed manifest",
                               c->name, ota_hash_name(c->want.d[i].alg));
    }
    free_check(c);
    return rc;
}

void ota_entry_check_abort(ota_entry_check *c)
{
    if (!c)
        return;
    ota_hash_pipe_end(c->pipe);
    for (size_t i = 0; i < c->want.count; i++)
        ota_hash_abort(&c->hashes[i]);
    free_check(c);
}
