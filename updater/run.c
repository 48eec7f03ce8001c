/* Running a package: open it, parse its updater-script, run it with the
 * device builtins, report the outcome, sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/verify.h"
#include "updater/builtins.h"
#include "updater/updater.h"

void updater_ctx_init(updater_ctx *ctx, const char *root, int pipe_fd, FILE *log)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->root = root ? root : "";
    ctx->pipe_fd = pipe_fd;
    ctx->log = log;
}

void updater_ctx_release(updater_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nmounted; i++)
        free(ctx->mounted[i]);
    free(ctx->mounted);
    ctx->mounted = NULL;
    ctx->nmounted = 0;
    if (ctx->package)
        ota_zip_close(ctx->package);
    ctx->package = NULL;
    if (ctx->fstab_loaded)
        ota_fstab_free(&ctx->fstab);
    ctx->fstab_loaded = 0;
    ota_props_free(&ctx->props);
    ctx->props_loaded = 0;
}

/* A failure goes to the screen (ui_print over the pipe); the program
 * prints the same reason once on stderr, the log. */
static int report(updater_ctx *ctx, ota_error *err)
{
    char text[OTA_ERROR_MAX + 8];
    int n = snprintf(text, sizeof text, "E: %s", err->message);
    ota_buf cmd = {0};
    ota_error ignored;
    if (n > 0 && updater_format_ui_print(text, strlen(text), &cmd, &ignored) == 0)
        updater_send(ctx, (char *)cmd.data);
    ota_buf_free(&cmd);
    return -1;
}

int updater_read_script(ota_zip *package, const char *package_path, char **text, size_t *len,
                        ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(package, UPDATER_SCRIPT_ENTRY);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "%s has no %s", package_path,
                             UPDATER_SCRIPT_ENTRY);
    uint8_t *data;
    if (ota_zip_read(package, e, &data, len, UPDATER_MAX_SCRIPT, err) < 0) {
        ota_error_prefix(err, "reading %s from %s", UPDATER_SCRIPT_ENTRY, package_path);
        return -1;
    }
    *text = (char *)data;
    return 0;
}

static int parse_failed(updater_ctx *ctx, edify_diags *diags, ota_error *err)
{
    for (size_t i = 0; i < diags->count; i++) {
        char line[512];
        edify_diag_format(diags, i, line, sizeof line);
        updater_ui_printf(ctx, "E: syntax error: %s", line);
    }
    if (diags->count > 0) {
        char first[512];
        edify_diag_format(diags, 0, first, sizeof first);
        ota_error_set(err, OTA_ERR_FORMAT, "syntax error in %s: %s (%zu error%s)",
                      UPDATER_SCRIPT_ENTRY, first, diags->count, diags->count == 1 ? "" : "s");
    } else {
        ota_error_set(err, OTA_ERR_FORMAT, "%s could not be parsed", UPDATER_SCRIPT_ENTRY);
    }
    return -1;
}

int updater_run_package(updater_ctx *ctx, const char *package_path, ota_error *err)
{
    ctx->package_path = package_path;
    /* Started by recovery, which verified the package: hold every read to
     * what it verified -- each entry to the verified manifest, or, for a
     * sealed snapshot, the file to its seals, checked here (docs/updater.md).
     * Alone (on a host, in tests) the package is read as it is. */
    const char *token = getenv(OTA_VERIFIED_ENV);
    ctx->package = token ? ota_zip_open_verified(package_path, token, err)
                         : ota_zip_open(package_path, err);
    if (!ctx->package) {
        if (err->code != OTA_ERR_VERIFY && err->code != OTA_ERR_ARGS) /* those name it */
            ota_error_prefix(err, "cannot open package %s", package_path);
        return report(ctx, err);
    }
    char *text = NULL;
    size_t len = 0;
    if (updater_read_script(ctx->package, package_path, &text, &len, err) < 0)
        return report(ctx, err);

    int rc = -1;
    edify_script *script = NULL;
    edify_diags diags = {0};
    edify_funcs *fns = edify_funcs_new();
    if (!fns) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        report(ctx, err);
        goto out;
    }
    if (edify_register_core(fns, err) < 0 || updater_register_builtins(fns, err) < 0) {
        report(ctx, err);
        goto out;
    }
    script = edify_parse(text, len, UPDATER_SCRIPT_ENTRY, fns, &diags);
    if (!script) {
        parse_failed(ctx, &diags, err);
        goto out;
    }
    edify_state st = {.script = script, .cookie = ctx};
    edify_value *value = edify_run(&st);
    if (!value) {
        /* abort() and assert() speak for themselves; a failing builtin is
         * named. */
        int named = st.fail_function && st.error.code != OTA_ERR_ABORTED;
        ota_error_set(err, st.error.code ? st.error.code : OTA_ERR_ABORTED,
                      "%s line %d: %s%s%s", UPDATER_SCRIPT_ENTRY, st.fail_line,
                      named ? st.fail_function : "", named ? "() failed: " : "",
                      st.error.message);
        report(ctx, err);
        goto out;
    }
    updater_log(ctx, "script succeeded: result was [%s]",
                value->type == EDIFY_STRING ? value->data : "(blob)");
    edify_value_free(value);
    rc = 0;
out:
    /* Everything written reaches the disk before recovery hears the result,
     * also after a failure (what was done stays consistent). */
    sync();
    if (rc < 0)
        updater_unmount_leftovers(ctx);
    edify_script_free(script);
    edify_diags_free(&diags);
    edify_funcs_free(fns);
    free(text);
    return rc;
}
