/* apply_patch, apply_patch_check, apply_patch_space (the applypatch
 * library), sha1_check and read_file. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/applypatch.h"
#include "otautil/hash.h"
#include "otautil/root.h"
#include "otautil/sink.h"
#include "updater/builtins.h"

#define EMMC_PREFIX "EMMC:"

/* A file name for the applypatch library under RECOVERY_ROOT: plain paths
 * are resolved, and so is the device inside "EMMC:DEVICE:SIZE:SHA1..."
 * (applypatch_resolve_spec); an empty file or device name is refused as
 * upd_path refuses it. */
static char *patch_name(edify_state *st, const char *name)
{
    size_t plen = strlen(EMMC_PREFIX);
    int emmc = strncmp(name, EMMC_PREFIX, plen) == 0;
    const char *file = emmc ? name + plen : name;
    if (file[0] == '\0' || (emmc && file[0] == ':')) {
        edify_fail_code(st, OTA_ERR_ARGS, "empty path");
        return NULL;
    }
    ota_error err;
    char *out = applypatch_resolve_spec(name, &err);
    if (!out)
        edify_fail_error(st, &err);
    return out;
}

static int is_sha1_hex(const char *s)
{
    uint8_t bin[OTA_SHA1_LEN];
    return ota_hex_decode(s, bin, sizeof bin, NULL) == 0;
}

/* apply_patch(source, target, target_sha1, target_size, sha1, patch, ...) */
static edify_value *fn_apply_patch(edify_state *st, const edify_call *call)
{
    if ((call->argc - 4) % 2 != 0)
        return edify_fail_code(st, OTA_ERR_ARGS, "expects source, target, target_sha1, "
                               "target_size, then sha1/patch pairs; got an unpaired sha1");
    edify_value **v;
    if (upd_values_alloc(st, call, &v) < 0)
        return NULL;
    int npatch = (call->argc - 4) / 2;
    const char **sha1s = calloc((size_t)npatch, sizeof *sha1s);
    applypatch_blob *patches = calloc((size_t)npatch, sizeof *patches);
    char *source = NULL, *target = NULL;
    edify_value *result = NULL;
    uint64_t target_size;
    if (!sha1s || !patches) {
        edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < 4; i++) {
        if (v[i]->type != EDIFY_STRING) {
            edify_fail_code(st, OTA_ERR_ARGS, "argument %d must be a string", i + 1);
            goto out;
        }
    }
    if (!is_sha1_hex(v[2]->data)) {
        edify_fail_code(st, OTA_ERR_ARGS, "target_sha1 \"%s\" is not 40 hex digits", v[2]->data);
        goto out;
    }
    if (upd_parse_u64(v[3]->data, 10, &target_size) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "target_size \"%s\" is not a number", v[3]->data);
        goto out;
    }
    for (int i = 0; i < npatch; i++) {
        edify_value *sha = v[4 + 2 * i], *patch = v[5 + 2 * i];
        if (sha->type != EDIFY_STRING || !is_sha1_hex(sha->data)) {
            edify_fail_code(st, OTA_ERR_ARGS, "patch %d: source sha1 is not 40 hex digits", i + 1);
            goto out;
        }
        if (patch->type != EDIFY_BLOB) {
            edify_fail_code(st, OTA_ERR_ARGS, "patch %d is not a blob (use "
                            "package_extract_file(\"NAME\"))", i + 1);
            goto out;
        }
        sha1s[i] = sha->data;
        patches[i].data = (const uint8_t *)patch->data;
        patches[i].len = patch->len;
    }
    if (!(source = patch_name(st, v[0]->data)))
        goto out;
    if (strcmp(v[1]->data, "-") == 0)
        target = strdup("-");
    else
        target = upd_path(st, v[1]->data);
    if (!target)
        goto out;
    ota_error err;
    if (applypatch_apply(source, target, v[2]->data, target_size, npatch, sha1s, patches, NULL,
                         NULL, &err) < 0) {
        edify_fail_error(st, &err);
        goto out;
    }
    result = upd_true();
out:
    free(source);
    free(target);
    free(sha1s);
    free(patches);
    upd_values_free(v, call->argc);
    return result;
}

/* apply_patch_check(file, sha1...): "t" when the file (or the copy saved in
 * the cache by an interrupted apply_patch) has one of the SHA-1s. */
static edify_value *fn_apply_patch_check(edify_state *st, const edify_call *call)
{
    char **args;
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *file = patch_name(st, args[0]);
    if (file) {
        ota_error err;
        if (applypatch_check(file, (const char *const *)args + 1, call->argc - 1, NULL, &err) == 0) {
            result = upd_true();
        } else {
            updater_ui_printf(upd_ctx(st), "apply_patch_check: %s", err.message);
            result = edify_string("");
        }
        free(file);
    }
    upd_strings_free(args, call->argc);
    return result;
}

static edify_value *fn_apply_patch_space(edify_state *st, const edify_call *call)
{
    char *arg;
    if (edify_eval_strings(st, 1, call->argv, &arg) < 0)
        return NULL;
    uint64_t bytes;
    edify_value *result = NULL;
    if (upd_parse_u64(arg, 10, &bytes) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "bytes \"%s\" is not a number", arg);
    } else {
        ota_error err;
        if (applypatch_space(bytes, NULL, &err) == 0) {
            result = upd_true();
        } else {
            updater_ui_printf(upd_ctx(st), "apply_patch_space: %s", err.message);
            result = edify_string("");
        }
    }
    free(arg);
    return result;
}

/* sha1_check(data[, sha1...]): with no sha1s the data's SHA-1; otherwise
 * the first given sha1 that matches, or "" when none does. */
static edify_value *fn_sha1_check(edify_state *st, const edify_call *call)
{
    edify_value **v;
    if (upd_values_alloc(st, call, &v) < 0)
        return NULL;
    edify_value *result = NULL;
    uint8_t digest[OTA_SHA1_LEN];
    ota_sha1(v[0]->data, v[0]->len, digest);
    if (call->argc == 1) {
        char hex[2 * OTA_SHA1_LEN + 1];
        ota_hex_encode(digest, sizeof digest, hex);
        result = edify_string(hex);
        goto out;
    }
    for (int i = 1; i < call->argc; i++) {
        uint8_t want[OTA_SHA1_LEN];
        if (v[i]->type != EDIFY_STRING ||
            ota_hex_decode(v[i]->data, want, sizeof want, NULL) < 0) {
            edify_fail_code(st, OTA_ERR_ARGS, "argument %d is not a SHA-1 (40 hex digits)", i + 1);
            goto out;
        }
        if (memcmp(want, digest, sizeof want) == 0) {
            result = edify_string(v[i]->data);
            goto out;
        }
    }
    result = edify_string("");
out:
    upd_values_free(v, call->argc);
    return result;
}

/* read_file of "EMMC:DEVICE:SIZE:SHA1[:SIZE:SHA1...]": the first SIZE bytes
 * of the device for the first pair whose SHA-1 matches. */
static int read_emmc(const char *root, const char *spec, uint8_t **data, size_t *len, ota_error *err)
{
    char *copy = strdup(spec + strlen(EMMC_PREFIX));
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = -1, fd = -1;
    uint8_t *buf = NULL;
    char *save = NULL;
    char *dev = strtok_r(copy, ":", &save);
    uint64_t max = 0;
    /* First pass: the largest size, so the device is read once. */
    char *rest = save ? strdup(save) : NULL;
    for (char *s = strtok_r(NULL, ":", &save); s; s = strtok_r(NULL, ":", &save)) {
        char *sha = strtok_r(NULL, ":", &save);
        uint64_t size;
        if (!sha || upd_parse_u64(s, 10, &size) < 0 || !is_sha1_hex(sha)) {
            ota_error_set(err, OTA_ERR_ARGS, "\"%s\" is not EMMC:DEVICE:SIZE:SHA1[:SIZE:SHA1...]",
                          spec);
            goto out;
        }
        if (size > max)
            max = size;
    }
    if (!dev || max == 0 || max > SIZE_MAX - 1) {
        ota_error_set(err, OTA_ERR_ARGS, "\"%s\" names no device or sizes", spec);
        goto out;
    }
    if ((fd = open(dev, O_RDONLY | O_CLOEXEC)) < 0) {
        ota_error_errno(err, "cannot open %s", ota_path_unroot_at(root, dev));
        goto out;
    }
    if (!(buf = malloc((size_t)max + 1))) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %" PRIu64 " bytes", max);
        goto out;
    }
    long long got = ota_read_all(fd, buf, (size_t)max, err);
    if (got < 0)
        goto out;
    save = NULL;
    for (char *s = rest ? strtok_r(rest, ":", &save) : NULL; s; s = strtok_r(NULL, ":", &save)) {
        char *sha = strtok_r(NULL, ":", &save);
        uint64_t size;
        uint8_t want[OTA_SHA1_LEN], have[OTA_SHA1_LEN];
        upd_parse_u64(s, 10, &size);
        ota_hex_decode(sha, want, sizeof want, NULL);
        if (size > (uint64_t)got)
            continue;
        ota_sha1(buf, (size_t)size, have);
        if (memcmp(want, have, sizeof want) == 0) {
            buf[size] = '\0';
            *data = buf;
            *len = (size_t)size;
            buf = NULL;
            rc = 0;
            goto out;
        }
    }
    ota_error_set(err, OTA_ERR_VERIFY, "%s matches none of the given sizes and SHA-1s",
                  ota_path_unroot_at(root, dev));
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(rest);
    free(copy);
    return rc;
}

static int read_whole(const char *path, uint8_t **data, size_t *len, ota_error *err)
{
    ota_buf buf = {0};
    if (ota_read_file(path, NULL, SIZE_MAX, OTA_READ_REGULAR, &buf, err) < 0) {
        ota_buf_free(&buf);
        return -1;
    }
    *data = buf.data;
    *len = buf.len;
    return 0;
}

/* read_file(name): the contents as a blob; name as in apply_patch. */
static edify_value *fn_read_file(edify_state *st, const edify_call *call)
{
    char *arg;
    if (edify_eval_strings(st, 1, call->argv, &arg) < 0)
        return NULL;
    edify_value *result = NULL;
    char *file = patch_name(st, arg);
    if (file) {
        ota_error err;
        uint8_t *data = NULL;
        size_t len = 0;
        int rc = strncmp(file, EMMC_PREFIX, strlen(EMMC_PREFIX)) == 0
                     ? read_emmc(upd_ctx(st)->root, file, &data, &len, &err)
                     : read_whole(file, &data, &len, &err);
        if (rc < 0)
            edify_fail_error(st, &err);
        else if (!(result = edify_blob_take(data, len)))
            edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        free(file);
    }
    free(arg);
    return result;
}

const edify_reg upd_patch_builtins[] = {
    {"apply_patch", fn_apply_patch, 6, EDIFY_VARARGS},
    {"apply_patch_check", fn_apply_patch_check, 1, EDIFY_VARARGS},
    {"apply_patch_space", fn_apply_patch_space, 1, 1},
    {"sha1_check", fn_sha1_check, 1, EDIFY_VARARGS},
    {"read_file", fn_read_file, 1, 1},
    {NULL, NULL, 0, 0},
};
