#include "otautil/atomic_file.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"

int ota_sync_parent(const char *path, ota_error *err)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) >= sizeof dir)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", path);
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open folder %s", dir);
    int rc = fsync(fd) < 0 ? ota_error_errno(err, "cannot sync folder %s", dir) : 0;
    close(fd);
    return rc;
}

int ota_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                     ota_error *err)
{
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", tmp);
    int rc = ota_write_all(fd, data, len, err);
    if (rc == 0 && fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot sync %s", tmp);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", tmp);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = ota_error_errno(err, "cannot rename %s to %s", tmp, path);
    if (rc < 0) {
        unlink(tmp);
        return -1;
    }
    return ota_sync_parent(path, err);
}
