/* Unit tests of package_extract_dir's engine (upd_extract_dir) on real
 * packages written with the zip layer into a temporary directory: the tree
 * as written (modes, symlinks, empty directories, the fixed time), one
 * thread and several alike, replacement of existing files, and refusals of
 * names escaping the destination, with nothing written. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/zip.h"
#include "updater/builtins.h"
#include "tests/common/testutil.h"

static char *path_in(const char *dir, const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

typedef struct entry_spec {
    const char *name;
    const char *data; /* NULL: directory; for links: the target */
    int link;
} entry_spec;

/* Writes a package of the given entries (large: a 6 MiB file too, so that
 * several threads are used). */
static char *make_package(const char *dir, const entry_spec *specs, size_t n, int large)
{
    char *zip_path = path_in(dir, "pkg.zip");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(zip_path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ota_zip_add_opts opts = {.method = OTA_ZIP_DEFLATE};
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (specs[i].link)
            rc = ota_zip_add_symlink(w, specs[i].name, specs[i].data, &err);
        else if (!specs[i].data)
            rc = ota_zip_add_dir(w, specs[i].name, 040755, &err);
        else
            rc = ota_zip_add_data(w, specs[i].name, specs[i].data, strlen(specs[i].data), &opts,
                                  &err);
        ck_assert_msg(rc == 0, "%s", err.message);
    }
    if (large) {
        size_t len = 6u << 20;
        char *big = malloc(len);
        ck_assert_ptr_nonnull(big);
        for (size_t i = 0; i < len; i++)
            big[i] = (char)(i * 7 + i / 4096);
        ck_assert_int_eq(ota_zip_add_data(w, "system/app/big.apk", big, len, &opts, &err), 0);
        for (int i = 0; i < 40; i++) {
            char name[64], data[64];
            snprintf(name, sizeof name, "system/lib/mod%02d.ko", i);
            snprintf(data, sizeof data, "module %d\n", i);
            ck_assert_int_eq(ota_zip_add_data(w, name, data, strlen(data), &opts, &err), 0);
        }
        free(big);
    }
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    return zip_path;
}

static void assert_file(const char *dir, const char *name, const char *content)
{
    char *p = path_in(dir, name);
    FILE *f = fopen(p, "rb");
    ck_assert_msg(f != NULL, "%s missing", p);
    char buf[256] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ck_assert_uint_eq(n, strlen(content));
    ck_assert_str_eq(buf, content);
    struct stat sb;
    ck_assert_int_eq(stat(p, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0644);
    ck_assert_int_eq(sb.st_mtime, 1217592000);
    free(p);
}

static int dir_is_empty(const char *d)
{
    DIR *dp = opendir(d);
    ck_assert_ptr_nonnull(dp);
    int empty = 1;
    struct dirent *de;
    while ((de = readdir(dp)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            empty = 0;
    closedir(dp);
    return empty;
}

static const entry_spec TREE[] = {
    {"META-INF/com/google/android/updater-script", "ui_print(\"x\");", 0},
    {"system/", NULL, 0},
    {"system/bin/toolbox", "toolbox binary\n", 0},
    {"system/bin/ls", "toolbox", 1},
    {"system/etc/empty/", NULL, 0},
    {"system/odd dir/ünïcödé ☃.txt", "odd\n", 0},
    {"system/lib/libc.so", "libc\n", 0},
    {"other/file", "not extracted\n", 0},
};

static void check_tree(int threads, unsigned flags)
{
    char *d = test_temp_dir("updater-extract");
    char *zip_path = make_package(d, TREE, sizeof TREE / sizeof *TREE, 1);
    ota_error err;
    ota_zip *zip = ota_zip_open(zip_path, &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    char *dest = path_in(d, "dest/system");
    /* A file already there is replaced whole. */
    char *bin = path_in(d, "dest/system/bin");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && echo old-old-old > '%s/toolbox'", bin, bin);
    ck_assert_int_eq(system(cmd), 0);

    ck_assert_msg(upd_extract_dir(zip, "system", dest, "/system", threads, flags, &err) == 0, "%s",
                  err.message);
    assert_file(dest, "bin/toolbox", "toolbox binary\n");
    assert_file(dest, "odd dir/ünïcödé ☃.txt", "odd\n");
    assert_file(dest, "lib/mod07.ko", "module 7\n");
    char *ls = path_in(dest, "bin/ls"), target[64] = {0};
    ck_assert_int_eq(readlink(ls, target, sizeof target - 1), 7);
    ck_assert_str_eq(target, "toolbox");
    char *empty = path_in(dest, "etc/empty");
    struct stat sb;
    ck_assert_int_eq(stat(empty, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 07777, 0755);
    ck_assert(dir_is_empty(empty));
    char *big = path_in(dest, "app/big.apk");
    ck_assert_int_eq(stat(big, &sb), 0);
    ck_assert_int_eq(sb.st_size, 6 << 20);
    char *other = path_in(d, "dest/other");
    ck_assert_int_eq(access(other, F_OK), -1);
    /* No temporary files remain. */
    snprintf(cmd, sizeof cmd, "find '%s' -name '.updater-tmp*' | grep -q .", dest);
    ck_assert_int_ne(system(cmd), 0);

    ota_zip_close(zip);
    test_remove_tree(d);
    free(zip_path), free(dest), free(bin), free(ls), free(empty), free(big), free(other);
}

START_TEST(tree_one_thread)
{
    check_tree(1, 0);
}
END_TEST

START_TEST(tree_several_threads)
{
    check_tree(4, 0);
}
END_TEST

/* The path for kernels without O_TMPFILE: named temporaries. */
START_TEST(tree_named_temporaries)
{
    check_tree(1, UPD_EXTRACT_NAMED_TEMP);
    check_tree(4, UPD_EXTRACT_NAMED_TEMP);
}
END_TEST

/* Extracts a package of specs into an empty destination and expects a
 * refusal mentioning `why`, with nothing written. */
static void expect_refused(const entry_spec *specs, size_t n, const char *why, int pre_link)
{
    char *d = test_temp_dir("updater-extract");
    char *zip_path = make_package(d, specs, n, 0);
    char *dest = path_in(d, "dest");
    char *outside = path_in(d, "outside");
    ck_assert_int_eq(mkdir(dest, 0755), 0);
    ck_assert_int_eq(mkdir(outside, 0755), 0);
    if (pre_link) {
        char *link = path_in(dest, "lib");
        ck_assert_int_eq(symlink(outside, link), 0);
        free(link);
    }
    ota_error err;
    ota_zip *zip = ota_zip_open(zip_path, &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    ck_assert_int_eq(upd_extract_dir(zip, "system", dest, "/system", 0, 0, &err), -1);
    ck_assert_msg(strstr(err.message, why) != NULL, "\"%s\" lacks \"%s\"", err.message, why);
    ck_assert(dir_is_empty(outside));
    if (!pre_link)
        ck_assert(dir_is_empty(dest));
    ota_zip_close(zip);
    test_remove_tree(d);
    free(zip_path), free(dest), free(outside);
}

START_TEST(refuses_dotdot)
{
    const entry_spec specs[] = {{"system/a/good", "good\n", 0},
                                {"system/../outside/evil", "evil\n", 0}};
    expect_refused(specs, 2, "\"..\"", 0);
}
END_TEST

START_TEST(refuses_absolute)
{
    const entry_spec specs[] = {{"system/a/good", "good\n", 0}, {"system//etc/evil", "evil\n", 0}};
    expect_refused(specs, 2, "absolute", 0);
}
END_TEST

START_TEST(refuses_below_link_entry)
{
    const entry_spec specs[] = {{"system/a/good", "good\n", 0},
                                {"system/lib", "../outside", 1},
                                {"system/lib/evil.so", "evil\n", 0}};
    expect_refused(specs, 3, "symlink entry \"lib\"", 0);
    const entry_spec dir_at_link[] = {{"system/lib", "../outside", 1}, {"system/lib/", NULL, 0}};
    expect_refused(dir_at_link, 2, "symlink entry \"lib\"", 0);
}
END_TEST

START_TEST(refuses_device_symlink)
{
    const entry_spec specs[] = {{"system/lib/evil.so", "evil\n", 0}};
    expect_refused(specs, 1, "symlink \"lib\"", 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater-extract");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, tree_one_thread);
    tcase_add_test(tc, tree_several_threads);
    tcase_add_test(tc, tree_named_temporaries);
    tcase_add_test(tc, refuses_dotdot);
    tcase_add_test(tc, refuses_absolute);
    tcase_add_test(tc, refuses_below_link_entry);
    tcase_add_test(tc, refuses_device_symlink);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}
