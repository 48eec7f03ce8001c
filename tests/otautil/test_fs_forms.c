/* The call forms of mount() and format() across Android versions
 * (otautil/fs_forms.c): each form read as KitKat's, and the refusal of a
 * raw NAND (MTD) call naming the form and what to write instead. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/fs_forms.h"
#include "tests/common/testutil.h"

#define MAX_ARGS 5

typedef struct form_case {
    const char *name;
    int is_mount;
    int argc;
    const char *args[MAX_ARGS];
    /* what the call means */
    const char *fs_type, *part_type, *location, *mount_point, *options, *fs_size;
    int mtd;
    const char *form; /* a part of the form's description */
} form_case;

static const form_case cases[] = {
    {"mount, Android 1.5-2.2, a block device", 1, 3, {"vfat", "/dev/block/mmcblk0p1", "/sdcard"},
     "vfat", "EMMC", "/dev/block/mmcblk0p1", "/sdcard", "", "0", 0, "1.5-2.2"},
    {"mount, Android 1.5-2.2, MTD by name", 1, 3, {"MTD", "system", "/system"},
     "yaffs2", "MTD", "system", "/system", "", "0", 1, "3-argument mount()"},
    {"mount, Android 2.3-4.3", 1, 4, {"ext4", "EMMC", "/dev/block/by-name/system", "/system"},
     "ext4", "EMMC", "/dev/block/by-name/system", "/system", "", "0", 0, "2.3-4.3"},
    {"mount, Android 2.3-4.3, MTD", 1, 4, {"yaffs2", "MTD", "system", "/system"},
     "yaffs2", "MTD", "system", "/system", "", "0", 1, "2.3-4.3"},
    {"mount, KitKat, options", 1, 5, {"ext4", "EMMC", "/dev/x", "/data", "barrier=1"},
     "ext4", "EMMC", "/dev/x", "/data", "barrier=1", "0", 0, "4.4"},
    {"format, Android 1.5-2.2, MTD", 0, 2, {"MTD", "system"},
     "yaffs2", "MTD", "system", "", "", "0", 1, "erases an MTD partition"},
    {"format, Android 1.5-2.2, anything else was refused there too", 0, 2, {"ext4", "/dev/x"},
     "ext4", "MTD", "/dev/x", "", "", "0", 1, "2-argument format()"},
    {"format, Android 2.3: the whole device", 0, 3, {"ext4", "EMMC", "/dev/x"},
     "ext4", "EMMC", "/dev/x", "", "", "0", 0, "3-argument format() of Android 2.3"},
    {"format, Android 2.3, MTD", 0, 3, {"yaffs2", "MTD", "cache"},
     "yaffs2", "MTD", "cache", "", "", "0", 1, "2.3"},
    {"format, Android 4.0-4.2: a size", 0, 4, {"ext4", "EMMC", "/dev/x", "-16384"},
     "ext4", "EMMC", "/dev/x", "", "", "-16384", 0, "4.0-4.2"},
    {"format, Android 4.3-4.4: a mount point", 0, 5, {"ext4", "EMMC", "/dev/x", "0", "/system"},
     "ext4", "EMMC", "/dev/x", "/system", "", "0", 0, "4.3-4.4"},
};

START_TEST(every_form_as_kitkats)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const form_case *t = &cases[i];
        ota_fs_call c;
        int rc = t->is_mount ? ota_mount_form(t->argc, (const char *const *)t->args, &c)
                             : ota_format_form(t->argc, (const char *const *)t->args, &c);
        ck_assert_msg(rc == 0, "%s: refused", t->name);
        ck_assert_msg(strcmp(c.fs_type, t->fs_type) == 0, "%s: fs_type %s", t->name, c.fs_type);
        ck_assert_msg(strcmp(c.part_type, t->part_type) == 0, "%s: partition type %s", t->name,
                      c.part_type);
        ck_assert_msg(strcmp(c.location, t->location) == 0, "%s: location %s", t->name,
                      c.location);
        ck_assert_msg(strcmp(c.mount_point, t->mount_point) == 0, "%s: mount point %s", t->name,
                      c.mount_point);
        ck_assert_msg(strcmp(c.options, t->options) == 0, "%s: options %s", t->name, c.options);
        ck_assert_msg(strcmp(c.fs_size, t->fs_size) == 0, "%s: fs_size %s", t->name, c.fs_size);
        ck_assert_msg(c.mtd == t->mtd, "%s: mtd %d", t->name, c.mtd);
        ck_assert_msg(strstr(c.form, t->form) != NULL, "%s: form \"%s\"", t->name, c.form);
    }
}
END_TEST

START_TEST(counts_no_android_had)
{
    static const char *const args[MAX_ARGS + 1] = {"a", "b", "c", "d", "e", "f"};
    ota_fs_call c;
    ck_assert_int_eq(ota_mount_form(2, (const char *const *)args, &c), -1);
    ck_assert_int_eq(ota_mount_form(6, (const char *const *)args, &c), -1);
    ck_assert_int_eq(ota_format_form(1, (const char *const *)args, &c), -1);
    ck_assert_int_eq(ota_format_form(6, (const char *const *)args, &c), -1);
}
END_TEST

/* The refusal quotes the call, names its form and gives the call to
 * write: with the fstab's device and filesystem when it has the volume. */
START_TEST(mtd_refusal_says_what_to_write)
{
    ota_fstab fstab;
    ota_error err;
    ck_assert_int_eq(ota_fstab_parse("/system ext4 /dev/block/by-name/system\n"
                                     "/data ext4 /dev/block/by-name/userdata\n"
                                     "/cache f2fs /dev/block/by-name/cache\n",
                                     &fstab, &err), 0);
    static const struct {
        const char *name;
        int is_mount, argc;
        const char *args[MAX_ARGS];
        int with_fstab;
        const char *says, *instead;
    } refusals[] = {
        {"old mount by MTD name", 1, 3, {"MTD", "system", "/system"}, 1,
         "mount(\"MTD\", \"system\", \"/system\") is the 3-argument mount() of Android 1.5-2.2",
         "write mount(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"/system\")"},
        {"Gingerbread mount of yaffs2", 1, 4, {"yaffs2", "MTD", "userdata", "/data"}, 1,
         "\"MTD\" names a raw NAND partition",
         "write mount(\"ext4\", \"EMMC\", \"/dev/block/by-name/userdata\", \"/data\")"},
        {"old format: userdata is /data", 0, 2, {"MTD", "userdata"}, 1,
         "format(\"MTD\", \"userdata\") is the 2-argument format()",
         "write format(\"ext4\", \"EMMC\", \"/dev/block/by-name/userdata\", \"0\", \"/data\")"},
        {"the fstab's filesystem", 0, 3, {"yaffs2", "MTD", "cache"}, 1, "Android 2.3",
         "write format(\"f2fs\", \"EMMC\", \"/dev/block/by-name/cache\", \"0\", \"/cache\")"},
        {"a device path found in the fstab", 0, 2, {"ext4", "/dev/block/by-name/system"}, 1,
         "erases an MTD partition",
         "write format(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"0\", \"/system\")"},
        {"no fstab: placeholders", 1, 4, {"yaffs2", "MTD", "system", "/system"}, 0,
         "this device has block devices only",
         "write mount(\"ext4\", \"EMMC\", \"/dev/block/...\", \"/system\")"},
        {"no fstab, a device path", 0, 2, {"vfat", "/dev/sdz1"}, 0, "2-argument",
         "write format(\"vfat\", \"EMMC\", \"/dev/sdz1\", \"0\", \"/MOUNT_POINT\")"},
    };
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        ota_fs_call c;
        const char *const *args = (const char *const *)refusals[i].args;
        int rc = refusals[i].is_mount ? ota_mount_form(refusals[i].argc, args, &c)
                                      : ota_format_form(refusals[i].argc, args, &c);
        ck_assert_msg(rc == 0 && c.mtd, "%s: not refused", refusals[i].name);
        char msg[OTA_ERROR_MAX];
        ota_fs_call_refusal(refusals[i].is_mount ? "mount" : "format", refusals[i].argc, args, &c,
                            refusals[i].with_fstab ? &fstab : NULL, msg, sizeof msg);
        ck_assert_msg(strstr(msg, refusals[i].says) != NULL, "%s: %s", refusals[i].name, msg);
        ck_assert_msg(strstr(msg, refusals[i].instead) != NULL, "%s: %s", refusals[i].name, msg);
    }
    ota_fstab_free(&fstab);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater call forms");
    TCase *tc = tcase_create("forms");
    tcase_add_test(tc, every_form_as_kitkats);
    tcase_add_test(tc, counts_no_android_had);
    tcase_add_test(tc, mtd_refusal_says_what_to_write);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
