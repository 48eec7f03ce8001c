/* Recovery's bootloader-message use on a misc "partition" that is a file
 * under RECOVERY_ROOT: setting the command keeps the stage, reading gives
 * the arguments back, clearing zeroes it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/bootloader.h"
#include "otautil/fstab.h"
#include "recovery/bcb.h"
#include "tests/common/testutil.h"

static char root[64], misc[128];
static ota_fstab fstab;
static recovery_ctx ctx;

static void setup(void)
{
    strcpy(root, "/tmp/recovery-bcb-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ctx = (recovery_ctx){.root = root, .fstab = &fstab};
    char dir[128];
    snprintf(dir, sizeof dir, "%s/dev", root);
    mkdir(dir, 0755);
    snprintf(misc, sizeof misc, "%s/dev/misc", root);
    FILE *f = fopen(misc, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 64 * 1024; i++)
        fputc(0, f);
    fclose(f);
    ota_error err;
    memset(&fstab, 0, sizeof fstab);
    ck_assert_int_eq(ota_fstab_parse("/misc emmc /dev/misc\n/cache ext4 /dev/cache\n", &fstab,
                                     &err), 0);
}

static void teardown(void)
{
    ota_fstab_free(&fstab);
    unlink(misc);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/dev", root);
    rmdir(dir);
    rmdir(root);
}

START_TEST(set_read_clear)
{
    ota_error err;
    recovery_argv argv;
    ck_assert_int_eq(recovery_bcb_read_args(&ctx, &argv, &err), 0); /* zeroes: no command */
    ck_assert_int_eq(argv.argc, 0);

    /* A stage left by a multi-stage package survives the set. */
    ota_bootloader_message msg;
    memset(&msg, 0, sizeof msg);
    strcpy(msg.stage, "2/3");
    ck_assert_int_eq(ota_bcb_write(misc, &msg, &err), 0);

    recovery_args args = { 0 };
    ck_assert_int_eq(recovery_args_apply(&args, "--update_package=/cache/u.zip", &err), 0);
    ck_assert_int_eq(recovery_args_apply(&args, "--wipe_cache", &err), 0);
    ck_assert_int_eq(recovery_bcb_set(&ctx, &args, &err), 0);
    ck_assert_int_eq(ota_bcb_read(misc, &msg, &err), 0);
    ck_assert_str_eq(msg.command, "boot-recovery");
    ck_assert_str_eq(msg.recovery, "recovery\n--update_package=/cache/u.zip\n--wipe_cache\n");
    ck_assert_str_eq(msg.stage, "2/3");

    ck_assert_int_eq(recovery_bcb_read_args(&ctx, &argv, &err), 0);
    ck_assert_int_eq(argv.argc, 2);
    ck_assert_str_eq(argv.argv[0], "--update_package=/cache/u.zip");
    ck_assert_str_eq(argv.argv[1], "--wipe_cache");
    recovery_argv_free(&argv);

    ck_assert_int_eq(recovery_bcb_clear(&ctx, &err), 0);
    ck_assert_int_eq(ota_bcb_read(misc, &msg, &err), 0);
    static const ota_bootloader_message zero;
    ck_assert_mem_eq(&msg, &zero, sizeof msg);
    recovery_args_free(&args);
}
END_TEST

START_TEST(foreign_contents_are_no_command)
{
    ota_error err;
    recovery_argv argv;
    ota_bootloader_message msg;
    /* Erased flash reads as 0xff. */
    memset(&msg, 0xff, sizeof msg);
    ck_assert_int_eq(ota_bcb_write(misc, &msg, &err), 0);
    ck_assert_int_eq(recovery_bcb_read_args(&ctx, &argv, &err), 0);
    ck_assert_int_eq(argv.argc, 0);
    /* Setting a command over it does not keep the 0xff "stage". */
    recovery_args args = { 0 };
    ck_assert_int_eq(recovery_args_apply(&args, "--wipe_cache", &err), 0);
    ck_assert_int_eq(recovery_bcb_set(&ctx, &args, &err), 0);
    ck_assert_int_eq(ota_bcb_read(misc, &msg, &err), 0);
    ck_assert_str_eq(msg.recovery, "recovery\n--wipe_cache\n");
    ck_assert_uint_eq(msg.stage[0], 0);
    recovery_args_free(&args);
    /* A recovery field without the leading "recovery" line. */
    memset(&msg, 0, sizeof msg);
    strcpy(msg.command, "boot-recovery");
    strcpy(msg.recovery, "--update_package=/cache/u.zip\n");
    ck_assert_int_eq(ota_bcb_write(misc, &msg, &err), 0);
    ck_assert_int_eq(recovery_bcb_read_args(&ctx, &argv, &err), 0);
    ck_assert_int_eq(argv.argc, 0);
    /* Unterminated field: all 768 bytes used. */
    memset(&msg, 0, sizeof msg);
    memcpy(msg.recovery, "recovery\n--wipe_cache\n", 22);
    memset(msg.recovery + 22, 'x', sizeof msg.recovery - 22);
    ck_assert_int_eq(ota_bcb_write(misc, &msg, &err), 0);
    ck_assert_int_eq(recovery_bcb_read_args(&ctx, &argv, &err), 0);
    ck_assert_int_eq(argv.argc, 2);
    ck_assert_uint_eq(strlen(argv.argv[1]), sizeof msg.recovery - 22);
    recovery_argv_free(&argv);
}
END_TEST

START_TEST(no_misc_is_not_an_error)
{
    ota_fstab none;
    ota_error err;
    memset(&none, 0, sizeof none);
    ck_assert_int_eq(ota_fstab_parse("/cache ext4 /dev/cache\n", &none, &err), 0);
    recovery_argv argv;
    recovery_args args = { 0 };
    recovery_ctx no_misc = {.root = root, .fstab = &none};
    ck_assert_int_eq(recovery_bcb_read_args(&no_misc, &argv, &err), 0);
    ck_assert_int_eq(argv.argc, 0);
    ck_assert_int_eq(recovery_bcb_set(&no_misc, &args, &err), 0);
    ck_assert_int_eq(recovery_bcb_clear(&no_misc, &err), 0);
    ota_fstab_free(&none);
}
END_TEST

START_TEST(missing_misc_device_is_an_error)
{
    ota_error err;
    unlink(misc);
    recovery_argv argv;
    ck_assert_int_eq(recovery_bcb_read_args(&ctx, &argv, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "misc"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery bcb");
    TCase *tc = tcase_create("bcb");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, set_read_clear);
    tcase_add_test(tc, foreign_contents_are_no_command);
    tcase_add_test(tc, no_misc_is_not_an_error);
    tcase_add_test(tc, missing_misc_device_is_an_error);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
