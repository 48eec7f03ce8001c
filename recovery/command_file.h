/* /cache/recovery/command: the framework's way to hand recovery its
 * arguments, one per line.  The file stays until the command has been
 * carried out, so a run that is interrupted finds it again. */
#ifndef RECOVERY_COMMAND_FILE_H
#define RECOVERY_COMMAND_FILE_H

#include <stddef.h>

#include "otautil/error.h"

#define RECOVERY_COMMAND_FILE "/cache/recovery/command"

/* A list of malloc'd argument strings. */
typedef struct recovery_argv {
    char **argv;
    int argc;
} recovery_argv;

/* Splits text into one argument per line; trailing '\r' and spaces are
 * removed, empty lines skipped.  Refuses NUL bytes and more than max
 * arguments. */
int recovery_argv_from_lines(recovery_argv *out, const char *text, size_t len, int max,
                             const char *what, ota_error *err);
void recovery_argv_free(recovery_argv *argv);

/* Reads the command file at path (resolved by the caller) into out: 0,
 * with out empty when there is no file; -1 on error. */
int recovery_command_file_read(const char *path, recovery_argv *out, ota_error *err);

#endif
