/* Trusted keys in the text format of gingerbread-era /res/keys (written by
 * Android's DumpPublicKey), keys separated by commas:
 *   RSA:  [vN] {WORDS,0xN0INV,{N[0],...},{RR[0],...}}
 *         N and RR little-endian 32-bit words; N0INV = -1/N[0] mod 2^32,
 *         RR = 2^(64*WORDS) mod N.  No prefix: e=3 SHA-1; v2: e=65537
 *         SHA-1; v3: e=3 SHA-256; v4: e=65537 SHA-256.
 *   EC:   v5 {32,{X bytes},{Y bytes}}  P-256 point, SHA-256.
 * N0INV and RR are redundant; they are checked, so a damaged key file is
 * refused instead of trusting a different key. */
#include <ctype.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/keys.h"

#define MAX_WORDS 128 /* RSA-4096 */
#define EC_BYTES 32

typedef struct cursor {
    const char *s;
    size_t len, pos;
    const char *what;
    int key; /* 1-based, for messages */
} cursor;

static void skip_space(cursor *c)
{
    while (c->pos < c->len && isspace((unsigned char)c->s[c->pos]))
        c->pos++;
}

static int fail_at(cursor *c, ota_error *err, const char *expected)
{
    return ota_error_set(err, OTA_ERR_FORMAT, "%s: key %d: expected %s at byte %zu", c->what,
                         c->key, expected, c->pos);
}

static int expect(cursor *c, char ch, ota_error *err)
{
    skip_space(c);
    if (c->pos >= c->len || c->s[c->pos] != ch) {
        char what[8] = {'\'', ch, '\'', 0};
        return fail_at(c, err, what);
    }
    c->pos++;
    return 0;
}

/* An unsigned number, decimal or 0x-hex, at most max. */
static int number(cursor *c, unsigned long long max, unsigned long long *out, ota_error *err)
{
    skip_space(c);
    char tmp[24];
    size_t n = 0;
    while (c->pos + n < c->len && n < sizeof tmp - 1 && isalnum((unsigned char)c->s[c->pos + n]))
        n++;
    memcpy(tmp, c->s + c->pos, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    unsigned long long v = n ? strtoull(tmp, &end, 0) : 0;
    if (n == 0 || *end || errno || v > max || tmp[0] == '-')
        return fail_at(c, err, "a number");
    c->pos += n;
    *out = v;
    return 0;
}

/* {v0,v1,...} with exactly count numbers each <= max. */
static int number_list(cursor *c, size_t count, unsigned long long max, unsigned long long *out,
                       ota_error *err)
{
    if (expect(c, '{', err) < 0)
        return -1;
    for (size_t i = 0; i < count; i++)
        if ((i && expect(c, ',', err) < 0) || number(c, max, &out[i], err) < 0)
            return -1;
    return expect(c, '}', err);
}

static BIGNUM *bn_from_words(const unsigned long long *words, size_t count)
{
    unsigned char le[MAX_WORDS * 4];
    for (size_t i = 0; i < count; i++)
        for (int b = 0; b < 4; b++)
            le[4 * i + (size_t)b] = (unsigned char)(words[i] >> (8 * b));
    return BN_lebin2bn(le, (int)(count * 4), NULL);
}

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pkey = NULL;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* Checks n0inv and rr against n, then builds the key. */
static EVP_PKEY *rsa_key(cursor *c, unsigned long e, ota_error *err)
{
    unsigned long long words, n0inv;
    static const unsigned long long u32 = 0xffffffffull;
    if (expect(c, '{', err) < 0 || number(c, MAX_WORDS, &words, err) < 0)
        return NULL;
    if (words != 64 && words != 128) {
        ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: key %d: RSA key of %llu words "
                      "(64 for RSA-2048 or 128 for RSA-4096 expected)", c->what, c->key, words);
        return NULL;
    }
    unsigned long long n[MAX_WORDS], rr[MAX_WORDS];
    if (expect(c, ',', err) < 0 || number(c, u32, &n0inv, err) < 0 || expect(c, ',', err) < 0 ||
        number_list(c, words, u32, n, err) < 0 || expect(c, ',', err) < 0 ||
        number_list(c, words, u32, rr, err) < 0 || expect(c, '}', err) < 0)
        return NULL;
    if (((n0inv * n[0]) & u32) != u32) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: key %d: n0inv does not match the modulus",
                      c->what, c->key);
        return NULL;
    }
    BIGNUM *bn_n = bn_from_words(n, words), *bn_rr = bn_from_words(rr, words);
    BIGNUM *expect_rr = BN_new(), *bn_e = BN_new();
    BN_CTX *bctx = BN_CTX_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    int ok = bn_n && bn_rr && expect_rr && bn_e && bctx && bld && BN_set_word(bn_e, e) &&
             BN_set_bit(expect_rr, (int)(64 * words)) &&
             BN_mod(expect_rr, expect_rr, bn_n, bctx);
    if (ok && BN_cmp(expect_rr, bn_rr) != 0) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: key %d: rr does not match the modulus", c->what,
                      c->key);
    } else if (ok && BN_num_bits(bn_n) != (int)(32 * words)) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: key %d: modulus is shorter than %llu bits",
                      c->what, c->key, 32 * words);
    } else if (ok && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
               OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
        pkey = pkey_from_params("RSA", bld);
        if (!pkey)
            ota_error_set(err, OTA_ERR_FORMAT, "%s: key %d: not a usable RSA key", c->what,
                          c->key);
    } else {
        ota_error_set(err, OTA_ERR_NOMEM, "%s: key %d: out of memory", c->what, c->key);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_CTX_free(bctx);
    BN_free(bn_n);
    BN_free(bn_rr);
    BN_free(expect_rr);
    BN_free(bn_e);
    return pkey;
}

/* The coordinates are written least significant byte first. */
static EVP_PKEY *ec_key(cursor *c, ota_error *err)
{
    unsigned long long len, x[EC_BYTES], y[EC_BYTES];
    if (expect(c, '{', err) < 0 || number(c, 1024, &len, err) < 0)
        return NULL;
    if (len != EC_BYTES) {
        ota_error_set(err, OTA_ERR_UNSUPPORTED,
                      "%s: key %d: EC key of %llu bytes (32, P-256, expected)", c->what, c->key,
                      len);
        return NULL;
    }
    if (expect(c, ',', err) < 0 || number_list(c, EC_BYTES, 255, x, err) < 0 ||
        expect(c, ',', err) < 0 || number_list(c, EC_BYTES, 255, y, err) < 0 ||
        expect(c, '}', err) < 0)
        return NULL;
    unsigned char point[1 + 2 * EC_BYTES];
    point[0] = 4; /* uncompressed */
    for (size_t i = 0; i < EC_BYTES; i++) {
        point[1 + i] = (unsigned char)x[EC_BYTES - 1 - i];
        point[1 + EC_BYTES + i] = (unsigned char)y[EC_BYTES - 1 - i];
    }
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
        pkey = pkey_from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    if (!pkey)
        ota_error_set(err, OTA_ERR_FORMAT, "%s: key %d: not a point on P-256", c->what, c->key);
    return pkey;
}

int ota_keys_parse_text(ota_keyset *keys, const char *text, size_t len, const char *what,
                        ota_error *err)
{
    cursor c = {text, len, 0, what, 0};
    if (memchr(text, '\0', len))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: text keys file contains a NUL byte", what);
    for (;;) {
        c.key++;
        skip_space(&c);
        unsigned version = 1;
        if (c.pos < len && c.s[c.pos] == 'v') {
            c.pos++;
            if (c.pos >= len || c.s[c.pos] < '1' || c.s[c.pos] > '9')
                return fail_at(&c, err, "a version digit after 'v'");
            version = (unsigned)(c.s[c.pos++] - '0');
        }
        EVP_PKEY *pkey;
        ota_hash_alg hash = version == 1 || version == 2 ? OTA_HASH_SHA1 : OTA_HASH_SHA256;
        switch (version) {
        case 1: case 3: pkey = rsa_key(&c, 3, err); break;
        case 2: case 4: pkey = rsa_key(&c, 65537, err); break;
        case 5: pkey = ec_key(&c, err); break;
        default:
            return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: key %d: unknown version v%u",
                                 what, c.key, version);
        }
        if (!pkey)
            return -1;
        char label[96];
        snprintf(label, sizeof label, "%s #%d", what, c.key);
        if (ota_key_check_kind(pkey, label, err) < 0) {
            EVP_PKEY_free(pkey);
            return -1;
        }
        if (ota_keyset_add(keys, pkey, NULL, 1, hash, label, err) < 0)
            return -1;
        skip_space(&c);
        if (c.pos == len)
            return 0;
        if (expect(&c, ',', err) < 0)
            return -1;
    }
}
