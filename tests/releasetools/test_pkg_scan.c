/* Reading an updater-script's effects without running it (pkg_scan.c): per
 * partition, what each builtin writes, deletes and links, resolved against
 * the package's entries; transfer-list headers; calls whose effect is only
 * known at run time, vendor builtins, programs and missing entries noted;
 * syntax errors kept.  Each case is a script and a small package made here. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/zip.h"
#include "releasetools/pkg_info.h"
#include "tests/common/testutil.h"

static char zip_path[] = "/tmp/ota-pkg-scan.XXXXXX";

typedef struct entry { const char *name; size_t size; const char *text; } entry;

/* A package holding the given entries (text, or `size` bytes of 'x'). */
static ota_zip *make_zip(const entry *entries)
{
    int fd = mkstemp(zip_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(zip_path, &err);
    ck_assert_ptr_nonnull(w);
    for (const entry *e = entries; e->name; e++) {
        size_t len = e->text ? strlen(e->text) : e->size;
        char *data = malloc(len + 1);
        ck_assert_ptr_nonnull(data);
        if (e->text)
            memcpy(data, e->text, len);
        else
            memset(data, 'x', len);
        if (e->name[strlen(e->name) - 1] == '/')
            ck_assert_int_eq(ota_zip_add_dir(w, e->name, 0755, &err), 0);
        else
            ck_assert_int_eq(ota_zip_add_data(w, e->name, data, len, NULL, &err), 0);
        free(data);
    }
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    ota_zip *zip = ota_zip_open(zip_path, &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    unlink(zip_path);
    strcpy(zip_path + strlen(zip_path) - 6, "XXXXXX");
    return zip;
}

static rt_pkg_script scan(const char *script, const entry *entries)
{
    ota_zip *zip = make_zip(entries);
    rt_pkg_script s;
    ota_error err;
    ck_assert_msg(rt_pkg_scan_script(script, strlen(script), "updater-script", zip, &s, &err) == 0,
                  "%s", err.message);
    ota_zip_close(zip);
    return s;
}

static const rt_pkg_partition *part(const rt_pkg_script *s, const char *name)
{
    for (size_t i = 0; i < s->nparts; i++)
        if (strcmp(s->parts[i].name, name) == 0)
            return &s->parts[i];
    ck_abort_msg("no partition %s", name);
    return NULL;
}

START_TEST(a_full_package_writes_its_tree_and_boot_image)
{
    static const entry entries[] = {
        {"system/", 0, NULL},
        {"system/bin/sh", 1000, NULL},
        {"system/lib/libc.so", 20000, NULL},
        {"system2/not-this", 5, NULL}, /* only system/ is extracted */
        {"recovery/etc/install-recovery.sh", 300, NULL},
        {"boot.img", 40960, NULL},
        {NULL, 0, NULL},
    };
    rt_pkg_script s = scan(
        "format(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"0\", \"/system\");\n"
        "mount(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"/system\");\n"
        "package_extract_dir(\"recovery\", \"/system\");\n"
        "package_extract_dir(\"system\", \"/system\");\n"
        "symlink(\"toolbox\", \"/system/bin/ls\", \"/system/bin/cat\");\n"
        "set_metadata_recursive(\"/system\", \"uid\", 0, \"gid\", 0, \"dmode\", 0755, \"fmode\", 0644);\n"
        "set_perm(0, 0, 0755, \"/system/bin/sh\", \"/system/bin/ls\");\n"
        "write_raw_image(package_extract_file(\"boot.img\"), \"/dev/block/by-name/boot\");\n"
        "unmount(\"/system\");\n",
        entries);
    ck_assert_uint_eq(s.nerrors, 0);
    ck_assert_uint_eq(s.calls, 10);
    ck_assert_uint_eq(s.nparts, 2);
    const rt_pkg_partition *sys = part(&s, "system");
    ck_assert_str_eq(sys->mount_point, "/system");
    ck_assert_str_eq(sys->device, "/dev/block/by-name/system");
    ck_assert_str_eq(sys->fs_type, "ext4");
    ck_assert(sys->formatted && sys->mounted && !sys->wiped);
    ck_assert_uint_eq(sys->nwrites, 3);
    ck_assert_str_eq(sys->writes[0].target, "/system/etc/install-recovery.sh");
    ck_assert_str_eq(sys->writes[0].source, "recovery/etc/install-recovery.sh");
    ck_assert_int_eq(sys->writes[0].kind, RT_WRITE_FILE);
    ck_assert_str_eq(sys->writes[2].target, "/system/lib/libc.so");
    ck_assert_uint_eq(sys->bytes, 300 + 1000 + 20000);
    ck_assert_uint_eq(sys->symlinks, 2);
    ck_assert_uint_eq(sys->metadata, 3);
    const rt_pkg_partition *boot = part(&s, "boot");
    ck_assert_uint_eq(boot->nwrites, 1);
    ck_assert_int_eq(boot->writes[0].kind, RT_WRITE_IMAGE);
    ck_assert_str_eq(boot->writes[0].source, "boot.img");
    ck_assert_uint_eq(boot->writes[0].line, 8);
    ck_assert_uint_eq(s.bytes, 21300 + 40960);
    ck_assert_uint_eq(s.nunknown + s.nunresolved + s.nproblems + s.nprograms, 0);
    rt_pkg_script_free(&s);
}
END_TEST

/* Scripts from before KitKat: mount() and format() in the forms of
 * Android 1.5-4.3 are read as KitKat's; an MTD one is a problem (it fails
 * on every device with block devices), named with its form. */
START_TEST(older_call_forms_are_read_and_mtd_is_a_problem)
{
    static const entry entries[] = {
        {"system/bin/sh", 1000, NULL},
        {NULL, 0, NULL},
    };
    rt_pkg_script s = scan(
        "format(\"ext4\", \"EMMC\", \"/dev/block/mmcblk0p9\");\n"
        "mount(\"ext4\", \"/dev/block/mmcblk0p9\", \"/system\");\n"
        "package_extract_dir(\"system\", \"/system\");\n"
        "format(\"ext4\", \"EMMC\", \"/dev/block/mmcblk0p10\", \"-16384\");\n"
        "format(\"yaffs2\", \"MTD\", \"cache\");\n"
        "mount(\"MTD\", \"userdata\", \"/data\");\n",
        entries);
    ck_assert_uint_eq(s.nerrors, 0);
    const rt_pkg_partition *sys = part(&s, "system");
    ck_assert_str_eq(sys->device, "/dev/block/mmcblk0p9");
    ck_assert_str_eq(sys->fs_type, "ext4");
    ck_assert(sys->formatted && sys->mounted);
    ck_assert_uint_eq(sys->bytes, 1000);
    ck_assert_uint_eq(s.nproblems, 2);
    ck_assert_str_eq(s.problems[0].name, "format");
    ck_assert_uint_eq(s.problems[0].line, 5);
    ck_assert_ptr_nonnull(strstr(s.problems[0].detail, "the 3-argument format() of Android 2.3"));
    ck_assert_ptr_nonnull(strstr(s.problems[1].detail, "the 3-argument mount() of Android 1.5-2.2"));
    rt_pkg_script_free(&s);
}
END_TEST

START_TEST(an_incremental_patches_files_and_partitions)
{
    static const entry entries[] = {
        {"patch/system/lib/libc.so.p", 700, NULL},
        {"patch/boot.img.p", 900, NULL},
        {"system/etc/new.conf", 4, NULL},
        {NULL, 0, NULL},
    };
    rt_pkg_script s = scan(
        "mount(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"/system\");\n"
        "apply_patch_check(\"/system/lib/libc.so\", \"aa\", \"bb\") || abort(\"x\");\n"
        "delete(\"/system/etc/old.conf\", \"/system/etc/older.conf\");\n"
        "delete_recursive(\"/system/olddir\");\n"
        "package_extract_dir(\"system\", \"/system\");\n"
        "apply_patch(\"/system/lib/libc.so\", \"-\", \"bb\", 200000, \"aa\", "
        "package_extract_file(\"patch/system/lib/libc.so.p\"));\n"
        "apply_patch(\"/system/modules/v1/k.ko\", \"/system/modules/v2/k.ko\", \"cc\", 5000, "
        "\"dd\", package_extract_file(\"patch/system/lib/libc.so.p\"));\n"
        "apply_patch(\"EMMC:/dev/block/by-name/boot:305152:aaaa:325632:bbbb\", \"-\", \"bbbb\", "
        "325632, \"aaaa\", package_extract_file(\"patch/boot.img.p\"));\n"
        "rename(\"/system/a\", \"/system/b\");\n",
        entries);
    ck_assert_uint_eq(s.nerrors, 0);
    const rt_pkg_partition *sys = part(&s, "system");
    ck_assert(!sys->formatted && sys->mounted);
    ck_assert_uint_eq(sys->nwrites, 3);
    ck_assert_int_eq(sys->writes[1].kind, RT_WRITE_PATCH);
    ck_assert_str_eq(sys->writes[1].target, "/system/lib/libc.so");
    ck_assert_str_eq(sys->writes[1].source, "patch/system/lib/libc.so.p");
    ck_assert_str_eq(sys->writes[2].target, "/system/modules/v2/k.ko");
    ck_assert_uint_eq(sys->bytes, 4 + 200000 + 5000);
    ck_assert_uint_eq(sys->ndeleted, 3);
    ck_assert_str_eq(sys->deleted[0], "/system/etc/old.conf");
    ck_assert_str_eq(sys->deleted[2], "/system/olddir/");
    ck_assert_uint_eq(sys->renames, 1);
    const rt_pkg_partition *boot = part(&s, "boot");
    ck_assert_str_eq(boot->device, "/dev/block/by-name/boot");
    ck_assert_str_eq(boot->writes[0].target, "/dev/block/by-name/boot");
    ck_assert_uint_eq(boot->bytes, 325632);
    ck_assert_uint_eq(s.bytes, 4 + 200000 + 5000 + 325632);
    rt_pkg_script_free(&s);
}
END_TEST

START_TEST(block_images_count_their_transfer_list_blocks)
{
    static const entry entries[] = {
        {"system.transfer.list", 0, "4\n2560\n0\n0\nnew 2,0,2560\n"},
        {"system.new.dat.br", 100, NULL},
        {"system.patch.dat", 0, ""},
        {"vendor.transfer.list", 0, "not a transfer list\n"},
        {NULL, 0, NULL},
    };
    rt_pkg_script s = scan(
        "block_image_update(\"/dev/block/by-name/system\", "
        "package_extract_file(\"system.transfer.list\"), \"system.new.dat.br\", \"system.patch.dat\");\n"
        "block_image_update(\"/dev/block/by-name/vendor\", "
        "package_extract_file(\"vendor.transfer.list\"), \"vendor.new.dat\", \"vendor.patch.dat\");\n",
        entries);
    const rt_pkg_partition *sys = part(&s, "system");
    ck_assert_int_eq(sys->writes[0].kind, RT_WRITE_BLOCKS);
    ck_assert_uint_eq(sys->bytes, 2560u * 4096);
    ck_assert_str_eq(sys->writes[0].source, "system.new.dat.br");
    /* The vendor list is not one, and its data entries are missing. */
    ck_assert_uint_eq(part(&s, "vendor")->bytes, 0);
    ck_assert_uint_eq(s.nproblems, 2);
    ck_assert_ptr_nonnull(strstr(s.problems[0].detail, "vendor.transfer.list is not a transfer list"));
    ck_assert_ptr_nonnull(strstr(s.problems[1].detail, "no entry vendor.new.dat"));
    ck_assert_int_eq(s.problems[1].line, 2);
    rt_pkg_script_free(&s);
}
END_TEST

START_TEST(what_is_not_known_before_running_is_noted)
{
    static const entry entries[] = {{"x", 1, NULL}, {NULL, 0, NULL}};
    rt_pkg_script s = scan(
        "ui_print(\"  / __ \\/ __ \\ \");\n"
        "msm.boot_update(\"main\");\n"
        "package_extract_file(\"boot.img\", \"/tmp/boot.img\");\n"
        "write_raw_image(\"/tmp/boot.img\", \"boot\");\n"
        "run_program(\"/tmp/install.sh\", \"a\", \"b\");\n"
        "package_extract_dir(\"system\", \"/sys\" + \"tem\");\n"
        "write_value(\"1\", \"/sys/class/x\");\n"
        "set_stage(\"/dev/block/by-name/misc\", \"2/3\");\n"
        "wipe_block_device(\"/dev/block/by-name/userdata\", 1048576);\n"
        "wipe_cache();\n"
        "xiaomi.verify_modem();\n",
        entries);
    ck_assert_uint_eq(s.nerrors, 0);
    ck_assert_uint_eq(s.nunknown, 2);
    ck_assert_str_eq(s.unknown[0].name, "msm.boot_update");
    ck_assert_int_eq(s.unknown[0].line, 2);
    ck_assert_str_eq(s.unknown[1].name, "xiaomi.verify_modem");
    ck_assert_uint_eq(s.nprograms, 1);
    ck_assert_str_eq(s.programs[0].name, "/tmp/install.sh");
    ck_assert_str_eq(s.programs[0].detail, "2 arguments");
    ck_assert_uint_eq(s.nproblems, 1); /* boot.img is not in the package */
    ck_assert_str_eq(s.problems[0].name, "package_extract_file");
    ck_assert_uint_eq(s.nunresolved, 2);
    ck_assert_str_eq(s.unresolved[0].name, "write_raw_image");
    ck_assert_ptr_nonnull(strstr(s.unresolved[0].detail, "file on the device"));
    ck_assert_str_eq(s.unresolved[1].name, "package_extract_dir");
    ck_assert_int_eq(s.unresolved[1].column, 1);
    ck_assert_uint_eq(part(&s, "boot")->nwrites, 1);
    ck_assert_str_eq(part(&s, "boot")->writes[0].source, "/tmp/boot.img");
    ck_assert_uint_eq(part(&s, "sys")->bytes, 1);
    ck_assert_uint_eq(part(&s, "misc")->bytes, 3);
    ck_assert(part(&s, "userdata")->wiped);
    ck_assert(part(&s, "cache")->wiped);
    rt_pkg_script_free(&s);
}
END_TEST

START_TEST(syntax_errors_are_kept_not_fatal)
{
    static const entry entries[] = {{NULL, 0, NULL}};
    rt_pkg_script s = scan("ui_print(\"a\")\nui_print(\"b\");\nmount(", entries);
    ck_assert_uint_eq(s.nerrors, 2);
    ck_assert_ptr_nonnull(strstr(s.errors[0], "updater-script:2:1: expected an operator"));
    ck_assert_uint_eq(s.nparts, 0);
    ck_assert_uint_eq(s.calls, 0);
    rt_pkg_script_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("releasetools-pkg-scan");
    TCase *tc = tcase_create("scan");
    tcase_add_test(tc, a_full_package_writes_its_tree_and_boot_image);
    tcase_add_test(tc, older_call_forms_are_read_and_mtd_is_a_problem);
    tcase_add_test(tc, an_incremental_patches_files_and_partitions);
    tcase_add_test(tc, block_images_count_their_transfer_list_blocks);
    tcase_add_test(tc, what_is_not_known_before_running_is_noted);
    tcase_add_test(tc, syntax_errors_are_kept_not_fatal);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
