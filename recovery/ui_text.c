#include "recovery/ui_text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recovery/progress.h"

/* How many lines of text are kept for redrawing; more than any screen. */
#define KEPT_LINES 128
#define LINE_MAX_CHARS 512

typedef struct text_ui {
    recovery_ui base;
    FILE *out;
    int ansi;
    int columns, rows;
    double (*clock)(void);
    char *title;
    recovery_ui_status status;
    char *lines[KEPT_LINES]; /* ring buffer */
    int first, count;
    recovery_progress progress;
    int bar_shown;
    int drawn_percent;       /* bar value last drawn (ANSI), -1: none */
    int printed_tenth;       /* last tenth of the bar printed (plain) */
} text_ui;

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes s cut to width characters, control characters replaced so that
 * text from a package cannot move the cursor or change the terminal. */
static void put_clean(FILE *out, const char *s, int width)
{
    for (int i = 0; s[i] && (width < 0 || i < width); i++) {
        unsigned char c = (unsigned char)s[i];
        fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
}

static int bar_permille(const text_ui *ui)
{
    return (int)(recovery_progress_value(&ui->progress, ui->clock()) * 1000.0 + 0.5);
}

/* The bar is drawn at percent resolution: finer steps would only cost
 * redraws, which a slow serial console feels. */
static int bar_percent(const text_ui *ui)
{
    return bar_permille(ui) / 10;
}

static void draw_bar(const text_ui *ui, int percent)
{
    int inner = ui->columns - 8; /* "[" ... "] 100%" */
    if (inner < 10)
        inner = 10;
    int filled = percent * inner / 100;
    fputc('[', ui->out);
    for (int i = 0; i < inner; i++)
        fputc(i < filled ? '#' : '-', ui->out);
    fprintf(ui->out, "] %3d%%", percent);
}

/* The whole screen, in place. */
static void redraw(text_ui *ui)
{
    FILE *out = ui->out;
    int percent = bar_percent(ui);
    fputs("\033[H\033[2J", out);
    put_clean(out, ui->title ? ui->title : "", ui->columns);
    fputc('\n', out);
    put_clean(out, recovery_ui_status_name(ui->status), ui->columns);
    fputc('\n', out);
    for (int i = 0; i < ui->columns; i++)
        fputc('-', out);
    fputc('\n', out);
    /* title, status, rule above; a blank line and the bar below. */
    int room = ui->rows - 5;
    if (room < 1)
        room = 1;
    int shown = ui->count < room ? ui->count : room;
    for (int i = ui->count - shown; i < ui->count; i++) {
        put_clean(out, ui->lines[(ui->first + i) % KEPT_LINES], ui->columns);
        fputc('\n', out);
    }
    for (int i = shown; i < room; i++)
        fputc('\n', out);
    fputc('\n', out);
    if (ui->bar_shown)
        draw_bar(ui, percent);
    fflush(out);
    ui->drawn_percent = ui->bar_shown ? percent : -1;
}

/* Only the bar's line (the last row), when nothing else changed. */
static void redraw_bar(text_ui *ui)
{
    int percent = bar_percent(ui);
    if (ui->drawn_percent < 0) {
        redraw(ui); /* the bar has not been drawn yet: lay out everything */
        return;
    }
    if (percent == ui->drawn_percent)
        return;
    fprintf(ui->out, "\033[%d;1H", ui->rows);
    draw_bar(ui, percent);
    fputs("\033[K", ui->out);
    fflush(ui->out);
    ui->drawn_percent = percent;
}

/* Plain output: a line per tenth of the bar reached. */
static void print_progress_steps(text_ui *ui)
{
    if (!ui->bar_shown)
        return;
    int tenth = bar_permille(ui) / 100;
    if (tenth > ui->printed_tenth) {
        ui->printed_tenth = tenth;
        fprintf(ui->out, "progress: %d%%\n", tenth * 10);
        fflush(ui->out);
    }
}

static void progress_changed(text_ui *ui)
{
    if (ui->ansi)
        redraw_bar(ui);
    else
        print_progress_steps(ui);
}

static void set_title(recovery_ui *base, const char *title)
{
    text_ui *ui = (text_ui *)base;
    char *copy = strdup(title);
    if (!copy)
        return; /* the old title stays; nothing else depends on it */
    free(ui->title);
    ui->title = copy;
    if (ui->ansi) {
        redraw(ui);
    } else {
        put_clean(ui->out, title, -1);
        fputc('\n', ui->out);
        fflush(ui->out);
    }
}

static void set_status(recovery_ui *base, recovery_ui_status status)
{
    text_ui *ui = (text_ui *)base;
    if (ui->status == status)
        return;
    ui->status = status;
    if (ui->ansi) {
        redraw(ui);
    } else if (status != RECOVERY_UI_NONE) {
        fprintf(ui->out, "-- %s\n", recovery_ui_status_name(status));
        fflush(ui->out);
    }
}

static void keep_line(text_ui *ui, const char *s, size_t n)
{
    if (n > LINE_MAX_CHARS)
        n = LINE_MAX_CHARS;
    char *copy = strndup(s, n);
    if (!copy)
        return;
    if (ui->count == KEPT_LINES) {
        free(ui->lines[ui->first]);
        ui->lines[ui->first] = copy;
        ui->first = (ui->first + 1) % KEPT_LINES;
    } else {
        ui->lines[(ui->first + ui->count) % KEPT_LINES] = copy;
        ui->count++;
    }
}

static void print_line(recovery_ui *base, const char *line)
{
    text_ui *ui = (text_ui *)base;
    /* Text with newlines is several lines. */
    const char *p = line;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        keep_line(ui, p, n);
        if (!ui->ansi) {
            char *part = strndup(p, n);
            if (part) {
                put_clean(ui->out, part, -1);
                free(part);
            }
            fputc('\n', ui->out);
        }
        if (!nl || !nl[1])
            break;
        p = nl + 1;
    }
    if (ui->ansi)
        redraw(ui);
    else
        fflush(ui->out);
}

static void clear_text(recovery_ui *base)
{
    text_ui *ui = (text_ui *)base;
    for (int i = 0; i < ui->count; i++)
        free(ui->lines[(ui->first + i) % KEPT_LINES]);
    ui->first = ui->count = 0;
    if (ui->ansi)
        redraw(ui);
}

static void progress_segment(recovery_ui *base, double frac, double secs)
{
    text_ui *ui = (text_ui *)base;
    recovery_progress_segment(&ui->progress, frac, secs, ui->clock());
    ui->bar_shown = 1;
    progress_changed(ui);
}

static void progress_set(recovery_ui *base, double frac)
{
    text_ui *ui = (text_ui *)base;
    recovery_progress_set(&ui->progress, frac);
    ui->bar_shown = 1;
    progress_changed(ui);
}

static void progress_reset(recovery_ui *base)
{
    text_ui *ui = (text_ui *)base;
    recovery_progress_reset(&ui->progress);
    ui->bar_shown = 0;
    ui->printed_tenth = 0;
    if (ui->ansi)
        redraw(ui);
}

static void tick(recovery_ui *base)
{
    text_ui *ui = (text_ui *)base;
    if (!ui->bar_shown)
        return;
    progress_changed(ui);
}

static void set_enable_reboot(recovery_ui *base, int enabled)
{
    /* A console has no reboot key to enable; the log records the command. */
    (void)base;
    (void)enabled;
}

static void destroy(recovery_ui *base)
{
    text_ui *ui = (text_ui *)base;
    if (!ui)
        return;
    if (ui->ansi) {
        fputc('\n', ui->out);
        fflush(ui->out);
    }
    for (int i = 0; i < ui->count; i++)
        free(ui->lines[(ui->first + i) % KEPT_LINES]);
    free(ui->title);
    free(ui);
}

static const recovery_ui_ops text_ops = {
    .set_title = set_title,
    .set_status = set_status,
    .print = print_line,
    .clear_text = clear_text,
    .progress_segment = progress_segment,
    .progress_set = progress_set,
    .progress_reset = progress_reset,
    .tick = tick,
    .set_enable_reboot = set_enable_reboot,
    .destroy = destroy,
};

recovery_ui *recovery_ui_text_new(const recovery_ui_text_opts *opts, ota_error *err)
{
    if (!opts || !opts->out) {
        ota_error_set(err, OTA_ERR_ARGS, "text UI needs an output stream");
        return NULL;
    }
    text_ui *ui = calloc(1, sizeof *ui);
    if (!ui) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the text UI");
        return NULL;
    }
    ui->base.ops = &text_ops;
    ui->out = opts->out;
    ui->ansi = opts->ansi;
    ui->columns = opts->columns > 0 ? opts->columns : 80;
    ui->rows = opts->rows > 0 ? opts->rows : 24;
    ui->clock = opts->clock ? opts->clock : monotonic_seconds;
    ui->drawn_percent = -1;
    recovery_progress_reset(&ui->progress);
    return &ui->base;
}
