/* Progress of long work, reported to the program (libraries never print):
 * `phase` names the step ("hashing", "diffing"); done/total are in the
 * step's own units (bytes, files).  Called from one thread at a time. */
#ifndef RELEASETOOLS_PROGRESS_H
#define RELEASETOOLS_PROGRESS_H

#include <stdint.h>

typedef void (*rt_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

typedef struct rt_progress {
    rt_progress_fn fn;  /* NULL: nobody listens */
    void *ctx;
} rt_progress;

static inline void rt_progress_report(const rt_progress *p, const char *phase, uint64_t done,
                                      uint64_t total)
{
    if (p && p->fn)
        p->fn(p->ctx, phase, done, total);
}

#endif
