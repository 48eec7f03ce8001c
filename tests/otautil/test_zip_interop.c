/* Interoperability of the zip layer with Info-ZIP's zip and unzip (Debian's):
 * unzip tests and extracts what we write, modes and symlinks included; we
 * read what zip writes, `zip -y` symlinks and `zip -fz` zip64 included. */
#include "tests/otautil/zip_fixture.h"

START_TEST(info_zip_unzip_reads_ours)
{
    if (!have_tool("unzip"))
        return;
    const char *path = tmp_path("ours.zip"), *out = tmp_path("out");
    const unsigned char comment[] = { 1, 2, 0, 0xfe };
    write_sample(path, comment, sizeof comment);
    ck_assert_int_eq(run("unzip -tq '%s' >/dev/null", path), 0);
    ck_assert_int_eq(run("umask 022 && unzip -q '%s' -d '%s'", path, out), 0);
    char p[600], link[64];
    struct stat st;
    snprintf(p, sizeof p, "%s/system/bin/sh", out);
    ck_assert_int_eq(lstat(p, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ssize_t n = readlink(p, link, sizeof link - 1);
    ck_assert_int_eq(n, 4);
    link[n] = 0;
    ck_assert_str_eq(link, "mksh");
    snprintf(p, sizeof p, "%s/system/bin/app", out);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0755);
    ck_assert_uint_eq(st.st_size, 10000);
    snprintf(p, sizeof p, "%s/stored.txt", out);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0644);
    snprintf(p, sizeof p, "%s/system/bin", out);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 07777, 0750);
}
END_TEST

START_TEST(info_zip_unzip_tests_our_zip64_and_aligned_archives)
{
    if (!have_tool("unzip"))
        return;
    /* > 65,535 entries: the end records we complete must satisfy unzip */
    const char *path = tmp_path("many.zip");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ota_zip_add_opts stored = { .method = OTA_ZIP_STORE, .align = 4 };
    char name[32];
    for (size_t i = 0; i < 66000; i++) {
        snprintf(name, sizeof name, "f%zu", i);
        ck_assert_int_eq(ota_zip_add_data(w, name, name, strlen(name), &stored, &err), 0);
    }
    ck_assert_int_eq(ota_zip_writer_close(w, "sig", 3, &err), 0);
    ck_assert_int_eq(run("unzip -tq '%s' >/dev/null", path), 0);
    ck_assert_int_eq(run("test \"$(unzip -Z1 '%s' | wc -l)\" = 66000", path), 0);
    /* an entry of unknown length (a pipe) carries a zip64 local field */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "piped", 5), 5);
    close(fds[1]);
    path = tmp_path("pipe.zip");
    w = ota_zip_writer_open(path, &err);
    ck_assert_int_eq(ota_zip_add_fd(w, "p", fds[0], NULL, &err), 0);
    close(fds[0]);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    ck_assert_int_eq(run("test \"$(unzip -p '%s' p)\" = piped", path), 0);
}
END_TEST

START_TEST(we_read_info_zip_archives)
{
    if (!have_tool("zip"))
        return;
    const char *tree = tmp_path("tree");
    ck_assert_int_eq(run("mkdir -p '%s/sub/empty' && printf 'exec' >'%s/sub/tool' && chmod 0751 '%s/sub/tool' "
                         "&& ln -s sub/tool '%s/link' && printf '' >'%s/zero' && chmod 0700 '%s/sub/empty'",
                         tree, tree, tree, tree, tree, tree),
                     0);
    const char *variants[] = { "-y", "-y -0", "-y -fz" };
    for (size_t v = 0; v < 3; v++) {
        const char *path = tmp_path("iz.zip");
        unlink(path);
        ck_assert_int_eq(run("cd '%s' && zip -q -r %s '%s' .", tree, variants[v], path), 0);
        ota_error err;
        ota_zip *zip = ota_zip_open(path, &err);
        ck_assert_msg(zip != NULL, "zip %s: %s", variants[v], err.message);
        const ota_zip_entry *tool = ota_zip_find(zip, "sub/tool");
        ck_assert_ptr_nonnull(tool);
        ck_assert_uint_eq(tool->unix_mode, 0100751);
        char *t = entry_text(zip, "sub/tool");
        ck_assert_str_eq(t, "exec");
        free(t);
        const ota_zip_entry *link = ota_zip_find(zip, "link");
        ck_assert_ptr_nonnull(link);
        ck_assert(link->is_symlink);
        t = entry_text(zip, "link");
        ck_assert_str_eq(t, "sub/tool");
        free(t);
        const ota_zip_entry *empty = ota_zip_find(zip, "sub/empty/");
        ck_assert_ptr_nonnull(empty);
        ck_assert(empty->is_dir);
        ck_assert_uint_eq(empty->unix_mode, 040700);
        ck_assert_uint_eq(ota_zip_find(zip, "zero")->size, 0);
        ota_zip_close(zip);
    }
}
END_TEST

/* `zip` writing to a pipe cannot seek back: the sizes follow the data in
 * a data descriptor (flag bit 3) and the local header holds zeros. */
START_TEST(we_read_data_descriptor_entries)
{
    const char *path = tmp_path("stream.zip");
    ck_assert_int_eq(run("printf 'streamed data' | zip -q - - | cat >'%s'", path), 0);
    size_t len;
    uint8_t *p = read_whole(path, &len);
    ck_assert_uint_eq(p[6] & 8, 8); /* the local header's flag bit 3 */
    free(p);
    ota_zip *zip = reopen(path);
    char *t = entry_text(zip, "-");
    ck_assert_str_eq(t, "streamed data");
    free(t);
    ota_zip_close(zip);
}
END_TEST

START_TEST(unsupported_method_is_a_clean_error)
{
    if (!have_tool("zip"))
        return;
    const char *in = tmp_path("data.txt"), *path = tmp_path("bz.zip");
    static char text[20000];
    memset(text, 'b', sizeof text); /* compressible, so zip does not store it */
    write_file(in, text, sizeof text);
    if (run("zip -q -j -Z bzip2 '%s' '%s' 2>/dev/null", path, in) != 0) {
        fprintf(stderr, "SKIPPED: this zip has no bzip2 support\n");
        return;
    }
    ota_zip *zip = reopen(path);
    const ota_zip_entry *e = ota_zip_find(zip, "data.txt");
    ck_assert_uint_eq(e->method, 12);
    ota_error err;
    ota_buf out = { 0 };
    ck_assert_int_eq(ota_zip_stream(zip, e, ota_buf_sink, &out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "method 12"));
    ota_zip_close(zip);
}
END_TEST

int main(void)
{
    if (!have_tool("zip") || !have_tool("unzip")) {
        printf("SKIP: Info-ZIP zip and unzip are needed (scripts/install-deps installs them)\n");
        return 77;
    }
    Suite *s = suite_create("otautil-zip-interop");
    TCase *interop = zip_tcase("interop");
    tcase_add_test(interop, info_zip_unzip_reads_ours);
    tcase_add_test(interop, info_zip_unzip_tests_our_zip64_and_aligned_archives);
    tcase_add_test(interop, we_read_info_zip_archives);
    tcase_add_test(interop, we_read_data_descriptor_entries);
    tcase_add_test(interop, unsupported_method_is_a_clean_error);
    suite_add_tcase(s, interop);
    return zip_test_run(s, 0);
}
