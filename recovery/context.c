#include "recovery/context.h"

#include <stdarg.h>
#include <stdio.h>

void recovery_say(recovery_ctx *ctx, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (ctx->ui)
        ctx->ui->ops->print(ctx->ui, buf);
    recovery_log_text(ctx->log, NULL, buf);
}
