/* The release tools' progress and warnings on the user's terminal: one
 * line per phase ("ota_from_target_files: writing  42%"), rewritten in
 * place, only when stderr is a terminal; warnings always, each on a line
 * of its own.  The printing end of rt_progress and rt_warn, for the
 * programs. */
#ifndef RELEASETOOLS_TERM_PROGRESS_H
#define RELEASETOOLS_TERM_PROGRESS_H

#include "releasetools/progress.h"
#include "releasetools/warn.h"

typedef struct rt_term_progress {
    const char *program;
    int enabled;          /* stderr is a terminal */
    char phase[32];       /* the phase on the current line */
    int last_percent;
} rt_term_progress;

void rt_term_progress_init(rt_term_progress *tp, const char *program);
/* The rt_progress and rt_warn that print through tp. */
rt_progress rt_term_progress_sink(rt_term_progress *tp);
rt_warn rt_term_warn_sink(rt_term_progress *tp);
/* Reports directly (the programs' own phases, such as "signing"). */
void rt_term_progress_report(rt_term_progress *tp, const char *phase, uint64_t done,
                             uint64_t total);
/* Ends the current progress line. */
void rt_term_progress_end(rt_term_progress *tp);

#endif
