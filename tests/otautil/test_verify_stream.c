/* Streamed verification (otautil/verify_stream.h) of Android's signed test
 * packages (../shared/testdata/aosp/recovery), read through a function as
 * a streamed install reads them: the same verdict and snapshot as the file
 * verifier whatever order the bytes come in; a finish before every signed
 * byte passed, a foreign key, a package without a v1 JAR signature, and
 * every seventh byte altered are refused -- at begin, when the entry
 * holding it is read, or at finish; never accepted. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/verify.h"
#include "otautil/verify_stream.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

typedef struct mem {
    uint8_t *data;
    size_t len;
    size_t reads;
} mem;

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
    mem *m = ctx;
    if (off > m->len || len > m->len - off) {
        errno = ENODATA;
        return -1;
    }
    memcpy(buf, m->data + off, len);
    m->reads++;
    return 0;
}

static void data_path(char *out, size_t cap, const char *file)
{
    char rel[160];
    snprintf(rel, sizeof rel, "recovery/%s", file);
    test_data_path(rel, out, cap);
}

static ota_keyset *load_key(const char *name)
{
    char path[1024], file[64];
    snprintf(file, sizeof file, "testkey_%s.x509.pem", name);
    data_path(path, sizeof path, file);
    ota_error err;
    ota_keyset *ks = ota_keyset_load(path, &err);
    ck_assert_msg(ks != NULL, "%s: %s", path, err.message);
    return ks;
}

static mem load_package(const char *name)
{
    char path[1024], file[64];
    snprintf(file, sizeof file, "otasigned_%s.zip", name);
    data_path(path, sizeof path, file);
    mem m = {0};
    m.data = test_read_file(path, &m.len);
    return m;
}

/* Reads every entry (the zip checks each against the manifest), then
 * feeds the digest in pieces of `piece` bytes: forward, or (backwards)
 * offering each piece from the end first, so that only the one that
 * continues the digest counts each time.  0 or -1 with err. */
static int stream_all(mem *m, const ota_keyset *ks, size_t piece, int backwards,
                      ota_verify_info *info, ota_error *err)
{
    ota_zip *zip = NULL;
    ota_stream_verify *sv = ota_stream_verify_begin(mem_read, m, m->len, "pkg", ks, &zip, info,
                                                    err);
    if (!sv)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ota_zip_count(zip); i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        rc = ota_zip_read(zip, ota_zip_entry_at(zip, i), &data, &len, 1u << 24, err);
        free(data);
    }
    uint64_t at, end;
    for (ota_stream_verify_next(sv, &at, &end); rc == 0 && at < end;
         ota_stream_verify_next(sv, &at, &end)) {
        if (!backwards) {
            size_t n = end - at < piece ? (size_t)(end - at) : piece;
            ota_stream_verify_update(sv, at, m->data + at, n);
            continue;
        }
        for (uint64_t off = (end - 1) / piece * piece;; off -= piece) {
            size_t n = m->len - off < piece ? m->len - off : piece;
            ota_stream_verify_update(sv, off, m->data + off, n);
            if (off == 0)
                break;
        }
    }
    if (rc == 0)
        rc = ota_stream_verify_finish(sv, err);
    ota_stream_verify_free(sv);
    ota_zip_close(zip);
    return rc;
}

START_TEST(same_verdict_and_snapshot_as_the_file_verifier)
{
    static const char *const names[] = {"v1", "v2", "v3", "v4", "v5"};
    const char *name = names[_i];
    mem m = load_package(name);
    ota_keyset *ks = load_key(name);
    char path[1024], file[64];
    snprintf(file, sizeof file, "otasigned_%s.zip", name);
    data_path(path, sizeof path, file);
    ota_verify_info want, got;
    ota_error err;
    ck_assert_msg(ota_verify_package(path, ks, &want, &err) == 0, "%s", err.message);
    static const size_t pieces[] = {1, 4093, 65536, 1u << 24};
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++)
        for (int back = 0; back < 2; back++) {
            if (pieces[p] == 1 && back)
                continue; /* quadratic */
            ck_assert_msg(stream_all(&m, ks, pieces[p], back, &got, &err) == 0, "%s %zu %d: %s",
                          name, pieces[p], back, err.message);
            ck_assert_int_eq(got.jar_ok, 1);
            ck_assert_str_eq(got.hash_name, want.hash_name);
            ck_assert_mem_eq(got.index_sha256, want.index_sha256, OTA_SHA256_LEN);
            ck_assert_mem_eq(got.manifest_sha256, want.manifest_sha256, OTA_SHA256_LEN);
        }
    ota_keyset_free(ks);
    free(m.data);
}
END_TEST

START_TEST(finish_needs_every_signed_byte)
{
    mem m = load_package("v3");
    ota_keyset *ks = load_key("v3");
    ota_zip *zip = NULL;
    ota_verify_info info;
    ota_error err;
    ota_stream_verify *sv = ota_stream_verify_begin(mem_read, &m, m.len, "pkg", ks, &zip, &info,
                                                    &err);
    ck_assert_msg(sv != NULL, "%s", err.message);
    ota_stream_verify_update(sv, 0, m.data, m.len / 2);
    ota_stream_verify_update(sv, m.len / 2 + 1, m.data + m.len / 2 + 1, m.len / 2 - 1);
    ck_assert_int_eq(ota_stream_verify_finish(sv, &err), -1);
    ck_assert_msg(strstr(err.message, "signed bytes were read"), "%s", err.message);
    ota_stream_verify_free(sv);
    ota_zip_close(zip);
    ota_keyset_free(ks);
    free(m.data);
}
END_TEST

START_TEST(foreign_key_and_missing_jar_fail_at_begin)
{
    mem m = load_package("v3");
    ota_keyset *other = load_key("v4");
    ota_zip *zip = NULL;
    ota_verify_info info;
    ota_error err;
    ck_assert_ptr_null(ota_stream_verify_begin(mem_read, &m, m.len, "pkg", other, &zip, &info,
                                               &err));
    ck_assert_msg(strstr(err.message, "no matching key"), "%s", err.message);
    ck_assert_ptr_null(zip);
    ota_keyset_free(other);
    free(m.data);
    /* Android's 4096-bit package has a whole-file signature only */
    m = load_package("4096bits");
    ota_keyset *ks = load_key("4096bits");
    ck_assert_ptr_null(ota_stream_verify_begin(mem_read, &m, m.len, "pkg", ks, &zip, &info, &err));
    ck_assert_msg(strstr(err.message, "JAR"), "%s", err.message);
    ota_keyset_free(ks);
    free(m.data);
}
END_TEST

START_TEST(altered_bytes_are_never_accepted)
{
    mem m = load_package("v3");
    ota_keyset *ks = load_key("v3");
    size_t step = 7; /* a byte in seven: every region, in a second */
    for (size_t at = 0; at < m.len; at += step) {
        m.data[at] ^= 0x01;
        ota_verify_info info;
        ota_error err;
        ck_assert_msg(stream_all(&m, ks, 65536, 0, &info, &err) == -1,
                      "byte %zu of %zu altered, yet accepted", at, m.len);
        ck_assert_msg(err.message[0], "byte %zu: refused without a reason", at);
        m.data[at] ^= 0x01;
    }
    ota_keyset_free(ks);
    free(m.data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("streamed verification");
    TCase *tc = tcase_create("verify_stream");
    tcase_add_loop_test(tc, same_verdict_and_snapshot_as_the_file_verifier, 0, 5);
    tcase_add_test(tc, finish_needs_every_signed_byte);
    tcase_add_test(tc, foreign_key_and_missing_jar_fail_at_begin);
    tcase_add_test(tc, altered_bytes_are_never_accepted);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
