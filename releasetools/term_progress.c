#include "releasetools/term_progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void rt_term_progress_init(rt_term_progress *tp, const char *program)
{
    memset(tp, 0, sizeof *tp);
    tp->program = program;
    tp->enabled = isatty(STDERR_FILENO);
    tp->last_percent = -1;
}

void rt_term_progress_report(rt_term_progress *tp, const char *phase, uint64_t done,
                             uint64_t total)
{
    if (!tp->enabled)
        return;
    int percent = total ? (int)(done * 100 / total) : 100;
    if (strcmp(tp->phase, phase) != 0) {
        if (tp->phase[0])
            fputc('\n', stderr);
        snprintf(tp->phase, sizeof tp->phase, "%s", phase);
        tp->last_percent = -1;
    }
    if (percent == tp->last_percent)
        return;
    tp->last_percent = percent;
    fprintf(stderr, "\r%s: %s %3d%%", tp->program, phase, percent);
    fflush(stderr);
}

void rt_term_progress_end(rt_term_progress *tp)
{
    if (tp->enabled && tp->phase[0])
        fputc('\n', stderr);
    tp->phase[0] = '\0';
}

static void progress_fn(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    rt_term_progress_report(ctx, phase, done, total);
}

static void warn_fn(void *ctx, const char *message)
{
    rt_term_progress *tp = ctx;
    rt_term_progress_end(tp); /* not in the middle of a progress line */
    fprintf(stderr, "%s: warning: %s\n", tp->program, message);
}

rt_progress rt_term_progress_sink(rt_term_progress *tp)
{
    return (rt_progress){progress_fn, tp};
}

rt_warn rt_term_warn_sink(rt_term_progress *tp)
{
    return (rt_warn){warn_fn, tp};
}
