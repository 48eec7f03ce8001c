/* Unit tests of the fstab parser (both of Android's forms) and the
 * bootloader message on a misc image. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "otautil/bootloader.h"
#include "otautil/fstab.h"
#include "tests/common/testutil.h"

START_TEST(legacy_form)
{
    ota_fstab f;
    ota_error err;
    const char *text =
        "# mount point  fstype  device  [device2] [options]\n"
        "/system  ext4  /dev/block/by-name/system\n"
        "/boot    emmc  /dev/block/by-name/boot\n"
        "/sdcard  vfat  /dev/block/mmcblk1p1  /dev/block/mmcblk1\n"
        "/data    ext4  /dev/block/by-name/userdata length=-16384\n";
    ck_assert_int_eq(ota_fstab_parse(text, &f, &err), 0);
    ck_assert_uint_eq(f.count, 4);
    ck_assert_str_eq(f.entries[0].mount_point, "/system");
    ck_assert_str_eq(f.entries[0].fs_type, "ext4");
    ck_assert_str_eq(f.entries[1].device, "/dev/block/by-name/boot");
    ck_assert_str_eq(f.entries[2].device2, "/dev/block/mmcblk1");
    ck_assert_int_eq(f.entries[3].length, -16384);
    ck_assert_ptr_eq(ota_fstab_find(&f, "boot"), &f.entries[1]);
    ck_assert_ptr_eq(ota_fstab_find(&f, "/boot"), &f.entries[1]);
    ck_assert_ptr_null(ota_fstab_find(&f, "/bo"));
    ck_assert_ptr_eq(ota_fstab_for_path(&f, "/sdcard/update.zip"), &f.entries[2]);
    ck_assert_ptr_null(ota_fstab_for_path(&f, "/sdcardx/update.zip"));
    ota_fstab_free(&f);
}
END_TEST

START_TEST(fs_mgr_form)
{
    ota_fstab f;
    ota_error err;
    const char *text =
        "/dev/block/by-name/system /system ext4 ro,barrier=1 wait\n"
        "/dev/block/by-name/cache  /cache  ext4 noatime,nosuid,data=ordered wait,check\n"
        "/dev/block/by-name/misc   /misc   emmc defaults defaults\n"
        "/dev/block/by-name/userdata /data ext4 noatime wait,length=-16384\n";
    ck_assert_int_eq(ota_fstab_parse(text, &f, &err), 0);
    ck_assert_uint_eq(f.count, 4);
    ck_assert_str_eq(f.entries[0].mount_point, "/system");
    ck_assert_str_eq(f.entries[0].device, "/dev/block/by-name/system");
    ck_assert_uint_eq(f.entries[0].mnt_flags, MS_RDONLY);
    ck_assert_str_eq(f.entries[0].mnt_options, "barrier=1");
    ck_assert_uint_eq(f.entries[1].mnt_flags, MS_NOATIME | MS_NOSUID);
    ck_assert_str_eq(f.entries[1].mnt_options, "data=ordered");
    ck_assert_str_eq(f.entries[2].fs_type, "emmc");
    ck_assert_int_eq(f.entries[3].length, -16384);
    ota_fstab_free(&f);
}
END_TEST

START_TEST(errors_name_the_line)
{
    ota_fstab f;
    ota_error err;
    ck_assert_int_eq(ota_fstab_parse("/system ext4\n", &f, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 1"));
    ck_assert_int_eq(ota_fstab_parse("\n\n/data ext4 /dev/x length=abc\n", &f, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 3"));
    ck_assert_int_eq(ota_fstab_load("/nonexistent/recovery.fstab", &f, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/recovery.fstab"));
}
END_TEST

/* Found by fuzz/fstab_parse: a line of one or two fields was classified by
 * looking at f[1], which was not set for it and still pointed into the
 * previous line's freed buffer (use after free). */
START_TEST(short_lines_are_refused)
{
    ota_fstab f;
    ota_error err;
    ck_assert_int_eq(ota_fstab_parse("/boot emmc /dev/block/by-name/boot\n/x\n", &f, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 2"));
    ck_assert_uint_eq(f.count, 0);
    ck_assert_int_eq(ota_fstab_parse("/dev/block/a /system ext4 ro\n/y ext4\n", &f, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 2"));
    ck_assert_int_eq(ota_fstab_parse("onlyone\n", &f, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 1"));
}
END_TEST

START_TEST(bcb_round_trip)
{
    char path[] = "/tmp/ota-misc-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 16384), 0);
    close(fd);

    ota_bootloader_message msg;
    memset(&msg, 0, sizeof msg);
    strcpy(msg.command, "boot-recovery");
    strcpy(msg.recovery, "recovery\n--update_package=/cache/update.zip\n\n--wipe_cache\n");
    memset(msg.stage, 'x', sizeof msg.stage); /* not NUL-terminated on disk */
    ck_assert_int_eq(ota_bcb_write(path, &msg, NULL), 0);

    ota_bootloader_message back;
    ck_assert_int_eq(ota_bcb_read(path, &back, NULL), 0);
    ck_assert_mem_eq(&msg, &back, sizeof msg);
    char stage[sizeof back.stage + 1];
    ota_bcb_field(back.stage, sizeof back.stage, stage);
    ck_assert_uint_eq(strlen(stage), 32);

    /* A misc device too small to hold the message is an error. */
    ck_assert_int_eq(truncate(path, 100), 0);
    ota_error err;
    ck_assert_int_eq(ota_bcb_read(path, &back, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "too small"));
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-fstab-bcb");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, legacy_form);
    tcase_add_test(tc, fs_mgr_form);
    tcase_add_test(tc, errors_name_the_line);
    tcase_add_test(tc, short_lines_are_refused);
    tcase_add_test(tc, bcb_round_trip);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}
