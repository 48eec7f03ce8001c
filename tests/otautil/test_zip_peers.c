/* XZ and Zstandard zip entries against real peers: libarchive's bsdtar
 * (Debian's libarchive-tools) and 7-Zip (Debian's 7zip, `7zz`) read and
 * test what we write, and we read what 7-Zip writes with method 95.  No
 * packaged tool writes method 93 entries (bsdtar 3.6 and Info-ZIP zip
 * write only stored and deflate; 7-Zip reads zstd in zip but will not
 * write it), so zstd is checked in the one direction. */
#include "tests/otautil/zip_fixture.h"

static const int methods[] = { OTA_ZIP_XZ, OTA_ZIP_ZSTD };

/* A file of lines a peer can compare with cmp(1). */
static void make_input(const char *path, size_t lines)
{
    ck_assert_int_eq(run("seq 1 %zu | sed 's/$/ system\\/lib\\/modules/' >'%s'", lines, path), 0);
}

static void write_ours(const char *path, int method, const char *input)
{
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ck_assert_ptr_nonnull(w);
    ota_zip_add_opts o = { .method = method, .unix_mode = 0100640 };
    ck_assert_msg(ota_zip_add_file(w, "dir/big.txt", input, &o, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_add_data(w, "small", "tiny", 4, &o, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_add_data(w, "empty", "", 0, &o, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_add_data(w, "deflated", "next to it", 10, NULL, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_writer_close(w, "comment", 7, &err) == 0, "%s", err.message);
}

START_TEST(bsdtar_reads_ours)
{
    const char *input = tmp_path("input.txt"), *out = tmp_path("out");
    make_input(input, 60000);
    for (size_t m = 0; m < 2; m++) {
        const char *zip = tmp_path(m ? "zstd.zip" : "xz.zip");
        write_ours(zip, methods[m], input);
        ck_assert_int_eq(run("rm -rf '%s' && mkdir '%s' && bsdtar -xf '%s' -C '%s'", out, out, zip, out), 0);
        ck_assert_int_eq(run("cmp '%s' '%s/dir/big.txt'", input, out), 0);
        ck_assert_int_eq(run("test \"$(cat '%s/small')\" = tiny && test ! -s '%s/empty' && "
                             "test \"$(cat '%s/deflated')\" = 'next to it'",
                             out, out, out),
                         0);
        ck_assert_int_eq(run("test \"$(stat -c %%a '%s/dir/big.txt')\" = 640", out), 0);
    }
}
END_TEST

START_TEST(seven_zip_tests_ours)
{
    const char *input = tmp_path("input.txt"), *out = tmp_path("out");
    make_input(input, 60000);
    for (size_t m = 0; m < 2; m++) {
        const char *zip = tmp_path(m ? "zstd.zip" : "xz.zip");
        write_ours(zip, methods[m], input);
        ck_assert_int_eq(run("7zz t '%s' >/dev/null", zip), 0);
        ck_assert_int_eq(run("rm -rf '%s' && 7zz x -o'%s' '%s' >/dev/null && cmp '%s' '%s/dir/big.txt'", out, out,
                             zip, input, out),
                         0);
        ck_assert_int_eq(run("7zz l -slt '%s' | grep -q '^Method = %s'", zip, m ? "zstd" : "xz"), 0);
    }
}
END_TEST

START_TEST(we_read_seven_zip_xz)
{
    const char *input = tmp_path("input.txt"), *zip = tmp_path("7z.zip");
    make_input(input, 40000);
    ck_assert_int_eq(run("cd '%s' && 7zz a -tzip -mm=XZ -mx=9 '%s' input.txt >/dev/null", tmpdir, zip), 0);
    ota_zip *z = reopen(zip);
    const ota_zip_entry *e = ota_zip_find(z, "input.txt");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->method, OTA_ZIP_XZ);
    size_t len;
    uint8_t *want = read_whole(input, &len);
    uint8_t *got;
    size_t got_len;
    ota_error err;
    ck_assert_msg(ota_zip_read(z, e, &got, &got_len, 0, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(got_len, len);
    ck_assert(memcmp(got, want, len) == 0);
    free(got);
    free(want);
    ota_zip_close(z);
}
END_TEST

int main(void)
{
    if (!have_tool("bsdtar") || !have_tool("7zz")) {
        printf("SKIP: bsdtar (libarchive-tools) and 7zz (7zip) are needed (scripts/install-deps installs them)\n");
        return 77;
    }
    Suite *s = suite_create("otautil-zip-peers");
    TCase *tc = zip_tcase("peers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bsdtar_reads_ours);
    tcase_add_test(tc, seven_zip_tests_ours);
    tcase_add_test(tc, we_read_seven_zip_xz);
    suite_add_tcase(s, tc);
    return zip_test_run(s, 0);
}
