/* Files in places someone else can write (otautil/safe_file.h): reading
 * only regular files without blocking, and replacing files so that a
 * planted symlink is replaced, never followed or written through. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "otautil/safe_file.h"
#include "tests/common/testutil.h"

static char *dir;

static const char *in_dir(const char *name)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

static void setup(void)
{
    dir = test_temp_dir("test_safe_file");
}

static void teardown(void)
{
    test_remove_tree(dir);
}

/* name -> opened, or refused with the code and a word of the message. */
START_TEST(open_regular_table)
{
    test_write_file(in_dir("file"), "data", 4);
    ck_assert_int_eq(mkfifo(in_dir("fifo"), 0600), 0);
    ck_assert_int_eq(symlink("file", in_dir("link")), 0);
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(sock, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", in_dir("sock"));
    ck_assert_int_eq(bind(sock, (struct sockaddr *)&addr, sizeof addr), 0);
    static const struct {
        const char *name; /* under the folder; absolute: as is */
        int code;         /* OTA_OK: opened */
        const char *word;
    } cases[] = {
        {"file", OTA_OK, NULL},
        {"link", OTA_OK, NULL}, /* a symlink to a regular file is read (callers choose where) */
        {"fifo", OTA_ERR_FORMAT, "FIFO"}, /* at once: no writer needed */
        {"sock", OTA_ERR_FORMAT, "socket"},
        {".", OTA_ERR_FORMAT, "directory"},
        {"/dev/null", OTA_ERR_FORMAT, "character device"},
        {"missing", OTA_ERR_NOTFOUND, "missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = cases[i].name[0] == '/' ? cases[i].name : in_dir(cases[i].name);
        ota_error err;
        ota_error_clear(&err);
        struct stat st;
        int fd = ota_open_regular(path, "test file", &st, &err);
        if (cases[i].code == OTA_OK) {
            ck_assert_msg(fd >= 0, "%s: %s", cases[i].name, err.message);
            ck_assert(S_ISREG(st.st_mode));
            ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* blocking again */
            close(fd);
        } else {
            ck_assert_msg(fd == -1, "%s was opened", cases[i].name);
            ck_assert_msg(err.code == cases[i].code, "%s: %d %s", cases[i].name, err.code,
                          err.message);
            ck_assert_msg(strstr(err.message, cases[i].word) && strstr(err.message, "test file"),
                          "%s: %s", cases[i].name, err.message);
        }
    }
    close(sock);
}
END_TEST

START_TEST(a_planted_symlink_folder_is_replaced)
{
    ota_error err;
    ck_assert_int_eq(mkdir(in_dir("victim"), 0700), 0);
    test_write_file(in_dir("victim/keep"), "precious", 8);
    ck_assert_int_eq(symlink(in_dir("victim"), in_dir("logs")), 0);
    int fd = ota_dir_open_private(in_dir("logs"), 0700, &err);
    ck_assert_msg(fd >= 0, "%s", err.message);
    struct stat st;
    ck_assert_int_eq(lstat(in_dir("logs"), &st), 0);
    ck_assert(S_ISDIR(st.st_mode)); /* a real folder now */
    ck_assert_int_eq(ota_write_data_at(fd, "keep", 0600, "new", 3, "logs/keep", &err), 0);
    close(fd);
    size_t len;
    char *text = test_read_file(in_dir("victim/keep"), &len);
    ck_assert_str_eq(text, "precious");
    free(text);
    /* A missing folder is made. */
    fd = ota_dir_open_private(in_dir("fresh"), 0700, &err);
    ck_assert_msg(fd >= 0, "%s", err.message);
    close(fd);
}
END_TEST

/* Replacing a file: whole or nothing, exactly the mode asked for, and a
 * symlink at the name (or at a temporary name) is replaced, not followed. */
START_TEST(replace_file_is_whole_or_nothing)
{
    ota_error err;
    const char *path = in_dir("last_install");
    ck_assert_int_eq(ota_replace_file(path, "old\n", 4, 0640, &err), 0);
    ck_assert_int_eq(ota_replace_file(path, "new text\n", 9, 0600, &err), 0);
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_str_eq(text, "new text\n");
    free(text);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600); /* a new file every time */
    ck_assert_int_eq(ota_sync_parent(path, &err), 0);

    test_write_file(in_dir("target"), "precious", 8);
    ck_assert_int_eq(symlink(in_dir("target"), in_dir("status")), 0);
    char tmp[96];
    for (int i = 0; i < 10; i++) { /* the temporary names a writer would try first */
        snprintf(tmp, sizeof tmp, ".status.tmp-%ld.%d", (long)getpid(), i);
        ck_assert_int_eq(symlink(in_dir("target"), in_dir(tmp)), 0);
    }
    ck_assert_msg(ota_replace_file(in_dir("status"), "mine", 4, 0644, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(lstat(in_dir("status"), &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    text = test_read_file(in_dir("target"), &len);
    ck_assert_str_eq(text, "precious");
    free(text);
    text = test_read_file(in_dir("status"), &len);
    ck_assert_str_eq(text, "mine");
    free(text);
    /* What a killed writer would leave (here: the planted links) goes,
     * the file itself and everything else stay. */
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dir_fd, 0);
    ck_assert_int_eq(ota_write_file_leftovers(dir_fd, "status", &err), 0);
    close(dir_fd);
    snprintf(tmp, sizeof tmp, ".status.tmp-%ld.0", (long)getpid());
    ck_assert_int_eq(access(in_dir(tmp), F_OK), -1);
    ck_assert_int_eq(access(in_dir("status"), F_OK), 0);
    ck_assert_int_eq(access(in_dir("target"), F_OK), 0);

    /* A folder that does not exist: an error naming it, nothing made. */
    ck_assert_int_eq(ota_replace_file(in_dir("none/x"), "x", 1, 0644, &err), -1);
    ck_assert_msg(strstr(err.message, "none") != NULL, "%s", err.message);
    ck_assert_int_eq(access(in_dir("none"), F_OK), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("safe files");
    TCase *tc = tcase_create("safe_file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, open_regular_table);
    tcase_add_test(tc, a_planted_symlink_folder_is_replaced);
    tcase_add_test(tc, replace_file_is_whole_or_nothing);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
