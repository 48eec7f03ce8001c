/* Verified mode: the signed-entry checker (otautil/signed_entries.h) on a
 * bare byte stream, the zip layer reading through it (otautil/zip.h), and
 * the hand-over of a verified package to a child (otautil/verify.h).
 * The attacker here rewrites an entry with other bytes of the same length
 * and a matching CRC-32 -- everything a zip reader checks -- and must still
 * be caught, naming the entry. */
#include <check.h>
#include <pthread.h>

#include "otautil/hash.h"
#include "otautil/manifest.h"
#include "otautil/signed_entries.h"
#include "otautil/verify.h"
#include "tests/common/testutil.h"
#include "tests/otautil/zip_fixture.h"

static void b64(const uint8_t *d, size_t n, char *out)
{
    ota_base64_encode(d, n, out);
}

/* A manifest signing name -> data pairs: SHA-256 for all, SHA1 too for the
 * first. */
static char *manifest_for(const char *const *names, const char *const *datas, size_t n)
{
    ota_buf mf = {0};
    ck_assert_int_eq(ota_buf_append(&mf, "Manifest-Version: 1.0\r\n\r\n", 25, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t d256[OTA_SHA256_LEN], d1[OTA_SHA1_LEN];
        ota_sha256(datas[i], strlen(datas[i]), d256);
        ota_sha1(datas[i], strlen(datas[i]), d1);
        char e256[64], e1[64], text[512];
        b64(d256, sizeof d256, e256);
        b64(d1, sizeof d1, e1);
        int len = i == 0 ? snprintf(text, sizeof text, "Name: %s\r\nSHA-256-Digest: %s\r\nSHA1-Digest: %s\r\n\r\n",
                                    names[i], e256, e1)
                         : snprintf(text, sizeof text, "Name: %s\r\nSHA-256-Digest: %s\r\n\r\n", names[i], e256);
        ck_assert_int_eq(ota_buf_append(&mf, text, (size_t)len, NULL), 0);
    }
    ck_assert_int_eq(ota_buf_append(&mf, "", 1, NULL), 0);
    return (char *)mf.data;
}

static ota_signed_entries *signed_for(const char *mf)
{
    ota_error err;
    ota_signed_entries *s = ota_signed_entries_new((const uint8_t *)mf, strlen(mf), &err);
    ck_assert_msg(s != NULL, "%s", err.message);
    return s;
}

/* Feeds data in pieces of `piece` bytes; returns ota_entry_check_end's. */
static int check_bytes(const ota_signed_entries *s, const char *name, const void *data,
                       size_t len, size_t piece, ota_buf *out, ota_error *err)
{
    ota_entry_check *c = ota_entry_check_start(s, name, len, out ? ota_buf_sink : NULL, out, err);
    if (!c)
        return -2;
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        ck_assert_int_eq(ota_entry_check_sink(c, (const uint8_t *)data + off, n, err), 0);
    }
    return ota_entry_check_end(c, err);
}

START_TEST(checker_holds_a_stream_to_its_digests)
{
    const char *names[] = {"boot.img", "system/app.apk"};
    const char *datas[] = {"the boot image bytes", "an app"};
    char *mf = manifest_for(names, datas, 2);
    ota_signed_entries *s = signed_for(mf);
    ota_error err;
    ota_buf out = {0};
    /* the signed bytes pass, in any pieces, and reach the sink unchanged */
    ck_assert_int_eq(check_bytes(s, "boot.img", datas[0], strlen(datas[0]), 3, &out, &err), 0);
    ck_assert_uint_eq(out.len, strlen(datas[0]));
    ck_assert_mem_eq(out.data, datas[0], out.len);
    ota_buf_free(&out);
    ck_assert_int_eq(check_bytes(s, "system/app.apk", datas[1], strlen(datas[1]), 100, NULL, &err), 0);
    /* other bytes: the verdict names the entry and the digest */
    ck_assert_int_eq(check_bytes(s, "boot.img", "the boot image byteZ", 20, 7, NULL, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "manifest mismatch on entry boot.img") &&
                  strstr(err.message, "signed manifest"), "%s", err.message);
    /* fewer bytes fail too */
    ck_assert_int_eq(check_bytes(s, "system/app.apk", "an ap", 5, 5, NULL, &err), -1);
    /* an entry the manifest does not list is refused before any byte */
    ck_assert_ptr_null(ota_entry_check_start(s, "system/extra", 0, NULL, NULL, &err));
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "entry system/extra is not listed in the signed manifest"),
                  "%s", err.message);
    /* the manifest itself is held to its own SHA-256; the .SF and its block
     * carry their own signature */
    ck_assert_int_eq(check_bytes(s, "META-INF/MANIFEST.MF", mf, strlen(mf), 50, NULL, &err), 0);
    ck_assert_int_eq(check_bytes(s, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n", 23, 50, NULL, &err), -1);
    ck_assert_int_eq(check_bytes(s, "META-INF/CERT.SF", "anything", 8, 8, NULL, &err), 0);
    ck_assert_int_eq(check_bytes(s, "META-INF/CERT.RSA", "anything", 8, 8, NULL, &err), 0);
    uint8_t want[OTA_SHA256_LEN];
    ota_sha256(mf, strlen(mf), want);
    ck_assert_mem_eq(ota_signed_entries_manifest_sha256(s), want, sizeof want);
    ota_signed_entries_free(s);
    free(mf);
}
END_TEST

/* Entries of 8 MiB and more are hashed in a helper thread: same verdicts. */
START_TEST(checker_large_entry_in_a_helper_thread)
{
    size_t len = 9u << 20;
    char *data = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)('a' + (i * 7 + (i >> 13)) % 26);
    data[len] = '\0';
    const char *names[] = {"system.img"};
    const char *datas[] = {data};
    char *mf = manifest_for(names, datas, 1);
    ota_signed_entries *s = signed_for(mf);
    ota_error err;
    ck_assert_int_eq(check_bytes(s, "system.img", data, len, (1u << 20) + 3, NULL, &err), 0);
    data[len / 2] ^= 1;
    ck_assert_int_eq(check_bytes(s, "system.img", data, len, 65536, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "system.img"));
    /* a check abandoned half-way (the read failed) frees what it holds */
    ota_entry_check *c = ota_entry_check_start(s, "system.img", len, NULL, NULL, &err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(ota_entry_check_sink(c, data, 1u << 20, &err), 0);
    ota_entry_check_abort(c);
    ota_signed_entries_free(s);
    free(mf);
    free(data);
}
END_TEST

START_TEST(manifest_without_usable_digests_is_refused)
{
    static const char *const bad[] = {
        "Manifest-Version: 1.0\r\n\r\nName: a\r\nX-Other: 1\r\n\r\n",
        "Manifest-Version: 1.0\r\n\r\nName: a\r\nSHA-256-Digest: not base64!\r\n\r\n",
        "Manifest-Version: 1.0\r\n\r\nName: a\r\nSHA1-Digest: AAAA\r\n\r\n",
        "Name: a\r\n", /* no main section: the first section is main */
        "Manifest-Version: 1.0\r\n\r\nSHA1-Digest: x\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ota_error err;
        ota_signed_entries *s = ota_signed_entries_new((const uint8_t *)bad[i], strlen(bad[i]), &err);
        if (i == 3) { /* parses, signs nothing */
            ck_assert_ptr_nonnull(s);
            ck_assert_ptr_null(ota_entry_check_start(s, "a", 0, NULL, NULL, &err));
            ota_signed_entries_free(s);
            continue;
        }
        ck_assert_msg(s == NULL, "accepted manifest %zu", i);
        ck_assert_int_ne(err.code, OTA_OK);
    }
}
END_TEST

/* An archive with entries a, b and a manifest signing a and the manifest
 * (b is unsigned); `a_data` lets a test put other bytes under a's name. */
static void build(struct raw *r, const char *a_data, char **mf_out)
{
    const char *names[] = {"a"};
    const char *datas[] = {"signed contents of a"};
    char *mf = manifest_for(names, datas, 1);
    struct raw_entry e[] = {
        {.name = "a", .data = a_data},
        {.name = "b", .data = "unsigned b"},
        {.name = "META-INF/MANIFEST.MF", .data = mf},
        {.name = "META-INF/CERT.SF", .data = "not checked here"},
    };
    raw_archive(r, e, 4, NULL);
    *mf_out = mf;
}

START_TEST(verified_zip_checks_every_read)
{
    struct raw r;
    char *mf;
    build(&r, "signed contents of a", &mf);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "v.zip", &err);
    ck_assert_ptr_nonnull(zip);
    /* before verified mode: raw access works */
    uint8_t head[4];
    ck_assert_int_eq(ota_zip_read_raw(zip, head, 4, 0, &err), 0);
    ck_assert_mem_eq(head, "PK\3\4", 4);
    ck_assert_ptr_null(ota_zip_signed_entries(zip));
    ck_assert_int_eq(ota_zip_verify_entries(zip, signed_for(mf), &err), 0);
    ck_assert_ptr_nonnull(ota_zip_signed_entries(zip));

    char *text = entry_text(zip, "a");
    ck_assert_str_eq(text, "signed contents of a");
    free(text);
    const char *out = tmp_path("a.out");
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_eq(ota_zip_extract_fd(zip, ota_zip_find(zip, "a"), fd, &err), 0);
    close(fd);
    /* the unsigned entry is refused, whichever way it is read */
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(ota_zip_read(zip, ota_zip_find(zip, "b"), &data, &len, 0, &err), -1);
    ck_assert_msg(strstr(err.message, "entry b is not listed in the signed manifest"), "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "v.zip"));
    ota_buf sunk = {0};
    ck_assert_int_eq(ota_zip_stream(zip, ota_zip_find(zip, "b"), ota_buf_sink, &sunk, &err), -1);
    ck_assert_uint_eq(sunk.len, 0);
    /* the manifest reads back; the .SF passes unchecked */
    text = entry_text(zip, "META-INF/MANIFEST.MF");
    free(text);
    text = entry_text(zip, "META-INF/CERT.SF");
    free(text);
    /* raw access would bypass the checks */
    ck_assert_int_eq(ota_zip_read_raw(zip, head, 4, 0, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    uint64_t off;
    ck_assert_int_eq(ota_zip_data_offset(zip, ota_zip_find(zip, "a"), &off, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
    free(mf);
}
END_TEST

START_TEST(rewritten_entry_with_matching_crc_is_caught)
{
    struct raw good, evil;
    char *mf, *mf2;
    build(&good, "signed contents of a", &mf);
    build(&evil, "unsigned bytes in a!", &mf2); /* same length; its CRC is its own */
    ck_assert_uint_eq(good.b.len, evil.b.len);
    ota_error err;
    ota_zip *zip = open_bytes(evil.b.data, evil.b.len, "evil.zip", &err);
    ck_assert_ptr_nonnull(zip);
    ck_assert_int_eq(ota_zip_verify_entries(zip, signed_for(mf), &err), 0);
    uint8_t *data = NULL;
    size_t len;
    ck_assert_int_eq(ota_zip_read(zip, ota_zip_find(zip, "a"), &data, &len, 0, &err), -1);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "evil.zip") && strstr(err.message, "manifest mismatch on entry a"),
                  "%s", err.message);
    const char *out = tmp_path("evil.out");
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_eq(ota_zip_extract_fd(zip, ota_zip_find(zip, "a"), fd, &err), -1);
    close(fd);
    ota_zip_close(zip);
    ota_buf_free(&good.b);
    ota_buf_free(&evil.b);
    free(mf);
    free(mf2);
}
END_TEST

struct reader {
    ota_zip *zip;
    int failures;
};

static void *read_many(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < 200; i++) {
        uint8_t *data;
        size_t len;
        ota_error err;
        if (ota_zip_read(r->zip, ota_zip_find(r->zip, "a"), &data, &len, 0, &err) < 0)
            r->failures++;
        else
            free(data);
        if (ota_zip_read(r->zip, ota_zip_find(r->zip, "b"), &data, &len, 0, &err) == 0) {
            free(data);
            r->failures++;
        }
    }
    return NULL;
}

START_TEST(threads_read_one_verified_zip)
{
    struct raw r;
    char *mf;
    build(&r, "signed contents of a", &mf);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "t.zip", &err);
    ck_assert_int_eq(ota_zip_verify_entries(zip, signed_for(mf), &err), 0);
    pthread_t t[4];
    struct reader readers[4];
    for (int i = 0; i < 4; i++) {
        readers[i] = (struct reader){zip, 0};
        ck_assert_int_eq(pthread_create(&t[i], NULL, read_many, &readers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(readers[i].failures, 0);
    }
    ota_zip_close(zip);
    ota_buf_free(&r.b);
    free(mf);
}
END_TEST

/* The index digest is that of the central directory's bytes. */
START_TEST(index_digest_covers_the_central_directory)
{
    struct raw r;
    char *mf;
    build(&r, "signed contents of a", &mf);
    ota_error err;
    ota_zip *zip = ota_zip_open_memory(r.b.data, r.b.len, "m.zip", &err);
    ck_assert_ptr_nonnull(zip);
    uint64_t off, len;
    ota_zip_index_extent(zip, &off, &len);
    ck_assert_uint_eq(off + len + 22, r.b.len);
    uint8_t want[OTA_SHA256_LEN];
    ota_sha256(r.b.data + off, (size_t)len, want);
    ck_assert_mem_eq(ota_zip_index_sha256(zip), want, sizeof want);
    ck_assert_uint_eq(ota_zip_size(zip), r.b.len);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
    free(mf);
}
END_TEST

static void token_for(const char *mf, const ota_zip *zip, char *out)
{
    ota_verify_info info;
    memset(&info, 0, sizeof info);
    ota_sha256(mf, strlen(mf), info.manifest_sha256);
    memcpy(info.index_sha256, ota_zip_index_sha256(zip), OTA_SHA256_LEN);
    info.jar_ok = 1;
    ota_verified_token(&info, out);
}

/* What the update-binary does with what recovery hands it. */
START_TEST(adopting_a_handed_over_package)
{
    struct raw r, other;
    char *mf, *mf2;
    build(&r, "signed contents of a", &mf);
    build(&other, "unsigned bytes in a!", &mf2);
    ota_error err;
    ota_zip *verified = open_bytes(r.b.data, r.b.len, "p.zip", &err);
    char token[OTA_VERIFIED_TOKEN_LEN + 1];
    token_for(mf, verified, token);
    ck_assert_uint_eq(strlen(token), OTA_VERIFIED_TOKEN_LEN);
    ck_assert_int_eq(token[64], ':');

    /* the same package: adopted, reads checked */
    ota_zip *child = open_bytes(r.b.data, r.b.len, "p.zip", &err);
    ck_assert_msg(ota_zip_adopt_verified(child, token, &err) == 0, "%s", err.message);
    ck_assert_ptr_nonnull(ota_zip_signed_entries(child));
    char *text = entry_text(child, "a");
    free(text);
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(ota_zip_read(child, ota_zip_find(child, "b"), &data, &len, 0, &err), -1);
    ota_zip_close(child);

    /* rewritten since: another central directory (the CRC of a differs) */
    child = open_bytes(other.b.data, other.b.len, "p.zip", &err);
    ck_assert_int_eq(ota_zip_adopt_verified(child, token, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "changed after recovery verified it") &&
                  strstr(err.message, "central directory"), "%s", err.message);
    ota_zip_close(child);

    /* same directory, another manifest: refused too */
    char bad[OTA_VERIFIED_TOKEN_LEN + 1];
    memcpy(bad, token, sizeof bad);
    bad[0] = bad[0] == '0' ? '1' : '0';
    child = open_bytes(r.b.data, r.b.len, "p.zip", &err);
    ck_assert_int_eq(ota_zip_adopt_verified(child, bad, &err), -1);
    ck_assert_msg(strstr(err.message, "META-INF/MANIFEST.MF is not the verified one"), "%s", err.message);
    /* a malformed token is an argument error */
    static const char *const malformed[] = {"", "00", "zz", "not a token"};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        ck_assert_int_eq(ota_zip_adopt_verified(child, malformed[i], &err), -1);
        ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    }
    bad[64] = '-';
    ck_assert_int_eq(ota_zip_adopt_verified(child, bad, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ota_zip_close(child);
    ota_zip_close(verified);
    ota_buf_free(&r.b);
    ota_buf_free(&other.b);
    free(mf);
    free(mf2);
}
END_TEST

static void setup(void)
{
    make_tmpdir();
}

static void teardown(void)
{
    remove_tmpdir();
}

/* xz and zstd entries are held to the digests of their decoded bytes, as
 * the v1 manifest signs them. */
START_TEST(xz_and_zstd_entries_are_checked_on_their_decoded_bytes)
{
    const char *names[] = {"system/a.txt", "system/b.txt"};
    const char *datas[] = {"alpha alpha alpha alpha alpha alpha", "bravo bravo bravo bravo bravo bravo"};
    const char *path = tmp_path("m.zip");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ota_zip_add_opts xz = {.method = OTA_ZIP_XZ}, zstd = {.method = OTA_ZIP_ZSTD};
    ck_assert_int_eq(ota_zip_add_data(w, names[0], datas[0], strlen(datas[0]), &xz, &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, names[1], datas[1], strlen(datas[1]), &zstd, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    char *mf = manifest_for(names, datas, 2);
    ota_zip *zip = reopen(path);
    ck_assert_int_eq(ota_zip_verify_entries(zip, signed_for(mf), &err), 0);
    for (size_t i = 0; i < 2; i++) {
        char *t = entry_text(zip, names[i]);
        ck_assert_str_eq(t, datas[i]);
        free(t);
    }
    ota_zip_close(zip);
    free(mf);
    /* a manifest signing other bytes of the same length: refused by name */
    const char *other[] = {"alpha alpha alpha alpha alpha alpha", "BRAVO bravo bravo bravo bravo bravo"};
    mf = manifest_for(names, other, 2);
    zip = reopen(path);
    ck_assert_int_eq(ota_zip_verify_entries(zip, signed_for(mf), &err), 0);
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(ota_zip_read(zip, ota_zip_find(zip, names[1]), &data, &len, 0, &err), -1);
    ck_assert_msg(strstr(err.message, "manifest mismatch on entry system/b.txt") != NULL, "%s", err.message);
    ota_zip_close(zip);
    free(mf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-zip-verified");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, checker_holds_a_stream_to_its_digests);
    tcase_add_test(tc, checker_large_entry_in_a_helper_thread);
    tcase_add_test(tc, manifest_without_usable_digests_is_refused);
    tcase_add_test(tc, verified_zip_checks_every_read);
    tcase_add_test(tc, rewritten_entry_with_matching_crc_is_caught);
    tcase_add_test(tc, threads_read_one_verified_zip);
    tcase_add_test(tc, index_digest_covers_the_central_directory);
    tcase_add_test(tc, adopting_a_handed_over_package);
    tcase_add_test(tc, xz_and_zstd_entries_are_checked_on_their_decoded_bytes);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
