/* The log files recovery leaves in /cache/recovery for the system and the
 * user: last_log (the full log of the latest run; earlier runs rotated to
 * last_log.1 ... last_log.9) and last_install (the package path, then 1 for
 * success or 0 for failure).  Paths here are resolved by the caller. */
#ifndef RECOVERY_LOG_FILES_H
#define RECOVERY_LOG_FILES_H

#include <stddef.h>

#include "otautil/error.h"

#define RECOVERY_LOG_DIR "/cache/recovery"
#define RECOVERY_LAST_LOG "last_log"
#define RECOVERY_LAST_INSTALL "last_install"
#define RECOVERY_KEPT_LOGS 10 /* last_log and last_log.1 .. last_log.9 */

/* Moves last_log.N to last_log.N+1 (the oldest is dropped) and last_log to
 * last_log.1.  Missing files are skipped.  Creates dir if needed. */
int recovery_logs_rotate(const char *dir, ota_error *err);

/* Copies the file log_path to dir/last_log, replacing it atomically (a
 * temporary file, fsync, rename), so last_log is always a whole copy. */
int recovery_logs_save(const char *dir, const char *log_path, ota_error *err);

/* Writes dir/last_install: "PACKAGE\n1\n" or "PACKAGE\n0\n". */
int recovery_logs_write_last_install(const char *dir, const char *package, int success,
                                     ota_error *err);

/* The last_* files, held in memory across a format of the cache. */
typedef struct recovery_log_stash {
    struct stashed_file {
        char *name;
        unsigned char *data;
        size_t len;
    } *files;
    size_t count;
} recovery_log_stash;

/* Reads every regular file in dir whose name starts with "last_" (each at
 * most 16 MiB; larger ones are skipped).  A missing dir gives an empty stash. */
int recovery_logs_stash(const char *dir, recovery_log_stash *stash, ota_error *err);
/* Writes them back (creating dir). */
int recovery_logs_restore(const char *dir, const recovery_log_stash *stash, ota_error *err);
void recovery_logs_stash_free(recovery_log_stash *stash);

/* mkdir -p for an absolute or relative path. */
int recovery_mkdirs(const char *dir, unsigned mode, ota_error *err);

#endif
