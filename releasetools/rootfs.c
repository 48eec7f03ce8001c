#include "releasetools/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "otautil/caps.h"

static int add_entry(rt_rootfs *fs, const char *rel, const char *full, const struct stat *st,
                     ota_error *err)
{
    if (fs->count == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 256;
        rt_rootfs_entry *n = realloc(fs->entries, cap * sizeof *n);
        if (!n)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        fs->entries = n;
        fs->cap = cap;
    }
    rt_rootfs_entry *e = &fs->entries[fs->count];
    memset(e, 0, sizeof *e);
    e->rel = strdup(rel);
    e->full = strdup(full);
    if (!e->rel || !e->full) {
        free(e->rel);
        free(e->full);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    fs->count++;
    e->type = st->st_mode & S_IFMT;
    e->dev = st->st_dev;
    e->ino = st->st_ino;
    e->nlink = st->st_nlink;
    e->meta.uid = st->st_uid;
    e->meta.gid = st->st_gid;
    e->meta.mode = e->type == S_IFLNK ? 0777 : st->st_mode & 07777;

    char label[256];
    ssize_t n = lgetxattr(full, "security.selinux", label, sizeof label - 1);
    if (n > 0) {
        while (n > 0 && label[n - 1] == '\0')
            n--;
        label[n] = '\0';
        if (n > 0 && !(e->meta.selabel = strdup(label)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    if (e->type == S_IFREG) {
        uint8_t caps[64];
        n = lgetxattr(full, OTA_CAPS_XATTR, caps, sizeof caps);
        if (n > 0 && ota_vfs_cap_decode(caps, (size_t)n, &e->meta.capabilities, err) < 0) {
            ota_error_prefix(err, "%s", full);
            return -1;
        }
    }
    if (e->type == S_IFLNK) {
        char target[4096];
        n = readlink(full, target, sizeof target - 1);
        if (n < 0)
            return ota_error_errno(err, "cannot read symlink %s", full);
        target[n] = '\0';
        if (!(e->link_target = strdup(target)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int walk(rt_rootfs *fs, const char *rel, const char *full, ota_error *err)
{
    DIR *d = opendir(full);
    if (!d)
        return ota_error_errno(err, "cannot open directory %s", full);
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *crel = NULL, *cfull = NULL;
        if (asprintf(&crel, "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0 ||
            asprintf(&cfull, "%s/%s", full, de->d_name) < 0) {
            free(crel);
            rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            break;
        }
        struct stat st;
        if (lstat(cfull, &st) < 0) {
            rc = ota_error_errno(err, "cannot stat %s", cfull);
        } else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
            rc = ota_error_set(err, OTA_ERR_UNSUPPORTED,
                               "%s is a device node, FIFO or socket; only files, directories and "
                               "symlinks can go into a target-files",
                               cfull);
        } else {
            rc = add_entry(fs, crel, cfull, &st, err);
            if (rc == 0 && S_ISDIR(st.st_mode))
                rc = walk(fs, crel, cfull, err);
        }
        free(crel);
        free(cfull);
        errno = 0;
    }
    if (rc == 0 && errno)
        rc = ota_error_errno(err, "cannot read directory %s", full);
    closedir(d);
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const rt_rootfs_entry *)a)->rel, ((const rt_rootfs_entry *)b)->rel);
}

int rt_rootfs_scan(const char *dir, rt_rootfs *fs, ota_error *err)
{
    memset(fs, 0, sizeof *fs);
    struct stat st;
    if (stat(dir, &st) < 0)
        return ota_error_errno(err, "cannot stat %s", dir);
    if (!S_ISDIR(st.st_mode))
        return ota_error_set(err, OTA_ERR_ARGS, "%s is not a directory", dir);
    if (add_entry(fs, "", dir, &st, err) < 0 || walk(fs, "", dir, err) < 0) {
        rt_rootfs_free(fs);
        return -1;
    }
    qsort(fs->entries, fs->count, sizeof *fs->entries, cmp_entry);
    return 0;
}

void rt_rootfs_free(rt_rootfs *fs)
{
    for (size_t i = 0; i < fs->count; i++) {
        free(fs->entries[i].rel);
        free(fs->entries[i].full);
        free(fs->entries[i].link_target);
        rt_meta_free(&fs->entries[i].meta);
    }
    free(fs->entries);
    memset(fs, 0, sizeof *fs);
}
