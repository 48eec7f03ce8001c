/* bootctl.conf: settings, command-line overrides, the environment, and
 * paths resolved under RECOVERY_ROOT. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootctl/config.h"
#include "tests/common/testutil.h"

static char root[64];

static void write_conf(const char *text)
{
    strcpy(root, "/tmp/bootctl-conf.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    char etc[96], conf[128];
    snprintf(etc, sizeof etc, "%s/etc", root);
    ck_assert_int_eq(mkdir(etc, 0755), 0);
    snprintf(conf, sizeof conf, "%s/bootctl.conf", etc);
    test_write_file(conf, text, strlen(text));
    setenv("RECOVERY_ROOT", root, 1);
}

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(settings_are_read_and_paths_resolved_under_the_root)
{
    write_conf("# a board\nbackend=uboot\nstorage=/etc/fw_env.config\nslots=system0 system1\n"
               "tries=5\nuboot.defaults=/etc/u-boot-initial-env\nscript.timeout=3\n");
    bootctl_config cfg;
    bootctl_overrides ov = {0};
    ota_error err;
    ck_assert_msg(bootctl_config_load(&cfg, &ov, &err) == 0, "%s", err.message);
    char want[160];
    ck_assert_str_eq(cfg.backend, "uboot");
    snprintf(want, sizeof want, "%s/etc/fw_env.config", root);
    ck_assert_str_eq(cfg.storage, want);
    snprintf(want, sizeof want, "%s/etc/u-boot-initial-env", root);
    ck_assert_str_eq(cfg.uboot_defaults, want);
    snprintf(want, sizeof want, "%s/proc/cmdline", root);
    ck_assert_str_eq(cfg.cmdline, want);
    ck_assert_uint_eq(cfg.slot_count, 2);
    ck_assert_str_eq(cfg.slot_names[1], "system1");
    ck_assert_int_eq(cfg.tries, 5);
    ck_assert_int_eq(cfg.script_timeout_ms, 3000);
    cleanup();
}
END_TEST

START_TEST(overrides_and_the_environment_win)
{
    write_conf("backend=grub\nstorage=/boot/grub/grubenv\n");
    setenv("BOOTCTL_CURRENT_SLOT", "B", 1);
    bootctl_config cfg;
    bootctl_overrides ov = {.backend = "android"};
    ota_error err;
    ck_assert_int_eq(bootctl_config_load(&cfg, &ov, &err), 0);
    char want[160];
    /* Another backend: the file's storage is not its storage. */
    snprintf(want, sizeof want, "%s/dev/block/by-name/misc", root);
    ck_assert_str_eq(cfg.storage, want);
    ck_assert_str_eq(cfg.current, "B");
    ov = (bootctl_overrides){.storage = "/x/grubenv", .current = "A"};
    ck_assert_int_eq(bootctl_config_load(&cfg, &ov, &err), 0);
    ck_assert_str_eq(cfg.backend, "grub");
    snprintf(want, sizeof want, "%s/x/grubenv", root);
    ck_assert_str_eq(cfg.storage, want);
    ck_assert_str_eq(cfg.current, "A");
    cleanup();
}
END_TEST

START_TEST(bad_settings_name_the_file_and_the_setting)
{
    static const char *const bad[][2] = {
        {"backend=grub\nstorge=/x\n", "unknown setting \"storge\""},
        {"backend=grub\ntries=0\n", "tries=0"},
        {"backend=grub\nslots=A B C D E\n", "more than 4"},
        {"backend=grub\nslots=A A\n", "named twice"},
        {"backend=lilo\n", "unknown boot control backend \"lilo\""},
        {"backend=script\n", NULL}, /* no default storage: bootctl_open says so */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_conf(bad[i][0]);
        bootctl_config cfg;
        bootctl_overrides ov = {0};
        ota_error err;
        int rc = bootctl_config_load(&cfg, &ov, &err);
        if (!bad[i][1]) {
            ck_assert_int_eq(rc, 0);
            ck_assert_ptr_null(bootctl_open(&cfg, &err));
            ck_assert_msg(strstr(err.message, "needs its storage"), "%s", err.message);
        } else {
            ck_assert_int_eq(rc, -1);
            ck_assert_msg(strstr(err.message, bad[i][1]), "%zu: %s", i, err.message);
        }
        cleanup();
    }
    /* No file and no --backend; a --config that does not exist. */
    write_conf("");
    char conf[128];
    snprintf(conf, sizeof conf, "%s/etc/bootctl.conf", root);
    unlink(conf);
    bootctl_config cfg;
    bootctl_overrides ov = {0};
    ota_error err;
    ck_assert_int_eq(bootctl_config_load(&cfg, &ov, &err), -1);
    ck_assert_msg(strstr(err.message, "--backend"), "%s", err.message);
    ov.backend = "grub";
    ck_assert_int_eq(bootctl_config_load(&cfg, &ov, &err), 0);
    ov.config = "/etc/other.conf";
    ck_assert_int_eq(bootctl_config_load(&cfg, &ov, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    cleanup();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, settings_are_read_and_paths_resolved_under_the_root);
    tcase_add_test(tc, overrides_and_the_environment_win);
    tcase_add_test(tc, bad_settings_name_the_file_and_the_setting);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
