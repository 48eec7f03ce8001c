/* sign_package through the library: packages it signs verify, with every
 * kind of supported key; every single altered byte of a signed package
 * fails verification; RSA output is deterministic. */
#include <check.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/verify.h"
#include "otautil/zip.h"
#include "releasetools/sign.h"
#include "tests/common/testutil.h"

static char tmpdir[] = "/tmp/ota-sign-test.XXXXXX";

typedef struct keyfiles {
    char cert[512], pk8[512];
} keyfiles;

/* A fresh key and self-signed certificate written as NAME.x509.pem and
 * NAME.pk8 (DER PKCS#8), as Android keeps them. */
static void make_key(const char *name, EVP_PKEY *pkey, const EVP_MD *cert_md, keyfiles *out)
{
    ck_assert_ptr_nonnull(pkey);
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, pkey);
    ck_assert_int_gt(X509_sign(x, pkey, cert_md), 0);
    snprintf(out->cert, sizeof out->cert, "%s/%s.x509.pem", tmpdir, name);
    snprintf(out->pk8, sizeof out->pk8, "%s/%s.pk8", tmpdir, name);
    FILE *f = fopen(out->cert, "w");
    ck_assert_int_eq(PEM_write_X509(f, x), 1);
    fclose(f);
    f = fopen(out->pk8, "wb");
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
    ck_assert_int_eq(i2d_PKCS8_PRIV_KEY_INFO_fp(f, p8), 1);
    fclose(f);
    PKCS8_PRIV_KEY_INFO_free(p8);
    X509_free(x);
    EVP_PKEY_free(pkey);
}

static EVP_PKEY *rsa_key(unsigned bits, unsigned e)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn = BN_new();
    BN_set_word(bn, e);
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0)
        pkey = NULL;
    BN_free(bn);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

static void make_input(const char *path)
{
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ota_zip_add_opts deflate = {.method = OTA_ZIP_DEFLATE};
    char big[20000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)("0123456789\n"[i % 11]);
    ck_assert_int_eq(ota_zip_add_data(w, "system/b.txt", big, sizeof big, &deflate, &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, "a", "hello\n", 6, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_add_dir(w, "system/", 0755, &err), 0);
    ck_assert_int_eq(ota_zip_add_symlink(w, "system/link", "b.txt", &err), 0);
    ck_assert_msg(ota_zip_writer_close(w, NULL, 0, &err) == 0, "%s", err.message);
}

static void sign_and_verify(const keyfiles *k, const char *out, const char *hash)
{
    char in[512];
    snprintf(in, sizeof in, "%s/in.zip", tmpdir);
    make_input(in);
    sign_opts opts = {.whole_file = 1};
    ota_error err;
    ck_assert_msg(sign_package(k->cert, k->pk8, in, out, &opts, &err) == 0, "%s", err.message);
    ota_keyset *ks = ota_keyset_load(k->cert, &err);
    ck_assert_msg(ks != NULL, "%s", err.message);
    ota_verify_info info;
    ck_assert_msg(ota_verify_package(out, ks, &info, &err) == 0, "%s", err.message);
    ck_assert_int_eq(info.jar_present, 1);
    ck_assert_int_eq(info.jar_ok, 1);
    ck_assert_str_eq(info.hash_name, hash);
    ota_keyset_free(ks);
}

START_TEST(every_key_kind_signs_verifiably)
{
    static const struct {
        const char *name;
        unsigned bits, e;
        int sha1_cert;
        const char *hash;
    } kinds[] = {
        {"rsa2048e3", 2048, 3, 1, "SHA-1"},
        {"rsa2048e3sha256", 2048, 3, 0, "SHA-256"},
        {"rsa2048", 2048, 65537, 0, "SHA-256"},
        {"rsa4096", 4096, 65537, 0, "SHA-256"},
        {"ec", 0, 0, 0, "SHA-256"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        keyfiles k;
        EVP_PKEY *pkey = kinds[i].bits ? rsa_key(kinds[i].bits, kinds[i].e)
                                       : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        make_key(kinds[i].name, pkey, kinds[i].sha1_cert ? EVP_sha1() : EVP_sha256(), &k);
        char out[512];
        snprintf(out, sizeof out, "%s/%s-signed.zip", tmpdir, kinds[i].name);
        sign_and_verify(&k, out, kinds[i].hash);
    }
}
END_TEST

START_TEST(rsa_signing_is_deterministic)
{
    keyfiles k;
    make_key("det", rsa_key(2048, 65537), EVP_sha256(), &k);
    char a[512], b[512], in[512];
    snprintf(a, sizeof a, "%s/det-a.zip", tmpdir);
    snprintf(b, sizeof b, "%s/det-b.zip", tmpdir);
    snprintf(in, sizeof in, "%s/in.zip", tmpdir);
    sign_and_verify(&k, a, "SHA-256");
    sign_opts opts = {.whole_file = 1};
    ota_error err;
    ck_assert_msg(sign_package(k.cert, k.pk8, in, b, &opts, &err) == 0, "%s", err.message);
    size_t la, lb;
    unsigned char *da = test_read_file(a, &la), *db = test_read_file(b, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_mem_eq(da, db, la);
    free(da);
    free(db);
}
END_TEST

/* Every byte of a package signapk made, altered, fails verification. */
START_TEST(every_altered_byte_of_our_output_fails)
{
    size_t kind = (size_t)_i;
    keyfiles k;
    make_key(kind ? "flip-ec" : "flip-rsa",
             kind ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") : rsa_key(2048, 3),
             EVP_sha256(), &k);
    char out[512];
    snprintf(out, sizeof out, "%s/flip-%zu.zip", tmpdir, kind);
    sign_and_verify(&k, out, "SHA-256");
    size_t len;
    unsigned char *pkg = test_read_file(out, &len);
    ota_error err;
    ota_keyset *ks = ota_keyset_load(k.cert, &err);
    int fd = open(out, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    for (size_t off = 0; off < len; off++) {
        unsigned char b = pkg[off] ^ 0xff;
        ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)off), 1);
        ck_assert_msg(ota_verify_package(out, ks, NULL, &err) == -1,
                      "byte %zu of %zu altered and the package still verifies", off, len);
        ck_assert_int_eq(pwrite(fd, &pkg[off], 1, (off_t)off), 1);
    }
    ck_assert_msg(ota_verify_package(out, ks, NULL, &err) == 0, "%s", err.message);
    close(fd);
    ota_keyset_free(ks);
    free(pkg);
}
END_TEST

START_TEST(v1_only_has_no_whole_file_signature)
{
    keyfiles k;
    make_key("v1only", rsa_key(2048, 65537), EVP_sha256(), &k);
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/in.zip", tmpdir);
    snprintf(out, sizeof out, "%s/v1only.zip", tmpdir);
    make_input(in);
    ota_error err;
    ck_assert_msg(sign_package(k.cert, k.pk8, in, out, NULL, &err) == 0, "%s", err.message);
    ota_zip *zip = ota_zip_open(out, &err);
    ck_assert_ptr_nonnull(zip);
    ck_assert_ptr_nonnull(ota_zip_find(zip, "META-INF/MANIFEST.MF"));
    ck_assert_ptr_nonnull(ota_zip_find(zip, "META-INF/CERT.SF"));
    ck_assert_ptr_nonnull(ota_zip_find(zip, "META-INF/CERT.RSA"));
    ck_assert_ptr_null(ota_zip_find(zip, "META-INF/com/android/otacert"));
    const ota_zip_entry *link = ota_zip_find(zip, "system/link");
    ck_assert_ptr_nonnull(link);
    ck_assert_int_eq(link->is_symlink, 1);
    size_t clen;
    ota_zip_comment(zip, &clen);
    ck_assert_uint_eq(clen, 0);
    ota_zip_close(zip);
    ota_keyset *ks = ota_keyset_load(k.cert, &err);
    ck_assert_int_eq(ota_verify_package(out, ks, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "no whole-file signature"));
    ota_keyset_free(ks);
}
END_TEST

START_TEST(failed_signing_leaves_nothing)
{
    keyfiles a, b;
    make_key("left-a", rsa_key(2048, 65537), EVP_sha256(), &a);
    make_key("left-b", EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), EVP_sha256(), &b);
    char in[512], outdir[512], out[600];
    snprintf(in, sizeof in, "%s/in.zip", tmpdir);
    snprintf(outdir, sizeof outdir, "%s/out", tmpdir);
    ck_assert_int_eq(mkdir(outdir, 0755), 0);
    snprintf(out, sizeof out, "%s/o.zip", outdir);
    make_input(in);
    ota_error err;
    ck_assert_int_eq(sign_package(a.cert, b.pk8, in, out, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "does not belong to certificate"));
    ck_assert_int_eq(sign_package(a.cert, a.pk8, a.cert, out, NULL, &err), -1);
    ck_assert_int_eq(rmdir(outdir), 0); /* empty: no output, no temporary */
}
END_TEST

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("releasetools-sign");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600); /* key generation and byte flips under sanitizers */
    tcase_add_test(tc, every_key_kind_signs_verifiably);
    tcase_add_test(tc, rsa_signing_is_deterministic);
    tcase_add_loop_test(tc, every_altered_byte_of_our_output_fails, 0, 2);
    tcase_add_test(tc, v1_only_has_no_whole_file_signature);
    tcase_add_test(tc, failed_signing_leaves_nothing);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return failed ? 1 : 0;
}
