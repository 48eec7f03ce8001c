/* Running other programs from recovery (the update-binary, mke2fs): a
 * child with stdin on /dev/null and stdout+stderr on a pipe that recovery
 * reads into its log, optionally keeping one more descriptor open for it
 * (the updater's command pipe).  Every other descriptor recovery holds is
 * close-on-exec. */
#ifndef RECOVERY_PROCESS_H
#define RECOVERY_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

#include "otautil/error.h"
#include "recovery/log.h"

typedef struct recovery_child {
    pid_t pid;
    int output_fd; /* read end of the child's stdout+stderr; -1 once closed */
} recovery_child;

/* Starts argv[0] (a path, or a name looked up in PATH) with argv.
 * keep_fd >= 0 stays open in the child under the same number. */
int recovery_spawn(char *const argv[], int keep_fd, recovery_child *child, ota_error *err);

/* Waits for the child; *status as from waitpid. */
int recovery_wait(recovery_child *child, int *status, ota_error *err);

/* "exited with status N" / "was killed by signal N (NAME)". */
void recovery_describe_status(int status, char *out, size_t outsz);

/* Runs argv to the end, its output into log (each line prefixed with the
 * program's name).  0 when it exited with status 0; otherwise -1 with err
 * naming the program and how it ended. */
int recovery_run(char *const argv[], recovery_log *log, ota_error *err);

/* Splits buffered output into lines: appends data to a line buffer and
 * calls line_fn for each complete line; with flush set, also for a final
 * unterminated line.  The buffer (buf, *used, size) holds partial lines;
 * a line longer than size is cut into pieces. */
typedef void (*recovery_line_fn)(void *ctx, const char *line);
void recovery_split_output(char *buf, size_t size, size_t *used, const char *data, size_t len,
                           int flush, recovery_line_fn line_fn, void *ctx);

#endif
