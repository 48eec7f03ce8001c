/* Strict parsing and verification of detached PKCS#7 SignedData. */
#include "otautil/verify_pkcs7.h"

#include <limits.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const EVP_MD *md_of(ota_hash_alg alg)
{
    return alg == OTA_HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/* AlgorithmIdentifier parameters must be absent or NULL. */
static int params_empty(const X509_ALGOR *alg)
{
    int ptype;
    const void *pval;
    const ASN1_OBJECT *obj;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
}

static int fail(ota_error *err, int code, const char *what, const char *why)
{
    return ota_error_set(err, code, "%s: %s", what, why);
}

/* The signature algorithm must fit the signer's key and the digest.  Both
 * spellings occur in Android-made packages: the bare key type (rsaEncryption,
 * id-ecPublicKey: older signapk, apksig) and the combined algorithm
 * (sha256WithRSAEncryption, ecdsa-with-SHA256: BouncyCastle in newer
 * signapk).  EC signs SHA-256 only. */
static int check_sig_alg(const ota_pkcs7 *sig, const char *what, ota_error *err)
{
    int nid = OBJ_obj2nid(sig->si->digest_enc_alg->algorithm);
    EVP_PKEY *pkey = X509_get0_pubkey(sig->signer);
    if (!pkey)
        return fail(err, OTA_ERR_FORMAT, what, "the signer certificate's key cannot be read");
    if (!params_empty(sig->si->digest_enc_alg))
        return fail(err, OTA_ERR_FORMAT, what, "signature algorithm has unexpected parameters");
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        if (nid == NID_rsaEncryption ||
            (nid == NID_sha1WithRSAEncryption && sig->hash == OTA_HASH_SHA1) ||
            (nid == NID_sha256WithRSAEncryption && sig->hash == OTA_HASH_SHA256))
            return 0;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        if (sig->hash != OTA_HASH_SHA256)
            return fail(err, OTA_ERR_UNSUPPORTED, what, "EC signatures must use SHA-256");
        if (nid == NID_ecdsa_with_SHA256 || nid == NID_X9_62_id_ecPublicKey)
            return 0;
    } else {
        return fail(err, OTA_ERR_UNSUPPORTED, what, "signer key is neither RSA nor EC");
    }
    char name[80];
    OBJ_obj2txt(name, sizeof name, sig->si->digest_enc_alg->algorithm, 0);
    return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                         "%s: signature algorithm %s does not fit the signer's %s key", what,
                         name, EVP_PKEY_is_a(pkey, "RSA") ? "RSA" : "EC");
}

static int check_digest_alg(ota_pkcs7 *sig, const char *what, ota_error *err)
{
    STACK_OF(X509_ALGOR) *md_algs = sig->p7->d.sign->md_algs;
    const X509_ALGOR *alg = sig->si->digest_alg;
    int nid = OBJ_obj2nid(alg->algorithm);
    if (nid == NID_sha1)
        sig->hash = OTA_HASH_SHA1;
    else if (nid == NID_sha256)
        sig->hash = OTA_HASH_SHA256;
    else {
        char name[80];
        OBJ_obj2txt(name, sizeof name, alg->algorithm, 0);
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "%s: digest algorithm %s (SHA-1 or SHA-256 expected)", what, name);
    }
    if (!params_empty(alg))
        return fail(err, OTA_ERR_FORMAT, what, "digest algorithm has unexpected parameters");
    if (sk_X509_ALGOR_num(md_algs) != 1 ||
        OBJ_cmp(sk_X509_ALGOR_value(md_algs, 0)->algorithm, alg->algorithm) != 0 ||
        !params_empty(sk_X509_ALGOR_value(md_algs, 0)))
        return fail(err, OTA_ERR_FORMAT, what,
                    "digest algorithm list does not name exactly the signer's digest");
    return 0;
}

static int check_structure(ota_pkcs7 *sig, const char *what, ota_error *err)
{
    PKCS7 *p7 = sig->p7;
    if (!PKCS7_type_is_signed(p7) || !p7->d.sign)
        return fail(err, OTA_ERR_FORMAT, what, "PKCS#7 block is not SignedData");
    PKCS7_SIGNED *sd = p7->d.sign;
    if (ASN1_INTEGER_get(sd->version) != 1)
        return fail(err, OTA_ERR_FORMAT, what, "SignedData version is not 1");
    if (!sd->contents || !PKCS7_type_is_data(sd->contents) || sd->contents->d.data)
        return fail(err, OTA_ERR_FORMAT, what, "signed content is not detached data");
    if (sd->crl && sk_X509_CRL_num(sd->crl) > 0)
        return fail(err, OTA_ERR_FORMAT, what, "carries CRLs");
    if (!sd->cert || sk_X509_num(sd->cert) != 1)
        return fail(err, OTA_ERR_FORMAT, what, "must carry exactly one certificate, the signer's");
    if (!sd->signer_info || sk_PKCS7_SIGNER_INFO_num(sd->signer_info) != 1)
        return fail(err, OTA_ERR_FORMAT, what, "must have exactly one signer");
    sig->si = sk_PKCS7_SIGNER_INFO_value(sd->signer_info, 0);
    sig->signer = sk_X509_value(sd->cert, 0);
    PKCS7_SIGNER_INFO *si = sig->si;
    if (ASN1_INTEGER_get(si->version) != 1)
        return fail(err, OTA_ERR_FORMAT, what, "SignerInfo version is not 1");
    if (si->unauth_attr && sk_X509_ATTRIBUTE_num(si->unauth_attr) > 0)
        return fail(err, OTA_ERR_FORMAT, what, "carries unsigned attributes");
    if (X509_NAME_cmp(si->issuer_and_serial->issuer, X509_get_issuer_name(sig->signer)) != 0 ||
        ASN1_INTEGER_cmp(si->issuer_and_serial->serial, X509_get0_serialNumber(sig->signer)) != 0)
        return fail(err, OTA_ERR_FORMAT, what,
                    "signer's issuer and serial do not name the certificate it carries");
    if (!si->enc_digest || si->enc_digest->length <= 0)
        return fail(err, OTA_ERR_FORMAT, what, "signature is empty");
    if (check_digest_alg(sig, what, err) < 0)
        return -1;
    return check_sig_alg(sig, what, err);
}

int ota_pkcs7_parse(ota_pkcs7 *sig, const uint8_t *der, size_t len, const char *what,
                    ota_error *err)
{
    memset(sig, 0, sizeof *sig);
    if (len == 0 || len > INT_MAX / 2)
        return fail(err, OTA_ERR_FORMAT, what, "signature block is empty or absurdly large");
    const unsigned char *p = der;
    sig->p7 = d2i_PKCS7(NULL, &p, (long)len);
    ERR_clear_error();
    if (!sig->p7)
        return fail(err, OTA_ERR_FORMAT, what, "not a PKCS#7 structure");
    if (p != der + len) {
        ota_pkcs7_free(sig);
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %zu stray bytes after the PKCS#7 structure",
                             what, (size_t)(der + len - p));
    }
    /* Re-encoding must give the same bytes: rejects BER and any alternative
     * encoding of the same values, so every byte is significant. */
    unsigned char *again = NULL;
    int again_len = i2d_PKCS7(sig->p7, &again);
    int canonical = again_len == (int)len && memcmp(again, der, len) == 0;
    OPENSSL_free(again);
    if (!canonical) {
        ota_pkcs7_free(sig);
        return fail(err, OTA_ERR_FORMAT, what, "PKCS#7 structure is not in canonical DER");
    }
    if (check_structure(sig, what, err) < 0) {
        ota_pkcs7_free(sig);
        return -1;
    }
    return 0;
}

void ota_pkcs7_free(ota_pkcs7 *sig)
{
    PKCS7_free(sig->p7);
    memset(sig, 0, sizeof *sig);
}

void ota_pkcs7_signer_name(const ota_pkcs7 *sig, char *out, size_t cap)
{
    if (!sig->signer || !X509_NAME_oneline(X509_get_subject_name(sig->signer), out, (int)cap))
        snprintf(out, cap, "(unknown)");
}

/* A text key has no certificate to compare; the certificate in the block
 * is then held to its own self-signature when it claims to be self-issued,
 * so that it cannot be altered freely. */
static int text_key_matches(const ota_pkcs7 *sig, const ota_key *key)
{
    EVP_PKEY *pub = X509_get0_pubkey(sig->signer);
    if (!pub || EVP_PKEY_eq(key->pkey, pub) != 1)
        return 0;
    if (X509_NAME_cmp(X509_get_subject_name(sig->signer), X509_get_issuer_name(sig->signer)) == 0 &&
        X509_verify(sig->signer, pub) != 1) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

int ota_pkcs7_find_key(const ota_pkcs7 *sig, const ota_keyset *keys, size_t *index,
                       ota_error *err)
{
    size_t n = ota_keyset_count(keys);
    const ota_key *wrong_hash = NULL;
    for (size_t i = 0; i < n; i++) {
        const ota_key *key = ota_keyset_key(keys, i);
        int match = key->cert ? X509_cmp(key->cert, sig->signer) == 0 : text_key_matches(sig, key);
        if (!match)
            continue;
        /* The same public key may be listed once per hash (v1 and v3). */
        if (key->hash_fixed && key->hash != sig->hash) {
            wrong_hash = key;
            continue;
        }
        *index = i;
        return 0;
    }
    if (wrong_hash)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "signed with %s, but trusted key %s only accepts %s",
                             ota_hash_name(sig->hash), wrong_hash->label,
                             ota_hash_name(wrong_hash->hash));
    char name[256], desc[64] = "unreadable key";
    ota_pkcs7_signer_name(sig, name, sizeof name);
    if (X509_get0_pubkey(sig->signer))
        ota_key_describe(X509_get0_pubkey(sig->signer), desc, sizeof desc);
    ERR_clear_error();
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "no matching key: signed by %s (%s), which is not among the %zu trusted "
                         "key(s)",
                         name, desc, n);
}

/* Signed attributes, when present, must state content type data and the
 * digest of the content; the signature then covers their DER encoding. */
static int attrs_digest(const ota_pkcs7 *sig, const uint8_t *digest, uint8_t *out,
                        const char *what, ota_error *err)
{
    size_t dlen = ota_hash_len(sig->hash);
    ASN1_TYPE *ctype = PKCS7_get_signed_attribute(sig->si, NID_pkcs9_contentType);
    ASN1_TYPE *mdig = PKCS7_get_signed_attribute(sig->si, NID_pkcs9_messageDigest);
    if (!ctype || ctype->type != V_ASN1_OBJECT ||
        OBJ_obj2nid(ctype->value.object) != NID_pkcs7_data)
        return fail(err, OTA_ERR_FORMAT, what, "signed attributes lack content type data");
    if (!mdig || mdig->type != V_ASN1_OCTET_STRING)
        return fail(err, OTA_ERR_FORMAT, what, "signed attributes lack the message digest");
    if ((size_t)mdig->value.octet_string->length != dlen ||
        memcmp(mdig->value.octet_string->data, digest, dlen) != 0)
        return fail(err, OTA_ERR_VERIFY, what, "signed content does not match its digest");
    unsigned char *der = NULL;
    int der_len = ASN1_item_i2d((ASN1_VALUE *)sig->si->auth_attr, &der,
                                ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
    if (der_len <= 0)
        return fail(err, OTA_ERR_FORMAT, what, "signed attributes cannot be encoded");
    unsigned int n = 0;
    EVP_Digest(der, (size_t)der_len, out, &n, md_of(sig->hash), NULL);
    OPENSSL_free(der);
    return 0;
}

int ota_pkcs7_verify_digest(const ota_pkcs7 *sig, EVP_PKEY *pkey, const uint8_t *digest,
                            const char *what, ota_error *err)
{
    uint8_t attr_md[OTA_HASH_MAX_LEN];
    const uint8_t *signed_md = digest;
    if (sig->si->auth_attr && sk_X509_ATTRIBUTE_num(sig->si->auth_attr) > 0) {
        if (attrs_digest(sig, digest, attr_md, what, err) < 0)
            return -1;
        signed_md = attr_md;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    int ok = ctx && EVP_PKEY_verify_init(ctx) > 0 &&
             (!EVP_PKEY_is_a(pkey, "RSA") ||
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0) &&
             EVP_PKEY_CTX_set_signature_md(ctx, md_of(sig->hash)) > 0 &&
             EVP_PKEY_verify(ctx, sig->si->enc_digest->data, (size_t)sig->si->enc_digest->length,
                             signed_md, ota_hash_len(sig->hash)) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        return ota_error_set(err, OTA_ERR_VERIFY, "%s: %s signature does not verify", what,
                             ota_hash_name(sig->hash));
    return 0;
}
