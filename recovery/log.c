#include "recovery/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct recovery_log {
    FILE *file;
    char *path;
    struct timespec start;
    int failed;
};

recovery_log *recovery_log_open(const char *path, ota_error *err)
{
    recovery_log *log = calloc(1, sizeof *log);
    if (!log || !(log->path = strdup(path))) {
        free(log);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory opening the log");
        return NULL;
    }
    /* A fresh file: whatever was left at path (a planted symlink, say) is
     * removed, not written through. */
    int fd = -1;
    for (int attempt = 0; attempt < 3 && fd < 0; attempt++) {
        if (unlink(path) < 0 && errno != ENOENT)
            break;
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    log->file = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!log->file) {
        if (fd >= 0)
            close(fd);
        ota_error_errno(err, "cannot create the log %s", path);
        free(log->path);
        free(log);
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &log->start);
    return log;
}

const char *recovery_log_path(const recovery_log *log)
{
    return log->path;
}

static double elapsed(const recovery_log *log)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - log->start.tv_sec) +
           (double)(now.tv_nsec - log->start.tv_nsec) / 1e9;
}

void recovery_log_text(recovery_log *log, const char *prefix, const char *text)
{
    if (!log)
        return;
    double t = elapsed(log);
    const char *p = text;
    do {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        if (fprintf(log->file, "[%10.6f] %s%.*s\n", t, prefix ? prefix : "", n, p) < 0)
            log->failed = 1;
        p = nl ? nl + 1 : NULL;
    } while (p && *p);
    if (fflush(log->file) != 0)
        log->failed = 1;
}

void recovery_log_printf(recovery_log *log, const char *fmt, ...)
{
    if (!log)
        return;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    recovery_log_text(log, NULL, buf);
}

void recovery_log_sync(recovery_log *log)
{
    if (!log)
        return;
    if (fflush(log->file) != 0 || fsync(fileno(log->file)) != 0)
        log->failed = 1;
}

int recovery_log_failed(const recovery_log *log)
{
    return log ? log->failed : 1;
}

void recovery_log_close(recovery_log *log)
{
    if (!log)
        return;
    fclose(log->file);
    free(log->path);
    free(log);
}
