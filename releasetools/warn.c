#include "releasetools/warn.h"

#include <stdarg.h>
#include <stdio.h>

void rt_warnf(const rt_warn *w, const char *fmt, ...)
{
    if (!w || !w->fn)
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    w->fn(w->ctx, message);
}
