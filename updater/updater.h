/* The updater (update-binary): runs a package's updater-script with the
 * device builtins, talking to recovery over the command pipe.
 *
 *     updater_ctx ctx;
 *     updater_ctx_init(&ctx, ota_root(), pipe_fd, stderr);
 *     int rc = updater_run_package(&ctx, "/tmp/update.zip", &err);
 *     updater_ctx_release(&ctx);
 *
 * The context is the edify cookie: builtins reach the package, the pipe and
 * the fstab through it.  Nothing here is global. */
#ifndef UPDATER_UPDATER_H
#define UPDATER_UPDATER_H

#include <stddef.h>
#include <stdio.h>

#include "edify/edify.h"
#include "otautil/error.h"
#include "otautil/fstab.h"
#include "otautil/props.h"
#include "otautil/sink.h"
#include "otautil/zip.h"

/* Where the script lives inside the package. */
#define UPDATER_SCRIPT_ENTRY "META-INF/com/google/android/updater-script"
/* Scripts are text a few hundred KiB at most; this bounds a hostile one. */
#define UPDATER_MAX_SCRIPT (64u * 1024 * 1024)
/* Oldest recovery API this updater speaks (Android KitKat's). */
#define UPDATER_MIN_API 3

typedef struct updater_ctx {
    const char *root;     /* RECOVERY_ROOT, read once by the program ("": none);
                             absolute script paths are resolved under it */
    int pipe_fd;          /* the command pipe (1: stdout) */
    FILE *log;            /* the log: ui_print text and notes (recovery keeps the
                             update-binary's stderr as its log); NULL: none */
    int pipe_broken;      /* set after a write to the pipe failed (parent gone) */
    ota_zip *package;     /* the open update package */
    const char *package_path;
    ota_fstab fstab;      /* /etc/recovery.fstab, loaded on first use */
    int fstab_loaded;
    ota_props props;      /* the recovery's properties, loaded on first getprop */
    int props_loaded;
    char **mounted;       /* mount points this run mounted and has not unmounted */
    size_t nmounted;
} updater_ctx;

void updater_ctx_init(updater_ctx *ctx, const char *root, int pipe_fd, FILE *log);
void updater_ctx_release(updater_ctx *ctx);

/* Opens the package, parses its updater-script, runs it with the core and
 * device builtins, and syncs everything written.  On failure err says what
 * failed and where; the reason has been sent over the pipe as well. */
int updater_run_package(updater_ctx *ctx, const char *package_path, ota_error *err);

/* Reads the package's updater-script (UPDATER_SCRIPT_ENTRY, at most
 * UPDATER_MAX_SCRIPT bytes) into a malloc'd, NUL-terminated buffer.
 * package_path names the package in messages. */
int updater_read_script(ota_zip *package, const char *package_path, char **text, size_t *len,
                        ota_error *err);

/* Checks a script without running it or touching anything (no mounts, no
 * writes, no pipe): path is an updater-script, or an update package whose
 * script is read through the zip layer (named "PATH!ENTRY" in messages).
 * Every syntax error, unknown function and call with a wrong number of
 * arguments, with the core and every device builtin known, goes to diags.
 * Returns the number of errors (0: clean), or -1 with err when path cannot
 * be read. */
int updater_check(const char *path, edify_diags *diags, ota_error *err);

/* Unmounts what the script mounted and left mounted (after a failure, so a
 * second attempt starts clean), noting each in the log. */
void updater_unmount_leftovers(updater_ctx *ctx);

/* Registers every device builtin (mount, format, package_extract_dir, ...).
 * Returns 0, or -1 with err naming the row that could not be added. */
int updater_register_builtins(edify_funcs *fns, ota_error *err);

/* ---- the command pipe ------------------------------------------------------
 * One command a line.  Formatting is separate from writing so it can be
 * tested; the send functions never fail the install when the parent has gone
 * away (the install itself matters more than its progress bar). */

/* "ui_print LINE\n" for each line of text, then a bare "ui_print\n" that ends
 * the message (as Android's updater does: recovery shows each ui_print's text
 * and starts a new line on the bare one). */
int updater_format_ui_print(const char *text, size_t len, ota_buf *out, ota_error *err);
/* "progress FRAC SECS\n", "set_progress FRAC\n", FRAC with 6 decimals. */
int updater_format_progress(double frac, int seconds, char *out, size_t outsz);
int updater_format_set_progress(double frac, char *out, size_t outsz);

void updater_send(updater_ctx *ctx, const char *line);        /* line ends in \n */
void updater_ui_print(updater_ctx *ctx, const char *text, size_t len); /* also to the log */
void updater_ui_printf(updater_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One line for the log only (not the screen). */
void updater_log(updater_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
