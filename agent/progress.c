#include "agent/progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "otautil/json.h"

static int put(ota_buf *out, const char *s, ota_error *err)
{
    return ota_buf_append(out, s, strlen(s), err);
}

static int json_progress(agent_state state, uint64_t done, uint64_t total, ota_buf *out,
                         ota_error *err)
{
    ota_json j;
    ota_json_init_compact(&j, out);
    ota_json_object_begin(&j, NULL);
    ota_json_string(&j, "event", "progress");
    ota_json_string(&j, "state", agent_state_name(state));
    ota_json_uint(&j, "bytes_done", done);
    ota_json_uint(&j, "bytes_total", total);
    ota_json_object_end(&j);
    return ota_json_finish(&j, err);
}

static double mib(uint64_t n)
{
    return (double)n / (1024.0 * 1024.0);
}

int agent_progress_render(agent_progress_view *v, agent_state state, uint64_t done,
                          uint64_t total, ota_buf *out, ota_error *err)
{
    int changed = state != v->state;
    v->state = state;
    /* (shown_tenth holds the last percent shown in JSON) */
    int pct = total ? (int)(done * 100 / total) : 0;
    char line[256];
    switch (v->style) {
    case AGENT_PROGRESS_JSON:
        /* one line a percent, not one a block received */
        if (!changed && total && pct == v->shown_tenth && done != total)
            return 0;
        v->shown_tenth = pct;
        return json_progress(state, done, total, out, err);
    case AGENT_PROGRESS_LINES:
        if (changed)
            v->shown_tenth = -1;
        if (!total) {
            if (!changed)
                return 0;
            snprintf(line, sizeof line, "%s\n", agent_state_name(state));
        } else {
            if (pct / 10 == v->shown_tenth)
                return 0;
            v->shown_tenth = pct / 10;
            snprintf(line, sizeof line, "%s: %d%% (%.1f of %.1f MiB)\n", agent_state_name(state),
                     pct, mib(done), mib(total));
        }
        return put(out, line, err);
    case AGENT_PROGRESS_BAR: {
        if (changed && v->bar_open && put(out, "\n", err) < 0)
            return -1;
        int width = v->width > 10 ? v->width : 30, filled = total ? pct * width / 100 : 0;
        char bar[128];
        if (width > (int)sizeof bar - 1)
            width = (int)sizeof bar - 1;
        for (int i = 0; i < width; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        if (total)
            snprintf(line, sizeof line, "\r%-12s [%s] %3d%% %.1f/%.1f MiB",
                     agent_state_name(state), bar, pct, mib(done), mib(total));
        else
            snprintf(line, sizeof line, "\r%-12s", agent_state_name(state));
        v->bar_open = 1;
        return put(out, line, err);
    }
    }
    return 0;
}

int agent_progress_message(agent_progress_view *v, const char *line, ota_buf *out,
                           ota_error *err)
{
    if (v->style == AGENT_PROGRESS_JSON) {
        ota_json j;
        ota_json_init_compact(&j, out);
        ota_json_object_begin(&j, NULL);
        ota_json_string(&j, "event", "message");
        ota_json_string(&j, "message", line);
        ota_json_object_end(&j);
        return ota_json_finish(&j, err);
    }
    if (v->bar_open) {
        v->bar_open = 0;
        v->state = (agent_state)-1;
        if (put(out, "\n", err) < 0)
            return -1;
    }
    return put(out, "ota_agent: ", err) < 0 || put(out, line, err) < 0 || put(out, "\n", err) < 0
               ? -1
               : 0;
}
