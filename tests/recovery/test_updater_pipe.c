/* The updater's command pipe as recovery reads it
 * (recovery/updater_pipe.h): every command, malformed ones refused, random
 * lines never crash. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recovery/updater_pipe.h"
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

int main(void)
{
    Suite *s = suite_create("recovery updater pipe");
    TCase *tc = tcase_create("updater_pipe");
    tcase_add_test(tc, parses_every_command);
    tcase_add_test(tc, refuses_malformed_commands);
    tcase_add_test(tc, random_lines_are_rejected_or_parsed);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
