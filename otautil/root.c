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
