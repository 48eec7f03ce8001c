/* Warnings of the releasetools libraries, handed to the program (libraries
 * never print): something the output will carry that the user most likely
 * did not mean (the host's updater in a device package, owners nobody
 * gave), said once while the work goes on. */
#ifndef RELEASETOOLS_WARN_H
#define RELEASETOOLS_WARN_H

typedef void (*rt_warn_fn)(void *ctx, const char *message);

typedef struct rt_warn {
    rt_warn_fn fn; /* NULL: nobody listens */
    void *ctx;
} rt_warn;

/* Formats the message and hands it to w's function, if any. */
void rt_warnf(const rt_warn *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
