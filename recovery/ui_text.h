/* The text UI: recovery's screen on a console.
 *
 * On a terminal (ansi = 1) the whole screen is redrawn in place with ANSI
 * escapes whenever something visible changes: the title, the status line,
 * the last lines of text that fit, and the progress bar.  When the output
 * is not a terminal (a serial log, a file, a pipe) everything is printed as
 * plain lines in order: text lines as they come, status changes, and the
 * progress at every tenth of the bar, so the output reads as a log. */
#ifndef RECOVERY_UI_TEXT_H
#define RECOVERY_UI_TEXT_H

#include <stdio.h>

#include "otautil/error.h"
#include "recovery/ui.h"

typedef struct recovery_ui_text_opts {
    FILE *out;              /* where to draw (not closed by destroy) */
    int ansi;               /* redraw in place with ANSI escapes */
    int columns, rows;      /* screen size; <= 0: 80 x 24 */
    double (*clock)(void);  /* monotonic seconds; NULL: CLOCK_MONOTONIC */
} recovery_ui_text_opts;

recovery_ui *recovery_ui_text_new(const recovery_ui_text_opts *opts, ota_error *err);

#endif
