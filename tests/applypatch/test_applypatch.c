/* Unit tests of the applypatch library: check, space and apply on real
 * files in a temporary folder (partitions are stood in for by files: the
 * EMMC code reads and writes them the same way), including the resume
 * paths and every refusal. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applypatch/applypatch.h"
#include "applypatch/bsdiff.h"
#include "otautil/hash.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

static char dir[4096];
static char cache[4200];
static applypatch_opts opts;

static void setup(void)
{
    const char *tmpdir = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_applypatch.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cache, sizeof cache, "%s/saved.file", dir);
    opts.cache_path = cache;
}

static void teardown(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *name)
{
    static char paths[8][4300];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

static void put(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static uint8_t *get(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    ota_error err;
    ck_assert_msg(applypatch_read_file(path, &data, len, &err) == 0, "%s", err.message);
    return data;
}

static void hex_of(const void *data, size_t len, char out[41])
{
    uint8_t d[OTA_SHA1_LEN];
    ota_sha1(data, len, d);
    ota_hex_encode(d, sizeof d, out);
}

/* Old and new contents and a BSDIFF40 patch between them. */
static uint8_t old_data[100000], new_data[120000];
static char old_sha[41], new_sha[41];
static applypatch_blob patch;

static void make_pair(void)
{
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof old_data; i++) {
        x = x * 1664525u + 1013904223u;
        old_data[i] = (uint8_t)("abcdefgh\n"[(x >> 24) % 9]);
    }
    memcpy(new_data, old_data, sizeof old_data);
    memcpy(new_data + 500, "changed", 7);
    memset(new_data + sizeof old_data, 'z', sizeof new_data - sizeof old_data);
    hex_of(old_data, sizeof old_data, old_sha);
    hex_of(new_data, sizeof new_data, new_sha);
    uint8_t *p;
    size_t n;
    ota_error err;
    if (bsdiff_create(old_data, sizeof old_data, new_data, sizeof new_data, &p, &n, &err) < 0) {
        fprintf(stderr, "bsdiff_create: %s\n", err.message);
        exit(1);
    }
    patch.data = p;
    patch.len = n;
}

static void free_pair(void)
{
    free((void *)patch.data);
    patch.data = NULL;
}

static void expect_content(const char *path, const void *data, size_t len)
{
    size_t got_len;
    uint8_t *got = get(path, &got_len);
    ck_assert_uint_eq(got_len, len);
    ck_assert_mem_eq(got, data, len);
    free(got);
}

static int apply1(const char *src, const char *tgt, const char *tgt_sha, uint64_t size, ota_error *err)
{
    const char *sha1s[] = {old_sha};
    ota_error_clear(err);
    return applypatch_apply(src, tgt, tgt_sha, size, 1, sha1s, &patch, NULL, &opts, err);
}

START_TEST(check_files)
{
    put(at("f"), old_data, sizeof old_data);
    ota_error err;
    const char *good[] = {new_sha, old_sha}, *bad[] = {new_sha}, *junk[] = {"xyz"};
    ck_assert_int_eq(applypatch_check(at("f"), good, 2, &opts, &err), 0);
    ck_assert_int_eq(applypatch_check(at("f"), NULL, 0, &opts, &err), 0);
    ck_assert_int_eq(applypatch_check(at("f"), bad, 1, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_ptr_nonnull(strstr(err.message, at("f")));
    ck_assert_int_eq(applypatch_check(at("missing"), NULL, 0, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    ck_assert_int_eq(applypatch_check(at("f"), junk, 1, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    /* The saved copy stands in for a damaged file. */
    put(at("f"), "damaged", 7);
    ck_assert_int_eq(applypatch_check(at("f"), good, 2, &opts, &err), -1);
    put(cache, old_data, sizeof old_data);
    ck_assert_int_eq(applypatch_check(at("f"), good, 2, &opts, &err), 0);
}
END_TEST

START_TEST(check_emmc_specs)
{
    /* A partition holding the old image followed by leftovers. */
    uint8_t part[150000];
    memset(part, 0xee, sizeof part);
    memcpy(part, old_data, sizeof old_data);
    put(at("part"), part, sizeof part);
    char spec[9000];
    snprintf(spec, sizeof spec, "EMMC:%s:%zu:%s:%zu:%s", at("part"), sizeof new_data, new_sha, sizeof old_data,
             old_sha);
    ota_error err;
    ck_assert_msg(applypatch_check(spec, NULL, 0, &opts, &err) == 0, "%s", err.message);
    /* A size far past the device's end is just a pair that cannot match. */
    char huge[9000];
    snprintf(huge, sizeof huge, "EMMC:%s:999999999999999:%s:%zu:%s", at("part"), new_sha, sizeof old_data, old_sha);
    ck_assert_msg(applypatch_check(huge, NULL, 0, &opts, &err) == 0, "%s", err.message);
    const char *want_old[] = {old_sha}, *want_new[] = {new_sha};
    ck_assert_int_eq(applypatch_check(spec, want_old, 1, &opts, &err), 0);
    ck_assert_int_eq(applypatch_check(spec, want_new, 1, &opts, &err), -1);
    /* Only the given length counts: a change after it does not matter. */
    part[sizeof old_data + 10] = 0;
    put(at("part"), part, sizeof part);
    ck_assert_int_eq(applypatch_check(spec, NULL, 0, &opts, &err), 0);
    /* Half-written partition: fails, until the saved copy is there. */
    part[10] ^= 1;
    put(at("part"), part, sizeof part);
    ck_assert_int_eq(applypatch_check(spec, NULL, 0, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    put(cache, old_data, sizeof old_data);
    ck_assert_int_eq(applypatch_check(spec, NULL, 0, &opts, &err), 0);
    /* Malformed specs. */
    snprintf(spec, sizeof spec, "EMMC:%s:12", at("part"));
    ck_assert_int_eq(applypatch_check(spec, NULL, 0, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    snprintf(spec, sizeof spec, "EMMC:%s:-5:%s", at("part"), old_sha);
    ck_assert_int_eq(applypatch_check(spec, NULL, 0, &opts, &err), -1);
    snprintf(spec, sizeof spec, "MTD:boot:5:%s", old_sha);
    ck_assert_int_eq(applypatch_check(spec, NULL, 0, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_UNSUPPORTED);
}
END_TEST

START_TEST(space)
{
    ota_error err;
    ck_assert_int_eq(applypatch_space(0, &opts, &err), 0);
    ck_assert_int_eq(applypatch_space(UINT64_MAX, &opts, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOSPACE);
    applypatch_opts nowhere = {.cache_path = "/nonexistent-dir-for-test/saved.file"};
    ck_assert_int_eq(applypatch_space(1, &nowhere, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir-for-test"));
}
END_TEST

START_TEST(patch_to_new_file)
{
    put(at("src"), old_data, sizeof old_data);
    chmod(at("src"), 0751);
    ota_error err;
    ck_assert_msg(apply1(at("src"), at("dst"), new_sha, sizeof new_data, &err) == 0, "%s", err.message);
    expect_content(at("dst"), new_data, sizeof new_data);
    expect_content(at("src"), old_data, sizeof old_data);
    struct stat st;
    ck_assert_int_eq(stat(at("dst"), &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0751);
    ck_assert_int_ne(access(at("dst.patch"), F_OK), 0);
    ck_assert_int_ne(access(cache, F_OK), 0); /* not in place: no copy */
}
END_TEST

START_TEST(patch_in_place)
{
    put(at("f"), old_data, sizeof old_data);
    ota_error err;
    ck_assert_msg(apply1(at("f"), "-", new_sha, sizeof new_data, &err) == 0, "%s", err.message);
    expect_content(at("f"), new_data, sizeof new_data);
    ck_assert_int_ne(access(cache, F_OK), 0); /* the saved copy is gone */
    /* Again: already done, no patch needed at all. */
    struct stat before, after;
    stat(at("f"), &before);
    ck_assert_int_eq(applypatch_apply(at("f"), "-", new_sha, sizeof new_data, 0, NULL, NULL, NULL, &opts, &err),
                     0);
    stat(at("f"), &after);
    ck_assert_uint_eq(before.st_ino, after.st_ino);
}
END_TEST

START_TEST(picks_the_matching_patch)
{
    put(at("f"), old_data, sizeof old_data);
    const char *sha1s[] = {new_sha, old_sha};
    applypatch_blob patches[] = {{(const uint8_t *)"garbage", 7}, patch};
    ota_error err;
    ck_assert_msg(applypatch_apply(at("f"), at("g"), new_sha, sizeof new_data, 2, sha1s, patches, NULL, &opts,
                                   &err) == 0,
                  "%s", err.message);
    expect_content(at("g"), new_data, sizeof new_data);
}
END_TEST

START_TEST(refusals_leave_target_alone)
{
    put(at("f"), "not the source", 14);
    put(at("t"), "old target", 10);
    ota_error err;
    ck_assert_int_eq(apply1(at("f"), at("t"), new_sha, sizeof new_data, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_ptr_nonnull(strstr(err.message, at("f")));
    ck_assert_ptr_nonnull(strstr(err.message, "saved copy"));
    expect_content(at("t"), "old target", 10);

    /* The patch works but makes something else than promised. */
    put(at("f"), old_data, sizeof old_data);
    ck_assert_int_eq(apply1(at("f"), at("t"), old_sha, sizeof new_data, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_ptr_nonnull(strstr(err.message, "left unchanged"));
    expect_content(at("t"), "old target", 10);
    ck_assert_int_ne(access(at("t.patch"), F_OK), 0);
    /* Same, with a size smaller than the output. */
    ck_assert_int_eq(apply1(at("f"), at("t"), new_sha, 100, &err), -1);
    expect_content(at("t"), "old target", 10);

    /* A corrupt patch. */
    uint8_t *bad = malloc(patch.len);
    memcpy(bad, patch.data, patch.len);
    bad[40] ^= 0xff;
    applypatch_blob saved = patch;
    patch.data = bad;
    ck_assert_int_eq(apply1(at("f"), at("t"), new_sha, sizeof new_data, &err), -1);
    ck_assert_str_ne(err.message, "");
    patch.len = 5; /* and a truncated one of unknown kind */
    ck_assert_int_eq(apply1(at("f"), at("t"), new_sha, sizeof new_data, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown patch format"));
    patch = saved;
    free(bad);
    expect_content(at("t"), "old target", 10);

    /* Bad arguments. */
    ck_assert_int_eq(apply1(at("f"), at("t"), "nothex", sizeof new_data, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
}
END_TEST

/* The state a run killed mid-way through an in-place partition write
 * leaves: a damaged partition and the saved copy. */
START_TEST(resumes_from_saved_copy)
{
    uint8_t part[200000];
    memset(part, 0, sizeof part);
    memcpy(part, new_data, 7000); /* the start of the new image, then old */
    memcpy(part + 7000, old_data + 7000, sizeof old_data - 7000);
    put(at("part"), part, sizeof part);
    put(cache, old_data, sizeof old_data);
    char src[9000], tgt[9000];
    snprintf(src, sizeof src, "EMMC:%s:%zu:%s", at("part"), sizeof old_data, old_sha);
    snprintf(tgt, sizeof tgt, "EMMC:%s", at("part"));
    ota_error err;
    ck_assert_msg(apply1(src, tgt, new_sha, sizeof new_data, &err) == 0, "%s", err.message);
    size_t len;
    uint8_t *got = get(at("part"), &len);
    ck_assert_uint_eq(len, sizeof part); /* a partition is not truncated */
    ck_assert_mem_eq(got, new_data, sizeof new_data);
    free(got);
    ck_assert_int_ne(access(cache, F_OK), 0);
    /* Without the saved copy the same state is an error naming both. */
    put(at("part"), part, sizeof part);
    ck_assert_int_eq(apply1(src, tgt, new_sha, sizeof new_data, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "saved copy"));
}
END_TEST

START_TEST(emmc_in_place)
{
    uint8_t part[200000];
    memset(part, 0x5a, sizeof part);
    memcpy(part, old_data, sizeof old_data);
    put(at("part"), part, sizeof part);
    char src[9000];
    snprintf(src, sizeof src, "EMMC:%s:%zu:%s", at("part"), sizeof old_data, old_sha);
    ota_error err;
    ck_assert_msg(apply1(src, "-", new_sha, sizeof new_data, &err) == 0, "%s", err.message);
    char check[9000];
    snprintf(check, sizeof check, "EMMC:%s:%zu:%s", at("part"), sizeof new_data, new_sha);
    ck_assert_int_eq(applypatch_check(check, NULL, 0, &opts, &err), 0);
    ck_assert_int_ne(access(cache, F_OK), 0);
    /* Run again: the target is there, nothing to do. */
    ck_assert_int_eq(apply1(src, "-", new_sha, sizeof new_data, &err), 0);
}
END_TEST

START_TEST(cache_full_is_refused_before_writing)
{
    put(at("f"), old_data, sizeof old_data);
    applypatch_opts full = {.cache_path = "/nonexistent-dir-for-test/saved.file"};
    const char *sha1s[] = {old_sha};
    ota_error err;
    ck_assert_int_eq(applypatch_apply(at("f"), "-", new_sha, sizeof new_data, 1, sha1s, &patch, NULL, &full, &err),
                     -1);
    expect_content(at("f"), old_data, sizeof old_data);
}
END_TEST

/* ---- Android's files ----------------------------------------------------- */

static uint8_t *td(const char *rel, size_t *len)
{
    char path[4200];
    return get(test_data_path(rel, path, sizeof path), len);
}

START_TEST(android_bsdiff)
{
    size_t len, plen;
    uint8_t *old = td("applypatch/old.file", &len);
    uint8_t *p = td("applypatch/patch.bsdiff", &plen);
    put(at("old"), old, len);
    char sha[41];
    hex_of(old, len, sha);
    const char *sha1s[] = {sha};
    applypatch_blob blob = {p, plen};
    ota_error err;
    ck_assert_msg(applypatch_apply(at("old"), "-", "7da4c3dba4794bea50e88ade9782d077c13a5532", 1388877, 1, sha1s,
                                   &blob, NULL, &opts, &err) == 0,
                  "%s", err.message);
    const char *want[] = {"7da4c3dba4794bea50e88ade9782d077c13a5532"};
    ck_assert_int_eq(applypatch_check(at("old"), want, 1, &opts, &err), 0);
    free(old);
    free(p);
}
END_TEST

START_TEST(android_boot_to_recovery_partition)
{
    size_t boot_len, plen, blen;
    uint8_t *boot = td("recovery/boot.img", &boot_len);
    uint8_t *p = td("recovery/recovery-from-boot.p", &plen);
    uint8_t *bonus = td("recovery/bonus.file", &blen);
    put(at("boot"), boot, boot_len);
    uint8_t zeros[4096] = {0};
    put(at("recovery"), zeros, sizeof zeros); /* a partition that holds garbage */
    char src[9000], tgt[9000];
    snprintf(src, sizeof src, "EMMC:%s:%zu:e7fd9c7180c70ee8860f9839e0f466d5f6eaa8ef", at("boot"), boot_len);
    snprintf(tgt, sizeof tgt, "EMMC:%s", at("recovery"));
    const char *sha1s[] = {"e7fd9c7180c70ee8860f9839e0f466d5f6eaa8ef"};
    applypatch_blob blob = {p, plen}, b = {bonus, blen};
    ota_error err;
    /* Without the bonus: a clear error, the partition untouched. */
    ck_assert_int_eq(applypatch_apply(src, tgt, "e1e9672394cdf82befe0528e1a075167f500d5c4", 529707, 1, sha1s,
                                      &blob, NULL, &opts, &err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err.message, "bonus"));
    expect_content(at("recovery"), zeros, sizeof zeros);
    ck_assert_msg(applypatch_apply(src, tgt, "e1e9672394cdf82befe0528e1a075167f500d5c4", 529707, 1, sha1s, &blob,
                                   &b, &opts, &err) == 0,
                  "%s", err.message);
    char check[9000];
    snprintf(check, sizeof check, "EMMC:%s:529707:e1e9672394cdf82befe0528e1a075167f500d5c4", at("recovery"));
    ck_assert_int_eq(applypatch_check(check, NULL, 0, &opts, &err), 0);
    free(boot);
    free(p);
    free(bonus);
}
END_TEST

int main(void)
{
    make_pair();
    Suite *s = suite_create("applypatch");
    TCase *tc = tcase_create("library");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, check_files);
    tcase_add_test(tc, check_emmc_specs);
    tcase_add_test(tc, space);
    tcase_add_test(tc, patch_to_new_file);
    tcase_add_test(tc, patch_in_place);
    tcase_add_test(tc, picks_the_matching_patch);
    tcase_add_test(tc, refusals_leave_target_alone);
    tcase_add_test(tc, resumes_from_saved_copy);
    tcase_add_test(tc, emmc_in_place);
    tcase_add_test(tc, cache_full_is_refused_before_writing);
    suite_add_tcase(s, tc);
    int android = test_data_present("applypatch/old.file");
    if (android) {
        TCase *ta = tcase_create("android");
        tcase_add_checked_fixture(ta, setup, teardown);
        tcase_add_test(ta, android_bsdiff);
        tcase_add_test(ta, android_boot_to_recovery_partition);
        suite_add_tcase(s, ta);
    }
    int failed = test_run(s);
    free_pair();
    return test_data_exit(failed, android, "the 2 cases on Android's patches and images");
}
