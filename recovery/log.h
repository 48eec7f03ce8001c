/* The log of this run.  Recovery writes it to /tmp/recovery.log (under
 * RECOVERY_ROOT) as it goes, each line stamped with the seconds since start;
 * log_files.h copies it to /cache/recovery/last_log at checkpoints, so a run
 * cut short by a power loss leaves its log behind as far as it got. */
#ifndef RECOVERY_LOG_H
#define RECOVERY_LOG_H

#include "otautil/error.h"

#define RECOVERY_TMP_LOG "/tmp/recovery.log"

typedef struct recovery_log recovery_log;

/* Creates (truncates) the log at path, used as given. */
recovery_log *recovery_log_open(const char *path, ota_error *err);
const char *recovery_log_path(const recovery_log *log);

/* One line (a trailing newline is added when missing; embedded newlines
 * make several stamped lines).  A failing write is remembered, not fatal:
 * the install matters more than its log. */
void recovery_log_printf(recovery_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void recovery_log_text(recovery_log *log, const char *prefix, const char *text);
/* Flushes and fsyncs, so a copy taken now is complete. */
void recovery_log_sync(recovery_log *log);
/* Non-zero after a write failed. */
int recovery_log_failed(const recovery_log *log);
void recovery_log_close(recovery_log *log);

#endif
