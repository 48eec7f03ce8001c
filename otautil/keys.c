/* The trusted-key set: storage, the key kinds we accept, and
 * ota_keyset_load, which tells the three file formats apart. */
#include "otautil/keys.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"

/* A keys file is a few certificates; anything larger is not one.  It is
 * read with OTA_READ_REGULAR: a FIFO or device is refused at once. */
#define KEYS_FILE_MAX (4u << 20)

struct ota_keyset {
    ota_key *keys;
    size_t count, cap;
};

ota_keyset *ota_keyset_new(ota_error *err)
{
    ota_keyset *ks = calloc(1, sizeof *ks);
    if (!ks)
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a key set");
    return ks;
}

size_t ota_keyset_count(const ota_keyset *keys)
{
    return keys ? keys->count : 0;
}

const ota_key *ota_keyset_key(const ota_keyset *keys, size_t index)
{
    return keys && index < keys->count ? &keys->keys[index] : NULL;
}

void ota_keyset_free(ota_keyset *keys)
{
    if (!keys)
        return;
    for (size_t i = 0; i < keys->count; i++) {
        EVP_PKEY_free(keys->keys[i].pkey);
        X509_free(keys->keys[i].cert);
    }
    free(keys->keys);
    free(keys);
}

int ota_keyset_add(ota_keyset *keys, EVP_PKEY *pkey, X509 *cert, int hash_fixed,
                   ota_hash_alg hash, const char *label, ota_error *err)
{
    if (keys->count == keys->cap) {
        size_t cap = keys->cap ? keys->cap * 2 : 4;
        ota_key *p = realloc(keys->keys, cap * sizeof *p);
        if (!p) {
            EVP_PKEY_free(pkey);
            X509_free(cert);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory adding key %s", label);
        }
        keys->keys = p;
        keys->cap = cap;
    }
    ota_key *k = &keys->keys[keys->count++];
    memset(k, 0, sizeof *k);
    k->pkey = pkey;
    k->cert = cert;
    k->hash_fixed = hash_fixed;
    k->hash = hash;
    snprintf(k->label, sizeof k->label, "%s", label);
    return 0;
}

static int rsa_params(EVP_PKEY *pkey, int *bits, unsigned long *e)
{
    BIGNUM *bn = NULL;
    *bits = EVP_PKEY_get_bits(pkey);
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &bn))
        return -1;
    *e = BN_num_bits(bn) <= 32 ? BN_get_word(bn) : 0;
    BN_free(bn);
    return 0;
}

static int ec_is_p256(EVP_PKEY *pkey)
{
    char group[64];
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        &len))
        return 0;
    return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

void ota_key_describe(EVP_PKEY *pkey, char *out, size_t cap)
{
    int bits;
    unsigned long e;
    if (EVP_PKEY_is_a(pkey, "RSA") && rsa_params(pkey, &bits, &e) == 0)
        snprintf(out, cap, "RSA-%d e=%lu", bits, e);
    else if (EVP_PKEY_is_a(pkey, "EC"))
        snprintf(out, cap, "EC %s", ec_is_p256(pkey) ? "P-256" : "(not P-256)");
    else
        snprintf(out, cap, "%s", EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey)
                                                                : "unknown key type");
}

int ota_key_check_kind(EVP_PKEY *pkey, const char *what, ota_error *err)
{
    char desc[64];
    ota_key_describe(pkey, desc, sizeof desc);
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        int bits;
        unsigned long e;
        if (rsa_params(pkey, &bits, &e) == 0 && (bits == 2048 || bits == 4096) &&
            (e == 3 || e == 65537))
            return 0;
    } else if (EVP_PKEY_is_a(pkey, "EC") && ec_is_p256(pkey)) {
        return 0;
    }
    return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                         "%s: unsupported key %s (RSA 2048/4096 with e=3 or 65537, or EC P-256)",
                         what, desc);
}

static int looks_like_text_keys(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i < len && s[i] == '{')
        return 1;
    return i + 2 < len && s[i] == 'v' && s[i + 1] >= '1' && s[i + 1] <= '9';
}

ota_keyset *ota_keyset_load(const char *path, ota_error *err)
{
    ota_buf buf = {0};
    if (ota_read_file(path, "keys file", KEYS_FILE_MAX, OTA_READ_REGULAR, &buf, err) < 0) {
        ota_buf_free(&buf);
        return NULL;
    }
    ota_keyset *keys = ota_keyset_new(err);
    int rc = keys ? 0 : -1;
    if (rc == 0) {
        if (buf.len >= 4 && memcmp(buf.data, "PK\3\4", 4) == 0)
            rc = ota_keys_load_zip(keys, buf.data, buf.len, path, err);
        else if (memmem(buf.data, buf.len, "-----BEGIN", 10))
            rc = ota_keys_parse_pem(keys, buf.data, buf.len, path, err);
        else if (looks_like_text_keys((const char *)buf.data, buf.len))
            rc = ota_keys_parse_text(keys, (const char *)buf.data, buf.len, path, err);
        else
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "%s: not a keys file (expected PEM certificates, a zip of "
                               "*.x509.pem or the /res/keys text format)",
                               path);
    }
    if (rc == 0 && keys->count == 0)
        rc = ota_error_set(err, OTA_ERR_NOTFOUND, "%s: holds no usable key", path);
    ota_buf_free(&buf);
    if (rc < 0) {
        ota_keyset_free(keys);
        return NULL;
    }
    return keys;
}
