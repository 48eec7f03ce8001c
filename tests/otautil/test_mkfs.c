/* Unit tests of otautil/mkfs.h: the one size rule for a new filesystem
 * (the updater's format and recovery's wipes) and the one mke2fs command
 * line (those two and the release tools' system.img), each as a table;
 * and the size of a device or file. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/mkfs.h"
#include "tests/common/testutil.h"

#define MiB (1024ull * 1024)

/* dev_size and length -> bytes, or refused (0). */
static const struct {
    const char *name;
    uint64_t dev_size;
    long long length;
    uint64_t bytes;
} size_cases[] = {
    {"0: the whole device", 64 * MiB, 0, 64 * MiB},
    {"> 0: that many bytes", 64 * MiB, 32 * MiB, 32 * MiB},
    {"> 0: all of it", 64 * MiB, 64 * MiB, 64 * MiB},
    {"> 0: larger than the device is refused, not clamped", 64 * MiB, 65 * MiB, 0},
    {"< 0: room for a crypto footer", 64 * MiB, -16384, 64 * MiB - 16384},
    {"< 0: nothing left", 64 * MiB, -(long long)(64 * MiB), 0},
    {"< 0: more than the device", 64 * MiB, -(long long)(65 * MiB), 0},
    {"< 0: LLONG_MIN", 64 * MiB, LLONG_MIN, 0},
    {"rounded down to whole 4 KiB blocks", 32 * MiB + 100, 0, 32 * MiB},
    {"a footer that is not whole blocks", 32 * MiB, -100, 32 * MiB - 4096},
    {"256 KiB is the least", 256 * 1024, 0, 256 * 1024},
    {"less is refused", 256 * 1024 - 4096, 0, 0},
    {"a tiny device", 1000, 0, 0},
    {"a device larger than LLONG_MAX bytes", ~0ull, -4096, ~0ull - 4096 - 4095},
};

START_TEST(size_rule_table)
{
    for (size_t i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
        uint64_t bytes = 1;
        ota_error err;
        int rc = ota_fs_size(size_cases[i].dev_size, size_cases[i].length, &bytes, &err);
        if (size_cases[i].bytes == 0) {
            ck_assert_msg(rc == -1, "%s: accepted as %llu", size_cases[i].name,
                          (unsigned long long)bytes);
            ck_assert_int_eq(err.code, OTA_ERR_NOSPACE);
        } else {
            ck_assert_msg(rc == 0, "%s: %s", size_cases[i].name, err.message);
            ck_assert_msg(bytes == size_cases[i].bytes, "%s: %llu", size_cases[i].name,
                          (unsigned long long)bytes);
        }
    }
}
END_TEST

static void joined(const ota_mke2fs_cmd *cmd, char *out, size_t outsz)
{
    out[0] = '\0';
    for (size_t i = 0; cmd->argv[i]; i++) {
        strncat(out, cmd->argv[i], outsz - strlen(out) - 1);
        if (cmd->argv[i + 1])
            strncat(out, " ", outsz - strlen(out) - 1);
    }
}

/* The command lines of the three callers, and what is refused. */
static const struct {
    const char *name;
    ota_mke2fs_opts opts;
    const char *argv; /* NULL: refused */
} cmd_cases[] = {
    {"format() and wipes", {.fs_type = "ext4", .target = "/dev/block/sda5", .bytes = 64 * MiB},
     "mke2fs -F -q -t ext4 -b 4096 /dev/block/sda5 16384"},
    {"ext2 with a footer left", {.fs_type = "ext2", .target = "/dev/x", .bytes = 64 * MiB - 16384},
     "mke2fs -F -q -t ext2 -b 4096 /dev/x 16380"},
    {"system.img",
     {.fs_type = "ext4", .target = "out/system.img", .bytes = 100 * MiB + 1024, .label = "system",
      .uuid = "01234567-89ab-4def-8123-456789abcdef", .extended = "root_owner=0:0",
      .root_dir = "work/stage", .inode_size = 256},
     "mke2fs -F -q -t ext4 -b 4096 -I 256 -U 01234567-89ab-4def-8123-456789abcdef "
     "-E root_owner=0:0 -L system -d work/stage out/system.img 25600"},
    {"vfat is not made here", {.fs_type = "vfat", .target = "/dev/x", .bytes = 64 * MiB}, NULL},
    {"no type", {.target = "/dev/x", .bytes = 64 * MiB}, NULL},
    {"too small", {.fs_type = "ext4", .target = "/dev/x", .bytes = 4096}, NULL},
};

START_TEST(mke2fs_command_table)
{
    for (size_t i = 0; i < sizeof cmd_cases / sizeof cmd_cases[0]; i++) {
        ota_mke2fs_cmd cmd;
        ota_error err;
        int rc = ota_mke2fs_command(&cmd, &cmd_cases[i].opts, &err);
        if (!cmd_cases[i].argv) {
            ck_assert_msg(rc == -1, "%s: accepted", cmd_cases[i].name);
            continue;
        }
        ck_assert_msg(rc == 0, "%s: %s", cmd_cases[i].name, err.message);
        char line[512];
        joined(&cmd, line, sizeof line);
        ck_assert_msg(strcmp(line, cmd_cases[i].argv) == 0, "%s: %s", cmd_cases[i].name, line);
    }
}
END_TEST

START_TEST(size_of_a_file_and_not_of_a_pipe)
{
    char path[] = "/tmp/test_mkfs.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 3 * MiB + 5), 0);
    uint64_t size = 0;
    ota_error err;
    ck_assert_int_eq(ota_fd_size(fd, &size, &err), 0);
    ck_assert_uint_eq(size, 3 * MiB + 5);
    close(fd);
    unlink(path);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(ota_fd_size(p[0], &size, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    close(p[0]);
    close(p[1]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("making filesystems");
    TCase *tc = tcase_create("mkfs");
    tcase_add_test(tc, size_rule_table);
    tcase_add_test(tc, mke2fs_command_table);
    tcase_add_test(tc, size_of_a_file_and_not_of_a_pipe);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
