#include "recovery/log_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/safe_file.h"
#include "otautil/sink.h"

#define STASH_FILE_MAX (16 * 1024 * 1024)

int recovery_mkdirs(const char *dir, unsigned mode, ota_error *err)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return ota_error_set(err, OTA_ERR_ARGS, "bad folder name '%s'", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, (mode_t)mode) < 0 && errno != EEXIST)
            return ota_error_errno(err, "cannot create folder %s", path);
        path[i] = saved;
    }
    return 0;
}

static int join(char *out, size_t outsz, const char *dir, const char *name, ota_error *err)
{
    int n = snprintf(out, outsz, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outsz)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s/%s", dir, name);
    return 0;
}

/* The log folder, created when missing.  /cache is the main system's to
 * write: a symlink planted in the folder's place is replaced by a real
 * folder, and everything in it is reached through the folder's descriptor,
 * never through a path that could be redirected. */
static int open_log_dir(const char *dir, ota_error *err)
{
    char parent[PATH_MAX];
    if (snprintf(parent, sizeof parent, "%s", dir) >= (int)sizeof parent)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (recovery_mkdirs(parent, 0770, err) < 0)
            return -1;
    }
    return ota_dir_open_private(dir, 0770, err);
}

/* Replaces dir/name atomically (otautil/safe_file.h: a temporary created
 * with O_EXCL|O_NOFOLLOW, renamed over name), from a buffer or, when src_fd
 * >= 0, a file. */
static int write_atomic(const char *dir, const char *name, const void *data, size_t len,
                        int src_fd, ota_error *err)
{
    char path[PATH_MAX];
    if (join(path, sizeof path, dir, name, err) < 0)
        return -1;
    int dir_fd = open_log_dir(dir, err);
    if (dir_fd < 0)
        return -1;
    int rc = src_fd >= 0 ? ota_write_file_at(dir_fd, name, 0640, ota_copy_fd, &src_fd, path, err)
                         : ota_write_data_at(dir_fd, name, 0640, data, len, path, err);
    close(dir_fd);
    return rc;
}

int recovery_logs_rotate(const char *dir, ota_error *err)
{
    int dir_fd = open_log_dir(dir, err);
    if (dir_fd < 0)
        return -1;
    char from[64], to[64];
    int rc = 0;
    for (int i = RECOVERY_KEPT_LOGS - 1; i >= 1 && rc == 0; i--) {
        if (i > 1)
            snprintf(from, sizeof from, "%s.%d", RECOVERY_LAST_LOG, i - 1);
        else
            snprintf(from, sizeof from, "%s", RECOVERY_LAST_LOG);
        snprintf(to, sizeof to, "%s.%d", RECOVERY_LAST_LOG, i);
        /* renameat moves a symlink itself, never what it names */
        if (renameat(dir_fd, from, dir_fd, to) < 0 && errno != ENOENT)
            rc = ota_error_errno(err, "cannot rotate %s/%s to %s", dir, from, to);
    }
    /* A power loss while a log was saved leaves its temporary behind. */
    if (rc == 0)
        rc = ota_write_file_leftovers(dir_fd, RECOVERY_LAST_LOG, err);
    if (rc == 0)
        rc = ota_write_file_leftovers(dir_fd, RECOVERY_LAST_INSTALL, err);
    if (rc == 0)
        fsync(dir_fd);
    close(dir_fd);
    return rc;
}

int recovery_logs_save(const char *dir, const char *log_path, ota_error *err)
{
    int fd = open(log_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open the log %s", log_path);
    int rc = write_atomic(dir, RECOVERY_LAST_LOG, NULL, 0, fd, err);
    close(fd);
    return rc;
}

int recovery_logs_write_last_install(const char *dir, const char *package, int success,
                                     ota_error *err)
{
    size_t len = strlen(package) + 4;
    char *text = malloc(len + 1);
    if (!text)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory writing last_install");
    snprintf(text, len + 1, "%s\n%d\n", package, success ? 1 : 0);
    int rc = write_atomic(dir, RECOVERY_LAST_INSTALL, text, strlen(text), -1, err);
    free(text);
    return rc;
}

static int stash_one(recovery_log_stash *stash, const char *dir, const char *name,
                     ota_error *err)
{
    char path[PATH_MAX];
    if (join(path, sizeof path, dir, name, err) < 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0; /* vanished or a symlink: not a log to keep */
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STASH_FILE_MAX) {
        close(fd);
        return 0;
    }
    struct stashed_file *grown = realloc(stash->files, (stash->count + 1) * sizeof *grown);
    if (!grown) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory keeping %s", path);
    }
    stash->files = grown;
    struct stashed_file *f = &stash->files[stash->count];
    f->name = strdup(name);
    f->data = malloc((size_t)st.st_size + 1);
    f->len = 0;
    long long n = (f->name && f->data) ? ota_read_all(fd, f->data, (size_t)st.st_size, err)
                                       : ota_error_set(err, OTA_ERR_NOMEM,
                                                       "out of memory keeping %s", path);
    close(fd);
    if (n < 0) {
        free(f->name);
        free(f->data);
        return -1;
    }
    f->len = (size_t)n;
    stash->count++;
    return 0;
}

int recovery_logs_stash(const char *dir, recovery_log_stash *stash, ota_error *err)
{
    stash->files = NULL;
    stash->count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return ota_error_errno(err, "cannot read folder %s", dir);
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "last_", 5) == 0)
            rc = stash_one(stash, dir, de->d_name, err);
    }
    closedir(d);
    if (rc < 0)
        recovery_logs_stash_free(stash);
    return rc;
}

int recovery_logs_restore(const char *dir, const recovery_log_stash *stash, ota_error *err)
{
    for (size_t i = 0; i < stash->count; i++)
        if (write_atomic(dir, stash->files[i].name, stash->files[i].data, stash->files[i].len,
                         -1, err) < 0)
            return -1;
    return 0;
}

void recovery_logs_stash_free(recovery_log_stash *stash)
{
    for (size_t i = 0; i < stash->count; i++) {
        free(stash->files[i].name);
        free(stash->files[i].data);
    }
    free(stash->files);
    stash->files = NULL;
    stash->count = 0;
}
