/* applypatch: Android's (gingerbread to KitKat) command-line tool.
 *   applypatch -c FILE [SHA1 ...]        is FILE (or its saved copy) one of these?
 *   applypatch -s BYTES                  does the cache have BYTES free?
 *   applypatch [-b BONUS] SOURCE TARGET TARGET_SHA1 TARGET_SIZE [SHA1:PATCH ...]
 * Absolute paths (files, EMMC devices, patches, the bonus) are resolved
 * under RECOVERY_ROOT when it is set, as on a device laid out in a folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/applypatch.h"
#include "otautil/error.h"
#include "otautil/root.h"

static const char usage_text[] =
    "usage: applypatch -c FILE [SHA1 ...]\n"
    "       applypatch -s BYTES\n"
    "       applypatch [-b BONUS] SOURCE TARGET TARGET_SHA1 TARGET_SIZE [SOURCE_SHA1:PATCH ...]\n"
    "  -c  exit 0 when FILE (or the copy saved in /cache while patching it) has\n"
    "      one of the SHA-1s (any content when none are given)\n"
    "  -s  exit 0 when /cache has at least BYTES free\n"
    "  Patch mode applies the BSDIFF40 or IMGDIFF2 PATCH whose SOURCE_SHA1 matches\n"
    "  SOURCE and writes TARGET (\"-\": SOURCE itself) safely; re-running an\n"
    "  interrupted run finishes it.  FILE, SOURCE and TARGET may be\n"
    "  EMMC:DEVICE:SIZE:SHA1[:SIZE:SHA1...] (TARGET: EMMC:DEVICE).\n"
    "  -b BONUS  extra data for IMGDIFF2 patches made with imgdiff -b\n";

static int usage(FILE *f, int code)
{
    fputs(usage_text, f);
    return code;
}

static int fail(ota_error *err)
{
    fprintf(stderr, "applypatch: %s\n", err->message);
    return 1;
}

static int parse_u64(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *text == '-' || errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int check_mode(int argc, char **argv, ota_error *err)
{
    if (argc < 3)
        return usage(stderr, 2);
    char *file = applypatch_resolve_spec(argv[2], err);
    if (!file)
        return fail(err);
    int rc = applypatch_check(file, (const char *const *)argv + 3, argc - 3, NULL, err);
    free(file);
    return rc < 0 ? fail(err) : 0;
}

static int space_mode(int argc, char **argv, ota_error *err)
{
    uint64_t bytes;
    if (argc != 3 || parse_u64(argv[2], &bytes) < 0)
        return usage(stderr, 2);
    return applypatch_space(bytes, NULL, err) < 0 ? fail(err) : 0;
}

static int patch_mode(int argc, char **argv, ota_error *err)
{
    int i = 1;
    const char *bonus_path = NULL;
    if (argc > 2 && strcmp(argv[1], "-b") == 0) {
        bonus_path = argv[2];
        i = 3;
    }
    if (argc - i < 4)
        return usage(stderr, 2);
    uint64_t target_size;
    if (parse_u64(argv[i + 3], &target_size) < 0)
        return usage(stderr, 2);
    int n = argc - i - 4;
    char **sha1s = calloc((size_t)n + 1, sizeof *sha1s);
    applypatch_blob *patches = calloc((size_t)n + 1, sizeof *patches);
    applypatch_blob bonus = {0};
    char *source = NULL, *target = NULL, *path = NULL;
    uint8_t *bonus_data = NULL;
    int rc = 1;
    if (!sha1s || !patches) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int k = 0; k < n; k++) {
        const char *arg = argv[i + 4 + k], *colon = strchr(arg, ':');
        if (!colon) {
            fprintf(stderr, "applypatch: \"%s\" is not SOURCE_SHA1:PATCH\n", arg);
            rc = usage(stderr, 2);
            goto out;
        }
        sha1s[k] = strndup(arg, (size_t)(colon - arg));
        path = ota_path_dup(colon + 1, err);
        uint8_t *data = NULL;
        size_t len = 0;
        if (!sha1s[k] || !path || applypatch_read_file(path, &data, &len, err) < 0) {
            if (!sha1s[k])
                ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            ota_error_prefix(err, "patch %d", k + 1);
            rc = fail(err);
            goto out;
        }
        patches[k].data = data;
        patches[k].len = len;
        free(path);
        path = NULL;
    }
    if (bonus_path) {
        size_t len = 0;
        path = ota_path_dup(bonus_path, err);
        if (!path || applypatch_read_file(path, &bonus_data, &len, err) < 0) {
            ota_error_prefix(err, "bonus file");
            rc = fail(err);
            goto out;
        }
        bonus.data = bonus_data;
        bonus.len = len;
    }
    source = applypatch_resolve_spec(argv[i], err);
    target = strcmp(argv[i + 1], "-") == 0 ? strdup("-") : applypatch_resolve_spec(argv[i + 1], err);
    if (!source || !target) {
        rc = fail(err);
        goto out;
    }
    if (applypatch_apply(source, target, argv[i + 2], target_size, n, (const char *const *)sha1s, patches,
                         bonus_path ? &bonus : NULL, NULL, err) < 0) {
        rc = fail(err);
        goto out;
    }
    rc = 0;
out:
    for (int k = 0; k < n && sha1s && patches; k++) {
        free(sha1s[k]);
        free((void *)patches[k].data);
    }
    free(sha1s);
    free(patches);
    free(bonus_data);
    free(source);
    free(target);
    free(path);
    return rc;
}

int main(int argc, char **argv)
{
    ota_error err;
    ota_error_clear(&err);
    if (argc < 2)
        return usage(stderr, 2);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout, 0);
    if (strcmp(argv[1], "-c") == 0)
        return check_mode(argc, argv, &err);
    if (strcmp(argv[1], "-s") == 0)
        return space_mode(argc, argv, &err);
    return patch_mode(argc, argv, &err);
}
