#include "otautil/verify_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/footer.h"
#include "otautil/hash.h"
#include "otautil/jar.h"
#include "otautil/keys.h"
#include "otautil/verify_internal.h"

struct ota_stream_verify {
    ota_pkcs7 sig;
    const ota_key *key;
    uint64_t signed_len;
    uint64_t cd_off, cd_len;
    uint8_t index_sha256[OTA_SHA256_LEN];
    ota_hash whole, cd;
    uint64_t at;         /* the digest has taken [0, at) */
    char name[256];
};

static int read_tail(ota_zip_read_fn read, void *ctx, uint64_t size, uint8_t **tail,
                     size_t *len, ota_error *err)
{
    *len = size < OTA_FOOTER_TAIL_MAX ? (size_t)size : OTA_FOOTER_TAIL_MAX;
    if (!(*tail = malloc(*len ? *len : 1)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the file's tail");
    if (read(ctx, *tail, *len, size - *len) < 0)
        return ota_error_errno(err, "cannot read the end of the package");
    return 0;
}

static ota_stream_verify *fail(ota_stream_verify *sv, ota_zip **zip, ota_error *err)
{
    if (err && sv && strncmp(err->message, sv->name, strlen(sv->name)) != 0)
        ota_error_prefix(err, "%s", sv->name);
    ota_zip_close(*zip);
    *zip = NULL;
    ota_stream_verify_free(sv);
    return NULL;
}

ota_stream_verify *ota_stream_verify_begin(ota_zip_read_fn read, void *ctx, uint64_t size,
                                           const char *name, const ota_keyset *keys,
                                           ota_zip **zip, ota_verify_info *info,
                                           ota_error *err)
{
    *zip = NULL;
    memset(info, 0, sizeof *info);
    ota_stream_verify *sv = calloc(1, sizeof *sv);
    if (!sv)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
    snprintf(sv->name, sizeof sv->name, "%s", name);
    if (ota_keyset_count(keys) == 0) {
        ota_error_set(err, OTA_ERR_ARGS, "no trusted keys to verify against");
        free(sv);
        return fail(NULL, zip, err);
    }
    uint8_t *tail = NULL;
    size_t tail_len, key_index;
    int rc = read_tail(read, ctx, size, &tail, &tail_len, err);
    if (rc == 0)
        rc = ota_verify_locate(tail, tail_len, size, keys, &sv->sig, &sv->signed_len, &key_index,
                               err);
    free(tail);
    if (rc < 0) {
        free(sv);
        sv = NULL;
        ota_error_prefix(err, "%s", name);
        return fail(NULL, zip, err);
    }
    sv->key = ota_keyset_key(keys, key_index);
    if (ota_hash_init(&sv->whole, sv->sig.hash, err) < 0) {
        sv->at = UINT64_MAX; /* nothing to abort at free */
        return fail(sv, zip, err);
    }
    if (ota_hash_init(&sv->cd, OTA_HASH_SHA256, err) < 0) {
        ota_hash_abort(&sv->whole);
        sv->at = UINT64_MAX; /* nothing to abort at free */
        return fail(sv, zip, err);
    }
    if (!(*zip = ota_zip_open_reader(read, ctx, size, name, err)))
        return fail(sv, zip, err);
    ota_zip_index_extent(*zip, &sv->cd_off, &sv->cd_len);
    memcpy(sv->index_sha256, ota_zip_index_sha256(*zip), OTA_SHA256_LEN);
    int present = 0;
    if (ota_jar_verify_deferred(*zip, &sv->sig, sv->key, &present, err) < 0)
        return fail(sv, zip, err);
    if (!present) {
        ota_error_set(err, OTA_ERR_VERIFY, "no v1 JAR signature: a streamed package must have "
                      "every entry signed (sign it with signapk -w)");
        return fail(sv, zip, err);
    }
    info->key_index = key_index;
    info->jar_present = info->jar_ok = 1;
    snprintf(info->hash_name, sizeof info->hash_name, "%s", ota_hash_name(sv->sig.hash));
    memcpy(info->index_sha256, sv->index_sha256, OTA_SHA256_LEN);
    memcpy(info->manifest_sha256,
           ota_signed_entries_manifest_sha256(ota_zip_signed_entries(*zip)), OTA_SHA256_LEN);
    return sv;
}

void ota_stream_verify_update(ota_stream_verify *sv, uint64_t off, const void *data, size_t len)
{
    if (sv->at == UINT64_MAX || off > sv->at || off + len <= sv->at || sv->at >= sv->signed_len)
        return;
    const uint8_t *p = (const uint8_t *)data + (sv->at - off);
    uint64_t end = off + len < sv->signed_len ? off + len : sv->signed_len;
    ota_hash_update(&sv->whole, p, (size_t)(end - sv->at));
    uint64_t from = sv->at > sv->cd_off ? sv->at : sv->cd_off;
    uint64_t to = end < sv->cd_off + sv->cd_len ? end : sv->cd_off + sv->cd_len;
    if (from < to)
        ota_hash_update(&sv->cd, p + (from - sv->at), (size_t)(to - from));
    sv->at = end;
}

void ota_stream_verify_next(const ota_stream_verify *sv, uint64_t *at, uint64_t *end)
{
    *at = sv->at == UINT64_MAX ? 0 : sv->at;
    *end = sv->signed_len;
}

int ota_stream_verify_finish(ota_stream_verify *sv, ota_error *err)
{
    if (sv->at != sv->signed_len)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: %s: only %llu of %llu signed bytes were "
                             "read", sv->name, OTA_WHOLE_FILE, (unsigned long long)sv->at,
                             (unsigned long long)sv->signed_len);
    uint8_t md[OTA_HASH_MAX_LEN], cd_md[OTA_SHA256_LEN];
    ota_hash_final(&sv->whole, md);
    ota_hash_final(&sv->cd, cd_md);
    sv->at = UINT64_MAX;
    if (ota_pkcs7_verify_digest(&sv->sig, sv->key->pkey, md, OTA_WHOLE_FILE, err) < 0) {
        ota_error_prefix(err, "%s", sv->name);
        return -1;
    }
    if (sv->cd_off > sv->signed_len || sv->cd_len > sv->signed_len - sv->cd_off ||
        memcmp(cd_md, sv->index_sha256, OTA_SHA256_LEN) != 0)
        return ota_error_set(err, OTA_ERR_VERIFY, "%s changed while it was being read: its "
                             "central directory is not the signed one", sv->name);
    return 0;
}

void ota_stream_verify_free(ota_stream_verify *sv)
{
    if (!sv)
        return;
    if (sv->at != UINT64_MAX) {
        ota_hash_abort(&sv->whole);
        ota_hash_abort(&sv->cd);
    }
    ota_pkcs7_free(&sv->sig);
    free(sv);
}
