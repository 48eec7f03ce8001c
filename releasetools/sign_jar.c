/* The v1 JAR signature: MANIFEST.MF with each entry's digest, CERT.SF with
 * the digests of the manifest and of each of its sections, and the PKCS#7
 * block over CERT.SF.  Attribute names and layout as Android's signapk. */
#include <string.h>

#include "otautil/hash.h"
#include "otautil/manifest.h"
#include "releasetools/sign_internal.h"

#define CREATED_BY "1.0 (Android SignApk)"
#define PIPE_MIN_SIZE (8u << 20)

static const char *digest_key(ota_hash_alg alg)
{
    return alg == OTA_HASH_SHA1 ? "SHA1-Digest" : "SHA-256-Digest";
}

static const char *manifest_digest_key(ota_hash_alg alg)
{
    return alg == OTA_HASH_SHA1 ? "SHA1-Digest-Manifest" : "SHA-256-Digest-Manifest";
}

static void digest_of(ota_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
    if (alg == OTA_HASH_SHA1)
        ota_sha1(data, len, out);
    else
        ota_sha256(data, len, out);
}

/* The base64 digest of an item's contents. */
static int item_digest(const sign_signer *s, ota_zip *in, const sign_item *it, char *b64,
                       ota_error *err)
{
    uint8_t md[OTA_HASH_MAX_LEN];
    if (!it->entry) {
        digest_of(s->hash, s->cert_pem.data, s->cert_pem.len, md);
    } else {
        ota_hash h, *hp = &h;
        if (ota_hash_init(&h, s->hash, err) < 0)
            return -1;
        /* Large entries: reading/inflating and hashing on two cores. */
        ota_hash_pipe *pipe = ota_hash_pipe_start(&hp, 1, it->entry->size >= PIPE_MIN_SIZE, err);
        int rc = pipe ? ota_zip_stream(in, it->entry, ota_hash_pipe_sink, pipe, err) : -1;
        ota_hash_pipe_end(pipe);
        if (rc < 0) {
            ota_hash_abort(&h);
            return -1;
        }
        ota_hash_final(&h, md);
    }
    ota_base64_encode(md, ota_hash_len(s->hash), b64);
    return 0;
}

/* One manifest section, and the CERT.SF section naming its digest. */
static int add_section(const sign_signer *s, const char *name, const char *b64, ota_buf *mf,
                       ota_buf *sf_sections, ota_error *err)
{
    ota_buf sec = {0};
    char sec_b64[2 * OTA_HASH_MAX_LEN];
    uint8_t md[OTA_HASH_MAX_LEN];
    int rc = -1;
    if (ota_manifest_write_attr(&sec, "Name", name, err) == 0 &&
        ota_manifest_write_attr(&sec, digest_key(s->hash), b64, err) == 0 &&
        ota_buf_append(&sec, "\r\n", 2, err) == 0 &&
        ota_buf_append(mf, sec.data, sec.len, err) == 0) {
        digest_of(s->hash, sec.data, sec.len, md);
        ota_base64_encode(md, ota_hash_len(s->hash), sec_b64);
        if (ota_manifest_write_attr(sf_sections, "Name", name, err) == 0 &&
            ota_manifest_write_attr(sf_sections, digest_key(s->hash), sec_b64, err) == 0 &&
            ota_buf_append(sf_sections, "\r\n", 2, err) == 0)
            rc = 0;
    }
    ota_buf_free(&sec);
    return rc;
}

static int write_main_section(sign_jar *jar, ota_error *err)
{
    return ota_manifest_write_attr(&jar->manifest, "Manifest-Version", "1.0", err) == 0 &&
                   ota_manifest_write_attr(&jar->manifest, "Created-By", CREATED_BY, err) == 0 &&
                   ota_buf_append(&jar->manifest, "\r\n", 2, err) == 0
               ? 0
               : -1;
}

/* CERT.SF: its main section (with the whole manifest's digest), then the
 * entry sections collected while writing the manifest. */
static int write_sf(const sign_signer *s, sign_jar *jar, const ota_buf *sections, ota_error *err)
{
    uint8_t md[OTA_HASH_MAX_LEN];
    char b64[2 * OTA_HASH_MAX_LEN];
    digest_of(s->hash, jar->manifest.data, jar->manifest.len, md);
    ota_base64_encode(md, ota_hash_len(s->hash), b64);
    if (ota_manifest_write_attr(&jar->sf, "Signature-Version", "1.0", err) < 0 ||
        ota_manifest_write_attr(&jar->sf, "Created-By", CREATED_BY, err) < 0 ||
        ota_manifest_write_attr(&jar->sf, manifest_digest_key(s->hash), b64, err) < 0 ||
        ota_buf_append(&jar->sf, "\r\n", 2, err) < 0 ||
        ota_buf_append(&jar->sf, sections->data, sections->len, err) < 0)
        return -1;
    digest_of(s->hash, jar->sf.data, jar->sf.len, md);
    return sign_pkcs7(s, md, &jar->block, err);
}

int sign_jar_build(const sign_signer *s, ota_zip *in, const sign_item *items, size_t count,
                   sign_jar *jar, ota_error *err)
{
    memset(jar, 0, sizeof *jar);
    ota_buf sections = {0};
    char b64[2 * OTA_HASH_MAX_LEN];
    int rc = write_main_section(jar, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        if (items[i].entry && items[i].entry->is_dir)
            continue;
        if (strpbrk(items[i].name, "\r\n")) {
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "entry %zu's name contains a line break, which a manifest cannot "
                               "list", items[i].entry ? items[i].entry->index + 1 : 0);
            break;
        }
        if (item_digest(s, in, &items[i], b64, err) < 0 ||
            add_section(s, items[i].name, b64, &jar->manifest, &sections, err) < 0) {
            ota_error_prefix(err, "entry %s", items[i].name);
            rc = -1;
        }
    }
    if (rc == 0)
        rc = write_sf(s, jar, &sections, err);
    ota_buf_free(&sections);
    if (rc != 0)
        sign_jar_free(jar);
    return rc;
}

void sign_jar_free(sign_jar *jar)
{
    ota_buf_free(&jar->manifest);
    ota_buf_free(&jar->sf);
    ota_buf_free(&jar->block);
}
