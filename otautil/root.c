#include "otautil/root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ota_root(void)
{
    const char *root = getenv("RECOVERY_ROOT");
    return root ? root : "";
}

/* Length of the root without trailing slashes ("/" counts as no root). */
static size_t root_len(const char *root)
{
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--;
    return n;
}

static int under_root(const char *path, const char *root, size_t n)
{
    return n > 0 && strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Non-zero when the absolute path's ".." components climb above its start
 * (judged lexically: symlinks inside the root are the device's own). */
static int climbs_out(const char *path)
{
    long depth = 0;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return 1;
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n;
    }
    return 0;
}

/* Under a root, a script or a command must not reach outside it: every
 * path is absolute and stays beneath the root. */
static int check_inside(const char *path, const char *root, size_t n, ota_error *err)
{
    if (path[0] != '/')
        return ota_error_set(err, OTA_ERR_ARGS,
                             "path '%s' is not absolute (RECOVERY_ROOT=%s takes absolute paths "
                             "only)", path, root);
    const char *rest = under_root(path, root, n) ? path + n : path;
    if (climbs_out(rest))
        return ota_error_set(err, OTA_ERR_ARGS, "path '%s' leaves RECOVERY_ROOT (%s)", path,
                             root);
    return 0;
}

int ota_path(const char *path, char *out, size_t outsz, ota_error *err)
{
    return ota_path_at(ota_root(), path, out, outsz, err);
}

int ota_path_at(const char *root, const char *path, char *out, size_t outsz, ota_error *err)
{
    if (!root)
        root = "";
    size_t n = root_len(root);
    int len;
    if (n > 0 && check_inside(path, root, n, err) < 0)
        return -1;
    if (path[0] != '/' || n == 0 || under_root(path, root, n))
        len = snprintf(out, outsz, "%s", path);
    else
        len = snprintf(out, outsz, "%.*s%s", (int)n, root, path);
    if (len < 0 || (size_t)len >= outsz)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", path);
    return 0;
}

char *ota_path_dup(const char *path, ota_error *err)
{
    return ota_path_at_dup(ota_root(), path, err);
}

char *ota_path_at_dup(const char *root, const char *path, ota_error *err)
{
    if (!root)
        root = "";
    size_t size = strlen(path) + strlen(root) + 1;
    char *out = malloc(size);
    if (!out) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory resolving %s", path);
        return NULL;
    }
    if (ota_path_at(root, path, out, size, err) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

const char *ota_path_unroot(const char *resolved)
{
    return ota_path_unroot_at(ota_root(), resolved);
}

const char *ota_path_unroot_at(const char *root, const char *resolved)
{
    if (!root)
        root = "";
    size_t n = root_len(root);
    if (under_root(resolved, root, n))
        return resolved[n] ? resolved + n : "/";
    return resolved;
}
