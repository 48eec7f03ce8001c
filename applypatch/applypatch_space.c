/* Making room in the cache the way Android's recovery does before it saves
 * a source there: regular files lying directly in the cache folder that no
 * process has open are deleted, oldest first, until enough is free (and
 * none at all when deleting all of them would not be enough).  Never
 * deleted: the saved copy itself (during a resumed run it may be the only
 * good copy of a source), subfolders (/cache/recovery holds the command,
 * logs and the install record), and open files (the package being
 * installed). */
#include "applypatch/applypatch_internal.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/root.h"

typedef struct candidate {
    char *path;
    time_t mtime;
} candidate;

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

/* Every (device, inode) some process holds open, from /proc/PID/fd. */
static int open_files(file_id **out, size_t *n, ota_error *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    DIR *proc = opendir("/proc");
    if (!proc)
        return ota_error_errno(err, "cannot list /proc to find open files");
    struct dirent *p;
    while ((p = readdir(proc))) {
        if (p->d_name[0] < '0' || p->d_name[0] > '9')
            continue;
        char fd_dir[300];
        snprintf(fd_dir, sizeof fd_dir, "/proc/%s/fd", p->d_name);
        DIR *fds = opendir(fd_dir);
        if (!fds)
            continue; /* gone, or not ours to look at */
        struct dirent *f;
        while ((f = readdir(fds))) {
            char link[600];
            struct stat st;
            snprintf(link, sizeof link, "%s/%s", fd_dir, f->d_name);
            if (f->d_name[0] == '.' || stat(link, &st) < 0 || !S_ISREG(st.st_mode))
                continue;
            if (*n == cap) {
                cap = cap ? cap * 2 : 256;
                file_id *v = realloc(*out, cap * sizeof *v);
                if (!v) {
                    closedir(fds);
                    closedir(proc);
                    free(*out);
                    *out = NULL;
                    return ota_error_set(err, OTA_ERR_NOMEM, "out of memory listing open files");
                }
                *out = v;
            }
            (*out)[(*n)++] = (file_id){st.st_dev, st.st_ino};
        }
        closedir(fds);
    }
    closedir(proc);
    return 0;
}

static int is_open(const struct stat *st, const file_id *open, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (open[i].dev == st->st_dev && open[i].ino == st->st_ino)
            return 1;
    return 0;
}

static int by_age(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

int ap_make_cache_space(const char *cache_path, uint64_t bytes, ota_error *err)
{
    uint64_t free_bytes;
    if (ap_free_bytes(cache_path, &free_bytes, err) < 0) {
        /* A host has no /cache: say where the copy goes and how to move it. */
        if (err && err->code == OTA_ERR_NOTFOUND) {
            char why[OTA_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err->message);
            const char *root = ota_root();
            if (*root)
                ota_error_set(err, OTA_ERR_NOTFOUND,
                              "%s; patching in place saves a copy of the source as %s "
                              "(RECOVERY_ROOT=%s): create that folder",
                              why, cache_path, root);
            else
                ota_error_set(err, OTA_ERR_NOTFOUND,
                              "%s; patching in place saves a copy of the source as %s: on a "
                              "host set RECOVERY_ROOT=DIR (a simulated device; the copy goes "
                              "to DIR%s), or create the folder",
                              why, cache_path, cache_path);
        }
        return -1;
    }
    if (free_bytes >= bytes)
        return 0;
    char *copy = strdup(cache_path);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    const char *dir = dirname(copy);
    struct stat saved;
    int have_saved = stat(cache_path, &saved) == 0;
    file_id *open = NULL;
    size_t n_open = 0;
    candidate *c = NULL;
    size_t n = 0, cap = 0;
    uint64_t reclaimable = 0;
    int rc = -1;
    DIR *d = opendir(dir);
    if (!d) {
        ota_error_errno(err, "cannot list %s", dir);
        goto out;
    }
    if (open_files(&open, &n_open, err) < 0)
        goto out;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        struct stat st;
        if (!path) {
            ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            goto out;
        }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || is_open(&st, open, n_open) ||
            (have_saved && st.st_dev == saved.st_dev && st.st_ino == saved.st_ino)) {
            free(path);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            candidate *v = realloc(c, cap * sizeof *v);
            if (!v) {
                free(path);
                ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
                goto out;
            }
            c = v;
        }
        c[n++] = (candidate){path, st.st_mtime};
        reclaimable += (uint64_t)st.st_blocks * 512;
    }
    /* Deleting cannot help: keep everything and say so. */
    if (free_bytes + reclaimable < bytes) {
        ota_error_set(err, OTA_ERR_NOSPACE,
                      "%s has %llu bytes free and %llu in removable files, %llu needed; nothing removed", dir,
                      (unsigned long long)free_bytes, (unsigned long long)reclaimable, (unsigned long long)bytes);
        goto out;
    }
    if (n > 1)
        qsort(c, n, sizeof *c, by_age);
    for (size_t i = 0; i < n && free_bytes < bytes; i++) {
        if (unlink(c[i].path) < 0 && errno != ENOENT)
            continue; /* not ours to delete: try the next */
        if (ap_free_bytes(cache_path, &free_bytes, err) < 0)
            goto out;
    }
    if (n > 0)
        (void)ap_sync_parent(cache_path, NULL);
    rc = free_bytes >= bytes ? 0 : -1;
    if (rc < 0)
        ota_error_set(err, OTA_ERR_NOSPACE, "%s has %llu bytes free, %llu needed (after removing what could be removed)",
                      dir, (unsigned long long)free_bytes, (unsigned long long)bytes);
out:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(c[i].path);
    free(c);
    free(open);
    free(copy);
    return rc;
}
