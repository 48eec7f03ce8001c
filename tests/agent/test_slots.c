/* The A/B installer's view of the slots (agent/slots.h) on a device laid
 * out in a folder (RECOVERY_ROOT) with bootctl's grub backend: the running
 * slot from the kernel command line, each partition's device from the
 * patterns or a device.NAME line, and the one rule that matters most --
 * the running slot's partitions are never opened for writing, whatever
 * name they are reached by. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/slots.h"
#include "tests/common/testutil.h"

static char *root;
static agent_config cfg;

static void put(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", root, rel);
    test_write_file(path, text, strlen(text));
}

static void setup(void)
{
    root = test_temp_dir("agent-slots");
    setenv("RECOVERY_ROOT", root, 1);
    unsetenv("BOOTCTL_CURRENT_SLOT");
    char grubenv[1024] = "# GRUB Environment Block\nORDER=A B\nA_OK=1\n";
    memset(grubenv + strlen(grubenv), '#', sizeof grubenv - strlen(grubenv));
    char path[1024];
    snprintf(path, sizeof path, "%s/grubenv", root);
    test_write_file(path, grubenv, sizeof grubenv);
    put("/bootctl.conf", "backend=grub\nstorage=/grubenv\ncmdline=/cmdline\n");
    put("/cmdline", "console=ttyS0 rauc.slot=A\n");
    snprintf(path, sizeof path, "%s/dev", root);
    mkdir(path, 0755);
    put("/dev/system_a", "slot A");
    put("/dev/system_b", "slot B");
    put("/dev/bootloader", "loader");
    memset(&cfg, 0, sizeof cfg);
    cfg.bootctl_config = strdup("/bootctl.conf");
    cfg.slot_device = strdup("/dev/%p%s");
    cfg.single_device = strdup("/dev/%p");
}

static void teardown(void)
{
    agent_config_free(&cfg);
    test_remove_tree(root);
    unsetenv("RECOVERY_ROOT");
}

static void open_slots(agent_slots *s)
{
    ota_error err;
    ck_assert_msg(agent_slots_open(s, &cfg, &err) == 0, "%s", err.message);
}

START_TEST(running_slot_and_target)
{
    agent_slots s;
    open_slots(&s);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_int_eq(s.current, 0);
    ck_assert_uint_eq(agent_slots_target(&s), 1);
    agent_slots_close(&s);
    put("/cmdline", "rauc.slot=B\n");
    open_slots(&s);
    ck_assert_int_eq(s.current, 1);
    ck_assert_uint_eq(agent_slots_target(&s), 0);
    agent_slots_close(&s);
}
END_TEST

START_TEST(devices_from_patterns_and_names)
{
    agent_slots s;
    open_slots(&s);
    char out[1024], want[1024];
    ota_error err;
    ck_assert_int_eq(agent_slot_device(&s, "system", 1, out, sizeof out, &err), 0);
    snprintf(want, sizeof want, "%s/dev/system_b", root);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(agent_slot_device(&s, "bootloader", AGENT_SINGLE_COPY, out, sizeof out, &err), 0);
    snprintf(want, sizeof want, "%s/dev/bootloader", root);
    ck_assert_str_eq(out, want);
    /* device.NAME wins; %% is a percent sign */
    ck_assert_int_eq(ota_props_set(&cfg.devices, "system_b", "/dev/other", &err), 0);
    ck_assert_int_eq(agent_slot_device(&s, "system", 1, out, sizeof out, &err), 0);
    snprintf(want, sizeof want, "%s/dev/other", root);
    ck_assert_str_eq(out, want);
    free(cfg.slot_device);
    cfg.slot_device = strdup("/dev/100%%_%p%s");
    ck_assert_int_eq(agent_slot_device(&s, "boot", 0, out, sizeof out, &err), 0);
    snprintf(want, sizeof want, "%s/dev/100%%_boot_a", root);
    ck_assert_str_eq(out, want);
    free(cfg.slot_device);
    cfg.slot_device = strdup("/dev/%q");
    ck_assert_int_eq(agent_slot_device(&s, "boot", 0, out, sizeof out, &err), -1);
    ck_assert_msg(strstr(err.message, "/dev/%q"), "%s", err.message);
    ck_assert_int_eq(agent_slot_device(&s, "boot", 5, out, sizeof out, &err), -1);
    agent_slots_close(&s);
}
END_TEST

START_TEST(the_running_slot_is_never_opened_for_writing)
{
    agent_slots s;
    open_slots(&s);
    bi_fd_dev dev;
    ota_error err;
    /* by slot */
    ck_assert_int_eq(agent_slot_open(&s, "system", 0, 1, &dev, &err), -1);
    ck_assert_msg(strstr(err.message, "running slot"), "%s", err.message);
    /* reading it is fine (incrementals read their source there) */
    ck_assert_msg(agent_slot_open(&s, "system", 0, 0, &dev, &err) == 0, "%s", err.message);
    bi_fd_dev_close(&dev);
    /* the target opens for writing */
    ck_assert_msg(agent_slot_open(&s, "system", 1, 1, &dev, &err) == 0, "%s", err.message);
    bi_fd_dev_close(&dev);
    /* by device: slot B's name leading to slot A's file, by a symlink or a
     * hard link, is refused before any open */
    char a[1024], alias[1024];
    snprintf(a, sizeof a, "%s/dev/system_a", root);
    snprintf(alias, sizeof alias, "%s/dev/alias", root);
    ck_assert_int_eq(symlink(a, alias), 0);
    ck_assert_int_eq(ota_props_set(&cfg.devices, "system_b", "/dev/alias", &err), 0);
    ck_assert_int_eq(agent_slot_open(&s, "system", 1, 1, &dev, &err), -1);
    ck_assert_msg(strstr(err.message, "refusing to write"), "%s", err.message);
    snprintf(alias, sizeof alias, "%s/dev/hard", root);
    ck_assert_int_eq(link(a, alias), 0);
    ck_assert_int_eq(ota_props_set(&cfg.devices, "system_b", "/dev/hard", &err), 0);
    ck_assert_int_eq(agent_slot_open(&s, "system", 1, 1, &dev, &err), -1);
    ck_assert_msg(strstr(err.message, "refusing to write"), "%s", err.message);
    /* slot A's file is as it was */
    size_t len;
    char *text = test_read_file(a, &len);
    ck_assert_str_eq(text, "slot A");
    free(text);
    agent_slots_close(&s);
}
END_TEST

START_TEST(no_running_slot_is_an_error)
{
    put("/cmdline", "console=ttyS0\n");
    agent_slots s;
    ota_error err;
    ck_assert_int_eq(agent_slots_open(&s, &cfg, &err), -1);
    ck_assert_msg(strstr(err.message, "running"), "%s", err.message);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent slots");
    TCase *tc = tcase_create("slots");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, running_slot_and_target);
    tcase_add_test(tc, devices_from_patterns_and_names);
    tcase_add_test(tc, the_running_slot_is_never_opened_for_writing);
    tcase_add_test(tc, no_running_slot_is_an_error);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
