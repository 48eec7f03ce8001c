/* ui_print, show_progress, set_progress, wipe_cache, run_program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/sink.h"
#include "updater/builtins.h"

/* ui_print(text...): the arguments concatenated, shown by recovery. */
static edify_value *fn_ui_print(edify_state *st, const edify_call *call)
{
    char **args;
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    ota_buf text = {0};
    ota_error err;
    edify_value *result = NULL;
    for (int i = 0; i < call->argc; i++) {
        if (ota_buf_append(&text, args[i], strlen(args[i]), &err) < 0) {
            edify_fail_error(st, &err);
            goto out;
        }
    }
    updater_ui_print(upd_ctx(st), text.data ? (char *)text.data : "", text.len);
    result = edify_string_n(text.data ? (char *)text.data : "", text.len);
out:
    ota_buf_free(&text);
    upd_strings_free(args, call->argc);
    return result;
}

/* A fraction of the progress bar.  Text that is no number is a script bug
 * and fails; a number outside 0..1 is clamped, since a progress bar is no
 * reason to stop an install. */
static int parse_frac(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || v != v)
        return -1;
    *out = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    return 0;
}

/* show_progress(frac, seconds): the next frac of the bar fills over seconds
 * (or by set_progress calls when seconds is 0). */
static edify_value *fn_show_progress(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    double frac, secs;
    char *end;
    char line[96];
    secs = strtod(args[1], &end);
    if (parse_frac(args[0], &frac) < 0 || end == args[1] || *end != '\0' || secs != secs)
        edify_fail_code(st, OTA_ERR_ARGS, "bad fraction \"%s\" or seconds \"%s\" (numbers "
                        "expected)", args[0], args[1]);
    else if (updater_format_progress(frac, secs < 0 ? 0 : secs > 86400 ? 86400 : (int)secs, line,
                                     sizeof line) == 0) {
        updater_send(upd_ctx(st), line);
        result = edify_string(args[0]);
    }
    edify_free_strings(args, 2);
    return result;
}

/* set_progress(frac): how far through the current show_progress segment. */
static edify_value *fn_set_progress(edify_state *st, const edify_call *call)
{
    char *arg;
    if (edify_eval_strings(st, 1, call->argv, &arg) < 0)
        return NULL;
    edify_value *result = NULL;
    double frac;
    char line[64];
    if (parse_frac(arg, &frac) < 0)
        edify_fail_code(st, OTA_ERR_ARGS, "bad fraction \"%s\" (a number expected)", arg);
    else if (updater_format_set_progress(frac, line, sizeof line) == 0) {
        updater_send(upd_ctx(st), line);
        result = edify_string(arg);
    }
    free(arg);
    return result;
}

/* wipe_cache(): asks recovery to wipe /cache after the install. */
static edify_value *fn_wipe_cache(edify_state *st, const edify_call *call)
{
    (void)call;
    updater_send(upd_ctx(st), "wipe_cache\n");
    return upd_true();
}

/* run_program(path, arg...): the program's exit status as a string (128+N
 * when killed by signal N).  The path is resolved under RECOVERY_ROOT; the
 * arguments are passed as they are. */
static edify_value *fn_run_program(edify_state *st, const edify_call *call)
{
    char **args; /* NULL-terminated: the program's call->argv */
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *prog = upd_path(st, args[0]);
    if (prog) {
        char *shown = args[0];
        args[0] = prog;
        int status;
        ota_error err;
        if (upd_ctx(st)->log)
            fflush(upd_ctx(st)->log); /* ours before the program's own output */
        if (upd_spawn(upd_ctx(st), args, &status, &err) < 0) {
            edify_fail_error(st, &err);
        } else {
            char text[16];
            snprintf(text, sizeof text, "%d", status);
            updater_log(upd_ctx(st), "run_program: %s exited with status %d", shown, status);
            result = edify_string(text);
        }
        args[0] = shown;
        free(prog);
    }
    upd_strings_free(args, call->argc);
    return result;
}

const edify_reg upd_misc_builtins[] = {
    {"ui_print", fn_ui_print, 1, EDIFY_VARARGS},
    {"show_progress", fn_show_progress, 2, 2},
    {"set_progress", fn_set_progress, 1, 1},
    {"wipe_cache", fn_wipe_cache, 0, 0},
    {"run_program", fn_run_program, 1, EDIFY_VARARGS},
    {NULL, NULL, 0, 0},
};
