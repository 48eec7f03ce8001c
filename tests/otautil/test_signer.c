/* Unit tests of ota_package_signer (otautil/signer.h): Android's signed
 * test packages are described by the certificate of the key that signed
 * them (subject, key kind, digest, fingerprint); files without a whole-file
 * signature are refused with the reason.  Android's packages come from
 * ../shared/testdata/aosp; without them those cases skip and say so. */
#include <check.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/hash.h"
#include "otautil/signer.h"
#include "otautil/zip.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

static const struct {
    const char *name, *key, *digest;
} packages[] = {
    {"v1", "RSA-2048 e=3", "SHA-1"},       {"v2", "RSA-2048 e=65537", "SHA-1"},
    {"v3", "RSA-2048 e=3", "SHA-256"},     {"v4", "RSA-2048 e=65537", "SHA-256"},
    {"v5", "EC P-256", "SHA-256"},         {"4096bits", "RSA-4096 e=65537", "SHA-256"},
};
#define NPACKAGES (sizeof packages / sizeof packages[0])

/* The certificate file's subject and SHA-256 fingerprint, read here with
 * OpenSSL directly. */
static void cert_facts(const char *path, char *subject, size_t subjsz, char *sha256)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(cert);
    X509_NAME_oneline(X509_get_subject_name(cert), subject, (int)subjsz);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    ck_assert_int_eq(X509_digest(cert, EVP_sha256(), md, &mdlen), 1);
    ota_hex_encode(md, mdlen, sha256);
    X509_free(cert);
}

START_TEST(android_packages_name_the_key_that_signed_them)
{
    size_t i = (size_t)_i;
    char rel[128], pkg[1024], cert[1024];
    snprintf(rel, sizeof rel, "recovery/otasigned_%s.zip", packages[i].name);
    test_data_path(rel, pkg, sizeof pkg);
    snprintf(rel, sizeof rel, "recovery/testkey_%s.x509.pem", packages[i].name);
    test_data_path(rel, cert, sizeof cert);
    ota_signer_info info;
    ota_error err;
    ck_assert_msg(ota_package_signer(pkg, &info, &err) == 0, "%s: %s", pkg, err.message);
    char subject[256], sha256[65];
    cert_facts(cert, subject, sizeof subject, sha256);
    ck_assert_str_eq(info.subject, subject);
    ck_assert_str_eq(info.cert_sha256, sha256);
    ck_assert_str_eq(info.key, packages[i].key);
    ck_assert_str_eq(info.digest, packages[i].digest);
    ck_assert_ptr_nonnull(strstr(info.not_after, "GMT"));
    ck_assert_int_gt((int)strlen(info.issuer), 0);
}
END_TEST

START_TEST(files_without_a_whole_file_signature_are_refused)
{
    char dir[] = "/tmp/ota-signer-test.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char unsigned_zip[256], text[256];
    snprintf(unsigned_zip, sizeof unsigned_zip, "%s/unsigned.zip", dir);
    snprintf(text, sizeof text, "%s/text", dir);
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(unsigned_zip, &err);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(ota_zip_add_data(w, "a", "x", 1, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    test_write_file(text, "not a package\n", 14);

    ota_signer_info info;
    ck_assert_int_eq(ota_package_signer(unsigned_zip, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, unsigned_zip));
    ck_assert_int_eq(ota_package_signer(text, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, text));
    ck_assert_int_eq(ota_package_signer(dir, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
    snprintf(text, sizeof text, "%s/missing", dir);
    ck_assert_int_eq(ota_package_signer(text, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-signer");
    TCase *tc = tcase_create("signer");
    tcase_add_test(tc, files_without_a_whole_file_signature_are_refused);
    int android = test_data_present("recovery/otasigned_v1.zip");
    if (android)
        tcase_add_loop_test(tc, android_packages_name_the_key_that_signed_them, 0, NPACKAGES);
    suite_add_tcase(s, tc);
    return test_data_exit(test_run(s), android, "the cases on Android's signed packages");
}
