#include "otautil/safe_file.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "otautil/sink.h"

/* Attempts at a free temporary name before giving up. */
#define TEMP_ATTEMPTS 100
/* A temporary is named after the file it replaces: ".NAME.tmp-PID.N",
 * NAME cut so that the whole stays a valid file name. */
#define TEMP_NAME_PART 200
#define TEMP_PREFIX_MAX (TEMP_NAME_PART + 8)

static void temp_prefix(const char *name, char *out)
{
    snprintf(out, TEMP_PREFIX_MAX, ".%.*s.tmp-", TEMP_NAME_PART, name);
}

const char *ota_file_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return "regular file";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISFIFO(mode))
        return "FIFO";
    if (S_ISSOCK(mode))
        return "socket";
    if (S_ISCHR(mode))
        return "character device";
    if (S_ISBLK(mode))
        return "block device";
    if (S_ISLNK(mode))
        return "symlink";
    return "special file";
}

static int not_regular(const char *what, const char *path, mode_t mode, ota_error *err)
{
    ota_error_set(err, OTA_ERR_FORMAT, "%s %s is a %s, not a regular file", what, path,
                  ota_file_kind(mode));
    errno = EINVAL;
    return -1;
}

int ota_open_regular(const char *path, const char *what, struct stat *st, ota_error *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer; O_NOCTTY: a terminal device must not become ours. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int saved = errno;
        struct stat sb;
        /* A socket cannot be opened at all: say what it is. */
        if (saved != ENOENT && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
            return not_regular(what, path, sb.st_mode, err);
        errno = saved;
        return ota_error_errno(err, "cannot open %s %s", what, path);
    }
    struct stat local;
    if (!st)
        st = &local;
    if (fstat(fd, st) < 0) {
        ota_error_errno(err, "cannot stat %s %s", what, path);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return not_regular(what, path, st->st_mode, err);
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        ota_error_errno(err, "cannot use %s %s", what, path);
        close(fd);
        return -1;
    }
    return fd;
}

int ota_dir_open_private(const char *path, mode_t mode, ota_error *err)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            return fd;
        if (errno == ENOENT) {
            if (mkdir(path, mode) < 0 && errno != EEXIST)
                return ota_error_errno(err, "cannot create folder %s", path);
            continue;
        }
        if (errno != ELOOP && errno != ENOTDIR)
            return ota_error_errno(err, "cannot open folder %s", path);
        /* Something that is not a directory sits where ours belongs (a
         * planted symlink, say): it goes, and is never followed. */
        struct stat sb;
        if (lstat(path, &sb) < 0)
            return ota_error_errno(err, "cannot open folder %s", path);
        if (S_ISDIR(sb.st_mode))
            return ota_error_errno(err, "cannot open folder %s", path);
        if (unlink(path) < 0)
            return ota_error_errno(err, "%s is a %s, not a folder, and cannot be removed", path,
                                   ota_file_kind(sb.st_mode));
    }
    return ota_error_set(err, OTA_ERR_IO, "cannot open folder %s: it keeps being replaced",
                         path);
}

int ota_write_file_at(int dir_fd, const char *name, mode_t mode, ota_file_writer write_fn,
                      void *ctx, const char *shown, ota_error *err)
{
    char prefix[TEMP_PREFIX_MAX], tmp[TEMP_PREFIX_MAX + 32];
    temp_prefix(name, prefix);
    int fd = -1;
    for (unsigned attempt = 0; attempt < TEMP_ATTEMPTS && fd < 0; attempt++) {
        snprintf(tmp, sizeof tmp, "%s%ld.%u", prefix, (long)getpid(), attempt);
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            return ota_error_errno(err, "cannot create a temporary file for %s", shown);
    }
    if (fd < 0)
        return ota_error_set(err, OTA_ERR_IO, "cannot find a free temporary name for %s", shown);
    int rc = write_fn(ctx, fd, err);
    if (rc == 0 && fchmod(fd, mode) < 0) /* the umask must not change it */
        rc = ota_error_errno(err, "cannot set the mode of %s", shown);
    if (rc == 0 && fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot sync %s", shown);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", shown);
    if (rc == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
        rc = ota_error_errno(err, "cannot put %s in place", shown);
    if (rc < 0) {
        unlinkat(dir_fd, tmp, 0);
        return -1;
    }
    if (fsync(dir_fd) < 0)
        return ota_error_errno(err, "cannot sync the folder of %s", shown);
    return 0;
}

int ota_write_file_leftovers(int dir_fd, const char *name, ota_error *err)
{
    char prefix[TEMP_PREFIX_MAX];
    temp_prefix(name, prefix);
    size_t n = strlen(prefix);
    int fd = dup(dir_fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int rc = ota_error_errno(err, "cannot list the folder of %s", name);
        if (fd >= 0)
            close(fd);
        return rc;
    }
    rewinddir(d); /* the duplicate shares the position of dir_fd */
    int rc = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        if (strncmp(de->d_name, prefix, n) == 0 && unlinkat(dir_fd, de->d_name, 0) < 0 &&
            errno != ENOENT && rc == 0)
            rc = ota_error_errno(err, "cannot remove %s", de->d_name);
    closedir(d);
    return rc;
}

int ota_copy_fd(void *fd_ptr, int fd, ota_error *err)
{
    int from = *(const int *)fd_ptr;
    char buf[65536];
    for (;;) {
        long long n = ota_read_all(from, buf, sizeof buf, err);
        if (n <= 0)
            return n < 0 ? -1 : 0;
        if (ota_write_all(fd, buf, (size_t)n, err) < 0)
            return -1;
    }
}

typedef struct data_src {
    const void *data;
    size_t len;
} data_src;

static int write_data(void *ctx, int fd, ota_error *err)
{
    const data_src *src = ctx;
    return ota_write_all(fd, src->data, src->len, err);
}

int ota_write_data_at(int dir_fd, const char *name, mode_t mode, const void *data, size_t len,
                      const char *shown, ota_error *err)
{
    data_src src = {data, len};
    return ota_write_file_at(dir_fd, name, mode, write_data, &src, shown, err);
}

/* The folder holding path ("." for a bare name) into dir. */
static int parent_of(const char *path, char *dir, size_t dirsz, ota_error *err)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (!slash)
        n = snprintf(dir, dirsz, ".");
    else if (slash == path)
        n = snprintf(dir, dirsz, "/");
    else
        n = snprintf(dir, dirsz, "%.*s", (int)(slash - path), path);
    if (n < 0 || (size_t)n >= dirsz)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", path);
    return 0;
}

int ota_replace_file(const char *path, const void *data, size_t len, mode_t mode,
                     ota_error *err)
{
    char dir[PATH_MAX];
    if (parent_of(path, dir, sizeof dir, err) < 0)
        return -1;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "not a file name: %s", path);
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return ota_error_errno(err, "cannot open folder %s to write %s", dir, path);
    int rc = ota_write_data_at(dir_fd, name, mode, data, len, path, err);
    close(dir_fd);
    return rc;
}

int ota_sync_parent(const char *path, ota_error *err)
{
    char dir[PATH_MAX];
    if (parent_of(path, dir, sizeof dir, err) < 0)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open folder %s", dir);
    int rc = fsync(fd) < 0 ? ota_error_errno(err, "cannot sync folder %s", dir) : 0;
    close(fd);
    return rc;
}
