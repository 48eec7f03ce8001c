/* getprop and file_getprop: key=value property files, read with the one
 * parser of otautil/props.h (Android's rule: a line without '=' is
 * skipped, the later definition of a key wins). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/props.h"
#include "otautil/root.h"
#include "updater/builtins.h"

/* getprop(key): the recovery's own property (its ramdisk's /prop.default
 * and /default.prop, read once per run), "" when unset.  As Android's
 * getprop, it never fails: a property file that cannot be read is noted
 * in the log and counts as empty. */
static edify_value *fn_getprop(edify_state *st, const edify_call *call)
{
    updater_ctx *ctx = upd_ctx(st);
    char *key;
    if (edify_eval_strings(st, 1, call->argv, &key) < 0)
        return NULL;
    if (!ctx->props_loaded) {
        ota_error err;
        if (ota_props_load_device(&ctx->props, ctx->root, NULL, &err) < 0)
            updater_log(ctx, "getprop: %s", err.message);
        ctx->props_loaded = 1;
    }
    const char *value = ota_props_get(&ctx->props, key);
    edify_value *result = edify_string(value ? value : "");
    free(key);
    return result ? result : edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
}

/* file_getprop(file, key): key's value in a property file, "" when the
 * file does not define it.  A file that cannot be read fails the script. */
static edify_value *fn_file_getprop(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *path = upd_path(st, args[0]);
    if (path) {
        ota_props props = {0};
        ota_error err;
        int rc = ota_props_load(&props, path, OTA_PROPS_DEVICE_MAX, &err);
        if (rc == 1)
            edify_fail_code(st, OTA_ERR_NOTFOUND, "cannot open %s: no such file", args[0]);
        else if (rc < 0)
            edify_fail_error(st, &err);
        else {
            const char *value = ota_props_get(&props, args[1]);
            if (!(result = edify_string(value ? value : "")))
                edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        }
        ota_props_free(&props);
        free(path);
    }
    edify_free_strings(args, 2);
    return result;
}

const edify_reg upd_props_builtins[] = {
    {"getprop", fn_getprop, 1, 1},
    {"file_getprop", fn_file_getprop, 2, 2},
    {NULL, NULL, 0, 0},
};
