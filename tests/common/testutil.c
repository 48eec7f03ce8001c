#include "tests/common/testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

void *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_msg(n >= 0, "cannot size %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    char *buf = malloc((size_t)n + 1);
    ck_assert_msg(buf != NULL, "out of memory reading %s", path);
    ck_assert_msg(fread(buf, 1, (size_t)n, f) == (size_t)n, "short read of %s", path);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_msg(fwrite(data, 1, len, f) == len, "short write of %s", path);
    ck_assert_msg(fclose(f) == 0, "cannot close %s", path);
}

char *test_temp_dir(const char *name)
{
    char *dir = malloc(strlen(name) + 16);
    ck_assert_ptr_nonnull(dir);
    sprintf(dir, "/tmp/%s.XXXXXX", name);
    ck_assert_msg(mkdtemp(dir) != NULL, "cannot create %s", dir);
    return dir;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void test_remove_tree(char *dir)
{
    ck_assert_msg(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0, "cannot remove %s", dir);
    free(dir);
}
