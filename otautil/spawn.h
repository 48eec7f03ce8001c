/* Running other programs: the one spawner of recovery (the update-binary,
 * mke2fs), the updater (mke2fs, run_program), the release tools (mke2fs,
 * debugfs) and the agent (vendor hooks).  No shell: argv[0] is a path, or a
 * name looked up in PATH.  The child's stdin is /dev/null, so nothing it
 * runs can wait for an answer; descriptors the caller opened close-on-exec
 * stay closed, but for the ones it asks to keep.  A program that cannot be
 * started is an error naming it (not a status 127). */
#ifndef OTAUTIL_SPAWN_H
#define OTAUTIL_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "otautil/error.h"

/* Where one of the child's output streams goes. */
typedef enum ota_spawn_stream {
    OTA_SPAWN_INHERIT = 0, /* the caller's own descriptor of that number */
    OTA_SPAWN_NULL,        /* /dev/null */
    OTA_SPAWN_PIPE,        /* a pipe the caller reads (ota_child.output_fd); when both
                              streams are piped they share it, in the order written */
    OTA_SPAWN_TO_STDERR,   /* the caller's stderr (for stdout: keeps a child from
                              writing into a protocol on the caller's stdout) */
} ota_spawn_stream;

typedef struct ota_spawn_opts {
    ota_spawn_stream out, err;  /* the child's stdout and stderr */
    const int *keep_fds;        /* inherited under the same numbers */
    size_t keep_count;
    char *const *extra_env;     /* "NAME=value" added to (or replacing in) the
                                   environment; NULL-terminated, may be NULL */
    int own_group;              /* the child leads a new process group, so that
                                   a timeout also kills what it started */
} ota_spawn_opts;

typedef struct ota_child {
    pid_t pid;
    int output_fd;  /* read end of the piped stream(s), -1 when none */
    int own_group;
} ota_child;

/* Starts argv with opts (NULL: all defaults).  0, or -1 naming argv[0]. */
int ota_spawn(char *const argv[], const ota_spawn_opts *opts, ota_child *child,
              ota_error *err);

/* Waits for the child, at most timeout_ms (< 0: without limit).  When the
 * time is up it kills the child (its whole group if it has one) with
 * SIGKILL, reaps it and fails with OTA_ERR_LIMIT.  *wait_status is as from
 * waitpid.  Closes output_fd.  argv0 names the program in messages. */
int ota_child_wait(ota_child *child, const char *argv0, int timeout_ms, int *wait_status,
                   ota_error *err);

/* The exit status, or 128+N when killed by signal N (the shell's number,
 * which run_program returns to scripts). */
int ota_exit_code(int wait_status);
/* "exited with status N" or "was killed by signal N (Killed)". */
void ota_describe_exit(int wait_status, char *out, size_t outsz);

/* Splits a stream into lines for line_fn: ota_lines_feed appends data and
 * calls line_fn for each complete line; ota_lines_flush passes on a last
 * unterminated one.  A line longer than the buffer is cut into pieces. */
typedef void (*ota_line_fn)(void *ctx, const char *line);
typedef struct ota_lines {
    char *buf;      /* the caller's buffer ... */
    size_t size;    /* ... and its size (at least 2) */
    size_t used;
    ota_line_fn fn;
    void *ctx;
} ota_lines;
void ota_lines_feed(ota_lines *lines, const char *data, size_t len);
void ota_lines_flush(ota_lines *lines);

/* Runs argv to its end: starts it, passes each line of its piped output to
 * line_fn (may be NULL to drop them), and waits as ota_child_wait does
 * (timeout_ms < 0: no limit).  0 when it ran to an end, whatever its
 * status (*wait_status says how it ended); -1 when it could not be
 * started or timed out. */
int ota_run(char *const argv[], const ota_spawn_opts *opts, int timeout_ms, ota_line_fn line_fn,
            void *line_ctx, int *wait_status, ota_error *err);

#endif
