/* Unit tests of the one spawner (otautil/spawn.h), with real programs
 * (/bin/sh, cat, env): output routing, exit codes and signals, kept
 * descriptors, extra environment, timeouts that kill a whole group. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otautil/sink.h"
#include "otautil/spawn.h"
#include "tests/common/testutil.h"

/* Collects lines joined by '|'. */
static void collect(void *ctx, const char *line)
{
    ota_buf *b = ctx;
    if (b->len)
        ota_buf_append(b, "|", 1, NULL);
    ota_buf_append(b, line, strlen(line), NULL);
}

/* Runs a shell command with stdout and stderr piped; returns the lines. */
static char *sh_lines(const char *cmd, const ota_spawn_opts *extra, int *status)
{
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    ota_spawn_opts opts = extra ? *extra : (ota_spawn_opts){0};
    opts.out = OTA_SPAWN_PIPE;
    opts.err = OTA_SPAWN_PIPE;
    ota_buf b = {0};
    ota_error err;
    ck_assert_msg(ota_run(argv, &opts, -1, collect, &b, status, &err) == 0, "%s", err.message);
    ota_buf_append(&b, "", 1, NULL);
    return (char *)b.data;
}

START_TEST(exit_codes_and_signals_map_as_a_shell_does)
{
    static const struct {
        const char *cmd;
        int code;
        const char *described;
    } cases[] = {
        {"exit 0", 0, "exited with status 0"},
        {"exit 3", 3, "exited with status 3"},
        {"kill -9 $$", 128 + 9, "was killed by signal 9"},
        {"kill -15 $$", 128 + 15, "was killed by signal 15"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int status;
        free(sh_lines(cases[i].cmd, NULL, &status));
        ck_assert_int_eq(ota_exit_code(status), cases[i].code);
        char text[96];
        ota_describe_exit(status, text, sizeof text);
        ck_assert_msg(strstr(text, cases[i].described) == text, "%s: %s", cases[i].cmd, text);
    }
}
END_TEST

START_TEST(output_lines_in_order_and_a_last_unterminated_one)
{
    int status;
    char *out = sh_lines("echo one; echo two >&2; printf three", NULL, &status);
    ck_assert_str_eq(out, "one|two|three");
    free(out);
}
END_TEST

START_TEST(stdin_is_dev_null)
{
    int status;
    char *out = sh_lines("cat; echo done", NULL, &status); /* would block on a terminal */
    ck_assert_str_eq(out, "done");
    ck_assert_int_eq(ota_exit_code(status), 0);
    free(out);
}
END_TEST

START_TEST(a_missing_program_is_an_error_naming_it)
{
    char *argv[] = {"/nonexistent/mke2fs", NULL};
    int status;
    ota_error err;
    ck_assert_int_eq(ota_run(argv, NULL, -1, NULL, NULL, &status, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    ck_assert_str_eq(err.message, "cannot run /nonexistent/mke2fs: No such file or directory");
    char *argv2[] = {"no-such-program-in-path", NULL};
    ck_assert_int_eq(ota_run(argv2, NULL, -1, NULL, NULL, &status, &err), -1);
    ck_assert_msg(strstr(err.message, "no-such-program-in-path") != NULL, "%s", err.message);
}
END_TEST

START_TEST(extra_environment_adds_and_replaces)
{
    setenv("OTA_TEST_KEEP", "kept", 1);
    setenv("OTA_TEST_SWAP", "old", 1);
    char *env[] = {"OTA_TEST_SWAP=new", "OTA_TEST_ADD=added", NULL};
    ota_spawn_opts opts = {.extra_env = env};
    int status;
    char *out = sh_lines("echo $OTA_TEST_KEEP $OTA_TEST_SWAP $OTA_TEST_ADD", &opts, &status);
    ck_assert_str_eq(out, "kept new added");
    free(out);
}
END_TEST

START_TEST(kept_descriptors_survive_and_others_do_not)
{
    int keep[2], other[2];
    ck_assert_int_eq(pipe2(keep, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(other, O_CLOEXEC), 0);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "echo kept >&%d && echo yes; { echo lost >&%d; } 2>/dev/null || echo no",
             keep[1], other[1]);
    ota_spawn_opts opts = {.keep_fds = &keep[1], .keep_count = 1};
    int status;
    char *out = sh_lines(cmd, &opts, &status);
    ck_assert_str_eq(out, "yes|no");
    free(out);
    char buf[16] = {0};
    close(keep[1]);
    ck_assert_int_eq(read(keep[0], buf, sizeof buf - 1), 5);
    ck_assert_str_eq(buf, "kept\n");
    /* Still close-on-exec in the caller. */
    ck_assert_int_ne(fcntl(keep[0], F_GETFD) & FD_CLOEXEC, 0);
    close(keep[0]);
    close(other[0]);
    close(other[1]);
}
END_TEST

START_TEST(stdout_can_go_to_the_callers_stderr)
{
    /* Our stderr is a pipe we read; the child's stdout must land there. */
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    dup2(p[1], STDERR_FILENO);
    close(p[1]);
    char *argv[] = {"sh", "-c", "echo to-stdout", NULL};
    ota_spawn_opts opts = {.out = OTA_SPAWN_TO_STDERR};
    int status;
    ota_error err;
    int rc = ota_run(argv, &opts, -1, NULL, NULL, &status, &err);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ck_assert_int_eq(rc, 0);
    char buf[32] = {0};
    ck_assert_int_eq(read(p[0], buf, sizeof buf - 1), 10);
    ck_assert_str_eq(buf, "to-stdout\n");
    close(p[0]);
}
END_TEST

START_TEST(a_timeout_kills_the_whole_group)
{
    char dir[] = "/tmp/test_spawn.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[256], pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/grandchild", dir);
    /* The grandchild records its pid, then both hang. */
    snprintf(cmd, sizeof cmd, "sleep 600 & echo $! > %s; wait", pidfile);
    char *argv[] = {"sh", "-c", cmd, NULL};
    ota_spawn_opts opts = {.out = OTA_SPAWN_PIPE, .err = OTA_SPAWN_PIPE, .own_group = 1};
    int status;
    ota_error err;
    ck_assert_int_eq(ota_run(argv, &opts, 300, NULL, NULL, &status, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_str_eq(err.message, "sh did not finish within 300 ms and was killed");
    ck_assert_int_eq(ota_exit_code(status), 128 + SIGKILL);
    size_t len;
    char *text = test_read_file(pidfile, &len);
    pid_t grandchild = (pid_t)atoi(text);
    free(text);
    ck_assert_int_gt(grandchild, 1);
    /* Killed with its group: gone, or a zombie of init for a moment. */
    int alive = 1;
    for (int i = 0; i < 200 && alive; i++) {
        char stat_path[64], state = '?';
        snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", (int)grandchild);
        FILE *f = fopen(stat_path, "r");
        if (!f || fscanf(f, "%*d %*s %c", &state) != 1 || state == 'Z')
            alive = 0;
        if (f)
            fclose(f);
        if (alive)
            usleep(10000);
    }
    ck_assert_msg(!alive, "the grandchild %d outlived the timeout", (int)grandchild);
    unlink(pidfile);
    rmdir(dir);
}
END_TEST

START_TEST(the_childs_end_ends_the_wait_even_if_the_pipe_stays_open)
{
    /* A background process keeps the pipe open after sh exits. */
    char *argv[] = {"sh", "-c", "sleep 5 & echo started", NULL};
    ota_spawn_opts opts = {.out = OTA_SPAWN_PIPE, .err = OTA_SPAWN_PIPE};
    ota_buf b = {0};
    int status;
    ota_error err;
    ck_assert_int_eq(ota_run(argv, &opts, -1, collect, &b, &status, &err), 0);
    ota_buf_append(&b, "", 1, NULL);
    ck_assert_str_eq((char *)b.data, "started");
    ck_assert_int_eq(ota_exit_code(status), 0);
    ota_buf_free(&b);
}
END_TEST

START_TEST(long_lines_are_cut_into_pieces)
{
    char buf[8];
    ota_buf b = {0};
    ota_lines lines = {buf, sizeof buf, 0, collect, &b};
    ota_lines_feed(&lines, "abcdefghijk\nxy", 14);
    ota_lines_flush(&lines);
    ota_buf_append(&b, "", 1, NULL);
    ck_assert_str_eq((char *)b.data, "abcdefg|hijk|xy");
    ota_buf_free(&b);
    /* Lines split across feeds, an empty line kept, a cut one continued. */
    ota_buf c = {0};
    ota_lines more = {buf, sizeof buf, 0, collect, &c};
    ota_lines_feed(&more, "ab\ncd", 5);
    ota_lines_feed(&more, "e\n\n0123456789", 13);
    ota_lines_flush(&more);
    ota_buf_append(&c, "", 1, NULL);
    ck_assert_str_eq((char *)c.data, "ab|cde||0123456|789");
    ota_buf_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spawning programs");
    TCase *tc = tcase_create("spawn");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exit_codes_and_signals_map_as_a_shell_does);
    tcase_add_test(tc, output_lines_in_order_and_a_last_unterminated_one);
    tcase_add_test(tc, stdin_is_dev_null);
    tcase_add_test(tc, a_missing_program_is_an_error_naming_it);
    tcase_add_test(tc, extra_environment_adds_and_replaces);
    tcase_add_test(tc, kept_descriptors_survive_and_others_do_not);
    tcase_add_test(tc, stdout_can_go_to_the_callers_stderr);
    tcase_add_test(tc, a_timeout_kills_the_whole_group);
    tcase_add_test(tc, the_childs_end_ends_the_wait_even_if_the_pipe_stays_open);
    tcase_add_test(tc, long_lines_are_cut_into_pieces);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
