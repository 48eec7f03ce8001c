/* What the updater's unit tests share: a package holding a script, run by
 * updater_run_package with the command pipe in a file, and what came of
 * it.  Header-only, like tests/otautil/zip_fixture.h. */
#ifndef TESTS_UPDATER_PACKAGE_FIXTURE_H
#define TESTS_UPDATER_PACKAGE_FIXTURE_H

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "otautil/root.h"
#include "otautil/zip.h"
#include "updater/updater.h"

typedef struct run_result {
    int rc;
    ota_error err;
    char pipe[8192]; /* what the updater wrote to the command pipe */
} run_result;

/* Runs the package at zip_path, the command pipe a file in dir. */
static inline void run_package(const char *dir, const char *zip_path, run_result *r)
{
    char pipe_path[512];
    snprintf(pipe_path, sizeof pipe_path, "%s/pipe", dir);
    int fd = open(pipe_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    updater_ctx ctx;
    updater_ctx_init(&ctx, ota_root(), fd, stderr);
    ota_error_clear(&r->err);
    r->rc = updater_run_package(&ctx, zip_path, &r->err);
    updater_ctx_release(&ctx);
    ssize_t n = pread(fd, r->pipe, sizeof r->pipe - 1, 0);
    ck_assert_int_ge(n, 0);
    r->pipe[n] = '\0';
    close(fd);
}

/* Runs script (NULL: a package without one) in a package in dir. */
static inline void run_script(const char *dir, const char *script, run_result *r)
{
    char zip_path[512];
    snprintf(zip_path, sizeof zip_path, "%s/update.zip", dir);
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(zip_path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    if (script)
        ck_assert_int_eq(ota_zip_add_data(w, UPDATER_SCRIPT_ENTRY, script, strlen(script), NULL,
                                          &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, "payload.txt", "payload\n", 8, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    run_package(dir, zip_path, r);
}

#endif
