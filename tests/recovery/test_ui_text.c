/* The text UI (recovery/ui_text.h) drawn into a buffer: as a plain log and
 * as an ANSI screen. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recovery/ui_text.h"
#include "tests/common/testutil.h"

static double fake_now;
static double test_clock(void)
{
    return fake_now;
}

typedef struct screen {
    char *buf;
    size_t len;
    FILE *f;
    recovery_ui *ui;
} screen;

static void open_screen(screen *s, int ansi, int cols, int rows)
{
    s->buf = NULL;
    s->len = 0;
    s->f = open_memstream(&s->buf, &s->len);
    ck_assert_ptr_nonnull(s->f);
    recovery_ui_text_opts o = { .out = s->f, .ansi = ansi, .columns = cols, .rows = rows,
                                .clock = test_clock };
    ota_error err;
    s->ui = recovery_ui_text_new(&o, &err);
    ck_assert_ptr_nonnull(s->ui);
}

static void close_screen(screen *s)
{
    s->ui->ops->destroy(s->ui);
    fclose(s->f);
    free(s->buf);
}

/* The text after the last screen clear: what a terminal shows now. */
static const char *last_frame(screen *s)
{
    fflush(s->f);
    const char *frame = s->buf, *p = s->buf;
    while ((p = strstr(p, "\033[H\033[2J")) != NULL) {
        frame = p + 7;
        p += 7;
    }
    return frame;
}

START_TEST(plain_output_reads_as_a_log)
{
    screen s;
    fake_now = 0;
    open_screen(&s, 0, 0, 0);
    recovery_ui *ui = s.ui;
    ui->ops->set_title(ui, "Recovery");
    ui->ops->set_status(ui, RECOVERY_UI_INSTALLING);
    ui->ops->print(ui, "Installing system...");
    ui->ops->progress_segment(ui, 0.5, 0);
    ui->ops->progress_set(ui, 0.5);
    ui->ops->progress_set(ui, 0.52);
    ui->ops->print(ui, "");
    ui->ops->progress_segment(ui, 0.5, 0);
    ui->ops->progress_set(ui, 1.0);
    fflush(s.f);
    ck_assert_str_eq(s.buf, "Recovery\n"
                            "-- Installing update...\n"
                            "Installing system...\n"
                            "progress: 20%\n" /* half of the first half */
                            "\n"              /* 26%: still the same tenth */
                            "progress: 50%\n" /* the second segment starts */
                            "progress: 100%\n");
    close_screen(&s);
}
END_TEST

START_TEST(ansi_screen_redraws_in_place)
{
    screen s;
    fake_now = 0;
    open_screen(&s, 1, 30, 8);
    recovery_ui *ui = s.ui;
    ui->ops->set_title(ui, "Recovery");
    ui->ops->progress_segment(ui, 1.0, 0);
    ui->ops->progress_set(ui, 0.5);
    for (int i = 1; i <= 5; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        ui->ops->print(ui, line);
    }
    /* 8 rows: title, status, rule, 3 text lines, blank, bar. */
    ck_assert_str_eq(last_frame(&s), "Recovery\n"
                                     "\n"
                                     "------------------------------\n"
                                     "line 3\nline 4\nline 5\n"
                                     "\n"
                                     "[###########-----------]  50%");
    ui->ops->clear_text(ui);
    ui->ops->set_status(ui, RECOVERY_UI_ERROR);
    ck_assert_str_eq(last_frame(&s), "Recovery\nError!\n------------------------------\n"
                                     "\n\n\n\n[###########-----------]  50%");
    close_screen(&s);
}
END_TEST

START_TEST(ansi_progress_redraws_only_the_bar_line)
{
    screen s;
    fake_now = 0;
    open_screen(&s, 1, 30, 8);
    recovery_ui *ui = s.ui;
    ui->ops->print(ui, "text");
    ui->ops->progress_segment(ui, 1.0, 0); /* first bar: a full frame */
    fflush(s.f);
    size_t before = s.len;
    ui->ops->progress_set(ui, 0.75);
    fflush(s.f);
    ck_assert_str_eq(s.buf + before, "\033[8;1H[################------]  75%\033[K");
    /* A change below one percent draws nothing. */
    before = s.len;
    ui->ops->progress_set(ui, 0.752);
    fflush(s.f);
    ck_assert_uint_eq(s.len, before);
    close_screen(&s);
}
END_TEST

START_TEST(ansi_tick_redraws_only_when_the_bar_moves)
{
    screen s;
    fake_now = 10;
    open_screen(&s, 1, 40, 10);
    recovery_ui *ui = s.ui;
    ui->ops->progress_segment(ui, 1.0, 100);
    fflush(s.f);
    size_t before = s.len;
    ui->ops->tick(ui);
    fflush(s.f);
    ck_assert_uint_eq(s.len, before);
    fake_now = 60;
    ui->ops->tick(ui);
    fflush(s.f);
    ck_assert_ptr_nonnull(strstr(s.buf + before, "]  50%\033[K"));
    close_screen(&s);
}
END_TEST

START_TEST(text_cannot_send_escapes_and_long_lines_are_cut)
{
    screen s;
    fake_now = 0;
    open_screen(&s, 1, 12, 6);
    recovery_ui *ui = s.ui;
    ui->ops->print(ui, "evil\033[2Jtext that is long");
    const char *frame = last_frame(&s);
    ck_assert_ptr_nonnull(strstr(frame, "evil?[2Jtext\n"));
    close_screen(&s);
}
END_TEST

START_TEST(multi_line_text_and_many_lines)
{
    screen s;
    fake_now = 0;
    open_screen(&s, 1, 20, 8);
    recovery_ui *ui = s.ui;
    for (int i = 0; i < 1000; i++)
        ui->ops->print(ui, "filler");
    ui->ops->print(ui, "one\ntwo");
    ck_assert_str_eq(last_frame(&s), "\n\n--------------------\nfiller\none\ntwo\n\n");
    close_screen(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery text ui");
    TCase *tc = tcase_create("ui_text");
    tcase_add_test(tc, plain_output_reads_as_a_log);
    tcase_add_test(tc, ansi_screen_redraws_in_place);
    tcase_add_test(tc, ansi_progress_redraws_only_the_bar_line);
    tcase_add_test(tc, ansi_tick_redraws_only_when_the_bar_moves);
    tcase_add_test(tc, text_cannot_send_escapes_and_long_lines_are_cut);
    tcase_add_test(tc, multi_line_text_and_many_lines);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
