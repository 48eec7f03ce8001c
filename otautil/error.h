/* Errors as values: a code and a message, filled in by the library that
 * failed and printed only by the program at the top.  Every library function
 * that can fail takes an `ota_error *` (which may be NULL when the caller does
 * not care) and returns a negative value or NULL on failure. */
#ifndef OTAUTIL_ERROR_H
#define OTAUTIL_ERROR_H

#include <stdarg.h>

enum ota_error_code {
    OTA_OK = 0,
    OTA_ERR_IO,          /* open/read/write/fsync/mount failed (see errno text) */
    OTA_ERR_FORMAT,      /* input is malformed: bad magic, truncated, overflow */
    OTA_ERR_VERIFY,      /* signature, digest or SHA-1 check failed */
    OTA_ERR_ARGS,        /* a caller passed bad arguments */
    OTA_ERR_NOMEM,       /* allocation failed */
    OTA_ERR_NOSPACE,     /* not enough free space for the operation */
    OTA_ERR_NOTFOUND,    /* a file, entry, key or partition is missing */
    OTA_ERR_UNSUPPORTED, /* valid input that this build does not handle */
    OTA_ERR_ABORTED,     /* a script called abort() or an assert failed */
    OTA_ERR_LIMIT,       /* a limit (depth, size) was exceeded */
};

#define OTA_ERROR_MAX 1024

typedef struct ota_error {
    int code;                    /* enum ota_error_code; OTA_OK when clear */
    char message[OTA_ERROR_MAX]; /* one line, names what was wrong */
} ota_error;

void ota_error_clear(ota_error *err);

/* Sets code and message; returns -1 so callers can `return ota_error_set(...)`.
 * err may be NULL. */
int ota_error_set(ota_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ota_error_vset(ota_error *err, int code, const char *fmt, va_list ap);

/* Like ota_error_set, appending ": strerror(errno)" (errno read on entry). */
int ota_error_errno(ota_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ota_error_verrno(ota_error *err, const char *fmt, va_list ap);
/* The code ota_error_errno gives for an errno value (ENOSPC and EDQUOT ->
 * OTA_ERR_NOSPACE, ENOENT -> OTA_ERR_NOTFOUND, ENOMEM -> OTA_ERR_NOMEM,
 * anything else OTA_ERR_IO). */
int ota_error_code_from_errno(int errnum);

/* Prepends context ("while doing X: <old message>"), keeping the code. */
void ota_error_prefix(ota_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *ota_error_code_name(int code);

#endif
