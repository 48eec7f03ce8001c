/* The log files in /cache/recovery (recovery/log_files.h): rotation,
 * last_install, and the stash kept across a cache wipe. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recovery/log_files.h"
#include "tests/common/testutil.h"

/* The file at path holds exactly want. */
static void ck_file_is(const char *path, const char *want)
{
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_str_eq(text, want);
    free(text);
}

START_TEST(rotates_and_saves_logs)
{
    char *tmpdir = test_temp_dir("recovery-logs");
    char dir[128], path[192], src[128];
    snprintf(dir, sizeof dir, "%s/cache/recovery", tmpdir);
    snprintf(src, sizeof src, "%s/run.log", tmpdir);
    ota_error err;
    /* 12 runs: the oldest fall off after last_log.9.  Before the last one,
     * a temporary as a save cut by a power loss leaves it. */
    for (int run = 1; run <= 12; run++) {
        char text[32];
        snprintf(text, sizeof text, "run %d\n", run);
        test_write_file(src, text, strlen(text));
        if (run == 12) {
            snprintf(path, sizeof path, "%s/.last_log.tmp-1234.0", dir);
            test_write_file(path, "half a log", 10);
        }
        ck_assert_int_eq(recovery_logs_rotate(dir, &err), 0);
        ck_assert_int_eq(recovery_logs_save(dir, src, &err), 0);
    }
    snprintf(path, sizeof path, "%s/last_log", dir);
    ck_file_is(path, "run 12\n");
    snprintf(path, sizeof path, "%s/last_log.1", dir);
    ck_file_is(path, "run 11\n");
    snprintf(path, sizeof path, "%s/last_log.9", dir);
    ck_file_is(path, "run 3\n");
    snprintf(path, sizeof path, "%s/last_log.10", dir);
    ck_assert_int_eq(access(path, F_OK), -1);
    /* What a save cut by a power loss left went at the next rotation. */
    snprintf(path, sizeof path, "%s/.last_log.tmp-1234.0", dir);
    ck_assert_int_eq(access(path, F_OK), -1);

    ck_assert_int_eq(recovery_logs_write_last_install(dir, "/cache/u.zip", 1, &err), 0);
    snprintf(path, sizeof path, "%s/last_install", dir);
    ck_file_is(path, "/cache/u.zip\n1\n");

    /* Stash, wipe the folder, restore: the last_* files come back. */
    recovery_log_stash stash;
    ck_assert_int_eq(recovery_logs_stash(dir, &stash, &err), 0);
    ck_assert_uint_eq(stash.count, 11); /* last_log, .1-.9, last_install */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(recovery_logs_restore(dir, &stash, &err), 0);
    recovery_logs_stash_free(&stash);
    ck_file_is(path, "/cache/u.zip\n1\n");
    snprintf(path, sizeof path, "%s/last_log.4", dir);
    ck_file_is(path, "run 8\n");
    test_remove_tree(tmpdir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery log files");
    TCase *tc = tcase_create("log_files");
    tcase_add_test(tc, rotates_and_saves_logs);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
