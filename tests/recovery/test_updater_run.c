/* Running an update-binary (recovery/updater_run.h): a real one (a shell
 * script speaking the protocol), its commands acted on and its output in
 * the log; one killed by a signal and one that cannot be started; the
 * verified package handed over to it alone. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otautil/verify.h"
#include "recovery/ui_text.h"
#include "recovery/updater_run.h"
#include "tests/common/testutil.h"

static void write_script(const char *path, const char *text)
{
    test_write_file(path, text, strlen(text));
    ck_assert_int_eq(chmod(path, 0755), 0);
}

/* A recovery context whose screen is a memory stream, with a log at logp
 * (NULL: none). */
typedef struct scene {
    char *screen_buf;
    size_t screen_len;
    FILE *screen;
    recovery_ctx ctx;
} scene;

static void scene_open(scene *sc, const char *logp)
{
    memset(sc, 0, sizeof *sc);
    sc->screen = open_memstream(&sc->screen_buf, &sc->screen_len);
    recovery_ui_text_opts o = { .out = sc->screen };
    ota_error err;
    sc->ctx.ui = recovery_ui_text_new(&o, &err);
    ck_assert_ptr_nonnull(sc->ctx.ui);
    if (logp) {
        sc->ctx.log = recovery_log_open(logp, &err);
        ck_assert_ptr_nonnull(sc->ctx.log);
    }
}

/* Closes it; what the screen showed stays in screen_buf (the caller frees). */
static void scene_close(scene *sc)
{
    if (sc->ctx.log)
        recovery_log_close(sc->ctx.log);
    sc->ctx.ui->ops->destroy(sc->ctx.ui);
    fclose(sc->screen);
}

START_TEST(runs_an_update_binary_and_acts_on_its_commands)
{
    char *tmpdir = test_temp_dir("recovery-updater-run");
    char bin[128], logp[128];
    snprintf(bin, sizeof bin, "%s/update-binary", tmpdir);
    snprintf(logp, sizeof logp, "%s/recovery.log", tmpdir);
    write_script(bin,
               "#!/bin/sh\n"
               "fd=$2\n"
               "echo \"ui_print api $1 package $3\" >&$fd\n"
               "echo 'progress 0.5 0' >&$fd\n"
               "echo 'set_progress 1' >&$fd\n"
               "echo 'log a note' >&$fd\n"
               "echo 'wipe_cache' >&$fd\n"
               "echo 'enable_reboot' >&$fd\n"
               "echo 'bogus command' >&$fd\n"
               "echo 'to stdout'\n"
               "echo 'to stderr' >&2\n"
               "printf 'ui_print last words' >&$fd\n"
               "exit 7\n");
    scene sc;
    scene_open(&sc, logp);
    ota_error err;
    recovery_updater_result res;
    ck_assert_int_eq(recovery_run_updater(&sc.ctx, bin, "/cache/update.zip", NULL, &res, &err),
                     -1);
    ck_assert_str_eq(err.message, "update-binary exited with status 7");
    ck_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 7);
    ck_assert(res.wipe_cache);
    ck_assert(res.enable_reboot);
    scene_close(&sc);
    ck_assert_str_eq(sc.screen_buf, "api 3 package /cache/update.zip\n"
                                 "progress: 50%\n"
                                 "last words\n");
    free(sc.screen_buf);
    size_t log_len;
    char *log = test_read_file(logp, &log_len);
    ck_assert_ptr_nonnull(strstr(log, "update-binary: to stdout\n"));
    ck_assert_ptr_nonnull(strstr(log, "update-binary: to stderr\n"));
    ck_assert_ptr_nonnull(strstr(log, "updater log: a note\n"));
    ck_assert_ptr_nonnull(strstr(log, "ignored: unknown updater command 'bogus command'"));
    ck_assert_ptr_nonnull(strstr(log, "] api 3 package /cache/update.zip\n"));
    free(log);
    test_remove_tree(tmpdir);
}
END_TEST

START_TEST(reports_a_binary_killed_by_a_signal_or_missing)
{
    char *tmpdir = test_temp_dir("recovery-updater-run");
    char bin[128];
    snprintf(bin, sizeof bin, "%s/update-binary", tmpdir);
    write_script(bin, "#!/bin/sh\nkill -SEGV $$\n");
    scene sc;
    scene_open(&sc, NULL);
    ota_error err;
    recovery_updater_result res;
    ck_assert_int_eq(recovery_run_updater(&sc.ctx, bin, "/x.zip", NULL, &res, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "update-binary was killed by signal 11"));
    snprintf(bin, sizeof bin, "%s/absent", tmpdir);
    ck_assert_int_eq(recovery_run_updater(&sc.ctx, bin, "/x.zip", NULL, &res, &err), -1);
    ck_assert_msg(strstr(err.message, "cannot run") && strstr(err.message, "absent") &&
                  strstr(err.message, "No such file"), "%s", err.message);
    scene_close(&sc);
    free(sc.screen_buf);
    test_remove_tree(tmpdir);
}
END_TEST

/* A package handed over reaches the binary as an open descriptor named by
 * /proc/self/fd/N, with the token in its environment; recovery keeps its
 * own descriptor close-on-exec and its environment without the token. */
START_TEST(hands_over_the_package_to_the_binary_only)
{
    char *tmpdir = test_temp_dir("recovery-updater-run");
    char bin[128], pkg[128], logp[128];
    snprintf(bin, sizeof bin, "%s/update-binary", tmpdir);
    snprintf(pkg, sizeof pkg, "%s/update.zip", tmpdir);
    snprintf(logp, sizeof logp, "%s/recovery.log", tmpdir);
    test_write_file(pkg, "verified bytes", 14);
    write_script(bin, "#!/bin/sh\n"
                      "echo \"ui_print token=$OTA_VERIFIED_PACKAGE\" >&$2\n"
                      "echo \"ui_print read=$(cat \"$3\")\" >&$2\n");
    unsetenv(OTA_VERIFIED_ENV);
    int fd = open(pkg, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    char fd_path[32];
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
    scene sc;
    scene_open(&sc, logp);
    ota_error err;
    recovery_handover handover = {fd, "0123abcd"};
    recovery_updater_result res;
    ck_assert_msg(recovery_run_updater(&sc.ctx, bin, fd_path, &handover, &res, &err) == 0, "%s",
                  err.message);
    scene_close(&sc);
    ck_assert_str_eq(sc.screen_buf, "token=0123abcd\nread=verified bytes\n");
    ck_assert_ptr_null(getenv(OTA_VERIFIED_ENV));
    ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    free(sc.screen_buf);
    test_remove_tree(tmpdir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery updater run");
    TCase *tc = tcase_create("updater_run");
    tcase_add_test(tc, runs_an_update_binary_and_acts_on_its_commands);
    tcase_add_test(tc, reports_a_binary_killed_by_a_signal_or_missing);
    tcase_add_test(tc, hands_over_the_package_to_the_binary_only);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
