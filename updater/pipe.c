/* The command pipe to recovery: one command a line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"
#include "updater/updater.h"

int updater_format_ui_print(const char *text, size_t len, ota_buf *out, ota_error *err)
{
    static const char head[] = "ui_print ";
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        /* Empty lines would read as the end-of-message marker; skip them
         * like Android's strtok-based splitting did. */
        if (end > start) {
            if (ota_buf_append(out, head, sizeof head - 1, err) < 0)
                return -1;
            /* A NUL or CR inside a line would cut or garble the command. */
            for (size_t i = start; i < end; i++) {
                char c = text[i] == '\0' || text[i] == '\r' ? ' ' : text[i];
                if (ota_buf_append(out, &c, 1, err) < 0)
                    return -1;
            }
            if (ota_buf_append(out, "\n", 1, err) < 0)
                return -1;
        }
        start = end + 1;
    }
    return ota_buf_append(out, "ui_print\n", 9, err);
}

int updater_format_progress(double frac, int seconds, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "progress %f %d\n", frac, seconds);
    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int updater_format_set_progress(double frac, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "set_progress %f\n", frac);
    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static void send_bytes(updater_ctx *ctx, const void *data, size_t len)
{
    if (ctx->pipe_broken)
        return;
    ota_error err;
    if (ota_write_all(ctx->pipe_fd, data, len, &err) < 0) {
        /* Recovery went away: keep installing, say so once on stderr. */
        ctx->pipe_broken = 1;
        updater_log(ctx, "updater: command pipe (fd %d) closed: %s; continuing", ctx->pipe_fd,
                    err.message);
    }
}

void updater_send(updater_ctx *ctx, const char *line)
{
    send_bytes(ctx, line, strlen(line));
}

void updater_ui_print(updater_ctx *ctx, const char *text, size_t len)
{
    ota_buf buf = {0};
    ota_error err;
    if (updater_format_ui_print(text, len, &buf, &err) == 0)
        send_bytes(ctx, buf.data, buf.len);
    ota_buf_free(&buf);
    if (!ctx->log)
        return;
    fwrite(text, 1, len, ctx->log);
    if (len == 0 || text[len - 1] != '\n')
        fputc('\n', ctx->log);
    fflush(ctx->log);
}

void updater_ui_printf(updater_ctx *ctx, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    updater_ui_print(ctx, line, len);
}

void updater_log(updater_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ctx->log, fmt, ap);
    va_end(ap);
    fputc('\n', ctx->log);
    fflush(ctx->log);
}
