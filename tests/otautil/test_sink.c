/* Unit tests of the buffer and file helpers of otautil/sink.h that have
 * logic of their own: ota_read_file's limits and errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"
#include "tests/common/testutil.h"

static char dir[] = "/tmp/ota-sink-test.XXXXXX";

static const char *path_of(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

START_TEST(whole_files_are_read_and_nul_terminated)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* Larger than one read chunk, with a NUL byte inside. */
    size_t len = 200000;
    char *data = malloc(len);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 7);
    test_write_file(path_of("big"), data, len);
    ota_buf buf = {0};
    ota_error err;
    ck_assert_int_eq(ota_read_file(path_of("big"), 0, &buf, &err), 0);
    ck_assert_uint_eq(buf.len, len);
    ck_assert_mem_eq(buf.data, data, len);
    ck_assert_int_eq(buf.data[len], 0);
    /* Exactly at the limit is fine; a previous content is replaced. */
    ck_assert_int_eq(ota_read_file(path_of("big"), len, &buf, &err), 0);
    ck_assert_uint_eq(buf.len, len);
    test_write_file(path_of("empty"), "", 0);
    ck_assert_int_eq(ota_read_file(path_of("empty"), 0, &buf, &err), 0);
    ck_assert_uint_eq(buf.len, 0);
    ck_assert_ptr_nonnull(buf.data);
    ck_assert_str_eq((char *)buf.data, "");
    ota_buf_free(&buf);

    ck_assert_int_eq(ota_read_file(path_of("big"), len - 1, &buf, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, path_of("big")));
    ck_assert_ptr_null(buf.data);
    ck_assert_int_eq(ota_read_file(path_of("missing"), 0, &buf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));
    ck_assert_int_eq(ota_read_file(dir, 0, &buf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, dir));
    free(data);
    unlink(path_of("big"));
    unlink(path_of("empty"));
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-sink");
    TCase *tc = tcase_create("sink");
    tcase_add_test(tc, whole_files_are_read_and_nul_terminated);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
