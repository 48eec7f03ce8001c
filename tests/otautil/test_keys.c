/* Trusted-key loading: PEM (one or several), otacerts.zip and the
 * gingerbread /res/keys text format, checked against the PEM forms of the
 * same keys from Android's test data; damaged and unsupported keys are
 * refused with the file named. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otautil/keys.h"
#include "otautil/zip.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

static char tmpdir[] = "/tmp/ota-keys-test.XXXXXX";
static const char *const txt_names[] = {"v1", "v2", "v3", "v4", "v5"};
static const ota_hash_alg txt_hash[] = {OTA_HASH_SHA1, OTA_HASH_SHA1, OTA_HASH_SHA256,
                                        OTA_HASH_SHA256, OTA_HASH_SHA256};

static void key_path(char *out, size_t cap, const char *name, const char *ext)
{
    char rel[128];
    snprintf(rel, sizeof rel, "recovery/testkey_%s.%s", name, ext);
    test_data_path(rel, out, cap);
}

static void expect_load_error(const char *path, const char *reason)
{
    ota_error err;
    ota_error_clear(&err);
    ota_keyset *ks = ota_keyset_load(path, &err);
    ck_assert_msg(ks == NULL, "%s loaded", path);
    ck_assert_msg(strstr(err.message, reason), "expected \"%s\" in: %s", reason, err.message);
}

START_TEST(text_keys_equal_their_pem_certificates)
{
    size_t i = (size_t)_i;
    char txt[1024], pem[1024];
    key_path(txt, sizeof txt, txt_names[i], "txt");
    key_path(pem, sizeof pem, txt_names[i], "x509.pem");
    ota_error err;
    ota_keyset *t = ota_keyset_load(txt, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    ota_keyset *p = ota_keyset_load(pem, &err);
    ck_assert_msg(p != NULL, "%s", err.message);
    ck_assert_uint_eq(ota_keyset_count(t), 1);
    ck_assert_uint_eq(ota_keyset_count(p), 1);
    const ota_key *tk = ota_keyset_key(t, 0), *pk = ota_keyset_key(p, 0);
    ck_assert_int_eq(EVP_PKEY_eq(tk->pkey, pk->pkey), 1);
    ck_assert_ptr_null(tk->cert);
    ck_assert_ptr_nonnull(pk->cert);
    ck_assert_int_eq(tk->hash_fixed, 1);
    ck_assert_int_eq(tk->hash, txt_hash[i]);
    ck_assert_int_eq(pk->hash_fixed, 0);
    ota_keyset_free(t);
    ota_keyset_free(p);
}
END_TEST

START_TEST(pem_loader_refuses_text_keys)
{
    char txt[1024];
    key_path(txt, sizeof txt, "v1", "txt");
    size_t len;
    char *data = test_read_file(txt, &len);
    ota_keyset *ks = ota_keyset_new(NULL);
    ota_error err;
    ck_assert_int_eq(ota_keys_parse_pem(ks, data, len, txt, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "holds no PEM certificate"));
    ck_assert_uint_eq(ota_keyset_count(ks), 0);
    ota_keyset_free(ks);
    free(data);
}
END_TEST

START_TEST(several_text_keys_in_one_file)
{
    char all[1024];
    snprintf(all, sizeof all, "%s/keys.txt", tmpdir);
    FILE *out = fopen(all, "wb");
    for (size_t i = 0; i < 5; i++) {
        char txt[1024];
        size_t len;
        key_path(txt, sizeof txt, txt_names[i], "txt");
        char *data = test_read_file(txt, &len);
        fprintf(out, "%s%s\n", i ? ",\n" : "", data);
        free(data);
    }
    fclose(out);
    ota_error err;
    ota_keyset *ks = ota_keyset_load(all, &err);
    ck_assert_msg(ks != NULL, "%s", err.message);
    ck_assert_uint_eq(ota_keyset_count(ks), 5);
    ota_keyset_free(ks);
}
END_TEST

/* One changed digit anywhere inside a text key makes n0inv or rr disagree
 * with the modulus, or breaks the syntax: the key is refused, never
 * trusted.  (The version digit before it names another kind of key.) */
START_TEST(damaged_text_keys_are_refused)
{
    char txt[1024], path[1024];
    key_path(txt, sizeof txt, "v2", "txt");
    snprintf(path, sizeof path, "%s/damaged.txt", tmpdir);
    size_t len;
    char *orig = test_read_file(txt, &len);
    size_t refused = 0, digits = 0;
    for (size_t i = (size_t)(strchr(orig, '{') - orig); i < len; i++) {
        if (orig[i] < '0' || orig[i] > '9')
            continue;
        digits++;
        char *copy = malloc(len);
        memcpy(copy, orig, len);
        copy[i] = copy[i] == '9' ? '8' : (char)(copy[i] + 1);
        test_write_file(path, copy, len);
        free(copy);
        ota_error err;
        ota_keyset *ks = ota_keyset_load(path, &err);
        if (!ks)
            refused++;
        else
            ck_abort_msg("digit %zu changed and the key still loads", i);
        ota_keyset_free(ks);
    }
    ck_assert_uint_gt(digits, 100);
    ck_assert_uint_eq(refused, digits);
    free(orig);
}
END_TEST

START_TEST(bad_text_keys_name_the_problem)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bad.txt", tmpdir);
    static const struct {
        const char *text, *reason;
    } cases[] = {
        {"{32,0x1,{1},{1}}", "RSA key of 32 words"},
        {"v9 {64}", "unknown version v9"},
        {"v5 {16,{1},{2}}", "EC key of 16 bytes"},
        {"{64,0x1,{1,2", "expected"},
        {"{64,zz", "expected a number"},
        {"{64,0x100000000,", "expected a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        test_write_file(path, cases[i].text, strlen(cases[i].text));
        expect_load_error(path, cases[i].reason);
        expect_load_error(path, path);
    }
    /* a point that is not on the curve */
    char ec[1024] = "v5 {32,{", *p = ec + strlen(ec);
    for (int i = 0; i < 32; i++)
        p += sprintf(p, "%s%d", i ? "," : "", i + 1);
    p += sprintf(p, "},{");
    for (int i = 0; i < 32; i++)
        p += sprintf(p, "%s%d", i ? "," : "", 7);
    strcpy(p, "}}");
    test_write_file(path, ec, strlen(ec));
    expect_load_error(path, "not a point on P-256");
}
END_TEST

START_TEST(otacerts_zip_loads_every_x509_pem)
{
    char zpath[1024];
    snprintf(zpath, sizeof zpath, "%s/otacerts.zip", tmpdir);
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(zpath, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    static const char *const names[] = {"v1", "v5", "4096bits"};
    for (size_t i = 0; i < 3; i++) {
        char pem[1024], entry[64];
        key_path(pem, sizeof pem, names[i], "x509.pem");
        snprintf(entry, sizeof entry, "testkey_%s.x509.pem", names[i]);
        ck_assert_msg(ota_zip_add_file(w, entry, pem, NULL, &err) == 0, "%s", err.message);
    }
    ck_assert_int_eq(ota_zip_add_data(w, "README", "not a key", 9, NULL, &err), 0);
    ck_assert_msg(ota_zip_writer_close(w, NULL, 0, &err) == 0, "%s", err.message);
    ota_keyset *ks = ota_keyset_load(zpath, &err);
    ck_assert_msg(ks != NULL, "%s", err.message);
    ck_assert_uint_eq(ota_keyset_count(ks), 3);
    ck_assert_ptr_nonnull(strstr(ota_keyset_key(ks, 1)->label, "testkey_v5.x509.pem"));
    ota_keyset_free(ks);

    w = ota_zip_writer_open(zpath, &err);
    ck_assert_int_eq(ota_zip_add_data(w, "README", "not a key", 9, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    expect_load_error(zpath, "holds no *.x509.pem");

    w = ota_zip_writer_open(zpath, &err);
    ck_assert_int_eq(ota_zip_add_data(w, "bad.x509.pem", "garbage", 7, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    expect_load_error(zpath, "bad.x509.pem: holds no PEM certificate");
}
END_TEST

START_TEST(junk_and_empty_files_are_not_keys)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/junk", tmpdir);
    test_write_file(path, "hello world\n", 12);
    expect_load_error(path, "not a keys file");
    test_write_file(path, "", 0);
    expect_load_error(path, "not a keys file");
    expect_load_error(tmpdir, "not a regular file");
    snprintf(path, sizeof path, "%s/big", tmpdir);
    FILE *f = fopen(path, "wb");
    ck_assert_int_eq(fseek(f, 5 << 20, SEEK_SET), 0);
    fputc('x', f);
    fclose(f);
    expect_load_error(path, "larger than 4194304 bytes");
    snprintf(path, sizeof path, "%s/notpem", tmpdir);
    const char *cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    test_write_file(path, cert, strlen(cert));
    expect_load_error(path, "PEM block 1 is not a valid X.509 certificate");
}
END_TEST

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("otautil-keys");
    TCase *own = tcase_create("own files");
    tcase_add_test(own, bad_text_keys_name_the_problem);
    tcase_add_test(own, junk_and_empty_files_are_not_keys);
    suite_add_tcase(s, own);
    /* Android's keys, in both forms (a fresh clone has none of them). */
    int android = test_data_present("recovery/testkey_v1.txt");
    if (android) {
        TCase *tc = tcase_create("android");
        tcase_set_timeout(tc, 600); /* thousands of key loads under sanitizers */
        tcase_add_loop_test(tc, text_keys_equal_their_pem_certificates, 0, 5);
        tcase_add_test(tc, pem_loader_refuses_text_keys);
        tcase_add_test(tc, several_text_keys_in_one_file);
        tcase_add_test(tc, damaged_text_keys_are_refused);
        tcase_add_test(tc, otacerts_zip_loads_every_x509_pem);
        suite_add_tcase(s, tc);
    }
    int failed = test_run(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_data_exit(failed, android, "the 9 cases on Android's test keys");
}
