/* The command pipe from the update-binary to recovery: one command a line,
 *   progress FRAC SECS | set_progress FRAC | ui_print [TEXT] | wipe_cache |
 *   clear_display | enable_reboot | log TEXT
 * (Android's protocol).  Parsing is separate from acting so it can be
 * tested on its own. */
#ifndef RECOVERY_UPDATER_PIPE_H
#define RECOVERY_UPDATER_PIPE_H

#include "otautil/error.h"

typedef enum recovery_pipe_kind {
    RECOVERY_PIPE_PROGRESS,
    RECOVERY_PIPE_SET_PROGRESS,
    RECOVERY_PIPE_UI_PRINT,
    RECOVERY_PIPE_WIPE_CACHE,
    RECOVERY_PIPE_CLEAR_DISPLAY,
    RECOVERY_PIPE_ENABLE_REBOOT,
    RECOVERY_PIPE_LOG,
} recovery_pipe_kind;

typedef struct recovery_pipe_cmd {
    recovery_pipe_kind kind;
    double fraction; /* progress, set_progress */
    double seconds;  /* progress */
    const char *text; /* ui_print, log: the rest of the line ("" if none) */
} recovery_pipe_cmd;

/* Parses one line (without its newline).  text points into line.  -1 with
 * err naming the line for an unknown command or bad numbers. */
int recovery_pipe_parse(const char *line, recovery_pipe_cmd *cmd, ota_error *err);

#endif
