/* The updater's command pipe: parsing, and a real update-binary (a shell
 * script speaking the protocol) run by recovery, its output in the log;
 * also the log files and the wipe arithmetic. */
#include <check.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recovery/log_files.h"
#include "recovery/ui_text.h"
#include "recovery/updater_pipe.h"
#include "recovery/updater_run.h"
#include "recovery/wipe.h"
#include "tests/common/testutil.h"

START_TEST(parses_every_command)
{
    recovery_pipe_cmd c;
    ota_error err;
    ck_assert_int_eq(recovery_pipe_parse("progress 0.25 10", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_PROGRESS);
    ck_assert_double_eq(c.fraction, 0.25);
    ck_assert_double_eq(c.seconds, 10);
    ck_assert_int_eq(recovery_pipe_parse("set_progress 0.5", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_SET_PROGRESS);
    ck_assert_double_eq(c.fraction, 0.5);
    ck_assert_int_eq(recovery_pipe_parse("ui_print Patching system files...", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_UI_PRINT);
    ck_assert_str_eq(c.text, "Patching system files...");
    ck_assert_int_eq(recovery_pipe_parse("ui_print", &c, &err), 0);
    ck_assert_str_eq(c.text, "");
    ck_assert_int_eq(recovery_pipe_parse("ui_print  two  spaces", &c, &err), 0);
    ck_assert_str_eq(c.text, " two  spaces");
    ck_assert_int_eq(recovery_pipe_parse("log x=1", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_LOG);
    ck_assert_str_eq(c.text, "x=1");
    ck_assert_int_eq(recovery_pipe_parse("wipe_cache", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_WIPE_CACHE);
    ck_assert_int_eq(recovery_pipe_parse("clear_display", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_CLEAR_DISPLAY);
    ck_assert_int_eq(recovery_pipe_parse("enable_reboot", &c, &err), 0);
    ck_assert_int_eq(c.kind, RECOVERY_PIPE_ENABLE_REBOOT);
}
END_TEST

START_TEST(refuses_malformed_commands)
{
    recovery_pipe_cmd c;
    ota_error err;
    const char *bad[] = { "progress", "progress 0.5", "progress x 1", "progress 0.5 1 2",
                          "set_progress", "set_progress nan", "set_progress 1e999",
                          "ui_printx", "reboot_now", "", "PROGRESS 1 1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(recovery_pipe_parse(bad[i], &c, &err) == -1, "accepted '%s'", bad[i]);
        ck_assert_ptr_nonnull(strstr(err.message, bad[i]));
    }
}
END_TEST

START_TEST(random_lines_are_rejected_or_parsed)
{
    uint32_t state = 777;
    char line[128];
    static const char alphabet[] = "progress set_ui_print0.5 1e9-nan";
    for (int round = 0; round < 50000; round++) {
        state = state * 1103515245u + 12345u;
        size_t len = (state >> 16) % (sizeof line - 1);
        for (size_t i = 0; i < len; i++) {
            state = state * 1103515245u + 12345u;
            unsigned r = state >> 16;
            char c = (r & 0x100) ? alphabet[r % (sizeof alphabet - 1)] : (char)(r | 1);
            line[i] = c;
        }
        line[len] = '\0';
        recovery_pipe_cmd c;
        ota_error err;
        int rc = recovery_pipe_parse(line, &c, &err);
        ck_assert(rc == 0 || rc == -1);
        if (rc == 0 && (c.kind == RECOVERY_PIPE_PROGRESS || c.kind == RECOVERY_PIPE_SET_PROGRESS))
            ck_assert(c.fraction == c.fraction); /* never NaN */
    }
}
END_TEST

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/recovery-pipe-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

START_TEST(runs_an_update_binary_and_acts_on_its_commands)
{
    make_tmpdir();
    char bin[128], logp[128];
    snprintf(bin, sizeof bin, "%s/update-binary", tmpdir);
    snprintf(logp, sizeof logp, "%s/recovery.log", tmpdir);
    write_file(bin,
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
               "exit 7\n",
               0755);
    char *screen_buf = NULL;
    size_t screen_len = 0;
    FILE *screen = open_memstream(&screen_buf, &screen_len);
    recovery_ui_text_opts o = { .out = screen };
    ota_error err;
    recovery_ctx ctx = { 0 };
    ctx.ui = recovery_ui_text_new(&o, &err);
    ctx.log = recovery_log_open(logp, &err);
    ck_assert_ptr_nonnull(ctx.log);
    recovery_updater_result res;
    ck_assert_int_eq(recovery_run_updater(&ctx, bin, "/cache/update.zip", &res, &err), -1);
    ck_assert_str_eq(err.message, "update-binary exited with status 7");
    ck_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 7);
    ck_assert(res.wipe_cache);
    ck_assert(res.enable_reboot);
    recovery_log_close(ctx.log);
    ctx.ui->ops->destroy(ctx.ui);
    fclose(screen);
    ck_assert_str_eq(screen_buf, "api 3 package /cache/update.zip\n"
                                 "progress: 50%\n"
                                 "last words\n");
    free(screen_buf);
    const char *log = slurp(logp);
    ck_assert_ptr_nonnull(strstr(log, "update-binary: to stdout\n"));
    ck_assert_ptr_nonnull(strstr(log, "update-binary: to stderr\n"));
    ck_assert_ptr_nonnull(strstr(log, "updater log: a note\n"));
    ck_assert_ptr_nonnull(strstr(log, "ignored: unknown updater command 'bogus command'"));
    ck_assert_ptr_nonnull(strstr(log, "] api 3 package /cache/update.zip\n"));
    remove_tmpdir();
}
END_TEST

START_TEST(reports_a_binary_killed_by_a_signal_or_missing)
{
    make_tmpdir();
    char bin[128];
    snprintf(bin, sizeof bin, "%s/update-binary", tmpdir);
    write_file(bin, "#!/bin/sh\nkill -SEGV $$\n", 0755);
    char *screen_buf = NULL;
    size_t screen_len = 0;
    FILE *screen = open_memstream(&screen_buf, &screen_len);
    recovery_ui_text_opts o = { .out = screen };
    ota_error err;
    recovery_ctx ctx = { 0 };
    ctx.ui = recovery_ui_text_new(&o, &err);
    recovery_updater_result res;
    ck_assert_int_eq(recovery_run_updater(&ctx, bin, "/x.zip", &res, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "update-binary was killed by signal 11"));
    snprintf(bin, sizeof bin, "%s/absent", tmpdir);
    ck_assert_int_eq(recovery_run_updater(&ctx, bin, "/x.zip", &res, &err), -1);
    ck_assert_msg(strstr(err.message, "cannot run") && strstr(err.message, "absent") &&
                  strstr(err.message, "No such file"), "%s", err.message);
    ctx.ui->ops->destroy(ctx.ui);
    fclose(screen);
    free(screen_buf);
    remove_tmpdir();
}
END_TEST

START_TEST(rotates_and_saves_logs)
{
    make_tmpdir();
    char dir[128], path[192], src[128];
    snprintf(dir, sizeof dir, "%s/cache/recovery", tmpdir);
    snprintf(src, sizeof src, "%s/run.log", tmpdir);
    ota_error err;
    /* 12 runs: the oldest fall off after last_log.9. */
    for (int run = 1; run <= 12; run++) {
        char text[32];
        snprintf(text, sizeof text, "run %d\n", run);
        write_file(src, text, 0644);
        ck_assert_int_eq(recovery_logs_rotate(dir, &err), 0);
        ck_assert_int_eq(recovery_logs_save(dir, src, &err), 0);
    }
    snprintf(path, sizeof path, "%s/last_log", dir);
    ck_assert_str_eq(slurp(path), "run 12\n");
    snprintf(path, sizeof path, "%s/last_log.1", dir);
    ck_assert_str_eq(slurp(path), "run 11\n");
    snprintf(path, sizeof path, "%s/last_log.9", dir);
    ck_assert_str_eq(slurp(path), "run 3\n");
    snprintf(path, sizeof path, "%s/last_log.10", dir);
    ck_assert_int_eq(access(path, F_OK), -1);

    ck_assert_int_eq(recovery_logs_write_last_install(dir, "/cache/u.zip", 1, &err), 0);
    snprintf(path, sizeof path, "%s/last_install", dir);
    ck_assert_str_eq(slurp(path), "/cache/u.zip\n1\n");

    /* Stash, wipe the folder, restore: the last_* files come back. */
    recovery_log_stash stash;
    ck_assert_int_eq(recovery_logs_stash(dir, &stash, &err), 0);
    ck_assert_uint_eq(stash.count, 11); /* last_log, .1-.9, last_install */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(recovery_logs_restore(dir, &stash, &err), 0);
    recovery_logs_stash_free(&stash);
    ck_assert_str_eq(slurp(path), "/cache/u.zip\n1\n");
    snprintf(path, sizeof path, "%s/last_log.4", dir);
    ck_assert_str_eq(slurp(path), "run 8\n");
    remove_tmpdir();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery pipe");
    TCase *tc = tcase_create("pipe");
    tcase_add_test(tc, parses_every_command);
    tcase_add_test(tc, refuses_malformed_commands);
    tcase_add_test(tc, random_lines_are_rejected_or_parsed);
    tcase_add_test(tc, runs_an_update_binary_and_acts_on_its_commands);
    tcase_add_test(tc, reports_a_binary_killed_by_a_signal_or_missing);
    tcase_add_test(tc, rotates_and_saves_logs);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
