/* How progress is shown while the agent runs: a bar redrawn in place on a
 * terminal, a plain line at every tenth otherwise, or one JSON object a
 * line (--json) for programs. */
#ifndef AGENT_PROGRESS_H
#define AGENT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "agent/status.h"
#include "otautil/error.h"
#include "otautil/sink.h"

typedef enum agent_progress_style {
    AGENT_PROGRESS_BAR,
    AGENT_PROGRESS_LINES,
    AGENT_PROGRESS_JSON,
} agent_progress_style;

typedef struct agent_progress_view {
    agent_progress_style style;
    int width;               /* of the bar */
    agent_state state;       /* last shown */
    int shown_tenth;         /* LINES: last tenth printed */
    int bar_open;            /* BAR: a line is being redrawn */
} agent_progress_view;

/* Appends to out what to print for this update (maybe nothing): a JSON
 * line, a plain line, or "\r" + the bar. */
int agent_progress_render(agent_progress_view *v, agent_state state, uint64_t done,
                          uint64_t total, ota_buf *out, ota_error *err);
/* A message line in the view's style (JSON: {"event":"message",...}); a
 * bar being drawn is ended first. */
int agent_progress_message(agent_progress_view *v, const char *line, ota_buf *out,
                           ota_error *err);

#endif
