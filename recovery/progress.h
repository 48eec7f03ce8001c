/* The progress bar's arithmetic, with Android's semantics for the updater's
 * commands:
 *   progress FRAC SECS  the next FRAC of the bar is a new segment; when SECS
 *                       > 0 the bar moves through it over SECS seconds by
 *                       itself, unless set_progress moves it further;
 *   set_progress FRAC   FRAC (0..1) of the current segment is done.
 * Time is passed in (seconds, any monotonic origin) so the model is pure. */
#ifndef RECOVERY_PROGRESS_H
#define RECOVERY_PROGRESS_H

typedef struct recovery_progress {
    double start;     /* where the current segment starts, 0..1 */
    double size;      /* its share of the bar */
    double fraction;  /* done within the segment, 0..1 */
    double seconds;   /* time to fill the segment by itself; 0: no motion */
    double began;     /* when the segment began */
} recovery_progress;

void recovery_progress_reset(recovery_progress *p);
void recovery_progress_segment(recovery_progress *p, double frac, double secs, double now);
void recovery_progress_set(recovery_progress *p, double frac);
/* The bar's fill at time now, 0..1. */
double recovery_progress_value(const recovery_progress *p, double now);

#endif
