#include "recovery/progress.h"

#include <math.h>

static double clamp01(double v)
{
    if (!(v >= 0.0)) /* also catches NaN */
        return 0.0;
    return v > 1.0 ? 1.0 : v;
}

void recovery_progress_reset(recovery_progress *p)
{
    p->start = p->size = p->fraction = p->seconds = p->began = 0.0;
}

void recovery_progress_segment(recovery_progress *p, double frac, double secs, double now)
{
    p->start = clamp01(p->start + p->size);
    p->size = clamp01(frac);
    if (p->start + p->size > 1.0)
        p->size = 1.0 - p->start;
    p->fraction = 0.0;
    p->seconds = secs > 0.0 && isfinite(secs) ? secs : 0.0;
    p->began = now;
}

void recovery_progress_set(recovery_progress *p, double frac)
{
    p->fraction = clamp01(frac);
}

double recovery_progress_value(const recovery_progress *p, double now)
{
    double done = p->fraction;
    if (p->seconds > 0.0) {
        double by_time = (now - p->began) / p->seconds;
        if (by_time > done)
            done = by_time;
    }
    return clamp01(p->start + p->size * clamp01(done));
}
