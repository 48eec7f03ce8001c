/* Helpers the builtins share: evaluated arguments, paths under
 * RECOVERY_ROOT, the fstab, numbers.  Argument counts are the evaluator's
 * business (each builtin's row in its family's table). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/root.h"
#include "updater/builtins.h"

int upd_strings_alloc(edify_state *st, const edify_call *call, char ***out)
{
    *out = NULL;
    char **args = calloc((size_t)call->argc + 1, sizeof *args);
    if (!args) {
        edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        return -1;
    }
    if (edify_eval_strings(st, call->argc, call->argv, args) < 0) {
        free(args);
        return -1;
    }
    *out = args;
    return 0;
}

void upd_strings_free(char **args, int argc)
{
    if (!args)
        return;
    edify_free_strings(args, argc);
    free(args);
}

int upd_values_alloc(edify_state *st, const edify_call *call, edify_value ***out)
{
    *out = NULL;
    edify_value **v = calloc(call->argc > 0 ? (size_t)call->argc : 1, sizeof *v);
    if (!v) {
        edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        return -1;
    }
    if (edify_eval_args(st, call->argc, call->argv, v, 1) < 0) {
        free(v);
        return -1;
    }
    *out = v;
    return 0;
}

void upd_values_free(edify_value **vals, int argc)
{
    if (!vals)
        return;
    edify_free_values(vals, argc);
    free(vals);
}

char *upd_path(edify_state *st, const char *path)
{
    ota_error err;
    if (path[0] == '\0') {
        edify_fail_code(st, OTA_ERR_ARGS, "empty path");
        return NULL;
    }
    char *out = ota_path_at_dup(upd_ctx(st)->root, path, &err);
    if (!out)
        edify_fail_error(st, &err);
    return out;
}

int upd_each_path(edify_state *st, char *const *args, int first, int argc, upd_path_fn fn,
                  void *arg)
{
    for (int i = first; i < argc; i++) {
        char *path = upd_path(st, args[i]);
        if (!path)
            return -1;
        ota_error err;
        int rc = fn(arg, path, args[i], &err);
        free(path);
        if (rc < 0) {
            edify_fail_error(st, &err);
            return -1;
        }
    }
    return 0;
}

const ota_fstab *upd_fstab(edify_state *st)
{
    updater_ctx *ctx = upd_ctx(st);
    if (ctx->fstab_loaded)
        return &ctx->fstab;
    ota_error err;
    char path[4096];
    if (ota_path_at(ctx->root, "/etc/recovery.fstab", path, sizeof path, &err) < 0 ||
        ota_fstab_load(path, &ctx->fstab, &err) < 0) {
        edify_fail_error(st, &err);
        return NULL;
    }
    ctx->fstab_loaded = 1;
    return &ctx->fstab;
}

edify_value *upd_true(void)
{
    return edify_string("t");
}

int upd_parse_u64(const char *s, int base, uint64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0' || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, base);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int upd_parse_i64(const char *s, long long *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || *end != '\0' || end == s)
        return -1;
    *out = v;
    return 0;
}
