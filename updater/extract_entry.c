/* Writing one zip entry into a directory: streamed into an unnamed file
 * (or, where the kernel cannot, a temporary name) that gets its real name
 * only when complete, so a failure (corrupt entry, full filesystem, power
 * loss) never leaves a partial file under the real name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "otautil/zip.h"
#include "updater/builtins.h"

/* Android's updater stamps extracted files with this time (2008-08-01
 * 12:00 UTC), so images built from the same package are identical. */
#define EXTRACT_MTIME 1217592000
#define FILE_MODE 0644
#define MAX_SYMLINK_TARGET 4095

/* Creates a fresh temporary name in dir_fd for `open` (O_CREAT|O_EXCL) or
 * symlinkat; returns the fd (files) or 0 (symlinks). */
static int make_temp(int dir_fd, const char *link_target, char *name, size_t namesz,
                     const char *display, ota_error *err)
{
    static const char prefix[] = ".updater-tmp";
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        snprintf(name, namesz, "%s.%ld.%u", prefix, (long)getpid(), attempt);
        if (link_target) {
            if (symlinkat(link_target, dir_fd, name) == 0)
                return 0;
        } else {
            int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                            FILE_MODE);
            if (fd >= 0)
                return fd;
        }
        if (errno != EEXIST)
            return ota_error_errno(err, "cannot create a temporary file for %s", display);
    }
    return ota_error_set(err, OTA_ERR_IO, "cannot find a free temporary name for %s", display);
}

static int put_in_place(int dir_fd, const char *tmp, const char *leaf, const char *display,
                        ota_error *err)
{
    if (renameat(dir_fd, tmp, dir_fd, leaf) == 0)
        return 0;
    int saved = errno;
    unlinkat(dir_fd, tmp, 0);
    errno = saved;
    if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
        return ota_error_set(err, OTA_ERR_IO, "cannot replace the directory %s: the package "
                             "has a file or symlink there", display);
    return ota_error_errno(err, "cannot rename the temporary file to %s", display);
}

/* An unnamed file in dir_fd (O_TMPFILE), so that a power loss during the
 * write leaves nothing behind.  -2 when the kernel or filesystem cannot
 * (before Linux 3.11, some filesystems): a named temporary is used then. */
static int open_unnamed(int dir_fd, const char *display, ota_error *err)
{
    int fd = openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, FILE_MODE);
    if (fd >= 0)
        return fd;
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL || errno == ENOENT)
        return -2;
    return ota_error_errno(err, "cannot create a file for %s", display);
}

/* Gives the open unnamed file a name in dir_fd. */
static int link_unnamed(int fd, int dir_fd, const char *name)
{
    if (linkat(fd, "", dir_fd, name, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != EPERM && errno != ENOENT)
        return -1;
    /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, dir_fd, name, AT_SYMLINK_FOLLOW);
}

/* Names the unnamed file leaf: directly when leaf is free, else under a
 * temporary name renamed over it (an atomic replacement). */
static int name_unnamed(int fd, int dir_fd, const char *leaf, const char *display,
                        ota_error *err)
{
    if (link_unnamed(fd, dir_fd, leaf) == 0)
        return 0;
    if (errno != EEXIST)
        return ota_error_errno(err, "cannot create %s", display);
    char tmp[64];
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, sizeof tmp, ".updater-tmp.%ld.%u", (long)getpid(), attempt);
        if (link_unnamed(fd, dir_fd, tmp) == 0)
            return put_in_place(dir_fd, tmp, leaf, display, err);
        if (errno != EEXIST)
            return ota_error_errno(err, "cannot create a temporary name for %s", display);
    }
    return ota_error_set(err, OTA_ERR_IO, "cannot find a free temporary name for %s", display);
}

int upd_extract_file_at(ota_zip *zip, const ota_zip_entry *e, int dir_fd, const char *leaf,
                        const char *display, unsigned flags, ota_error *err)
{
    char tmp[64] = "";
    int fd = flags & UPD_EXTRACT_NAMED_TEMP ? -2 : open_unnamed(dir_fd, display, err);
    if (fd == -2)
        fd = make_temp(dir_fd, NULL, tmp, sizeof tmp, display, err);
    if (fd < 0)
        return -1;
    const struct timespec times[2] = {{EXTRACT_MTIME, 0}, {EXTRACT_MTIME, 0}};
    if (ota_zip_extract_fd(zip, e, fd, err) < 0) {
        ota_error_prefix(err, "writing %s", display);
        goto fail;
    }
    /* The umask must not change Android's mode; set_perm comes later. */
    if (fchmod(fd, FILE_MODE) < 0 || futimens(fd, times) < 0) {
        ota_error_errno(err, "cannot set mode/time of %s", display);
        goto fail;
    }
    if ((flags & UPD_EXTRACT_SYNC) && fsync(fd) < 0) {
        ota_error_errno(err, "fsync of %s failed", display);
        goto fail;
    }
    if (!tmp[0]) {
        int rc = name_unnamed(fd, dir_fd, leaf, display, err);
        if (close(fd) < 0 && rc == 0)
            rc = ota_error_errno(err, "writing %s failed", display);
        return rc;
    }
    if (close(fd) < 0) {
        fd = -1;
        ota_error_errno(err, "writing %s failed", display);
        goto fail;
    }
    return put_in_place(dir_fd, tmp, leaf, display, err);
fail:
    if (fd >= 0)
        close(fd);
    if (tmp[0])
        unlinkat(dir_fd, tmp, 0);
    return -1;
}

int upd_extract_symlink_at(ota_zip *zip, const ota_zip_entry *e, int dir_fd, const char *leaf,
                           const char *display, ota_error *err)
{
    uint8_t *target = NULL;
    size_t len = 0;
    if (ota_zip_read(zip, e, &target, &len, MAX_SYMLINK_TARGET, err) < 0) {
        ota_error_prefix(err, "reading the symlink entry \"%s\"", e->name);
        return -1;
    }
    if (len == 0 || strlen((char *)target) != len) {
        free(target);
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "symlink entry \"%s\" has an empty or NUL-containing target",
                             e->name);
    }
    char tmp[64];
    int rc = make_temp(dir_fd, (char *)target, tmp, sizeof tmp, display, err);
    free(target);
    if (rc < 0)
        return -1;
    return put_in_place(dir_fd, tmp, leaf, display, err);
}
