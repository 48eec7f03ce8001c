/* Keeping extraction beneath its destination: names are checked lexically,
 * and directories are walked one component at a time with O_NOFOLLOW, so
 * neither "../x", "/x" nor a symlink (from the package or already on the
 * device) can lead a write outside. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "updater/builtins.h"

int upd_relpath_check(const char *rel, ota_error *err)
{
    if (rel[0] == '\0')
        return ota_error_set(err, OTA_ERR_FORMAT, "empty entry name");
    if (rel[0] == '/')
        return ota_error_set(err, OTA_ERR_FORMAT, "absolute entry name \"%s\"", rel);
    const char *p = rel;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "empty component in entry name \"%s\"", rel);
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "entry name \"%s\" has a \"%.*s\" component", rel, (int)n, p);
        if (!slash)
            break;
        p = slash + 1; /* a trailing '/' ends the loop here */
    }
    return 0;
}

void upd_beneath_init(upd_beneath *b, int root_fd, const char *root_name)
{
    b->root_fd = root_fd;
    b->cached_dir = NULL;
    b->cached_fd = -1;
    b->root_name = root_name;
}

void upd_beneath_release(upd_beneath *b)
{
    if (b->cached_fd >= 0)
        close(b->cached_fd);
    free(b->cached_dir);
    b->cached_dir = NULL;
    b->cached_fd = -1;
}

/* Opens (creating when missing) the directory `name` in dir_fd, refusing
 * symlinks and non-directories. */
static int open_subdir(upd_beneath *b, int dir_fd, const char *name, const char *rel,
                       ota_error *err)
{
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "refusing \"%s\": it has a \"%s\" component",
                             rel, name);
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            return fd;
        if (errno == ENOENT && attempt == 0) {
            if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                return ota_error_errno(err, "cannot create directory \"%s\" in %s for \"%s\"",
                                       name, b->root_name, rel);
            /* mkdirat honours the umask; the mode is Android's 0755. */
            fchmodat(dir_fd, name, 0755, 0);
            continue;
        }
        if (errno == ELOOP || errno == ENOTDIR) {
            struct stat sb;
            if (fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
                return ota_error_set(err, OTA_ERR_FORMAT,
                                     "refusing \"%s\": its path goes through the symlink \"%s\" "
                                     "in %s", rel, name, b->root_name);
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "refusing \"%s\": \"%s\" in %s is not a directory", rel, name,
                                 b->root_name);
        }
        return ota_error_errno(err, "cannot open directory \"%s\" in %s for \"%s\"", name,
                               b->root_name, rel);
    }
    return ota_error_set(err, OTA_ERR_IO, "directory \"%s\" in %s keeps disappearing", name,
                         b->root_name);
}

/* Walks the first dir_len bytes of rel (a directory path) from the root. */
static int walk(upd_beneath *b, const char *rel, size_t dir_len, ota_error *err)
{
    char *path = strndup(rel, dir_len);
    if (!path)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int fd = dup(b->root_fd);
    if (fd < 0) {
        free(path);
        return ota_error_errno(err, "dup failed");
    }
    char *save = NULL;
    for (char *comp = strtok_r(path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        int next = open_subdir(b, fd, comp, rel, err);
        close(fd);
        if (next < 0) {
            free(path);
            return -1;
        }
        fd = next;
    }
    free(path);
    return fd;
}

int upd_beneath_parent(upd_beneath *b, const char *rel, const char **leaf, ota_error *err)
{
    size_t len = strlen(rel);
    while (len > 0 && rel[len - 1] == '/')
        len--;
    const char *slash = memrchr(rel, '/', len);
    size_t dir_len = slash ? (size_t)(slash - rel) : 0;
    *leaf = slash ? slash + 1 : rel;
    if (dir_len == 0)
        return b->root_fd;
    if (b->cached_dir && strlen(b->cached_dir) == dir_len &&
        memcmp(b->cached_dir, rel, dir_len) == 0)
        return b->cached_fd;
    int fd = walk(b, rel, dir_len, err);
    if (fd < 0)
        return -1;
    char *name = strndup(rel, dir_len);
    if (!name) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    upd_beneath_release(b);
    b->cached_dir = name;
    b->cached_fd = fd;
    return fd;
}

int upd_beneath_mkdirs(upd_beneath *b, const char *rel, ota_error *err)
{
    size_t len = strlen(rel);
    while (len > 0 && rel[len - 1] == '/')
        len--;
    if (len == 0)
        return 0;
    int fd = walk(b, rel, len, err);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}
