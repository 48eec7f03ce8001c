#include "otautil/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void ota_error_clear(ota_error *err)
{
    if (err) {
        err->code = OTA_OK;
        err->message[0] = '\0';
    }
}

int ota_error_vset(ota_error *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return -1;
}

int ota_error_set(ota_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ota_error_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int ota_error_code_from_errno(int errnum)
{
    switch (errnum) {
    case ENOSPC:
    case EDQUOT:
        return OTA_ERR_NOSPACE;
    case ENOENT:
        return OTA_ERR_NOTFOUND;
    case ENOMEM:
        return OTA_ERR_NOMEM;
    default:
        return OTA_ERR_IO;
    }
}

int ota_error_verrno(ota_error *err, const char *fmt, va_list ap)
{
    int saved = errno;
    if (!err)
        return -1;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof err->message - used, ": %s", strerror(saved));
    err->code = ota_error_code_from_errno(saved);
    errno = saved;
    return -1;
}

int ota_error_errno(ota_error *err, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    errno = saved;
    ota_error_verrno(err, fmt, ap);
    va_end(ap);
    errno = saved;
    return -1;
}

void ota_error_prefix(ota_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char head[OTA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    /* Truncation is acceptable: the head of a message matters most. */
    char old[OTA_ERROR_MAX];
    memcpy(old, err->message, sizeof old);
    size_t used = strlen(head);
    memcpy(err->message, head, used + 1);
    if (used + 2 < sizeof err->message) {
        memcpy(err->message + used, ": ", 3);
        used += 2;
        size_t room = sizeof err->message - used - 1;
        size_t n = strnlen(old, room);
        memcpy(err->message + used, old, n);
        err->message[used + n] = '\0';
    }
}

const char *ota_error_code_name(int code)
{
    static const char *const names[] = {
        "ok", "I/O error", "bad format", "verification failed", "bad arguments",
        "out of memory", "no space", "not found", "unsupported", "aborted",
        "limit exceeded",
    };
    if (code < 0 || (size_t)code >= sizeof names / sizeof names[0])
        return "unknown error";
    return names[code];
}
