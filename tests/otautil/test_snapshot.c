/* Sealed snapshots (otautil/snapshot.h): once sealed, the copy cannot be
 * written, shrunk or grown by anyone, and the check tells a sealed copy
 * from anything else, naming what is missing. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "otautil/snapshot.h"
#include "tests/common/testutil.h"

static int filled(const char *name)
{
    ota_error err;
    int fd = ota_snapshot_create(name, &err);
    ck_assert_msg(fd >= 0, "%s", err.message);
    ck_assert_int_eq(pwrite(fd, "signed bytes", 12, 0), 12);
    return fd;
}

START_TEST(sealed_copy_cannot_change)
{
    ota_error err;
    int fd = filled("update.zip");
    ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    ck_assert_int_gt(n, 0);
    target[n] = 0;
    ck_assert_msg(strstr(target, "update.zip"), "%s", target);

    ck_assert_msg(ota_snapshot_seal(fd, "update.zip", &err) == 0, "%s", err.message);
    ck_assert_msg(ota_snapshot_check(fd, "update.zip", &err) == 0, "%s", err.message);
    ck_assert_int_eq(pwrite(fd, "X", 1, 0), -1);
    ck_assert_int_eq(errno, EPERM);
    ck_assert_int_eq(pwrite(fd, "X", 1, 12), -1);
    ck_assert_int_eq(ftruncate(fd, 4), -1);
    ck_assert_int_eq(ftruncate(fd, 4096), -1);
    ck_assert_ptr_eq(mmap(NULL, 12, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
    ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, 0), -1); /* the seals themselves are sealed */
    /* reopened through /proc (as the update-binary does): still sealed,
     * and not writable even when opened for writing */
    int again = open(link, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(again, 0);
    ck_assert_msg(ota_snapshot_check(again, "again", &err) == 0, "%s", err.message);
    char buf[16] = "";
    ck_assert_int_eq(pread(again, buf, sizeof buf, 0), 12);
    ck_assert_mem_eq(buf, "signed bytes", 12);
    close(again);
    int rw = open(link, O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(rw, 0);
    ck_assert_int_eq(write(rw, "X", 1), -1);
    close(rw);
    close(fd);
}
END_TEST

START_TEST(check_names_the_missing_seals)
{
    ota_error err;
    int fd = filled("half");
    ck_assert_int_eq(ota_snapshot_check(fd, "half", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "half is not a sealed snapshot: it is not sealed against "
                                      "writing, shrinking, growing"),
                  "%s", err.message);
    ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL), 0);
    ck_assert_int_eq(ota_snapshot_check(fd, "half", &err), -1);
    ck_assert_msg(strstr(err.message, "not sealed against shrinking, growing"), "%s", err.message);
    close(fd);
}
END_TEST

START_TEST(files_that_cannot_be_sealed)
{
    ota_error err;
    char *dir = test_temp_dir("snapshot");
    char path[512];
    snprintf(path, sizeof path, "%s/update.zip", dir);
    test_write_file(path, "bytes", 5);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ota_snapshot_check(fd, "update.zip", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "it is not a memory file that can be sealed"), "%s",
                  err.message);
    close(fd);
    /* a memfd made without MFD_ALLOW_SEALING carries F_SEAL_SEAL alone */
    fd = memfd_create("plain", MFD_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ota_snapshot_check(fd, "plain", &err), -1);
    ck_assert_msg(strstr(err.message, "not sealed against writing"), "%s", err.message);
    close(fd);
    test_remove_tree(dir);
}
END_TEST

/* Sealing fails while a writable shared mapping exists: nobody can keep a
 * way to write the copy after it was sealed. */
START_TEST(writable_mapping_prevents_the_seal)
{
    ota_error err;
    int fd = filled("mapped");
    void *map = mmap(NULL, 12, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ck_assert_ptr_ne(map, MAP_FAILED);
    ck_assert_int_eq(ota_snapshot_seal(fd, "mapped", &err), -1);
    ck_assert_msg(strstr(err.message, "cannot seal the copy of mapped"), "%s", err.message);
    munmap(map, 12);
    ck_assert_msg(ota_snapshot_seal(fd, "mapped", &err) == 0, "%s", err.message);
    close(fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil snapshot");
    TCase *tc = tcase_create("snapshot");
    tcase_add_test(tc, sealed_copy_cannot_change);
    tcase_add_test(tc, check_names_the_missing_seals);
    tcase_add_test(tc, files_that_cannot_be_sealed);
    tcase_add_test(tc, writable_mapping_prevents_the_seal);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
